package dev.proxima.transport;

import dev.proxima.tensor.Tensor;

/**
 * The result of {@link NetworkSimplex#solve}: an optimal (or, if the pivot budget ran out, the last) basic
 * transport plan with its cost and dual potentials. Closing the output closes its three tensors.
 *
 * <p>At an optimum the output carries its own certificate: the plan has marginals a and b, the duals are
 * feasible ({@code u_i + v_j ≤ M_ij}), tight on the basis ({@code u_i + v_j = M_ij} wherever the plan is
 * positive), and {@code cost = ⟨plan, M⟩ = Σ a u + Σ b v}.
 *
 * @param plan        the transport plan, shape [n, m], of M's dtype and device
 * @param cost        {@code ⟨plan, M⟩}, computed in F64
 * @param u           row potentials, shape [n], centred so that {@code Σ a u = Σ b v} (as POT)
 * @param v           column potentials, shape [m]
 * @param basisRows   the row of each basic cell (at most n + m − 1 of them: the sparse form of the plan; a
 *                    degenerate basis has cells with zero flow)
 * @param basisCols   the column of each basic cell
 * @param basisFlows  the mass on each basic cell
 * @param iterations  the number of simplex pivots made
 * @param status      whether the plan is optimal or the iteration limit was reached first
 */
public record NetworkSimplexOutput(Tensor plan, double cost, Tensor u, Tensor v, int[] basisRows, int[] basisCols,
                                   double[] basisFlows, long iterations, Status status) implements AutoCloseable {

    /** How the solve ended. */
    public enum Status {
        /** No arc prices out: the plan is optimal and the duals certify it. */
        OPTIMAL,
        /** The pivot budget ({@link NetworkSimplex.Builder#maxIterations}) ran out: the plan is the last basis. */
        ITERATION_LIMIT
    }

    /**
     * Copies the basis arrays, so that the output stays unchanged whatever the caller does with its arrays.
     *
     * @param plan        the transport plan
     * @param cost        its cost
     * @param u           row potentials
     * @param v           column potentials
     * @param basisRows   rows of the basic cells
     * @param basisCols   columns of the basic cells
     * @param basisFlows  masses on the basic cells
     * @param iterations  pivots made
     * @param status      how the solve ended
     */
    public NetworkSimplexOutput {
        basisRows = basisRows.clone();
        basisCols = basisCols.clone();
        basisFlows = basisFlows.clone();
    }

    /** {@return a copy of the rows of the basic cells} */
    @Override
    public int[] basisRows() {
        return basisRows.clone();
    }

    /** {@return a copy of the columns of the basic cells} */
    @Override
    public int[] basisCols() {
        return basisCols.clone();
    }

    /** {@return a copy of the masses on the basic cells} */
    @Override
    public double[] basisFlows() {
        return basisFlows.clone();
    }

    /** {@return whether the plan is optimal ({@code status() == OPTIMAL})} */
    public boolean optimal() {
        return status == Status.OPTIMAL;
    }

    /** Closes the plan and the two potentials. */
    @Override
    public void close() {
        plan.close();
        u.close();
        v.close();
    }
}
