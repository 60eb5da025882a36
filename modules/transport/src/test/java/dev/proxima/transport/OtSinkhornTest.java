package dev.proxima.transport;

import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import dev.proxima.testkit.ReferenceTable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The POT-named one-liners of the Sinkhorn family, the barycenter and the divergence against POT 0.8.2. */
@ExtendWith(NoLeaks.class)
class OtSinkhornTest {

    static ReferenceTable pot;

    @BeforeAll
    static void read() throws IOException {
        pot = SinkhornTest.readPot();
    }

    @Test
    void sinkhornAndSinkhorn2AsPot() {
        try (Scope s = Scope.open()) {
            Tensor p = Ot.sinkhorn(Tensor.of(0.5, 0.5), Tensor.of(0.5, 0.5), Tensor.fromArray(new double[][]{{0, 1}, {1, 0}}), 1.0);
            assertArrayEquals(new double[]{0.3655, 0.1345, 0.1345, 0.3655}, p.toDoubleArray(), 5e-5);
            Tensor a = pot.tensor("random/a");
            Tensor b = pot.tensor("random/b");
            Tensor m = pot.tensor("random/M");
            assertArrayEquals(pot.values("random/cases/0/plan"), Ot.sinkhorn(a, b, m, 0.5).toDoubleArray(), 1e-9);
            assertEquals(pot.values("random/cases/0/cost")[0], Ot.sinkhorn2(a, b, m, 0.5), 1e-9);
            assertArrayEquals(pot.values("random/cases/2/plan"), Ot.sinkhorn(a, b, m, 0.01, 100_000, 1e-12).toDoubleArray(), 1e-11);
            assertEquals(pot.values("random/cases/2/cost")[0], Ot.sinkhorn2(a, b, m, 0.01, 100_000, 1e-12), 1e-10);
            assertThrows(IllegalArgumentException.class, () -> Ot.sinkhorn(a, b, m, 0));
        }
    }

    @Test
    void unbalancedAsPot() {
        try (Scope s = Scope.open()) {
            Tensor p = Ot.sinkhornUnbalanced(pot.tensor("unbalanced/a"), pot.tensor("unbalanced/b"), pot.tensor("random/M"),
                    0.1, 1.0, 100_000, 1e-13);
            assertArrayEquals(pot.values("unbalanced/cases/0/plan"), p.toDoubleArray(), 1e-10);
            Tensor loose = Ot.sinkhornUnbalanced(pot.tensor("unbalanced/a"), pot.tensor("unbalanced/b"), pot.tensor("random/M"), 0.1, 1.0);
            assertArrayEquals(pot.values("unbalanced/cases/0/plan"), loose.toDoubleArray(), 1e-5);
        }
    }

    @Test
    void barycenterAsPot() {
        try (Scope s = Scope.open()) {
            Tensor q = Ot.barycenter(pot.tensor("barycenter/A"), pot.tensor("barycenter/M"), 0.01, pot.tensor("barycenter/weights"),
                    100_000, 1e-13);
            double[] want = pot.values("barycenter/barycenter");
            assertArrayEquals(want, q.toDoubleArray(), 1e-10);
            double mass = 0;
            for (double v : q.toDoubleArray()) {
                mass += v;
            }
            assertEquals(1, mass, 1e-9);
            // the default tolerance (POT's 1e-4 on the spread of the marginals) stops earlier, near the same histogram
            assertArrayEquals(want, Ot.barycenter(pot.tensor("barycenter/A"), pot.tensor("barycenter/M"), 0.01,
                    pot.tensor("barycenter/weights")).toDoubleArray(), 1e-2);
            // the layered call reports its iterations: POT needed about 50 at this tolerance
            Barycenter.BarycenterOutput out = Barycenter.solve(CostMatrix.of(pot.tensor("barycenter/M")),
                    pot.tensor("barycenter/A").transpose(), pot.tensor("barycenter/weights"), 0.01, 10_000, 1e-12);
            assertTrue(out.converged() && out.iterations() < 200, out.iterations() + " iterations");
            assertArrayEquals(want, out.barycenter().toDoubleArray(), 1e-10);
            assertThrows(IllegalArgumentException.class, () -> Ot.barycenter(pot.tensor("barycenter/A"), pot.tensor("barycenter/M"),
                    0.01, Tensor.of(0.5, 0.6)));
        }
    }

    @Test
    void divergenceAsPotAndDebiased() {
        try (Scope s = Scope.open()) {
            Tensor x = pot.tensor("divergence/x");
            Tensor y = pot.tensor("divergence/y");
            Tensor a = pot.tensor("divergence/a");
            Tensor b = pot.tensor("divergence/b");
            assertEquals(pot.values("divergence/divergence")[0], Ot.sinkhornDivergence(x, y, a, b, 0.5), 1e-8);
            assertEquals(0, Ot.sinkhornDivergence(x, x, a, a, 0.5), 1e-12);
            Sinkhorn solver = Sinkhorn.builder(0.5).tolerance(1e-12).build();
            assertEquals(0, solver.divergence(x, x, a, a, CostFunction.squaredEuclidean()).item(), 1e-12);
            double d = solver.divergence(x, y, a, b, CostFunction.squaredEuclidean()).item();
            assertTrue(d > 0);
            // moving y further away increases the divergence
            assertTrue(solver.divergence(x, y.add(1.0), a, b, CostFunction.squaredEuclidean()).item() > d);
        }
    }
}
