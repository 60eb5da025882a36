package dev.proxima.optim.prox;

import dev.proxima.optim.internal.Checks;
import dev.proxima.optim.internal.History;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;

/**
 * The alternating direction method of multipliers for min f(x) + g(z) subject to Ax + Bz = c, in scaled form
 * with penalty ρ and over-relaxation α ∈ (0, 2) (Boyd et al. 2011, §3.1 and §3.4.3), in two common forms:
 * <ul>
 * <li><b>consensus</b> (A = I, B = −I, c = 0), {@link #solve(Prox, Prox, Tensor)}: f and g both given by their
 * prox (e.g. {@link Prox#leastSquares} and {@link Prox#l1} for the lasso), or f smooth,
 * {@link #solve(Smooth, Prox, Tensor)}, its prox then computed by Newton–CG:
 * <pre>
 *   x = prox_{f/ρ}(z − u);  x̂ = αx + (1 − α)z;  z = prox_{g/ρ}(x̂ + u);  u = u + x̂ − z
 * </pre></li>
 * <li><b>linear constraint</b> Ax − z = c (B = −I) with a quadratic f(x) = ½xᵀPx + qᵀx,
 * {@link #solve(Tensor, Tensor, Tensor, Tensor, Prox, Tensor)} (generalized lasso, total variation, constrained
 * quadratic programs):
 * <pre>
 *   x = (P + ρAᵀA)⁻¹(ρAᵀ(z + c − u) − q);  Ax̂ = αAx + (1 − α)(z + c);  z = prox_{g/ρ}(Ax̂ − c + u);  u = u + Ax̂ − c − z
 * </pre></li>
 * </ul>
 * The solver stops when the primal residual ‖Ax − z − c‖ and the dual residual ρ‖Aᵀ(z − z_prev)‖ are both at most
 * tolerance·max(1, ‖z‖) and tolerance·max(1, ρ‖Aᵀu‖); the larger of the two relative residuals is the residual
 * history.
 *
 * {@snippet :
 * SolverResult lasso = Admm.builder().rho(1).relaxation(1.6).tolerance(1e-10).build()
 *         .solve(Prox.leastSquares(a, b), Prox.l1(lambda), Tensor.zeros(DType.F64, n));
 * }
 *
 * <p>Reference: S. Boyd, N. Parikh, E. Chu, B. Peleato and J. Eckstein, "Distributed Optimization and Statistical
 * Learning via the Alternating Direction Method of Multipliers", Found. Trends Mach. Learn. 3(1), 2011.
 */
public final class Admm {

    private final double rho;
    private final double alpha;
    private final int maxIterations;
    private final double tolerance;

    private Admm(Builder b) {
        this.rho = b.rho;
        this.alpha = b.alpha;
        this.maxIterations = b.maxIterations;
        this.tolerance = b.tolerance;
    }

    /**
     * A builder with the defaults ρ = 1, α = 1 (no over-relaxation), 1000 iterations, tolerance 1e-8.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures an {@link Admm}. */
    public static final class Builder {
        private double rho = 1;
        private double alpha = 1;
        private int maxIterations = 1000;
        private double tolerance = 1e-8;

        private Builder() {
        }

        /**
         * The penalty ρ of the augmented Lagrangian.
         *
         * @param rho ρ &gt; 0
         * @return this builder
         * @throws IllegalArgumentException if {@code rho} is not a finite number &gt; 0
         */
        public Builder rho(double rho) {
            this.rho = Checks.positive("ADMM's penalty rho", rho);
            return this;
        }

        /**
         * The over-relaxation α (1 is plain ADMM; 1.5–1.8 is often faster).
         *
         * @param alpha α in (0, 2)
         * @return this builder
         * @throws IllegalArgumentException if {@code alpha} is outside (0, 2) or NaN
         */
        public Builder relaxation(double alpha) {
            this.alpha = Checks.openInterval("ADMM's over-relaxation alpha", alpha, 0, 2);
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
         * The relative residual at which the solver stops.
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
        public Admm build() {
            return new Admm(this);
        }
    }

    /**
     * Consensus ADMM for min f(x) + g(x) (split as f(x) + g(z), x = z). The objective history is f(z) + g(z).
     *
     * @param f  the first part, by its prox
     * @param g  the second part, by its prox
     * @param x0 the starting point for z (floating point; not modified); u starts at 0
     * @return the result; its solution is the last z
     * @throws IllegalArgumentException if an argument is null or {@code x0} is not floating point
     */
    public SolverResult solve(Prox f, Prox g, Tensor x0) {
        if (f == null || g == null) {
            throw new IllegalArgumentException("the prox operators f and g must not be null");
        }
        Checks.floating("the starting point x0", x0);
        return iterate(null, null, null, null, f, g, x0);
    }

    /**
     * Consensus ADMM for min f(x) + g(x) with a smooth f: the x-update is the prox of f computed by Newton–CG
     * ({@link Prox#smooth(Smooth)}), warm-started at z − u. The objective history is f(z) + g(z).
     *
     * @param f  the smooth part (its gradient by autodiff or by hand, its Hessian-vector products likewise)
     * @param g  the part with a prox
     * @param x0 the starting point for z (floating point; not modified); u starts at 0
     * @return the result; its solution is the last z
     * @throws IllegalArgumentException if an argument is null or {@code x0} is not floating point
     */
    public SolverResult solve(Smooth f, Prox g, Tensor x0) {
        if (f == null) {
            throw new IllegalArgumentException("the smooth part f must not be null");
        }
        return solve(Prox.smooth(f), g, x0);
    }

