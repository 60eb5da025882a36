package dev.proxima.transport;

import dev.proxima.tensor.Tensor;

/**
 * The result of {@link SparsityConstrained#solve}: a plan with at most k nonzeros per column, the dual
 * potentials, the objective values and how the run went. Not converging within the iteration budget is
 * reported here ({@code converged == false}), not thrown.
 *
 * <p>The three tensors belong to the {@link dev.proxima.tensor.Scope} current when {@code solve} ran; without
 * one, the caller closes them, for instance with {@link #close()}.
 *
 * @param plan             the transport plan T, [n, m], nonnegative, at most k nonzeros in each column
 * @param f                the dual potential α of the rows, [n]
 * @param g                the dual potential β of the columns, [m] (for the semi-dual, the multipliers of the
 *                         column constraints: {@code β_j = −γ b_j τ_j} with τ_j the column's simplex threshold)
 * @param objective        the (semi-)dual objective at the solution (it is maximised)
 * @param transportCost    ⟨T, C⟩
 * @param regularizedCost  ⟨T, C⟩ + (γ/2)‖T‖², the primal objective at the plan
 * @param marginalError    ‖T1 − a‖₁ + ‖Tᵀ1 − b‖₁ at the solution
 * @param iterations       the number of L-BFGS steps taken
 * @param converged        whether the marginal error of the solved formulation reached the tolerance
 * @param objectiveHistory the (semi-)dual objective at the start and after each step (non-decreasing, up
 *                         to the line search's 1e-6 relative tolerance on values near the optimum)
 */
public record SparsityConstrainedOutput(Tensor plan, Tensor f, Tensor g, double objective, double transportCost,
                                        double regularizedCost, double marginalError, int iterations,
                                        boolean converged, double[] objectiveHistory) implements AutoCloseable {

    /**
     * Copies the objective history.
     *
     * @param plan             the plan
     * @param f                the row potential
     * @param g                the column potential
     * @param objective        the (semi-)dual objective
     * @param transportCost    ⟨T, C⟩
     * @param regularizedCost  ⟨T, C⟩ + (γ/2)‖T‖²
     * @param marginalError    the L1 marginal error
     * @param iterations       the L-BFGS steps
     * @param converged        whether the tolerance was reached
     * @param objectiveHistory the objective after each step (copied)
     */
    public SparsityConstrainedOutput {
        objectiveHistory = objectiveHistory.clone();
    }

    /** {@return a copy of the objective history} */
    @Override
    public double[] objectiveHistory() {
        return objectiveHistory.clone();
    }

    /** Closes the plan and the two potentials. */
    @Override
    public void close() {
        plan.close();
        f.close();
        g.close();
    }
}
