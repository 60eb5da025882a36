package dev.proxima.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.DTypeMismatchException;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.transport.internal.Lbfgs;
import dev.proxima.transport.internal.TopKProjections;

import java.util.Arrays;
import java.util.Objects;

/**
 * Sparsity-constrained optimal transport (Liu, Puigcerver and Blondel, "Sparsity-Constrained Optimal
 * Transport", ICLR 2023): the squared-ℓ2-regularised transport problem
 * <pre>
 *   min  ⟨T, C⟩ + (γ/2)‖T‖²   over T ≥ 0 with T1 = a, Tᵀ1 = b and at most k nonzeros in each column of T
 * </pre>
 * solved through its smooth concave dual or semi-dual, whose conjugates are the max-k (top-k) maps:
 * <ul>
 *   <li>{@link Formulation#DUAL}: {@code max_{α,β} ⟨α, a⟩ + ⟨β, b⟩ − Σ_j (1/(2γ)) Σ_{top k} [α + β_j − c_j]₊²};
 *       the plan's column j is (1/γ)[α + β_j − c_j]₊ on its k largest entries;</li>
 *   <li>{@link Formulation#SEMI_DUAL}: {@code max_α ⟨α, a⟩ − Σ_j max_{t ∈ b_jΔ, ‖t‖₀ ≤ k} ⟨α − c_j, t⟩ − (γ/2)‖t‖²};
 *       the plan's column j is b_j times the projection of (α − c_j)/(γ b_j) onto the k-sparse simplex (keep the
 *       k largest entries, project them onto the simplex), so the columns sum to b exactly.</li>
 * </ul>
 * Both are maximised by L-BFGS with a backtracking line search until the marginal error the formulation leaves
 * (both marginals for the dual, the rows for the semi-dual) is at most the tolerance. The constraint is not
 * convex, so the plan recovered from the dual is feasible only approximately when k is small (the paper's
 * Section 3); with k = n the problem is quadratically regularised OT (POT's {@code ot.smooth} with
 * {@code reg_type='l2'}), and as k decreases the plan gets sparser and the dual less smooth.
 *
 * <p>The objective is written with tensor ops on the cost's device and dtype (F32 or F64); the L-BFGS state is
 * two vectors of doubles.
 *
 * {@snippet :
 * SparsityConstrained solver = SparsityConstrained.builder().maxNonzeros(2).gamma(0.1).build();
 * try (SparsityConstrainedOutput out = solver.solve(a, b, Ot.dist(x, y))) {
 *     Tensor plan = out.plan();   // [n, m], at most 2 nonzeros per column
 * }
 * }
 */
public final class SparsityConstrained {

    /** Which of the paper's two smooth formulations is maximised. */
    public enum Formulation {
        /** The dual in both potentials (α, β): both marginals are matched only at convergence. */
        DUAL,
        /** The semi-dual in α only: each column sums to b_j exactly, the rows at convergence. */
        SEMI_DUAL
    }

    private final long maxNonzeros;
    private final double gamma;
    private final Formulation formulation;
    private final int maxIterations;
    private final double tolerance;
    private final int memory;

    private SparsityConstrained(Builder b) {
        this.maxNonzeros = b.maxNonzeros;
        this.gamma = b.gamma;
        this.formulation = b.formulation;
        this.maxIterations = b.maxIterations;
        this.tolerance = b.tolerance;
        this.memory = b.memory;
    }

    /**
     * A builder with the defaults: k = 1, γ = 1, the semi-dual, 1000 iterations, tolerance 1e-9 on the marginal
     * error, 10 L-BFGS pairs.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the largest number of nonzeros per column of the plan, k} */
    public long maxNonzeros() {
        return maxNonzeros;
    }

    /** {@return the regularisation strength γ} */
    public double gamma() {
        return gamma;
    }

    /** {@return the formulation that is maximised} */
    public Formulation formulation() {
        return formulation;
    }

