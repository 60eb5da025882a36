package dev.proxima.tensor;

import dev.proxima.tensor.internal.Backends;
import dev.proxima.tensor.internal.Elements;
import dev.proxima.tensor.spi.Backend;
import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.ReduceOp;
import dev.proxima.tensor.spi.SoftmaxOp;
import dev.proxima.tensor.spi.Storage;
import dev.proxima.tensor.spi.StridedView;
import dev.proxima.tensor.spi.UnaryOp;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional array of one {@link DType} on one {@link Device}, in off-heap memory accounted by
 * {@link Memory}.
 *
 * <h2>Semantics</h2>
 * Operations follow NumPy: broadcasting of shapes, type promotion as documented on {@link DType},
 * reductions over any set of axes with or without kept dimensions, and {@code matmul} with
 * NumPy's rules for 1-D operands and broadcast batch dimensions. Every operation returns a new tensor;
 * no operation modifies its inputs.
 *
 * <h2>Views</h2>
 * {@link #reshape}, {@link #transpose}, {@link #permute}, {@link #slice}, {@link #select},
 * {@link #broadcastTo}, {@link #squeeze} and {@link #unsqueeze} return views that share memory with
 * their source (reshape copies only when no view can express the new shape). Views of views are fine;
 * any op accepts non-contiguous input, and matrix operands reach BLAS as transpose flags rather than copies.
 *
 * <h2>Devices</h2>
 * A tensor lives on one {@link Device}; {@link #to(Device)} copies it (differentiably). Operations
 * run on their operands' device and return results there; operands on different devices are an error
 * ({@link IllegalArgumentException} naming both), except that a 0-d host tensor acts as a scalar in
 * elementwise operations ({@link #add(Tensor)}, {@link #where}, …) on any device, as in PyTorch.
 * Operations the device's backend has no kernel for (gather, scatter, sort, scans, convolution, FFT,
 * linear algebra…) copy the operands to the host, run the CPU kernel and copy the results back; reading
 * values ({@link #item()}, {@link #toDoubleArray()}, {@link #toString()}) copies to the host too.
 *
 * <h2>Lifetimes</h2>
 * Each tensor is a handle holding one reference to its memory; the memory is freed when every handle
 * sharing it is closed. A tensor created while a {@link Scope} is open belongs to that scope; otherwise
 * the caller must {@link #close()} it. Using a closed tensor throws {@link IllegalStateException}.
 * Tensors may be read from several threads; closing one while another thread uses it is an error.
 *
 * {@snippet :
 * try (Scope scope = Scope.open()) {
 *     Tensor x = Tensor.arange(0, 6, 1, DType.F32).reshape(2, 3);
 *     Tensor y = x.mul(x).sum(1);            // [5, 50]
 *     Tensor z = x.matmul(x.transpose());     // 2x2, via BLAS with a transpose flag
 *     System.out.println(y);
 * }
 * }
 */
public final class Tensor implements AutoCloseable {

    private final Storage storage;
    private final Backend backend;
    private final DType dtype;
    private final long[] shape;
    private final long[] strides;
    private final long offset;
    private boolean closed;
    /** The scope that owns this handle, or null. Maintained by {@link Scope}. */
    Scope owner;
    /** The recorded operation that produced this tensor (a non-leaf of the autodiff graph), or null. */
    GradNode gradFn;
    /** The gradient accumulator of a leaf that requires grad, or null. */
    GradNode.Leaf leaf;

    /** Wraps storage the new tensor takes over (no retain); registers with the current scope. */
    private Tensor(Storage storage, Backend backend, DType dtype, long[] shape, long[] strides, long offset, boolean scoped) {
        this.storage = storage;
        this.backend = backend;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        if (scoped) {
            Scope s = Scope.current();
            if (s != null) {
                s.adopt(this);
            }
        }
    }

    // =================================================================== factories

    /** A fresh contiguous tensor with uninitialised contents. */
    private static Tensor allocate(DType dtype, long[] shape, Device device, boolean scoped) {
        long[] checked = Shapes.checkShape(shape);
        Backend backend = Backends.of(device);
        long bytes = Math.multiplyExact(Shapes.size(checked), (long) dtype.byteSize());
        Storage storage = backend.allocate(device, bytes);
        return new Tensor(storage, backend, dtype, checked, Shapes.contiguousStrides(checked), 0, scoped);
    }

    /**
     * A contiguous host tensor with uninitialised contents, owned by the current scope: for kernels in
     * this package (such as {@link Fft}) that write every element.
     */
    static Tensor uninitialized(DType dtype, long... shape) {
        return allocate(dtype, shape, Device.CPU, true);
    }

    /**
     * A contiguous row-major tensor over existing storage, without copying: for zero-copy interchange
     * (an Arrow buffer read from an IPC file, a memory-mapped file). Element {@code 0} is the first
     * byte of the storage; the storage may be larger than the tensor needs.
     *
     * <p>The tensor takes over one reference the caller holds on {@code storage} (closing the tensor
     * releases it), and registers with the current {@link Scope} like any new tensor. If this method
     * throws, the reference stays with the caller.
     *
     * @param storage memory on some device; its backend must be available
     * @param dtype   element type
     * @param shape   extent of each dimension
     * @throws IllegalArgumentException if a dimension is negative, no backend serves the storage's
     *                                  device, or the storage holds fewer than
     *                                  {@code prod(shape) * dtype.byteSize()} bytes
     * @throws IllegalStateException    if the storage has already been freed
     */
    public static Tensor wrap(Storage storage, DType dtype, long... shape) {
        long[] checked = Shapes.checkShape(shape);
        if (storage.isReleased()) {
            throw new IllegalStateException("cannot wrap storage that has been freed");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Shapes.size(checked), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + Shapes.str(checked) + " of " + dtype + " needs more than 2^63 bytes");
        }
        if (storage.byteSize() < bytes) {
            throw new IllegalArgumentException("storage of " + storage.byteSize() + " bytes is too small for " + dtype
                    + Shapes.str(checked) + " (" + bytes + " bytes)");
        }
        Backend backend = Backends.of(storage.device());
        return new Tensor(storage, backend, dtype, checked, Shapes.contiguousStrides(checked), 0, true);
    }

    /**
     * A tensor of the given shape filled with {@code value} (converted to {@code dtype}).
     *
     * @throws IllegalArgumentException if a dimension is negative
     */
    public static Tensor full(double value, DType dtype, long... shape) {
        Tensor t = allocate(dtype, shape, Device.CPU, true);
        t.backend.fill(t.view(), value);
        return t;
    }

    /**
     * A tensor of the given shape on {@code device}, filled with {@code value} (converted to {@code dtype}),
     * like PyTorch's {@code torch.full(shape, value, device=device)}.
     *
     * @throws IllegalArgumentException if a dimension is negative or no backend serves {@code device}
     */
    public static Tensor full(double value, DType dtype, Device device, long... shape) {
        Tensor t = allocate(dtype, shape, device, true);
        t.backend.fill(t.view(), value);
        return t;
    }

    /** A tensor of zeros. */
    public static Tensor zeros(DType dtype, long... shape) {
        return full(0, dtype, shape);
    }

    /** A tensor of zeros on {@code device}. */
    public static Tensor zeros(DType dtype, Device device, long... shape) {
        return full(0, dtype, device, shape);
    }

    /** A tensor of ones. */
    public static Tensor ones(DType dtype, long... shape) {
        return full(1, dtype, shape);
    }

    /** A tensor of ones on {@code device}. */
    public static Tensor ones(DType dtype, Device device, long... shape) {
        return full(1, dtype, device, shape);
    }

    /** A 0-d tensor holding {@code value}. */
    public static Tensor scalar(double value, DType dtype) {
        return full(value, dtype);
    }

    /** A 0-d tensor holding {@code value} on {@code device}. */
    public static Tensor scalar(double value, DType dtype, Device device) {
        return full(value, dtype, device);
    }

    /**
     * Evenly spaced values {@code start, start+step, …} below {@code end} (above, for a negative step),
     * like {@code numpy.arange}: the length is {@code ceil((end − start) / step)}.
     *
     * @throws IllegalArgumentException if {@code step} is 0 or not finite
     */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0 || !Double.isFinite(step) || !Double.isFinite(start) || !Double.isFinite(end)) {
            throw new IllegalArgumentException("arange needs finite start/end and a finite non-zero step, got "
                    + start + ", " + end + ", " + step);
        }
        long n = (long) Math.max(0, Math.ceil((end - start) / step));
        Tensor t = allocate(dtype, new long[]{n}, Device.CPU, true);
        t.backend.iota(t.view(), start, step);
        return t;
    }

    /** {@code 0, 1, …, n−1} as I64. */
    public static Tensor arange(long n) {
        return arange(0, n, 1, DType.I64);
    }

    /**
     * {@code num} evenly spaced values from {@code start} to {@code stop} inclusive, like
     * {@code numpy.linspace}.
     */
    public static Tensor linspace(double start, double stop, long num, DType dtype) {
        if (num < 0) {
            throw new IllegalArgumentException("linspace needs num >= 0, got " + num);
        }
        double step = num > 1 ? (stop - start) / (num - 1) : 0;
        Tensor t = allocate(dtype, new long[]{num}, Device.CPU, true);
        t.backend.iota(t.view(), start, step);
        if (num > 1) {
            Elements.setDouble(t.storage.segment(), dtype, num - 1, stop);
        }
        return t;
    }

    /** The n×n identity matrix. */
    public static Tensor eye(long n, DType dtype) {
        Tensor t = zeros(dtype, n, n);
        MemorySegment s = t.storage.segment();
        for (long i = 0; i < n; i++) {
            Elements.setDouble(s, dtype, i * (n + 1), 1);
        }
        return t;
    }

    /** A 1-D F32 tensor. */
    public static Tensor of(float... values) {
        Tensor t = allocate(DType.F32, new long[]{values.length}, Device.CPU, true);
        MemorySegment.copy(values, 0, t.storage.segment(), DType.F32.layout(), 0, values.length);
        return t;
    }

    /** A 1-D F64 tensor. */
    public static Tensor of(double... values) {
        Tensor t = allocate(DType.F64, new long[]{values.length}, Device.CPU, true);
        MemorySegment.copy(values, 0, t.storage.segment(), DType.F64.layout(), 0, values.length);
        return t;
    }

    /** A 1-D I32 tensor. */
    public static Tensor of(int... values) {
        Tensor t = allocate(DType.I32, new long[]{values.length}, Device.CPU, true);
        MemorySegment.copy(values, 0, t.storage.segment(), DType.I32.layout(), 0, values.length);
        return t;
    }

    /** A 1-D I64 tensor. */
    public static Tensor of(long... values) {
        Tensor t = allocate(DType.I64, new long[]{values.length}, Device.CPU, true);
        MemorySegment.copy(values, 0, t.storage.segment(), DType.I64.layout(), 0, values.length);
        return t;
    }

    /** A 1-D BOOL tensor. */
    public static Tensor of(boolean... values) {
        Tensor t = allocate(DType.BOOL, new long[]{values.length}, Device.CPU, true);
        MemorySegment s = t.storage.segment();
        for (int i = 0; i < values.length; i++) {
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (values[i] ? 1 : 0));
        }
        return t;
    }

    /**
     * A tensor from a rectangular nested Java array, e.g. {@code new double[][]{{1, 2}, {3, 4}}}. The
     * dtype follows the element type: float → F32, double → F64, int → I32, long → I64, byte → I8,
     * boolean → BOOL.
     *
     * @throws IllegalArgumentException if the array is ragged or its element type is not one of those
     */
    public static Tensor fromArray(Object array) {
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
        Tensor t = allocate(dtype, shape, Device.CPU, true);
        try {
            long[] cursor = {0};
            fill(t.storage.segment(), dtype, array, shape, 0, cursor);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    private static void fill(MemorySegment s, DType dtype, Object a, long[] shape, int depth, long[] cursor) {
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
                        Elements.setLong(s, dtype, at + i, b[i] ? 1 : 0);
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

    // =================================================================== properties

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** The extent of each dimension (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    /** The step, in elements, of each dimension (a copy). */
    public long[] strides() {
        return strides.clone();
    }

    /** The extent of dimension {@code axis} (negative counts from the end). */
    public long dim(int axis) {
        return shape[Shapes.axis(axis, shape.length)];
    }

    /** The number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** The number of elements. */
    public long size() {
        return Shapes.size(shape);
    }

    /** The device holding the memory. */
    public Device device() {
        return storage.device();
    }

    /** True if elements are dense in row-major order. */
    public boolean isContiguous() {
        return view().isContiguous();
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * What kernels see: storage, dtype, shape, strides and offset.
     *
     * @throws IllegalStateException if the tensor is closed
     */
    public StridedView view() {
        live();
        return new StridedView(storage, dtype, shape, strides, offset);
    }

    /** Scopes the segments {@link #segment()} hands out; created by its first call, closed by {@link #close()}. */
    private volatile java.lang.foreign.Arena segmentArena;

    /**
     * The host memory of this tensor's elements (from element (0, …, 0) to the last one), valid until the
     * tensor is closed: the segment belongs to this handle, so touching it after {@link #close()} throws
     * {@link IllegalStateException} instead of reading freed memory. For interchange with native code. Only
     * host tensors have one: the storage of a device tensor throws (copy with {@code to(Device.CPU)} first).
     */
    public MemorySegment segment() {
        live();
        long bytes = 0;
        if (size() > 0) {
            long last = 0;
            for (int d = 0; d < shape.length; d++) {
                last += (shape[d] - 1) * strides[d];
            }
            bytes = (last + 1) * dtype.byteSize();
        }
        MemorySegment elements = storage.segment().asSlice(offset * dtype.byteSize(), bytes);
        java.lang.foreign.Arena arena = segmentArena;
        if (arena == null) {
            synchronized (this) {
                if (segmentArena == null) {
                    segmentArena = java.lang.foreign.Arena.ofShared();
                }
                arena = segmentArena;
            }
        }
        return elements.reinterpret(arena, null);
    }

    String describe() {
        return dtype + Shapes.str(shape) + (closed ? " (closed)" : "");
    }

    private void live() {
        if (closed) {
            throw new IllegalStateException("tensor " + dtype + Shapes.str(shape) + " is closed");
        }
    }

    // =================================================================== element access

    /**
     * The single element of a tensor with one element, as a double. For a tensor on another device the
     * element is copied to the host first.
     */
    public double item() {
        live();
        if (size() != 1) {
            throw new IllegalArgumentException("item() needs a tensor with exactly one element, got shape " + Shapes.str(shape));
        }
        if (onHost()) {
            return Elements.getDouble(storage.segment(), dtype, offset);
        }
        try (Tensor h = hostElement(offset)) {
            return Elements.getDouble(h.storage.segment(), dtype, 0);
        }
    }

    /**
     * Element at {@code index} (one index per dimension, negatives count from the end), as a double. For a
     * tensor on another device the element is copied to the host first.
     */
    public double getDouble(long... index) {
        long at = elementIndex(index);
        if (onHost()) {
            return Elements.getDouble(storage.segment(), dtype, at);
        }
        try (Tensor h = hostElement(at)) {
            return Elements.getDouble(h.storage.segment(), dtype, 0);
        }
    }

    /** Element at {@code index}, as a long (floats truncate); copied to the host first for a device tensor. */
    public long getLong(long... index) {
        long at = elementIndex(index);
        if (onHost()) {
            return Elements.getLong(storage.segment(), dtype, at);
        }
        try (Tensor h = hostElement(at)) {
            return Elements.getLong(h.storage.segment(), dtype, 0);
        }
    }

    /** True if the memory is host memory the CPU kernels and element accessors can read. */
    private boolean onHost() {
        return storage.device().equals(Device.CPU);
    }

    /** An unscoped 0-d host tensor holding the element at storage index {@code at} of this device tensor. */
    private Tensor hostElement(long at) {
        Tensor h = allocate(dtype, new long[0], Device.CPU, false);
        try {
            transfer(new StridedView(storage, dtype, new long[0], new long[0], at), h.view());
        } catch (RuntimeException e) {
            h.close();
            throw e;
        }
        return h;
    }

    /**
     * An unscoped contiguous host tensor of type {@code target} with this tensor's elements (this tensor's
     * own memory when it is already such a host tensor), for reading values; the caller closes it.
     */
    private Tensor hostCopy(DType target) {
        if (onHost()) {
            return cast(target, false);
        }
        try (Tensor dense = cast(target, false)) {
            Tensor h = allocate(target, shape, Device.CPU, false);
            try {
                transfer(dense.view(), h.view());
            } catch (RuntimeException e) {
                h.close();
                throw e;
            }
            return h;
        }
    }

    /**
     * dst := src for views on different devices (or the same one): the copy is done by the backend of the
     * device side, since only it can reach its memory; between two devices of different kinds the elements
     * pass through a host buffer.
     */
    private static void transfer(StridedView src, StridedView dst) {
        Device from = src.storage().device();
        Device to = dst.storage().device();
        if (from.equals(Device.CPU)) {
            Backends.of(to).copy(src, dst);
        } else if (to.equals(Device.CPU) || from.kind().equals(to.kind())) {
            Backends.of(from).copy(src, dst);
        } else {
            Storage tmp = Backends.of(Device.CPU).allocate(Device.CPU, Math.multiplyExact(src.size(), (long) src.dtype().byteSize()));
            try {
                StridedView h = new StridedView(tmp, src.dtype(), src.shape(), Shapes.contiguousStrides(src.shape()), 0);
                Backends.of(from).copy(src, h);
                Backends.of(to).copy(h, dst);
            } finally {
                tmp.release();
            }
        }
    }

    private long elementIndex(long[] index) {
        live();
        if (index.length != shape.length) {
            throw new IllegalArgumentException("expected " + shape.length + " indices for shape " + Shapes.str(shape)
                    + ", got " + index.length);
        }
        long at = offset;
        for (int d = 0; d < index.length; d++) {
            long i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if (i < 0 || i >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + index[d] + " is out of bounds for dimension " + d
                        + " of shape " + Shapes.str(shape));
            }
            at += i * strides[d];
        }
        return at;
    }

    /**
     * The elements in row-major order as floats (converted if needed). This and the other {@code toXArray}
     * methods copy a tensor on another device to the host first.
     */
    public float[] toFloatArray() {
        try (Tensor c = hostCopy(DType.F32)) {
            float[] out = new float[javaLength()];
            MemorySegment.copy(c.storage.segment(), DType.F32.layout(), c.offset * 4, out, 0, out.length);
            return out;
        }
    }

    /** The elements in row-major order as doubles. */
    public double[] toDoubleArray() {
        try (Tensor c = hostCopy(DType.F64)) {
            double[] out = new double[javaLength()];
            MemorySegment.copy(c.storage.segment(), DType.F64.layout(), c.offset * 8, out, 0, out.length);
            return out;
        }
    }

    /** The elements in row-major order as ints. */
    public int[] toIntArray() {
        try (Tensor c = hostCopy(DType.I32)) {
            int[] out = new int[javaLength()];
            MemorySegment.copy(c.storage.segment(), DType.I32.layout(), c.offset * 4, out, 0, out.length);
            return out;
        }
    }

    /** The elements in row-major order as longs. */
    public long[] toLongArray() {
        try (Tensor c = hostCopy(DType.I64)) {
            long[] out = new long[javaLength()];
            MemorySegment.copy(c.storage.segment(), DType.I64.layout(), c.offset * 8, out, 0, out.length);
            return out;
        }
    }

    /** The elements in row-major order as booleans ({@code value != 0}). */
    public boolean[] toBooleanArray() {
        try (Tensor c = hostCopy(DType.BOOL)) {
            boolean[] out = new boolean[javaLength()];
            MemorySegment s = c.storage.segment();
            for (int i = 0; i < out.length; i++) {
                out[i] = s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, c.offset + i) != 0;
            }
            return out;
        }
    }

    private int javaLength() {
        long n = size();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor of shape " + Shapes.str(shape) + " has too many elements for a Java array");
        }
        return (int) n;
    }

    // =================================================================== copies and conversions

    /** A contiguous copy converted to {@code target} (see {@link DType} for the conversion rules). */
    public Tensor cast(DType target) {
        return cast(target, true);
    }

    /** A contiguous tensor of {@code target} type: this one's storage if already so, else a copy. */
    private Tensor cast(DType target, boolean scoped) {
        live();
        if (!scoped && target == dtype && isContiguous()) {
            return alias();
        }
        Tensor out = allocate(target, shape, device(), scoped);
        backend.copy(view(), out.view());
        if (dtype.isFloating() && target.isFloating()) {
            DType from = dtype;
            record(out, "cast", new Tensor[]{this}, new Tensor[0], (g, s, needs) -> new Tensor[]{g.cast(from)});
        }
        return out;
    }

    /** An unscoped handle on the same memory that is the same tensor for autodiff (shares its graph links). */
    Tensor alias() {
        storage.retain();
        Tensor t = new Tensor(storage, backend, dtype, shape, strides, offset, false);
        if (gradFn != null) {
            gradFn.retain();
            t.gradFn = gradFn;
        }
        if (leaf != null) {
            leaf.retain();
            t.leaf = leaf;
        }
        return t;
    }

    /** A contiguous copy with its own memory. */
    public Tensor copy() {
        return cast(dtype, true);
    }

    /** This tensor if it is already contiguous (as a new handle on the same memory), else a contiguous copy. */
    public Tensor contiguous() {
        live();
        if (isContiguous()) {
            return recordView(share(shape, strides, offset), "contiguous", g -> g);
        }
        return copy();
    }

    /**
     * This tensor on {@code device}: a new handle on the same memory if it is already there, else a copy.
     * The copy is differentiable: the gradient flows back to this tensor's device.
     *
     * @throws IllegalArgumentException if no backend serves {@code device}
     */
    public Tensor to(Device target) {
        live();
        if (target.equals(device())) {
            return recordView(share(shape, strides, offset), "to", g -> g);
        }
        Backends.of(target);
        try (Tensor dense = cast(dtype, false)) {
            Tensor out = allocate(dtype, shape, target, true);
            try {
                transfer(dense.view(), out.view());
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
            Device from = device();
            return record(out, "to", new Tensor[]{this}, new Tensor[0], (g, s, needs) -> new Tensor[]{g.to(from)});
        }
    }

    /** {@code t} itself if it is on {@code device}, else a copy there (for index tensors made on the host). */
    private static Tensor onDevice(Tensor t, Device device) {
        return t.device().equals(device) ? t : t.to(device);
    }

    /** A new handle on this tensor's memory with another geometry. */
    private Tensor share(long[] newShape, long[] newStrides, long newOffset) {
        storage.retain();
        return new Tensor(storage, backend, dtype, newShape, newStrides, newOffset, true);
    }

    // =================================================================== views

    /**
     * This tensor with a new shape of the same size; one dimension may be −1 (inferred). A view when
     * the memory layout allows it, else a copy.
     *
     * @throws ShapeMismatchException if the sizes differ
     */
    public Tensor reshape(long... newShape) {
        live();
        long[] target = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int d = 0; d < target.length; d++) {
            if (target[d] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: only one dimension can be -1, got " + Shapes.str(newShape));
                }
                infer = d;
            } else if (target[d] < 0) {
                throw new IllegalArgumentException("reshape: invalid dimension " + target[d] + " in " + Shapes.str(newShape));
            } else {
                known *= target[d];
            }
        }
        long n = size();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new ShapeMismatchException("reshape: cannot reshape " + Shapes.str(shape) + " (" + n + " elements) into " + Shapes.str(newShape));
            }
            target[infer] = n / known;
        } else if (known != n) {
            throw new ShapeMismatchException("reshape: cannot reshape " + Shapes.str(shape) + " (" + n + " elements) into "
                    + Shapes.str(newShape) + " (" + known + " elements)");
        }
        long[] viewStrides = Shapes.viewStrides(shape, strides, target);
        long[] from = shape;
        Tensor out;
        if (viewStrides != null) {
            out = share(target, viewStrides, offset);
        } else {
            try (Tensor dense = cast(dtype, false)) {
                out = dense.share(target, Shapes.contiguousStrides(target), dense.offset);
            }
        }
        return recordView(out, "reshape", g -> g.reshape(from));
    }

    /** The view with dimensions reordered: dimension {@code i} of the result is {@code axes[i]} of this one. */
    public Tensor permute(int... axes) {
        live();
        if (axes.length != shape.length) {
            throw new IllegalArgumentException("permute: expected " + shape.length + " axes for shape " + Shapes.str(shape)
                    + ", got " + Arrays.toString(axes));
        }
        long[] s = new long[axes.length];
        long[] st = new long[axes.length];
        boolean[] seen = new boolean[axes.length];
        for (int i = 0; i < axes.length; i++) {
            int a = Shapes.axis(axes[i], shape.length);
            if (seen[a]) {
                throw new IllegalArgumentException("permute: axis " + a + " repeated in " + Arrays.toString(axes));
            }
            seen[a] = true;
            s[i] = shape[a];
            st[i] = strides[a];
        }
        int[] inverse = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            inverse[Shapes.axis(axes[i], shape.length)] = i;
        }
        return recordView(share(s, st, offset), "permute", g -> g.permute(inverse));
    }

    /** The view with two dimensions swapped. */
    public Tensor transpose(int axis0, int axis1) {
        int[] axes = new int[shape.length];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        int a = Shapes.axis(axis0, shape.length);
        int b = Shapes.axis(axis1, shape.length);
        axes[a] = b;
        axes[b] = a;
        return permute(axes);
    }

    /** The view with all dimensions reversed (the matrix transpose for 2-D), like NumPy's {@code .T}. */
    public Tensor transpose() {
        int[] axes = new int[shape.length];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = shape.length - 1 - i;
        }
        return permute(axes);
    }

    /**
     * Elements {@code start, start+step, …} below {@code end} along {@code axis}, as a view, with Python's
     * slice rules: negative positions count from the end and out-of-range positions are clamped.
     *
     * @throws IllegalArgumentException if {@code step < 1}
     */
    public Tensor slice(int axis, long start, long end, long step) {
        live();
        int a = Shapes.axis(axis, shape.length);
        if (step < 1) {
            throw new IllegalArgumentException("slice step must be >= 1, got " + step);
        }
        long n = shape[a];
        long s = Math.clamp(start < 0 ? start + n : start, 0, n);
        long e = Math.clamp(end < 0 ? end + n : end, 0, n);
        long len = e > s ? (e - s + step - 1) / step : 0;
        long[] sh = shape.clone();
        long[] st = strides.clone();
        sh[a] = len;
        st[a] = strides[a] * step;
        Tensor out = share(sh, st, len == 0 ? offset : offset + s * strides[a]);
        return recordView(out, "slice", g -> embed(g, shape, v -> v.slice(axis, start, end, step)));
    }

    /** The view at {@code index} along {@code axis}, which is removed (NumPy's {@code a[i]} for axis 0). */
    public Tensor select(int axis, long index) {
        live();
        int a = Shapes.axis(axis, shape.length);
        long i = index < 0 ? index + shape[a] : index;
        if (i < 0 || i >= shape[a]) {
            throw new IndexOutOfBoundsException("index " + index + " is out of bounds for axis " + a + " of shape " + Shapes.str(shape));
        }
        long[] sh = new long[shape.length - 1];
        long[] st = new long[shape.length - 1];
        for (int d = 0, k = 0; d < shape.length; d++) {
            if (d != a) {
                sh[k] = shape[d];
                st[k++] = strides[d];
            }
        }
        return recordView(share(sh, st, offset + i * strides[a]), "select", g -> embed(g, shape, v -> v.select(axis, index)));
    }

    /**
     * The view repeated (stride 0) along dimensions of extent 1, and along new leading dimensions, to
     * reach {@code target} (NumPy's {@code broadcast_to}; PyTorch's {@code expand}). A target dimension of
     * −1 keeps this tensor's extent.
     *
     * @throws ShapeMismatchException if a dimension is neither equal nor 1
     */
    public Tensor broadcastTo(long... target) {
        live();
        int r = target.length;
        if (r < shape.length) {
            throw new ShapeMismatchException("broadcastTo: cannot broadcast " + Shapes.str(shape) + " to fewer dimensions " + Shapes.str(target));
        }
        long[] sh = new long[r];
        long[] st = new long[r];
        int lead = r - shape.length;
        for (int d = 0; d < r; d++) {
            long want = target[d];
            if (d < lead) {
                if (want < 0) {
                    throw new ShapeMismatchException("broadcastTo: -1 is not allowed for the new leading dimension " + d + " of " + Shapes.str(target));
                }
                sh[d] = want;
                st[d] = 0;
                continue;
            }
            long have = shape[d - lead];
            if (want == -1 || want == have) {
                sh[d] = have;
                st[d] = strides[d - lead];
            } else if (have == 1 && want >= 0) {
                sh[d] = want;
                st[d] = 0;
            } else {
                throw new ShapeMismatchException("broadcastTo: cannot broadcast " + Shapes.str(shape) + " to " + Shapes.str(target));
            }
        }
        long[] from = shape;
        return recordView(share(sh, st, offset), "broadcastTo", g -> Derivatives.sumTo(g, from));
    }

    /** The view without the given dimensions of extent 1 (all of them if none is given). */
    public Tensor squeeze(int... axes) {
        live();
        boolean[] drop = new boolean[shape.length];
        if (axes.length == 0) {
            for (int d = 0; d < shape.length; d++) {
                drop[d] = shape[d] == 1;
            }
        } else {
            for (int a : axes) {
                int d = Shapes.axis(a, shape.length);
                if (shape[d] != 1) {
                    throw new ShapeMismatchException("squeeze: dimension " + d + " of " + Shapes.str(shape) + " has extent " + shape[d] + ", not 1");
                }
                drop[d] = true;
            }
        }
        int keep = 0;
        for (boolean b : drop) {
            keep += b ? 0 : 1;
        }
        long[] sh = new long[keep];
        long[] st = new long[keep];
        for (int d = 0, k = 0; d < shape.length; d++) {
            if (!drop[d]) {
                sh[k] = shape[d];
                st[k++] = strides[d];
            }
        }
        long[] from = shape;
        return recordView(share(sh, st, offset), "squeeze", g -> g.reshape(from));
    }

    /** The view with a new dimension of extent 1 at {@code axis} (−1 appends). */
    public Tensor unsqueeze(int axis) {
        live();
        int a = Shapes.axis(axis, shape.length + 1);
        long[] sh = new long[shape.length + 1];
        long[] st = new long[shape.length + 1];
        for (int d = 0, k = 0; d < sh.length; d++) {
            if (d == a) {
                sh[d] = 1;
                st[d] = a < shape.length ? strides[a] * shape[a] : 1;
            } else {
                sh[d] = shape[k];
                st[d] = strides[k++];
            }
        }
        long[] from = shape;
        return recordView(share(sh, st, offset), "unsqueeze", g -> g.reshape(from));
    }

    // =================================================================== elementwise

    private Tensor unary(UnaryOp op, DType compute) {
        live();
        if (compute.isHalf()) {
            try (Tensor wide = cast(DType.F32, false)) {
                Tensor r = wide.unary(op, DType.F32);
                return op == UnaryOp.NOT ? r : r.convertAndClose(compute);
            }
        }
        try (Tensor in = compute == dtype ? null : cast(compute, false)) {
            Tensor src = in == null ? this : in;
            Tensor out = allocate(op == UnaryOp.NOT ? DType.BOOL : compute, shape, device(), true);
            backend.unary(op, src.view(), out.view());
            if (compute.isFloating() && op != UnaryOp.NOT && op != UnaryOp.SIGN) {
                record(out, op.name().toLowerCase(), new Tensor[]{src}, new Tensor[]{src}, Derivatives.unary(op));
            }
            return out;
        }
    }

    private Tensor unaryFloat(UnaryOp op) {
        return unary(op, DType.floating(dtype));
    }

    private Tensor unarySigned(UnaryOp op) {
        if (dtype == DType.BOOL) {
            throw new DTypeMismatchException(op.name().toLowerCase() + " is not defined for BOOL tensors; cast first");
        }
        return unary(op, dtype);
    }

    /** −x. */
    public Tensor neg() {
        return unarySigned(UnaryOp.NEG);
    }

    /** |x|. */
    public Tensor abs() {
        return unarySigned(UnaryOp.ABS);
    }

    /** −1, 0 or 1 by the sign of x (NaN stays NaN). */
    public Tensor sign() {
        return unarySigned(UnaryOp.SIGN);
    }

    /** x² (same dtype). */
    public Tensor square() {
        return unarySigned(UnaryOp.SQUARE);
    }

    /** eˣ (integers give F64). */
    public Tensor exp() {
        return unaryFloat(UnaryOp.EXP);
    }

    /** Natural logarithm (integers give F64). */
    public Tensor log() {
        return unaryFloat(UnaryOp.LOG);
    }

    /** Square root (integers give F64). */
    public Tensor sqrt() {
        return unaryFloat(UnaryOp.SQRT);
    }

    /** Hyperbolic tangent (integers give F64). */
    public Tensor tanh() {
        return unaryFloat(UnaryOp.TANH);
    }

    /** Sine (integers give F64). */
    public Tensor sin() {
        return unaryFloat(UnaryOp.SIN);
    }

    /** Cosine (integers give F64). */
    public Tensor cos() {
        return unaryFloat(UnaryOp.COS);
    }

    /** The logistic function 1 / (1 + e⁻ˣ) (integers give F64). */
    public Tensor sigmoid() {
        return unaryFloat(UnaryOp.SIGMOID);
    }

    /** 1 / x (integers give F64). */
    public Tensor reciprocal() {
        return unaryFloat(UnaryOp.RECIPROCAL);
    }

    /** The error function erf x = (2/√π)∫₀ˣ e^{−t²} dt, to about 1e−15 relative (integers give F64). */
    public Tensor erf() {
        return unaryFloat(UnaryOp.ERF);
    }

    /** Logical not: BOOL, true where x == 0. */
    public Tensor logicalNot() {
        return unary(UnaryOp.NOT, dtype);
    }

    private Tensor binary(BinaryOp op, Tensor other) {
        live();
        other.live();
        if (!other.device().equals(device())) {
            Device dev = elementwiseDevice(op.name().toLowerCase(), this, other);
            try (Scope scope = Scope.open()) {
                return scope.keep(onDevice(this, dev).binary(op, onDevice(other, dev)));
            }
        }
        DType compute = DType.promote(dtype, other.dtype);
        if (op == BinaryOp.DIV) {
            compute = DType.floating(compute);
        }
        if (compute == DType.BOOL && (op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL || op == BinaryOp.POW)) {
            throw new DTypeMismatchException(op.name().toLowerCase() + " is not defined for two BOOL tensors; cast to an integer type first");
        }
        long[] outShape = Shapes.broadcast(op.name().toLowerCase(), shape, other.shape);
        if (compute.isHalf()) {
            try (Tensor a = cast(DType.F32, false); Tensor b = other.cast(DType.F32, false)) {
                Tensor r = a.binary(op, b);
                return op.isComparison() ? r : r.convertAndClose(compute);
            }
        }
        DType outType = op.isComparison() ? DType.BOOL : compute;
        try (Tensor a = compute == dtype ? null : cast(compute, false);
             Tensor b = compute == other.dtype ? null : other.cast(compute, false)) {
            Tensor x = a == null ? this : a;
            Tensor y = b == null ? other : b;
            Tensor out = allocate(outType, outShape, device(), true);
            try {
                backend.binary(op, x.broadcastView(outShape), y.broadcastView(outShape), out.view());
            } catch (RuntimeException e) {
                out.close(); // e.g. an integer power with a negative exponent: do not leak the output
                throw e;
            }
            if (outType.isFloating()) {
                record(out, op.name().toLowerCase(), new Tensor[]{x, y}, new Tensor[]{x, y}, Derivatives.binary(op));
            }
            return out;
        }
    }

    private Tensor binary(BinaryOp op, double scalar) {
        live();
        if (dtype.isHalf()) {
            // the scalar joins the F32 computation unrounded; only the result is stored in half precision
            try (Tensor wide = cast(DType.F32, false)) {
                Tensor r = wide.binary(op, scalar);
                return op.isComparison() ? r : r.convertAndClose(dtype);
            }
        }
        DType t = DType.promoteScalar(dtype, scalar);
        try (Tensor s = allocate(t, new long[0], device(), false)) {
            backend.fill(s.view(), scalar);
            return binary(op, s);
        }
    }

    /**
     * The device an elementwise operation runs on: the operands' common device, where a 0-d host tensor
     * counts as a scalar that joins any device (PyTorch's rule for CPU scalars). Any other mix of devices
     * is an error.
     *
     * @throws IllegalArgumentException naming both devices if two operands are on different devices
     */
    private static Device elementwiseDevice(String op, Tensor... operands) {
        Device device = null;
        for (Tensor t : operands) {
            Device d = t.device();
            if (t.shape.length == 0 && d.equals(Device.CPU)) {
                continue;
            }
            if (device == null) {
                device = d;
            } else if (!device.equals(d)) {
                throw new IllegalArgumentException(op + ": tensors are on different devices: " + device + " and " + d
                        + "; move them to one device with to(Device)");
            }
        }
        return device == null ? Device.CPU : device;
    }

    /** The view of this tensor broadcast to {@code target} (zero strides), for kernels. */
    private StridedView broadcastView(long[] target) {
        int lead = target.length - shape.length;
        long[] st = new long[target.length];
        for (int d = lead; d < target.length; d++) {
            st[d] = shape[d - lead] == 1 && target[d] != 1 ? 0 : strides[d - lead];
        }
        return new StridedView(storage, dtype, target, st, offset);
    }

    /** this + other, broadcast. */
    public Tensor add(Tensor other) {
        return binary(BinaryOp.ADD, other);
    }

    /** this + scalar. */
    public Tensor add(double scalar) {
        return binary(BinaryOp.ADD, scalar);
    }

    /** this − other, broadcast. */
    public Tensor sub(Tensor other) {
        return binary(BinaryOp.SUB, other);
    }

    /** this − scalar. */
    public Tensor sub(double scalar) {
        return binary(BinaryOp.SUB, scalar);
    }

    /** this · other, elementwise, broadcast. */
    public Tensor mul(Tensor other) {
        return binary(BinaryOp.MUL, other);
    }

    /** this · scalar. */
    public Tensor mul(double scalar) {
        return binary(BinaryOp.MUL, scalar);
    }

    /** this / other: true division (integers give F64), broadcast. */
    public Tensor div(Tensor other) {
        return binary(BinaryOp.DIV, other);
    }

    /** this / scalar. */
    public Tensor div(double scalar) {
        return binary(BinaryOp.DIV, scalar);
    }

    /**
     * this raised to other, broadcast. For integer types the exponent must be non-negative
     * ({@link IllegalArgumentException} otherwise, as in NumPy).
     */
    public Tensor pow(Tensor other) {
        return binary(BinaryOp.POW, other);
    }

    /** this raised to scalar. */
    public Tensor pow(double scalar) {
        return binary(BinaryOp.POW, scalar);
    }

    /** Elementwise minimum (NaN if either is NaN). */
    public Tensor minimum(Tensor other) {
        return binary(BinaryOp.MIN, other);
    }

    /** Elementwise minimum with a scalar. */
    public Tensor minimum(double scalar) {
        return binary(BinaryOp.MIN, scalar);
    }

    /** Elementwise maximum (NaN if either is NaN). */
    public Tensor maximum(Tensor other) {
        return binary(BinaryOp.MAX, other);
    }

    /** Elementwise maximum with a scalar. */
    public Tensor maximum(double scalar) {
        return binary(BinaryOp.MAX, scalar);
    }

    /** BOOL: this == other. */
    public Tensor eq(Tensor other) {
        return binary(BinaryOp.EQ, other);
    }

    /** BOOL: this == scalar. */
    public Tensor eq(double scalar) {
        return binary(BinaryOp.EQ, scalar);
    }

    /** BOOL: this != other. */
    public Tensor ne(Tensor other) {
        return binary(BinaryOp.NE, other);
    }

    /** BOOL: this != scalar. */
    public Tensor ne(double scalar) {
        return binary(BinaryOp.NE, scalar);
    }

    /** BOOL: this &lt; other. */
    public Tensor lt(Tensor other) {
        return binary(BinaryOp.LT, other);
    }

    /** BOOL: this &lt; scalar. */
    public Tensor lt(double scalar) {
        return binary(BinaryOp.LT, scalar);
    }

    /** BOOL: this &lt;= other. */
    public Tensor le(Tensor other) {
        return binary(BinaryOp.LE, other);
    }

    /** BOOL: this &lt;= scalar. */
    public Tensor le(double scalar) {
        return binary(BinaryOp.LE, scalar);
    }

    /** BOOL: this &gt; other. */
    public Tensor gt(Tensor other) {
        return binary(BinaryOp.GT, other);
    }

    /** BOOL: this &gt; scalar. */
    public Tensor gt(double scalar) {
        return binary(BinaryOp.GT, scalar);
    }

    /** BOOL: this &gt;= other. */
    public Tensor ge(Tensor other) {
        return binary(BinaryOp.GE, other);
    }

    /** BOOL: this &gt;= scalar. */
    public Tensor ge(double scalar) {
        return binary(BinaryOp.GE, scalar);
    }

    /** BOOL: both non-zero. */
    public Tensor logicalAnd(Tensor other) {
        return binary(BinaryOp.AND, other);
    }

    /** BOOL: either non-zero. */
    public Tensor logicalOr(Tensor other) {
        return binary(BinaryOp.OR, other);
    }

    /** BOOL: exactly one non-zero. */
    public Tensor logicalXor(Tensor other) {
        return binary(BinaryOp.XOR, other);
    }

    /**
     * this · b + c in one pass with one rounding (fused multiply-add), broadcast; floating types only
     * (integers are computed in F64).
     */
    public Tensor mulAdd(Tensor b, Tensor c) {
        live();
        b.live();
        c.live();
        if (!b.device().equals(device()) || !c.device().equals(device())) {
            Device dev = elementwiseDevice("mulAdd", this, b, c);
            try (Scope scope = Scope.open()) {
                return scope.keep(onDevice(this, dev).mulAdd(onDevice(b, dev), onDevice(c, dev)));
            }
        }
        DType compute = DType.floating(DType.promote(DType.promote(dtype, b.dtype), c.dtype));
        long[] outShape = Shapes.broadcast("mulAdd", Shapes.broadcast("mulAdd", shape, b.shape), c.shape);
        if (compute.isHalf()) {
            try (Tensor x = cast(DType.F32, false); Tensor y = b.cast(DType.F32, false); Tensor z = c.cast(DType.F32, false)) {
                return x.mulAdd(y, z).convertAndClose(compute);
            }
        }
        try (Tensor x = cast(compute, false); Tensor y = b.cast(compute, false); Tensor z = c.cast(compute, false)) {
            Tensor out = allocate(compute, outShape, device(), true);
            backend.mulAdd(x.broadcastView(outShape), y.broadcastView(outShape), z.broadcastView(outShape), out.view());
            record(out, "mulAdd", new Tensor[]{x, y, z}, new Tensor[]{x, y, z}, Derivatives.mulAdd());
            return out;
        }
    }

    /**
     * Elementwise choice: {@code condition ? a : b}, with all three broadcast together. The condition is
     * read as truth values (non-zero); the result type is the promotion of a and b. All three are on one
     * device, except that 0-d host tensors may join operands on another device (see the class comment).
     */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        condition.live();
        a.live();
        b.live();
        if (!condition.device().equals(a.device()) || !b.device().equals(a.device())) {
            Device dev = elementwiseDevice("where", condition, a, b);
            try (Scope scope = Scope.open()) {
                return scope.keep(where(onDevice(condition, dev), onDevice(a, dev), onDevice(b, dev)));
            }
        }
        DType t = DType.promote(a.dtype, b.dtype);
        long[] outShape = Shapes.broadcast("where", Shapes.broadcast("where", condition.shape, a.shape), b.shape);
        try (Tensor c = condition.cast(DType.BOOL, false); Tensor x = a.cast(t, false); Tensor y = b.cast(t, false)) {
            Tensor out = allocate(t, outShape, a.device(), true);
            a.backend.where(c.broadcastView(outShape), x.broadcastView(outShape), y.broadcastView(outShape), out.view());
            if (t.isFloating()) {
                record(out, "where", new Tensor[]{c, x, y}, new Tensor[]{c, x, y}, Derivatives.where());
            }
            return out;
        }
    }

    // =================================================================== reductions

    private Tensor reduce(ReduceOp op, int[] axes, boolean keepDims, DType requested, DType result) {
        live();
        DType compute = requested.kernelType(); // half types are read as F32; the store rounds to the result type
        int[] ax = Shapes.axes(axes, shape.length);
        boolean[] reduced = new boolean[shape.length];
        long count = 1;
        for (int a : ax) {
            reduced[a] = true;
            count *= shape[a];
        }
        if (count == 0 && (op == ReduceOp.MAX || op == ReduceOp.MIN || op == ReduceOp.MAX_ABS || op == ReduceOp.MIN_ABS
                || op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN)) {
            throw new IllegalArgumentException(op.name().toLowerCase() + " of an empty extent has no identity: shape "
                    + Shapes.str(shape) + ", axes " + Arrays.toString(ax));
        }
        long[] kept = new long[shape.length - ax.length];
        long[] keptDims = new long[shape.length];
        for (int d = 0, k = 0; d < shape.length; d++) {
            if (!reduced[d]) {
                kept[k++] = shape[d];
            }
            keptDims[d] = reduced[d] ? 1 : shape[d];
        }
        try (Tensor in = compute == dtype ? null : cast(compute, false)) {
            Tensor src = in == null ? this : in;
            Tensor out = allocate(result, keepDims ? keptDims : kept, device(), true);
            StridedView dst = new StridedView(out.storage, result, kept, Shapes.contiguousStrides(kept), 0);
            backend.reduce(op, src.view(), ax, dst);
            if (result.isFloating() && src.dtype.isFloating()) {
                record(out, op.name().toLowerCase(), new Tensor[]{src}, new Tensor[]{src}, Derivatives.reduce(op, ax, keepDims));
            }
            return out;
        }
    }

    private static DType sumType(DType t) {
        return t.isFloating() ? t : DType.I64;
    }

    /** Sum over {@code axes} (all if none); integers and BOOL sum to I64. */
    public Tensor sum(int... axes) {
        return sum(axes, false);
    }

    /** Sum over {@code axes} (all if empty), keeping reduced dimensions as extent 1 if {@code keepDims}. */
    public Tensor sum(int[] axes, boolean keepDims) {
        return reduce(ReduceOp.SUM, axes, keepDims, dtype, sumType(dtype));
    }

    /** Product over {@code axes} (all if none); integers and BOOL multiply in I64. */
    public Tensor prod(int... axes) {
        return prod(axes, false);
    }

    /** Product over {@code axes}, optionally keeping reduced dimensions. */
    public Tensor prod(int[] axes, boolean keepDims) {
        return reduce(ReduceOp.PROD, axes, keepDims, dtype, sumType(dtype));
    }

    /** Arithmetic mean over {@code axes} (all if none); integers give F64. An empty extent gives NaN. */
    public Tensor mean(int... axes) {
        return mean(axes, false);
    }

    /** Mean over {@code axes}, optionally keeping reduced dimensions. */
    public Tensor mean(int[] axes, boolean keepDims) {
        live();
        int[] ax = Shapes.axes(axes, shape.length);
        long count = 1;
        for (int a : ax) {
            count *= shape[a];
        }
        try (Tensor sum = reduce(ReduceOp.SUM, axes, keepDims, dtype, DType.F64)) {
            scopeForget(sum);
            try (Tensor m = sum.div((double) count)) {
                scopeForget(m);
                return m.cast(DType.floating(dtype));
            }
        }
    }

    /** This tensor converted to {@code target} as a new scoped tensor; this one is closed. */
    private Tensor convertAndClose(DType target) {
        try (Tensor self = this) {
            scopeForget(self);
            return self.cast(target);
        }
    }

    /** Removes {@code t} from its scope: the caller takes ownership. */
    static void disown(Tensor t) {
        scopeForget(t);
    }

    private static void scopeForget(Tensor t) {
        if (t.owner != null) {
            t.owner.forget(t);
            t.owner = null;
        }
    }

    /** Maximum over {@code axes} (all if none); NaN if any element is NaN. */
    public Tensor max(int... axes) {
        return max(axes, false);
    }

    /** Maximum over {@code axes}, optionally keeping reduced dimensions. */
    public Tensor max(int[] axes, boolean keepDims) {
        return reduce(ReduceOp.MAX, axes, keepDims, dtype, dtype);
    }

    /** Minimum over {@code axes} (all if none); NaN if any element is NaN. */
    public Tensor min(int... axes) {
        return min(axes, false);
    }

    /** Minimum over {@code axes}, optionally keeping reduced dimensions. */
    public Tensor min(int[] axes, boolean keepDims) {
        return reduce(ReduceOp.MIN, axes, keepDims, dtype, dtype);
    }

    /** I64 index of the first maximum of the flattened tensor (a NaN counts as the maximum). */
    public Tensor argmax() {
        try (Tensor flat = reshape(-1)) {
            scopeForget(flat);
            return flat.argmax(0, false);
        }
    }

    /** I64 indices of the first maximum along {@code axis}. */
    public Tensor argmax(int axis, boolean keepDims) {
        return reduce(ReduceOp.ARGMAX, new int[]{Shapes.axis(axis, shape.length)}, keepDims, dtype, DType.I64);
    }

    /** I64 index of the first minimum of the flattened tensor (a NaN counts as the minimum). */
    public Tensor argmin() {
        try (Tensor flat = reshape(-1)) {
            scopeForget(flat);
            return flat.argmin(0, false);
        }
    }

    /** I64 indices of the first minimum along {@code axis}. */
    public Tensor argmin(int axis, boolean keepDims) {
        return reduce(ReduceOp.ARGMIN, new int[]{Shapes.axis(axis, shape.length)}, keepDims, dtype, DType.I64);
    }

    /** The Euclidean (L2) norm of all elements. */
    public Tensor norm() {
        return norm(2, new int[0], false);
    }

    /**
     * The vector p-norm over {@code axes} (all if empty), like {@code numpy.linalg.norm} for vectors:
     * {@code ord} = 2 (Euclidean), 1 (sum of |x|), ∞ (max |x|), −∞ (min |x|), 0 (count of non-zeros) or
     * any other p (Σ|x|ᵖ)^(1/p). Integers give F64.
     */
    public Tensor norm(double ord, int[] axes, boolean keepDims) {
        DType f = DType.floating(dtype);
        if (ord == 2) {
            try (Tensor ss = reduce(ReduceOp.SUM_SQUARES, axes, keepDims, f, f)) {
                scopeForget(ss);
                return ss.sqrt();
            }
        }
        if (ord == 1) {
            return reduce(ReduceOp.SUM_ABS, axes, keepDims, f, f);
        }
        if (ord == Double.POSITIVE_INFINITY) {
            return reduce(ReduceOp.MAX_ABS, axes, keepDims, f, f);
        }
        if (ord == Double.NEGATIVE_INFINITY) {
            return reduce(ReduceOp.MIN_ABS, axes, keepDims, f, f);
        }
        if (ord == 0) {
            return reduce(ReduceOp.COUNT_NONZERO, axes, keepDims, f, f);
        }
        if (Double.isNaN(ord)) {
            throw new IllegalArgumentException("norm order must not be NaN");
        }
        // |x|^p in floating point: an integer tensor would wrap (I8: 6^3) or reject p < 0
        try (Tensor x = f == dtype ? null : cast(f, false); Tensor a = (x == null ? this : x).abs();
             Tensor p = a.pow(ord); Tensor s = p.sum(axes, keepDims)) {
            scopeForget(a);
            scopeForget(p);
            scopeForget(s);
            return s.pow(1 / ord);
        }
    }

    // =================================================================== matmul

    /**
     * Matrix product with NumPy's {@code matmul} rules: 2-D × 2-D is the matrix product; a 1-D left
     * operand is a row vector and a 1-D right operand a column vector (the added dimension is removed
     * from the result); higher ranks are stacks of matrices whose batch dimensions broadcast. F32 and
     * F64 (mixed gives F64) through BLAS gemm; transposed views are passed as BLAS transpose flags.
     *
     * @throws ShapeMismatchException if the inner dimensions differ or batch dimensions do not broadcast
     * @throws DTypeMismatchException if an operand is not floating point
     */
    public Tensor matmul(Tensor other) {
        live();
        other.live();
        if (shape.length == 0 || other.shape.length == 0) {
            throw new ShapeMismatchException("matmul: operands must have at least one dimension, got "
                    + Shapes.str(shape) + " and " + Shapes.str(other.shape));
        }
        if (!dtype.isFloating() || !other.dtype.isFloating()) {
            throw new DTypeMismatchException("matmul supports floating types (F32, F64; F16/BF16 accumulated in F32), got "
                    + dtype + " and " + other.dtype + "; cast first");
        }
        if (!other.device().equals(device())) {
            throw new IllegalArgumentException("matmul: tensors are on different devices: " + device() + " and " + other.device());
        }
        DType t = DType.promote(dtype, other.dtype);
        // F16/BF16 operands go to the backend as they are: a GPU multiplies them on tensor cores (F32
        // accumulation), the CPU widens them to F32 for sgemm; either way the result is rounded once
        boolean vecLeft = shape.length == 1;
        boolean vecRight = other.shape.length == 1;
        long[] as = vecLeft ? new long[]{1, shape[0]} : shape;
        long[] ast = vecLeft ? new long[]{0, strides[0]} : strides;
        long[] bs = vecRight ? new long[]{other.shape[0], 1} : other.shape;
        long[] bst = vecRight ? new long[]{other.strides[0], 0} : other.strides;
        long m = as[as.length - 2];
        long k = as[as.length - 1];
        long k2 = bs[bs.length - 2];
        long n = bs[bs.length - 1];
        if (k != k2) {
            throw new ShapeMismatchException("matmul: inner dimensions differ: " + Shapes.str(shape) + " @ " + Shapes.str(other.shape)
                    + " (" + k + " vs " + k2 + ")");
        }
        long[] batch = Shapes.broadcast("matmul (batch dimensions)", Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
        int r = batch.length + 2;
        long[] outShape = Arrays.copyOf(batch, r);
        outShape[r - 2] = m;
        outShape[r - 1] = n;
        try (Tensor a = t == dtype ? null : cast(t, false); Tensor b = t == other.dtype ? null : other.cast(t, false)) {
            StridedView va = a == null ? batchView(storage, t, as, ast, offset, batch)
                    : batchView(a.storage, t, as, vecLeft ? new long[]{0, 1} : a.strides, a.offset, batch);
            StridedView vb = b == null ? batchView(other.storage, t, bs, bst, other.offset, batch)
                    : batchView(b.storage, t, bs, vecRight ? new long[]{1, 0} : b.strides, b.offset, batch);
            Tensor out = allocate(t, outShape, device(), true);
            backend.matmul(va, vb, out.view());
            Tensor result = out;
            if (vecLeft || vecRight) {
                long[] finalShape = vecLeft && vecRight ? Arrays.copyOf(batch, batch.length)
                        : vecLeft ? concat(batch, n) : concat(batch, m);
                try (Tensor o = out) {
                    scopeForget(o);
                    result = o.reshape(finalShape);
                }
            }
            Tensor x = a == null ? this : a;
            Tensor y = b == null ? other : b;
            return record(result, "matmul", new Tensor[]{x, y}, new Tensor[]{x, y}, Derivatives.matmul());
        }
    }

    private static long[] concat(long[] a, long last) {
        long[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = last;
        return out;
    }

    /** A matrix operand's view with its batch dimensions broadcast to {@code batch}. */
    private static StridedView batchView(Storage storage, DType t, long[] shape, long[] strides, long offset, long[] batch) {
        int r = batch.length + 2;
        int lead = r - shape.length;
        long[] sh = new long[r];
        long[] st = new long[r];
        for (int d = 0; d < r; d++) {
            if (d < lead) {
                sh[d] = batch[d];
                st[d] = 0;
            } else {
                long have = shape[d - lead];
                sh[d] = d < r - 2 ? batch[d] : have;
                st[d] = d < r - 2 && have == 1 && batch[d] != 1 ? 0 : strides[d - lead];
            }
        }
        return new StridedView(storage, t, sh, st, offset);
    }

    // =================================================================== autodiff

    /** True if gradients flow to this tensor: it is a leaf marked with {@link #requiresGrad(boolean)} or the result of a recorded operation. */
    public boolean requiresGrad() {
        return gradFn != null || leaf != null;
    }

    /**
     * Marks this tensor as a leaf whose gradient {@link #backward()} accumulates (or unmarks it).
     * Only floating-point leaves (tensors not produced by a recorded operation) can be marked.
     *
     * @return this tensor
     * @throws IllegalArgumentException for a non-floating dtype or a non-leaf
     */
    public Tensor requiresGrad(boolean flag) {
        live();
        if (gradFn != null) {
            throw new IllegalArgumentException("requiresGrad can only be set on leaf tensors; this one was produced by "
                    + gradFn.name + " (use detach() for a new leaf)");
        }
        if (flag && !dtype.isFloating()) {
            throw new DTypeMismatchException("only floating-point tensors can require gradients, got " + dtype);
        }
        if (flag && leaf == null) {
            leaf = new GradNode.Leaf();
        } else if (!flag && leaf != null) {
            leaf.release();
            leaf = null;
        }
        return this;
    }

    /**
     * The gradient accumulated into this leaf by {@link #backward()}, or null. The tensor belongs to the
     * leaf: it is replaced by the next accumulation and closed by {@link #clearGrad()} or when the leaf
     * closes; do not close it yourself.
     */
    public Tensor grad() {
        live();
        return leaf == null ? null : leaf.grad;
    }

    /** Discards the accumulated gradient of this leaf (PyTorch's {@code zero_grad} with {@code set_to_none}). */
    public void clearGrad() {
        if (leaf != null && leaf.grad != null) {
            leaf.grad.close();
            leaf.grad = null;
        }
    }

    /** A new handle on the same memory, cut from the autodiff graph (no gradient flows through it). */
    public Tensor detach() {
        live();
        return share(shape, strides, offset);
    }

    /** Back-propagates from this scalar: every leaf it depends on accumulates ∂this/∂leaf in {@link #grad()}. */
    public void backward() {
        backward(null, false, false);
    }

    /**
     * Back-propagates {@code seed} (the gradient of some scalar with respect to this tensor; null means 1
     * for a scalar). Leaves accumulate their gradients. The graph is freed afterwards unless
     * {@code retainGraph}; with {@code createGraph} the backward computation is itself recorded, so the
     * gradients can be differentiated again (Hessian-vector products, gradient penalties).
     */
    public void backward(Tensor seed, boolean retainGraph, boolean createGraph) {
        Autodiff.backward(this, seed, retainGraph, createGraph);
    }

    /**
     * Records {@code out} as the result of a differentiable operation on {@code inputs}, if recording is
     * on and an input requires grad. {@code save} lists the tensors the rule reads; they are kept alive
     * (with their own graph links) until the node is released.
     */
    static Tensor record(Tensor out, String name, Tensor[] inputs, Tensor[] save, GradNode.Backward backward) {
        if (!Autodiff.isGradEnabled()) {
            return out;
        }
        boolean any = false;
        for (Tensor t : inputs) {
            any |= t != null && t.requiresGrad();
        }
        if (!any) {
            return out;
        }
        GradNode.Edge[] edges = new GradNode.Edge[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i];
            GradNode node = t == null ? null : t.gradFn;
            GradNode.Leaf l = t == null ? null : t.leaf;
            if (node != null) {
                node.retain();
            } else if (l != null) {
                l.retain();
            }
            edges[i] = new GradNode.Edge(node, l, t == null ? null : t.shape, t == null ? null : t.dtype);
        }
        Tensor[] saved = new Tensor[save.length];
        for (int i = 0; i < save.length; i++) {
            saved[i] = save[i].alias();
        }
        if (out.gradFn != null) {
            out.gradFn.release();
        }
        out.gradFn = new GradNode(name, edges, saved, backward);
        return out;
    }

    /** The view of {@code v} restricted to the leading block of extents {@code extents}. */
    private static Tensor leadingBlock(Tensor v, long[] extents) {
        Tensor t = v;
        for (int d = 0; d < extents.length; d++) {
            if (extents[d] != v.shape[d]) {
                t = t.slice(d, 0, extents[d], 1);
            }
        }
        return t;
    }

    /** Records a view op whose gradient is {@code rule(g)}. */
    private Tensor recordView(Tensor out, String name, java.util.function.UnaryOperator<Tensor> rule) {
        return record(out, name, new Tensor[]{this}, new Tensor[0], (g, s, needs) -> new Tensor[]{rule.apply(g)});
    }

    /**
     * A zero tensor of {@code baseShape} with {@code g} written into the view {@code viewOf(base)}: the
     * gradient of taking that view. Recorded, with the view of the gradient as its own derivative.
     */
    static Tensor embed(Tensor g, long[] baseShape, java.util.function.UnaryOperator<Tensor> viewOf) {
        Tensor base = zeros(g.dtype, g.device(), baseShape);
        try (Tensor target = viewOf.apply(base.detach())) {
            g.backend.copy(g.view(), target.view());
        }
        return record(base, "embed", new Tensor[]{g}, new Tensor[0], (gg, s, needs) -> new Tensor[]{viewOf.apply(gg)});
    }

    // =================================================================== indexing and shaping
    //
    // Gathering, scattering, joining, splitting, padding, reordering, sorting, scans, masks, triangular
    // and diagonal parts, stable log-sum-exp / softmax, and einsum. Kernels that have no Backend method
    // yet (gather, scatter, sort, scan, mask compression, binary search) are reached only through the
    // "kernels outside the Backend SPI" helpers at the end of this section, and only with host tensors:
    // device tensors are staged through the host by HostStaging first.

    /**
     * Values picked along {@code axis} by {@code index}, like PyTorch's {@code torch.gather} (NumPy's
     * {@code take_along_axis} without broadcasting): for 3-D tensors and axis 1,
     * {@code out[i][j][k] = this[i][index[i][j][k]][k]}. The result has {@code index}'s shape and this
     * tensor's dtype. Negative indices count from the end of the axis, as in NumPy.
     *
     * {@snippet :
     * Tensor x = Tensor.fromArray(new double[][]{{1, 2}, {3, 4}});
     * Tensor i = Tensor.fromArray(new long[][]{{0, 0}, {1, 0}});
     * Tensor y = x.gather(1, i);   // [[1, 1], [4, 3]]
     * }
     *
     * @param axis  the axis the indices select along (negative counts from the end)
     * @param index I32 or I64 indices of this tensor's rank, with {@code index.dim(d) <= dim(d)} for every
     *              axis {@code d != axis}
     * @return a new tensor of {@code index}'s shape
     * @throws DTypeMismatchException    if {@code index} is not I32 or I64
     * @throws ShapeMismatchException    if the ranks differ or an extent of {@code index} is too large
     * @throws IndexOutOfBoundsException if an index lies outside {@code [-dim(axis), dim(axis))}
     */
    public Tensor gather(int axis, Tensor index) {
        live();
        index.live();
        if (HostStaging.offHost("gather", this, index)) {
            return HostStaging.run(h -> h[0].gather(axis, h[1]), this, index);
        }
        requireIndexType("gather", index);
        int a = Shapes.axis(axis, shape.length);
        if (index.shape.length != shape.length) {
            throw new ShapeMismatchException("gather: index of shape " + Shapes.str(index.shape)
                    + " must have the rank of the input " + Shapes.str(shape));
        }
        for (int d = 0; d < shape.length; d++) {
            if (d != a && index.shape[d] > shape[d]) {
                throw new ShapeMismatchException("gather: index of shape " + Shapes.str(index.shape) + " is larger than the input "
                        + Shapes.str(shape) + " in dimension " + d + " (only axis " + a + " may be)");
            }
        }
        checkIndicesKernel("gather", index.view(), a, shape);
        long[] srcShape = index.shape.clone();
        srcShape[a] = shape[a];
        Tensor out = allocate(dtype, index.shape, device(), true);
        gatherKernel(new StridedView(storage, dtype, srcShape, strides, offset), a, index.view(), out.view());
        long[] inShape = shape;
        return record(out, "gather", new Tensor[]{this, index}, new Tensor[]{index},
                (g, sv, needs) -> new Tensor[]{zeros(g.dtype, inShape).scatterAdd(a, sv[0], g), null});
    }

    /**
     * NumPy's {@code take_along_axis}: like {@link #gather} but this tensor and {@code indices}, which have
     * the same rank, broadcast against each other in every dimension except {@code axis}. The result has
     * the broadcast shape with {@code indices.dim(axis)} along {@code axis}. Typical use: apply the result
     * of {@link #argsort} or {@link #argmax(int, boolean) argmax(axis, true)}.
     *
     * {@snippet :
     * Tensor x = Tensor.fromArray(new double[][]{{10, 30, 20}, {60, 40, 50}});
     * Tensor order = x.argsort(1, false);        // [[0, 2, 1], [1, 2, 0]]
     * Tensor sorted = x.takeAlongAxis(order, 1); // [[10, 20, 30], [40, 50, 60]]
     * }
     *
     * @param indices I32 or I64 indices of this tensor's rank (negative ones count from the end)
     * @param axis    the axis to take along
     * @return a new tensor of the broadcast shape, with {@code indices.dim(axis)} along {@code axis}
     * @throws DTypeMismatchException    if {@code indices} is not I32 or I64
     * @throws ShapeMismatchException    if the ranks differ or another dimension does not broadcast
     * @throws IndexOutOfBoundsException if an index lies outside {@code [-dim(axis), dim(axis))}
     */
    public Tensor takeAlongAxis(Tensor indices, int axis) {
        live();
        indices.live();
        if (HostStaging.offHost("takeAlongAxis", this, indices)) {
            return HostStaging.run(h -> h[0].takeAlongAxis(h[1], axis), this, indices);
        }
        requireIndexType("takeAlongAxis", indices);
        int a = Shapes.axis(axis, shape.length);
        int r = shape.length;
        if (indices.shape.length != r) {
            throw new ShapeMismatchException("takeAlongAxis: indices of shape " + Shapes.str(indices.shape)
                    + " must have the rank of the array " + Shapes.str(shape));
        }
        long[] outShape = new long[r];
        for (int d = 0; d < r; d++) {
            long x = shape[d];
            long y = indices.shape[d];
            if (d == a) {
                outShape[d] = y;
            } else if (x == y || x == 1 || y == 1) {
                outShape[d] = x == 1 ? y : x;
            } else {
                throw new ShapeMismatchException("takeAlongAxis: array " + Shapes.str(shape) + " and indices " + Shapes.str(indices.shape)
                        + " do not broadcast in dimension " + d + " (" + x + " vs " + y + ")");
            }
        }
        checkIndicesKernel("takeAlongAxis", indices.view(), a, shape);
        long[] srcShape = outShape.clone();
        srcShape[a] = shape[a];
        long[] srcStrides = new long[r];
        long[] idxStrides = new long[r];
        for (int d = 0; d < r; d++) {
            srcStrides[d] = d != a && shape[d] == 1 && outShape[d] != 1 ? 0 : strides[d];
            idxStrides[d] = d != a && indices.shape[d] == 1 && outShape[d] != 1 ? 0 : indices.strides[d];
        }
        Tensor out = allocate(dtype, outShape, device(), true);
        gatherKernel(new StridedView(storage, dtype, srcShape, srcStrides, offset), a,
                new StridedView(indices.storage, indices.dtype, outShape, idxStrides, indices.offset), out.view());
        long[] inShape = shape;
        return record(out, "takeAlongAxis", new Tensor[]{this, indices}, new Tensor[]{indices},
                (g, sv, needs) -> new Tensor[]{Derivatives.sumTo(
                        zeros(g.dtype, srcShape).scatterAdd(a, sv[0].broadcastTo(outShape), g), inShape), null});
    }

    /**
     * The slices at the positions {@code index} along {@code axis}, in that order, like PyTorch's
     * {@code index_select} and NumPy's {@code take(a, index, axis)}. Positions may repeat; negative ones
     * count from the end. The result has this tensor's shape with {@code index.size()} along {@code axis}.
     *
     * @param axis  the axis to select along
     * @param index 1-D (or 0-d, giving extent 1) I32 or I64 positions
     * @return a new tensor
     * @throws DTypeMismatchException    if {@code index} is not I32 or I64
     * @throws ShapeMismatchException    if {@code index} has more than one dimension
     * @throws IndexOutOfBoundsException if a position lies outside {@code [-dim(axis), dim(axis))}
     */
    public Tensor indexSelect(int axis, Tensor index) {
        live();
        index.live();
        if (HostStaging.offHost("indexSelect", this, index)) {
            return HostStaging.run(h -> h[0].indexSelect(axis, h[1]), this, index);
        }
        requireIndexType("indexSelect", index);
        int a = Shapes.axis(axis, shape.length);
        if (index.shape.length > 1) {
            throw new ShapeMismatchException("indexSelect: index must be 1-D, got shape " + Shapes.str(index.shape)
                    + " (input " + Shapes.str(shape) + ")");
        }
        checkIndicesKernel("indexSelect", index.view(), a, shape);
        long[] outShape = shape.clone();
        outShape[a] = index.shape.length == 0 ? 1 : index.shape[0];
        long[] idxStrides = new long[shape.length];
        idxStrides[a] = index.shape.length == 0 ? 0 : index.strides[0];
        Tensor out = allocate(dtype, outShape, device(), true);
        gatherKernel(view(), a, new StridedView(index.storage, index.dtype, outShape, idxStrides, index.offset), out.view());
        long[] inShape = shape;
        long[] column = new long[shape.length];
        Arrays.fill(column, 1);
        column[a] = outShape[a];
        return record(out, "indexSelect", new Tensor[]{this, index}, new Tensor[]{index},
                (g, sv, needs) -> new Tensor[]{zeros(g.dtype, inShape).scatterAdd(a, sv[0].reshape(column).broadcastTo(outShape), g), null});
    }

    /**
     * A copy of this tensor with {@code src}'s values written at the positions {@code index} names
     * along {@code axis}, like PyTorch's {@code scatter} (out of place): for 3-D tensors and axis 1,
     * {@code out[i][index[i][j][k]][k] = src[i][j][k]} for every position of {@code index}. Where indices
     * repeat along the axis, the last one (in row-major order) wins. Negative indices count from the end.
     *
     * {@snippet :
     * Tensor z = Tensor.zeros(DType.F64, 2, 3);
     * Tensor i = Tensor.fromArray(new long[][]{{2}, {0}});
     * Tensor v = Tensor.fromArray(new double[][]{{7}, {9}});
     * Tensor y = z.scatter(1, i, v);   // [[0, 0, 7], [9, 0, 0]]
     * }
     *
     * @param axis  the axis the indices address
     * @param index I32 or I64 indices of this tensor's rank, with {@code index.dim(d) <= src.dim(d)} for
     *              every d and {@code index.dim(d) <= dim(d)} for {@code d != axis}
     * @param src   the values, of this tensor's rank; its dtype must convert to this tensor's without loss
     *              ({@code DType.promote(dtype(), src.dtype()) == dtype()})
     * @return a new tensor of this tensor's shape and dtype
     * @throws DTypeMismatchException    if {@code index} is not I32/I64 or {@code src}'s dtype is wider
     * @throws ShapeMismatchException    if the ranks differ or an extent of {@code index} is too large
     * @throws IndexOutOfBoundsException if an index lies outside {@code [-dim(axis), dim(axis))}
     */
    public Tensor scatter(int axis, Tensor index, Tensor src) {
        return scatter("scatter", axis, index, src, false);
    }

    /**
     * A copy of this tensor with {@code src}'s values added at the positions {@code index} names along
     * {@code axis}, like PyTorch's {@code scatter_add} (out of place):
     * {@code out[i][index[i][j][k]][k] += src[i][j][k]} for axis 1. Repeated indices accumulate, in
     * row-major order of {@code index} (deterministic). Arguments as for {@link #scatter}; BOOL tensors are
     * rejected.
     *
     * {@snippet :
     * Tensor counts = Tensor.zeros(DType.I64, 3).scatterAdd(0, Tensor.of(0L, 2, 2, 2), Tensor.ones(DType.I64, 4));
     * // [1, 0, 3]: a histogram of the indices
     * }
     *
     * @param axis  the axis the indices address
     * @param index I32 or I64 indices, shaped as for {@link #scatter}
     * @param src   the values to add; its dtype must convert to this tensor's without loss
     * @return a new tensor of this tensor's shape and dtype
     * @throws DTypeMismatchException    if this tensor is BOOL, {@code index} is not I32/I64 or {@code src}'s
     *                                   dtype is wider than this tensor's
     * @throws ShapeMismatchException    if the ranks differ or an extent of {@code index} is too large
     * @throws IndexOutOfBoundsException if an index lies outside {@code [-dim(axis), dim(axis))}
     */
    public Tensor scatterAdd(int axis, Tensor index, Tensor src) {
        return scatter("scatterAdd", axis, index, src, true);
    }

    private Tensor scatter(String op, int axis, Tensor index, Tensor src, boolean add) {
        live();
        index.live();
        src.live();
        if (HostStaging.offHost(op, this, index, src)) {
            return HostStaging.run(h -> h[0].scatter(op, axis, h[1], h[2], add), this, index, src);
        }
        requireIndexType(op, index);
        if (add && dtype == DType.BOOL) {
            throw new DTypeMismatchException(op + " is not defined for BOOL tensors; cast to an integer type first");
        }
        if (DType.promote(dtype, src.dtype) != dtype) {
            throw new DTypeMismatchException(op + ": cannot write " + src.dtype + " values into a " + dtype
                    + " tensor without loss; cast src first");
        }
        int a = Shapes.axis(axis, shape.length);
        int r = shape.length;
        String shapes = "input " + Shapes.str(shape) + ", index " + Shapes.str(index.shape) + ", src " + Shapes.str(src.shape);
        if (index.shape.length != r || src.shape.length != r) {
            throw new ShapeMismatchException(op + ": input, index and src must have the same rank: " + shapes);
        }
        for (int d = 0; d < r; d++) {
            if (index.shape[d] > src.shape[d] || (d != a && index.shape[d] > shape[d])) {
                throw new ShapeMismatchException(op + ": index is larger than src, or than the input outside axis " + a
                        + ", in dimension " + d + ": " + shapes);
            }
        }
        checkIndicesKernel(op, index.view(), a, shape);
        try (Tensor converted = src.dtype == dtype ? null : src.cast(dtype, false)) {
            Tensor s = converted == null ? src : converted;
            Tensor out = allocate(dtype, shape, device(), true);
            backend.copy(view(), out.view());
            long[] dstShape = index.shape.clone();
            dstShape[a] = shape[a];
            scatterKernel(index.view(), new StridedView(s.storage, dtype, index.shape, s.strides, s.offset), a,
                    new StridedView(out.storage, dtype, dstShape, out.strides, 0), add);
            if (!dtype.isFloating()) {
                return out;
            }
            long[] srcShape = src.shape;
            long[] idxShape = index.shape;
            return record(out, op, new Tensor[]{this, index, s}, new Tensor[]{index}, (g, sv, needs) -> {
                Tensor gSelf = needs[0] ? (add ? g : g.scatter(a, sv[0], zeros(g.dtype, idxShape))) : null;
                Tensor gSrc = null;
                if (needs[2]) {
                    Tensor picked = g.gather(a, sv[0]);
                    gSrc = Arrays.equals(idxShape, srcShape) ? picked : embed(picked, srcShape, v -> leadingBlock(v, idxShape));
                }
                return new Tensor[]{gSelf, null, gSrc};
            });
        }
    }

    /**
     * The elements where the BOOL {@code mask} is true, in row-major order, as a new 1-D tensor, like
     * PyTorch's {@code masked_select} and NumPy's {@code a[mask]}. This tensor and the mask broadcast
     * together first.
     *
     * {@snippet :
     * Tensor x = Tensor.of(1.0, -2.0, 3.0, -4.0);
     * Tensor positive = x.maskedSelect(x.gt(0));   // [1, 3]
     * }
     *
     * @param mask a BOOL tensor broadcastable with this one
     * @return a new 1-D tensor of this tensor's dtype, as long as the number of true mask elements
     * @throws DTypeMismatchException if {@code mask} is not BOOL
     * @throws ShapeMismatchException if the shapes do not broadcast
     */
    public Tensor maskedSelect(Tensor mask) {
        live();
        mask.live();
        if (HostStaging.offHost("maskedSelect", this, mask)) {
            return HostStaging.run(h -> h[0].maskedSelect(h[1]), this, mask);
        }
        if (mask.dtype != DType.BOOL) {
            throw new DTypeMismatchException("maskedSelect: the mask must be BOOL, got " + mask.dtype + "; compare or cast first");
        }
        long[] common = Shapes.broadcast("maskedSelect", shape, mask.shape);
        StridedView m = mask.broadcastView(common);
        long count = countTrueKernel(m);
        Tensor out = allocate(dtype, new long[]{count}, device(), true);
        compressKernel(broadcastView(common), m, out.view());
        long[] inShape = shape;
        return record(out, "maskedSelect", new Tensor[]{this, mask}, new Tensor[]{mask}, (g, sv, needs) -> {
            long[] both = Shapes.broadcast("maskedSelect", inShape, sv[0].shape);
            long total = Shapes.size(both);
            Tensor positions = arange(0, total, 1, DType.I64).maskedSelect(sv[0].broadcastTo(both).reshape(-1));
            Tensor scattered = zeros(g.dtype, total).scatterAdd(0, positions, g).reshape(both);
            return new Tensor[]{Derivatives.sumTo(scattered, inShape), null};
        });
    }

    /**
     * The tensors joined along an existing {@code axis}, like NumPy's {@code concatenate} and PyTorch's
     * {@code cat}. All must have the same rank and the same extents except along {@code axis}; the
     * result type is the promotion of all dtypes.
     *
     * {@snippet :
     * Tensor a = Tensor.ones(DType.F32, 2, 3);
     * Tensor b = Tensor.zeros(DType.F32, 1, 3);
     * Tensor c = Tensor.concat(0, a, b);   // shape [3, 3]
     * }
     *
     * @param axis    the axis to join along (negative counts from the end)
     * @param tensors at least one tensor, all on one device, of rank at least 1
     * @return a new tensor whose extent along {@code axis} is the sum of the inputs'
     * @throws ShapeMismatchException if ranks or other extents differ, or the tensors are 0-d
     */
    public static Tensor concat(int axis, Tensor... tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("concat needs at least one tensor");
        }
        Tensor first = tensors[0];
        for (Tensor t : tensors) {
            t.live();
        }
        int r = first.shape.length;
        if (r == 0) {
            throw new ShapeMismatchException("concat: 0-d tensors cannot be concatenated; use stack");
        }
        int a = Shapes.axis(axis, r);
        DType type = first.dtype;
        long total = 0;
        for (int i = 0; i < tensors.length; i++) {
            Tensor t = tensors[i];
            boolean ok = t.shape.length == r;
            for (int d = 0; ok && d < r; d++) {
                ok = d == a || t.shape[d] == first.shape[d];
            }
            if (!ok) {
                throw new ShapeMismatchException("concat along axis " + a + ": tensor " + i + " has shape " + Shapes.str(t.shape)
                        + ", incompatible with tensor 0's " + Shapes.str(first.shape));
            }
            if (!t.device().equals(first.device())) {
                throw new IllegalArgumentException("concat: tensors are on different devices: " + first.device() + " and " + t.device());
            }
            type = DType.promote(type, t.dtype);
            total = Math.addExact(total, t.shape[a]);
        }
        long[] outShape = first.shape.clone();
        outShape[a] = total;
        Tensor out = allocate(type, outShape, first.device(), true);
        long pos = 0;
        for (Tensor t : tensors) {
            long[] sh = outShape.clone();
            sh[a] = t.shape[a];
            out.backend.copy(t.view(), new StridedView(out.storage, type, sh, out.strides, pos * out.strides[a]));
            pos += t.shape[a];
        }
        if (!type.isFloating()) {
            return out;
        }
        long[] starts = new long[tensors.length + 1];
        for (int i = 0; i < tensors.length; i++) {
            starts[i + 1] = starts[i] + tensors[i].shape[a];
        }
        return record(out, "concat", tensors.clone(), new Tensor[0], (g, sv, needs) -> {
            Tensor[] parts = new Tensor[needs.length];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = needs[i] ? g.slice(a, starts[i], starts[i + 1], 1) : null;
            }
            return parts;
        });
    }

    /**
     * The tensors joined along a new {@code axis}, like NumPy's and PyTorch's {@code stack}: all have the
     * same shape, and the result has one more dimension, of extent {@code tensors.length}, at
     * {@code axis} (which may be {@code −(rank+1) … rank}). The result type is the promotion of all dtypes.
     *
     * @param axis    where the new dimension goes
     * @param tensors at least one tensor, all of one shape and on one device
     * @return a new tensor of rank {@code rank() + 1}
     * @throws ShapeMismatchException if the shapes differ
     */
    public static Tensor stack(int axis, Tensor... tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("stack needs at least one tensor");
        }
        Tensor first = tensors[0];
        for (Tensor t : tensors) {
            t.live();
        }
        int a = Shapes.axis(axis, first.shape.length + 1);
        DType type = first.dtype;
        for (int i = 0; i < tensors.length; i++) {
            Tensor t = tensors[i];
            if (!Arrays.equals(t.shape, first.shape)) {
                throw new ShapeMismatchException("stack: tensor " + i + " has shape " + Shapes.str(t.shape)
                        + ", tensor 0 has shape " + Shapes.str(first.shape));
            }
            if (!t.device().equals(first.device())) {
                throw new IllegalArgumentException("stack: tensors are on different devices: " + first.device() + " and " + t.device());
            }
            type = DType.promote(type, t.dtype);
        }
        long[] outShape = insert(first.shape, a, tensors.length);
        Tensor out = allocate(type, outShape, first.device(), true);
        long[] sliceStrides = remove(out.strides, a);
        for (int i = 0; i < tensors.length; i++) {
            out.backend.copy(tensors[i].view(), new StridedView(out.storage, type, first.shape, sliceStrides, i * out.strides[a]));
        }
        if (!type.isFloating()) {
            return out;
        }
        return record(out, "stack", tensors.clone(), new Tensor[0], (g, sv, needs) -> {
            Tensor[] parts = new Tensor[needs.length];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = needs[i] ? g.select(a, i) : null;
            }
            return parts;
        });
    }

    /**
     * Views of consecutive pieces of {@code sizes[i]} elements along {@code axis}, like PyTorch's
     * {@code split} with a list of sizes (NumPy's {@code split} takes the cut positions instead). The
     * sizes must add up to {@code dim(axis)}; each view shares this tensor's memory.
     *
     * {@snippet :
     * Tensor[] parts = Tensor.arange(10).split(0, 3, 3, 4);   // [0 1 2], [3 4 5], [6 7 8 9]
     * }
     *
     * @param axis  the axis to cut
     * @param sizes the extent of each piece, each {@code >= 0}
     * @return one view per size
     * @throws ShapeMismatchException if the sizes do not add up to the extent of {@code axis}
     */
    public Tensor[] split(int axis, long... sizes) {
        live();
        int a = Shapes.axis(axis, shape.length);
        if (sizes.length == 0) {
            throw new IllegalArgumentException("split needs at least one size");
        }
        long sum = 0;
        for (long s : sizes) {
            if (s < 0) {
                throw new IllegalArgumentException("split: sizes must be >= 0, got " + Arrays.toString(sizes));
            }
            sum = Math.addExact(sum, s);
        }
        if (sum != shape[a]) {
            throw new ShapeMismatchException("split: sizes " + Arrays.toString(sizes) + " add up to " + sum + ", but axis " + a
                    + " of shape " + Shapes.str(shape) + " has extent " + shape[a]);
        }
        Tensor[] parts = new Tensor[sizes.length];
        long pos = 0;
        for (int i = 0; i < sizes.length; i++) {
            long[] sh = shape.clone();
            sh[a] = sizes[i];
            long from = pos;
            long to = pos + sizes[i];
            parts[i] = recordView(share(sh, strides, sizes[i] == 0 ? offset : offset + pos * strides[a]), "split",
                    g -> embed(g, shape, v -> v.slice(a, from, to, 1)));
            pos += sizes[i];
        }
        return parts;
    }

    /**
     * Views of {@code n} nearly equal pieces along {@code axis}, with PyTorch's {@code chunk} rule: each
     * piece has {@code ceil(dim(axis) / n)} elements except a smaller last one, so fewer than {@code n}
     * pieces come back when the extent does not allow n (7 in 4 chunks gives 2, 2, 2, 1; 6 in 4 chunks
     * gives 2, 2, 2). An empty axis gives {@code n} empty views.
     *
     * @param n    the number of pieces wanted, {@code >= 1}
     * @param axis the axis to cut
     * @return the views, in order
     */
    public Tensor[] chunk(int n, int axis) {
        live();
        if (n < 1) {
            throw new IllegalArgumentException("chunk: the number of chunks must be >= 1, got " + n);
        }
        int a = Shapes.axis(axis, shape.length);
        long extent = shape[a];
        if (extent == 0) {
            return split(a, new long[n]);
        }
        long size = (extent + n - 1) / n;
        int count = (int) ((extent + size - 1) / size);
        long[] sizes = new long[count];
        Arrays.fill(sizes, size);
        sizes[count - 1] = extent - size * (count - 1);
        return split(a, sizes);
    }

    /**
     * A copy enlarged by {@code padWidths[2d]} elements before and {@code padWidths[2d + 1]} after each
     * dimension d (in dimension order, as NumPy's {@code pad} pairs, not PyTorch's last-dimension-first
     * list), filled as {@code mode} says (see {@link PadMode}).
     *
     * {@snippet :
     * Tensor x = Tensor.of(1.0, 2.0, 3.0);
     * x.pad(new long[]{2, 1}, PadMode.CONSTANT, 0);    // [0, 0, 1, 2, 3, 0]
     * x.pad(new long[]{2, 1}, PadMode.REFLECT, 0);     // [3, 2, 1, 2, 3, 2]
     * x.pad(new long[]{2, 1}, PadMode.REPLICATE, 0);   // [1, 1, 1, 2, 3, 3]
     * }
     *
     * @param padWidths {@code 2 * rank()} non-negative widths: before and after, for each dimension
     * @param mode      how to fill the border
     * @param value     the fill value for {@link PadMode#CONSTANT} (converted to the dtype); ignored otherwise
     * @return a new tensor of extent {@code dim(d) + padWidths[2d] + padWidths[2d + 1]} in each dimension d
     * @throws IllegalArgumentException if there are not {@code 2 * rank()} widths, a width is negative, or
     *                                  an empty dimension would be padded by reflection or replication
     */
    public Tensor pad(long[] padWidths, PadMode mode, double value) {
        live();
        if (mode == null) {
            throw new IllegalArgumentException("pad: mode must not be null");
        }
        int r = shape.length;
        if (padWidths.length != 2 * r) {
            throw new IllegalArgumentException("pad: expected " + 2 * r + " widths (before and after each dimension of shape "
                    + Shapes.str(shape) + "), got " + Arrays.toString(padWidths));
        }
        long[] outShape = new long[r];
        for (int d = 0; d < r; d++) {
            long before = padWidths[2 * d];
            long after = padWidths[2 * d + 1];
            if (before < 0 || after < 0) {
                throw new IllegalArgumentException("pad: widths must be >= 0, got " + Arrays.toString(padWidths));
            }
            if (mode != PadMode.CONSTANT && shape[d] == 0 && before + after > 0) {
                throw new IllegalArgumentException("pad: cannot " + mode + "-pad the empty dimension " + d + " of shape " + Shapes.str(shape));
            }
            outShape[d] = Math.addExact(shape[d], Math.addExact(before, after));
        }
        if (mode == PadMode.CONSTANT) {
            Tensor out = allocate(dtype, outShape, device(), true);
            backend.fill(out.view(), value);
            long at = 0;
            for (int d = 0; d < r; d++) {
                at += padWidths[2 * d] * out.strides[d];
            }
            if (size() > 0) {
                backend.copy(view(), new StridedView(out.storage, dtype, shape, out.strides, at));
            }
            long[] inShape = shape;
            long[] widths = padWidths.clone();
            return record(out, "pad", new Tensor[]{this}, new Tensor[0], (g, sv, needs) -> {
                Tensor inner = g;
                for (int d = 0; d < inShape.length; d++) {
                    inner = inner.slice(d, widths[2 * d], widths[2 * d] + inShape[d], 1);
                }
                return new Tensor[]{inner};
            });
        }
        try (Scope scope = Scope.open()) {
            Tensor current = this;
            for (int d = 0; d < r; d++) {
                long before = padWidths[2 * d];
                if (before + padWidths[2 * d + 1] == 0) {
                    continue;
                }
                long n = shape[d];
                long[] source = new long[Math.toIntExact(outShape[d])];
                for (int o = 0; o < source.length; o++) {
                    long i = o - before;
                    if (mode == PadMode.REPLICATE || n == 1) {
                        source[o] = Math.clamp(i, 0, n - 1);
                    } else {
                        long period = 2 * (n - 1);
                        long m = Math.floorMod(i, period);
                        source[o] = m < n ? m : period - m;
                    }
                }
                current = current.indexSelect(d, onDevice(Tensor.of(source), device()));
            }
            return scope.keep(current == this ? copy() : current);
        }
    }

    /**
     * A copy with the order of elements reversed along {@code axes} (all axes if none are given), like
     * NumPy's {@code flip} and PyTorch's {@code flip}.
     *
     * @param axes the axes to reverse (negative count from the end), distinct
     * @return a new tensor of this tensor's shape
     */
    public Tensor flip(int... axes) {
        live();
        int[] ax = Shapes.axes(axes, shape.length);
        try (Scope scope = Scope.open()) {
            Tensor current = this;
            for (int a : ax) {
                long n = shape[a];
                if (n > 1) {
                    current = current.indexSelect(a, onDevice(arange(n - 1, -1, -1, DType.I64), device()));
                }
            }
            return scope.keep(current == this ? copy() : current);
        }
    }

    /**
     * A copy with the elements shifted cyclically by {@code shift} positions along {@code axis} (elements
     * pushed past the end come back at the start), like NumPy's {@code roll(a, shift, axis)}:
     * {@code out[(i + shift) mod n] = this[i]}. Negative shifts go the other way.
     *
     * {@snippet :
     * Tensor.arange(5).roll(2, 0);    // [3, 4, 0, 1, 2]
     * Tensor.arange(5).roll(-1, 0);   // [1, 2, 3, 4, 0]
     * }
     *
     * @param shift how many positions to move the elements towards higher indices (any value; taken modulo the extent)
     * @param axis  the axis to roll along
     * @return a new tensor of this tensor's shape
     */
    public Tensor roll(long shift, int axis) {
        live();
        int a = Shapes.axis(axis, shape.length);
        long n = shape[a];
        Tensor out = allocate(dtype, shape, device(), true);
        if (n == 0 || out.size() == 0) {
            return out;
        }
        long s = Math.floorMod(shift, n);
        StridedView src = view();
        StridedView dst = out.view();
        backend.copy(sliceView(src, a, 0, n - s), sliceView(dst, a, s, n - s));
        if (s > 0) {
            backend.copy(sliceView(src, a, n - s, s), sliceView(dst, a, 0, s));
        }
        return record(out, "roll", new Tensor[]{this}, new Tensor[0], (g, sv, needs) -> new Tensor[]{g.roll(-s, a)});
    }

    /**
     * This tensor repeated {@code reps[d]} times along each dimension, like NumPy's {@code tile} (PyTorch's
     * {@code tile}): if {@code reps} is shorter than the rank it is padded with leading 1s; if longer, the
     * tensor gets leading dimensions of extent 1. The result's extent d is {@code reps[d] · dim(d)}.
     *
     * {@snippet :
     * Tensor.of(1, 2).tile(2, 3);   // [[1, 2, 1, 2, 1, 2], [1, 2, 1, 2, 1, 2]]
     * }
     *
     * @param reps repetitions per dimension, each {@code >= 0}
     * @return a new tensor
     */
    public Tensor tile(long... reps) {
        live();
        for (long rep : reps) {
            if (rep < 0) {
                throw new IllegalArgumentException("tile: repetitions must be >= 0, got " + Arrays.toString(reps));
            }
        }
        int r = Math.max(shape.length, reps.length);
        long[] expanded = new long[2 * r];
        long[] srcStrides = new long[2 * r];
        long[] outShape = new long[r];
        for (int d = 0; d < r; d++) {
            int sd = d - (r - shape.length);
            int rd = d - (r - reps.length);
            long extent = sd >= 0 ? shape[sd] : 1;
            long rep = rd >= 0 ? reps[rd] : 1;
            expanded[2 * d] = rep;
            expanded[2 * d + 1] = extent;
            srcStrides[2 * d + 1] = sd >= 0 ? strides[sd] : 0;
            outShape[d] = Math.multiplyExact(rep, extent);
        }
        Tensor out = allocate(dtype, outShape, device(), true);
        backend.copy(new StridedView(storage, dtype, expanded, srcStrides, offset),
                new StridedView(out.storage, dtype, expanded, Shapes.contiguousStrides(expanded), 0));
        long[] inShape = shape;
        int[] repAxes = new int[r];
        for (int d = 0; d < r; d++) {
            repAxes[d] = 2 * d;
        }
        return record(out, "tile", new Tensor[]{this}, new Tensor[0],
                (g, sv, needs) -> new Tensor[]{g.reshape(expanded).sum(repAxes).reshape(inShape)});
    }

    /**
     * Each element repeated {@code repeats} times in place along {@code axis}, like NumPy's
     * {@code repeat(a, repeats, axis)} and PyTorch's {@code repeat_interleave}: {@code [a, b]} becomes
     * {@code [a, a, b, b]} for 2 repeats (compare {@link #tile}, which gives {@code [a, b, a, b]}).
     *
     * @param repeats how often each element appears, {@code >= 0}
     * @param axis    the axis to repeat along
     * @return a new tensor with {@code repeats · dim(axis)} along {@code axis}
     */
    public Tensor repeatInterleave(long repeats, int axis) {
        live();
        if (repeats < 0) {
            throw new IllegalArgumentException("repeatInterleave: repeats must be >= 0, got " + repeats);
        }
        int a = Shapes.axis(axis, shape.length);
        long[] expanded = insert(shape, a + 1, repeats);
        long[] srcStrides = insert(strides, a + 1, 0);
        long[] outShape = shape.clone();
        outShape[a] = Math.multiplyExact(shape[a], repeats);
        Tensor out = allocate(dtype, outShape, device(), true);
        backend.copy(new StridedView(storage, dtype, expanded, srcStrides, offset),
                new StridedView(out.storage, dtype, expanded, Shapes.contiguousStrides(expanded), 0));
        return record(out, "repeatInterleave", new Tensor[]{this}, new Tensor[0],
                (g, sv, needs) -> new Tensor[]{g.reshape(expanded).sum(a + 1)});
    }

    /**
     * A copy sorted along {@code axis}, like NumPy's {@code sort} (ascending) and PyTorch's
     * {@code sort(dim, descending)}. The sort is stable in both directions: equal elements keep their
     * order. NaNs go after every number in both directions (NumPy puts them last when ascending);
     * −0.0 and 0.0 are equal. Integers compare exactly.
     *
     * @param axis       the axis to sort along
     * @param descending largest first if true
     * @return a new tensor of this tensor's shape and dtype
     */
    public Tensor sort(int axis, boolean descending) {
        live();
        if (HostStaging.offHost("sort", this)) {
            return HostStaging.run(h -> h[0].sort(axis, descending), this);
        }
        int a = requireSortable("sort", axis);
        Tensor out = allocate(dtype, shape, device(), true);
        sortKernel(view(), a, descending, shape[a], out.view(), null);
        long[] inShape = shape;
        return record(out, "sort", new Tensor[]{this}, new Tensor[]{this}, (g, sv, needs) -> {
            Tensor order;
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                order = sv[0].argsort(a, descending);
            }
            return new Tensor[]{zeros(g.dtype, inShape).scatterAdd(a, order, g)};
        });
    }

    /**
     * The I64 positions that would sort this tensor along {@code axis}, in the order of {@link #sort}
     * (stable, NaNs last), like NumPy's {@code argsort(kind="stable")} and PyTorch's
     * {@code argsort(stable=True)}. {@code takeAlongAxis(argsort(axis, d), axis)} equals
     * {@code sort(axis, d)}.
     *
     * {@snippet :
     * Tensor.of(3.0, 1.0, 2.0, 1.0).argsort(0, false);   // [1, 3, 2, 0]: the tied 1s keep their order
     * Tensor.of(3.0, 1.0, 2.0, 1.0).argsort(0, true);    // [0, 2, 1, 3]
     * }
     *
     * @param axis       the axis to sort along
     * @param descending largest first if true
     * @return a new I64 tensor of this tensor's shape
     */
    public Tensor argsort(int axis, boolean descending) {
        live();
        if (HostStaging.offHost("argsort", this)) {
            return HostStaging.run(h -> h[0].argsort(axis, descending), this);
        }
        int a = requireSortable("argsort", axis);
        Tensor out = allocate(DType.I64, shape, device(), true);
        sortKernel(view(), a, descending, shape[a], null, out.view());
        return out;
    }

    /**
     * The {@code k} largest (or smallest) elements along {@code axis} and their positions, like PyTorch's
     * {@code topk(k, dim, largest, sorted=True)}: both results have this tensor's shape with {@code k}
     * along {@code axis}, in sorted order (largest first if {@code largest}); ties are broken by the lower
     * position. NaNs rank after every number in both directions, so they are selected only when fewer than
     * {@code k} numbers exist (PyTorch instead treats NaN as the largest value).
     *
     * {@snippet :
     * try (TopK top = Tensor.of(1.0, 5.0, 3.0, 5.0).topk(2, 0, true)) {
     *     top.values();    // [5, 5]
     *     top.indices();   // [1, 3]
     * }
     * }
     *
     * @param k       how many elements to select, {@code 0 <= k <= dim(axis)}
     * @param axis    the axis to select along
     * @param largest the largest elements if true, else the smallest
     * @return the values and their I64 positions
     * @throws IllegalArgumentException if k is out of range
     */
    public TopK topk(long k, int axis, boolean largest) {
        live();
        if (HostStaging.offHost("topk", this)) {
            Tensor[] r = HostStaging.runAll(h -> {
                TopK top = h[0].topk(k, axis, largest);
                return new Tensor[]{top.values(), top.indices()};
            }, this);
            return new TopK(r[0], r[1]);
        }
        int a = requireSortable("topk", axis);
        if (k < 0 || k > shape[a]) {
            throw new IllegalArgumentException("topk: k = " + k + " is out of range for axis " + a + " of shape " + Shapes.str(shape)
                    + " (expected 0 .. " + shape[a] + ")");
        }
        long[] outShape = shape.clone();
        outShape[a] = k;
        Tensor values = allocate(dtype, outShape, device(), true);
        Tensor indices;
        try {
            indices = allocate(DType.I64, outShape, device(), true);
        } catch (RuntimeException e) {
            values.close();
            throw e;
        }
        sortKernel(view(), a, largest, k, values.view(), indices.view());
        long[] inShape = shape;
        record(values, "topk", new Tensor[]{this}, new Tensor[]{indices},
                (g, sv, needs) -> new Tensor[]{zeros(g.dtype, inShape).scatterAdd(a, sv[0], g)});
        return new TopK(values, indices);
    }

    /**
     * Running sums along {@code axis}: {@code out[…, i, …] = Σ_{j ≤ i} this[…, j, …]}, like NumPy's
     * {@code cumsum(a, axis)}. Integers and BOOL accumulate in and return I64 (as NumPy does on 64-bit
     * platforms); floats keep their dtype and accumulate in double precision.
     *
     * @param axis the axis to accumulate along
     * @return a new tensor of this tensor's shape
     */
    public Tensor cumsum(int axis) {
        return scan("cumsum", false, axis);
    }

    /**
     * Running products along {@code axis}: {@code out[…, i, …] = Π_{j ≤ i} this[…, j, …]}, like NumPy's
     * {@code cumprod(a, axis)}; result types as for {@link #cumsum}.
     *
     * @param axis the axis to accumulate along
     * @return a new tensor of this tensor's shape
     */
    public Tensor cumprod(int axis) {
        return scan("cumprod", true, axis);
    }

    /** The normalised axis, if its lanes are short enough to sort (Java arrays hold the permutation). */
    private int requireSortable(String op, int axis) {
        int a = Shapes.axis(axis, shape.length);
        if (shape[a] > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(op + ": axis " + a + " of shape " + Shapes.str(shape)
                    + " is too long to sort (at most 2^31 - 9 elements)");
        }
        return a;
    }

    private Tensor scan(String op, boolean product, int axis) {
        live();
        if (HostStaging.offHost(op, this)) {
            return HostStaging.run(h -> h[0].scan(op, product, axis), this);
        }
        int a = Shapes.axis(axis, shape.length);
        Tensor out = allocate(dtype.isFloating() ? dtype : DType.I64, shape, device(), true);
        scanKernel(product, view(), a, out.view());
        if (!dtype.isFloating()) {
            return out;
        }
        return record(out, op, new Tensor[]{this}, new Tensor[]{this}, (g, sv, needs) -> {
            if (!product) {
                return new Tensor[]{g.flip(a).cumsum(a).flip(a)};
            }
            Tensor x = sv[0];
            boolean zero;
            try (Autodiff.GradMode off = Autodiff.noGrad(); Tensor zeros = x.eq(0).sum()) {
                zero = zeros.item() > 0;
            }
            if (zero) {
                throw new IllegalArgumentException("the gradient of cumprod through a zero element is not implemented"
                        + " (the input has zeros); cumprod of non-zero inputs is differentiable");
            }
            // ∂outₖ/∂xᵢ = outₖ / xᵢ for k ≥ i, so the gradient is the reversed cumulative sum of g·out, divided by x
            Tensor weighted = g.mul(x.cumprod(a));
            return new Tensor[]{weighted.flip(a).cumsum(a).flip(a).div(x)};
        });
    }

    /**
     * Each element limited to {@code [min, max]}: {@code minimum(maximum(x, min), max)}, like NumPy's
     * {@code clip} and PyTorch's {@code clamp}. NaN elements stay NaN. An infinite bound on its own side
     * ({@code min = −∞}, {@code max = +∞}) means no bound and does not change the dtype; otherwise the
     * result type follows the scalar rule of {@link DType} (an integer tensor clamped to 2.5 becomes F64).
     * If {@code min > max} every element becomes {@code max}, as in NumPy.
     *
     * @param min the lower bound
     * @param max the upper bound
     * @return a new tensor of this tensor's shape
     */
    public Tensor clamp(double min, double max) {
        live();
        try (Scope scope = Scope.open()) {
            Tensor current = this;
            if (min != Double.NEGATIVE_INFINITY) {
                current = current.maximum(min);
            }
            if (max != Double.POSITIVE_INFINITY) {
                current = current.minimum(max);
            }
            return scope.keep(current == this ? copy() : current);
        }
    }

    /**
     * For each element v of {@code values}, the I64 position where v would be inserted into this sorted
     * 1-D tensor to keep it sorted, like NumPy's {@code searchsorted(a, v, side)}: with {@code right}
     * false the first position i with {@code this[i] >= v}, with {@code right} true the first with
     * {@code this[i] > v}. This tensor must be sorted ascending with NaNs last (as {@link #sort} leaves
     * it); a NaN value goes after every number. The result has {@code values}' shape.
     *
     * {@snippet :
     * Tensor edges = Tensor.of(1.0, 2.0, 2.0, 3.0);
     * edges.searchsorted(Tensor.of(2.0, 0.5, 9.0), false);   // [1, 0, 4]
     * edges.searchsorted(Tensor.of(2.0, 0.5, 9.0), true);    // [3, 0, 4]
     * }
     *
     * @param values the values to place, any shape and dtype
     * @param right  which end of a run of equal elements to return
     * @return a new I64 tensor of {@code values}' shape
     * @throws ShapeMismatchException if this tensor is not 1-D
     */
    public Tensor searchsorted(Tensor values, boolean right) {
        live();
        values.live();
        if (HostStaging.offHost("searchsorted", this, values)) {
            return HostStaging.run(h -> h[0].searchsorted(h[1], right), this, values);
        }
        if (shape.length != 1) {
            throw new ShapeMismatchException("searchsorted: the sorted tensor must be 1-D, got shape " + Shapes.str(shape)
                    + " (values " + Shapes.str(values.shape) + ")");
        }
        Tensor out = allocate(DType.I64, values.shape, device(), true);
        searchKernel(view(), values.view(), right, out.view());
        return out;
    }

    /**
     * {@link #oneHot(long, DType)} with an I64 result.
     *
     * @param numClasses the length of each encoding, {@code >= 0}
     * @return a new I64 tensor of shape {@code [shape()..., numClasses]}
     */
    public Tensor oneHot(long numClasses) {
        return oneHot(numClasses, DType.I64);
    }

    /**
     * The one-hot encoding of this I32 or I64 tensor of class indices, like PyTorch's
     * {@code one_hot}: the result has this shape plus a last dimension of {@code numClasses}, with 1 at
     * position {@code this[p]} of row p and 0 elsewhere.
     *
     * {@snippet :
     * Tensor.of(0L, 2, 1).oneHot(3, DType.F32);   // [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
     * }
     *
     * @param numClasses the length of each encoding, {@code >= 0}
     * @param type       the result dtype
     * @return a new tensor of shape {@code [shape()..., numClasses]}
     * @throws DTypeMismatchException    if this tensor is not I32 or I64
     * @throws IndexOutOfBoundsException if a class index lies outside {@code [0, numClasses)}
     */
    public Tensor oneHot(long numClasses, DType type) {
        live();
        if (HostStaging.offHost("oneHot", this)) {
            return HostStaging.run(h -> h[0].oneHot(numClasses, type), this);
        }
        requireIndexType("oneHot", this);
        if (numClasses < 0) {
            throw new IllegalArgumentException("oneHot: numClasses must be >= 0, got " + numClasses);
        }
        int r = shape.length;
        long[] outShape = Arrays.copyOf(shape, r + 1);
        outShape[r] = numClasses;
        checkIndicesKernel("oneHot", view(), r, outShape, false);
        Tensor out = allocate(type, outShape, device(), true);
        backend.fill(out.view(), 0);
        try (Tensor one = allocate(type, new long[0], device(), false)) {
            backend.fill(one.view(), 1);
            long[] idxShape = Arrays.copyOf(shape, r + 1);
            idxShape[r] = 1;
            scatterKernel(new StridedView(storage, dtype, idxShape, Arrays.copyOf(strides, r + 1), offset),
                    new StridedView(one.storage, type, idxShape, new long[r + 1], 0), r, out.view(), false);
        }
        return out;
    }

    /**
     * A copy with the elements below the {@code k}-th diagonal of the last two dimensions set to 0, like
     * NumPy's {@code triu}: element (…, i, j) is kept where {@code j − i >= k}. k = 0 is the main
     * diagonal, k &gt; 0 above it, k &lt; 0 below.
     *
     * @param k the lowest diagonal kept
     * @return a new tensor of this tensor's shape and dtype
     * @throws ShapeMismatchException if the tensor has fewer than 2 dimensions
     */
    public Tensor triu(long k) {
        return triangle("triu", true, k);
    }

    /**
     * A copy with the elements above the {@code k}-th diagonal of the last two dimensions set to 0, like
     * NumPy's {@code tril}: element (…, i, j) is kept where {@code j − i <= k}.
     *
     * @param k the highest diagonal kept
     * @return a new tensor of this tensor's shape and dtype
     * @throws ShapeMismatchException if the tensor has fewer than 2 dimensions
     */
    public Tensor tril(long k) {
        return triangle("tril", false, k);
    }

    private Tensor triangle(String op, boolean upper, long k) {
        live();
        if (shape.length < 2) {
            throw new ShapeMismatchException(op + " needs at least 2 dimensions, got shape " + Shapes.str(shape));
        }
        try (Scope scope = Scope.open()) {
            Tensor rows = arange(0, shape[shape.length - 2], 1, DType.I64).unsqueeze(1);
            Tensor cols = arange(0, shape[shape.length - 1], 1, DType.I64);
            Tensor offsetFromDiagonal = cols.sub(rows);
            Tensor keep = upper ? offsetFromDiagonal.ge(k) : offsetFromDiagonal.le(k);
            return scope.keep(where(onDevice(keep, device()), this, scalar(0, dtype, device())));
        }
    }

    /**
     * NumPy's {@code diag}: for a 1-D tensor v of length n, the square matrix of side {@code n + |k|}
     * with v on its k-th diagonal and zeros elsewhere; for a 2-D tensor, a 1-D copy of its k-th diagonal
     * (see {@link #diagonal}). k &gt; 0 is above the main diagonal.
     *
     * {@snippet :
     * Tensor.of(1.0, 2.0).diag(1);   // [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
     * }
     *
     * @param k which diagonal: 0 the main one, positive above, negative below
     * @return a new 2-D tensor (from 1-D input) or 1-D tensor (from 2-D input)
     * @throws ShapeMismatchException if the tensor is neither 1-D nor 2-D
     */
    public Tensor diag(long k) {
        live();
        if (shape.length == 2) {
            try (Tensor d = diagonal(k, 0, 1)) {
                scopeForget(d);
                return d.copy();
            }
        }
        if (shape.length != 1) {
            throw new ShapeMismatchException("diag expects a 1-D or 2-D tensor, got shape " + Shapes.str(shape));
        }
        long n = shape[0];
        long m = Math.addExact(n, Math.absExact(k));
        Tensor out = allocate(dtype, new long[]{m, m}, device(), true);
        backend.fill(out.view(), 0);
        if (n > 0) {
            backend.copy(view(), new StridedView(out.storage, dtype, shape, new long[]{m + 1}, k >= 0 ? k : -k * m));
        }
        return record(out, "diag", new Tensor[]{this}, new Tensor[0], (g, sv, needs) -> new Tensor[]{g.diagonal(k, 0, 1)});
    }

    /**
     * The view of the diagonal {@code (i, i + offset)} of the planes spanned by {@code axis1} and
     * {@code axis2}, like NumPy's {@code diagonal(a, offset, axis1, axis2)}: both axes are removed and the
     * diagonal becomes the last dimension, of stride {@code strides[axis1] + strides[axis2]}. Its length
     * is {@code min(dim(axis1), dim(axis2) − offset)} for offset ≥ 0 and
     * {@code min(dim(axis1) + offset, dim(axis2))} below (never negative).
     *
     * {@snippet :
     * Tensor m = Tensor.arange(0, 9, 1, DType.F64).reshape(3, 3);
     * m.diagonal(0, 0, 1);    // [0, 4, 8], sharing m's memory
     * m.diagonal(1, 0, 1);    // [1, 5]
     * m.diagonal(-1, 0, 1);   // [3, 7]
     * }
     *
     * @param offset which diagonal: 0 the main one, positive above, negative below
     * @param axis1  the row axis
     * @param axis2  the column axis, different from {@code axis1}
     * @return a view sharing this tensor's memory
     * @throws IllegalArgumentException if the axes are equal or out of range
     */
    public Tensor diagonal(long offset, int axis1, int axis2) {
        live();
        int a1 = Shapes.axis(axis1, shape.length);
        int a2 = Shapes.axis(axis2, shape.length);
        if (a1 == a2) {
            throw new IllegalArgumentException("diagonal: axis1 and axis2 must differ, both are " + a1 + " (shape " + Shapes.str(shape) + ")");
        }
        long n1 = shape[a1];
        long n2 = shape[a2];
        long len;
        if (offset >= 0) {
            len = offset >= n2 ? 0 : Math.min(n1, n2 - offset);
        } else {
            len = offset <= -n1 ? 0 : Math.min(n1 + offset, n2);
        }
        long start = len == 0 ? 0 : offset >= 0 ? offset * strides[a2] : -offset * strides[a1];
        long[] sh = new long[shape.length - 1];
        long[] st = new long[shape.length - 1];
        for (int d = 0, j = 0; d < shape.length; d++) {
            if (d != a1 && d != a2) {
                sh[j] = shape[d];
                st[j++] = strides[d];
            }
        }
        sh[sh.length - 1] = len;
        st[st.length - 1] = strides[a1] + strides[a2];
        long[] inShape = shape;
        return recordView(share(sh, st, this.offset + start), "diagonal", g -> embed(g, inShape, v -> v.diagonal(offset, axis1, axis2)));
    }

    /**
     * {@code log Σ exp(x)} over {@code axes} (all if empty), computed stably as
     * {@code m + log Σ exp(x − m)} with m the maximum, like SciPy's {@code logsumexp} and PyTorch's
     * {@code logsumexp}. A slice of only −∞ gives −∞, one containing +∞ gives +∞ and one containing NaN
     * gives NaN; an empty slice gives −∞. Integers give F64; F16 and BF16 are computed in F32 and
     * rounded once.
     *
     * <p>One axis runs the backend's fused kernel ({@link Backend#softmax}) directly. Several axes (and
     * all axes, the default) are first moved to the end and merged into one (a view when they already
     * are the trailing dense dimensions, else one copy), then reduced as one axis.
     *
     * @param axes     the axes to reduce
     * @param keepDims keep reduced dimensions as extent 1
     * @return a new floating-point tensor
     */
    public Tensor logsumexp(int[] axes, boolean keepDims) {
        live();
        int[] ax = Shapes.axes(axes, shape.length);
        boolean[] reduced = new boolean[shape.length];
        long[] keptDims = shape.clone();
        long count = 1;
        for (int a : ax) {
            reduced[a] = true;
            keptDims[a] = 1;
            count *= shape[a];
        }
        long[] kept = new long[shape.length - ax.length];
        int[] perm = new int[shape.length];
        for (int d = 0, k = 0; d < shape.length; d++) {
            if (!reduced[d]) {
                kept[k] = shape[d];
                perm[k++] = d;
            }
        }
        System.arraycopy(ax, 0, perm, kept.length, ax.length);
        if (size() == 0) {
            Tensor lse = full(Double.NEGATIVE_INFINITY, DType.floating(dtype), keptDims);
            if (keepDims) {
                return lse;
            }
            try (Tensor t = lse) {
                scopeForget(t);
                return t.squeeze(ax);
            }
        }
        if (ax.length == 1 && keepDims) {
            try (Tensor lse = softmaxFamily(SoftmaxOp.LOGSUMEXP, ax[0])) {
                scopeForget(lse);
                return lse.unsqueeze(ax[0]);
            }
        }
        if (ax.length == 1) {
            return softmaxFamily(SoftmaxOp.LOGSUMEXP, ax[0]);
        }
        try (Scope scope = Scope.open()) {
            boolean identity = true;
            for (int d = 0; d < perm.length; d++) {
                identity &= perm[d] == d;
            }
            Tensor moved = identity ? this : permute(perm);
            Tensor merged = moved.reshape(insert(kept, kept.length, count));
            Tensor lse = merged.softmaxFamily(SoftmaxOp.LOGSUMEXP, kept.length);
            return scope.keep(lse.reshape(keepDims ? keptDims : kept));
        }
    }

    /**
     * {@code exp(x) / Σ exp(x)} along {@code axis}, computed stably by first subtracting the maximum of
     * each slice, like PyTorch's {@code softmax(dim)} and SciPy's {@code softmax}; one fused backend
     * kernel ({@link Backend#softmax}). A slice of only −∞ gives NaN (0/0). Integers give F64; F16 and
     * BF16 are computed in F32 and rounded once.
     *
     * @param axis the axis whose slices sum to 1
     * @return a new floating-point tensor of this tensor's shape
     */
    public Tensor softmax(int axis) {
        live();
        int a = Shapes.axis(axis, shape.length);
        if (size() == 0) {
            return allocate(DType.floating(dtype), shape, device(), true);
        }
        return softmaxFamily(SoftmaxOp.SOFTMAX, a);
    }

    /**
     * {@code x − log Σ exp(x)} along {@code axis}, the logarithm of {@link #softmax} computed without
     * forming it (stable for very negative inputs), like PyTorch's {@code log_softmax(dim)}; one fused
     * backend kernel ({@link Backend#softmax}). Integers give F64; F16 and BF16 are computed in F32 and
     * rounded once.
     *
     * @param axis the axis to normalise along
     * @return a new floating-point tensor of this tensor's shape
     */
    public Tensor logSoftmax(int axis) {
        live();
        int a = Shapes.axis(axis, shape.length);
        if (size() == 0) {
            return allocate(DType.floating(dtype), shape, device(), true);
        }
        return softmaxFamily(SoftmaxOp.LOG_SOFTMAX, a);
    }

    /**
     * The fused softmax-family kernel along axis {@code a} of this non-empty tensor, with its derivative
     * rule (written with tensor ops, so it can be differentiated again; like every rule it recomputes
     * from the saved input instead of reading the output):
     * softmax {@code gx = y·(g − Σ g·y)}, log-softmax {@code gx = g − softmax(x)·Σ g},
     * logsumexp {@code gx = g·exp(x − lse) = g·softmax(x)}.
     */
    private Tensor softmaxFamily(SoftmaxOp op, int a) {
        if (!dtype.isFloating()) {
            try (Tensor wide = cast(DType.F64, false)) {
                return wide.softmaxFamily(op, a);
            }
        }
        if (dtype.isHalf()) {
            try (Tensor wide = cast(DType.F32, false)) {
                return wide.softmaxFamily(op, a).convertAndClose(dtype);
            }
        }
        Tensor out = allocate(dtype, op == SoftmaxOp.LOGSUMEXP ? remove(shape, a) : shape, device(), true);
        backend.softmax(op, view(), a, out.view());
        int[] ax = {a};
        return record(out, op.name().toLowerCase(), new Tensor[]{this}, new Tensor[]{this}, (g, s, needs) -> {
            Tensor x = s[0];
            Tensor gx = switch (op) {
                case SOFTMAX -> {
                    Tensor y = x.softmax(a);
                    yield y.mul(g.sub(g.mul(y).sum(ax, true)));
                }
                case LOG_SOFTMAX -> g.sub(x.softmax(a).mul(g.sum(ax, true)));
                case LOGSUMEXP -> g.unsqueeze(a).mul(x.softmax(a));
            };
            return new Tensor[]{gx};
        });
    }

    /**
     * Einstein summation, like NumPy's {@code einsum} and PyTorch's {@code einsum}: each operand's
     * dimensions are labelled by one letter in {@code spec}; the result has the output labels' dimensions,
     * and every other label is summed over. A letter repeated within one operand takes its diagonal.
     * <ul>
     *   <li>explicit output: {@code "ij,jk->ik"} (matrix product), {@code "ii->i"} (diagonal),
     *       {@code "ij->ji"} (transpose), {@code "i,i->"} (dot product), {@code "i,j->ij"} (outer product),
     *       {@code "bij,bjk->bik"} (batched product), {@code "ijk,k->ij"};</li>
     *   <li>implicit output (no {@code ->}): the labels that occur exactly once, in alphabetical order,
     *       so {@code "ij,jk"} is {@code "ij,jk->ik"} and {@code "ii"} is the trace.</li>
     * </ul>
     * Labels are ASCII letters; ellipsis ({@code ...}) broadcasting is not supported. Each operand is first
     * reduced on its own (diagonals, then sums over labels no one else needs); two operands are then
     * contracted as one batched {@link #matmul} (batch labels, then free labels of each side, then the
     * summed ones), and more than two are contracted pairwise from left to right. Floating-point
     * operands go through BLAS; integer operands are multiplied and summed elementwise. The result
     * dtype is the promotion of all operands' dtypes; the result is always a new contiguous tensor.
     *
     * {@snippet :
     * Tensor a = Tensor.ones(DType.F64, 2, 3);
     * Tensor b = Tensor.ones(DType.F64, 3, 4);
     * Tensor c = Tensor.einsum("ij,jk->ik", a, b);            // shape [2, 4], all 3
     * Tensor t = Tensor.einsum("ii", Tensor.eye(3, DType.F64)); // 0-d, 3
     * }
     *
     * @param spec     the subscripts, e.g. {@code "ij,jk->ik"}; spaces are ignored
     * @param operands one tensor per comma-separated term, on one device
     * @return a new tensor with one dimension per output label
     * @throws IllegalArgumentException if the spec is malformed, uses an ellipsis, or names an output
     *                                  label twice or one no operand has
     * @throws ShapeMismatchException   if a term's length differs from its operand's rank, or one label has
     *                                  different extents
     * @throws DTypeMismatchException   if all operands are BOOL
     */
    public static Tensor einsum(String spec, Tensor... operands) {
        if (operands.length == 0) {
            throw new IllegalArgumentException("einsum needs at least one operand");
        }
        for (Tensor t : operands) {
            t.live();
        }
        String s = spec.replaceAll("\\s+", "");
        if (s.contains(".")) {
            throw new IllegalArgumentException("einsum: ellipsis ('...') broadcasting is not supported: \"" + spec + "\"");
        }
        int arrow = s.indexOf("->");
        String[] terms = (arrow < 0 ? s : s.substring(0, arrow)).split(",", -1);
        if (terms.length != operands.length) {
            throw new IllegalArgumentException("einsum: \"" + spec + "\" has " + terms.length + " operand terms but "
                    + operands.length + " tensors were given");
        }
        long[] extent = new long[128];
        int[] definedBy = new int[128];
        int[] count = new int[128];
        Arrays.fill(definedBy, -1);
        DType type = operands[0].dtype;
        for (int i = 0; i < terms.length; i++) {
            Tensor t = operands[i];
            String term = terms[i];
            if (term.length() != t.shape.length) {
                throw new ShapeMismatchException("einsum: term \"" + term + "\" of operand " + i + " labels " + term.length()
                        + " dimensions, but the operand has shape " + Shapes.str(t.shape));
            }
            for (int d = 0; d < term.length(); d++) {
                char c = einsumLabel(spec, term.charAt(d));
                count[c]++;
                if (definedBy[c] < 0) {
                    definedBy[c] = i;
                    extent[c] = t.shape[d];
                } else if (extent[c] != t.shape[d]) {
                    throw new ShapeMismatchException("einsum: label '" + c + "' has extent " + extent[c] + " in operand " + definedBy[c]
                            + " (shape " + Shapes.str(operands[definedBy[c]].shape) + ") but " + t.shape[d] + " in operand " + i
                            + " (shape " + Shapes.str(t.shape) + ")");
                }
            }
            if (!t.device().equals(operands[0].device())) {
                throw new IllegalArgumentException("einsum: operands are on different devices: " + operands[0].device() + " and " + t.device());
            }
            type = DType.promote(type, t.dtype);
        }
        if (type == DType.BOOL) {
            throw new DTypeMismatchException("einsum is not defined for BOOL operands; cast to a number type first");
        }
        StringBuilder outLabels = new StringBuilder();
        if (arrow < 0) {
            for (char c = 0; c < 128; c++) {
                if (count[c] == 1) {
                    outLabels.append(c);
                }
            }
        } else {
            for (char c0 : s.substring(arrow + 2).toCharArray()) {
                char c = einsumLabel(spec, c0);
                if (count[c] == 0) {
                    throw new IllegalArgumentException("einsum: output label '" + c + "' appears in no operand: \"" + spec + "\"");
                }
                if (outLabels.indexOf(String.valueOf(c)) >= 0) {
                    throw new IllegalArgumentException("einsum: output label '" + c + "' is repeated: \"" + spec + "\"");
                }
                outLabels.append(c);
            }
        }
        String out = outLabels.toString();
        try (Scope scope = Scope.open()) {
            Tensor[] ts = new Tensor[operands.length];
            String[] labels = new String[operands.length];
            for (int i = 0; i < operands.length; i++) {
                Tensor t = operands[i].dtype == type ? operands[i] : operands[i].cast(type);
                String l = terms[i];
                // (1a) a label repeated within one operand selects its diagonal
                for (int p = 0; p < l.length(); p++) {
                    int q = l.indexOf(l.charAt(p), p + 1);
                    if (q >= 0) {
                        t = t.diagonal(0, p, q);
                        l = l.substring(0, p) + l.substring(p + 1, q) + l.substring(q + 1) + l.charAt(p);
                        p = -1;
                    }
                }
                ts[i] = t;
                labels[i] = l;
            }
            for (int i = 0; i < operands.length; i++) {
                // (1b) sum over labels that neither the output nor any other operand has
                StringBuilder needed = new StringBuilder(out);
                for (int j = 0; j < operands.length; j++) {
                    if (j != i) {
                        needed.append(labels[j]);
                    }
                }
                ts[i] = sumPrivateLabels(ts[i], labels[i], needed.toString());
                labels[i] = keptLabels(labels[i], needed.toString());
            }
            // (2) contract pairwise, left to right
            Tensor acc = ts[0];
            String accLabels = labels[0];
            for (int i = 1; i < operands.length; i++) {
                StringBuilder later = new StringBuilder(out);
                for (int j = i + 1; j < operands.length; j++) {
                    later.append(labels[j]);
                }
                String keep = later.toString();
                Tensor a = sumPrivateLabels(acc, accLabels, labels[i] + keep);
                String al = keptLabels(accLabels, labels[i] + keep);
                Tensor b = sumPrivateLabels(ts[i], labels[i], al + keep);
                String bl = keptLabels(labels[i], al + keep);
                StringBuilder batch = new StringBuilder();
                StringBuilder summed = new StringBuilder();
                StringBuilder leftFree = new StringBuilder();
                StringBuilder rightFree = new StringBuilder();
                for (char c : al.toCharArray()) {
                    if (bl.indexOf(c) < 0) {
                        leftFree.append(c);
                    } else if (keep.indexOf(c) >= 0) {
                        batch.append(c);
                    } else {
                        summed.append(c);
                    }
                }
                for (char c : bl.toCharArray()) {
                    if (al.indexOf(c) < 0) {
                        rightFree.append(c);
                    }
                }
                String bt = batch.toString();
                String sm = summed.toString();
                String lf = leftFree.toString();
                String rf = rightFree.toString();
                if (type.isFloating()) {
                    Tensor x = a.permute(positions(al, bt + lf + sm))
                            .reshape(labelSize(extent, bt), labelSize(extent, lf), labelSize(extent, sm));
                    Tensor y = b.permute(positions(bl, bt + sm + rf))
                            .reshape(labelSize(extent, bt), labelSize(extent, sm), labelSize(extent, rf));
                    acc = x.matmul(y).reshape(labelExtents(extent, bt + lf + rf));
                } else {
                    String all = bt + lf + rf + sm;
                    Tensor x = alignLabels(a, al, all, extent);
                    Tensor y = alignLabels(b, bl, all, extent);
                    Tensor product = x.mul(y);
                    if (!sm.isEmpty()) {
                        int[] axes = new int[sm.length()];
                        for (int k = 0; k < axes.length; k++) {
                            axes[k] = all.length() - sm.length() + k;
                        }
                        product = sumKeepingType(product, axes);
                    }
                    acc = product;
                }
                accLabels = bt + lf + rf;
            }
            // (3) the output order, as a fresh contiguous tensor of the result type
            Tensor result = acc.permute(positions(accLabels, out)).cast(type);
            return scope.keep(result);
        }
    }

    private static char einsumLabel(String spec, char c) {
        if ((c < 'a' || c > 'z') && (c < 'A' || c > 'Z')) {
            throw new IllegalArgumentException("einsum: '" + c + "' is not a valid label (ASCII letters only) in \"" + spec + "\"");
        }
        return c;
    }

    /** {@code t} summed over the labels of {@code labels} that {@code needed} lacks (inside a scope). */
    private static Tensor sumPrivateLabels(Tensor t, String labels, String needed) {
        int n = 0;
        int[] axes = new int[labels.length()];
        for (int d = 0; d < labels.length(); d++) {
            if (needed.indexOf(labels.charAt(d)) < 0) {
                axes[n++] = d;
            }
        }
        if (n == 0) {
            return t;
        }
        return sumKeepingType(t, Arrays.copyOf(axes, n));
    }

    /**
     * {@code t} summed over {@code axes} (sorted, distinct), in {@code t}'s dtype; an empty {@code t}
     * gives zeros without reaching the reduction kernel. Call inside a scope.
     */
    private static Tensor sumKeepingType(Tensor t, int[] axes) {
        if (t.size() == 0) {
            long[] kept = new long[t.shape.length - axes.length];
            for (int d = 0, k = 0, j = 0; d < t.shape.length; d++) {
                if (j < axes.length && axes[j] == d) {
                    j++;
                } else {
                    kept[k++] = t.shape[d];
                }
            }
            return zeros(t.dtype, t.device(), kept);
        }
        Tensor summed = t.sum(axes, false);
        return summed.dtype == t.dtype ? summed : summed.cast(t.dtype);
    }

    private static String keptLabels(String labels, String needed) {
        StringBuilder kept = new StringBuilder();
        for (char c : labels.toCharArray()) {
            if (needed.indexOf(c) >= 0) {
                kept.append(c);
            }
        }
        return kept.toString();
    }

    /** For each label of {@code order}, its position in {@code labels}. */
    private static int[] positions(String labels, String order) {
        int[] p = new int[order.length()];
        for (int i = 0; i < p.length; i++) {
            p[i] = labels.indexOf(order.charAt(i));
        }
        return p;
    }

    private static long labelSize(long[] extent, String labels) {
        long n = 1;
        for (char c : labels.toCharArray()) {
            n = Math.multiplyExact(n, extent[c]);
        }
        return n;
    }

    private static long[] labelExtents(long[] extent, String labels) {
        long[] e = new long[labels.length()];
        for (int i = 0; i < e.length; i++) {
            e[i] = extent[labels.charAt(i)];
        }
        return e;
    }

    /** {@code t} (labelled {@code labels}) as a view over {@code all}, with extent 1 for labels it lacks. */
    private static Tensor alignLabels(Tensor t, String labels, String all, long[] extent) {
        StringBuilder present = new StringBuilder();
        long[] sh = new long[all.length()];
        for (int i = 0; i < sh.length; i++) {
            char c = all.charAt(i);
            if (labels.indexOf(c) >= 0) {
                present.append(c);
                sh[i] = extent[c];
            } else {
                sh[i] = 1;
            }
        }
        return t.permute(positions(labels, present.toString())).reshape(sh);
    }

    // ------------------------------------------------------------------- helpers of this section

    private static void requireIndexType(String op, Tensor index) {
        if (index.dtype != DType.I32 && index.dtype != DType.I64) {
            throw new DTypeMismatchException(op + ": indices must be I32 or I64, got " + index.dtype);
        }
    }

    /** {@code a} with {@code value} inserted at position {@code at}. */
    private static long[] insert(long[] a, int at, long value) {
        long[] out = new long[a.length + 1];
        System.arraycopy(a, 0, out, 0, at);
        out[at] = value;
        System.arraycopy(a, at, out, at + 1, a.length - at);
        return out;
    }

    /** {@code a} without position {@code at}. */
    private static long[] remove(long[] a, int at) {
        long[] out = new long[a.length - 1];
        System.arraycopy(a, 0, out, 0, at);
        System.arraycopy(a, at + 1, out, at, a.length - at - 1);
        return out;
    }

    /** The part {@code [start, start + length)} of {@code v} along {@code axis}. */
    private static StridedView sliceView(StridedView v, int axis, long start, long length) {
        long[] sh = v.shape().clone();
        sh[axis] = length;
        return new StridedView(v.storage(), v.dtype(), sh, v.strides(), v.offset() + start * v.strides()[axis]);
    }

    // ------------------------------------------------------------------- kernels outside the Backend SPI
    //
    // Gather, scatter, sort, scan, mask compression and binary search have no Backend method yet; the CPU
    // implementations in dev.proxima.tensor.internal run on host memory. Every call goes through the
    // methods below, reached only with host tensors: each public operation first sends tensors on another
    // device through HostStaging (host copies, CPU kernel, results copied back). Once the SPI has these
    // primitives, a device backend can be routed here instead of staging.

    private static void checkIndicesKernel(String op, StridedView index, int axis, long[] shape) {
        checkIndicesKernel(op, index, axis, shape, true);
    }

    private static void checkIndicesKernel(String op, StridedView index, int axis, long[] shape, boolean allowNegative) {
        long extent = shape[axis];
        dev.proxima.tensor.internal.Indexing.checkIndices(index, extent, allowNegative, v -> op + ": index " + v
                + " is out of bounds for axis " + axis + " with extent " + extent + " (shape " + Shapes.str(shape) + ")");
    }

    private static void gatherKernel(StridedView src, int axis, StridedView index, StridedView dst) {
        dev.proxima.tensor.internal.Indexing.gather(src, axis, index, dst);
    }

    private static void scatterKernel(StridedView index, StridedView src, int axis, StridedView dst, boolean add) {
        dev.proxima.tensor.internal.Indexing.scatter(index, src, axis, dst, add);
    }

    private static long countTrueKernel(StridedView mask) {
        return dev.proxima.tensor.internal.Indexing.countTrue(mask);
    }

    private static void compressKernel(StridedView src, StridedView mask, StridedView dst) {
        dev.proxima.tensor.internal.Indexing.compress(src, mask, dst);
    }

    private static void sortKernel(StridedView src, int axis, boolean descending, long k, StridedView values, StridedView indices) {
        dev.proxima.tensor.internal.Sorting.sort(src, axis, descending, k, values, indices);
    }

    private static void searchKernel(StridedView sorted, StridedView values, boolean right, StridedView dst) {
        dev.proxima.tensor.internal.Sorting.searchSorted(sorted, values, right, dst);
    }

    private static void scanKernel(boolean product, StridedView src, int axis, StridedView dst) {
        dev.proxima.tensor.internal.Scan.scan(product, src, axis, dst);
    }

    // =================================================================== comparison helpers

    /**
     * True if both tensors have the same shape and every pair of elements satisfies
     * {@code |a − b| <= atol + rtol·|b|} (NaNs never match), like {@code numpy.allclose} without
     * broadcasting.
     */
    public boolean allClose(Tensor other, double rtol, double atol) {
        live();
        other.live();
        if (!Arrays.equals(shape, other.shape)) {
            return false;
        }
        double[] a = toDoubleArray();
        double[] b = other.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) {
                return false;
            }
        }
        return true;
    }

    // =================================================================== lifetime

    /** Releases this handle's reference to the memory. Closing twice is harmless. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (owner != null) {
            owner.forget(this);
            owner = null;
        }
        if (gradFn != null) {
            gradFn.release();
            gradFn = null;
        }
        if (leaf != null) {
            leaf.release();
            leaf = null;
        }
        java.lang.foreign.Arena arena = segmentArena;
        if (arena != null) {
            arena.close();
        }
        storage.release();
    }

    /**
     * The dtype, shape and (for up to 1000 elements, else the edges) the values, NumPy style, then the
     * device if it is not the host (whose values are copied to the host to be printed), as in
     * {@code tensor(F32[2], [1.0, 2.0], device=cuda:0)}.
     */
    @Override
    public String toString() {
        if (closed) {
            return "tensor(" + dtype + Shapes.str(shape) + ", closed)";
        }
        StringBuilder sb = new StringBuilder("tensor(").append(dtype).append(Shapes.str(shape)).append(", ");
        if (onHost()) {
            appendValues(sb, storage.segment(), 0, offset, strides, size() > 1000);
            return sb.append(')').toString();
        }
        try (Tensor h = hostCopy(dtype)) {
            appendValues(sb, h.storage.segment(), 0, h.offset, h.strides, size() > 1000);
        }
        return sb.append(", device=").append(device()).append(')').toString();
    }

    private void appendValues(StringBuilder sb, MemorySegment s, int depth, long at, long[] st, boolean summarize) {
        if (depth == shape.length) {
            if (dtype == DType.BOOL) {
                sb.append(Elements.getLong(s, dtype, at) != 0);
            } else if (dtype.isFloating()) {
                double v = Elements.getDouble(s, dtype, at);
                sb.append(dtype == DType.F64 ? Double.toString(v) : Float.toString((float) v));
            } else {
                sb.append(Elements.getLong(s, dtype, at)); // exact, unlike going through double
            }
            return;
        }
        sb.append('[');
        long n = shape[depth];
        for (long i = 0; i < n; i++) {
            if (summarize && n > 6 && i == 3) {
                sb.append("..., ");
                i = n - 3;
            }
            appendValues(sb, s, depth + 1, at + i * st[depth], st, summarize);
            if (i < n - 1) {
                sb.append(", ");
            }
        }
        sb.append(']');
    }
}
