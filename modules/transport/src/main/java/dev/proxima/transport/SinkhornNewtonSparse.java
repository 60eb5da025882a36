package dev.proxima.transport;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.transport.internal.SparseNewton;

import java.util.Arrays;
import java.util.Objects;

/**
 * Sinkhorn–Newton–Sparse (Tang, Shavlovsky, Rahmanian, Tardini, Thekumparampil, Xiao and Ying, "Accelerating
 * Sinkhorn Algorithm with Sparse Newton Iterations", ICLR 2024) for balanced entropic OT: a few
 * {@link Sinkhorn} iterations as warm-up, then Newton steps on the concave Lyapunov potential of the dual,
 * <pre>
 *   L(f, g) = ⟨f, a⟩ + ⟨g, b⟩ − ε Σ_ij exp((f_i + g_j − C_ij)/ε),
 * </pre>
 * whose Hessian −(1/ε)[[diag(P1), P], [Pᵀ, diag(Pᵀ1)]] is sparsified by keeping only the largest entries of the
 * plan P (a fraction ρ, {@link Builder#keepFraction}) in its off-diagonal blocks. Each Newton system is solved by
 * conjugate gradient (preconditioned by the exact diagonal), and a backtracking line search keeps L increasing.
 * The Newton phase stops once ‖P1 − a‖₂ + ‖Pᵀ1 − b‖₂ is below the tolerance; one last Sinkhorn iteration from
 * its potentials gives the output in {@link Sinkhorn}'s conventions ({@code P = a bᵀ exp((f ⊕ g − C)/ε)}, error
 * ‖Pᵀ1 − b‖₂, envelope gradients of the regularised cost).
 *
 * <p>Where Sinkhorn converges linearly, slowly for small ε, the Newton phase converges quadratically near the
 * optimum: at ε = 0.01 a handful of Newton steps replace hundreds of Sinkhorn iterations. The sparsified Hessian
 * is applied as a dense [n, m] matrix with its dropped entries zero, so a CG iteration costs about what a
 * Sinkhorn iteration costs; ρ = 1 (the exact Hessian) needs the fewest steps. The Newton phase works on the
 * dense [n, m] cost, which it forms also for an online {@link PointCloud}.
 *
 * {@snippet :
 * LinearProblem problem = LinearProblem.of(PointCloud.of(x, y));
 * SinkhornNewtonSparseOutput out = SinkhornNewtonSparse.builder(0.01).tolerance(1e-8).build().solve(problem);
 * Tensor plan = out.plan();
 * int newtonSteps = out.newtonIterations();
 * }
 */
public final class SinkhornNewtonSparse {

    private final double epsilon;
    private final int warmupIterations;
    private final int maxNewtonIterations;
    private final int maxConjugateGradientIterations;
    private final double keepFraction;
    private final double tolerance;

    private SinkhornNewtonSparse(Builder b) {
        this.epsilon = b.epsilon;
        this.warmupIterations = b.warmupIterations;
        this.maxNewtonIterations = b.maxNewtonIterations;
        this.maxConjugateGradientIterations = b.maxConjugateGradientIterations;
        this.keepFraction = b.keepFraction;
        this.tolerance = b.tolerance;
    }

    /**
     * A builder with the defaults: 20 warm-up iterations, at most 50 Newton steps of at most 1000 CG iterations
     * each, ρ = 0.2, tolerance 1e-9.
     *
     * @param epsilon the entropic regularisation ε &gt; 0
     * @return a new builder
     * @throws IllegalArgumentException if ε is not positive and finite
     */
    public static Builder builder(double epsilon) {
        return new Builder(epsilon);
    }

    /** {@return the entropic regularisation ε} */
    public double epsilon() {
        return epsilon;
    }

