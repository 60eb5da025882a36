/**
 * The {@code "cuda"} {@link dev.proxima.tensor.spi.Backend}: a separate module so that the tensor core
 * neither depends on nor loads anything CUDA-related. Put it on the module path and
 * {@link java.util.ServiceLoader} finds it; {@code Device.parse("cuda:0")} then works where a driver
 * and a GPU are present, and {@code Proxima.info()} lists it (with the reason when unavailable).
 */
module dev.proxima.tensor.cuda {
    requires dev.proxima.tensor;
    requires dev.proxima.cuda;

    exports dev.proxima.tensor.cuda;

    uses dev.proxima.tensor.spi.Backend;
    provides dev.proxima.tensor.spi.Backend with dev.proxima.tensor.cuda.CudaBackend;
}
