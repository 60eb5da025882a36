package dev.proxima.transport;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.DTypeMismatchException;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import dev.proxima.testkit.ReferenceTable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;

import static dev.proxima.transport.EmdTest.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exact 1-D Wasserstein (Ot.wasserstein1d, Wasserstein1d.cost) and sliced Wasserstein against closed forms and POT. */
@ExtendWith(NoLeaks.class)
class OneDimensionalTest {

    static ReferenceTable pot;

    @BeforeAll
    static void readFixtures() throws IOException {
        try (InputStream in = OneDimensionalTest.class.getResourceAsStream("pot_exact.txt")) {
            pot = ReferenceTable.read(in);
        }
    }

    @Test
    void twoDiracsGiveTheDistanceToThePowerP() {
        try (Tensor x = Tensor.of(-1.5); Tensor y = Tensor.of(2.5)) {
            for (double p : new double[] {1, 1.5, 2, 3}) {
                assertEquals(Math.pow(4.0, p), Ot.wasserstein1d(x, y, p), 1e-12 * Math.pow(4.0, p), "p = " + p);
            }
        }
    }

    @Test
    void aShiftedUniformCloudCostsTheShiftToThePowerP() {
        int n = 50;
        double[] u = new double[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            u[i] = (i * 37 % n) / (double) n;       // a permutation of the grid: the sort must find the order
            v[i] = (i * 11 % n) / (double) n + 0.3;
        }
        try (Tensor tu = Tensor.of(u); Tensor tv = Tensor.of(v)) {
            assertEquals(0.3, Ot.wasserstein1d(tu, tv, 1), 1e-14);
            assertEquals(0.09, Ot.wasserstein1d(tu, tv, 2), 1e-14);
            assertEquals(0.027, Ot.wasserstein1d(tu, tv, 3), 1e-14);
        }
    }

    @Test
    void weightedCasesEqualPots() {
        try (Scope s = Scope.open()) {
            Tensor u = pot.tensor("w1d/u");
            Tensor v = pot.tensor("w1d/v");
            Tensor wu = pot.tensor("w1d/wu");
            Tensor wv = pot.tensor("w1d/wv");
            for (String p : new String[] {"1", "1_5", "2", "3"}) {
                double order = Double.parseDouble(p.replace('_', '.'));
                double expected = pot.values("w1d/p" + p)[0];
                assertEquals(expected, Ot.wasserstein1d(u, v, wu, wv, order), 1e-12 * expected, "p = " + order);
                double uniform = pot.values("w1d/uniform/p" + p)[0];
                assertEquals(uniform, Ot.wasserstein1d(u, v, order), 1e-12 * uniform, "uniform, p = " + order);
            }
            Tensor batch = Wasserstein1d.cost(pot.tensor("w1d/batch/u"), pot.tensor("w1d/batch/v"),
                    pot.tensor("w1d/batch/wu"), pot.tensor("w1d/batch/wv"), 2);
            assertArrayEquals(new long[] {3}, batch.shape());
            assertArrayEquals(pot.values("w1d/batch/p2"), batch.toDoubleArray(), 1e-12);
        }
    }

    @Test
    void oneDimensionalEqualsTheNetworkSimplexOnTheLine() {
        // W_p^p of weighted points on the line is the EMD with costs |x − y|^p
        double[] u = pot.values("w1d/u");
        double[] v = pot.values("w1d/v");
        double[] M = new double[u.length * v.length];
        for (int i = 0; i < u.length; i++) {
            for (int j = 0; j < v.length; j++) {
                M[i * v.length + j] = Math.pow(Math.abs(u[i] - v[j]), 1.5);
            }
        }
        try (Scope s = Scope.open()) {
            double emd = Ot.emd2(pot.tensor("w1d/wu"), pot.tensor("w1d/wv"), Tensor.of(M).reshape(u.length, v.length));
            assertEquals(emd, Ot.wasserstein1d(pot.tensor("w1d/u"), pot.tensor("w1d/v"), pot.tensor("w1d/wu"),
                    pot.tensor("w1d/wv"), 1.5), 1e-12);
        }
    }