    /**
     * Solves a balanced problem.
     *
     * @param problem a balanced problem without a batch dimension, with positive weights
     * @return the solution and each phase's iteration count; tensors owned by the current scope
     * @throws NullPointerException     if problem is null
     * @throws IllegalArgumentException if the problem is unbalanced, batched or has a zero weight
     */
    public SinkhornNewtonSparseOutput solve(LinearProblem problem) {
        Objects.requireNonNull(problem, "problem must be a linear problem, got null");
        if (!problem.isBalanced()) {
            throw new IllegalArgumentException("SinkhornNewtonSparse solves balanced problems, got tauA = "
                    + problem.tauA() + ", tauB = " + problem.tauB());
        }
        if (problem.batch() > 0) {
            throw new IllegalArgumentException("SinkhornNewtonSparse solves one problem at a time, got a batch of "
                    + problem.batch());
        }
        requirePositive("a", problem.a());
        requirePositive("b", problem.b());
        try (Scope scope = Scope.open()) {
            SinkhornOutput warm = Sinkhorn.builder(epsilon).maxIterations(warmupIterations).tolerance(tolerance).build()
                    .solve(problem);
            double[] warmErrors = warm.errors();
            if (warm.converged()) {
                keep(scope, warm);
                return new SinkhornNewtonSparseOutput(warm, warm.iterations(), 0, 0, warmErrors);
            }
            Tensor a = problem.a();
            Tensor b = problem.b();
            SparseNewton.Result newton;
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                Tensor logA = a.log().mul(epsilon);
                Tensor logB = b.log().mul(epsilon);
                newton = SparseNewton.run(problem.geometry().cost(), a, b, epsilon, warm.f().add(logA), warm.g().add(logB),
                        keepFraction, maxNewtonIterations, maxConjugateGradientIterations, tolerance);
                Tensor f = newton.f().sub(logA);
                Tensor g = newton.g().sub(logB);
                SinkhornOutput last = Sinkhorn.builder(epsilon).maxIterations(1).tolerance(tolerance).build()
                        .solve(problem, f, g);
                keep(scope, last);
                double[] newtonErrors = newton.errors();
                double[] errors = Arrays.copyOf(warmErrors, warmErrors.length + newtonErrors.length - 1 + last.iterations());
                System.arraycopy(newtonErrors, 1, errors, warmErrors.length, newtonErrors.length - 1);
                System.arraycopy(last.errors(), 0, errors, warmErrors.length + newtonErrors.length - 1, last.iterations());
                return new SinkhornNewtonSparseOutput(last, warm.iterations() + last.iterations(),
                        newton.newtonIterations(), newton.cgIterations(), errors);
            }
        }
    }

    private static void keep(Scope scope, SinkhornOutput out) {
        scope.keep(out.f());
        scope.keep(out.g());
        scope.keep(out.regularizedCost());
    }

    private static void requirePositive(String name, Tensor w) {
        try (Scope s = Scope.open()) {
            double smallest = w.min().item();
            if (!(smallest > 0)) {
                throw new IllegalArgumentException("SinkhornNewtonSparse needs positive weights " + name
                        + " (its Newton system divides by the marginals), got a smallest weight " + smallest);
            }
        }
    }

    @Override
    public String toString() {
        return "SinkhornNewtonSparse[epsilon=" + epsilon + ", warmupIterations=" + warmupIterations
                + ", maxNewtonIterations=" + maxNewtonIterations + ", keepFraction=" + keepFraction
                + ", tolerance=" + tolerance + "]";
    }

    /** Builds a {@link SinkhornNewtonSparse} solver; each setter checks its argument at once. */
    public static final class Builder {
        private final double epsilon;
        private int warmupIterations = 20;
        private int maxNewtonIterations = 50;
        private int maxConjugateGradientIterations = 1000;
        private double keepFraction = 0.2;
        private double tolerance = 1e-9;

        private Builder(double epsilon) {
            Checks.epsilon(epsilon);
            this.epsilon = epsilon;
        }

        /**
         * Sets N₁, the number of Sinkhorn iterations before the Newton phase.
         *
         * @param iterations ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code iterations < 1}
         */
        public Builder warmupIterations(int iterations) {
            if (iterations < 1) {
                throw new IllegalArgumentException("warmupIterations must be at least 1, got " + iterations);
            }
            this.warmupIterations = iterations;
            return this;
        }

        /**
         * Sets the largest number of Newton steps.
         *
         * @param iterations ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if {@code iterations < 0}
         */
        public Builder maxNewtonIterations(int iterations) {
            if (iterations < 0) {
                throw new IllegalArgumentException("maxNewtonIterations must be at least 0, got " + iterations);
            }
            this.maxNewtonIterations = iterations;
            return this;
        }

        /**
         * Sets the largest number of conjugate-gradient iterations of one Newton step.
         *
         * @param iterations ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code iterations < 1}
         */
        public Builder maxConjugateGradientIterations(int iterations) {
            if (iterations < 1) {
                throw new IllegalArgumentException("maxConjugateGradientIterations must be at least 1, got " + iterations);
            }
            this.maxConjugateGradientIterations = iterations;
            return this;
        }

        /**
         * Sets ρ, the fraction of the plan's entries (the largest) kept in the Hessian's off-diagonal blocks.
         *
         * @param fraction ρ ∈ (0, 1]; 1 keeps the exact Hessian
         * @return this builder
         * @throws IllegalArgumentException if ρ is not in (0, 1]
         */
        public Builder keepFraction(double fraction) {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("keepFraction must be in (0, 1], got " + fraction);
            }
            this.keepFraction = fraction;
            return this;
        }

        /**
         * Sets the tolerance on the marginal error at which each phase stops.
         *
         * @param tolerance &gt; 0, finite
         * @return this builder
         * @throws IllegalArgumentException if the tolerance is not positive and finite
         */
        public Builder tolerance(double tolerance) {
            if (!(tolerance > 0) || Double.isInfinite(tolerance)) {
                throw new IllegalArgumentException("tolerance must be positive and finite, got " + tolerance);
            }
            this.tolerance = tolerance;
            return this;
        }

        /** {@return a solver with this builder's settings} */
        public SinkhornNewtonSparse build() {
            return new SinkhornNewtonSparse(this);
        }
    }
}
