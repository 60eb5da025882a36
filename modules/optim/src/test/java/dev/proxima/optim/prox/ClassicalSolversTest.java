package dev.proxima.optim.prox;

import dev.proxima.optim.prox.SketchedAugmentedLagrangian.LagrangianResult;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.sim.SimBackend;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Block coordinate descent (Gauss–Southwell, Gauss–Southwell–Lipschitz, cyclic), the exact augmented Lagrangian
 * with sketched Newton steps, and optimistic mirror descent.
 */
@ExtendWith(NoLeaks.class)
class ClassicalSolversTest {

    @AfterEach
    void simMemoryFreed() {
        assertEquals(0, SimBackend.allocatedBytes(), "sim bytes still allocated after the test");
    }

    /** ½xᵀQx − bᵀx. */
    static Smooth quadratic(Tensor q, Tensor b) {
        return Smooth.of(x -> x.matmul(q.matmul(x)).mul(0.5).sub(b.matmul(x)));
    }

    @Test
    void gaussSouthwellLipschitzNeedsNoMoreIterationsThanGaussSouthwellOnABadlyScaledQuadratic() {
        try (Scope s = Scope.open()) {
            int n = 8;
            double[] blockScale = {100, 1, 0.1, 10};   // block constants three orders apart
            double[] scale = new double[n];
            for (int i = 0; i < n; i++) {
                scale[i] = blockScale[i / 2];
            }
            Tensor root = Tensor.of(scale).sqrt();
            Tensor coupling = Rng.seed(1).normal(DType.F64, 0, 0.15, n, n);
            Tensor core = Tensor.eye(n, DType.F64).add(coupling.add(coupling.transpose()).mul(0.5));
            Tensor q = root.unsqueeze(1).mul(core).mul(root.unsqueeze(0));
            Tensor b = Rng.seed(2).normal(DType.F64, 0, 1, n);
            long[][] blocks = new long[n / 2][];
            double[] lipschitz = new double[n / 2];
            for (int k = 0; k < n / 2; k++) {
                blocks[k] = new long[] {2 * k, 2 * k + 1};
                Tensor qbb = q.slice(0, 2 * k, 2 * k + 2, 1).slice(1, 2 * k, 2 * k + 2, 1);
                lipschitz[k] = Linalg.eigvalsh(qbb).max().item();
            }
            double[] expected = Linalg.solve(q, b.unsqueeze(1)).reshape(n).toDoubleArray();
            int[] iterations = new int[3];
            BlockCoordinateDescent.Rule[] rules = BlockCoordinateDescent.Rule.values();
            for (int r = 0; r < rules.length; r++) {
                SolverResult result = BlockCoordinateDescent.builder().blocks(blocks).lipschitz(lipschitz).rule(rules[r])
                        .tolerance(1e-9).maxIterations(200_000).build()
                        .solve(quadratic(q, b), Prox.zero(), Tensor.zeros(DType.F64, n));
                assertTrue(result.converged(), rules[r] + " converged");
                assertArrayEquals(expected, result.solution().toDoubleArray(), 1e-6, rules[r].toString());
                double[] h = result.objectiveHistory();
                for (int i = 1; i < h.length; i++) {
                    assertTrue(h[i] <= h[i - 1] + 1e-12, rules[r] + ": the objective rose at iteration " + i);
                }
                iterations[r] = result.iterations();
            }
            assertTrue(iterations[1] <= iterations[0],
                    "GS-L took " + iterations[1] + " iterations, GS " + iterations[0] + " (168 and 115 when written)");
        }
    }

    @Test
    void coordinateDescentWithTheL1ProxReachesTheScikitLearnLassoSolution() {
        try (Scope s = Scope.open()) {
            ProximalSolversTest.Lasso l = ProximalSolversTest.load();
            int p = l.x().length;
            long[][] blocks = new long[p][];
            double[] lipschitz = new double[p];
            Tensor columnNorms = l.a().square().sum(0);
            for (int j = 0; j < p; j++) {
                blocks[j] = new long[] {j};
                lipschitz[j] = columnNorms.getDouble(j);
            }
            SolverResult r = BlockCoordinateDescent.builder().blocks(blocks).lipschitz(lipschitz).tolerance(1e-10)
                    .maxIterations(100_000).build().solve(l.smooth(), Prox.l1(l.lambda()), Tensor.zeros(DType.F64, p));
            assertTrue(r.converged());
            assertArrayEquals(l.x(), r.solution().toDoubleArray(), 1e-9);
        }
    }