    /**
     * Solves the sparsity-constrained problem between weights {@code a} and {@code b} for the cost {@code cost}.
     *
     * @param a    the source weights [n], nonnegative and finite
     * @param b    the target weights [m], nonnegative and finite, of the same total mass as {@code a} (positive
     *             for the semi-dual, which divides by them)
     * @param cost the cost matrix [n, m], finite, of the weights' floating dtype and device
     * @return the plan, the potentials, the objective values and the run's statistics
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a shape, a weight, the masses or a cost is invalid, or if k &gt; n
     * @throws ShapeMismatchException   if the weights' lengths do not match the cost's shape
     * @throws DTypeMismatchException   if the dtypes differ
     */
    public SparsityConstrainedOutput solve(Tensor a, Tensor b, Tensor cost) {
        Objects.requireNonNull(a, "a must be a tensor of source weights, got null");
        Objects.requireNonNull(b, "b must be a tensor of target weights, got null");
        Objects.requireNonNull(cost, "cost must be a tensor [n, m], got null");
        if (cost.rank() != 2 || cost.size() == 0) {
            throw new IllegalArgumentException("SparsityConstrained: cost must be a non-empty matrix [n, m], got shape "
                    + Arrays.toString(cost.shape()));
        }
        if (!cost.dtype().isFloating()) {
            throw new IllegalArgumentException("SparsityConstrained: cost must be floating point, got " + cost.dtype());
        }
        long n = cost.dim(0);
        long m = cost.dim(1);
        double[] wa = weights("a", a, n, cost);
        double[] wb = weights("b", b, m, cost);
        double massA = Arrays.stream(wa).sum();
        double massB = Arrays.stream(wb).sum();
        if (Math.abs(massA - massB) > 1e-6 * Math.max(massA, massB) || massA <= 0) {
            throw new IllegalArgumentException("SparsityConstrained: a and b must have the same positive total mass, got "
                    + massA + " and " + massB);
        }
        if (formulation == Formulation.SEMI_DUAL) {
            for (int j = 0; j < wb.length; j++) {
                if (wb[j] <= 0) {
                    throw new IllegalArgumentException("SparsityConstrained: the semi-dual needs positive target weights,"
                            + " got b[" + j + "] = " + wb[j] + " (use Formulation.DUAL for zero weights)");
                }
            }
        }
        if (maxNonzeros > n) {
            throw new IllegalArgumentException("SparsityConstrained: k must be at most the number of rows n = " + n
                    + ", got k = " + maxNonzeros);
        }
        try (Scope check = Scope.open()) {
            if (cost.isfinite().logicalNot().sum().item() > 0) {
                throw new IllegalArgumentException("SparsityConstrained: cost must be finite, got a NaN or infinite entry");
            }
        }
        return formulation == Formulation.DUAL ? solveDual(wa, wb, cost) : solveSemiDual(wa, wb, cost);
    }

    private SparsityConstrainedOutput solveDual(double[] wa, double[] wb, Tensor cost) {
        int n = wa.length;
        int m = wb.length;
        DType dtype = cost.dtype();
        Device device = cost.device();
        try (Scope scope = Scope.open()) {
            Tensor a = vector(wa, dtype, device);
            Tensor b = vector(wb, dtype, device);
            Lbfgs.Objective negDual = (x, grad) -> {
                try (Scope s = Scope.open()) {
                    Tensor alpha = vector(Arrays.copyOfRange(x, 0, n), dtype, device);
                    Tensor beta = vector(Arrays.copyOfRange(x, n, n + m), dtype, device);
                    Tensor t = TopKProjections.nonNegative(scores(alpha, beta, cost), maxNonzeros, gamma);
                    double value = alpha.mul(a).sum().item() + beta.mul(b).sum().item()
                            - 0.5 * gamma * t.square().sum().item();
                    double[] ga = a.sub(t.sum(1)).toDoubleArray();
                    double[] gb = b.sub(t.sum(0)).toDoubleArray();
                    for (int i = 0; i < n; i++) {
                        grad[i] = -ga[i];
                    }
                    for (int j = 0; j < m; j++) {
                        grad[n + j] = -gb[j];
                    }
                    return -value;
                }
            };
            Lbfgs.Result r = Lbfgs.minimize(negDual, new double[n + m], memory, maxIterations,
                    SparsityConstrained::l1, tolerance);
            Tensor alpha = vector(Arrays.copyOfRange(r.x(), 0, n), dtype, device);
            Tensor beta = vector(Arrays.copyOfRange(r.x(), n, n + m), dtype, device);
            Tensor plan = TopKProjections.nonNegative(scores(alpha, beta, cost), maxNonzeros, gamma);
            return output(scope, plan, alpha, beta, a, b, cost, r);
        }
    }

