package dev.proxima.tensor.spi;

import dev.proxima.tensor.Device;

/**
 * The kernels a device provides. Implementations are found with {@link java.util.ServiceLoader}.
 *
 * <p>The front end ({@link dev.proxima.tensor.Tensor}) validates shapes and dtypes, chooses result
 * types, broadcasts operands (zero strides) and allocates outputs; a backend only computes. Unless a
 * method says otherwise, all views have the same shape, inputs have the same dtype, and outputs are
 * freshly allocated and do not overlap inputs.
 */
public interface Backend {

    /**
     * The backend serving {@code device} (the one the front end uses for its tensors): for example
     * {@code Backend.of(Device.CPU)} is the CPU backend, which device backends call for their host fallbacks.
     *
     * @throws IllegalArgumentException if no backend serves {@code device}'s kind
     * @throws IllegalStateException    if that backend is not available here (the message says why)
     */
    static Backend of(Device device) {
        return dev.proxima.tensor.internal.Backends.of(device);
    }

    /** The device family this backend serves, e.g. {@code "cpu"}. */
    String kind();

    /** True if the backend can run here (driver and libraries present). */
    boolean isAvailable();

    /** A one-line description (libraries, versions, or why it is unavailable). */
    String describe();

    /** Allocates uninitialised memory on {@code device}. */
    Storage allocate(Device device, long bytes);

    /**
     * dst := src converted to dst's dtype (see {@link dev.proxima.tensor.DType} for the rules). This is also
     * the transfer primitive: one of the views may be host memory (a {@code "cpu"} storage) while the other
     * is this backend's; the front end sends every host↔device copy to the device side's backend, which
     * alone can reach its memory.
     */
    void copy(StridedView src, StridedView dst);

    /** Every element of dst := value converted to dst's dtype. */
    void fill(StridedView dst, double value);

    /** dst := start + i·step for element i of the contiguous 1-D view dst. */
    void iota(StridedView dst, double start, double step);

    /** dst := op(src); dst's dtype is src's, or BOOL for {@link UnaryOp#NOT}. */
    void unary(UnaryOp op, StridedView src, StridedView dst);

    /** dst := op(a, b); dst's dtype is the inputs', or BOOL for comparisons and logical ops. */
    void binary(BinaryOp op, StridedView a, StridedView b, StridedView dst);

    /** dst := a·b + c (floating types), fused. */
    void mulAdd(StridedView a, StridedView b, StridedView c, StridedView dst);

    /** dst := condition ? a : b, with condition of dtype BOOL. */
    void where(StridedView condition, StridedView a, StridedView b, StridedView dst);

    /**
     * Reduces src over {@code axes} (sorted, distinct) into dst, whose shape is src's without those
     * axes. SUM, PROD and COUNT_NONZERO of integers and BOOL accumulate in 64 bits; floats accumulate in
     * at least double precision. For ARGMAX/ARGMIN, {@code axes} has exactly one axis and dst is I64.
     */
    void reduce(ReduceOp op, StridedView src, int[] axes, StridedView dst);

    /**
     * Batched matrix product: a is [..., m, k], b is [..., k, n], dst is [..., m, n], all with the same
     * (already broadcast) batch dimensions and the same dtype: F32, F64, or F16/BF16 (products accumulated in
     * at least F32, the result rounded once to the half type — what tensor-core GEMMs do).
     */
    void matmul(StridedView a, StridedView b, StridedView dst);

    /**
     * The softmax family along {@code axis} (see {@link SoftmaxOp}): src and dst are F32 or F64 of the
     * same dtype, of any strides. For {@link SoftmaxOp#SOFTMAX} and {@link SoftmaxOp#LOG_SOFTMAX} dst has
     * src's shape; for {@link SoftmaxOp#LOGSUMEXP} dst's shape is src's without {@code axis}. The front
     * end handles empty tensors, integer inputs (as F64) and F16/BF16 (computed in F32).
     *
     * @param op   which function
     * @param src  the input
     * @param axis the axis of the lanes, in {@code [0, src.rank())}
     * @param dst  the output
     */
    void softmax(SoftmaxOp op, StridedView src, int axis, StridedView dst);

    /**
     * Fills the contiguous view dst with draw {@code draw} of the Philox-4x32-10 stream with key
     * {@code key} (key word 0 = low 32 bits): element {@code i} of dst (row-major) must be exactly the
     * value the CPU kernels ({@code dev.proxima.tensor.internal.RandomKernels}) compute for index
     * {@code i}, so a generator's values do not depend on the device (a device that cannot promise
     * bit-identical results for a distribution says how close it is in its own documentation).
     * Arguments are valid: {@code Rng} checks them (finite bounds with {@code a < b} and an F32 value in
     * {@code [a, b)} for UNIFORM, finite mean and {@code std >= 0} for NORMAL, {@code p} in [0, 1] for
     * BERNOULLI; draw below 2^48).
     *
     * @param op    the distribution; dst is F32 or F64 for UNIFORM and NORMAL, BOOL for BERNOULLI
     * @param key   the 64-bit Philox key
     * @param draw  the draw number
     * @param a     the first parameter (low, mean or p)
     * @param b     the second parameter (high or std; unused for BERNOULLI)
     * @param dst   the output, contiguous
     */
    void random(RandomOp op, long key, long draw, double a, double b, StridedView dst);
}
