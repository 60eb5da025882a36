package dev.proxima.optim.prox;

import dev.proxima.optim.internal.Checks;
import dev.proxima.optim.internal.History;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Equality-constrained minimisation min f(x) subject to c(x) = 0 (f: ℝⁿ → ℝ, c: ℝⁿ → ℝᵐ, both differentiated by
 * autodiff) by the inexact Newton method of Na, Anitescu and Kolar, "Constrained Optimization via Exact Augmented
 * Lagrangian and Randomized Iterative Sketching" (ICML 2023): each iteration
 * <ol>
 * <li>forms the Newton system of the Lagrangian L(x, λ) = f(x) + λᵀc(x),
 * K·(Δx, Δλ) = −(∇ₓL, c) with K = [[∇²ₓₓL, Jᵀ], [J, 0]] (the Hessian from n Hessian-vector products, the
 * Jacobian J from m vector–Jacobian products);</li>
 * <li>solves it inexactly by randomized iterative sketching (sketch-and-project, Gower and Richtárik 2015) with
 * Gaussian sketches S of {@code sketchSize} columns, z ← z − K S (SᵀK²S)⁻¹ Sᵀ(Kz − r) (K is symmetric), until
 * ‖Kz − r‖ ≤ min(κ, ‖r‖)·‖r‖ (the adaptive accuracy condition, sharpened near the solution) or an inner limit;</li>
 * <li>takes a step α·(Δx, Δλ) by Armijo backtracking on the exact augmented Lagrangian merit function
 * 𝓛(x, λ) = L(x, λ) + (μ/2)‖c(x)‖² + (ν/2)‖∇ₓL(x, λ)‖², whose gradient comes from autodiff (a Hessian-vector
 * product through the last term); when the direction is not a descent direction of 𝓛 the penalty μ is raised
 * tenfold (up to six times) and, failing that, the step follows −∇𝓛.</li>
 * </ol>
 * The solver stops when the KKT residual ‖(∇ₓL, c)‖ ≤ tolerance (the residual history); the objective history is
 * f(x). Small and medium n: the Hessian is formed densely.
 *
 * {@snippet :
 * // min x₁ + x₂ subject to x₁² + x₂² = 2: x = (−1, −1), λ = 1/2
 * LagrangianResult r = SketchedAugmentedLagrangian.builder().seed(7).build()
 *         .solve(x -> x.sum(), x -> x.square().sum().sub(2).reshape(1), Tensor.of(-1.3, -0.6));
 * }
 */
public final class SketchedAugmentedLagrangian {

    private final double mu;
    private final double nu;
    private final int sketchSize;
    private final double accuracy;
    private final long seed;
    private final int maxIterations;
    private final double tolerance;

    private SketchedAugmentedLagrangian(Builder b) {
        this.mu = b.mu;
        this.nu = b.nu;
        this.sketchSize = b.sketchSize;
        this.accuracy = b.accuracy;
        this.seed = b.seed;
        this.maxIterations = b.maxIterations;
        this.tolerance = b.tolerance;
    }

    /**
     * A builder with the defaults μ = 10, ν = 0.1, sketches of half the system size, κ = 0.5, seed 0, 200
     * iterations, tolerance 1e-10.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The solution, the Lagrange multipliers and the diagnostics.
     *
     * @param solution         the last x, owned by the caller's scope (or by the caller: {@link #close()})
     * @param multipliers      the last λ, of length m, likewise
     * @param iterations       the number of Newton iterations
     * @param objectiveHistory f(x) after each iteration
     * @param residualHistory  the KKT residual ‖(∇ₓL, c)‖ after each iteration
     * @param converged        whether the KKT residual reached the tolerance
     */
    public record LagrangianResult(Tensor solution, Tensor multipliers, int iterations, double[] objectiveHistory,
                                   double[] residualHistory, boolean converged) implements AutoCloseable {

        /** Copies the histories. */
        public LagrangianResult {
            objectiveHistory = objectiveHistory.clone();
            residualHistory = residualHistory.clone();
        }

        /**
         * f(x) after each iteration.
         *
         * @return a copy of the history
         */
        @Override
        public double[] objectiveHistory() {
            return objectiveHistory.clone();
        }

        /**
         * The KKT residual after each iteration.
         *
         * @return a copy of the history
         */
        @Override
        public double[] residualHistory() {
            return residualHistory.clone();
        }

        /** Closes the solution and the multipliers. */
        @Override
        public void close() {
            solution.close();
            multipliers.close();
        }
    }

