package dev.proxima.tensor;

import dev.proxima.tensor.internal.Dispatcher;

import dev.proxima.tensor.internal.Backends;
import dev.proxima.tensor.internal.ElementAccess;
import dev.proxima.tensor.spi.StridedView;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** FAMILYDOC */
final class ConversionOps {

    private ConversionOps() {
    }

    static double item(Tensor self) {
        self.live();
        if (self.size() != 1) {
            throw new IllegalArgumentException("item() needs a tensor with exactly one element, got shape " + Shapes.str(self.shape));
        }
        if (onHost(self)) {
            return ElementAccess.getDouble(self.storage.segment(), self.dtype, self.offset);
        }
        try (Tensor h = hostElement(self, self.offset)) {
            return ElementAccess.getDouble(h.storage.segment(), self.dtype, 0);
        }
    }

    static double getDouble(Tensor self, long... index) {
        long at = elementIndex(self, index);
        if (onHost(self)) {
            return ElementAccess.getDouble(self.storage.segment(), self.dtype, at);
        }
        try (Tensor h = hostElement(self, at)) {
            return ElementAccess.getDouble(h.storage.segment(), self.dtype, 0);
        }
    }

    static long getLong(Tensor self, long... index) {
        long at = elementIndex(self, index);
        if (onHost(self)) {
            return ElementAccess.getLong(self.storage.segment(), self.dtype, at);
        }
        try (Tensor h = hostElement(self, at)) {
            return ElementAccess.getLong(h.storage.segment(), self.dtype, 0);
        }
    }

    static boolean onHost(Tensor self) {
        return self.storage.device().equals(Device.CPU);
    }

    static Tensor hostElement(Tensor self, long at) {
        Tensor h = Tensor.allocate(self.dtype, new long[0], Device.CPU, false);
        try {
            Dispatcher.transfer(new StridedView(self.storage, self.dtype, new long[0], new long[0], at), h.kernelView());
        } catch (RuntimeException e) {
            h.close();
            throw e;
        }
        return h;
    }

    static Tensor hostCopy(Tensor self, DType target) {
        if (onHost(self)) {
            return self.cast(target, false);
        }
        try (Tensor dense = self.cast(target, false)) {
            Tensor h = Tensor.allocate(target, self.shape, Device.CPU, false);
            try {
                Dispatcher.transfer(dense.kernelView(), h.kernelView());
            } catch (RuntimeException e) {
                h.close();
                throw e;
            }
            return h;
        }
    }

    static long elementIndex(Tensor self, long[] index) {
        self.live();
        if (index.length != self.shape.length) {
            throw new IllegalArgumentException("expected " + self.shape.length + " indices for shape " + Shapes.str(self.shape)
                    + ", got " + index.length);
        }
        long at = self.offset;
        for (int d = 0; d < index.length; d++) {
            long i = index[d] < 0 ? index[d] + self.shape[d] : index[d];
            if (i < 0 || i >= self.shape[d]) {
                throw new IndexOutOfBoundsException("index " + index[d] + " is out of bounds for dimension " + d
                        + " of shape " + Shapes.str(self.shape));
            }
            at += i * self.strides[d];
        }
        return at;
    }

    static float[] toFloatArray(Tensor self) {
        try (Tensor c = hostCopy(self, DType.F32)) {
            float[] out = new float[javaLength(self)];
            MemorySegment.copy(c.storage.segment(), DType.F32.layout(), c.offset * 4, out, 0, out.length);
            return out;
        }
    }

    static double[] toDoubleArray(Tensor self) {
        try (Tensor c = hostCopy(self, DType.F64)) {
            double[] out = new double[javaLength(self)];
            MemorySegment.copy(c.storage.segment(), DType.F64.layout(), c.offset * 8, out, 0, out.length);
            return out;
        }
    }

    static int[] toIntArray(Tensor self) {
        try (Tensor c = hostCopy(self, DType.I32)) {
            int[] out = new int[javaLength(self)];
            MemorySegment.copy(c.storage.segment(), DType.I32.layout(), c.offset * 4, out, 0, out.length);
            return out;
        }
    }

    static long[] toLongArray(Tensor self) {
        try (Tensor c = hostCopy(self, DType.I64)) {
            long[] out = new long[javaLength(self)];
            MemorySegment.copy(c.storage.segment(), DType.I64.layout(), c.offset * 8, out, 0, out.length);
            return out;
        }
    }

    static boolean[] toBooleanArray(Tensor self) {
        try (Tensor c = hostCopy(self, DType.BOOL)) {
            boolean[] out = new boolean[javaLength(self)];
            MemorySegment s = c.storage.segment();
            for (int i = 0; i < out.length; i++) {
                out[i] = s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, c.offset + i) != 0;
            }
            return out;
        }
    }

    static int javaLength(Tensor self) {
        long n = self.size();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of shape " + Shapes.str(self.shape) + " has too many elements for a Java array");
        }
        return (int) n;
    }

    static Tensor copy(Tensor self) {
        return self.cast(self.dtype, true);
    }

    static Tensor to(Tensor self, Device target) {
        self.live();
        if (target.equals(self.device())) {
            return ViewOps.recordView(self, self.share(self.shape, self.strides, self.offset), "to", g -> g);
        }
        Backends.of(target);
        try (Tensor dense = self.cast(self.dtype, false)) {
            Tensor out = Tensor.allocate(self.dtype, self.shape, target, true);
            try {
                Dispatcher.transfer(dense.kernelView(), out.kernelView());
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
            Device from = self.device();
            return GradNode.record(out, "to", new Tensor[]{self}, (g, needs) -> new Tensor[]{g.to(from)});
        }
    }

    static boolean allClose(Tensor self, Tensor other, double rtol, double atol) {
        self.live();
        other.live();
        if (!Arrays.equals(self.shape, other.shape)) {
            return false;
        }
        double[] a = self.toDoubleArray();
        double[] b = other.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) {
                return false;
            }
        }
        return true;
    }
}
