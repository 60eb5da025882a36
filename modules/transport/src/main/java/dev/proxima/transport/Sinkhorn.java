package dev.proxima.transport;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.transport.internal.Envelope;
import dev.proxima.transport.internal.PlanSums;
import dev.proxima.transport.internal.SinkhornLoop;

import java.util.Arrays;
import java.util.Objects;

/**
 * The Sinkhorn solver of entropic optimal transport (Cuturi 2013): alternating updates of the dual potentials
 * f and g of {@code min_P ⟨P, C⟩ + ε·KL(P ‖ a⊗b)} subject to the marginals (or their KL relaxation, see
 * {@link LinearProblem}). A solver is configuration only (immutable, reusable); {@link #solve} returns a
 * {@link SinkhornOutput}.
 *
 * <ul>
 *   <li><b>Log domain</b> (default): {@code g ← −ε·log Σ_i a_i exp((f_i − C_ij)/ε)}, {@code f ← −ε·log Σ_j b_j
 *       exp((g_j − C_ij)/ε)}. On a dense cost the potentials are absorbed into a kernel
 *       {@code exp((f̂_i + ĝ_j − C_ij)/ε)} and each update is one matrix–vector product with it (the log-domain
 *       stabilisation of Schmitzer 2019: the same iterates, a gemv instead of an exponential per entry; the kernel
 *       is formed again whenever the potentials drift by 200·ε from it, and a kernel row that underflows sends the
 *       iteration back to soft-min passes). An online point cloud, unrolled gradients and costs above 2²⁵ entries
 *       run every update as one pass of the core's fused soft-min kernel instead (no [n, m] memory; the online
 *       cloud never forms the cost at all). Stable for any ε: ε = 10⁻⁴ on costs of order 100 returns finite
 *       potentials.</li>
 *   <li><b>Scaling form</b>: {@code v ← b / Kᵀu}, {@code u ← a / K v} with the Gibbs kernel {@code K = exp(−C/ε)}
 *       formed once — matrix–vector products, faster per step, but it under- or overflows when ε is small against
 *       the costs (NaN potentials are reported, not thrown). Not for online geometries.</li>
 *   <li><b>ε annealing</b>: ε_k = max(ε, ε₀·decay^k) at iteration k; the error is checked once ε_k = ε.</li>
 *   <li><b>Warm start</b> from potentials ({@link #solve(LinearProblem, Tensor, Tensor)}).</li>
 *   <li><b>Stopping</b>: after each iteration (g then f, as POT's {@code sinkhorn_log}) the error
 *       {@code ‖Pᵀ·1 − b‖₂} is computed at O(n + m) cost; the solver stops below the tolerance.</li>
 *   <li><b>Gradients</b>: {@link Gradients#ENVELOPE} (default) or {@link Gradients#UNROLLED}.</li>
 * </ul>
 *
 * {@snippet :
 * Sinkhorn solver = Sinkhorn.builder(0.01).maxIterations(2000).tolerance(1e-6).build();
 * SinkhornOutput out = solver.solve(LinearProblem.of(PointCloud.of(x, y), a, b));
 * Tensor plan = out.plan();
 * }
 */
public final class Sinkhorn {

    /** How the values of a {@link SinkhornOutput} are differentiable. */
    public enum Gradients {
        /**
         * The regularised objective of a balanced problem is differentiated by the envelope theorem at the returned
         * potentials ({@code ∂OT_ε/∂C = P}, {@code ∂/∂a = f}, {@code ∂/∂b = g} up to the constant of the mass
         * constraint, and through C to the points): no iteration is recorded, memory stays that of one solve. The
         * gradient is exact at convergence. Other values are constants.
         */
        ENVELOPE,
        /**
         * Every iteration is recorded and differentiated (all values, balanced or unbalanced): exact for the
         * iterations run, with memory growing with the iteration count.
         */
        UNROLLED
    }

    private final double epsilon;
    private final int maxIterations;
    private final double tolerance;
    private final boolean logDomain;
    private final double initialEpsilon;
    private final double decay;
    private final Gradients gradients;

    private Sinkhorn(Builder b) {
        this.epsilon = b.epsilon;
        this.maxIterations = b.maxIterations;
        this.tolerance = b.tolerance;
        this.logDomain = b.logDomain;
        this.initialEpsilon = b.initialEpsilon;
        this.decay = b.decay;
        this.gradients = b.gradients;
    }

