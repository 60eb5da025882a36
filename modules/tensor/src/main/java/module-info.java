/**
 * Proxima's tensor core: n-dimensional arrays in off-heap memory accounted by an Apache Arrow
 * allocator, with NumPy-like dtypes, strided views, broadcasting math, reductions and matmul.
 *
 * <p>Start at {@link dev.proxima.tensor.Tensor}; lifetimes are managed by
 * {@link dev.proxima.tensor.Scope}; {@link dev.proxima.tensor.Proxima#info()} reports the platform.
 */
module dev.proxima.tensor {
    requires transitive dev.proxima.blas;
    requires transitive org.apache.arrow.memory.core;
    // Arrow's BaseAllocator looks for a default allocation manager when it is initialised.
    requires org.apache.arrow.memory.unsafe;
    requires jdk.incubator.vector;

    exports dev.proxima.tensor;
    exports dev.proxima.tensor.spi;

    uses dev.proxima.tensor.spi.Backend;
    provides dev.proxima.tensor.spi.Backend with dev.proxima.tensor.internal.CpuBackend;
}
