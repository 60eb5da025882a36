package dev.proxima.optim.prox;

import dev.proxima.optim.internal.Checks;
import dev.proxima.optim.internal.History;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

/**
 * Proximal gradient descent (PGD, ISTA) and its accelerated form FISTA for min f(x) + g(x), f smooth
 * ({@link Smooth}) and g with a prox ({@link Prox}):
 * <pre>
 *   x⁺ = prox_{t·g}(y − t∇f(y))
 *   PGD:   y = x⁺
 *   FISTA: θ⁺ = (1 + √(1 + 4θ²))/2,  y = x⁺ + ((θ − 1)/θ⁺)(x⁺ − x)
 * </pre>
 * with a fixed step t (at most 1/L for an L-smooth f: then PGD decreases the objective at every iteration) or
 * Beck and Teboulle's backtracking, which shrinks t until f(x⁺) ≤ f(y) + ⟨∇f(y), x⁺ − y⟩ + ‖x⁺ − y‖²/(2t). The
 * adaptive restart of O'Donoghue and Candès (2015) resets the momentum (θ = 1, y = x⁺) whenever
 * ⟨y − x⁺, x⁺ − x⟩ &gt; 0, i.e. when the momentum points uphill.
 *
 * <p>The solver stops when ‖x⁺ − x‖ ≤ tolerance·max(1, ‖x‖): that relative step is the residual history; the
 * objective history is f(x⁺) + g(x⁺).
 *
 * {@snippet :
 * SolverResult r = ProximalGradient.builder().step(1 / lipschitz).accelerated(true).adaptiveRestart(true)
 *         .tolerance(1e-10).maxIterations(5000).build()
 *         .solve(Smooth.of(x -> a.matmul(x).sub(b).square().sum().mul(0.5)), Prox.l1(lambda), x0);
 * Tensor lasso = r.solution();
 * }
 *
 * <p>References: A. Beck and M. Teboulle, "A Fast Iterative Shrinkage-Thresholding Algorithm for Linear Inverse
 * Problems", SIAM J. Imaging Sciences 2(1), 2009; B. O'Donoghue and E. Candès, "Adaptive Restart for Accelerated
 * Gradient Schemes", Found. Comput. Math. 15, 2015.
 */
public final class ProximalGradient {

    private final double step;
    private final boolean backtracking;
    private final double shrink;
    private final boolean accelerated;
    private final boolean restart;
    private final int maxIterations;
    private final double tolerance;

    private ProximalGradient(Builder b) {
        this.step = b.step;
        this.backtracking = b.backtracking;
        this.shrink = b.shrink;
        this.accelerated = b.accelerated;
        this.restart = b.restart;
        this.maxIterations = b.maxIterations;
        this.tolerance = b.tolerance;
    }

    /**
     * A builder with the defaults: fixed step 1, no acceleration, 1000 iterations, tolerance 1e-8.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link ProximalGradient}. */
    public static final class Builder {
        private double step = 1;
        private boolean backtracking;
        private double shrink = 0.5;
        private boolean accelerated;
        private boolean restart;
        private int maxIterations = 1000;
        private double tolerance = 1e-8;

        private Builder() {
        }

        /**
         * A fixed step t (≤ 1/L for an L-smooth f).
         *
         * @param step t &gt; 0
         * @return this builder
         * @throws IllegalArgumentException if {@code step} is not a finite number &gt; 0
         */
        public Builder step(double step) {
            this.step = Checks.positive("the step", step);
            this.backtracking = false;
            return this;
        }

        /**
         * Backtracking from {@code initialStep}, multiplying the step by {@code shrink} until the sufficient
         * decrease condition holds; the step found is kept for the next iteration.
         *
         * @param initialStep the first step tried, &gt; 0
         * @param shrink      the factor in (0, 1)
         * @return this builder
         * @throws IllegalArgumentException if a value is out of range or NaN
         */
        public Builder backtracking(double initialStep, double shrink) {
            this.step = Checks.positive("the initial step", initialStep);
            this.shrink = Checks.openInterval("the backtracking factor", shrink, 0, 1);
            this.backtracking = true;
            return this;
        }

