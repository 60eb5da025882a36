package dev.proxima.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import dev.proxima.testkit.ReferenceTable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The log-domain and scaling Sinkhorn solvers against POT 0.8.2 (src/test/python/sinkhorn_fixtures.py) and by hand. */
@ExtendWith(NoLeaks.class)
class SinkhornTest {

    static ReferenceTable pot;

    @BeforeAll
    static void readFixtures() throws IOException {
        pot = readPot();
    }

    static ReferenceTable readPot() throws IOException {
        try (InputStream in = SinkhornTest.class.getResourceAsStream("/fixtures/sinkhorn/pot.txt")) {
            return ReferenceTable.read(in);
        }
    }

    static void assertMarginals(Tensor plan, Tensor a, Tensor b, double tolerance) {
        assertArrayEquals(a.toDoubleArray(), plan.sum(1).toDoubleArray(), tolerance, "row marginals");
        assertArrayEquals(b.toDoubleArray(), plan.sum(0).toDoubleArray(), tolerance, "column marginals");
    }

    @Test
    void theTwoByTwoCaseOfTheIssue() {
        try (Scope s = Scope.open()) {
            LinearProblem problem = LinearProblem.of(CostMatrix.of(pot.tensor("two/M")), pot.tensor("two/a"), pot.tensor("two/b"));
            SinkhornOutput out = Sinkhorn.builder(1.0).tolerance(1e-13).build().solve(problem);
            assertTrue(out.converged());
            assertArrayEquals(new double[]{0.3655, 0.1345, 0.1345, 0.3655}, out.plan().toDoubleArray(), 5e-5);
            assertArrayEquals(pot.values("two/plan"), out.plan().toDoubleArray(), 1e-13);
            assertEquals(pot.values("two/cost")[0], out.cost().item(), 1e-13);
            // ⟨P, C⟩ = 2·0.1345 = 2·e^{-1}/(2(1 + e^{-1})) by hand
            assertEquals(Math.exp(-1) / (1 + Math.exp(-1)), out.cost().item(), 1e-13);
        }
    }

    @Test
    void plansAndCostsMatchPotAtThreeEpsilons() {
        try (Scope s = Scope.open()) {
            Tensor a = pot.tensor("random/a");
            Tensor b = pot.tensor("random/b");
            LinearProblem problem = LinearProblem.of(CostMatrix.of(pot.tensor("random/M")), a, b);
            for (int k = 0; k < 3; k++) {
                double reg = pot.values("random/cases/" + k + "/reg")[0];
                SinkhornOutput out = Sinkhorn.builder(reg).tolerance(1e-12).maxIterations(100_000).build().solve(problem);
                assertTrue(out.converged(), "reg " + reg + ": " + out);
                Tensor plan = out.plan();
                assertArrayEquals(pot.values("random/cases/" + k + "/plan"), plan.toDoubleArray(), 1e-11, "reg " + reg);
                assertMarginals(plan, a, b, 1e-11);
                assertEquals(pot.values("random/cases/" + k + "/cost")[0], out.cost().item(), 1e-10, "reg " + reg);
                // the regularised objective ⟨P, C⟩ + ε·KL(P ‖ a⊗b) from the plan equals the dual value
                double[] p = plan.toDoubleArray();
                double[] av = a.toDoubleArray();
                double[] bv = b.toDoubleArray();
                double kl = 0;
                for (int i = 0; i < av.length; i++) {
                    for (int j = 0; j < bv.length; j++) {
                        double pij = p[i * bv.length + j];
                        kl += pij * Math.log(pij / (av[i] * bv[j])) - pij + av[i] * bv[j];
                    }
                }
                assertEquals(out.cost().item() + reg * kl, out.regularizedCost().item(), 1e-10, "reg " + reg);
            }
        }
    }

    @Test
    void theScalingFormFindsTheSamePlan() {
        try (Scope s = Scope.open()) {
            Tensor a = pot.tensor("random/a");
            Tensor b = pot.tensor("random/b");
            LinearProblem problem = LinearProblem.of(CostMatrix.of(pot.tensor("random/M")), a, b);
            for (int k = 0; k < 2; k++) {
                double reg = pot.values("random/cases/" + k + "/reg")[0];
                SinkhornOutput out = Sinkhorn.builder(reg).logDomain(false).tolerance(1e-12).maxIterations(100_000).build().solve(problem);
                assertTrue(out.converged());
                assertArrayEquals(pot.values("random/cases/" + k + "/plan"), out.plan().toDoubleArray(), 1e-11);
            }
        }
    }

