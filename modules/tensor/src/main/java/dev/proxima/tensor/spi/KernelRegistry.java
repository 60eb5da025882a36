package dev.proxima.tensor.spi;

/**
 * Where a {@link Backend} lists the kernels it has, once, when the dispatcher first needs them
 * ({@link Backend#registerKernels}). Every operation the tensor core runs on a device is looked up here by
 * (key, device kind); a key the device's backend did not register, or a kernel that declines a call, is
 * <em>staged through the host</em> by the dispatcher: its operands are copied to host memory, the CPU backend's
 * kernel runs, and its outputs are copied back — counted by {@link dev.proxima.tensor.Proxima#hostStagings()}.
 * A backend therefore registers exactly the kernels it really has, and adding a kernel to one backend never
 * touches another.
 */
public interface KernelRegistry {

    /**
     * Registers {@code kernel} as this backend's implementation of {@code key}; a later registration of the
     * same key replaces the earlier one.
     *
     * @param key    the operation
     * @param kernel its implementation for this backend's device kind
     * @param <P>    the key's parameter type
     * @throws NullPointerException if an argument is null
     */
    <P> void register(KernelKey<P> key, Kernel<P> kernel);
}