    @Test
    void theGradientMovesEachPointTowardsItsMatch() {
        // W_2^2 between sorted-matched uniform sets: Σ (u_(i) − v_(i))² / n, so ∂/∂u_i = 2 (u_i − v_σ(i)) / n
        try (Scope s = Scope.open()) {
            Tensor u = Tensor.of(3.0, 0.0, 1.0);
            Tensor v = Tensor.of(0.5, 2.0, 4.5);
            Tensor empty = Tensor.zeros(DType.F64, 0);
            Tensor g = Autodiff.grad(x -> Wasserstein1d.cost(x, v, empty, empty, 2), u);
            assertArrayEquals(new double[] {2 * (3.0 - 4.5) / 3, 2 * (0.0 - 0.5) / 3, 2 * (1.0 - 2.0) / 3}, g.toDoubleArray(), 1e-14);
        }
    }

    @Test
    void gradcheckOfTheWeightedLossInBothArguments() {
        try (Scope s = Scope.open()) {
            Tensor u = pot.tensor("w1d/u");
            Tensor v = pot.tensor("w1d/v");
            Tensor wu = pot.tensor("w1d/wu");
            Tensor wv = pot.tensor("w1d/wv");
            for (double p : new double[] {1.5, 2, 3}) {
                assertTrue(Autodiff.gradcheck(x -> Wasserstein1d.cost(x, v, wu, wv, p), u, 1e-6, 1e-7, 1e-5).passed(), "u, p = " + p);
                assertTrue(Autodiff.gradcheck(y -> Wasserstein1d.cost(u, y, wu, wv, p), v, 1e-6, 1e-7, 1e-5).passed(), "v, p = " + p);
            }
        }
    }

    @Test
    void slicedEqualsPotsForTheSameProjections() {
        try (Scope s = Scope.open()) {
            Tensor xs = pot.tensor("sliced/xs");
            Tensor xt = pot.tensor("sliced/xt");
            Tensor a = pot.tensor("sliced/a");
            Tensor b = pot.tensor("sliced/b");
            Tensor proj = pot.tensor("sliced/projections");
            for (int p = 1; p <= 2; p++) {
                double expected = pot.values("sliced/p" + p)[0];
                Tensor sw = Ot.slicedWassersteinDistance(xs, xt, a, b, proj, p);
                assertEquals(0, sw.rank());
                assertEquals(expected, sw.item(), 1e-12 * expected, "p = " + p);
            }
        }
    }

