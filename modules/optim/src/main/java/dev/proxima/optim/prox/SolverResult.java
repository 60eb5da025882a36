package dev.proxima.optim.prox;

/**
 * What an iterative solver returns: the solution, the number of iterations run, the objective after each
 * iteration, the residual the stopping test used after each iteration (the solver's Javadoc says which), and
 * whether that test was met before the iteration limit. A solver that did not converge still returns its last
 * iterate, with {@code converged} false.
 *
 * @param solution          the last iterate, owned by the caller's scope (or by the caller: {@link #close()})
 * @param iterations        the number of iterations run
 * @param objectiveHistory  the objective after each iteration (length {@code iterations})
 * @param residualHistory   the stopping residual after each iteration (length {@code iterations})
 * @param converged         whether the stopping test was met
 */
public record SolverResult(dev.proxima.tensor.Tensor solution, int iterations, double[] objectiveHistory,
                           double[] residualHistory, boolean converged) implements AutoCloseable {

    /**
     * Copies the histories.
     *
     * @throws IllegalArgumentException if a history's length is not {@code iterations}
     */
    public SolverResult {
        if (objectiveHistory.length != iterations || residualHistory.length != iterations) {
            throw new IllegalArgumentException("histories of " + objectiveHistory.length + " and " + residualHistory.length
                    + " entries for " + iterations + " iterations");
        }
        objectiveHistory = objectiveHistory.clone();
        residualHistory = residualHistory.clone();
    }

    /**
     * The objective after each iteration.
     *
     * @return a copy of the history
     */
    @Override
    public double[] objectiveHistory() {
        return objectiveHistory.clone();
    }

    /**
     * The stopping residual after each iteration.
     *
     * @return a copy of the history
     */
    @Override
    public double[] residualHistory() {
        return residualHistory.clone();
    }

    /**
     * The objective after the last iteration, NaN if none ran.
     *
     * @return the final objective
     */
    public double objective() {
        return iterations == 0 ? Double.NaN : objectiveHistory[iterations - 1];
    }

    /** Closes the solution. */
    @Override
    public void close() {
        solution.close();
    }
}
