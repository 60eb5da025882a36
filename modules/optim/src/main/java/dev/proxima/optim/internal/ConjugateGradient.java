package dev.proxima.optim.internal;

import dev.proxima.tensor.TensorTree;

import java.util.function.UnaryOperator;

/**
 * Conjugate gradients for A·x = b with A symmetric, given only as the product v ↦ A·v (a Hessian–vector
 * product plus a shift, say), on tensor trees. Starts at x = 0; stops when ‖r‖ ≤ tol·‖b‖, after
 * {@code maxIter} iterations, or when a direction of non-positive curvature pᵀAp ≤ 0 appears (then the
 * iterate so far is returned, or b itself — the steepest-descent direction — when it appears on the first
 * iteration, as truncated Newton–CG does).
 */
public final class ConjugateGradient {

    private ConjugateGradient() {
    }

    /**
     * The outcome of a solve.
     *
     * @param solution           the approximate solution, owned by the caller's scope
     * @param iterations         the number of products with A
     * @param residualNorm       ‖b − A·x‖ at the end (of the recursion, not recomputed)
     * @param negativeCurvature  true if the solve stopped at a direction with pᵀAp ≤ 0
     */
    public record Result(TensorTree solution, int iterations, double residualNorm, boolean negativeCurvature) {
    }

    /**
     * Solves A·x = b approximately.
     *
     * @param a       the product v ↦ A·v
     * @param b       the right-hand side
     * @param maxIter the largest number of iterations (at least 1)
     * @param tol     the relative residual tolerance (≥ 0)
     * @return the result
     */
    public static Result solve(UnaryOperator<TensorTree> a, TensorTree b, int maxIter, double tol) {
        double bNorm = TreeAlgebra.norm(b);
        TensorTree x = b.map(t -> t.mul(0.0));
        if (bNorm == 0) {
            return new Result(x, 0, 0, false);
        }
        TensorTree r = TreeAlgebra.scale(1.0, b);
        TensorTree p = TreeAlgebra.scale(1.0, b);
        double rr = bNorm * bNorm;
        int it = 0;
        boolean negative = false;
        try {
            while (it < maxIter && Math.sqrt(rr) > tol * bNorm) {
                TensorTree ap = a.apply(p);
                it++;
                double pAp = TreeAlgebra.dot(p, ap);
                if (!(pAp > 0)) {
                    TreeAlgebra.close(ap);
                    negative = true;
                    if (it == 1) {
                        TreeAlgebra.close(x);
                        x = TreeAlgebra.scale(1.0, b);
                    }
                    break;
                }
                double alpha = rr / pAp;
                TensorTree xNext = TreeAlgebra.combine(1.0, x, alpha, p);
                TensorTree rNext = TreeAlgebra.combine(1.0, r, -alpha, ap);
                TreeAlgebra.close(ap);
                TreeAlgebra.close(x);
                TreeAlgebra.close(r);
                x = xNext;
                r = rNext;
                double rrNext = TreeAlgebra.dot(r, r);
                double beta = rrNext / rr;
                rr = rrNext;
                TensorTree pNext = TreeAlgebra.combine(1.0, r, beta, p);
                TreeAlgebra.close(p);
                p = pNext;
            }
        } catch (RuntimeException e) {
            TreeAlgebra.close(x);
            throw e;
        } finally {
            TreeAlgebra.close(r);
            TreeAlgebra.close(p);
        }
        return new Result(x, it, Math.sqrt(rr), negative);
    }
}
