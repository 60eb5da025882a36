/**
 * Proxima's neural-network layer: {@link dev.proxima.nn.Module} (parameters, buffers, children, state
 * files), layers, {@link dev.proxima.nn.Losses} and {@link dev.proxima.nn.Init}, all differentiable through
 * the tensor core's autodiff.
 */
module dev.proxima.nn {
    requires transitive dev.proxima.tensor;
    requires transitive dev.proxima.io; // state files: safetensors and .npz

    exports dev.proxima.nn;
}
