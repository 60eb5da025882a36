/**
 * Proxima's optimizers: gradient transforms composed into optimizers, learning-rate schedules, proximal
 * operators and solvers, and curvature diagnostics, on the tensor core's autodiff and {@code nn}'s modules.
 *
 * <p>Entry points: {@link dev.proxima.optim.GradientTransform} (optax's {@code init}/{@code update} and
 * {@code chain}) with the building blocks in {@link dev.proxima.optim.Transforms}; the stateful
 * {@link dev.proxima.optim.Optimizer} (PyTorch's {@code zeroGrad}/{@code step}/{@code step(closure)}, parameter
 * groups, non-finite policy, state files) built by {@link dev.proxima.optim.SGD}, {@link dev.proxima.optim.Adam},
 * {@link dev.proxima.optim.AdamW}, {@link dev.proxima.optim.Adagrad}, {@link dev.proxima.optim.AdaGradNorm},
 * {@link dev.proxima.optim.RMSprop}, {@link dev.proxima.optim.Lion} and {@link dev.proxima.optim.LBFGS} with
 * PyTorch's hyper-parameter names; {@link dev.proxima.optim.Schedule}s; and AdAdaGrad's adaptive batch size
 * ({@link dev.proxima.optim.BatchSizeTest}).
 */
module dev.proxima.optim {
    requires transitive dev.proxima.tensor;
    requires transitive dev.proxima.nn;

    exports dev.proxima.optim;
    exports dev.proxima.optim.prox;
}