    private SparsityConstrainedOutput solveSemiDual(double[] wa, double[] wb, Tensor cost) {
        int n = wa.length;
        DType dtype = cost.dtype();
        Device device = cost.device();
        try (Scope scope = Scope.open()) {
            Tensor a = vector(wa, dtype, device);
            Tensor b = vector(wb, dtype, device);
            Tensor gammaB = b.mul(gamma).reshape(1, wb.length);
            Lbfgs.Objective negSemiDual = (x, grad) -> {
                try (Scope s = Scope.open()) {
                    Tensor alpha = vector(x, dtype, device);
                    Tensor scores = alpha.reshape(n, 1).sub(cost);
                    Tensor t = TopKProjections.simplex(scores.div(gammaB), maxNonzeros).points().mul(b);
                    double value = alpha.mul(a).sum().item()
                            - (scores.mul(t).sum().item() - 0.5 * gamma * t.square().sum().item());
                    double[] ga = a.sub(t.sum(1)).toDoubleArray();
                    for (int i = 0; i < n; i++) {
                        grad[i] = -ga[i];
                    }
                    return -value;
                }
            };
            Lbfgs.Result r = Lbfgs.minimize(negSemiDual, new double[n], memory, maxIterations,
                    SparsityConstrained::l1, tolerance);
            Tensor alpha = vector(r.x(), dtype, device);
            TopKProjections.Projection p = TopKProjections.simplex(alpha.reshape(n, 1).sub(cost).div(gammaB), maxNonzeros);
            Tensor plan = p.points().mul(b);
            Tensor beta = p.thresholds().reshape(wb.length).mul(gammaB.reshape(wb.length)).neg();
            return output(scope, plan, alpha, beta, a, b, cost, r);
        }
    }

    private SparsityConstrainedOutput output(Scope scope, Tensor plan, Tensor alpha, Tensor beta, Tensor a, Tensor b,
                                             Tensor cost, Lbfgs.Result r) {
        double transport = plan.mul(cost).sum().item();
        double regularized = transport + 0.5 * gamma * plan.square().sum().item();
        double marginal = plan.sum(1).sub(a).abs().sum().item() + plan.sum(0).sub(b).abs().sum().item();
        double[] history = r.history().clone();
        for (int i = 0; i < history.length; i++) {
            history[i] = -history[i];
        }
        return new SparsityConstrainedOutput(scope.keep(plan), scope.keep(alpha), scope.keep(beta), -r.value(),
                transport, regularized, marginal, r.iterations(), r.converged(), history);
    }

    private static Tensor scores(Tensor alpha, Tensor beta, Tensor cost) {
        return alpha.reshape(alpha.dim(0), 1).add(beta.reshape(1, beta.dim(0))).sub(cost);
    }

    private static Tensor vector(double[] values, DType dtype, Device device) {
        Tensor t = Tensor.of(values);
        if (dtype != DType.F64) {
            t = t.cast(dtype);
        }
        return t.device().equals(device) ? t : t.to(device);
    }

    private static double l1(double[] v) {
        double sum = 0;
        for (double x : v) {
            sum += Math.abs(x);
        }
        return sum;
    }