    @Test
    void blockCoordinateDescentRefusesBadConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> BlockCoordinateDescent.builder().build());
        assertThrows(IllegalArgumentException.class,
                () -> BlockCoordinateDescent.builder().blocks(new long[][] {{0}, {1}}).lipschitz(new double[] {1}).build());
        assertThrows(IllegalArgumentException.class, () -> BlockCoordinateDescent.builder().blocks(new long[][] {{0, 1}, {1}}));
        assertThrows(IllegalArgumentException.class, () -> BlockCoordinateDescent.builder().lipschitz(new double[] {0}));
        try (Scope s = Scope.open()) {
            BlockCoordinateDescent bcd = BlockCoordinateDescent.builder().blocks(new long[][] {{0}, {5}})
                    .lipschitz(new double[] {1, 1}).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> bcd.solve(Smooth.of(x -> x.square().sum()), Prox.zero(), Tensor.zeros(DType.F64, 3)));
            assertTrue(e.getMessage().contains("position 5"), e.getMessage());
        }
    }

    @Test
    void augmentedLagrangianSolvesALinearlyConstrainedQuadraticInClosedForm() {
        try (Scope s = Scope.open()) {
            // min ½‖x − a‖² s.t. Cx = d:  x = a − Cᵀ(CCᵀ)⁻¹(Ca − d), λ = (CCᵀ)⁻¹(Ca − d)
            Tensor a = Tensor.of(1.0, -2.0, 0.5, 3.0, 0.0);
            Tensor c = Tensor.of(1.0, 1, 1, 1, 1, 1, -1, 0, 2, 0).reshape(2, 5);
            Tensor d = Tensor.of(1.0, 2.0);
            Tensor lambda = Linalg.solve(c.matmul(c.transpose()), c.matmul(a).sub(d).unsqueeze(1)).reshape(2);
            Tensor expected = a.sub(c.transpose().matmul(lambda));
            LagrangianResult r = SketchedAugmentedLagrangian.builder().seed(3).tolerance(1e-9).build()
                    .solve(x -> x.sub(a).square().sum().mul(0.5), x -> c.matmul(x).sub(d), Tensor.zeros(DType.F64, 5));
            assertTrue(r.converged(), "KKT residuals " + java.util.Arrays.toString(r.residualHistory()));
            assertArrayEquals(expected.toDoubleArray(), r.solution().toDoubleArray(), 1e-8);
            assertArrayEquals(lambda.toDoubleArray(), r.multipliers().toDoubleArray(), 1e-8);
            assertTrue(c.matmul(r.solution()).sub(d).norm().item() < 1e-9, "the constraints hold");
        }
    }

    @Test
    void augmentedLagrangianSolvesANonlinearEqualityConstraint() {
        try (Scope s = Scope.open()) {
            // min x₁ + x₂ s.t. x₁² + x₂² = 2: x = (−1, −1), λ = 1/2
            LagrangianResult r = SketchedAugmentedLagrangian.builder().seed(11).tolerance(1e-10).build()
                    .solve(x -> x.sum(), x -> x.square().sum().sub(2).reshape(1), Tensor.of(-1.3, -0.6));
            assertTrue(r.converged(), "KKT residuals " + java.util.Arrays.toString(r.residualHistory()));
            assertArrayEquals(new double[] {-1, -1}, r.solution().toDoubleArray(), 1e-8);
            assertEquals(0.5, r.multipliers().item(), 1e-8);
            assertEquals(2, r.solution().square().sum().item(), 1e-9);
            assertThrows(ShapeMismatchException.class, () -> SketchedAugmentedLagrangian.builder().build()
                    .solve(x -> x.sum(), x -> x.square().sum(), Tensor.of(1.0, 2.0)));
            assertThrows(IllegalArgumentException.class, () -> SketchedAugmentedLagrangian.builder().accuracy(1));
            assertThrows(IllegalArgumentException.class, () -> SketchedAugmentedLagrangian.builder().penalty(Double.NaN));
        }
    }

    @Test
    void optimisticMultiplicativeWeightsSolvesRockPaperScissorsAndAnAsymmetricGame() {
        try (Scope s = Scope.open()) {
            Tensor rps = Tensor.of(0.0, 1, -1, -1, 0, 1, 1, -1, 0).reshape(3, 3);
            try (OptimisticMirrorDescent.GameResult r = OptimisticMirrorDescent.entropic(0.1).solveMatrixGame(rps, 2000)) {
                assertTrue(r.gap() < 5e-3, "gap " + r.gap());
                assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, r.rowStrategy().toDoubleArray(), 5e-3);
                assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, r.columnStrategy().toDoubleArray(), 5e-3);
            }
            // 2×2 game [[3, −1], [−2, 1]] (row minimises): x* = (3/7, 4/7), y* = (2/7, 5/7), value 1/7
            Tensor a = Tensor.of(3.0, -1, -2, 1).reshape(2, 2);
            OptimisticMirrorDescent.GameResult r = OptimisticMirrorDescent.entropic(0.1).solveMatrixGame(a, 3000);
            assertTrue(r.gap() < 5e-3, "gap " + r.gap());
            assertArrayEquals(new double[] {3.0 / 7, 4.0 / 7}, r.rowStrategy().toDoubleArray(), 5e-3);
            assertArrayEquals(new double[] {2.0 / 7, 5.0 / 7}, r.columnStrategy().toDoubleArray(), 5e-3);
            double[] gaps = r.gapHistory();
            assertTrue(gaps[gaps.length - 1] < gaps[9] / 10, "the gap shrinks");
            // the Euclidean geometry with the simplex projection solves it too
            OptimisticMirrorDescent.GameResult e = OptimisticMirrorDescent.euclidean(0.05, Prox.simplex(1)).solveMatrixGame(a, 3000);
            assertTrue(e.gap() < 5e-3, "gap " + e.gap());
        }
    }

    @Test
    void optimisticRegretOnSlowlyVaryingLossesStaysBounded() {
        try (Scope s = Scope.open()) {
            int rounds = 2000;
            double eta = 0.5;
            double regretOptimistic = regret(OptimisticMirrorDescent.entropic(eta), rounds);
            // with predictable losses the regret stays bounded by log(n)/η plus the (small) variation term
            assertTrue(regretOptimistic <= Math.log(3) / eta + 0.5, "regret " + regretOptimistic);
            assertTrue(regretOptimistic >= 0);
        }
    }

    /** Linear losses ℓ_t(x) = ⟨g_t, x⟩ with g_t drifting slowly; regret against the best fixed vertex. */
    private static double regret(OptimisticMirrorDescent method, int rounds) {
        double[] cumulative = new double[3];
        double incurred = 0;
        try (OptimisticMirrorDescent.Learner learner = method.start(Tensor.full(1.0 / 3, DType.F64, 3))) {
            for (int t = 0; t < rounds; t++) {
                double[] g = {0.5 + 0.3 * Math.sin(t / 300.0), 0.5 + 0.3 * Math.cos(t / 300.0), 0.6};
                try (Scope s = Scope.open()) {
                    double[] x = learner.play().toDoubleArray();
                    for (int i = 0; i < 3; i++) {
                        incurred += g[i] * x[i];
                        cumulative[i] += g[i];
                    }
                    learner.observe(Tensor.of(g));
                }
            }
            assertEquals(rounds, learner.rounds());
        }
        return incurred - Math.min(cumulative[0], Math.min(cumulative[1], cumulative[2]));
    }

    @Test
    void mirrorDescentRefusesBadInputAndRunsOnTheSimulatedDevice() {
        try (Scope s = Scope.open()) {
            assertThrows(IllegalArgumentException.class, () -> OptimisticMirrorDescent.entropic(0));
            assertThrows(IllegalArgumentException.class, () -> OptimisticMirrorDescent.euclidean(1, null));
            assertThrows(IllegalArgumentException.class, () -> OptimisticMirrorDescent.entropic(1).start(Tensor.of(0.5, 0.6)));
            try (OptimisticMirrorDescent.Learner l = OptimisticMirrorDescent.entropic(1).start(Tensor.of(0.5, 0.5))) {
                assertThrows(ShapeMismatchException.class, () -> l.observe(Tensor.of(1.0, 2.0, 3.0)));
            }
            Tensor a = Tensor.of(3.0, -1, -2, 1).reshape(2, 2);
            try (OptimisticMirrorDescent.GameResult cpu = OptimisticMirrorDescent.entropic(0.1).solveMatrixGame(a, 50);
                 OptimisticMirrorDescent.GameResult sim = OptimisticMirrorDescent.entropic(0.1)
                         .solveMatrixGame(a.to(SimBackend.SIM), 50)) {
                assertEquals(SimBackend.SIM, sim.rowStrategy().device());
                assertArrayEquals(cpu.rowStrategy().toDoubleArray(), sim.rowStrategy().toDoubleArray(), 1e-12);
                assertArrayEquals(cpu.gapHistory(), sim.gapHistory(), 1e-12);
            }
        }
    }
}
