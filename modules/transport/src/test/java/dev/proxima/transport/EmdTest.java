package dev.proxima.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.sim.SimBackend;
import dev.proxima.testkit.NoLeaks;
import dev.proxima.testkit.ReferenceTable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ot.emd / Ot.emd2 and NetworkSimplex against POT's fixtures, brute force and the optimality certificate. */
@ExtendWith(NoLeaks.class)
class EmdTest {

    static ReferenceTable pot;

    @BeforeAll
    static void readFixtures() throws IOException {
        try (InputStream in = EmdTest.class.getResourceAsStream("pot_exact.txt")) {
            pot = ReferenceTable.read(in);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"uniform10", "unequal12x7", "ties15", "ties9x13", "zeros8x6", "cloud30x45", "euclid25x25"})
    void costEqualsPotsAndTheCertificateHolds(String name) {
        double[] a = pot.values("emd/" + name + "/a");
        double[] b = pot.values("emd/" + name + "/b");
        double[] M = pot.values("emd/" + name + "/M");
        double expected = pot.values("emd/" + name + "/cost")[0];
        try (Scope s = Scope.open()) {
            Tensor ta = pot.tensor("emd/" + name + "/a");
            Tensor tb = pot.tensor("emd/" + name + "/b");
            Tensor tm = pot.tensor("emd/" + name + "/M");
            try (NetworkSimplexOutput out = NetworkSimplex.create().solve(ta, tb, tm)) {
                assertTrue(out.optimal());
                assertEquals(expected, out.cost(), 1e-9 * Math.abs(expected), name + ": POT's cost");
                Certificates.assertOptimal(a, b, M, out.plan().toDoubleArray(), out.u().toDoubleArray(),
                        out.v().toDoubleArray(), out.cost());
                assertTrue(out.basisRows().length <= a.length + b.length - 1);
                double[] plan = out.plan().toDoubleArray();
                double[] sparse = new double[plan.length];
                int[] r = out.basisRows();
                int[] c = out.basisCols();
                double[] f = out.basisFlows();
                for (int k = 0; k < r.length; k++) {
                    sparse[r[k] * b.length + c[k]] = f[k];
                }
                assertArrayEquals(plan, sparse, 0.0, "the basis lists every nonzero of the plan");
            }
            assertEquals(expected, Ot.emd2(ta, tb, tm), 1e-9 * Math.abs(expected));
            Tensor plan = Ot.emd(ta, tb, tm);
            assertArrayEquals(new long[] {a.length, b.length}, plan.shape());
            assertEquals(expected, plan.mul(tm).sum().item(), 1e-9 * Math.abs(expected));
        }
    }

