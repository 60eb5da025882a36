package dev.proxima.transport;

import dev.proxima.tensor.Tensor;

/**
 * The result of {@link SinkhornNewtonSparse#solve}: the solution in {@link Sinkhorn}'s output shape (potentials,
 * plan, costs, convergence, with {@code Sinkhorn}'s conventions and gradients) and each phase's iteration count.
 *
 * @param solution                    the solution as a {@link SinkhornOutput}: the last Sinkhorn iteration, run from
 *                                    the Newton phase's potentials (its {@code iterations()} is 1, or the warm-up's
 *                                    count if the warm-up already converged)
 * @param sinkhornIterations          the Sinkhorn iterations of all phases: the warm-up and the final one
 * @param newtonIterations            the Newton steps
 * @param conjugateGradientIterations the conjugate-gradient iterations of all Newton steps together
 * @param errors                      the marginal error after each warm-up iteration, each Newton step and the
 *                                    final iteration (Sinkhorn's error ‖Pᵀ1 − b‖₂ in the Sinkhorn phases,
 *                                    ‖P1 − a‖₂ + ‖Pᵀ1 − b‖₂ in the Newton phase, where neither marginal is exact)
 */
public record SinkhornNewtonSparseOutput(SinkhornOutput solution, int sinkhornIterations, int newtonIterations,
                                         int conjugateGradientIterations, double[] errors) {

    /**
     * Copies the error history.
     *
     * @param solution                    the solution
     * @param sinkhornIterations          the Sinkhorn iterations
     * @param newtonIterations            the Newton steps
     * @param conjugateGradientIterations the CG iterations
     * @param errors                      the error history (copied)
     */
    public SinkhornNewtonSparseOutput {
        errors = errors.clone();
    }

    /** {@return a copy of the error history} */
    @Override
    public double[] errors() {
        return errors.clone();
    }

    /** {@return the row potential f, as {@link SinkhornOutput#f()}} */
    public Tensor f() {
        return solution.f();
    }

    /** {@return the column potential g, as {@link SinkhornOutput#g()}} */
    public Tensor g() {
        return solution.g();
    }

    /** {@return the transport plan [n, m], formed on request, as {@link SinkhornOutput#plan()}} */
    public Tensor plan() {
        return solution.plan();
    }

    /** {@return the transport cost ⟨P, C⟩, as {@link SinkhornOutput#cost()}} */
    public Tensor cost() {
        return solution.cost();
    }

    /** {@return the entropic objective, as {@link SinkhornOutput#regularizedCost()}} */
    public Tensor regularizedCost() {
        return solution.regularizedCost();
    }

    /** {@return whether the final marginal error is below the tolerance} */
    public boolean converged() {
        return solution.converged();
    }

    /** {@return the final marginal error ‖Pᵀ1 − b‖₂ (Sinkhorn's measure)} */
    public double error() {
        return solution.error();
    }

    /** {@return the iterations of all phases together: Sinkhorn iterations + Newton steps + CG iterations} */
    public int totalIterations() {
        return sinkhornIterations + newtonIterations + conjugateGradientIterations;
    }
}