    /** Configures a {@link SketchedAugmentedLagrangian}. */
    public static final class Builder {
        private double mu = 10;
        private double nu = 0.1;
        private int sketchSize;
        private double accuracy = 0.5;
        private long seed;
        private int maxIterations = 200;
        private double tolerance = 1e-10;

        private Builder() {
        }

        /**
         * The initial penalty μ on ‖c‖² in the merit function (raised when needed).
         *
         * @param mu μ &gt; 0
         * @return this builder
         * @throws IllegalArgumentException if {@code mu} is not a finite number &gt; 0
         */
        public Builder penalty(double mu) {
            this.mu = Checks.positive("the penalty mu", mu);
            return this;
        }

        /**
         * The weight ν of ‖∇ₓL‖² in the merit function.
         *
         * @param nu ν &gt; 0
         * @return this builder
         * @throws IllegalArgumentException if {@code nu} is not a finite number &gt; 0
         */
        public Builder gradientPenalty(double nu) {
            this.nu = Checks.positive("the gradient penalty nu", nu);
            return this;
        }

        /**
         * The number of columns of each Gaussian sketch (default: half the system size n + m, at least 1).
         *
         * @param sketchSize ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code sketchSize} &lt; 1
         */
        public Builder sketchSize(int sketchSize) {
            this.sketchSize = Checks.atLeastOne("the sketch size", sketchSize);
            return this;
        }

        /**
         * The accuracy κ of the sketched solver: it stops at ‖Kz − r‖ ≤ min(κ, ‖r‖)·‖r‖.
         *
         * @param accuracy κ in (0, 1)
         * @return this builder
         * @throws IllegalArgumentException if {@code accuracy} is outside (0, 1)
         */
        public Builder accuracy(double accuracy) {
            this.accuracy = Checks.openInterval("the sketch accuracy kappa", accuracy, 0, 1);
            return this;
        }

        /**
         * The seed of the sketches.
         *
         * @param seed any value
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The limit on Newton iterations.
         *
         * @param maxIterations ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxIterations} &lt; 1
         */
        public Builder maxIterations(int maxIterations) {
            this.maxIterations = Checks.atLeastOne("maxIterations", maxIterations);
            return this;
        }

        /**
         * The KKT residual at which the solver stops.
         *
         * @param tolerance ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if {@code tolerance} is negative, NaN or infinite
         */
        public Builder tolerance(double tolerance) {
            this.tolerance = Checks.nonNegative("the tolerance", tolerance);
            return this;
        }

        /**
         * The solver.
         *
         * @return a new solver with this configuration
         */
        public SketchedAugmentedLagrangian build() {
            return new SketchedAugmentedLagrangian(this);
        }
    }

