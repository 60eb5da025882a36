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
     * (already broadcast) batch dimensions; F32 or F64.
     */
    void matmul(StridedView a, StridedView b, StridedView dst);
}