    /**
     * A builder with the regularisation ε and POT's defaults otherwise: 1000 iterations, tolerance 10⁻⁹, log domain,
     * no annealing, envelope gradients.
     *
     * @param epsilon the entropic regularisation ε (POT's {@code reg}), positive and finite
     * @return the builder
     * @throws IllegalArgumentException if ε is not positive and finite
     */
    public static Builder builder(double epsilon) {
        Checks.epsilon(epsilon);
        return new Builder(epsilon);
    }

    /**
     * The regularisation.
     *
     * @return ε
     */
    public double epsilon() {
        return epsilon;
    }

    /**
     * Solves a problem from zero potentials.
     *
     * @param problem the problem
     * @return the output; tensors owned by the current scope
     * @throws NullPointerException     if problem is null
     * @throws IllegalArgumentException if the scaling form is asked for an online geometry
     */
    public SinkhornOutput solve(LinearProblem problem) {
        Objects.requireNonNull(problem, "problem must be a linear problem, got null");
        return solve(problem, null, null);
    }

    /**
     * Solves a problem from given potentials (a warm start, e.g. the output of a nearby problem or of a larger ε).
     *
     * @param problem  the problem
     * @param initialF the initial f, {@code [n]} or {@code [B, n]} (null: zeros)
     * @param initialG the initial g, {@code [m]} or {@code [B, m]} (null: zeros)
     * @return the output; tensors owned by the current scope
     * @throws NullPointerException     if problem is null
     * @throws IllegalArgumentException if the scaling form is asked for an online geometry, or a potential is not
     *                                  finite
     * @throws ShapeMismatchException   if a potential does not fit the problem
     */
    public SinkhornOutput solve(LinearProblem problem, Tensor initialF, Tensor initialG) {
        Objects.requireNonNull(problem, "problem must be a linear problem, got null");
        Geometry geometry = problem.geometry();
        if (!logDomain && geometry.isOnline()) {
            throw new IllegalArgumentException("the scaling form needs the dense Gibbs kernel; an online geometry "
                    + geometry + " is solved in the log domain (logDomain(true))");
        }
        long batch = problem.batch();
        long[] fShape = batch > 0 ? new long[]{batch, geometry.rows()} : new long[]{geometry.rows()};
        long[] gShape = batch > 0 ? new long[]{batch, geometry.columns()} : new long[]{geometry.columns()};
        checkPotential("initialF", initialF, fShape, problem);
        checkPotential("initialG", initialG, gShape, problem);
        SinkhornLoop.Settings settings = new SinkhornLoop.Settings(epsilon, maxIterations, tolerance,
                initialEpsilon, decay, logDomain);
        try (Scope scope = Scope.open();
             Autodiff.GradMode mode = gradients == Gradients.UNROLLED ? null : Autodiff.noGrad()) {
            Geometry work = geometry instanceof PointCloud && !geometry.isOnline() ? CostMatrix.of(geometry.cost()) : geometry;
            Tensor f0 = initialF != null ? initialF.broadcastTo(fShape) : Tensor.zeros(geometry.dtype(), geometry.device(), fShape);
            Tensor g0 = initialG != null ? initialG.broadcastTo(gShape) : Tensor.zeros(geometry.dtype(), geometry.device(), gShape);
            SinkhornLoop.Result r = SinkhornLoop.run(work, problem.a(), problem.b(), problem.tauA(), problem.tauB(),
                    settings, f0, g0);
            Tensor value = problem.isBalanced()
                    ? dualObjective(problem, r)
                    : unbalancedObjective(work, problem, r);
            Tensor f = r.f();
            Tensor g = r.g();
            if (gradients == Gradients.ENVELOPE && problem.isBalanced()) {
                try (Autodiff.GradMode on = Autodiff.enableGrad()) {
                    value = envelope(geometry, problem, value, f, g);
                }
            }
            return new SinkhornOutput(scope.keep(f), scope.keep(g), scope.keep(value), r.iterations(), r.errors(),
                    r.converged(), problem, epsilon, gradients);
        }
    }