    /** The minimum of Σ C[i, σ(i)]/n over the 3! assignments, by enumeration. */
    private static double bestAssignment(double[][] c) {
        int[][] perms = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        double best = Double.POSITIVE_INFINITY;
        for (int[] p : perms) {
            best = Math.min(best, (c[0][p[0]] + c[1][p[1]] + c[2][p[2]]) / 3);
        }
        return best;
    }

    @Test
    void asEpsilonShrinksTheCostTendsToTheExactOptimum() {
        double[][] c = {{1, 0.25, 0.75}, {0.5, 0, 1.25}, {0.75, 0.5, 0.5}};
        double exact = bestAssignment(c);   // σ = (1, 0, 2): (0.25 + 0.5 + 0.5)/3 = 5/12
        assertEquals(5.0 / 12, exact, 1e-15);
        try (Scope s = Scope.open()) {
            LinearProblem problem = LinearProblem.of(CostMatrix.of(Tensor.fromArray(c)));
            double previousGap = Double.POSITIVE_INFINITY;
            for (double eps : new double[]{1.0, 0.1, 0.03}) {
                SinkhornOutput out = Sinkhorn.builder(eps).tolerance(1e-10).maxIterations(5000).build().solve(problem);
                assertTrue(out.converged(), "eps " + eps);
                double gap = out.cost().item() - exact;
                // 0 ≤ ⟨P_ε, C⟩ − OT ≤ ε·log(n·m), and it shrinks with ε
                assertTrue(gap >= -1e-10 && gap < previousGap && gap <= eps * Math.log(9), "eps " + eps + ": gap " + gap);
                previousGap = gap;
            }
            assertTrue(previousGap < 6e-3, "gap at ε = 0.03: " + previousGap);
            // POT's costs of the random problem at ε = 0.5, 0.05, 0.01 (matched above) approach its exact EMD cost
            double emd = pot.values("random/emd_cost")[0];
            double gap = Double.POSITIVE_INFINITY;
            for (int k = 0; k < 3; k++) {
                double next = pot.values("random/cases/" + k + "/cost")[0] - emd;
                assertTrue(next > 0 && next < gap);
                gap = next;
            }
            assertTrue(gap < 2e-3);
        }
    }

    @Test
    void pointCloudsOnlineAndDenseAgreeWithTheCostMatrix() {
        try (Scope s = Scope.open()) {
            Tensor x = pot.tensor("random/x");
            Tensor y = pot.tensor("random/y");
            Tensor a = pot.tensor("random/a");
            Tensor b = pot.tensor("random/b");
            Sinkhorn solver = Sinkhorn.builder(0.05).tolerance(1e-12).maxIterations(100_000).build();
            double[] want = pot.values("random/cases/1/plan");
            for (Geometry geometry : new Geometry[]{PointCloud.of(x, y), PointCloud.online(x, y)}) {
                SinkhornOutput out = solver.solve(LinearProblem.of(geometry, a, b));
                assertTrue(out.converged(), geometry.toString());
                assertArrayEquals(want, out.plan().toDoubleArray(), 1e-11, geometry.toString());
                assertEquals(pot.values("random/cases/1/cost")[0], out.cost().item(), 1e-10, geometry.toString());
            }
        }
    }

    @Test
    void f32SolvesToItsPrecision() {
        try (Scope s = Scope.open()) {
            Tensor a = pot.tensor("random/a").cast(DType.F32);
            Tensor b = pot.tensor("random/b").cast(DType.F32);
            Tensor x = pot.tensor("random/x").cast(DType.F32);
            Tensor y = pot.tensor("random/y").cast(DType.F32);
            for (Geometry geometry : new Geometry[]{CostMatrix.of(pot.tensor("random/M").cast(DType.F32)), PointCloud.online(x, y)}) {
                SinkhornOutput out = Sinkhorn.builder(0.05).tolerance(1e-6).build().solve(LinearProblem.of(geometry, a, b));
                assertTrue(out.converged(), out.toString());
                assertEquals(DType.F32, out.f().dtype());
                assertArrayEquals(pot.values("random/cases/1/plan"), out.plan().toDoubleArray(), 1e-5);
            }
        }
    }

