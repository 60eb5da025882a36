package dev.proxima.optim.prox;

import dev.proxima.optim.internal.Checks;
import dev.proxima.optim.internal.History;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;

/**
 * Linearized ADMM for min f(x) + g(Ax), f smooth and g with a prox, split as f(x) + g(z) with Ax − z = 0: the
 * x-update of ADMM is replaced by one gradient step on f plus the linearized augmented term, so that neither
 * a prox of f nor a solve with AᵀA is needed (Parikh and Boyd, <i>Proximal Algorithms</i>, §4.4.2, with f
 * linearized as well):
 * <pre>
 *   x = x − μ(∇f(x) + ρAᵀ(Ax − z + u));  z = prox_{g/ρ}(Ax + u);  u = u + Ax − z
 * </pre>
 * It converges for a step 0 &lt; μ ≤ 1/(L + ρ‖A‖₂²), L the Lipschitz constant of ∇f. The solver stops when the
 * primal residual ‖Ax − z‖ and the dual residual ρ‖Aᵀ(z − z_prev)‖ are at most tolerance·max(1, ‖z‖) and
 * tolerance·max(1, ρ‖Aᵀu‖); the larger relative residual is the residual history, f(x) + g(Ax) the objective
 * history.
 *
 * {@snippet :
 * // 1-D total variation denoising: ½‖x − y‖² + λ‖Dx‖₁ with D the difference matrix
 * SolverResult tv = LinearizedAdmm.builder().rho(1).step(0.15).build()
 *         .solve(Smooth.of(x -> x.sub(y).square().sum().mul(0.5)), Prox.l1(lambda), d, y);
 * }
 */
public final class LinearizedAdmm {

    private final double rho;
    private final double step;
    private final int maxIterations;
    private final double tolerance;

    private LinearizedAdmm(Builder b) {
        this.rho = b.rho;
        this.step = b.step;
        this.maxIterations = b.maxIterations;
        this.tolerance = b.tolerance;
    }

    /**
     * A builder with the defaults ρ = 1, μ = 0.1, 5000 iterations, tolerance 1e-8.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link LinearizedAdmm}. */
    public static final class Builder {
        private double rho = 1;
        private double step = 0.1;
        private int maxIterations = 5000;
        private double tolerance = 1e-8;

        private Builder() {
        }

        /**
         * The penalty ρ.
         *
         * @param rho ρ &gt; 0
         * @return this builder
         * @throws IllegalArgumentException if {@code rho} is not a finite number &gt; 0
         */
        public Builder rho(double rho) {
            this.rho = Checks.positive("the penalty rho", rho);
            return this;
        }

        /**
         * The step μ of the linearized x-update, at most 1/(L + ρ‖A‖₂²).
         *
         * @param step μ &gt; 0
         * @return this builder
         * @throws IllegalArgumentException if {@code step} is not a finite number &gt; 0
         */
        public Builder step(double step) {
            this.step = Checks.positive("the step mu", step);
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
        public LinearizedAdmm build() {
            return new LinearizedAdmm(this);
        }
    }

    /**
     * Minimises f(x) + g(Ax) from {@code x0}.
     *
     * @param f  the smooth part
     * @param g  the part with a prox, applied to Ax
     * @param a  the m × n matrix A
     * @param x0 the starting point of length n (floating point; not modified); z starts at Ax0, u at 0
     * @return the result; its solution is the last x
     * @throws IllegalArgumentException if an argument is null or not floating point, or the shapes do not fit
     */
    public SolverResult solve(Smooth f, Prox g, Tensor a, Tensor x0) {
        if (f == null || g == null) {
            throw new IllegalArgumentException("the smooth part f and the prox g must not be null");
        }
        Checks.floating("A", a);
        Checks.floating("the starting point x0", x0);
        if (a.rank() != 2) {
            throw new ShapeMismatchException("A must be 2-D, got shape " + Arrays.toString(a.shape()));
        }
        Checks.shape("the starting point x0", x0, a.dim(1));
        History objective = new History();
        History residual = new History();
        Tensor x = null;
        Tensor z = null;
        Tensor u = null;
        int iterations = 0;
        boolean converged = false;
        try (Autodiff.GradMode off = Autodiff.noGrad()) {
            x = x0.copy();
            z = a.matmul(x0);
            u = Tensor.zerosLike(z);
            Tensor at = a.transpose();
            while (iterations < maxIterations) {
                Tensor nx;
                Tensor nz;
                Tensor nu;
                double relative;
                try (Scope s = Scope.open()) {
                    Tensor direction = f.gradient(x).add(at.matmul(a.matmul(x).sub(z).add(u)).mul(rho));
                    nx = x.sub(direction.mul(step));
                    Tensor ax = a.matmul(nx);
                    nz = g.prox(ax.add(u), 1 / rho);
                    nu = u.add(ax).sub(nz);
                    double primal = ax.sub(nz).norm().item();
                    double dual = rho * at.matmul(nz.sub(z)).norm().item();
                    double uScale = rho * at.matmul(nu).norm().item();
                    relative = Math.max(primal / Math.max(1, nz.norm().item()), dual / Math.max(1, uScale));
                    objective.add(f.value(nx) + g.value(ax));
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
            at.close();
        } catch (RuntimeException e) {
            for (Tensor t : new Tensor[] {x, z, u}) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
        }
        z.close();
        u.close();
        return new SolverResult(x, iterations, objective.toArray(), residual.toArray(), converged);
    }
}
