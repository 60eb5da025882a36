package dev.proxima.tensor.spi;

import dev.proxima.tensor.Device;

/**
 * A device family: its memory (allocation, copies) and the kernels it registers. Implementations are found
 * with {@link java.util.ServiceLoader}.
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
     * @param device the device whose backend to find
     * @return the available backend registered for {@code device.kind()}
     * @throws IllegalArgumentException if no backend serves {@code device}'s kind
     * @throws IllegalStateException    if that backend is not available here (the message says why)
     */
    static Backend of(Device device) {
        return dev.proxima.tensor.internal.Backends.of(device);
    }

    /** {@return the device family this backend serves, e.g. {@code "cpu"}} */
    String kind();

    /** {@return true if the backend can run here (driver and libraries present)} */
    boolean isAvailable();

    /** {@return a one-line description (libraries, versions, or why it is unavailable)} */
    String describe();

    /**
     * Allocates uninitialised memory on {@code device}.
     *
     * @param device the device to allocate on (its kind is this backend's)
     * @param bytes  the number of bytes, at least 0
     * @return a new storage holding one reference, which the caller owns and releases
     */
    Storage allocate(Device device, long bytes);

    /**
     * dst := src converted to dst's dtype (see {@link dev.proxima.tensor.DType} for the rules). This is also
     * the transfer primitive: one of the views may be host memory (a {@code "cpu"} storage) while the other
     * is this backend's; the front end sends every host↔device copy to the device side's backend, which
     * alone can reach its memory.
     *
     * @param src the elements to read
     * @param dst where to write them; of {@code src}'s shape
     */
    void copy(StridedView src, StridedView dst);

    /**
     * Lists this backend's kernels (see {@link KernelRegistry}): called once, when the dispatcher first runs an
     * operation on this backend's device. The default registers nothing, so every operation on the device is
     * staged through the host.
     *
     * @param registry where to register
     */
    default void registerKernels(KernelRegistry registry) {
    }

    // ------------------------------------------------------------------ calls through the dispatcher
    //
    // The methods below are not to be overridden: each runs one core kernel through the dispatcher, which
    // picks the kernel the device's backend registered or stages the call through the host. Backends
    // implement kernels by registering them.

    /**
     * Every element of dst := value converted to dst's dtype ({@link Kernels#FILL}).
     *
     * @param dst   the output
     * @param value the value
     */
    default void fill(StridedView dst, double value) {
        dev.proxima.tensor.internal.Dispatcher.run(Kernels.FILL, value, dst);
    }

    /**
     * dst := start + i·step for element i of the contiguous 1-D view dst ({@link Kernels#IOTA}).
     *
     * @param dst   the output
     * @param start the first value
     * @param step  the increment
     */
    default void iota(StridedView dst, double start, double step) {
        dev.proxima.tensor.internal.Dispatcher.run(Kernels.IOTA, new Kernels.Iota(start, step), dst);
    }

    /**
     * dst := op(src) ({@link Kernels#UNARY}).
     *
     * @param op  the function
     * @param src the input
     * @param dst the output
     */
    default void unary(UnaryOp op, StridedView src, StridedView dst) {
        dev.proxima.tensor.internal.Dispatcher.run(Kernels.UNARY, op, src, dst);
    }

    /**
     * dst := op(a, b) ({@link Kernels#BINARY}).
     *
     * @param op  the function
     * @param a   the first input
     * @param b   the second input
     * @param dst the output
     */
    default void binary(BinaryOp op, StridedView a, StridedView b, StridedView dst) {
        dev.proxima.tensor.internal.Dispatcher.run(Kernels.BINARY, op, a, b, dst);
    }

    /**
     * dst := a·b + c, fused ({@link Kernels#MUL_ADD}).
     *
     * @param a   the first factor
     * @param b   the second factor
     * @param c   the addend
     * @param dst the output
     */
    default void mulAdd(StridedView a, StridedView b, StridedView c, StridedView dst) {
        dev.proxima.tensor.internal.Dispatcher.run(Kernels.MUL_ADD, null, a, b, c, dst);
    }

    /**
     * dst := condition ? a : b ({@link Kernels#WHERE}).
     *
     * @param condition the BOOL condition
     * @param a         the values where true
     * @param b         the values where false
     * @param dst       the output
     */
    default void where(StridedView condition, StridedView a, StridedView b, StridedView dst) {
        dev.proxima.tensor.internal.Dispatcher.run(Kernels.WHERE, null, condition, a, b, dst);
    }

    /**
     * src reduced over {@code axes} into dst ({@link Kernels#REDUCE}).
     *
     * @param op   the reduction
     * @param src  the input
     * @param axes the reduced axes, sorted and distinct
     * @param dst  the output
     */
    default void reduce(ReduceOp op, StridedView src, int[] axes, StridedView dst) {
        dev.proxima.tensor.internal.Dispatcher.run(Kernels.REDUCE, new Kernels.Reduction(op, axes), src, dst);
    }

    /**
     * Batched matrix product ({@link Kernels#MATMUL}).
     *
     * @param a   [..., m, k]
     * @param b   [..., k, n]
     * @param dst [..., m, n]
     */
    default void matmul(StridedView a, StridedView b, StridedView dst) {
        dev.proxima.tensor.internal.Dispatcher.run(Kernels.MATMUL, null, a, b, dst);
    }

    /**
     * The softmax family along {@code axis} ({@link Kernels#SOFTMAX}).
     *
     * @param op   which function
     * @param src  the input
     * @param axis the axis of the lanes
     * @param dst  the output
     */
    default void softmax(SoftmaxOp op, StridedView src, int axis, StridedView dst) {
        dev.proxima.tensor.internal.Dispatcher.run(Kernels.SOFTMAX, new Kernels.Softmax(op, axis), src, dst);
    }

    /**
     * Fills the contiguous view dst with a Philox draw ({@link Kernels#RANDOM}).
     *
     * @param op   the distribution
     * @param key  the 64-bit Philox key
     * @param draw the draw number
     * @param a    the first parameter (low, mean or p)
     * @param b    the second parameter (high or std)
     * @param dst  the output, contiguous
     */
    default void random(RandomOp op, long key, long draw, double a, double b, StridedView dst) {
        dev.proxima.tensor.internal.Dispatcher.run(Kernels.RANDOM, new Kernels.RandomDraw(op, key, draw, a, b), dst);
    }
}