    /** {@code ⟨a, f⟩ + ⟨b, g⟩ − ε·(Σ P − Σa·Σb)}, Σ P read from the next g update. */
    private Tensor dualObjective(LinearProblem problem, SinkhornLoop.Result r) {
        Tensor a = problem.a();
        Tensor b = problem.b();
        Tensor g = r.g();
        Tensor massA = a.sum(a.rank() - 1);
        Tensor massB = b.sum(b.rank() - 1);
        Tensor totalPlan = b.mul(g.sub(r.nextG()).div(epsilon).exp()).sum(g.rank() - 1);
        return a.mul(r.f()).sum(r.f().rank() - 1).add(b.mul(g).sum(g.rank() - 1))
                .sub(totalPlan.sub(massA.mul(massB)).mul(epsilon));
    }

    /** POT's objective {@code ⟨P, C⟩ + ε·Σ P(log P − 1) + τ_a·KL(P·1 ‖ a) + τ_b·KL(Pᵀ·1 ‖ b)}. */
    private Tensor unbalancedObjective(Geometry geometry, LinearProblem problem, SinkhornLoop.Result r) {
        PlanSums sums = PlanSums.of(geometry, r.f(), r.g(), problem.a(), problem.b(), epsilon, true);
        Tensor value = sums.transportCost().add(sums.entropy().mul(epsilon));
        if (problem.tauA() != Double.POSITIVE_INFINITY) {
            value = value.add(kl(sums.rowSums(), problem.a()).mul(problem.tauA()));
        }
        if (problem.tauB() != Double.POSITIVE_INFINITY) {
            value = value.add(kl(sums.columnSums(), problem.b()).mul(problem.tauB()));
        }
        return value;
    }

    /** {@code KL(p ‖ q) = Σ p·log(p/q) − p + q} over the last axis (0·log 0 = 0). */
    private static Tensor kl(Tensor p, Tensor q) {
        Tensor plogp = Tensor.where(p.gt(0.0), p.mul(p.div(q).log()), Tensor.zerosLike(p));
        Tensor terms = plogp.sub(p).add(q);
        return terms.sum(terms.rank() - 1);
    }

    private Tensor envelope(Geometry geometry, LinearProblem problem, Tensor value, Tensor f, Tensor g) {
        Tensor[] inputs;
        boolean points = geometry.isOnline();
        if (points) {
            PointCloud cloud = (PointCloud) geometry;
            inputs = new Tensor[]{cloud.x(), cloud.y(), problem.a(), problem.b()};
        } else {
            inputs = new Tensor[]{geometry.cost(), problem.a(), problem.b()};
        }
        return new Envelope(value, f, g, epsilon, points).apply(inputs)[0];
    }

    /**
     * The debiased Sinkhorn divergence of two weighted point clouds (Feydy et al. 2019),
     * {@code S_ε(a, b) = OT_ε(a, b) − ½·OT_ε(a, a) − ½·OT_ε(b, b)} of the {@linkplain SinkhornOutput#regularizedCost()
     * regularised objective} under a cost function: 0 for identical measures, positive otherwise (for the squared
     * Euclidean cost), differentiable in the points and weights like the objective. Three balanced problems solved
     * with this solver's settings.
     *
     * {@snippet :
     * Tensor s = Sinkhorn.builder(0.05).build().divergence(x, y, a, b, CostFunction.squaredEuclidean());
     * }
     *
     * @param x    the source points {@code [n, d]}
     * @param y    the target points {@code [m, d]}
     * @param a    the source weights {@code [n]}
     * @param b    the target weights {@code [m]}, of a's mass
     * @param cost the cost function
     * @return the divergence, 0-d, owned by the current scope
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if the points or weights are invalid (see {@link PointCloud}, {@link LinearProblem})
     * @throws ShapeMismatchException   if they do not fit together
     */
    public Tensor divergence(Tensor x, Tensor y, Tensor a, Tensor b, CostFunction cost) {
        LinearProblem xy = LinearProblem.of(PointCloud.of(x, y, cost), a, b);
        LinearProblem xx = LinearProblem.of(PointCloud.of(x, x, cost), a, a);
        LinearProblem yy = LinearProblem.of(PointCloud.of(y, y, cost), b, b);
        try (Scope s = Scope.open()) {
            Tensor ab = solve(xy).regularizedCost();
            Tensor aa = solve(xx).regularizedCost();
            Tensor bb = solve(yy).regularizedCost();
            return s.keep(ab.sub(aa.add(bb).mul(0.5)));
        }
    }

