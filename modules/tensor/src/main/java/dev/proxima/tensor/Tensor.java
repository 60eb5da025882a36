package dev.proxima.tensor;

import dev.proxima.tensor.internal.Backends;
import dev.proxima.tensor.spi.Backend;
import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.ReduceOp;
import dev.proxima.tensor.spi.Storage;
import dev.proxima.tensor.spi.StridedView;
import dev.proxima.tensor.spi.UnaryOp;

import java.lang.foreign.MemorySegment;

/**
 * An n-dimensional array of one {@link DType} on one {@link Device}, in off-heap memory accounted by
 * {@link Memory}.
 *
 * <h2>Semantics</h2>
 * Operations follow NumPy: broadcasting of shapes, type promotion as documented on {@link DType}
 * (Java scalars as NumPy 2's weak Python scalars: {@code t.add(2)} takes a {@code long} like a Python
 * int and keeps an integer dtype, {@code t.add(2.0)} a {@code double} like a Python float),
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

    final Storage storage;
    final Backend backend;
    final DType dtype;
    final long[] shape;
    final long[] strides;
    final long offset;
    boolean closed;
    /** The scope that owns this handle, or null. Maintained by {@link Scope}. */
    Scope owner;
    /** The recorded operation that produced this tensor (a non-leaf of the autodiff graph), or null. */
    GradNode gradFn;
    /** The gradient accumulator of a leaf that requires grad, or null. */
    GradNode.Leaf leaf;
    /** The scope that closed this handle when it closed, or null: named in the message of a use after close. */
    Scope closedBy;

    /** Wraps storage the new tensor takes over (no retain); registers with the current scope. */
    Tensor(Storage storage, Backend backend, DType dtype, long[] shape, long[] strides, long offset, boolean scoped) {
        this.storage = storage;
        this.backend = backend;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        if (Leaks.tracking) {
            Leaks.opened(this);
        }
        if (scoped) {
            Scope s = Scope.current();
            if (s != null) {
                s.adopt(this);
            }
        }
    }

    // =================================================================== factories

    /** A fresh contiguous tensor with uninitialised contents. */
    static Tensor allocate(DType dtype, long[] shape, Device device, boolean scoped) {
        long[] checked = Shapes.checkShape(shape);
        Backend backend = Backends.of(device);
        long bytes;
        try {
            bytes = Math.multiplyExact(Shapes.size(checked), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a " + dtype + " tensor of shape " + Shapes.str(checked)
                    + " would need more than 2^63 bytes; it is too large to allocate");
        }
        Storage storage = backend.allocate(device, bytes);
        return new Tensor(storage, backend, dtype, checked, Shapes.contiguousStrides(checked), 0, scoped);
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
     * @return a new tensor over {@code storage}, contiguous and row-major, with offset 0
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
     * A tensor of the given shape filled with {@code value} (converted to {@code dtype}: rounded once for floating
     * types, truncated toward zero for integer types).
     *
     * @param value the fill value
     * @param dtype the element type
     * @param shape the extent of each dimension (none for a 0-d tensor)
     * @return a new contiguous tensor on the CPU
     * @throws ScalarOutOfRangeException if {@code dtype} is an integer type and {@code value} is NaN, infinite or,
     *                                   truncated, outside its range
     * @throws IllegalArgumentException  if a dimension is negative
     */
    public static Tensor full(double value, DType dtype, long... shape) {
        return CreationOps.full(value, dtype, shape);
    }

    /**
     * A tensor of the given shape on {@code device}, filled with {@code value} (converted to {@code dtype}),
     * like PyTorch's {@code torch.full(shape, value, device=device)}.
     *
     * @param value  the fill value
     * @param dtype  the element type
     * @param device where the memory is allocated
     * @param shape  the extent of each dimension (none for a 0-d tensor)
     * @return a new contiguous tensor on {@code device}
     * @throws ScalarOutOfRangeException if {@code dtype} is an integer type and {@code value} is NaN, infinite or,
     *                                   truncated, outside its range
     * @throws IllegalArgumentException  if a dimension is negative or no backend serves {@code device}
     */
    public static Tensor full(double value, DType dtype, Device device, long... shape) {
        return CreationOps.full(value, dtype, device, shape);
    }

    /**
     * A tensor of the given shape filled with the integer {@code value}: exact in an integer dtype (an I64 beyond
     * 2^53 too), rounded once in a floating one, as NumPy's {@code full(shape, value, dtype)} with a Python int.
     *
     * {@snippet :
     * Tensor big = Tensor.full(Long.MAX_VALUE, DType.I64, 3); // every element exactly 2^63 - 1
     * Tensor.full(300, DType.U8, 3);                          // throws ScalarOutOfRangeException
     * }
     *
     * @param value the value
     * @param dtype the element type
     * @param shape the shape
     * @return a new tensor on the CPU
     * @throws ScalarOutOfRangeException if {@code dtype} is an integer type whose range excludes {@code value}
     * @throws IllegalArgumentException  if a dimension is negative
     */
    public static Tensor full(long value, DType dtype, long... shape) {
        return CreationOps.full(value, dtype, Device.CPU, shape);
    }

    /**
     * A tensor of the given shape on {@code device} filled with the integer {@code value} (see
     * {@link #full(long, DType, long...)}).
     *
     * @param value  the value
     * @param dtype  the element type
     * @param device the device
     * @param shape  the shape
     * @return a new tensor on {@code device}
     * @throws ScalarOutOfRangeException if {@code dtype} is an integer type whose range excludes {@code value}
     * @throws IllegalArgumentException  if a dimension is negative or no backend serves {@code device}
     */
    public static Tensor full(long value, DType dtype, Device device, long... shape) {
        return CreationOps.full(value, dtype, device, shape);
    }

    /**
     * Zeros of {@code like}'s dtype and shape on its device, like NumPy's {@code zeros_like} (always contiguous).
     *
     * @param like the tensor whose dtype, shape and device to take
     * @return a new tensor of zeros
     * @throws IllegalStateException if {@code like} is closed
     */
    public static Tensor zerosLike(Tensor like) {
        like.live();
        return CreationOps.full(0, like.dtype, like.device(), like.shape);
    }

    /**
     * Ones of {@code like}'s dtype and shape on its device, like NumPy's {@code ones_like} (always contiguous).
     *
     * @param like the tensor whose dtype, shape and device to take
     * @return a new tensor of ones
     * @throws IllegalStateException if {@code like} is closed
     */
    public static Tensor onesLike(Tensor like) {
        like.live();
        return CreationOps.full(1, like.dtype, like.device(), like.shape);
    }

    /**
     * A tensor of zeros.
     *
     * @param dtype the element type
     * @param shape the extent of each dimension (none for a 0-d tensor)
     * @return a new contiguous tensor of zeros on the CPU
     * @throws IllegalArgumentException if a dimension is negative
     */
    public static Tensor zeros(DType dtype, long... shape) {
        return CreationOps.zeros(dtype, shape);
    }

    /**
     * A tensor of zeros on {@code device}.
     *
     * @param dtype  the element type
     * @param device where the memory is allocated
     * @param shape  the extent of each dimension (none for a 0-d tensor)
     * @return a new contiguous tensor of zeros on {@code device}
     * @throws IllegalArgumentException if a dimension is negative or no backend serves {@code device}
     */
    public static Tensor zeros(DType dtype, Device device, long... shape) {
        return CreationOps.zeros(dtype, device, shape);
    }

    /**
     * A tensor of ones.
     *
     * @param dtype the element type
     * @param shape the extent of each dimension (none for a 0-d tensor)
     * @return a new contiguous tensor of ones on the CPU
     * @throws IllegalArgumentException if a dimension is negative
     */
    public static Tensor ones(DType dtype, long... shape) {
        return CreationOps.ones(dtype, shape);
    }

    /**
     * A tensor of ones on {@code device}.
     *
     * @param dtype  the element type
     * @param device where the memory is allocated
     * @param shape  the extent of each dimension (none for a 0-d tensor)
     * @return a new contiguous tensor of ones on {@code device}
     * @throws IllegalArgumentException if a dimension is negative or no backend serves {@code device}
     */
    public static Tensor ones(DType dtype, Device device, long... shape) {
        return CreationOps.ones(dtype, device, shape);
    }

    /**
     * A 0-d tensor holding {@code value}.
     *
     * @param value the value, converted to {@code dtype} as in {@link #full(double, DType, long...)}
     * @param dtype the element type
     * @return a new 0-d tensor on the CPU
     */
    public static Tensor scalar(double value, DType dtype) {
        return CreationOps.scalar(value, dtype);
    }

    /**
     * A 0-d tensor holding {@code value} on {@code device}.
     *
     * @param value  the value, converted to {@code dtype} as in {@link #full(double, DType, long...)}
     * @param dtype  the element type
     * @param device where the memory is allocated
     * @return a new 0-d tensor on {@code device}
     * @throws IllegalArgumentException if no backend serves {@code device}
     */
    public static Tensor scalar(double value, DType dtype, Device device) {
        return CreationOps.scalar(value, dtype, device);
    }

    /**
     * A 0-d tensor holding the integer {@code value} (see {@link #full(long, DType, long...)}).
     *
     * @param value the value
     * @param dtype the element type
     * @return a new 0-d tensor on the CPU
     * @throws ScalarOutOfRangeException if {@code dtype} is an integer type whose range excludes {@code value}
     */
    public static Tensor scalar(long value, DType dtype) {
        return CreationOps.scalar(value, dtype, Device.CPU);
    }

    /**
     * A 0-d tensor on {@code device} holding the integer {@code value} (see {@link #full(long, DType, long...)}).
     *
     * @param value  the value
     * @param dtype  the element type
     * @param device the device
     * @return a new 0-d tensor on {@code device}
     * @throws ScalarOutOfRangeException if {@code dtype} is an integer type whose range excludes {@code value}
     * @throws IllegalArgumentException  if no backend serves {@code device}
     */
    public static Tensor scalar(long value, DType dtype, Device device) {
        return CreationOps.scalar(value, dtype, device);
    }

    /**
     * Evenly spaced values {@code start, start+step, …} below {@code end} (above, for a negative step),
     * like {@code numpy.arange}: the length is {@code ceil((end − start) / step)}.
     *
     * @param start the first value
     * @param end   the bound, excluded
     * @param step  the increment, positive or negative
     * @param dtype the element type of the result
     * @return a new 1-D tensor on the CPU (empty if {@code end} is not beyond {@code start} in the step's direction)
     * @throws IllegalArgumentException if {@code step} is 0 or not finite
     */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        return CreationOps.arange(start, end, step, dtype);
    }

    /**
     * {@code 0, 1, …, n−1} as I64.
     *
     * @param n the number of elements, at least 0
     * @return a new 1-D I64 tensor on the CPU
     */
    public static Tensor arange(long n) {
        return CreationOps.arange(n);
    }

    /**
     * {@code num} evenly spaced values from {@code start} to {@code stop} inclusive, like
     * {@code numpy.linspace}.
      *
     * @param start the first value
     * @param stop  the last value (included when {@code num > 1})
     * @param num   the number of values, at least 0
     * @param dtype the element type of the result
     * @return a new 1-D tensor of length {@code num} on the CPU
     * @throws IllegalArgumentException if {@code num} is negative
     */
    public static Tensor linspace(double start, double stop, long num, DType dtype) {
        return CreationOps.linspace(start, stop, num, dtype);
    }

    /**
     * The n×n identity matrix.
     *
     * @param n     the number of rows and columns
     * @param dtype the element type
     * @return a new [n, n] tensor on the CPU with ones on the diagonal and zeros elsewhere
     */
    public static Tensor eye(long n, DType dtype) {
        return CreationOps.eye(n, dtype);
    }

    /**
     * A 1-D F32 tensor.
     *
     * @param values the elements (copied)
     * @return a new 1-D tensor of length {@code values.length} on the CPU
     */
    public static Tensor of(float... values) {
        return CreationOps.of(values);
    }

    /**
     * A 1-D F64 tensor.
     *
     * @param values the elements (copied)
     * @return a new 1-D tensor of length {@code values.length} on the CPU
     */
    public static Tensor of(double... values) {
        return CreationOps.of(values);
    }

    /**
     * A 1-D I32 tensor.
     *
     * @param values the elements (copied)
     * @return a new 1-D tensor of length {@code values.length} on the CPU
     */
    public static Tensor of(int... values) {
        return CreationOps.of(values);
    }

    /**
     * A 1-D I64 tensor.
     *
     * @param values the elements (copied)
     * @return a new 1-D tensor of length {@code values.length} on the CPU
     */
    public static Tensor of(long... values) {
        return CreationOps.of(values);
    }

    /**
     * A 1-D BOOL tensor.
     *
     * @param values the elements (copied)
     * @return a new 1-D tensor of length {@code values.length} on the CPU
     */
    public static Tensor of(boolean... values) {
        return CreationOps.of(values);
    }

    /**
     * A tensor from a rectangular nested Java array, e.g. {@code new double[][]{{1, 2}, {3, 4}}}. The
     * dtype follows the element type: float → F32, double → F64, int → I32, long → I64, byte → I8,
     * boolean → BOOL.
     *
     * @param array a (possibly nested) primitive array, such as {@code double[][]}; its nesting depth is the rank
     * @return a new contiguous tensor on the CPU holding a copy of the elements
     * @throws IllegalArgumentException if the array is ragged or its element type is not one of those
     */
    public static Tensor fromArray(Object array) {
        return CreationOps.fromArray(array);
    }

    // =================================================================== properties

    /** {@return the element type} */
    public DType dtype() {
        return dtype;
    }

    /** {@return the extent of each dimension (a copy)} */
    public long[] shape() {
        return shape.clone();
    }

    /** {@return the step, in elements, of each dimension (a copy)} */
    public long[] strides() {
        return strides.clone();
    }

    /**
     * The extent of dimension {@code axis} (negative counts from the end).
     *
     * @param axis the dimension, {@code -rank() <= axis < rank()}
     * @return the number of elements along {@code axis}
     */
    public long dim(int axis) {
        return shape[Shapes.axis(axis, shape.length)];
    }

    /** {@return the number of dimensions} */
    public int rank() {
        return shape.length;
    }

    /** {@return the number of elements} */
    public long size() {
        return Shapes.size(shape);
    }

    /** {@return the device holding the memory} */
    public Device device() {
        return storage.device();
    }

    /** {@return true if elements are dense in row-major order} */
    public boolean isContiguous() {
        return view().isContiguous();
    }

    /** {@return true once {@link #close()} was called} */
    public boolean isClosed() {
        return closed;
    }

    /**
     * What kernels see: storage, dtype, shape, strides and offset.
     *
     * @return a new view record of this tensor's current layout (it does not hold a reference on the storage)
     * @throws IllegalStateException if the tensor is closed
     */
    public StridedView view() {
        live();
        return kernelView();
    }

    /**
     * The view for a kernel call of the op layer, without the liveness check: an op checks its operands when it
     * starts, and the dispatcher pins their memory for the call (a tensor closed by another thread in between
     * either still has its memory, or the call fails before any kernel runs, and the op frees its result).
     */
    StridedView kernelView() {
        return new StridedView(storage, dtype, shape, strides, offset);
    }

    /** Scopes the segments {@link #segment()} hands out; created by its first call, closed by {@link #close()}. */
    private volatile java.lang.foreign.Arena segmentArena;

    /**
     * The host memory of this tensor's elements (from element (0, …, 0) to the last one), valid until the
     * tensor is closed: the segment belongs to this handle, so touching it after {@link #close()} throws
     * {@link IllegalStateException} instead of reading freed memory. For interchange with native code. Only
     * host tensors have one: the storage of a device tensor throws (copy with {@code to(Device.CPU)} first).
      *
     * @return a segment of the tensor's bytes, from element (0, …, 0) to the last one, scoped to this handle
     */
    public MemorySegment segment() {
        MemorySegment elements = kernelSegment();
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

    /**
     * The host memory of this tensor's elements without a scoping arena, for kernels of this package that run
     * within the tensor's lifetime (cheaper than {@link #segment()}, whose arena costs a handshake to close).
     */
    MemorySegment kernelSegment() {
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

    void live() {
        if (closed) {
            throw new IllegalStateException(closedMessage());
        }
    }

    /** Why this tensor cannot be used: closed, by which scope, and how to keep a tensor past its scope. */
    String closedMessage() {
        String message = "tensor " + dtype + Shapes.str(shape) + " is closed";
        Scope scope = closedBy;
        if (scope == null) {
            return message;
        }
        return message + ": " + scope.describe() + " closed it; to use a tensor after its scope closes, move it"
                + " out before: scope.keep(tensor) hands it to the enclosing scope (or to you, outside any scope),"
                + " Scope.release(tensor) makes it yours to close";
    }

    // =================================================================== element access

    /**
     * The single element of a tensor with one element, as a double. For a tensor on another device the
     * element is copied to the host first.
      *
     * @return the element converted to double
     * @throws IllegalArgumentException if the tensor does not have exactly one element
     * @throws IllegalStateException if the tensor is closed
     */
    public double item() {
        return ConversionOps.item(this);
    }

    /**
     * Element at {@code index} (one index per dimension, negatives count from the end), as a double. For a
     * tensor on another device the element is copied to the host first.
      *
     * @param index one position per dimension (none for a 0-d tensor); negatives count from the end
     * @return the element converted to double
     */
    public double getDouble(long... index) {
        return ConversionOps.getDouble(this, index);
    }

    /**
     * Element at {@code index}, as a long (floats truncate); copied to the host first for a device tensor.
     *
     * @param index one position per dimension (none for a 0-d tensor); negatives count from the end
     * @return the element converted to long
     */
    public long getLong(long... index) {
        return ConversionOps.getLong(this, index);
    }

    /**
     * The elements in row-major order as floats (converted if needed). This and the other {@code toXArray}
     * methods copy a tensor on another device to the host first.
      *
     * @return a new array of {@link #size()} elements
     */
    public float[] toFloatArray() {
        return ConversionOps.toFloatArray(this);
    }

    /** {@return the elements in row-major order as doubles} */
    public double[] toDoubleArray() {
        return ConversionOps.toDoubleArray(this);
    }

    /** {@return the elements in row-major order as ints} */
    public int[] toIntArray() {
        return ConversionOps.toIntArray(this);
    }

    /** {@return the elements in row-major order as longs} */
    public long[] toLongArray() {
        return ConversionOps.toLongArray(this);
    }

    /** {@return the elements in row-major order as booleans ({@code value != 0})} */
    public boolean[] toBooleanArray() {
        return ConversionOps.toBooleanArray(this);
    }

    // =================================================================== copies and conversions

    /**
     * A contiguous copy converted to {@code target} (see {@link DType} for the conversion rules).
     *
     * @param target the element type of the result
     * @return a new contiguous tensor of the same shape on the same device
     */
    public Tensor cast(DType target) {
        return cast(target, true);
    }

    /** A contiguous tensor of {@code target} type: this one's storage if already so, else a copy. */
    Tensor cast(DType target, boolean scoped) {
        live();
        if (!scoped && target == dtype && isContiguous()) {
            return alias();
        }
        Tensor out = allocate(target, shape, device(), scoped);
        backend.copy(view(), out.view());
        if (dtype.isFloating() && target.isFloating()) {
            DType from = dtype;
            GradNode.record(out, "cast", new Tensor[]{this}, (g, needs) -> new Tensor[]{g.cast(from)});
        }
        return out;
    }

    /** An unscoped handle on the same memory that is the same tensor for autodiff (shares its graph links). */
    Tensor alias() {
        live();
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

    /** {@return a contiguous copy with its own memory} */
    public Tensor copy() {
        return ConversionOps.copy(this);
    }

    /** {@return this tensor if it is already contiguous (as a new handle on the same memory), else a contiguous copy} */
    public Tensor contiguous() {
        return ViewOps.contiguous(this);
    }

    /**
     * This tensor on {@code device}: a new handle on the same memory if it is already there, else a copy.
     * The copy is differentiable: the gradient flows back to this tensor's device.
     *
     * @param target the device to move to
     * @return a tensor on {@code target} with this tensor's dtype, shape and values
     * @throws IllegalArgumentException if no backend serves {@code device}
     */
    public Tensor to(Device target) {
        return ConversionOps.to(this, target);
    }

    /** {@code t} itself if it is on {@code device}, else a copy there (for index tensors made on the host). */
    static Tensor onDevice(Tensor t, Device device) {
        return t.device().equals(device) ? t : t.to(device);
    }

    /** A new handle on this tensor's memory with another geometry. */
    Tensor share(long[] newShape, long[] newStrides, long newOffset) {
        storage.retain();
        return new Tensor(storage, backend, dtype, newShape, newStrides, newOffset, true);
    }

    // =================================================================== views

    /**
     * This tensor with a new shape of the same size; one dimension may be −1 (inferred). A view when
     * the memory layout allows it, else a copy.
     *
     * @param newShape the extent of each dimension of the result; at most one may be −1
     * @return a tensor with the same elements in row-major order and shape {@code newShape}
     * @throws ShapeMismatchException if the sizes differ
     */
    public Tensor reshape(long... newShape) {
        return ViewOps.reshape(this, newShape);
    }

    /**
     * The view with dimensions reordered: dimension {@code i} of the result is {@code axes[i]} of this one.
     *
     * @param axes a permutation of {@code 0 … rank()−1}
     * @return a view on the same memory
     */
    public Tensor permute(int... axes) {
        return ViewOps.permute(this, axes);
    }

    /**
     * The view with two dimensions swapped.
     *
     * @param axis0 the first dimension (negative counts from the end)
     * @param axis1 the second dimension (negative counts from the end)
     * @return a view on the same memory
     */
    public Tensor transpose(int axis0, int axis1) {
        return ViewOps.transpose(this, axis0, axis1);
    }

    /** {@return the view with all dimensions reversed (the matrix transpose for 2-D), like NumPy's {@code .T}} */
    public Tensor transpose() {
        return ViewOps.transpose(this);
    }

    /**
     * Elements {@code start, start+step, …} below {@code end} along {@code axis}, as a view, with Python's
     * slice rules: negative positions count from the end and out-of-range positions are clamped.
     *
     * @param axis  the dimension to slice (negative counts from the end)
     * @param start the first position, included
     * @param end   the bound, excluded
     * @param step  the distance between taken positions, at least 1
     * @return a view on the same memory with the same rank
     * @throws IllegalArgumentException if {@code step < 1}
     */
    public Tensor slice(int axis, long start, long end, long step) {
        return ViewOps.slice(this, axis, start, end, step);
    }

    /**
     * The view at {@code index} along {@code axis}, which is removed (NumPy's {@code a[i]} for axis 0).
     *
     * @param axis  the dimension to remove (negative counts from the end)
     * @param index the position along {@code axis} (negative counts from the end)
     * @return a view on the same memory, of rank {@code rank() − 1}
     */
    public Tensor select(int axis, long index) {
        return ViewOps.select(this, axis, index);
    }

    /**
     * The view repeated (stride 0) along dimensions of extent 1, and along new leading dimensions, to
     * reach {@code target} (NumPy's {@code broadcast_to}; PyTorch's {@code expand}). A target dimension of
     * −1 keeps this tensor's extent.
     *
     * @param target the extent of each dimension of the result (at least {@code rank()} of them)
     * @return a view on the same memory with shape {@code target}
     * @throws ShapeMismatchException if a dimension is neither equal nor 1
     */
    public Tensor broadcastTo(long... target) {
        return ViewOps.broadcastTo(this, target);
    }

    /**
     * The view without the given dimensions of extent 1 (all of them if none is given).
     *
     * @param axes the dimensions to remove (negative counts from the end); each must have extent 1
     * @return a view on the same memory
     */
    public Tensor squeeze(int... axes) {
        return ViewOps.squeeze(this, axes);
    }

    /**
     * The view with a new dimension of extent 1 at {@code axis} (−1 appends).
     *
     * @param axis where the new dimension goes in the result, {@code -rank()-1 <= axis <= rank()}
     * @return a view on the same memory, of rank {@code rank() + 1}
     */
    public Tensor unsqueeze(int axis) {
        return ViewOps.unsqueeze(this, axis);
    }

    /** {@return −x} */
    public Tensor neg() {
        return ElementwiseOps.unary(this, UnaryOp.NEG);
    }

    /** {@return |x|} */
    public Tensor abs() {
        return ElementwiseOps.unary(this, UnaryOp.ABS);
    }

    /** {@return −1, 0 or 1 by the sign of x (NaN stays NaN)} */
    public Tensor sign() {
        return ElementwiseOps.unary(this, UnaryOp.SIGN);
    }

    /** {@return x² (same dtype)} */
    public Tensor square() {
        return ElementwiseOps.unary(this, UnaryOp.SQUARE);
    }

    /** {@return eˣ (integers give F64)} */
    public Tensor exp() {
        return ElementwiseOps.unary(this, UnaryOp.EXP);
    }

    /** {@return natural logarithm (integers give F64)} */
    public Tensor log() {
        return ElementwiseOps.unary(this, UnaryOp.LOG);
    }

    /** {@return square root (integers give F64)} */
    public Tensor sqrt() {
        return ElementwiseOps.unary(this, UnaryOp.SQRT);
    }

    /** {@return hyperbolic tangent (integers give F64)} */
    public Tensor tanh() {
        return ElementwiseOps.unary(this, UnaryOp.TANH);
    }

    /** {@return sine (integers give F64)} */
    public Tensor sin() {
        return ElementwiseOps.unary(this, UnaryOp.SIN);
    }

    /** {@return cosine (integers give F64)} */
    public Tensor cos() {
        return ElementwiseOps.unary(this, UnaryOp.COS);
    }

    /** {@return the logistic function 1 / (1 + e⁻ˣ) (integers give F64)} */
    public Tensor sigmoid() {
        return ElementwiseOps.unary(this, UnaryOp.SIGMOID);
    }

    /** {@return 1 / x (integers give F64)} */
    public Tensor reciprocal() {
        return ElementwiseOps.unary(this, UnaryOp.RECIPROCAL);
    }

    /**
     * The error function erf x = (2/√π)∫₀ˣ e^{−t²} dt (integers give F64): in F64 the correctly rounded value
     * wherever checked (≤ 0.5 ulp against a 160-bit reference), odd, erf(−0.0) = −0.0 as in NumPy/SciPy.
      *
     * @return a new tensor of the same shape
     */
    public Tensor erf() {
        return ElementwiseOps.unary(this, UnaryOp.ERF);
    }

    /** {@return logical not: BOOL, true where x == 0} */
    public Tensor logicalNot() {
        return ElementwiseOps.unary(this, UnaryOp.NOT);
    }

    /** The view of this tensor broadcast to {@code target} (zero strides), for kernels. */
    StridedView broadcastView(long[] target) {
        int lead = target.length - shape.length;
        long[] st = new long[target.length];
        for (int d = lead; d < target.length; d++) {
            st[d] = shape[d - lead] == 1 && target[d] != 1 ? 0 : strides[d - lead];
        }
        return new StridedView(storage, dtype, target, st, offset);
    }

    /**
     * this + other, broadcast.
     *
     * @param other the right operand; broadcasts with this tensor
     * @return a new tensor of the broadcast shape and the promoted dtype
     */
    public Tensor add(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.ADD, other);
    }

    /**
     * this + scalar, with a {@code double} scalar (a Python float, see {@link DType}): an integer or BOOL tensor
     * gives F64, a floating tensor keeps its dtype (the scalar rounded to it first).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     */
    public Tensor add(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.ADD, scalar);
    }

    /**
     * this + scalar, with a {@code long} scalar (a Python int, see {@link DType}): an integer tensor keeps its dtype
     * and overflowing results wrap, BOOL gives I64, a floating tensor keeps its dtype (the scalar rounded to it).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     * @throws ScalarOutOfRangeException if this is an integer tensor whose dtype's range excludes {@code scalar}
     */
    public Tensor add(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.ADD, scalar);
    }

    /**
     * this − other, broadcast.
     *
     * @param other the right operand; broadcasts with this tensor
     * @return a new tensor of the broadcast shape and the promoted dtype
     */
    public Tensor sub(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.SUB, other);
    }

    /**
     * this − scalar, with a {@code double} scalar (a Python float, see {@link DType}): an integer or BOOL tensor
     * gives F64, a floating tensor keeps its dtype (the scalar rounded to it first).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     */
    public Tensor sub(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.SUB, scalar);
    }

    /**
     * this − scalar, with a {@code long} scalar (a Python int, see {@link DType}): an integer tensor keeps its dtype
     * and overflowing results wrap, BOOL gives I64, a floating tensor keeps its dtype (the scalar rounded to it).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     * @throws ScalarOutOfRangeException if this is an integer tensor whose dtype's range excludes {@code scalar}
     */
    public Tensor sub(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.SUB, scalar);
    }

    /**
     * this · other, elementwise, broadcast.
     *
     * @param other the right operand; broadcasts with this tensor
     * @return a new tensor of the broadcast shape and the promoted dtype
     */
    public Tensor mul(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.MUL, other);
    }

    /**
     * this · scalar, with a {@code double} scalar (a Python float, see {@link DType}): an integer or BOOL tensor
     * gives F64, a floating tensor keeps its dtype (the scalar rounded to it first).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     */
    public Tensor mul(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.MUL, scalar);
    }

    /**
     * this · scalar, with a {@code long} scalar (a Python int, see {@link DType}): an integer tensor keeps its dtype
     * and overflowing results wrap, BOOL gives I64, a floating tensor keeps its dtype (the scalar rounded to it).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     * @throws ScalarOutOfRangeException if this is an integer tensor whose dtype's range excludes {@code scalar}
     */
    public Tensor mul(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.MUL, scalar);
    }

    /**
     * this / other: true division (integers give F64), broadcast.
     *
     * @param other the divisor; broadcasts with this tensor
     * @return a new tensor of the broadcast shape and the promoted dtype (F64 for two integer operands)
     */
    public Tensor div(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.DIV, other);
    }

    /**
     * this / scalar, with a {@code double} scalar (a Python float, see {@link DType}): an integer or BOOL tensor
     * gives F64, a floating tensor keeps its dtype (the scalar rounded to it first).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     */
    public Tensor div(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.DIV, scalar);
    }

    /**
     * this / scalar: true division (integer and BOOL tensors give F64; never out of range), with a {@code long}
     * scalar (a Python int); a floating tensor keeps its dtype (the scalar rounded to it).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     */
    public Tensor div(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.DIV, scalar);
    }

    /**
     * this raised to other, broadcast. For integer types the exponent must be non-negative
     * ({@link IllegalArgumentException} otherwise, as in NumPy). Floats follow C99's (and NumPy's) {@code pow}
     * special cases, not {@link Math#pow}'s: pow(1, y) = 1 for every y including NaN, pow(−1, ±∞) = 1, and
     * pow(x, ±0) = 1 for every x including NaN, on every path (dense, strided, scalar operand, CUDA).
      *
     * @param other the exponent; broadcasts with this tensor
     * @return a new tensor of the broadcast shape and the promoted dtype
     */
    public Tensor pow(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.POW, other);
    }

    /**
     * this raised to scalar, with a {@code double} scalar (a Python float, see {@link DType}): an integer or BOOL
     * tensor gives F64, a floating tensor keeps its dtype (the scalar rounded to it first).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     */
    public Tensor pow(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.POW, scalar);
    }

    /**
     * this raised to scalar (an integer tensor needs a non-negative exponent), with a {@code long} scalar (a Python
     * int, see {@link DType}): an integer tensor keeps its dtype and overflowing results wrap, BOOL gives I64, a
     * floating tensor keeps its dtype (the scalar rounded to it).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     * @throws ScalarOutOfRangeException if this is an integer tensor whose dtype's range excludes {@code scalar}
     */
    public Tensor pow(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.POW, scalar);
    }

    /**
     * Elementwise minimum (NaN if either is NaN).
     *
     * @param other the other operand; broadcasts with this tensor
     * @return a new tensor of the broadcast shape and the promoted dtype
     */
    public Tensor minimum(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.MIN, other);
    }

    /**
     * Elementwise minimum with a scalar, with a {@code double} scalar (a Python float, see {@link DType}): an integer
     * or BOOL tensor gives F64, a floating tensor keeps its dtype (the scalar rounded to it first).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     */
    public Tensor minimum(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.MIN, scalar);
    }

    /**
     * Elementwise minimum with a scalar, with a {@code long} scalar (a Python int, see {@link DType}): an integer
     * tensor keeps its dtype and overflowing results wrap, BOOL gives I64, a floating tensor keeps its dtype (the
     * scalar rounded to it).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     * @throws ScalarOutOfRangeException if this is an integer tensor whose dtype's range excludes {@code scalar}
     */
    public Tensor minimum(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.MIN, scalar);
    }

    /**
     * Elementwise maximum (NaN if either is NaN).
     *
     * @param other the other operand; broadcasts with this tensor
     * @return a new tensor of the broadcast shape and the promoted dtype
     */
    public Tensor maximum(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.MAX, other);
    }

    /**
     * Elementwise maximum with a scalar, with a {@code double} scalar (a Python float, see {@link DType}): an integer
     * or BOOL tensor gives F64, a floating tensor keeps its dtype (the scalar rounded to it first).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     */
    public Tensor maximum(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.MAX, scalar);
    }

    /**
     * Elementwise maximum with a scalar, with a {@code long} scalar (a Python int, see {@link DType}): an integer
     * tensor keeps its dtype and overflowing results wrap, BOOL gives I64, a floating tensor keeps its dtype (the
     * scalar rounded to it).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     * @throws ScalarOutOfRangeException if this is an integer tensor whose dtype's range excludes {@code scalar}
     */
    public Tensor maximum(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.MAX, scalar);
    }

    /**
     * BOOL: this == other.
     *
     * @param other the right operand; broadcasts with this tensor
     * @return a new BOOL tensor of the broadcast shape
     */
    public Tensor eq(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.EQ, other);
    }

    /**
     * BOOL: this == scalar, with a {@code double} scalar (a Python float), computed exactly for integer tensors (an
     * I64 tensor is not rounded to F64 first, unlike NumPy); a floating tensor compares with the scalar rounded to
     * its dtype.
     *
     * @param scalar the scalar
     * @return a new BOOL tensor of this tensor's shape
     */
    public Tensor eq(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.EQ, scalar);
    }

    /**
     * BOOL: this == scalar, computed exactly: an integer tensor compared with a scalar beyond its range gives a
     * constant result ({@code U8 255 == 256} is false), a floating tensor compares with the scalar rounded to its
     * dtype.
     *
     * @param scalar the scalar
     * @return a new BOOL tensor of this tensor's shape
     */
    public Tensor eq(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.EQ, scalar);
    }

    /**
     * BOOL: this != other.
     *
     * @param other the right operand; broadcasts with this tensor
     * @return a new BOOL tensor of the broadcast shape
     */
    public Tensor ne(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.NE, other);
    }

    /**
     * BOOL: this != scalar, with a {@code double} scalar (a Python float), computed exactly for integer tensors (an
     * I64 tensor is not rounded to F64 first, unlike NumPy); a floating tensor compares with the scalar rounded to
     * its dtype.
     *
     * @param scalar the scalar
     * @return a new BOOL tensor of this tensor's shape
     */
    public Tensor ne(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.NE, scalar);
    }

    /**
     * BOOL: this != scalar, computed exactly: an integer tensor compared with a scalar beyond its range gives a
     * constant result ({@code U8 255 == 256} is false), a floating tensor compares with the scalar rounded to its
     * dtype.
     *
     * @param scalar the scalar
     * @return a new BOOL tensor of this tensor's shape
     */
    public Tensor ne(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.NE, scalar);
    }

    /**
     * BOOL: this &lt; other.
     *
     * @param other the right operand; broadcasts with this tensor
     * @return a new BOOL tensor of the broadcast shape
     */
    public Tensor lt(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.LT, other);
    }

    /**
     * BOOL: this &lt; scalar, with a {@code double} scalar (a Python float), computed exactly for integer tensors (an
     * I64 tensor is not rounded to F64 first, unlike NumPy); a floating tensor compares with the scalar rounded to
     * its dtype.
     *
     * @param scalar the scalar
     * @return a new BOOL tensor of this tensor's shape
     */
    public Tensor lt(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.LT, scalar);
    }

    /**
     * BOOL: this &lt; scalar, computed exactly: an integer tensor compared with a scalar beyond its range gives a
     * constant result ({@code U8 255 == 256} is false), a floating tensor compares with the scalar rounded to its
     * dtype.
     *
     * @param scalar the scalar
     * @return a new BOOL tensor of this tensor's shape
     */
    public Tensor lt(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.LT, scalar);
    }

    /**
     * BOOL: this &lt;= other.
     *
     * @param other the right operand; broadcasts with this tensor
     * @return a new BOOL tensor of the broadcast shape
     */
    public Tensor le(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.LE, other);
    }

    /**
     * BOOL: this &lt;= scalar, with a {@code double} scalar (a Python float), computed exactly for integer tensors
     * (an I64 tensor is not rounded to F64 first, unlike NumPy); a floating tensor compares with the scalar rounded
     * to its dtype.
     *
     * @param scalar the scalar
     * @return a new BOOL tensor of this tensor's shape
     */
    public Tensor le(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.LE, scalar);
    }

    /**
     * BOOL: this &lt;= scalar, computed exactly: an integer tensor compared with a scalar beyond its range gives a
     * constant result ({@code U8 255 == 256} is false), a floating tensor compares with the scalar rounded to its
     * dtype.
     *
     * @param scalar the scalar
     * @return a new BOOL tensor of this tensor's shape
     */
    public Tensor le(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.LE, scalar);
    }

    /**
     * BOOL: this &gt; other.
     *
     * @param other the right operand; broadcasts with this tensor
     * @return a new BOOL tensor of the broadcast shape
     */
    public Tensor gt(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.GT, other);
    }

    /**
     * BOOL: this &gt; scalar, with a {@code double} scalar (a Python float), computed exactly for integer tensors (an
     * I64 tensor is not rounded to F64 first, unlike NumPy); a floating tensor compares with the scalar rounded to
     * its dtype.
     *
     * @param scalar the scalar
     * @return a new BOOL tensor of this tensor's shape
     */
    public Tensor gt(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.GT, scalar);
    }

    /**
     * BOOL: this &gt; scalar, computed exactly: an integer tensor compared with a scalar beyond its range gives a
     * constant result ({@code U8 255 == 256} is false), a floating tensor compares with the scalar rounded to its
     * dtype.
     *
     * @param scalar the scalar
     * @return a new BOOL tensor of this tensor's shape
     */
    public Tensor gt(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.GT, scalar);
    }

    /**
     * BOOL: this &gt;= other.
     *
     * @param other the right operand; broadcasts with this tensor
     * @return a new BOOL tensor of the broadcast shape
     */
    public Tensor ge(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.GE, other);
    }

    /**
     * BOOL: this &gt;= scalar, with a {@code double} scalar (a Python float), computed exactly for integer tensors
     * (an I64 tensor is not rounded to F64 first, unlike NumPy); a floating tensor compares with the scalar rounded
     * to its dtype.
     *
     * @param scalar the scalar
     * @return a new BOOL tensor of this tensor's shape
     */
    public Tensor ge(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.GE, scalar);
    }

    /**
     * BOOL: this &gt;= scalar, computed exactly: an integer tensor compared with a scalar beyond its range gives a
     * constant result ({@code U8 255 == 256} is false), a floating tensor compares with the scalar rounded to its
     * dtype.
     *
     * @param scalar the scalar
     * @return a new BOOL tensor of this tensor's shape
     */
    public Tensor ge(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.GE, scalar);
    }

    /**
     * BOOL: both non-zero.
     *
     * @param other the right operand, read as truth values; broadcasts with this tensor
     * @return a new BOOL tensor of the broadcast shape
     */
    public Tensor logicalAnd(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.AND, other);
    }

    /**
     * BOOL: either non-zero.
     *
     * @param other the right operand, read as truth values; broadcasts with this tensor
     * @return a new BOOL tensor of the broadcast shape
     */
    public Tensor logicalOr(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.OR, other);
    }

    /**
     * BOOL: exactly one non-zero.
     *
     * @param other the right operand, read as truth values; broadcasts with this tensor
     * @return a new BOOL tensor of the broadcast shape
     */
    public Tensor logicalXor(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.XOR, other);
    }

    /**
     * this · b + c in one pass with one rounding (fused multiply-add), broadcast; floating types only
     * (integers are computed in F64).
      *
     * @param b the factor; broadcasts with this tensor and {@code c}
     * @param c the addend; broadcasts with this tensor and {@code b}
     * @return a new tensor of the broadcast shape
     */
    public Tensor mulAdd(Tensor b, Tensor c) {
        return ElementwiseOps.mulAdd(this, b, c);
    }

    /**
     * Elementwise choice: {@code condition ? a : b}, with all three broadcast together. The condition is
     * read as truth values (non-zero); the result type is the promotion of a and b. All three are on one
     * device, except that 0-d host tensors may join operands on another device (see the class comment).
      *
     * @param condition where to take {@code a} (non-zero) or {@code b} (zero)
     * @param a         the values where the condition holds
     * @param b         the values elsewhere
     * @return a new tensor of the broadcast shape of all three
     */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        return ElementwiseOps.where(condition, a, b);
    }

    /**
     * Sum over {@code axes} (all if none); integers and BOOL sum to I64, wrapping like NumPy's int64 accumulator.
     * Floating sums are pairwise and compensated (within an ulp or two of the exact sum unless the terms cancel far
     * below their magnitude) and bit-identical whatever the thread count, JIT tier or alignment. U8 sums to I64 where NumPy gives uint64: the
     * core has no unsigned 64-bit type, and a U8 sum cannot reach 2^63.
      *
     * @param axes the dimensions to reduce (negative count from the end); none reduces all
     * @return a new tensor without the reduced dimensions (0-d when all are reduced)
     */
    public Tensor sum(int... axes) {
        return sum(axes, false);
    }

    /**
     * Sum over {@code axes} (all if empty), keeping reduced dimensions as extent 1 if {@code keepDims}.
     *
     * @param axes     the dimensions to reduce (negative count from the end); empty reduces all
     * @param keepDims true to keep each reduced dimension with extent 1
     * @return a new tensor of the sums
     */
    public Tensor sum(int[] axes, boolean keepDims) {
        return ReductionOps.reduce(this, ReduceOp.SUM, axes, keepDims);
    }

    /**
     * Product over {@code axes} (all if none); integers and BOOL multiply in I64, wrapping modulo 2^64 (U8: NumPy's
     * uint64 product has the same bits, read here as signed, since the core has no unsigned 64-bit type).
      *
     * @param axes the dimensions to reduce (negative count from the end); none reduces all
     * @return a new tensor without the reduced dimensions (0-d when all are reduced)
     */
    public Tensor prod(int... axes) {
        return prod(axes, false);
    }

    /**
     * Product over {@code axes}, optionally keeping reduced dimensions.
     *
     * @param axes     the dimensions to reduce (negative count from the end); empty reduces all
     * @param keepDims true to keep each reduced dimension with extent 1
     * @return a new tensor of the products
     */
    public Tensor prod(int[] axes, boolean keepDims) {
        return ReductionOps.reduce(this, ReduceOp.PROD, axes, keepDims);
    }

    /**
     * Arithmetic mean over {@code axes} (all if none); integers give F64, their sum taken exactly (no wrapping) and
     * rounded once. An empty extent gives NaN.
      *
     * @param axes the dimensions to reduce (negative count from the end); none reduces all
     * @return a new floating tensor without the reduced dimensions (0-d when all are reduced)
     */
    public Tensor mean(int... axes) {
        return mean(axes, false);
    }

    /**
     * Mean over {@code axes}, optionally keeping reduced dimensions.
     *
     * @param axes     the dimensions to reduce (negative count from the end); empty reduces all
     * @param keepDims true to keep each reduced dimension with extent 1
     * @return a new floating tensor of the means
     */
    public Tensor mean(int[] axes, boolean keepDims) {
        return ReductionOps.mean(this, axes, keepDims);
    }

    /**
     * Sum over {@code axes} (all if none) of the elements that are not NaN, like {@code numpy.nansum}: an all-NaN
     * (or empty) slice sums to 0. Integers and BOOL have no NaN and sum to I64 as in {@link #sum(int...)}; the
     * gradient is 0 at NaN positions.
     *
     * {@snippet :
     * Tensor x = Tensor.of(1.0, Double.NaN, 2.0);
     * Tensor s = x.nansum();   // 3.0 (x.sum() is NaN)
     * }
     *
     * @param axes the axes to reduce (negative counts from the end); none reduces all
     * @return a new tensor without the reduced axes
     * @throws IllegalArgumentException if an axis is out of range or repeated
     */
    public Tensor nansum(int... axes) {
        return nansum(axes, false);
    }

    /**
     * Sum of the elements that are not NaN over {@code axes} (all if empty), see {@link #nansum(int...)}.
     *
     * @param axes     the axes to reduce (negative counts from the end); empty reduces all
     * @param keepDims keep the reduced axes as extent 1
     * @return a new tensor
     * @throws IllegalArgumentException if an axis is out of range or repeated
     */
    public Tensor nansum(int[] axes, boolean keepDims) {
        return ReductionOps.reduce(this, ReduceOp.NAN_SUM, axes, keepDims);
    }

    /**
     * Mean over {@code axes} (all if none) of the elements that are not NaN, like {@code numpy.nanmean}: their sum
     * (accumulated in F64) over their count; NaN for an all-NaN slice. Integers give F64 as in {@link #mean(int...)};
     * the gradient is 1/count at the other positions and 0 at NaN positions.
     *
     * @param axes the axes to reduce (negative counts from the end); none reduces all
     * @return a new floating tensor without the reduced axes
     * @throws IllegalArgumentException if an axis is out of range or repeated
     */
    public Tensor nanmean(int... axes) {
        return nanmean(axes, false);
    }

    /**
     * Mean of the elements that are not NaN over {@code axes} (all if empty), see {@link #nanmean(int...)}.
     *
     * @param axes     the axes to reduce (negative counts from the end); empty reduces all
     * @param keepDims keep the reduced axes as extent 1
     * @return a new floating tensor
     * @throws IllegalArgumentException if an axis is out of range or repeated
     */
    public Tensor nanmean(int[] axes, boolean keepDims) {
        return ReductionOps.nanMean(this, axes, keepDims);
    }

    /**
     * Maximum over {@code axes} (all if none) ignoring NaN, like {@code numpy.nanmax}: NaN only for an all-NaN
     * slice (NumPy also warns there). The dtype is kept; the gradient goes to the elements equal to the maximum,
     * shared equally, and is 0 at NaN positions and for an all-NaN slice.
     *
     * @param axes the axes to reduce (negative counts from the end); none reduces all
     * @return a new tensor without the reduced axes
     * @throws IllegalArgumentException if an axis is out of range or repeated, or a reduced extent is empty
     */
    public Tensor nanmax(int... axes) {
        return nanmax(axes, false);
    }

    /**
     * Maximum ignoring NaN over {@code axes} (all if empty), see {@link #nanmax(int...)}.
     *
     * @param axes     the axes to reduce (negative counts from the end); empty reduces all
     * @param keepDims keep the reduced axes as extent 1
     * @return a new tensor
     * @throws IllegalArgumentException if an axis is out of range or repeated, or a reduced extent is empty
     */
    public Tensor nanmax(int[] axes, boolean keepDims) {
        return ReductionOps.reduce(this, ReduceOp.NAN_MAX, axes, keepDims);
    }

    /**
     * Minimum over {@code axes} (all if none) ignoring NaN, like {@code numpy.nanmin}: NaN only for an all-NaN
     * slice. The dtype is kept; the gradient is shared like {@link #nanmax(int...)}'s.
     *
     * @param axes the axes to reduce (negative counts from the end); none reduces all
     * @return a new tensor without the reduced axes
     * @throws IllegalArgumentException if an axis is out of range or repeated, or a reduced extent is empty
     */
    public Tensor nanmin(int... axes) {
        return nanmin(axes, false);
    }

    /**
     * Minimum ignoring NaN over {@code axes} (all if empty), see {@link #nanmin(int...)}.
     *
     * @param axes     the axes to reduce (negative counts from the end); empty reduces all
     * @param keepDims keep the reduced axes as extent 1
     * @return a new tensor
     * @throws IllegalArgumentException if an axis is out of range or repeated, or a reduced extent is empty
     */
    public Tensor nanmin(int[] axes, boolean keepDims) {
        return ReductionOps.reduce(this, ReduceOp.NAN_MIN, axes, keepDims);
    }

    /** This tensor converted to {@code target} as a new scoped tensor; this one is closed. */
    Tensor convertAndClose(DType target) {
        try (Tensor self = this) {
            disown(self);
            return self.cast(target);
        }
    }

    /** Removes {@code t} from its scope: the caller takes ownership. */
    static void disown(Tensor t) {
        if (t.owner != null) {
            t.owner.forget(t);
            t.owner = null;
        }
    }

    /**
     * Maximum over {@code axes} (all if none); NaN if any element is NaN.
     *
     * @param axes the dimensions to reduce (negative count from the end); none reduces all
     * @return a new tensor of this dtype without the reduced dimensions
     */
    public Tensor max(int... axes) {
        return max(axes, false);
    }

    /**
     * Maximum over {@code axes}, optionally keeping reduced dimensions.
     *
     * @param axes     the dimensions to reduce (negative count from the end); empty reduces all
     * @param keepDims true to keep each reduced dimension with extent 1
     * @return a new tensor of this dtype
     */
    public Tensor max(int[] axes, boolean keepDims) {
        return ReductionOps.reduce(this, ReduceOp.MAX, axes, keepDims);
    }

    /**
     * Minimum over {@code axes} (all if none); NaN if any element is NaN.
     *
     * @param axes the dimensions to reduce (negative count from the end); none reduces all
     * @return a new tensor of this dtype without the reduced dimensions
     */
    public Tensor min(int... axes) {
        return min(axes, false);
    }

    /**
     * Minimum over {@code axes}, optionally keeping reduced dimensions.
     *
     * @param axes     the dimensions to reduce (negative count from the end); empty reduces all
     * @param keepDims true to keep each reduced dimension with extent 1
     * @return a new tensor of this dtype
     */
    public Tensor min(int[] axes, boolean keepDims) {
        return ReductionOps.reduce(this, ReduceOp.MIN, axes, keepDims);
    }

    /** {@return i64 index of the first maximum of the flattened tensor (a NaN counts as the maximum)} */
    public Tensor argmax() {
        return ReductionOps.argReduce(this, ReduceOp.ARGMAX);
    }

    /**
     * I64 indices of the first maximum along {@code axis} (NaN counts as the maximum), the axis removed, like
     * NumPy's {@code argmax(a, axis)}.
     *
     * @param axis the axis to search along (negative counts from the end)
     * @return a new I64 tensor without {@code axis}
     * @throws IllegalArgumentException if the axis is out of range or has extent 0
     */
    public Tensor argmax(int axis) {
        return ReductionOps.argReduce(this, ReduceOp.ARGMAX, axis, false);
    }

    /**
     * I64 indices of the first maximum along {@code axis}.
     *
     * @param axis     the dimension to search (negative counts from the end)
     * @param keepDims true to keep {@code axis} with extent 1
     * @return a new I64 tensor of positions along {@code axis}
     */
    public Tensor argmax(int axis, boolean keepDims) {
        return ReductionOps.argReduce(this, ReduceOp.ARGMAX, axis, keepDims);
    }

    /** {@return i64 index of the first minimum of the flattened tensor (a NaN counts as the minimum)} */
    public Tensor argmin() {
        return ReductionOps.argReduce(this, ReduceOp.ARGMIN);
    }

    /**
     * I64 indices of the first minimum along {@code axis} (NaN counts as the minimum), the axis removed, like
     * NumPy's {@code argmin(a, axis)}.
     *
     * @param axis the axis to search along (negative counts from the end)
     * @return a new I64 tensor without {@code axis}
     * @throws IllegalArgumentException if the axis is out of range or has extent 0
     */
    public Tensor argmin(int axis) {
        return ReductionOps.argReduce(this, ReduceOp.ARGMIN, axis, false);
    }

    /**
     * I64 indices of the first minimum along {@code axis}.
     *
     * @param axis     the dimension to search (negative counts from the end)
     * @param keepDims true to keep {@code axis} with extent 1
     * @return a new I64 tensor of positions along {@code axis}
     */
    public Tensor argmin(int axis, boolean keepDims) {
        return ReductionOps.argReduce(this, ReduceOp.ARGMIN, axis, keepDims);
    }

    /** {@return the Euclidean (L2) norm of all elements} */
    public Tensor norm() {
        return norm(2, new int[0], false);
    }

    /**
     * The vector p-norm over {@code axes} (all if empty), like {@code numpy.linalg.norm} for vectors:
     * {@code ord} = 2 (Euclidean), 1 (sum of |x|), ∞ (max |x|), −∞ (min |x|), 0 (count of non-zeros) or
     * any other p (Σ|x|ᵖ)^(1/p). Integers give F64.
      *
     * @param ord      the order p of the norm, any double including ±∞ and 0
     * @param axes     the dimensions to reduce (negative count from the end); empty reduces all
     * @param keepDims true to keep each reduced dimension with extent 1
     * @return a new floating tensor of the norms
     */
    public Tensor norm(double ord, int[] axes, boolean keepDims) {
        return ReductionOps.norm(this, ord, axes, keepDims);
    }

    // =================================================================== matmul

    /**
     * Matrix product with NumPy's {@code matmul} rules: 2-D × 2-D is the matrix product; a 1-D left
     * operand is a row vector and a 1-D right operand a column vector (the added dimension is removed
     * from the result); higher ranks are stacks of matrices whose batch dimensions broadcast. F32 and
     * F64 (mixed gives F64) through BLAS gemm; transposed views are passed as BLAS transpose flags.
     *
     * @param other the right operand, of rank at least 1
     * @return a new tensor of the matrix product
     * @throws ShapeMismatchException if the inner dimensions differ or batch dimensions do not broadcast
     * @throws DTypeMismatchException if an operand is not floating point
     */
    public Tensor matmul(Tensor other) {
        return MatmulOps.matmul(this, other);
    }

    // =================================================================== autodiff

    /** {@return true if gradients flow to this tensor: it is a leaf marked with {@link #requiresGrad(boolean)} or the result of a recorded operation} */
    public boolean requiresGrad() {
        return gradFn != null || leaf != null;
    }

    /**
     * Marks this tensor as a leaf whose gradient {@link #backward()} accumulates (or unmarks it).
     * Only floating-point leaves (tensors not produced by a recorded operation) can be marked.
     *
     * @param flag true to mark, false to unmark
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
      *
     * @return the accumulated gradient, of this tensor's shape and dtype, or null if none was accumulated
     */
    public Tensor grad() {
        live();
        return leaf == null ? null : leaf.grad();
    }

    /** Discards the accumulated gradient of this leaf (PyTorch's {@code zero_grad} with {@code set_to_none}). */
    public void clearGrad() {
        if (leaf != null) {
            leaf.clear();
        }
    }

    /** {@return a new handle on the same memory, cut from the autodiff graph (no gradient flows through it)} */
    public Tensor detach() {
        live();
        return share(shape, strides, offset);
    }

    /** Back-propagates from this scalar: every leaf it depends on accumulates ∂this/∂leaf in {@link #grad()}. */
    public void backward() {
        backward(null, BackwardOptions.defaults());
    }

    /**
     * Back-propagates {@code seed} (the gradient of some scalar with respect to this tensor; null means 1 for a
     * scalar). Leaves accumulate their gradients. The graph is freed afterwards unless the options retain it;
     * with {@link BackwardOptions#creatingGraph()} the backward computation is itself recorded, so the gradients
     * can be differentiated again (Hessian-vector products, gradient penalties).
     *
     * @param seed    the gradient flowing into this tensor, of its shape, or null for a scalar
     * @param options whether to retain the graph and whether to record the backward pass
     * @throws IllegalArgumentException if the seed's shape differs, or this tensor does not require grad
     */
    public void backward(Tensor seed, BackwardOptions options) {
        Autodiff.backward(this, seed, options.retainGraph(), options.createGraph());
    }

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
        return IndexingOps.gather(this, axis, index);
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
        return IndexingOps.takeAlongAxis(this, indices, axis);
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
        return IndexingOps.indexSelect(this, axis, index);
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
        return IndexingOps.scatter(this, axis, index, src);
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
        return IndexingOps.scatterAdd(this, axis, index, src);
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
        return IndexingOps.maskedSelect(this, mask);
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
        return ShapingOps.concat(axis, tensors);
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
        return ShapingOps.stack(axis, tensors);
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
        return ShapingOps.split(this, axis, sizes);
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
        return ShapingOps.chunk(this, n, axis);
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
     * @param value     the fill value for {@link PadMode#CONSTANT} (converted to the dtype as {@link #full} converts
     *                  it); ignored otherwise
     * @return a new tensor of extent {@code dim(d) + padWidths[2d] + padWidths[2d + 1]} in each dimension d
     * @throws ScalarOutOfRangeException if a constant pad of an integer tensor gets a value outside its range
     * @throws IllegalArgumentException if there are not {@code 2 * rank()} widths, a width is negative, or
     *                                  an empty dimension would be padded by reflection or replication
     */
    public Tensor pad(long[] padWidths, PadMode mode, double value) {
        return ShapingOps.pad(this, padWidths, mode, value);
    }

    /**
     * A copy with the order of elements reversed along {@code axes} (all axes if none are given), like
     * NumPy's {@code flip} and PyTorch's {@code flip}.
     *
     * @param axes the axes to reverse (negative count from the end), distinct
     * @return a new tensor of this tensor's shape
     */
    public Tensor flip(int... axes) {
        return ShapingOps.flip(this, axes);
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
        return ShapingOps.roll(this, shift, axis);
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
        return ShapingOps.tile(this, reps);
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
        return ShapingOps.repeatInterleave(this, repeats, axis);
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
        return SortingOps.sort(this, axis, descending);
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
        return SortingOps.argsort(this, axis, descending);
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
        return SortingOps.topk(this, k, axis, largest);
    }

    /**
     * The k-th largest (or smallest) element along an axis and its position, found by selection in O(n) per lane
     * without sorting (NumPy's {@code partition}, PyTorch's {@code kthvalue} with {@code keepdim=True}): exactly
     * the last entry of {@code topk(k, axis, largest)}, ties and NaNs ordered as there. Differentiable in the
     * values (the gradient goes to the selected position).
     *
     * {@snippet :
     * try (TopK second = Tensor.of(1.0, 5.0, 3.0, 5.0).kthvalue(2, 0, true)) {
     *     second.values();    // [5]
     *     second.indices();   // [3]
     * }
     * }
     *
     * @param k       which element, counted from 1, {@code 1 <= k <= dim(axis)}
     * @param axis    the axis to select along
     * @param largest counted from the largest if true, else from the smallest
     * @return the value and its I64 position, each of this tensor's shape with 1 along the axis
     * @throws IllegalArgumentException if k is out of range or the axis is too long to sort
     */
    public TopK kthvalue(long k, int axis, boolean largest) {
        return SortingOps.kthvalue(this, k, axis, largest);
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
        return SortingOps.cumsum(this, axis);
    }

    /**
     * Running products along {@code axis}: {@code out[…, i, …] = Π_{j ≤ i} this[…, j, …]}, like NumPy's
     * {@code cumprod(a, axis)}; result types as for {@link #cumsum}.
     *
     * @param axis the axis to accumulate along
     * @return a new tensor of this tensor's shape
     */
    public Tensor cumprod(int axis) {
        return SortingOps.cumprod(this, axis);
    }

    /**
     * Each element limited to {@code [min, max]}: {@code minimum(maximum(x, min), max)}, like NumPy's
     * {@code clip} and PyTorch's {@code clamp}. NaN elements stay NaN. An infinite bound on its own side
     * ({@code min = −∞}, {@code max = +∞}) means no bound and does not change the dtype; otherwise the
     * result type follows the scalar rule of {@link DType} for a {@code double} (an integer tensor becomes F64; use
     * {@link #clamp(long, long)} to keep it integer).
     * If {@code min > max} every element becomes {@code max}, as in NumPy.
     *
     * @param min the lower bound
     * @param max the upper bound
     * @return a new tensor of this tensor's shape
     */
    public Tensor clamp(double min, double max) {
        return ElementwiseOps.clamp(this, min, max);
    }

    /**
     * Each element limited to {@code [min, max]} with tensor bounds broadcast against this tensor:
     * {@code minimum(maximum(x, min), max)}, NumPy's {@code clip(x, min, max)} with array bounds. A null bound is
     * no bound (NumPy's {@code None}); NaN in x or in a bound gives NaN; where {@code min > max} the result is
     * {@code max}. The dtype is the promotion of the three; the gradient is that of
     * {@link #maximum(Tensor)}/{@link #minimum(Tensor)} (a tie with a bound splits it evenly).
     *
     * {@snippet :
     * Tensor x = Tensor.of(new double[] {-2, 0.5, 3});
     * Tensor lo = Tensor.of(new double[] {-1, 1, 0});
     * Tensor y = x.clamp(lo, Tensor.scalar(2, DType.F64)); // [-1, 1, 2]
     * }
     *
     * @param min the lower bounds, or null for none
     * @param max the upper bounds, or null for none
     * @return a new tensor of the broadcast shape
     * @throws IllegalArgumentException if both bounds are null
     * @throws ShapeMismatchException if the shapes do not broadcast
     */
    public Tensor clamp(Tensor min, Tensor max) {
        return ElementwiseOps.clamp(this, min, max);
    }

    /**
     * Each element limited to {@code [min, max]} with integer bounds (Python ints): the dtype is kept (BOOL gives
     * I64), so an integer tensor stays integer. As in NumPy 2's {@code clip}, on an integer tensor a bound beyond
     * the dtype's range on its own side is no bound ({@code U8.clamp(-5, 300)} changes nothing); a bound beyond
     * it on the other side is out of range. If {@code min > max} every element becomes {@code max}.
     *
     * @param min the lower bound
     * @param max the upper bound
     * @return a new tensor of this tensor's shape
     * @throws ScalarOutOfRangeException if this is an integer tensor and {@code min} is above or {@code max} below
     *                                   its dtype's range
     */
    public Tensor clamp(long min, long max) {
        return ElementwiseOps.clamp(this, min, max);
    }

    /**
     * ⌊x⌋, the largest integer ≤ x; ±0, ±∞ and NaN unchanged. Integers and BOOL are returned unchanged (a copy of the same dtype, as NumPy 2). Not differentiable: the result is recorded as a constant (its gradient is zero almost everywhere), as for {@link #sign()}.
     *
     * @return a new tensor of this tensor's shape and dtype
     */
    public Tensor floor() {
        return ElementwiseOps.unary(this, UnaryOp.FLOOR);
    }

    /**
     * ⌈x⌉, the smallest integer ≥ x; ±0, ±∞ and NaN unchanged (ceil(−0.5) is −0.0). Integers and BOOL are returned unchanged. Not differentiable: the result is recorded as a constant (its gradient is zero almost everywhere), as for {@link #sign()}.
     *
     * @return a new tensor of this tensor's shape and dtype
     */
    public Tensor ceil() {
        return ElementwiseOps.unary(this, UnaryOp.CEIL);
    }

    /**
     * x rounded towards zero (trunc(−0.5) is −0.0); ±∞ and NaN unchanged. Integers and BOOL are returned unchanged. Not differentiable: the result is recorded as a constant (its gradient is zero almost everywhere), as for {@link #sign()}.
     *
     * @return a new tensor of this tensor's shape and dtype
     */
    public Tensor trunc() {
        return ElementwiseOps.unary(this, UnaryOp.TRUNC);
    }

    /**
     * x rounded to the nearest integer, halves to the even one (NumPy's {@code round}/{@code rint}:
     * round(2.5) = 2, round(−0.5) = −0.0). Integers and BOOL are returned unchanged (NumPy's {@code round} of a
     * BOOL array gives float16). Not differentiable: the result is recorded as a constant (its gradient is zero almost everywhere), as for {@link #sign()}.
     *
     * @return a new tensor of this tensor's shape and dtype
     */
    public Tensor round() {
        return ElementwiseOps.unary(this, UnaryOp.RINT);
    }

    /**
     * x rounded half to even at {@code decimals} decimal digits, as NumPy's {@code round(x, decimals)}: computed as
     * {@code round(x · 10^d) / 10^d} (for d &lt; 0, {@code round(x / 10^−d) · 10^−d}) in the tensor's dtype, so
     * like NumPy the result is the float nearest that quotient, not the decimal rounding of x's exact value
     * (round(2.675, 2) is 2.67 because 2.675 is stored as 2.67499…). Integers are unchanged for d ≥ 0 and for
     * d &lt; 0 are rounded in F64 and converted back (round(25, −1) = 20). A float tensor with |d| so large that
     * 10^|d| overflows its dtype gives NaN, as in NumPy. Not differentiable: the result is recorded as a constant (its gradient is zero almost everywhere), as for {@link #sign()}.
     *
     * {@snippet :
     * Tensor x = Tensor.of(new double[] {1.25, 1250, -0.5});
     * Tensor a = x.round(1);  // [1.2, 1250, -0.5]
     * Tensor b = x.round(-2); // [0, 1200, -0]
     * }
     *
     * @param decimals the number of decimal digits to keep; negative rounds to tens, hundreds, …
     * @return a new tensor of this tensor's shape and dtype
     */
    public Tensor round(int decimals) {
        return ElementwiseOps.round(this, decimals);
    }

    /**
     * ln(1 + x), accurate for small |x| (Math.log1p). Integers and BOOL give F64 (NumPy gives float16 for 1-byte integers and BOOL and float16/32 for small ones; the core's rule for real functions is F64, as for {@link #exp()}).
     *
     * @return a new floating tensor of this tensor's shape
     */
    public Tensor log1p() {
        return ElementwiseOps.unary(this, UnaryOp.LOG1P);
    }

    /**
     * eˣ − 1, accurate for small |x| (Math.expm1). Integers and BOOL give F64 (NumPy gives float16 for 1-byte integers and BOOL and float16/32 for small ones; the core's rule for real functions is F64, as for {@link #exp()}).
     *
     * @return a new floating tensor of this tensor's shape
     */
    public Tensor expm1() {
        return ElementwiseOps.unary(this, UnaryOp.EXPM1);
    }

    /**
     * log₂ x, exact at powers of two, within about 1 ulp elsewhere. Integers and BOOL give F64 (NumPy gives float16 for 1-byte integers and BOOL and float16/32 for small ones; the core's rule for real functions is F64, as for {@link #exp()}).
     *
     * @return a new floating tensor of this tensor's shape
     */
    public Tensor log2() {
        return ElementwiseOps.unary(this, UnaryOp.LOG2);
    }

    /**
     * log₁₀ x (Math.log10). Integers and BOOL give F64 (NumPy gives float16 for 1-byte integers and BOOL and float16/32 for small ones; the core's rule for real functions is F64, as for {@link #exp()}).
     *
     * @return a new floating tensor of this tensor's shape
     */
    public Tensor log10() {
        return ElementwiseOps.unary(this, UnaryOp.LOG10);
    }

    /**
     * 2ˣ, exact at integers (C99 pow(2, x)). Integers and BOOL give F64 (NumPy gives float16 for 1-byte integers and BOOL and float16/32 for small ones; the core's rule for real functions is F64, as for {@link #exp()}).
     *
     * @return a new floating tensor of this tensor's shape
     */
    public Tensor exp2() {
        return ElementwiseOps.unary(this, UnaryOp.EXP2);
    }

    /**
     * BOOL: true where x is NaN; integers and BOOL give false everywhere (NumPy's {@code isnan}).
     *
     * @return a new BOOL tensor of this tensor's shape
     */
    public Tensor isnan() {
        return ElementwiseOps.isnan(this);
    }

    /**
     * BOOL: true where x is +∞ or −∞; integers and BOOL give false everywhere (NumPy's {@code isinf}).
     *
     * @return a new BOOL tensor of this tensor's shape
     */
    public Tensor isinf() {
        return ElementwiseOps.isinf(this);
    }

    /**
     * BOOL: true where x is neither infinite nor NaN; integers and BOOL give true everywhere (NumPy's
     * {@code isfinite}).
     *
     * @return a new BOOL tensor of this tensor's shape
     */
    public Tensor isfinite() {
        return ElementwiseOps.isfinite(this);
    }

    /**
     * BOOL: true where the sign bit of x is set, including −0.0 and NaNs with the bit set (NumPy's
     * {@code signbit}); for integers x &lt; 0, for BOOL false.
     *
     * @return a new BOOL tensor of this tensor's shape
     */
    public Tensor signbit() {
        return ElementwiseOps.signbit(this);
    }

    /**
     * NumPy's {@code nan_to_num} with its defaults: NaN becomes 0, +∞ the largest finite value of the dtype and
     * −∞ the most negative one (F32: ±3.4028235e38, F16: ±65504); integers and BOOL are returned unchanged. The
     * gradient flows to the finite elements and is zero at the replaced ones.
     *
     * @return a new tensor of this tensor's shape and dtype
     */
    public Tensor nanToNum() {
        double big = dtype.isFloating() ? ElementwiseOps.largestFinite(dtype) : 0;
        return ElementwiseOps.nanToNum(this, 0, big, -big);
    }

    /**
     * NaN, +∞ and −∞ replaced by the given values, each converted to the tensor's dtype (NumPy's
     * {@code nan_to_num(x, nan=, posinf=, neginf=)}); integers and BOOL are returned unchanged.
     *
     * @param nan the value for NaN elements
     * @param posInf the value for +∞ elements
     * @param negInf the value for −∞ elements
     * @return a new tensor of this tensor's shape and dtype
     */
    public Tensor nanToNum(double nan, double posInf, double negInf) {
        return ElementwiseOps.nanToNum(this, nan, posInf, negInf);
    }

    /**
     * Elementwise maximum ignoring NaN (NumPy's {@code fmax}, C's {@code fmax}): the other operand where one is NaN, NaN only where both are; on a tie (−0.0 vs +0.0) this tensor's element. Dtypes promote as {@link #maximum(Tensor)}.
     *
     * @param other the second operand, broadcast against this tensor
     * @return a new tensor of the broadcast shape and promoted dtype
     * @throws ShapeMismatchException if the shapes do not broadcast
     */
    public Tensor fmax(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.FMAX, other);
    }

    /**
     * Elementwise maximum with a scalar, ignoring NaN (see {@link #fmax(Tensor)}).
     *
     * @param scalar the second operand; its type follows the scalar rule of {@link DType}
     * @return a new tensor of the broadcast shape and promoted dtype
     */
    public Tensor fmax(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.FMAX, scalar);
    }

    /**
     * The NaN-ignoring maximum (see {@link #fmax(Tensor)}), with a {@code long} scalar (a Python int, see {@link DType}): an integer tensor keeps its dtype, BOOL gives
     * I64, a floating tensor keeps its dtype (the scalar rounded to it).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     * @throws ScalarOutOfRangeException if this is an integer tensor whose dtype's range excludes {@code scalar}
     */
    public Tensor fmax(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.FMAX, scalar);
    }

    /**
     * Elementwise minimum ignoring NaN (NumPy's {@code fmin}): the other operand where one is NaN, NaN only where both are; on a tie this tensor's element.
     *
     * @param other the second operand, broadcast against this tensor
     * @return a new tensor of the broadcast shape and promoted dtype
     * @throws ShapeMismatchException if the shapes do not broadcast
     */
    public Tensor fmin(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.FMIN, other);
    }

    /**
     * Elementwise minimum with a scalar, ignoring NaN (see {@link #fmin(Tensor)}).
     *
     * @param scalar the second operand; its type follows the scalar rule of {@link DType}
     * @return a new tensor of the broadcast shape and promoted dtype
     */
    public Tensor fmin(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.FMIN, scalar);
    }

    /**
     * The NaN-ignoring minimum (see {@link #fmin(Tensor)}), with a {@code long} scalar (a Python int, see {@link DType}): an integer tensor keeps its dtype, BOOL gives
     * I64, a floating tensor keeps its dtype (the scalar rounded to it).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     * @throws ScalarOutOfRangeException if this is an integer tensor whose dtype's range excludes {@code scalar}
     */
    public Tensor fmin(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.FMIN, scalar);
    }

    /**
     * atan2(this, other): the angle in [−π, π] of the point (other, this), with C99's signed-zero and infinity cases (NumPy's {@code arctan2}). Integers and BOOL give F64 (NumPy gives float16 for 1-byte integers and BOOL and float16/32 for small ones; the core's rule for real functions is F64, as for {@link #exp()}).
     *
     * @param other the second operand, broadcast against this tensor
     * @return a new floating tensor of the broadcast shape
     * @throws ShapeMismatchException if the shapes do not broadcast
     */
    public Tensor atan2(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.ATAN2, other);
    }

    /**
     * atan2(this, scalar) (see {@link #atan2(Tensor)}).
     *
     * @param scalar the second operand; its type follows the scalar rule of {@link DType}
     * @return a new floating tensor of the broadcast shape
     */
    public Tensor atan2(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.ATAN2, scalar);
    }

    /**
     * Atan2(this, scalar) (see {@link #atan2(Tensor)}); the result is floating, with a {@code long} scalar (a Python int, see {@link DType}): a floating tensor keeps its dtype (the scalar
     * rounded to it); an integer or BOOL tensor gives F64.
     *
     * @param scalar the scalar
     * @return a new floating tensor of this tensor's shape
     */
    public Tensor atan2(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.ATAN2, scalar);
    }

    /**
     * √(this² + other²) without undue overflow or underflow; +∞ if either is ±∞, even with a NaN (NumPy's {@code hypot}). Integers and BOOL give F64 (NumPy gives float16 for 1-byte integers and BOOL and float16/32 for small ones; the core's rule for real functions is F64, as for {@link #exp()}).
     *
     * @param other the second operand, broadcast against this tensor
     * @return a new floating tensor of the broadcast shape
     * @throws ShapeMismatchException if the shapes do not broadcast
     */
    public Tensor hypot(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.HYPOT, other);
    }

    /**
     * hypot(this, scalar) (see {@link #hypot(Tensor)}).
     *
     * @param scalar the second operand; its type follows the scalar rule of {@link DType}
     * @return a new floating tensor of the broadcast shape
     */
    public Tensor hypot(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.HYPOT, scalar);
    }

    /**
     * √(this² + scalar²) (see {@link #hypot(Tensor)}); the result is floating, with a {@code long} scalar (a Python int, see {@link DType}): a floating tensor keeps its dtype (the scalar
     * rounded to it); an integer or BOOL tensor gives F64.
     *
     * @param scalar the scalar
     * @return a new floating tensor of this tensor's shape
     */
    public Tensor hypot(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.HYPOT, scalar);
    }

    /**
     * The remainder with the sign of the divisor, {@code this − other·⌊this / other⌋}: NumPy's {@code remainder}, also named {@code mod} and the {@code %} operator, and Python's {@code %} (fmod adjusted: remainder(−5, 3) = 1, remainder(5, −3) = −1; a zero result has the divisor's sign). Floats: a zero or NaN divisor or an infinite dividend gives NaN, an infinite divisor gives this or ±∞ as NumPy. Integers: a zero divisor gives 0, NumPy's result (NumPy also warns; no exception here). BOOL with BOOL is refused. The gradient is g for this and −g·floorDivide(this, other) for other.
     *
     * @param other the second operand, broadcast against this tensor
     * @return a new tensor of the broadcast shape and promoted dtype
     * @throws ShapeMismatchException if the shapes do not broadcast
     */
    public Tensor remainder(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.REMAINDER, other);
    }

    /**
     * The remainder with the sign of the divisor, {@code this − scalar·⌊this / scalar⌋} (see {@link #remainder(Tensor)}).
     *
     * @param scalar the second operand; its type follows the scalar rule of {@link DType}
     * @return a new tensor of the broadcast shape and promoted dtype
     */
    public Tensor remainder(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.REMAINDER, scalar);
    }

    /**
     * This mod scalar with the divisor's sign (see {@link #remainder(Tensor)}), with a {@code long} scalar (a Python int, see {@link DType}): an integer tensor keeps its dtype, BOOL gives
     * I64, a floating tensor keeps its dtype (the scalar rounded to it).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     * @throws ScalarOutOfRangeException if this is an integer tensor whose dtype's range excludes {@code scalar}
     */
    public Tensor remainder(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.REMAINDER, scalar);
    }

    /**
     * ⌊this / other⌋: NumPy's {@code floor_divide}, Python's {@code //}, consistent with {@link #remainder(Tensor)} ({@code a == b·floorDivide(a, b) + remainder(a, b)}). Floats: a zero divisor gives this / other (±∞ or NaN). Integers: a zero divisor gives 0 — NumPy's result, chosen over an exception so that integer and NumPy code agree (NumPy also warns) — and MIN / −1 wraps to MIN as in NumPy. BOOL with BOOL is refused. Not differentiable: the result is recorded as a constant (its gradient is zero almost everywhere), as for {@link #sign()}.
     *
     * @param other the second operand, broadcast against this tensor
     * @return a new tensor of the broadcast shape and promoted dtype
     * @throws ShapeMismatchException if the shapes do not broadcast
     */
    public Tensor floorDivide(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.FLOOR_DIVIDE, other);
    }

    /**
     * ⌊this / scalar⌋ (see {@link #floorDivide(Tensor)}).
     *
     * @param scalar the second operand; its type follows the scalar rule of {@link DType}
     * @return a new tensor of the broadcast shape and promoted dtype
     */
    public Tensor floorDivide(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.FLOOR_DIVIDE, scalar);
    }

    /**
     * ⌊this / scalar⌋ (see {@link #floorDivide(Tensor)}), with a {@code long} scalar (a Python int, see {@link DType}): an integer tensor keeps its dtype, BOOL gives
     * I64, a floating tensor keeps its dtype (the scalar rounded to it).
     *
     * @param scalar the scalar
     * @return a new tensor of this tensor's shape
     * @throws ScalarOutOfRangeException if this is an integer tensor whose dtype's range excludes {@code scalar}
     */
    public Tensor floorDivide(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.FLOOR_DIVIDE, scalar);
    }

    /**
     * |this| with the sign bit of other, NaN signs included (NumPy's {@code copysign}). Integers and BOOL give F64 (NumPy gives float16 for 1-byte integers and BOOL and float16/32 for small ones; the core's rule for real functions is F64, as for {@link #exp()}). The gradient is ±g for this (−g where the sign is flipped), zero for other.
     *
     * @param other the second operand, broadcast against this tensor
     * @return a new floating tensor of the broadcast shape
     * @throws ShapeMismatchException if the shapes do not broadcast
     */
    public Tensor copysign(Tensor other) {
        return ElementwiseOps.binary(this, BinaryOp.COPYSIGN, other);
    }

    /**
     * |this| with the sign of scalar (see {@link #copysign(Tensor)}).
     *
     * @param scalar the second operand; its type follows the scalar rule of {@link DType}
     * @return a new floating tensor of the broadcast shape
     */
    public Tensor copysign(double scalar) {
        return ElementwiseOps.binary(this, BinaryOp.COPYSIGN, scalar);
    }

    /**
     * |this| with the sign of scalar (see {@link #copysign(Tensor)}); the result is floating, with a {@code long} scalar (a Python int, see {@link DType}): a floating tensor keeps its dtype (the scalar
     * rounded to it); an integer or BOOL tensor gives F64.
     *
     * @param scalar the scalar
     * @return a new floating tensor of this tensor's shape
     */
    public Tensor copysign(long scalar) {
        return ElementwiseOps.binary(this, BinaryOp.COPYSIGN, scalar);
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
        return SortingOps.searchsorted(this, values, right);
    }

    /**
     * {@link #oneHot(long, DType)} with an I64 result.
     *
     * @param numClasses the length of each encoding, {@code >= 0}
     * @return a new I64 tensor of shape {@code [shape()..., numClasses]}
     */
    public Tensor oneHot(long numClasses) {
        return IndexingOps.oneHot(this, numClasses);
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
        return IndexingOps.oneHot(this, numClasses, type);
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
        return ShapingOps.triu(this, k);
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
        return ShapingOps.tril(this, k);
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
        return ShapingOps.diag(this, k);
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
        return ShapingOps.diagonal(this, offset, axis1, axis2);
    }

    /**
     * {@code log Σ exp(x)} along one axis, removed from the result: {@link #logsumexp(int[], boolean)
     * logsumexp(new int[]{axis}, false)}.
     *
     * @param axis the axis to reduce (negative counts from the end)
     * @return a new floating-point tensor without {@code axis}
     * @throws IllegalArgumentException if the axis is out of range
     */
    public Tensor logsumexp(int axis) {
        return SoftmaxOps.logsumexp(this, new int[]{axis}, false);
    }

    /**
     * {@code log Σ exp(x)} over {@code axes} (all if empty), computed stably as
     * {@code m + log Σ exp(x − m)} with m the maximum, like SciPy's {@code logsumexp} and PyTorch's
     * {@code logsumexp}. A slice of only −∞ gives −∞, one containing +∞ gives +∞ and one containing NaN
     * gives NaN; an empty slice gives −∞. Integers give F64; F16 and BF16 are computed in F32 and
     * rounded once.
     *
     * <p>One axis runs the fused kernel ({@link dev.proxima.tensor.spi.Kernels#SOFTMAX}) directly. Several axes (and
     * all axes, the default) are first moved to the end and merged into one (a view when they already
     * are the trailing dense dimensions, else one copy), then reduced as one axis.
     *
     * @param axes     the axes to reduce
     * @param keepDims keep reduced dimensions as extent 1
     * @return a new floating-point tensor
     */
    public Tensor logsumexp(int[] axes, boolean keepDims) {
        return SoftmaxOps.logsumexp(this, axes, keepDims);
    }

    /**
     * {@code exp(x) / Σ exp(x)} along {@code axis}, computed stably by first subtracting the maximum of
     * each slice, like PyTorch's {@code softmax(dim)} and SciPy's {@code softmax}; one fused kernel
     * ({@link dev.proxima.tensor.spi.Kernels#SOFTMAX}). A slice holding +∞ or NaN, or of only −∞, is NaN
     * throughout (as in PyTorch and SciPy). Integers give F64; F16 and BF16 are computed in F32 and rounded once.
     *
     * @param axis the axis whose slices sum to 1
     * @return a new floating-point tensor of this tensor's shape
     */
    public Tensor softmax(int axis) {
        return SoftmaxOps.softmax(this, axis);
    }

    /**
     * {@code x − log Σ exp(x)} along {@code axis}, the logarithm of {@link #softmax} computed without
     * forming it (stable for very negative inputs), like PyTorch's {@code log_softmax(dim)}; one fused kernel
     * ({@link dev.proxima.tensor.spi.Kernels#SOFTMAX}). A slice holding +∞ or NaN, or of only −∞, is NaN
     * throughout, as in PyTorch (SciPy gives −∞ beside the +∞ entry's NaN). Integers give F64; F16 and BF16
     * are computed in F32 and rounded once.
     *
     * @param axis the axis to normalise along
     * @return a new floating-point tensor of this tensor's shape
     */
    public Tensor logSoftmax(int axis) {
        return SoftmaxOps.logSoftmax(this, axis);
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
        return Einsum.einsum(spec, operands);
    }

    // =================================================================== comparison helpers

    /**
     * True if both tensors have the same shape and every pair of elements satisfies
     * {@code |a − b| <= atol + rtol·|b|} (NaNs never match), like {@code numpy.allclose} without
     * broadcasting.
      *
     * @param other the tensor to compare with, of the same shape
     * @param rtol  the relative tolerance, applied to {@code |other|}
     * @param atol  the absolute tolerance
     * @return true if every pair of elements is close
     */
    public boolean allClose(Tensor other, double rtol, double atol) {
        return ConversionOps.allClose(this, other, rtol, atol);
    }

    // =================================================================== lifetime

    /** Releases this handle's reference to the memory. Closing twice is harmless. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Leaks.tracking) {
            Leaks.closed(this);
        }
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

    // =================================================================== printing

    /**
     * The values as NumPy's {@code repr} prints them, with {@link PrintOptions#defaults()}: see
     * {@link #format(PrintOptions)}. A closed tensor prints {@code <closed>} instead of its values.
     *
     * @return the multi-line text, e.g. {@code tensor([[1., 2.],\n        [3., 4.]], dtype=F32)}
     */
    @Override
    public String toString() {
        return TensorFormatter.format(this, PrintOptions.defaults());
    }

    /**
     * The values printed with NumPy's layout rules: all printed elements in one common width (the shortest
     * digits that read back as the same value, cut at {@link PrintOptions#precision()}; scientific notation
     * when the largest magnitude is at least 1e8 or the smallest non-zero one is below 1e-4 or more than
     * 1000 times smaller), rows wrapped at {@link PrintOptions#lineWidth()}, {@code ...} for the middle
     * of each dimension of a tensor with more than {@link PrintOptions#threshold()} elements, then the shape
     * (for a summarised or empty tensor), the dtype, the device when it is not the host (the values are read
     * through a host copy) and {@code requiresGrad=true} when gradients flow to it.
     *
     * {@snippet :
     * Tensor x = Tensor.of(1.0, 2.5, -10.125);
     * x.toString();                                                    // tensor([  1.   ,   2.5  , -10.125], dtype=F64)
     * x.format(PrintOptions.defaults().withPrecision(1));               // tensor([  1. ,   2.5, -10.1], dtype=F64)
     * Tensor.arange(2000).toString();  // tensor([   0,    1,    2, ..., 1997, 1998, 1999], shape=[2000], dtype=I64)
     * }
     *
     * @param options precision, threshold, edge items, line width, suppression of small values, sign
     * @return the text; for a closed tensor {@code tensor(<closed>, shape=…, dtype=…)}, never its memory
     * @throws IllegalArgumentException if {@code options} is null
     */
    public String format(PrintOptions options) {
        return TensorFormatter.format(this, options);
    }
}
