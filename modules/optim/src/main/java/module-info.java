/**
 * Proxima's optimizers: gradient transforms composed into optimizers, learning-rate schedules, proximal
 * operators and solvers, and curvature diagnostics, on the tensor core's autodiff and {@code nn}'s modules.
 */
module dev.proxima.optim {
    requires transitive dev.proxima.tensor;
    requires transitive dev.proxima.nn;

    exports dev.proxima.optim;
    exports dev.proxima.optim.prox;
}
