package dev.proxima.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exact optimality certificate of a transport plan with its duals, checked on plain arrays. */
final class Certificates {

    private Certificates() {
    }

    /**
     * Asserts primal feasibility (P ≥ 0, marginals a and b), dual feasibility (u_i + v_j ≤ M_ij), complementary
     * slackness (P_ij > 0 ⇒ u_i + v_j = M_ij) and equal objectives (⟨P, M⟩ = Σ a u + Σ b v = cost).
     */
    static void assertOptimal(double[] a, double[] b, double[] M, double[] P, double[] u, double[] v, double cost) {
        assertOptimal(a, b, M, P, u, v, cost, 1e-11);
    }

    /** As above, with dual feasibility and slackness to {@code relTol} times the largest |M| (e.g. for F32 outputs). */
    static void assertOptimal(double[] a, double[] b, double[] M, double[] P, double[] u, double[] v, double cost, double relTol) {
        int n = a.length;
        int m = b.length;
        double scale = 1e-300;
        for (double c : M) {
            scale = Math.max(scale, Math.abs(c));
        }
        double mass = 0;
        for (double x : a) {
            mass += x;
        }
        double tol = relTol * scale;
        double primal = 0;
        for (int i = 0; i < n; i++) {
            double row = 0;
            for (int j = 0; j < m; j++) {
                double p = P[i * m + j];
                assertTrue(p >= 0, "plan entry [" + i + ", " + j + "] is negative: " + p);
                row += p;
                primal += p * M[i * m + j];
                double slack = M[i * m + j] - u[i] - v[j];
                assertTrue(slack >= -tol, "dual infeasible at [" + i + ", " + j + "]: u + v − M = " + (-slack));
                if (p > 1e-14 * mass) {
                    assertTrue(Math.abs(slack) <= tol, "complementary slackness fails at [" + i + ", " + j + "]: P = " + p
                            + ", M − u − v = " + slack);
                }
            }
            assertEquals(a[i], row, 1e-12 * mass, "row " + i + " marginal");
        }
        for (int j = 0; j < m; j++) {
            double col = 0;
            for (int i = 0; i < n; i++) {
                col += P[i * m + j];
            }
            assertEquals(b[j], col, 1e-12 * mass, "column " + j + " marginal");
        }
        double dual = 0;
        for (int i = 0; i < n; i++) {
            dual += a[i] * u[i];
        }
        for (int j = 0; j < m; j++) {
            dual += b[j] * v[j];
        }
        double objTol = 10 * relTol * scale * mass;
        assertEquals(primal, cost, objTol, "cost = <P, M>");
        assertEquals(primal, dual, objTol, "strong duality <P, M> = Σ a u + Σ b v");
    }
}
