/**
 * Proxima's optimal transport: geometries (point clouds, cost matrices, online costs), problems, solvers
 * (Sinkhorn family, exact EMD, sparse Newton, sparsity-constrained) and their outputs, with POT-named one-liners
 * in {@link dev.proxima.transport.Ot}.
 */
module dev.proxima.transport {
    requires transitive dev.proxima.tensor;

    exports dev.proxima.transport;
}