    @Test
    void bruteForceOverPermutationsForTinyUniformProblems() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int n = 1; n <= 6; n++) {
            for (int trial = 0; trial < 5; trial++) {
                double[] M = new double[n * n];
                for (int k = 0; k < M.length; k++) {
                    M[k] = trial % 2 == 0 ? rnd.nextInt(4) : rnd.nextDouble() * 3;
                }
                double best = bestPermutation(M, n, new int[n], new boolean[n], 0, 0.0);
                try (Scope s = Scope.open()) {
                    Tensor tm = Tensor.of(M).reshape(n, n);
                    Tensor empty = Tensor.zeros(DType.F64, 0);
                    assertEquals(best / n, Ot.emd2(empty, empty, tm), 1e-12, "n = " + n + ", trial " + trial);
                }
            }
        }
    }

    private static double bestPermutation(double[] M, int n, int[] perm, boolean[] used, int row, double acc) {
        if (row == n) {
            return acc;
        }
        double best = Double.POSITIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            if (!used[j]) {
                used[j] = true;
                best = Math.min(best, bestPermutation(M, n, perm, used, row + 1, acc + M[row * n + j]));
                used[j] = false;
            }
        }
        return best;
    }

    @Test
    void handComputedTwoByTwo() {
        // a = [.5, .5], b = [.5, .5], M = [[0, 1], [1, 0]]: the identity coupling, cost 0; M = [[2, 1], [1, 2]]: the swap, cost 1
        try (Tensor half = Tensor.of(0.5, 0.5);
             Tensor m1 = Tensor.fromArray(new double[][] {{0, 1}, {1, 0}});
             Tensor m2 = Tensor.fromArray(new double[][] {{2, 1}, {1, 2}});
             Tensor p1 = Ot.emd(half, half, m1);
             Tensor p2 = Ot.emd(half, half, m2)) {
            assertArrayEquals(new double[] {0.5, 0, 0, 0.5}, p1.toDoubleArray(), 0.0);
            assertArrayEquals(new double[] {0, 0.5, 0.5, 0}, p2.toDoubleArray(), 0.0);
            assertEquals(1.0, Ot.emd2(half, half, m2), 0.0);
        }
    }

    @Test
    void allZeroCostRowsAndZeroWeightColumnsWork() {
        double[] a = {0.25, 0.25, 0.5};
        double[] b = {0.0, 0.6, 0.4, 0.0};
        double[] M = {0, 0, 0, 0, 3, 1, 2, 7, 0, 0, 0, 0};
        try (NetworkSimplexOutput out = NetworkSimplexTest.solveChecked(a, b, M)) {
            // row 1 (costs 3, 1, 2, 7) sends its 0.25 to column 1 (cost 1); the zero rows fill the rest for free
            assertEquals(0.25, out.cost(), 1e-15);
            double[] p = out.plan().toDoubleArray();
            for (int i = 0; i < 3; i++) {
                assertEquals(0.0, p[i * 4], "column 0 has no mass");
                assertEquals(0.0, p[i * 4 + 3], "column 3 has no mass");
            }
        }
    }

    @Test
    void f32InputIsSolvedInF64AndAnswersInF32() {
        float[][] m = {{0.1f, 0.7f, 0.3f}, {0.9f, 0.2f, 0.4f}};
        double[] md = new double[6];
        for (int k = 0; k < 6; k++) {
            md[k] = m[k / 3][k % 3];
        }
        try (Tensor a = Tensor.of(0.5f, 0.5f);
             Tensor b = Tensor.of(0.25f, 0.25f, 0.5f);
             Tensor tm = Tensor.fromArray(m);
             NetworkSimplexOutput out = NetworkSimplex.create().solve(a, b, tm)) {
            assertEquals(DType.F32, out.plan().dtype());
            assertEquals(DType.F32, out.u().dtype());
            // hand: row 0 takes column 0 (0.1) and 0.25 of column 2 (0.3); row 1 takes column 1 (0.2) and 0.25 of column 2 (0.4)
            double expected = 0.25 * md[0] + 0.25 * md[2] + 0.25 * md[4] + 0.25 * md[5];
            assertEquals(expected, out.cost(), 1e-15);
            Certificates.assertOptimal(new double[] {0.5, 0.5}, new double[] {0.25, 0.25, 0.5}, md,
                    out.plan().toDoubleArray(), out.u().toDoubleArray(), out.v().toDoubleArray(), out.cost(), 1e-7);
        }
    }

    @Test
    void onTheSimulatedDeviceTheOutputsLiveThere() {
        Device sim = SimBackend.SIM;
        try (Tensor host = Tensor.fromArray(new double[][] {{0, 2}, {3, 1}});
             Tensor m = host.to(sim);
             Tensor a = Tensor.of(0.5, 0.5);
             Tensor ad = a.to(sim);
             NetworkSimplexOutput out = NetworkSimplex.create().solve(ad, ad, m)) {
            assertEquals(sim, out.plan().device());
            assertEquals(sim, out.u().device());
            assertArrayEquals(new double[] {0.5, 0, 0, 0.5}, out.plan().toDoubleArray(), 0.0);
            assertEquals(0.5, out.cost(), 0.0);
        }
    }

    @Test
    void theIterationLimitIsReportedNotThrown() {
        SplittableRandom rnd = new SplittableRandom(1);
        double[] M = new double[30 * 30];
        for (int k = 0; k < M.length; k++) {
            M[k] = rnd.nextDouble();
        }
        try (Scope s = Scope.open();
             Tensor flat = Tensor.of(M);
             Tensor tm = flat.reshape(30, 30);
             Tensor empty = Tensor.zeros(DType.F64, 0);
             NetworkSimplexOutput out = NetworkSimplex.builder().maxIterations(3).build().solve(empty, empty, tm);
             NetworkSimplexOutput full = NetworkSimplex.create().solve(empty, empty, tm)) {
            assertEquals(NetworkSimplexOutput.Status.ITERATION_LIMIT, out.status());
            assertFalse(out.optimal());
            assertEquals(3, out.iterations());
            assertTrue(full.iterations() > 3);
            assertTrue(out.cost() <= full.cost() + 1e-12 || out.cost() >= full.cost(), "a cost is reported");
            assertEquals(NetworkSimplexOutput.Status.OPTIMAL, full.status());
        }
        assertThrows(IllegalArgumentException.class, () -> NetworkSimplex.builder().maxIterations(0));
    }

    @Test
    void massesThatAgreeTo1e9AreAcceptedAndBIsRescaled() {
        try (Tensor a = Tensor.of(0.5, 0.5);
             Tensor b = Tensor.of(0.5, 0.5 + 4e-10);
             Tensor m = Tensor.fromArray(new double[][] {{0, 1}, {1, 0}});
             Tensor bad = Tensor.of(0.5, 0.5 + 3e-9)) {
            try (NetworkSimplexOutput out = NetworkSimplex.create().solve(a, b, m)) {
                double[] p = out.plan().toDoubleArray();
                assertEquals(1.0, Arrays.stream(p).sum(), 1e-15, "the plan carries a's mass");
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ot.emd(a, bad, m));
            assertTrue(e.getMessage().contains("same total mass"), e.getMessage());
        }
    }

    @Test
    void badInputIsRefusedBeforeAnyWork() {
        try (Tensor a = Tensor.of(0.5, 0.5);
             Tensor b3 = Tensor.of(0.2, 0.3, 0.5);
             Tensor m = Tensor.zeros(DType.F64, 2, 3);
             Tensor neg = Tensor.of(1.5, -0.5);
             Tensor nan = Tensor.of(Double.NaN, 1.0);
             Tensor inf = Tensor.of(Double.POSITIVE_INFINITY, 1.0);
             Tensor zeros = Tensor.of(0.0, 0.0);
             Tensor ints = Tensor.of(1, 1);
             Tensor m22 = Tensor.zeros(DType.F64, 2, 2);
             Tensor mNan = Tensor.fromArray(new double[][] {{0, 1, 2}, {3, Double.NaN, 5}});
             Tensor mInf = Tensor.fromArray(new double[][] {{0, 1, Double.NEGATIVE_INFINITY}, {3, 4, 5}});
             Tensor mEmpty = Tensor.zeros(DType.F64, 0, 3);
             Tensor m3d = Tensor.zeros(DType.F64, 2, 3, 1);
             Tensor a2d = Tensor.zeros(DType.F64, 2, 1)) {
            expect(IllegalArgumentException.class, "negative", () -> Ot.emd(neg, b3, m));
            expect(IllegalArgumentException.class, "NaN", () -> Ot.emd(nan, b3, m));
            expect(IllegalArgumentException.class, "Infinity", () -> Ot.emd2(inf, b3, m));
            expect(IllegalArgumentException.class, "positive total mass", () -> Ot.emd(zeros, b3, m));
            expect(IllegalArgumentException.class, "I32", () -> Ot.emd(ints, b3, m));
            expect(ShapeMismatchException.class, "[2, 2]", () -> Ot.emd(a, b3, m22));
            expect(ShapeMismatchException.class, "[2, 1]", () -> Ot.emd(a2d, b3, m));
            expect(IllegalArgumentException.class, "[1, 1]", () -> Ot.emd(a, b3, mNan));
            expect(IllegalArgumentException.class, "-Infinity", () -> Ot.emd(a, b3, mInf));
            expect(IllegalArgumentException.class, "[0, 3]", () -> Ot.emd(a, b3, mEmpty));
            expect(IllegalArgumentException.class, "[2, 3, 1]", () -> Ot.emd(a, b3, m3d));
            assertThrows(NullPointerException.class, () -> Ot.emd(null, b3, m));
            assertThrows(NullPointerException.class, () -> Ot.emd2(a, b3, null));
        }
    }

    static void expect(Class<? extends Throwable> type, String fragment, Executable call) {
        Throwable t = assertThrows(type, call);
        assertTrue(t.getMessage().contains(fragment), "message should name " + fragment + ": " + t.getMessage());
    }
}