    private static double[] weights(String name, Tensor w, long length, Tensor cost) {
        if (w.rank() != 1) {
            throw new IllegalArgumentException("SparsityConstrained: " + name + " must be a vector of weights, got shape "
                    + Arrays.toString(w.shape()));
        }
        if (w.dim(0) != length) {
            throw new ShapeMismatchException("SparsityConstrained: " + name + " must have " + length
                    + " weights to match the cost of shape " + Arrays.toString(cost.shape()) + ", got shape "
                    + Arrays.toString(w.shape()));
        }
        if (w.dtype() != cost.dtype()) {
            throw new DTypeMismatchException("SparsityConstrained: " + name + " must have the cost's dtype "
                    + cost.dtype() + ", got " + w.dtype());
        }
        double[] values = w.toDoubleArray();
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] >= 0) || Double.isInfinite(values[i])) {
                throw new IllegalArgumentException("SparsityConstrained: " + name + " must hold finite nonnegative weights, got "
                        + name + "[" + i + "] = " + values[i]);
            }
        }
        return values;
    }

    /** Builds a {@link SparsityConstrained} solver; each setter checks its argument at once. */
    public static final class Builder {
        private long maxNonzeros = 1;
        private double gamma = 1.0;
        private Formulation formulation = Formulation.SEMI_DUAL;
        private int maxIterations = 1000;
        private double tolerance = 1e-9;
        private int memory = 10;

        private Builder() {
        }

        /**
         * Sets k, the largest number of nonzeros in each column of the plan (at most n, checked by
         * {@code solve}).
         *
         * @param k the cardinality bound, ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if k &lt; 1
         */
        public Builder maxNonzeros(long k) {
            if (k < 1) {
                throw new IllegalArgumentException("SparsityConstrained: k (maxNonzeros) must be at least 1, got " + k);
            }
            this.maxNonzeros = k;
            return this;
        }

        /**
         * Sets γ, the strength of the squared-ℓ2 regulariser (γ/2)‖T‖².
         *
         * @param gamma γ &gt; 0, finite
         * @return this builder
         * @throws IllegalArgumentException if γ is not a finite positive number
         */
        public Builder gamma(double gamma) {
            if (!(gamma > 0) || Double.isInfinite(gamma)) {
                throw new IllegalArgumentException("SparsityConstrained: gamma must be finite and > 0, got " + gamma);
            }
            this.gamma = gamma;
            return this;
        }

        /**
         * Sets the formulation that is maximised.
         *
         * @param formulation {@link Formulation#DUAL} or {@link Formulation#SEMI_DUAL}
         * @return this builder
         * @throws NullPointerException if {@code formulation} is null
         */
        public Builder formulation(Formulation formulation) {
            this.formulation = Objects.requireNonNull(formulation, "formulation must be DUAL or SEMI_DUAL, got null");
            return this;
        }

        /**
         * Sets the largest number of L-BFGS steps.
         *
         * @param maxIterations ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxIterations < 1}
         */
        public Builder maxIterations(int maxIterations) {
            if (maxIterations < 1) {
                throw new IllegalArgumentException("SparsityConstrained: maxIterations must be at least 1, got " + maxIterations);
            }
            this.maxIterations = maxIterations;
            return this;
        }

        /**
         * Sets the tolerance on the marginal error ({@code ‖T1 − a‖₁ + ‖Tᵀ1 − b‖₁}) at which the run stops.
         *
         * @param tolerance ≥ 0, finite
         * @return this builder
         * @throws IllegalArgumentException if the tolerance is negative, NaN or infinite
         */
        public Builder tolerance(double tolerance) {
            if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
                throw new IllegalArgumentException("SparsityConstrained: tolerance must be finite and >= 0, got " + tolerance);
            }
            this.tolerance = tolerance;
            return this;
        }

        /**
         * Sets the number of curvature pairs L-BFGS keeps.
         *
         * @param pairs ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code pairs < 1}
         */
        public Builder memory(int pairs) {
            if (pairs < 1) {
                throw new IllegalArgumentException("SparsityConstrained: the L-BFGS memory must be at least 1 pair, got " + pairs);
            }
            this.memory = pairs;
            return this;
        }

        /** {@return a solver with this builder's settings} */
        public SparsityConstrained build() {
            return new SparsityConstrained(this);
        }
    }
}