    @Test
    void aBatchIsSolvedTogetherAsEachAlone() {
        Random r = new Random(2);
        double[][][] costs = new double[2][4][5];
        for (double[][] c : costs) {
            for (double[] row : c) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = r.nextDouble();
                }
            }
        }
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.fromArray(new double[][]{{0.1, 0.2, 0.3, 0.4}, {0.25, 0.25, 0.25, 0.25}});
            Tensor b = Tensor.fromArray(new double[][]{{0.2, 0.2, 0.2, 0.2, 0.2}, {0.5, 0.1, 0.1, 0.1, 0.2}});
            Sinkhorn solver = Sinkhorn.builder(0.1).tolerance(1e-12).build();
            SinkhornOutput both = solver.solve(LinearProblem.of(CostMatrix.of(Tensor.fromArray(costs)), a, b));
            assertArrayEquals(new long[]{2, 4}, both.f().shape());
            assertArrayEquals(new long[]{2}, both.cost().shape());
            for (int k = 0; k < 2; k++) {
                SinkhornOutput one = solver.solve(LinearProblem.of(CostMatrix.of(Tensor.fromArray(costs[k])), a.select(0, k), b.select(0, k)));
                assertArrayEquals(one.plan().toDoubleArray(), both.plan().select(0, k).toDoubleArray(), 1e-12);
                assertEquals(one.regularizedCost().item(), both.regularizedCost().select(0, k).item(), 1e-12);
            }
            // one shared cost, two pairs of weights
            SinkhornOutput shared = solver.solve(LinearProblem.of(CostMatrix.of(Tensor.fromArray(costs[0])), a, b));
            SinkhornOutput second = solver.solve(LinearProblem.of(CostMatrix.of(Tensor.fromArray(costs[0])), a.select(0, 1), b.select(0, 1)));
            assertArrayEquals(second.plan().toDoubleArray(), shared.plan().select(0, 1).toDoubleArray(), 1e-12);
        }
    }

    @Test
    void tinyEpsilonOnLargeCostsGivesFinitePotentials() {
        Random r = new Random(4);
        double[][] c = new double[8][8];
        for (double[] row : c) {
            for (int j = 0; j < 8; j++) {
                row[j] = 100 * r.nextDouble();
            }
        }
        try (Scope s = Scope.open()) {
            SinkhornOutput out = Sinkhorn.builder(1e-4).maxIterations(200).build().solve(LinearProblem.of(CostMatrix.of(Tensor.fromArray(c))));
            for (double v : out.f().toDoubleArray()) {
                assertTrue(Double.isFinite(v), "f " + v);
            }
            for (double v : out.g().toDoubleArray()) {
                assertTrue(Double.isFinite(v), "g " + v);
            }
            assertTrue(Double.isFinite(out.cost().item()));
            for (double v : out.plan().toDoubleArray()) {
                assertTrue(v >= 0 && v <= 1.0 / 8 + 1e-9);
            }
        }
    }

    @Test
    void notConvergingIsReportedNotThrown() {
        try (Scope s = Scope.open()) {
            LinearProblem problem = LinearProblem.of(CostMatrix.of(pot.tensor("random/M")), pot.tensor("random/a"), pot.tensor("random/b"));
            SinkhornOutput out = Sinkhorn.builder(0.01).maxIterations(3).build().solve(problem);
            assertFalse(out.converged());
            assertEquals(3, out.iterations());
            assertEquals(3, out.errors().length);
            assertTrue(out.error() > 1e-9);
            // and the errors of a converging run fall to the tolerance
            SinkhornOutput done = Sinkhorn.builder(0.5).tolerance(1e-10).build().solve(problem);
            double[] errors = done.errors();
            assertTrue(done.converged() && errors[errors.length - 1] < 1e-10 && errors[0] > errors[errors.length - 1]);
            // the column marginal error is what it says
            Tensor plan = done.plan();
            double[] cols = plan.sum(0).toDoubleArray();
            double[] b = pot.values("random/b");
            double norm = 0;
            for (int j = 0; j < b.length; j++) {
                norm += (cols[j] - b[j]) * (cols[j] - b[j]);
            }
            assertEquals(Math.sqrt(norm), done.error(), 1e-12);
        }
    }

    @Test
    void warmStartAndAnnealingReachTheSameSolution() {
        try (Scope s = Scope.open()) {
            LinearProblem problem = LinearProblem.of(CostMatrix.of(pot.tensor("random/M")), pot.tensor("random/a"), pot.tensor("random/b"));
            Sinkhorn solver = Sinkhorn.builder(0.01).tolerance(1e-11).maxIterations(100_000).build();
            SinkhornOutput cold = solver.solve(problem);
            SinkhornOutput warm = solver.solve(problem, cold.f(), cold.g());
            assertTrue(warm.converged());
            assertTrue(warm.iterations() <= 2, "warm start from the solution: " + warm.iterations());
            SinkhornOutput annealed = Sinkhorn.builder(0.01).annealing(1.0, 0.8).tolerance(1e-11).maxIterations(100_000).build().solve(problem);
            assertTrue(annealed.converged());
            assertTrue(Double.isNaN(annealed.errors()[0]), "no error is measured at a larger ε");
            assertArrayEquals(cold.plan().toDoubleArray(), annealed.plan().toDoubleArray(), 1e-10);
        }
    }
}
