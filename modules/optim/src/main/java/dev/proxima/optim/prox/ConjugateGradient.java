package dev.proxima.optim.prox;

import dev.proxima.optim.internal.Checks;
import dev.proxima.optim.internal.History;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.util.function.UnaryOperator;

/**
 * The (preconditioned) conjugate gradient method for Ax = b with A symmetric positive definite, given as an
 * operator x ↦ Ax (a matrix product, a Hessian-vector product, a convolution…), and optionally a preconditioner
 * r ↦ M⁻¹r, M symmetric positive definite (Hestenes and Stiefel 1952; Saad, <i>Iterative Methods for Sparse
 * Linear Systems</i>, Alg. 9.1):
 * <pre>
 *   r = b − Ax, z = M⁻¹r, p = z
 *   repeat: α = rᵀz / pᵀAp;  x += αp;  r −= αAp;  z = M⁻¹r;  β = r⁺ᵀz⁺ / rᵀz;  p = z + βp
 * </pre>
 * In exact arithmetic it ends in at most n steps (as many as A has distinct eigenvalues). It stops when
 * ‖r‖ ≤ tolerance·‖b‖ (the relative residual history); the objective history is the quadratic ½xᵀAx − bᵀx, which
 * decreases at every step. A direction with pᵀAp ≤ 0 (A not positive definite) stops the solver, not converged.
 *
 * {@snippet :
 * SolverResult r = ConjugateGradient.builder().tolerance(1e-10).preconditioner(v -> v.div(diagonal)).build()
 *         .solve(v -> a.matmul(v), b, Tensor.zerosLike(b));
 * }
 */
public final class ConjugateGradient {

    private final UnaryOperator<Tensor> preconditioner;
    private final int maxIterations;
    private final double tolerance;

    private ConjugateGradient(Builder b) {
        this.preconditioner = b.preconditioner;
        this.maxIterations = b.maxIterations;
        this.tolerance = b.tolerance;
    }

    /**
     * A builder with the defaults: no preconditioner, as many iterations as unknowns, tolerance 1e-10.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link ConjugateGradient}. */
    public static final class Builder {
        private UnaryOperator<Tensor> preconditioner;
        private int maxIterations;
        private double tolerance = 1e-10;

        private Builder() {
        }

        /**
         * The preconditioner r ↦ M⁻¹r (a new tensor of r's shape), M symmetric positive definite.
         *
         * @param preconditioner the operator, or null for none
         * @return this builder
         */
        public Builder preconditioner(UnaryOperator<Tensor> preconditioner) {
            this.preconditioner = preconditioner;
            return this;
        }

        /**
         * The iteration limit (default: the number of unknowns).
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
         * The relative residual ‖r‖/‖b‖ at which the solver stops.
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
        public ConjugateGradient build() {
            return new ConjugateGradient(this);
        }
    }

    /**
     * Solves Ax = b from {@code x0}.
     *
     * @param a  the operator v ↦ Av (a new tensor of v's shape), A symmetric positive definite
     * @param b  the right-hand side (floating point)
     * @param x0 the starting point, of b's shape (not modified)
     * @return the result; its solution is the last x
     * @throws IllegalArgumentException if an argument is null or not floating point, or x0's shape is not b's
     */
    public SolverResult solve(UnaryOperator<Tensor> a, Tensor b, Tensor x0) {
        if (a == null) {
            throw new IllegalArgumentException("the operator A must not be null");
        }
        Checks.floating("the right-hand side b", b);
        Checks.floating("the starting point x0", x0);
        Checks.shape("the starting point x0", x0, b.shape());
        int limit = maxIterations > 0 ? maxIterations : (int) Math.min(Integer.MAX_VALUE, Math.max(1, b.size()));
        History objective = new History();
        History residual = new History();
        Tensor x = null;
        Tensor r = null;
        Tensor p = null;
        int iterations = 0;
        boolean converged = false;
        try (Autodiff.GradMode off = Autodiff.noGrad()) {
            double bNorm;
            double rz;
            x = x0.copy();
            try (Scope s = Scope.open()) {
                bNorm = b.norm().item();
                r = s.keep(b.sub(a.apply(x)));
                Tensor z = preconditioner == null ? r : preconditioner.apply(r);
                p = s.keep(z.copy());
                rz = r.mul(z).sum().item();
                if (r.norm().item() <= tolerance * bNorm) {
                    converged = true;
                }
            }
            while (!converged && iterations < limit) {
                Tensor nx;
                Tensor nr;
                Tensor np;
                double relative;
                double quadratic;
                boolean breakdown = false;
                try (Scope s = Scope.open()) {
                    Tensor ap = a.apply(p);
                    double curvature = p.mul(ap).sum().item();
                    if (!(curvature > 0)) {
                        breakdown = true;
                        nx = null;
                        nr = null;
                        np = null;
                        relative = Double.NaN;
                        quadratic = Double.NaN;
                    } else {
                        double step = rz / curvature;
                        nx = x.add(p.mul(step));
                        nr = r.sub(ap.mul(step));
                        Tensor z = preconditioner == null ? nr : preconditioner.apply(nr);
                        double nextRz = nr.mul(z).sum().item();
                        np = z.add(p.mul(nextRz / rz));
                        rz = nextRz;
                        relative = nr.norm().item() / (bNorm > 0 ? bNorm : 1);
                        // ½xᵀAx − bᵀx = −½xᵀ(b + r) since Ax = b − r
                        quadratic = -0.5 * nx.mul(b.add(nr)).sum().item();
                        s.keep(nx);
                        s.keep(nr);
                        s.keep(np);
                    }
                }
                if (breakdown) {
                    break;
                }
                x.close();
                r.close();
                p.close();
                x = nx;
                r = nr;
                p = np;
                iterations++;
                objective.add(quadratic);
                residual.add(relative);
                if (relative <= tolerance) {
                    converged = true;
                }
            }
        } catch (RuntimeException e) {
            for (Tensor t : new Tensor[] {x, r, p}) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
        }
        r.close();
        p.close();
        return new SolverResult(x, iterations, objective.toArray(), residual.toArray(), converged);
    }
}
