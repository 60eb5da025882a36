package dev.proxima.tensor.spi;

/**
 * One backend's implementation of one {@link KernelKey}: it computes on strided views of its device's memory
 * and never sees a tensor or the autodiff tape.
 *
 * <p>The arguments are the key's inputs followed by its outputs ({@link KernelKey#inputs()},
 * {@link KernelKey#outputs()}); the front end has validated shapes and dtypes as the key documents. A kernel
 * that cannot handle a particular call (a dtype or a layout it has no code for) returns {@code false}
 * <em>before writing anything</em>: the dispatcher then runs the CPU kernel on host copies of the operands
 * (see {@link KernelRegistry}).
 *
 * @param <P> the key's parameter type
 */
@FunctionalInterface
public interface Kernel<P> {

    /**
     * Runs the kernel.
     *
     * @param params the operation's parameters (the key says which type; {@code null} for keys without any)
     * @param args   the inputs, then the outputs
     * @return true if the kernel computed the outputs; false if it does not handle these operands and wrote
     *         nothing
     */
    boolean run(P params, StridedView[] args);
}