        /**
         * FISTA's momentum (true) or plain proximal gradient steps (false, the default).
         *
         * @param accelerated whether to accelerate
         * @return this builder
         */
        public Builder accelerated(boolean accelerated) {
            this.accelerated = accelerated;
            return this;
        }

        /**
         * The gradient-based adaptive restart of the momentum (only with {@link #accelerated(boolean)}).
         *
         * @param restart whether to restart
         * @return this builder
         */
        public Builder adaptiveRestart(boolean restart) {
            this.restart = restart;
            return this;
        }

        /**
         * The iteration limit.
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
         * The relative step size at which the solver stops.
         *
         * @param tolerance ≥ 0 (0 runs every iteration)
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
        public ProximalGradient build() {
            return new ProximalGradient(this);
        }
    }

    /**
     * Minimises f(x) + g(x) from {@code x0}.
     *
     * @param f  the smooth part
     * @param g  the part with a prox ({@link Prox#zero()} for plain gradient descent)
     * @param x0 the starting point (floating point; not modified)
     * @return the result: the last iterate, iterations, objective and relative-step histories, convergence
     * @throws IllegalArgumentException if an argument is null or {@code x0} is not floating point
     */
    public SolverResult solve(Smooth f, Prox g, Tensor x0) {
        if (f == null || g == null) {
            throw new IllegalArgumentException("the smooth part f and the prox g must not be null");
        }
        Checks.floating("the starting point x0", x0);
        History objective = new History();
        History residual = new History();
        Tensor x = null;
        Tensor y = null;
        int iterations = 0;
        boolean converged = false;
        try (Autodiff.GradMode off = Autodiff.noGrad()) {
            x = x0.copy();
            y = x0.copy();
            double t = step;
            double theta = 1;
            while (iterations < maxIterations) {
                Tensor nextX;
                Tensor nextY;
                double relativeStep;
                try (Scope s = Scope.open()) {
                    double fy = backtracking ? f.value(y) : 0;
                    Tensor gy = f.gradient(y);
                    Tensor candidate = g.prox(y.sub(gy.mul(t)), t);
                    while (backtracking) {
                        Tensor d = candidate.sub(y);
                        double model = fy + gy.mul(d).sum().item() + d.square().sum().item() / (2 * t);
                        if (f.value(candidate) <= model + 1e-13 * (1 + Math.abs(fy)) || t < 1e-300) {
                            break;
                        }
                        t *= shrink;
                        candidate = g.prox(y.sub(gy.mul(t)), t);
                    }
                    objective.add(f.value(candidate) + g.value(candidate));
                    Tensor diff = candidate.sub(x);
                    relativeStep = diff.norm().item() / Math.max(1, x.norm().item());
                    if (accelerated && !(restart && y.sub(candidate).mul(diff).sum().item() > 0)) {
                        double nextTheta = (1 + Math.sqrt(1 + 4 * theta * theta)) / 2;
                        nextY = candidate.add(diff.mul((theta - 1) / nextTheta));
                        theta = nextTheta;
                    } else {
                        theta = 1;
                        nextY = candidate.copy();
                    }
                    nextX = s.keep(candidate);
                    s.keep(nextY);
                }
                x.close();
                y.close();
                x = nextX;
                y = nextY;
                iterations++;
                residual.add(relativeStep);
                if (relativeStep <= tolerance) {
                    converged = true;
                    break;
                }
            }
        } catch (RuntimeException e) {
            if (x != null) {
                x.close();
            }
            if (y != null) {
                y.close();
            }
            throw e;
        }
        y.close();
        return new SolverResult(x, iterations, objective.toArray(), residual.toArray(), converged);
    }
}