    /**
     * Solves min f(x) subject to c(x) = 0 from {@code x0}, with multipliers starting at 0.
     *
     * @param f  the objective: a function of the 1-D x returning a single element
     * @param c  the constraints: a function of x returning a 1-D tensor of m values
     * @param x0 the starting point, 1-D F64 or F32 (not modified)
     * @return the result
     * @throws IllegalArgumentException if an argument is null, x0 is not a 1-D floating-point tensor, or c(x0) is
     *                                  not 1-D
     */
    public LagrangianResult solve(Function<Tensor, Tensor> f, Function<Tensor, Tensor> c, Tensor x0) {
        if (f == null || c == null) {
            throw new IllegalArgumentException("the objective f and the constraints c must not be null");
        }
        Checks.floating("the starting point x0", x0);
        if (x0.rank() != 1) {
            throw new ShapeMismatchException("the starting point x0 must be 1-D, got shape " + Arrays.toString(x0.shape()));
        }
        int n = Math.toIntExact(x0.size());
        int m;
        try (Scope s = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            Tensor c0 = c.apply(x0);
            if (c0.rank() != 1) {
                throw new ShapeMismatchException("the constraints c(x) must be 1-D, got shape " + Arrays.toString(c0.shape()));
            }
            m = Math.toIntExact(c0.size());
        }
        int q = sketchSize > 0 ? Math.min(sketchSize, n + m) : Math.max(1, (n + m) / 2);
        DType type = x0.dtype();
        Rng rng = Rng.seed(seed);
        History objective = new History();
        History residual = new History();
        Tensor w = null;   // (x, λ)
        int iterations = 0;
        boolean converged = false;
        double penalty = mu;
        try {
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                w = Tensor.concat(0, x0, Tensor.zeros(type, x0.device(), m));
            }
            while (iterations < maxIterations) {
                Tensor next;
                double kkt;
                double fx;
                try (Scope s = Scope.open()) {
                    Tensor x = w.slice(0, 0, n, 1).contiguous();
                    Tensor lambda = w.slice(0, n, n + m, 1).contiguous();
                    Function<Tensor, Tensor> lagrangian = xx -> f.apply(xx).reshape(1).add(lambda.mul(c.apply(xx)).sum().reshape(1)).sum();
                    Tensor gradL = Autodiff.grad(lagrangian, x);
                    Tensor cx;
                    Tensor jacobian;
                    Tensor hessian;
                    Tensor[] rows = new Tensor[m];
                    Tensor[] columns = new Tensor[n];
                    try (Autodiff.GradMode off = Autodiff.noGrad()) {
                        cx = c.apply(x);
                        fx = f.apply(x).item();
                    }
                    for (int i = 0; i < m; i++) {
                        rows[i] = Autodiff.vjp(c, x, unit(type, x.device(), m, i)).product();
                    }
                    for (int j = 0; j < n; j++) {
                        columns[j] = Autodiff.hvp(lagrangian, x, unit(type, x.device(), n, j));
                    }
                    try (Autodiff.GradMode off = Autodiff.noGrad()) {
                        jacobian = m == 0 ? Tensor.zeros(type, x.device(), 0, n) : Tensor.stack(0, rows);
                        hessian = Tensor.stack(1, columns);
                        Tensor rhs = Tensor.concat(0, gradL, cx).neg();
                        kkt = rhs.norm().item();
                        if (kkt <= tolerance) {
                            converged = true;
                        } else {
                            Tensor top = Tensor.concat(1, hessian, jacobian.transpose());
                            Tensor bottom = Tensor.concat(1, jacobian, Tensor.zeros(type, x.device(), m, m));
                            Tensor k = Tensor.concat(0, top, bottom);
                            Tensor direction = sketchedSolve(k, rhs, q, rng, Math.min(accuracy, kkt));
                            Step taken = step(f, c, w, direction, n, m, penalty);
                            next = s.keep(taken.point());
                            penalty = taken.penalty();
                            objective.add(fx);
                            residual.add(kkt);
                            iterations++;
                            w.close();
                            w = next;
                            continue;
                        }
                    }
                }
                objective.add(fx);
                residual.add(kkt);
                iterations++;
                break;
            }
        } catch (RuntimeException e) {
            if (w != null) {
                w.close();
            }
            throw e;
        }
        Tensor solution;
        Tensor multipliers;
        try (Autodiff.GradMode off = Autodiff.noGrad()) {
            solution = w.slice(0, 0, n, 1).contiguous();
            multipliers = w.slice(0, n, n + m, 1).contiguous();
        }
        w.close();
        return new LagrangianResult(solution, multipliers, iterations, objective.toArray(), residual.toArray(), converged);
    }

    /** The next (x, λ) and the penalty μ in force after the step. */
    private record Step(Tensor point, double penalty) {
    }

    private static Tensor unit(DType type, dev.proxima.tensor.Device device, int size, int index) {
        double[] e = new double[size];
        e[index] = 1;
        Tensor host = Tensor.of(e).cast(type);
        return host.device().equals(device) ? host : host.to(device);
    }

    /** Sketch-and-project iterations on Kz = r from z = 0 until ‖Kz − r‖ ≤ eta·‖r‖ or the inner limit. */
    private static Tensor sketchedSolve(Tensor k, Tensor r, int q, Rng rng, double eta) {
        long size = r.size();
        Tensor z = Tensor.zerosLike(r);
        double target = eta * r.norm().item();
        int limit = (int) Math.max(50, 200 * size / q);
        for (int it = 0; it < limit; it++) {
            Tensor residual = k.matmul(z).sub(r);
            if (residual.norm().item() <= target) {
                break;
            }
            Tensor sketch = rng.normal(r.dtype(), 0, 1, size, q);
            Tensor ks = k.matmul(sketch);                            // K S (K symmetric: Kᵀ S = K S)
            Tensor gram = ks.transpose().matmul(ks);                  // Sᵀ K K S
            Tensor coefficients = Linalg.solve(gram, sketch.transpose().matmul(residual).unsqueeze(1));
            z = z.sub(ks.matmul(coefficients).reshape(size));
        }
        return z;
    }

    /** The merit function 𝓛(x, λ) at w = (x, λ). */
    private static Function<Tensor, Tensor> merit(Function<Tensor, Tensor> f, Function<Tensor, Tensor> c, int n, int m,
                                                  double penalty, double nu) {
        return w -> {
            Tensor x = w.slice(0, 0, n, 1);
            Tensor lambda = w.slice(0, n, n + m, 1);
            Tensor cx = c.apply(x);
            Tensor gradL = Autodiff.grad(xx -> f.apply(xx).reshape(1).add(lambda.mul(c.apply(xx)).sum().reshape(1)).sum(), x);
            return f.apply(x).reshape(1).add(lambda.mul(cx).sum().reshape(1))
                    .add(cx.square().sum().mul(penalty / 2).reshape(1))
                    .add(gradL.square().sum().mul(nu / 2).reshape(1)).sum();
        };
    }

    private double meritValue(Function<Tensor, Tensor> f, Function<Tensor, Tensor> c, Tensor w, int n, int m, double penalty) {
        try (Scope s = Scope.open(); Autodiff.GradMode on = Autodiff.enableGrad()) {
            return merit(f, c, n, m, penalty, nu).apply(w).item();
        }
    }

    /** The next (x, λ) by Armijo backtracking on the merit function along {@code direction}. */
    private Step step(Function<Tensor, Tensor> f, Function<Tensor, Tensor> c, Tensor w, Tensor direction, int n, int m,
                        double penalty) {
        double slope = 0;
        Tensor d = direction;
        Autodiff.ValueAndGrad meritAt = null;
        for (int raise = 0; raise <= 6; raise++) {
            meritAt = Autodiff.valueAndGrad(merit(f, c, n, m, penalty, nu), w);
            slope = meritAt.grad().mul(d).sum().item();
            if (slope < 0) {
                break;
            }
            if (raise < 6) {
                penalty *= 10;
            }
        }
        if (!(slope < 0)) {
            d = meritAt.grad().neg();
            slope = -meritAt.grad().square().sum().item();
        }
        double current = meritAt.value().item();
        double alpha = 1;
        Tensor candidate = w.add(d);
        while (alpha > 1e-12 && meritValue(f, c, candidate, n, m, penalty) > current + 1e-4 * alpha * slope) {
            alpha /= 2;
            candidate = w.add(d.mul(alpha));
        }
        return new Step(candidate, penalty);
    }
}
