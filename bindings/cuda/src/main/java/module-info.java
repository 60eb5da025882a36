/**
 * Panama (FFM) bindings to NVIDIA's CUDA driver API, cuBLAS and NVRTC, plus the kernel sources
 * ({@code native/cuda/*.cu}, carried as resources) and their NVRTC compile cache.
 *
 * <p>No JNI. Libraries are located and loaded lazily; a machine without a driver gets
 * {@link dev.proxima.cuda.Cuda#availability()} = unavailable with a one-line reason, never an error at
 * class-load time. Every public downcall validates its arguments in Java first and throws
 * {@link IllegalArgumentException} before any native call; a failing CUDA call throws
 * {@link dev.proxima.cuda.CudaException} with the decoded error name.
 */
module dev.proxima.cuda {
    exports dev.proxima.cuda;
}
