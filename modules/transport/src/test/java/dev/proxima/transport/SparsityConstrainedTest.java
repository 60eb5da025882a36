package dev.proxima.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.DTypeMismatchException;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.sim.SimBackend;
import dev.proxima.testkit.NoLeaks;
import dev.proxima.testkit.ReferenceTable;
import dev.proxima.testkit.TensorAssertions;
import dev.proxima.testkit.Tolerance;
import dev.proxima.transport.SparsityConstrained.Formulation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class SparsityConstrainedTest {

    /** a, b, C, γ of a 6 × 5 problem; POT's l2-regularised plans (k = n); a NumPy k = 2 semi-dual optimum. */
    private static ReferenceTable fixture;

    @BeforeAll
    static void readFixture() throws IOException {
        try (InputStream in = SparsityConstrainedTest.class.getResourceAsStream("sparsity.txt")) {
            fixture = ReferenceTable.read(in);
        }
    }

    private static SparsityConstrained solver(long k, double gamma, Formulation formulation) {
        return SparsityConstrained.builder().maxNonzeros(k).gamma(gamma).formulation(formulation)
                .tolerance(1e-10).build();
    }

    @ParameterizedTest
    @EnumSource(Formulation.class)
    void twoByTwoWithRoomForTwoNonzerosIsTheClosedFormOfQuadraticOt(Formulation formulation) {
        // min 2q + (γ/2)(2p² + 2q²) with p + q = 1/2: p − q = 1/γ, so γ = 10 gives p = 0.3, q = 0.2 and the
        // regularised cost 2·0.2 + 5·(2·0.09 + 2·0.04) = 1.7, which the dual objective equals (no gap)
        try (Scope s = Scope.open()) {
            Tensor half = Tensor.of(0.5, 0.5);
            Tensor cost = Tensor.fromArray(new double[][] {{0, 1}, {1, 0}});
            SparsityConstrainedOutput out = solver(2, 10, formulation).solve(half, half, cost);
            TensorAssertions.assertClose(new double[] {0.3, 0.2, 0.2, 0.3}, out.plan(), new Tolerance(0, 1e-9));
            assertEquals(1.7, out.objective(), 1e-9);
            assertEquals(1.7, out.regularizedCost(), 1e-9);
            assertEquals(0.4, out.transportCost(), 1e-9);
            assertTrue(out.converged());
        }
    }

    @ParameterizedTest
    @EnumSource(Formulation.class)
    void twoByTwoWithOneNonzeroPerColumnIsThePermutationPlan(Formulation formulation) {
        // k = 1: each column is a vertex of b_j·Δ; the diagonal costs (γ/2)(0.25 + 0.25) = 2.5, the anti-diagonal 3.5
        try (Scope s = Scope.open()) {
            Tensor half = Tensor.of(0.5, 0.5);
            Tensor cost = Tensor.fromArray(new double[][] {{0, 1}, {1, 0}});
            SparsityConstrainedOutput out = solver(1, 10, formulation).solve(half, half, cost);
            TensorAssertions.assertClose(new double[] {0.5, 0, 0, 0.5}, out.plan(), new Tolerance(0, 1e-9));
            assertEquals(2.5, out.objective(), 1e-9);
            assertEquals(2.5, out.regularizedCost(), 1e-9);
        }
    }

    @ParameterizedTest
    @EnumSource(Formulation.class)
    void withKEqualToNItIsPotsQuadraticallyRegularizedOt(Formulation formulation) {
        try (Scope s = Scope.open()) {
            Tensor a = fixture.tensor("a");
            Tensor b = fixture.tensor("b");
            Tensor cost = fixture.tensor("C");
            double gamma = fixture.values("gamma")[0];
            SparsityConstrainedOutput out = solver(6, gamma, formulation).solve(a, b, cost);
            assertTrue(out.converged(), "converged in " + out.iterations() + " steps");
            // POT's own dual and semi-dual plans agree to ~3e-7 (its solvers' tolerance)
            TensorAssertions.assertClose(fixture.tensor(formulation == Formulation.DUAL ? "l2/planDual" : "l2/planSemiDual"),
                    out.plan(), new Tolerance(0, 1e-6));
            assertTrue(out.marginalError() <= 1e-9, "marginal error " + out.marginalError());
            // strong duality for the convex problem: dual objective = primal objective at the recovered plan
            assertEquals(out.regularizedCost(), out.objective(), 1e-9);
            TensorAssertions.assertClose(out.plan().sum(1), a, new Tolerance(0, 1e-9));
            TensorAssertions.assertClose(out.plan().sum(0), b, new Tolerance(0, 1e-9));
        }
    }

    @Test
    void withKTwoTheSemiDualReachesTheReferenceOptimumWithTwoNonzerosPerColumn() {
        try (Scope s = Scope.open()) {
            Tensor a = fixture.tensor("a");
            Tensor b = fixture.tensor("b");
            Tensor cost = fixture.tensor("C");
            double gamma = fixture.values("gamma")[0];
            SparsityConstrainedOutput out = solver(2, gamma, Formulation.SEMI_DUAL).solve(a, b, cost);
            assertEquals(fixture.values("k2/objective")[0], out.objective(), 1e-7);
            assertAtMostNonzerosPerColumn(out.plan(), 2);
            // the semi-dual's columns are b_j times simplex points: they sum to b exactly
            TensorAssertions.assertClose(out.plan().sum(0), b, new Tolerance(0, 1e-12));
            // the max-k conjugate is a max over fewer supports than the full one, so the k = 2 semi-dual lies above
            // the k = n semi-dual everywhere, and so does its maximum
            double quadraticOt = solver(6, gamma, Formulation.SEMI_DUAL).solve(a, b, cost).objective();
            assertTrue(out.objective() > quadraticOt, out.objective() + " vs " + quadraticOt);
        }
    }

    @ParameterizedTest
    @EnumSource(Formulation.class)
    void everyColumnHasAtMostKNonzerosAndTheObjectiveNeverDecreases(Formulation formulation) {
        try (Scope s = Scope.open()) {
            Tensor cost = fixture.tensor("C");
            for (long k = 1; k <= 6; k++) {
                SparsityConstrainedOutput out = SparsityConstrained.builder().maxNonzeros(k).gamma(0.05)
                        .formulation(formulation).maxIterations(200).build()
                        .solve(fixture.tensor("a"), fixture.tensor("b"), cost);
                assertAtMostNonzerosPerColumn(out.plan(), k);
                double[] history = out.objectiveHistory();
                assertEquals(out.iterations() + 1, history.length);
                for (int i = 1; i < history.length; i++) {
                    // Armijo's condition, or the approximate Wolfe one within 1e-6 relative noise of the value
                    assertTrue(history[i] >= history[i - 1] - 1e-6 * Math.abs(history[i - 1]), "k = " + k + ": step " + i + " lowered the objective from "
                            + history[i - 1] + " to " + history[i]);
                }
                assertEquals(history[history.length - 1], out.objective(), 0);
                assertTrue(out.plan().ge(0.0).logicalNot().sum().item() == 0, "a plan is nonnegative");
            }
        }
    }

    @Test
    void singlePrecisionGivesTheDoublePrecisionPlanToItsTolerance() {
        try (Scope s = Scope.open()) {
            Tensor a = fixture.tensor("a");
            Tensor b = fixture.tensor("b");
            Tensor cost = fixture.tensor("C");
            SparsityConstrainedOutput out = SparsityConstrained.builder().maxNonzeros(6).gamma(2).tolerance(1e-5).build()
                    .solve(a.cast(DType.F32), b.cast(DType.F32), cost.cast(DType.F32));
            assertEquals(DType.F32, out.plan().dtype());
            assertTrue(out.converged());
            TensorAssertions.assertClose(fixture.tensor("l2/planSemiDual").cast(DType.F32), out.plan(), new Tolerance(0, 1e-5));
        }
    }

    @ParameterizedTest
    @EnumSource(Formulation.class)
    void onTheSimulatedDeviceItGivesTheCpuPlan(Formulation formulation) {
        try (Scope s = Scope.open()) {
            SparsityConstrained solver = SparsityConstrained.builder().maxNonzeros(3).gamma(0.5).formulation(formulation)
                    .maxIterations(40).build();
            Tensor a = fixture.tensor("a");
            Tensor b = fixture.tensor("b");
            Tensor cost = fixture.tensor("C");
            SparsityConstrainedOutput cpu = solver.solve(a, b, cost);
            SparsityConstrainedOutput sim = solver.solve(a.to(SimBackend.SIM), b.to(SimBackend.SIM), cost.to(SimBackend.SIM));
            assertEquals(SimBackend.SIM, sim.plan().device());
            assertEquals(SimBackend.SIM, sim.f().device());
            assertEquals(cpu.iterations(), sim.iterations());
            assertArrayEquals(cpu.plan().toDoubleArray(), sim.plan().toDoubleArray(), 1e-12);
            assertEquals(cpu.objective(), sim.objective(), 1e-12);
        }
        assertEquals(0, SimBackend.allocatedBytes(), "sim bytes still allocated after the test");
    }

    @Test
    void notConvergingWithinTheBudgetIsReportedNotThrown() {
        try (Scope s = Scope.open()) {
            SparsityConstrainedOutput out = SparsityConstrained.builder().maxNonzeros(6).gamma(2).maxIterations(1).build()
                    .solve(fixture.tensor("a"), fixture.tensor("b"), fixture.tensor("C"));
            assertFalse(out.converged());
            assertEquals(1, out.iterations());
        }
    }

    @Test
    void badInputIsRefusedBeforeAnyWork() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SparsityConstrained.builder().maxNonzeros(0))
                .getMessage().contains("got 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SparsityConstrained.builder().gamma(0))
                .getMessage().contains("gamma"));
        assertThrows(IllegalArgumentException.class, () -> SparsityConstrained.builder().gamma(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> SparsityConstrained.builder().maxIterations(0));
        assertThrows(IllegalArgumentException.class, () -> SparsityConstrained.builder().tolerance(-1));
        assertThrows(NullPointerException.class, () -> SparsityConstrained.builder().formulation(null));
        SparsityConstrained solver = SparsityConstrained.builder().maxNonzeros(2).build();
        try (Tensor half = Tensor.of(0.5, 0.5);
             Tensor third = Tensor.of(1 / 3.0, 1 / 3.0, 1 / 3.0);
             Tensor negative = Tensor.of(1.5, -0.5);
             Tensor nan = Tensor.of(Double.NaN, 1);
             Tensor zeroB = Tensor.of(1.0, 0.0);
             Tensor unequal = Tensor.of(0.5, 0.6);
             Tensor f32 = Tensor.of(0.5f, 0.5f);
             Tensor cost = Tensor.fromArray(new double[][] {{0, 1}, {1, 0}});
             Tensor infCost = Tensor.fromArray(new double[][] {{0, Double.POSITIVE_INFINITY}, {1, 0}});
             Tensor flat = Tensor.zeros(DType.F64, 4)) {
            assertTrue(assertThrows(ShapeMismatchException.class, () -> solver.solve(third, half, cost))
                    .getMessage().contains("[3]"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> solver.solve(negative, half, cost))
                    .getMessage().contains("a[1] = -0.5"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> solver.solve(half, nan, cost))
                    .getMessage().contains("b[0] = NaN"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> solver.solve(half, unequal, cost))
                    .getMessage().contains("mass"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> solver.solve(half, zeroB, cost))
                    .getMessage().contains("b[1] = 0.0"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> solver.solve(half, half, infCost))
                    .getMessage().contains("finite"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> solver.solve(half, half, flat))
                    .getMessage().contains("[4]"));
            assertThrows(DTypeMismatchException.class, () -> solver.solve(f32, half, cost));
            assertThrows(NullPointerException.class, () -> solver.solve(null, half, cost));
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> SparsityConstrained.builder().maxNonzeros(3).build().solve(half, half, cost))
                    .getMessage().contains("k = 3"));
        }
    }

    private static void assertAtMostNonzerosPerColumn(Tensor plan, long k) {
        double[] counts = plan.ne(0.0).sum(0).cast(DType.F64).toDoubleArray();
        for (int j = 0; j < counts.length; j++) {
            assertTrue(counts[j] <= k, "column " + j + " has " + counts[j] + " nonzeros, more than k = " + k);
        }
    }
}
