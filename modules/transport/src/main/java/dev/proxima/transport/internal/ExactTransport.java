package dev.proxima.transport.internal;

/**
 * Exact balanced transport on plain arrays: drops zero-weight rows and columns (they carry no flow), rescales b to
 * a's mass, runs {@link NetworkSimplexSolver}, and maps the plan, the basis and the duals back to the full
 * problem. The duals are centred ({@code Σ a u = Σ b v}) as POT's {@code ot.emd} does, and zero-weight rows and
 * columns get the largest feasible dual ({@code u_i = min_j (M_ij − v_j)}, then {@code v_j = min_i (M_ij − u_i)}),
 * which keeps every constraint {@code u_i + v_j ≤ M_ij} satisfied without changing the objective.
 */
public final class ExactTransport {

    private ExactTransport() {
    }

    /**
     * The solution in plain arrays.
     *
     * @param plan        the n × m plan, row-major
     * @param cost        {@code Σ plan · M}
     * @param u           row duals
     * @param v           column duals
     * @param basisRows   rows of the basic arcs
     * @param basisCols   columns of the basic arcs
     * @param basisFlows  flows on the basic arcs
     * @param iterations  pivots made
     * @param optimal     whether the basis is optimal (false: the pivot budget ran out)
     */
    public record Solution(double[] plan, double cost, double[] u, double[] v, int[] basisRows, int[] basisCols,
                           double[] basisFlows, long iterations, boolean optimal) {
    }

    /**
     * Solves min ⟨P, M⟩ over plans with marginals a and b.
     *
     * @param a             row weights (checked: finite, ≥ 0, positive sum), length n
     * @param b             column weights, length m, same mass as a to the checked tolerance
     * @param costs         the n × m costs, row-major, finite (not modified)
     * @param maxIterations the pivot budget
     * @return the solution
     */
    public static Solution solve(double[] a, double[] b, double[] costs, long maxIterations) {
        int n = a.length;
        int m = b.length;
        double scale = Inputs.sum(a) / Inputs.sum(b);
        int[] rows = nonZero(a);
        int[] cols = nonZero(b);
        int nn = rows.length;
        int mm = cols.length;
        double[] ar = new double[nn];
        for (int k = 0; k < nn; k++) {
            ar[k] = a[rows[k]];
        }
        double[] br = new double[mm];
        for (int k = 0; k < mm; k++) {
            br[k] = b[cols[k]] * scale;
        }
        double[] reduced;
        if (nn == n && mm == m) {
            reduced = costs;  // the solver only reads it
        } else {
            reduced = new double[nn * mm];
            for (int r = 0; r < nn; r++) {
                int src = rows[r] * m;
                for (int c = 0; c < mm; c++) {
                    reduced[r * mm + c] = costs[src + cols[c]];
                }
            }
        }
        NetworkSimplexSolver solver = new NetworkSimplexSolver(ar, br, reduced);
        boolean optimal = solver.solve(maxIterations);

        int[] bRows = new int[nn + mm];
        int[] bCols = new int[nn + mm];
        double[] bFlows = new double[nn + mm];
        int count = solver.basis(bRows, bCols, bFlows);
        double[] plan = new double[n * m];
        int[] basisRows = new int[count];
        int[] basisCols = new int[count];
        double[] basisFlows = new double[count];
        for (int k = 0; k < count; k++) {
            basisRows[k] = rows[bRows[k]];
            basisCols[k] = cols[bCols[k]];
            basisFlows[k] = bFlows[k];
            plan[basisRows[k] * m + basisCols[k]] = bFlows[k];
        }
        double total = 0;
        double comp = 0;
        for (int k = 0; k < count; k++) {
            double x = basisFlows[k] * costs[basisRows[k] * m + basisCols[k]];
            double t = total + x;
            comp += Math.abs(total) >= Math.abs(x) ? (total - t) + x : (x - t) + total;
            total = t;
        }

        double[] ur = new double[nn];
        double[] vr = new double[mm];
        solver.duals(ur, vr);
        // centre: Σ a u = Σ b v (a shift of u by +c and v by −c keeps u_i + v_j)
        double au = 0;
        double bv = 0;
        double sa = 0;
        double sb = 0;
        for (int k = 0; k < nn; k++) {
            au += ar[k] * ur[k];
            sa += ar[k];
        }
        for (int k = 0; k < mm; k++) {
            bv += br[k] * vr[k];
            sb += br[k];
        }
        double shift = (bv - au) / (sa + sb);
        double[] u = new double[n];
        double[] v = new double[m];
        boolean[] rowSet = new boolean[n];
        boolean[] colSet = new boolean[m];
        for (int k = 0; k < nn; k++) {
            u[rows[k]] = ur[k] + shift;
            rowSet[rows[k]] = true;
        }
        for (int k = 0; k < mm; k++) {
            v[cols[k]] = vr[k] - shift;
            colSet[cols[k]] = true;
        }
        for (int i = 0; i < n; i++) {
            if (!rowSet[i]) {
                double best = Double.POSITIVE_INFINITY;
                for (int c = 0; c < mm; c++) {
                    int j = cols[c];
                    best = Math.min(best, costs[i * m + j] - v[j]);
                }
                u[i] = best;
            }
        }
        for (int j = 0; j < m; j++) {
            if (!colSet[j]) {
                double best = Double.POSITIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    best = Math.min(best, costs[i * m + j] - u[i]);
                }
                v[j] = best;
            }
        }
        return new Solution(plan, total + comp, u, v, basisRows, basisCols, basisFlows, solver.iterations(), optimal);
    }

    private static int[] nonZero(double[] w) {
        int count = 0;
        for (double x : w) {
            if (x != 0) {
                count++;
            }
        }
        int[] idx = new int[count];
        int k = 0;
        for (int i = 0; i < w.length; i++) {
            if (w[i] != 0) {
                idx[k++] = i;
            }
        }
        return idx;
    }
}