    @Test
    void slicedWithASeedIsReproducibleAndZeroOnIdenticalClouds() {
        try (Scope s = Scope.open()) {
            Tensor xs = pot.tensor("sliced/xs");
            Tensor xt = pot.tensor("sliced/xt");
            Tensor empty = Tensor.zeros(DType.F64, 0);
            double first = Ot.slicedWassersteinDistance(xs, xt, empty, empty, 64, 2, 7L).item();
            assertEquals(first, Ot.slicedWassersteinDistance(xs, xt, empty, empty, 64, 2, 7L).item(), 0.0);
            assertEquals(0.0, Ot.slicedWassersteinDistance(xs, xs, empty, empty, 16, 2, 3L).item(), 0.0);
            // every projection of a translation by t moves the line by θ·t: SW_2² = mean (θ·t)² → |t|²/d for many directions
            Tensor shifted = xs.add(Tensor.of(0.0, 0.0, 2.0));
            double sw = Ot.slicedWassersteinDistance(xs, shifted, empty, empty, 4000, 2, 11L).item();
            assertEquals(2.0 / Math.sqrt(3), sw, 0.03);
            Tensor dirs = SlicedWasserstein.randomProjections(3, 10, dev.proxima.tensor.Rng.seed(1), DType.F64);
            Tensor norms = dirs.square().sum(0).sqrt();
            assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, norms.toDoubleArray(), 1e-15);
        }
    }

    @Test
    void gradcheckOfSlicedInThePoints() {
        try (Scope s = Scope.open()) {
            Tensor xs = pot.tensor("sliced/xs").slice(0, 0, 6, 1).copy();
            Tensor xt = pot.tensor("sliced/xt").slice(0, 0, 5, 1).copy();
            Tensor proj = pot.tensor("sliced/projections");
            Tensor empty = Tensor.zeros(DType.F64, 0);
            for (double p : new double[] {1.5, 2}) {
                assertTrue(Autodiff.gradcheck(x -> SlicedWasserstein.distance(x, xt, empty, empty, proj, p), xs, 1e-6, 1e-7, 1e-5).passed(),
                        "xs, p = " + p);
                assertTrue(Autodiff.gradcheck(y -> SlicedWasserstein.distance(xs, y, empty, empty, proj, p), xt, 1e-6, 1e-7, 1e-5).passed(),
                        "xt, p = " + p);
            }
        }
    }

    @Test
    void badInputIsRefused() {
        try (Tensor u = Tensor.of(0.0, 1.0);
             Tensor v = Tensor.of(2.0);
             Tensor w2 = Tensor.of(0.5, 0.5);
             Tensor w1 = Tensor.of(0.7);
             Tensor wNeg = Tensor.of(1.5, -0.5);
             Tensor nan = Tensor.of(Double.NaN, 1.0);
             Tensor empty = Tensor.zeros(DType.F64, 0);
             Tensor f32 = Tensor.of(1.0f);
             Tensor grid = Tensor.zeros(DType.F64, 2, 2, 2);
             Tensor xs = Tensor.zeros(DType.F64, 4, 3);
             Tensor xt2 = Tensor.zeros(DType.F64, 4, 2);
             Tensor proj = Tensor.zeros(DType.F64, 2, 5)) {
            expect(IllegalArgumentException.class, "0.5", () -> Ot.wasserstein1d(u, v, 0.5));
            expect(IllegalArgumentException.class, "NaN", () -> Ot.wasserstein1d(u, v, Double.NaN));
            expect(IllegalArgumentException.class, "same mass", () -> Ot.wasserstein1d(u, v, w2, w1, 1));
            expect(IllegalArgumentException.class, "-0.5", () -> Ot.wasserstein1d(u, v, wNeg, empty, 1));
            expect(IllegalArgumentException.class, "NaN", () -> Ot.wasserstein1d(nan, v, 1));
            expect(IllegalArgumentException.class, "[0]", () -> Ot.wasserstein1d(empty, v, 1));
            expect(ShapeMismatchException.class, "[1]", () -> Ot.wasserstein1d(u, v, w1, empty, 1));
            expect(ShapeMismatchException.class, "[2, 2, 2]", () -> Ot.wasserstein1d(grid, v, 1));
            assertThrows(DTypeMismatchException.class, () -> Ot.wasserstein1d(u, f32, 1));
            expect(ShapeMismatchException.class, "[4, 2]", () -> Ot.slicedWassersteinDistance(xs, xt2, empty, empty, 5, 2, 1L));
            expect(ShapeMismatchException.class, "[2, 5]", () -> Ot.slicedWassersteinDistance(xs, xs, empty, empty, proj, 2));
            expect(IllegalArgumentException.class, "nProjections", () -> Ot.slicedWassersteinDistance(xs, xs, empty, empty, 0, 2, 1L));
            expect(IllegalArgumentException.class, "0.9", () -> Ot.slicedWassersteinDistance(xs, xs, empty, empty, 3, 0.9, 1L));
            assertThrows(NullPointerException.class, () -> Ot.wasserstein1d(null, v, 1));
        }
    }
}
