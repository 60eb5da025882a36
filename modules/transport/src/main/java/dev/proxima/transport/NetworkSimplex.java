package dev.proxima.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.transport.internal.ExactTransport;
import dev.proxima.transport.internal.Inputs;

import java.util.Arrays;

/**
 * Exact optimal transport (earth mover's distance) by the network simplex method, as POT's {@code ot.emd}:
 * the plan P ≥ 0 with row sums a and column sums b that minimises {@code ⟨P, M⟩}, with the dual potentials
 * u, v that prove it optimal.
 *
 * <p>The algorithm is the primal network simplex on the complete bipartite graph rows → columns: a spanning-tree
 * basis (parent, thread and depth arrays), block-search pricing over √(nm) cells at a time, the strongly
 * feasible leaving-arc rule (no cycling on degenerate problems with many ties), and potentials updated on the
 * moved subtree only. It runs in F64 on the host whatever the inputs' dtype and device; the tensors are read
 * once and the outputs written once.
 *
 * <p>Inputs: rows and columns of zero weight are allowed (they get no mass; their duals are the largest
 * feasible ones). The problem is balanced: Σa and Σb must agree to a relative 1e-9; b is then rescaled to a's
 * mass, as POT does (POT accepts a difference up to 1.5e-7 absolute, this check is relative and tighter).
 *
 * {@snippet :
 * NetworkSimplex solver = NetworkSimplex.builder().maxIterations(1_000_000).build();
 * try (NetworkSimplexOutput out = solver.solve(a, b, Ot.dist(x, y))) {
 *     double w2 = out.cost();            // the squared 2-Wasserstein distance
 *     Tensor plan = out.plan();          // [n, m], at most n + m − 1 nonzeros
 * }
 * }
 *
 * <p>Reference: Bonneel, van de Panne, Paris, Heidrich, "Displacement interpolation using Lagrangian mass
 * transport", SIGGRAPH Asia 2011 (the network simplex behind POT); Ahuja, Magnanti, Orlin, "Network Flows",
 * ch. 11.
 */
public final class NetworkSimplex {

    /** POT's default pivot budget ({@code numItermax = 100000}). */
    public static final long DEFAULT_MAX_ITERATIONS = 100_000;

    private final long maxIterations;

    private NetworkSimplex(long maxIterations) {
        this.maxIterations = maxIterations;
    }

    /** {@return a builder with POT's defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a solver with POT's defaults ({@link #DEFAULT_MAX_ITERATIONS} pivots)} */
    public static NetworkSimplex create() {
        return new NetworkSimplex(DEFAULT_MAX_ITERATIONS);
    }

    /** {@return the pivot budget} */
    public long maxIterations() {
        return maxIterations;
    }

    /**
     * Solves the balanced transport problem between {@code a} and {@code b} with costs {@code M}. Not reaching
     * optimality within the pivot budget is reported in the output's status, not thrown.
     *
     * @param a row weights, shape [n], floating point, finite and ≥ 0 with a positive sum; an empty tensor means
     *          uniform weights 1/n (POT's convention)
     * @param b column weights, shape [m], the same mass as a (relative 1e-9); empty means uniform 1/m
     * @param M the costs, shape [n, m], floating point, finite (any sign)
     * @return the plan, its cost, the duals, the basis, the pivots made and the status; the caller closes it
     * @throws NullPointerException     if an argument is null
     * @throws ShapeMismatchException   if a or b does not match M's rows or columns
     * @throws IllegalArgumentException if M is not a non-empty matrix, a tensor is not floating point, a value
     *                                  is NaN or infinite, a weight is negative, the weights sum to zero, or the
     *                                  two masses differ
     */
    public NetworkSimplexOutput solve(Tensor a, Tensor b, Tensor M) {
        double[] costs = Inputs.costMatrix("emd", "M", M);
        int n = (int) M.shape()[0];
        int m = (int) M.shape()[1];
        double[] wa = Inputs.weights("emd", "a", a, n, "the rows of M " + Arrays.toString(M.shape()));
        double[] wb = Inputs.weights("emd", "b", b, m, "the columns of M " + Arrays.toString(M.shape()));
        Inputs.sameMass("emd", wa, wb);
        ExactTransport.Solution s = ExactTransport.solve(wa, wb, costs, maxIterations);
        DType dtype = M.dtype();
        Device device = M.device();
        try (Scope scope = Scope.open()) {
            Tensor plan = tensor(s.plan(), dtype, device, n, m);
            Tensor u = tensor(s.u(), dtype, device, n);
            Tensor v = tensor(s.v(), dtype, device, m);
            NetworkSimplexOutput out = new NetworkSimplexOutput(scope.keep(plan), s.cost(), scope.keep(u), scope.keep(v),
                    s.basisRows(), s.basisCols(), s.basisFlows(), s.iterations(),
                    s.optimal() ? NetworkSimplexOutput.Status.OPTIMAL : NetworkSimplexOutput.Status.ITERATION_LIMIT);
            return out;
        }
    }

    /** A new tensor of {@code dtype} on {@code device} holding the values, inside the caller's scope. */
    static Tensor tensor(double[] values, DType dtype, Device device, long... shape) {
        Tensor t = Tensor.of(values).reshape(shape);
        if (dtype != DType.F64) {
            t = t.cast(dtype);
        }
        if (!device.equals(t.device())) {
            t = t.to(device);
        }
        return t;
    }

    /** A new I64 tensor on {@code device} holding the values, inside the caller's scope. */
    static Tensor tensorOfLongs(long[] values, Device device, long... shape) {
        Tensor t = Tensor.of(values).reshape(shape);
        if (!device.equals(t.device())) {
            t = t.to(device);
        }
        return t;
    }

    /** Configures a {@link NetworkSimplex}. */
    public static final class Builder {

        private long maxIterations = DEFAULT_MAX_ITERATIONS;

        private Builder() {
        }

        /**
         * The pivot budget (POT's {@code numItermax}); when it runs out the output reports
         * {@link NetworkSimplexOutput.Status#ITERATION_LIMIT}.
         *
         * @param maxIterations the largest number of pivots, ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxIterations < 1}
         */
        public Builder maxIterations(long maxIterations) {
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations must be ≥ 1, got " + maxIterations);
            }
            this.maxIterations = maxIterations;
            return this;
        }

        /** {@return the configured solver} */
        public NetworkSimplex build() {
            return new NetworkSimplex(maxIterations);
        }
    }
}