    /**
     * ADMM for min ½xᵀPx + qᵀx + g(z) subject to Ax − z = c. The objective history is ½xᵀPx + qᵀx + g(Ax − c).
     *
     * @param p  the n × n symmetric positive semidefinite matrix P (P + ρAᵀA must be invertible)
     * @param q  the vector q of length n
     * @param a  the m × n matrix A
     * @param c  the vector c of length m
     * @param g  the part with a prox, applied to z of length m
     * @param x0 the starting point x of length n (floating point; not modified); z starts at Ax0 − c, u at 0
     * @return the result; its solution is the last x
     * @throws IllegalArgumentException if an argument is null or not floating point, or the shapes do not fit
     *                                  (a {@link ShapeMismatchException} naming the shapes)
     */
    public SolverResult solve(Tensor p, Tensor q, Tensor a, Tensor c, Prox g, Tensor x0) {
        Checks.floating("P", p);
        Checks.floating("q", q);
        Checks.floating("A", a);
        Checks.floating("c", c);
        Checks.floating("the starting point x0", x0);
        if (g == null) {
            throw new IllegalArgumentException("the prox g must not be null");
        }
        if (a.rank() != 2) {
            throw new ShapeMismatchException("A must be 2-D, got shape " + Arrays.toString(a.shape()));
        }
        long m = a.dim(0);
        long n = a.dim(1);
        Checks.shape("P", p, n, n);
        Checks.shape("q", q, n);
        Checks.shape("c", c, m);
        Checks.shape("the starting point x0", x0, n);
        return iterate(p, q, a, c, null, g, x0);
    }

    private SolverResult iterate(Tensor p, Tensor q, Tensor a, Tensor c, Prox f, Prox g, Tensor x0) {
        boolean consensus = a == null;
        History objective = new History();
        History residual = new History();
        Tensor x = null;
        Tensor z = null;
        Tensor u = null;
        Tensor inverse = null;
        int iterations = 0;
        boolean converged = false;
        try (Autodiff.GradMode off = Autodiff.noGrad()) {
            x = x0.copy();
            if (consensus) {
                z = x0.copy();
                u = Tensor.zerosLike(x0);
            } else {
                z = a.matmul(x0).sub(c);
                u = Tensor.zerosLike(z);
                try (Scope s = Scope.open()) {
                    inverse = s.keep(Linalg.inv(p.add(a.transpose().matmul(a).mul(rho))));
                }
            }
            while (iterations < maxIterations) {
                Tensor nx;
                Tensor nz;
                Tensor nu;
                double relative;
                try (Scope s = Scope.open()) {
                    Tensor ax;
                    Tensor relaxed;
                    if (consensus) {
                        nx = f.prox(z.sub(u), 1 / rho);
                        ax = nx;
                        relaxed = nx.mul(alpha).add(z.mul(1 - alpha));
                        nz = g.prox(relaxed.add(u), 1 / rho);
                        nu = u.add(relaxed).sub(nz);
                    } else {
                        Tensor rhs = a.transpose().matmul(z.add(c).sub(u)).mul(rho).sub(q);
                        nx = inverse.matmul(rhs);
                        ax = a.matmul(nx);
                        relaxed = ax.mul(alpha).add(z.add(c).mul(1 - alpha));
                        nz = g.prox(relaxed.sub(c).add(u), 1 / rho);
                        nu = u.add(relaxed).sub(c).sub(nz);
                    }
                    double primal = (consensus ? ax.sub(nz) : ax.sub(nz).sub(c)).norm().item();
                    Tensor dz = nz.sub(z);
                    double dual = rho * (consensus ? dz : a.transpose().matmul(dz)).norm().item();
                    double uScale = rho * (consensus ? nu : a.transpose().matmul(nu)).norm().item();
                    relative = Math.max(primal / Math.max(1, nz.norm().item()), dual / Math.max(1, uScale));
                    if (consensus) {
                        objective.add(f.value(nz) + g.value(nz));
                    } else {
                        double quadratic = 0.5 * nx.mul(p.matmul(nx)).sum().item() + q.mul(nx).sum().item();
                        objective.add(quadratic + g.value(a.matmul(nx).sub(c)));
                    }
                    s.keep(nx);
                    s.keep(nz);
                    s.keep(nu);
                }
                x.close();
                z.close();
                u.close();
                x = nx;
                z = nz;
                u = nu;
                iterations++;
                residual.add(relative);
                if (relative <= tolerance) {
                    converged = true;
                    break;
                }
            }
        } catch (RuntimeException e) {
            for (Tensor t : new Tensor[] {x, z, u}) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
        } finally {
            if (inverse != null) {
                inverse.close();
            }
        }
        Tensor solution = consensus ? z : x;
        (consensus ? x : z).close();
        u.close();
        return new SolverResult(solution, iterations, objective.toArray(), residual.toArray(), converged);
    }
}
