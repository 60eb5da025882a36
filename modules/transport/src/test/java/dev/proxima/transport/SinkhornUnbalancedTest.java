package dev.proxima.transport;

import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import dev.proxima.testkit.ReferenceTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unbalanced Sinkhorn (KL-relaxed marginals) against POT's sinkhorn_unbalanced. */
@ExtendWith(NoLeaks.class)
class SinkhornUnbalancedTest {

    @Test
    void plansMatchPotsSinkhornUnbalanced() throws IOException {
        ReferenceTable pot = SinkhornTest.readPot();
        try (Scope s = Scope.open()) {
            Tensor a = pot.tensor("unbalanced/a");
            Tensor b = pot.tensor("unbalanced/b");
            CostMatrix geometry = CostMatrix.of(pot.tensor("random/M"));
            for (int k = 0; k < 2; k++) {
                String c = "unbalanced/cases/" + k + "/";
                double reg = pot.values(c + "reg")[0];
                double regM = pot.values(c + "reg_m")[0];
                LinearProblem problem = LinearProblem.unbalanced(geometry, a, b, regM, regM);
                assertTrue(!problem.isBalanced());
                for (boolean log : new boolean[]{true, false}) {
                    SinkhornOutput out = Sinkhorn.builder(reg).logDomain(log).tolerance(1e-13).maxIterations(100_000).build().solve(problem);
                    assertTrue(out.converged(), out.toString());
                    assertArrayEquals(pot.values(c + "plan"), out.plan().toDoubleArray(), 1e-10, "reg " + reg + (log ? " log" : " scaling"));
                }
            }
        }
    }

    @Test
    void theObjectiveIsPotsAndAnInfiniteTauIsAConstraint() throws IOException {
        ReferenceTable pot = SinkhornTest.readPot();
        try (Scope s = Scope.open()) {
            Tensor a = pot.tensor("random/a");
            Tensor b = pot.tensor("random/b");
            Tensor m = pot.tensor("random/M");
            SinkhornOutput out = Sinkhorn.builder(0.1).tolerance(1e-13).maxIterations(100_000).build()
                    .solve(LinearProblem.unbalanced(CostMatrix.of(m), a, b.mul(1.7), 1.0, 0.5));
            Tensor p = out.plan();
            double[] pv = p.toDoubleArray();
            double[] mv = m.toDoubleArray();
            double value = 0;
            for (int i = 0; i < pv.length; i++) {
                value += pv[i] * mv[i] + 0.1 * pv[i] * (Math.log(pv[i]) - 1);
            }
            value += 1.0 * kl(p.sum(1).toDoubleArray(), a.toDoubleArray()) + 0.5 * kl(p.sum(0).toDoubleArray(), b.mul(1.7).toDoubleArray());
            assertEquals(value, out.regularizedCost().item(), 1e-12);
            // τ_a = ∞ keeps the row marginal exact while the columns are relaxed
            SinkhornOutput half = Sinkhorn.builder(0.1).tolerance(1e-13).maxIterations(100_000).build()
                    .solve(LinearProblem.unbalanced(CostMatrix.of(m), a, b.mul(1.7), Double.POSITIVE_INFINITY, 0.5));
            assertTrue(half.converged());
            assertArrayEquals(a.toDoubleArray(), half.plan().sum(1).toDoubleArray(), 1e-12);
            assertEquals(1.0, half.plan().sum().item(), 1e-12);
        }
    }

    private static double kl(double[] p, double[] q) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            sum += p[i] * Math.log(p[i] / q[i]) - p[i] + q[i];
        }
        return sum;
    }
}
