package dev.proxima.tensor;

import dev.proxima.tensor.internal.ElementAccess;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/** FAMILYDOC */
final class CreationOps {

    private CreationOps() {
    }

    static Tensor full(double value, DType dtype, long... shape) {
        return full(value, dtype, Device.CPU, shape);
    }

    static Tensor full(double value, DType dtype, Device device, long... shape) {
        if (dtype.isInteger()) {
            Scalars.checkRange("full", dtype, value);
        }
        Tensor t = Tensor.allocate(dtype, shape, device, true);
        t.backend.fill(t.kernelView(), dtype.isFloating() ? Scalars.rounded(dtype, value) : value);
        return t;
    }

    static Tensor full(long value, DType dtype, Device device, long... shape) {
        OptionalDouble fill = Scalars.fillValue("full", dtype, value);
        Tensor t = Tensor.allocate(dtype, shape, device, true);
        if (fill.isPresent()) {
            t.backend.fill(t.kernelView(), fill.getAsDouble());
            return t;
        }
        try (Tensor s = Scalars.operand(dtype, value, Device.CPU)) {
            return ElementwiseOps.copyInto(s, t);
        }
    }

    static Tensor zeros(DType dtype, long... shape) {
        return full(0, dtype, shape);
    }

    static Tensor zeros(DType dtype, Device device, long... shape) {
        return full(0, dtype, device, shape);
    }

    static Tensor ones(DType dtype, long... shape) {
        return full(1, dtype, shape);
    }

    static Tensor ones(DType dtype, Device device, long... shape) {
        return full(1, dtype, device, shape);
    }

    static Tensor scalar(double value, DType dtype) {
        return full(value, dtype);
    }

    static Tensor scalar(double value, DType dtype, Device device) {
        return full(value, dtype, device);
    }

    static Tensor scalar(long value, DType dtype, Device device) {
        return full(value, dtype, device);
    }

    static Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0 || !Double.isFinite(step) || !Double.isFinite(start) || !Double.isFinite(end)) {
            throw new IllegalArgumentException("arange needs finite start/end and a finite non-zero step, got "
                    + start + ", " + end + ", " + step);
        }
        double count = Math.max(0, Math.ceil((end - start) / step));
        if (count >= 0x1p62) {
            throw new IllegalArgumentException("arange(" + start + ", " + end + ", " + step + ") would have " + count
                    + " elements; that is too many to allocate");
        }
        long n = (long) count;
        Tensor t = Tensor.allocate(dtype, new long[]{n}, Device.CPU, true);
        t.backend.iota(t.kernelView(), start, step);
        return t;
    }

    static Tensor arange(long n) {
        return arange(0, n, 1, DType.I64);
    }

    static Tensor linspace(double start, double stop, long num, DType dtype) {
        if (num < 0) {
            throw new IllegalArgumentException("linspace needs num >= 0, got " + num);
        }
        double step = num > 1 ? (stop - start) / (num - 1) : 0;
        Tensor t = Tensor.allocate(dtype, new long[]{num}, Device.CPU, true);
        t.backend.iota(t.kernelView(), start, step);
        if (num > 1) {
            ElementAccess.setDouble(t.storage.segment(), dtype, num - 1, stop);
        }
        return t;
    }

    static Tensor eye(long n, DType dtype) {
        Tensor t = zeros(dtype, n, n);
        MemorySegment s = t.storage.segment();
        for (long i = 0; i < n; i++) {
            ElementAccess.setDouble(s, dtype, i * (n + 1), 1);
        }
        return t;
    }

    static Tensor of(float... values) {
        Tensor t = Tensor.allocate(DType.F32, new long[]{values.length}, Device.CPU, true);
        MemorySegment.copy(values, 0, t.storage.segment(), DType.F32.layout(), 0, values.length);
        return t;
    }

    static Tensor of(double... values) {
        Tensor t = Tensor.allocate(DType.F64, new long[]{values.length}, Device.CPU, true);
        MemorySegment.copy(values, 0, t.storage.segment(), DType.F64.layout(), 0, values.length);
        return t;
    }

    static Tensor of(int... values) {
        Tensor t = Tensor.allocate(DType.I32, new long[]{values.length}, Device.CPU, true);
        MemorySegment.copy(values, 0, t.storage.segment(), DType.I32.layout(), 0, values.length);
        return t;
    }

    static Tensor of(long... values) {
        Tensor t = Tensor.allocate(DType.I64, new long[]{values.length}, Device.CPU, true);
        MemorySegment.copy(values, 0, t.storage.segment(), DType.I64.layout(), 0, values.length);
        return t;
    }

    static Tensor of(boolean... values) {
        Tensor t = Tensor.allocate(DType.BOOL, new long[]{values.length}, Device.CPU, true);
        MemorySegment s = t.storage.segment();
        for (int i = 0; i < values.length; i++) {
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (values[i] ? 1 : 0));
        }
        return t;
    }

    static Tensor fromArray(Object array) {
        if (array == null || !array.getClass().isArray()) {
            throw new IllegalArgumentException("fromArray expects a (nested) primitive array, got " + array);
        }
        List<Long> dims = new ArrayList<>();
        Object a = array;
        Class<?> c = array.getClass();
        while (c.isArray()) {
            dims.add((long) Array.getLength(a));
            c = c.getComponentType();
            if (c.isArray()) {
                if (Array.getLength(a) == 0) {
                    throw new IllegalArgumentException("cannot infer the shape of an empty outer array");
                }
                a = Array.get(a, 0);
            }
        }
        DType dtype;
        if (c == float.class) {
            dtype = DType.F32;
        } else if (c == double.class) {
            dtype = DType.F64;
        } else if (c == int.class) {
            dtype = DType.I32;
        } else if (c == long.class) {
            dtype = DType.I64;
        } else if (c == byte.class) {
            dtype = DType.I8;
        } else if (c == boolean.class) {
            dtype = DType.BOOL;
        } else {
            throw new IllegalArgumentException("fromArray does not support element type " + c.getName());
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        Tensor t = Tensor.allocate(dtype, shape, Device.CPU, true);
        try {
            long[] cursor = {0};
            fill(t.storage.segment(), dtype, array, shape, 0, cursor);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    static void fill(MemorySegment s, DType dtype, Object a, long[] shape, int depth, long[] cursor) {
        int n = Array.getLength(a);
        if (n != shape[depth]) {
            throw new IllegalArgumentException("ragged array: expected length " + shape[depth] + " at depth " + depth + ", got " + n);
        }
        if (depth == shape.length - 1) {
            long at = cursor[0];
            switch (a) {
                case float[] f -> MemorySegment.copy(f, 0, s, DType.F32.layout(), at * 4, n);
                case double[] d -> MemorySegment.copy(d, 0, s, DType.F64.layout(), at * 8, n);
                case int[] i -> MemorySegment.copy(i, 0, s, DType.I32.layout(), at * 4, n);
                case long[] l -> MemorySegment.copy(l, 0, s, DType.I64.layout(), at * 8, n);
                case byte[] b -> MemorySegment.copy(b, 0, s, DType.I8.layout(), at, n);
                case boolean[] b -> {
                    for (int i = 0; i < n; i++) {
                        ElementAccess.setLong(s, dtype, at + i, b[i] ? 1 : 0);
                    }
                }
                default -> throw new IllegalArgumentException("unexpected array " + a.getClass());
            }
            cursor[0] += n;
            return;
        }
        for (int i = 0; i < n; i++) {
            fill(s, dtype, Array.get(a, i), shape, depth + 1, cursor);
        }
    }
}