    private static void checkPotential(String name, Tensor t, long[] shape, LinearProblem problem) {
        if (t == null) {
            return;
        }
        Checks.floating(name, t);
        Checks.sameDtype(name + " and the problem's weights", t, problem.a());
        long[] s = t.shape();
        boolean fits = Arrays.equals(s, shape) || shape.length == 2 && Arrays.equals(s, new long[]{shape[1]});
        if (!fits) {
            throw new ShapeMismatchException(name + " must have shape " + Arrays.toString(shape) + ", got " + Arrays.toString(s));
        }
        long bad;
        try (Scope scope = Scope.open()) {
            bad = (long) t.isfinite().logicalNot().sum().item();
        }
        if (bad > 0) {
            throw new IllegalArgumentException(name + " must be finite, got " + bad + " NaN or infinite values");
        }
    }

    @Override
    public String toString() {
        return "Sinkhorn[epsilon=" + epsilon + ", maxIterations=" + maxIterations + ", tolerance=" + tolerance
                + ", " + (logDomain ? "log domain" : "scaling form")
                + (initialEpsilon > epsilon ? ", annealing from " + initialEpsilon + " by " + decay : "") + ", " + gradients + "]";
    }

    /** Configures a {@link Sinkhorn}; each setter checks its argument at once. */
    public static final class Builder {

        private final double epsilon;
        private int maxIterations = 1000;
        private double tolerance = 1e-9;
        private boolean logDomain = true;
        private double initialEpsilon;
        private double decay = 1;
        private Gradients gradients = Gradients.ENVELOPE;

        private Builder(double epsilon) {
            this.epsilon = epsilon;
            this.initialEpsilon = epsilon;
        }

        /**
         * The iteration budget (default 1000, POT's {@code numItermax}).
         *
         * @param maxIterations at least 0
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder maxIterations(int maxIterations) {
            if (maxIterations < 0) {
                throw new IllegalArgumentException("maxIterations must be at least 0, got " + maxIterations);
            }
            this.maxIterations = maxIterations;
            return this;
        }

        /**
         * The marginal error below which the solver stops (default 10⁻⁹, POT's {@code stopThr}).
         *
         * @param tolerance at least 0 (0 runs the whole budget)
         * @return this builder
         * @throws IllegalArgumentException if negative or NaN
         */
        public Builder tolerance(double tolerance) {
            if (!(tolerance >= 0)) {
                throw new IllegalArgumentException("tolerance must be at least 0, got " + tolerance);
            }
            this.tolerance = tolerance;
            return this;
        }

        /**
         * Log domain (default, stable for any ε) or the scaling form (matrix–vector products with {@code exp(−C/ε)}).
         *
         * @param logDomain true for the log domain
         * @return this builder
         */
        public Builder logDomain(boolean logDomain) {
            this.logDomain = logDomain;
            return this;
        }

        /**
         * ε annealing: iteration k uses {@code max(ε, initialEpsilon·decay^k)} (log domain only).
         *
         * @param initialEpsilon the first ε, at least ε
         * @param decay          the factor per iteration, in (0, 1)
         * @return this builder
         * @throws IllegalArgumentException if initialEpsilon &lt; ε or is not finite, or decay is not in (0, 1)
         */
        public Builder annealing(double initialEpsilon, double decay) {
            if (!(initialEpsilon >= epsilon) || Double.isInfinite(initialEpsilon)) {
                throw new IllegalArgumentException("annealing: initialEpsilon must be finite and at least epsilon " + epsilon
                        + ", got " + initialEpsilon);
            }
            if (!(decay > 0 && decay < 1)) {
                throw new IllegalArgumentException("annealing: decay must lie in (0, 1), got " + decay);
            }
            this.initialEpsilon = initialEpsilon;
            this.decay = decay;
            return this;
        }

        /**
         * How the output is differentiable (default {@link Gradients#ENVELOPE}).
         *
         * @param gradients the mode
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder gradients(Gradients gradients) {
            this.gradients = Objects.requireNonNull(gradients, "gradients must be a mode, got null");
            return this;
        }

        /**
         * The solver.
         *
         * @return an immutable solver
         * @throws IllegalArgumentException if annealing is combined with the scaling form
         */
        public Sinkhorn build() {
            if (!logDomain && initialEpsilon > epsilon) {
                throw new IllegalArgumentException("annealing runs in the log domain; drop annealing or keep logDomain(true)");
            }
            return new Sinkhorn(this);
        }
    }
}
