package dev.proxima.tensor;

import dev.proxima.tensor.internal.Backends;
import dev.proxima.tensor.internal.Elements;
import dev.proxima.tensor.spi.Backend;
import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.ReduceOp;
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
     * A contiguous host tensor with uninitialised contents, registered with the current scope; for
     * kernels in this package that write every element.
     */
    static Tensor uninitialized(DType dtype, long... shape) {
        return allocate(dtype, shape, Device.CPU, true);
    }

    /** A tensor of zeros. */
    public static Tensor zeros(DType dtype, long... shape) {
        return full(0, dtype, shape);
    }

    /** A tensor of ones. */
    public static Tensor ones(DType dtype, long... shape) {
        return full(1, dtype, shape);
    }

    /** A 0-d tensor holding {@code value}. */
    public static Tensor scalar(double value, DType dtype) {
        return full(value, dtype);
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

    /**
     * The host memory of this tensor's elements (from element (0, …, 0) to the last one), valid until the
     * tensor is closed. For interchange with native code; do not keep it past {@link #close()}.
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
        return storage.segment().asSlice(offset * dtype.byteSize(), bytes);
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

    /** The single element of a tensor with one element, as a double. */
    public double item() {
        live();
        if (size() != 1) {
            throw new IllegalArgumentException("item() needs a tensor with exactly one element, got shape " + Shapes.str(shape));
        }
        return Elements.getDouble(hostSegment(), dtype, offset);
    }

    /** Element at {@code index} (one index per dimension, negatives count from the end), as a double. */
    public double getDouble(long... index) {
        return Elements.getDouble(hostSegment(), dtype, elementIndex(index));
    }

    /** Element at {@code index}, as a long (floats truncate). */
    public long getLong(long... index) {
        return Elements.getLong(hostSegment(), dtype, elementIndex(index));
    }

    private MemorySegment hostSegment() {
        live();
        if (!storage.device().equals(Device.CPU)) {
            throw new IllegalStateException("element access needs a host tensor; this one is on " + storage.device() + ", use to(Device.CPU)");
        }
        return storage.segment();
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

    /** The elements in row-major order as floats (converted if needed). */
    public float[] toFloatArray() {
        try (Tensor c = cast(DType.F32, false)) {
            float[] out = new float[javaLength()];
            MemorySegment.copy(c.storage.segment(), DType.F32.layout(), c.offset * 4, out, 0, out.length);
            return out;
        }
    }

    /** The elements in row-major order as doubles. */
    public double[] toDoubleArray() {
        try (Tensor c = cast(DType.F64, false)) {
            double[] out = new double[javaLength()];
            MemorySegment.copy(c.storage.segment(), DType.F64.layout(), c.offset * 8, out, 0, out.length);
            return out;
        }
    }

    /** The elements in row-major order as ints. */
    public int[] toIntArray() {
        try (Tensor c = cast(DType.I32, false)) {
            int[] out = new int[javaLength()];
            MemorySegment.copy(c.storage.segment(), DType.I32.layout(), c.offset * 4, out, 0, out.length);
            return out;
        }
    }

    /** The elements in row-major order as longs. */
    public long[] toLongArray() {
        try (Tensor c = cast(DType.I64, false)) {
            long[] out = new long[javaLength()];
            MemorySegment.copy(c.storage.segment(), DType.I64.layout(), c.offset * 8, out, 0, out.length);
            return out;
        }
    }

    /** The elements in row-major order as booleans ({@code value != 0}). */
    public boolean[] toBooleanArray() {
        try (Tensor c = cast(DType.BOOL, false)) {
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
            storage.retain();
            return new Tensor(storage, backend, dtype, shape, strides, offset, false);
        }
        Tensor out = allocate(target, shape, device(), scoped);
        backend.copy(view(), out.view());
        return out;
    }

    /** A contiguous copy with its own memory. */
    public Tensor copy() {
        return cast(dtype, true);
    }

    /** This tensor if it is already contiguous (as a new handle on the same memory), else a contiguous copy. */
    public Tensor contiguous() {
        live();
        if (isContiguous()) {
            return share(shape, strides, offset);
        }
        return copy();
    }

    /**
     * This tensor on {@code device}: a new handle on the same memory if it is already there, else a copy.
     *
     * @throws IllegalArgumentException if no backend serves {@code device}
     */
    public Tensor to(Device target) {
        live();
        if (target.equals(device())) {
            return share(shape, strides, offset);
        }
        Backend dst = Backends.of(target);
        try (Tensor dense = cast(dtype, false)) {
            Tensor out = allocate(dtype, shape, target, true);
            dst.copy(dense.view(), out.view());
            return out;
        }
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
        if (viewStrides != null) {
            return share(target, viewStrides, offset);
        }
        try (Tensor dense = cast(dtype, false)) {
            return dense.share(target, Shapes.contiguousStrides(target), dense.offset);
        }
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
        return share(s, st, offset);
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
        return share(sh, st, len == 0 ? offset : offset + s * strides[a]);
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
        return share(sh, st, offset + i * strides[a]);
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
        return share(sh, st, offset);
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
        return share(sh, st, offset);
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
        return share(sh, st, offset);
    }

    // =================================================================== elementwise

    private Tensor unary(UnaryOp op, DType compute) {
        live();
        try (Tensor in = compute == dtype ? null : cast(compute, false)) {
            Tensor src = in == null ? this : in;
            Tensor out = allocate(op == UnaryOp.NOT ? DType.BOOL : compute, shape, device(), true);
            backend.unary(op, src.view(), out.view());
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

    /** Logical not: BOOL, true where x == 0. */
    public Tensor logicalNot() {
        return unary(UnaryOp.NOT, dtype);
    }

    private Tensor binary(BinaryOp op, Tensor other) {
        live();
        other.live();
        if (!other.device().equals(device())) {
            throw new IllegalArgumentException(op.name().toLowerCase() + ": tensors are on different devices: "
                    + device() + " and " + other.device());
        }
        DType compute = DType.promote(dtype, other.dtype);
        if (op == BinaryOp.DIV) {
            compute = DType.floating(compute);
        }
        if (compute == DType.BOOL && (op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL || op == BinaryOp.POW)) {
            throw new DTypeMismatchException(op.name().toLowerCase() + " is not defined for two BOOL tensors; cast to an integer type first");
        }
        long[] outShape = Shapes.broadcast(op.name().toLowerCase(), shape, other.shape);
        DType outType = op.isComparison() ? DType.BOOL : compute;
        try (Tensor a = compute == dtype ? null : cast(compute, false);
             Tensor b = compute == other.dtype ? null : other.cast(compute, false)) {
            Tensor x = a == null ? this : a;
            Tensor y = b == null ? other : b;
            Tensor out = allocate(outType, outShape, device(), true);
            backend.binary(op, x.broadcastView(outShape), y.broadcastView(outShape), out.view());
            return out;
        }
    }

    private Tensor binary(BinaryOp op, double scalar) {
        live();
        DType t = DType.promoteScalar(dtype, scalar);
        try (Tensor s = allocate(t, new long[0], device(), false)) {
            backend.fill(s.view(), scalar);
            return binary(op, s);
        }
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
        DType compute = DType.floating(DType.promote(DType.promote(dtype, b.dtype), c.dtype));
        long[] outShape = Shapes.broadcast("mulAdd", Shapes.broadcast("mulAdd", shape, b.shape), c.shape);
        try (Tensor x = cast(compute, false); Tensor y = b.cast(compute, false); Tensor z = c.cast(compute, false)) {
            Tensor out = allocate(compute, outShape, device(), true);
            backend.mulAdd(x.broadcastView(outShape), y.broadcastView(outShape), z.broadcastView(outShape), out.view());
            return out;
        }
    }

    /**
     * Elementwise choice: {@code condition ? a : b}, with all three broadcast together. The condition is
     * read as truth values (non-zero); the result type is the promotion of a and b.
     */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        condition.live();
        a.live();
        b.live();
        DType t = DType.promote(a.dtype, b.dtype);
        long[] outShape = Shapes.broadcast("where", Shapes.broadcast("where", condition.shape, a.shape), b.shape);
        try (Tensor c = condition.cast(DType.BOOL, false); Tensor x = a.cast(t, false); Tensor y = b.cast(t, false)) {
            Tensor out = allocate(t, outShape, a.device(), true);
            a.backend.where(c.broadcastView(outShape), x.broadcastView(outShape), y.broadcastView(outShape), out.view());
            return out;
        }
    }

    // =================================================================== reductions

    private Tensor reduce(ReduceOp op, int[] axes, boolean keepDims, DType compute, DType result) {
        live();
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
        try (Tensor a = abs(); Tensor p = a.pow(ord); Tensor s = p.sum(axes, keepDims)) {
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
            throw new DTypeMismatchException("matmul supports F32 and F64, got " + dtype + " and " + other.dtype + "; cast first");
        }
        if (!other.device().equals(device())) {
            throw new IllegalArgumentException("matmul: tensors are on different devices: " + device() + " and " + other.device());
        }
        DType t = DType.promote(dtype, other.dtype);
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
            if (!vecLeft && !vecRight) {
                return out;
            }
            long[] finalShape = vecLeft && vecRight ? Arrays.copyOf(batch, batch.length)
                    : vecLeft ? concat(batch, n) : concat(batch, m);
            try (Tensor o = out) {
                scopeForget(o);
                return o.reshape(finalShape);
            }
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
        storage.release();
    }

    /** The dtype, shape and (for up to 1000 elements, else the edges) the values, NumPy style. */
    @Override
    public String toString() {
        if (closed) {
            return "tensor(" + dtype + Shapes.str(shape) + ", closed)";
        }
        StringBuilder sb = new StringBuilder("tensor(").append(dtype).append(Shapes.str(shape)).append(", ");
        if (!device().equals(Device.CPU)) {
            return sb.append(device()).append(')').toString();
        }
        appendValues(sb, 0, offset, size() > 1000);
        return sb.append(')').toString();
    }

    private void appendValues(StringBuilder sb, int depth, long at, boolean summarize) {
        if (depth == shape.length) {
            double v = Elements.getDouble(storage.segment(), dtype, at);
            if (dtype == DType.BOOL) {
                sb.append(v != 0);
            } else if (dtype.isFloating()) {
                sb.append(dtype == DType.F32 ? Float.toString((float) v) : Double.toString(v));
            } else {
                sb.append((long) v);
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
            appendValues(sb, depth + 1, at + i * strides[depth], summarize);
            if (i < n - 1) {
                sb.append(", ");
            }
        }
        sb.append(']');
    }
}
