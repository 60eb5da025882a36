package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class SoftMinTest {

    private static double[][] random(Random r, int rows, int cols, double scale) {
        double[][] a = new double[rows][cols];
        for (double[] row : a) {
            for (int j = 0; j < cols; j++) {
                row[j] = scale * r.nextGaussian();
            }
        }
        return a;
    }

    /** −ε·log Σ_j exp((h_j − C_ij)/ε) in plain double arithmetic, shifted by the row maximum. */
    private static double[] reference(double[][] c, double[] h, double eps) {
        double[] out = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < h.length; j++) {
                max = Math.max(max, (h[j] - c[i][j]) / eps);
            }
            double sum = 0;
            for (int j = 0; j < h.length; j++) {
                sum += Math.exp((h[j] - c[i][j]) / eps - max);
            }
            out[i] = -eps * (max + Math.log(sum));
        }
        return out;
    }

    @Test
    void twoByTwoByHand() {
        try (Scope s = Scope.open()) {
            Tensor f = SoftMin.rows(Tensor.fromArray(new double[][]{{0, 1}, {1, 0}}), Tensor.of(0.0, 0.0), 1.0);
            double v = -Math.log(1 + Math.exp(-1));
            assertArrayEquals(new double[]{v, v}, f.toDoubleArray(), 1e-15);
            // ε = 1/2, h = (0, 1): row 0: −½·log(e^0 + e^0) = −½·log 2; row 1: −½·log(e^−2 + e^2)
            Tensor g = SoftMin.rows(Tensor.fromArray(new double[][]{{0, 1}, {1, 0}}), Tensor.of(0.0, 1.0), 0.5);
            assertArrayEquals(new double[]{-0.5 * Math.log(2), -0.5 * Math.log(Math.exp(-2) + Math.exp(2))}, g.toDoubleArray(), 1e-15);
        }
    }

    @Test
    void matchesTheDefinitionOnOddSizesInF64AndF32() {
        Random r = new Random(7);
        for (int[] nm : new int[][]{{1, 1}, {3, 5}, {17, 131}, {64, 1031}}) {
            double[][] c = random(r, nm[0], nm[1], 2.0);
            double[] h = random(r, 1, nm[1], 1.0)[0];
            double[] want = reference(c, h, 0.3);
            try (Scope s = Scope.open()) {
                Tensor f64 = SoftMin.rows(Tensor.fromArray(c), Tensor.of(h), 0.3);
                assertArrayEquals(want, f64.toDoubleArray(), 1e-12);
                Tensor f32 = SoftMin.rows(Tensor.fromArray(c).cast(DType.F32), Tensor.of(h).cast(DType.F32), 0.3);
                assertEquals(DType.F32, f32.dtype());
                assertArrayEquals(want, f32.toDoubleArray(), 2e-5 * (1 + nm[1] / 100.0));
            }
        }
    }

    @Test
    void batchedPotentialsShareOneCostOrBringTheirOwn() {
        Random r = new Random(11);
        double[][] c0 = random(r, 4, 9, 1.0);
        double[][] c1 = random(r, 4, 9, 1.0);
        double[][] h = random(r, 2, 9, 1.0);
        try (Scope s = Scope.open()) {
            Tensor shared = SoftMin.rows(Tensor.fromArray(c0), Tensor.fromArray(h), 0.7);
            assertArrayEquals(new long[]{2, 4}, shared.shape());
            assertArrayEquals(reference(c0, h[1], 0.7), shared.select(0, 1).toDoubleArray(), 1e-13);
            Tensor own = SoftMin.rows(Tensor.fromArray(new double[][][]{c0, c1}), Tensor.fromArray(h), 0.7);
            assertArrayEquals(reference(c0, h[0], 0.7), own.select(0, 0).toDoubleArray(), 1e-13);
            assertArrayEquals(reference(c1, h[1], 0.7), own.select(0, 1).toDoubleArray(), 1e-13);
            // a transposed (non-contiguous) cost is read as the values it shows
            Tensor ct = Tensor.fromArray(c0).transpose();
            assertArrayEquals(SoftMin.rows(ct.contiguous(), Tensor.of(reference(c0, h[0], 1.0)), 0.7).toDoubleArray(),
                    SoftMin.rows(ct, Tensor.of(reference(c0, h[0], 1.0)), 0.7).toDoubleArray(), 0);
        }
    }

    @Test
    void aTransposedCostIsReadInPlaceAsItsColumns() {
        Random r = new Random(13);
        for (int[] nm : new int[][]{{37, 133}, {8, 3}, {1, 5}, {64, 64}}) {
            double[][] c = random(r, nm[0], nm[1], 2.0);
            double[][] ct = new double[nm[1]][nm[0]];
            for (int i = 0; i < nm[0]; i++) {
                for (int j = 0; j < nm[1]; j++) {
                    ct[j][i] = c[i][j];
                }
            }
            double[] h = random(r, 1, nm[0], 1.0)[0];
            double[] want = reference(ct, h, 0.4);
            try (Scope s = Scope.open()) {
                Tensor view = Tensor.fromArray(c).transpose();
                assertArrayEquals(want, SoftMin.rows(view, Tensor.of(h), 0.4).toDoubleArray(), 1e-12);
                Tensor view32 = Tensor.fromArray(c).cast(DType.F32).transpose();
                assertArrayEquals(want, SoftMin.rows(view32, Tensor.of(h).cast(DType.F32), 0.4).toDoubleArray(), 1e-4);
                // batched: [2, n, m] transposed to [2, m, n]
                Tensor both = Tensor.stack(0, Tensor.fromArray(c), Tensor.fromArray(c).mul(2.0)).transpose(1, 2);
                Tensor hb = Tensor.stack(0, Tensor.of(h), Tensor.of(h));
                Tensor out = SoftMin.rows(both, hb, 0.4);
                assertArrayEquals(want, out.select(0, 0).toDoubleArray(), 1e-12);
                assertArrayEquals(SoftMin.rows(both.select(0, 1).contiguous(), Tensor.of(h), 0.4).toDoubleArray(),
                        out.select(0, 1).toDoubleArray(), 1e-12);
            }
        }
    }

    @Test
    void squaredDistancesEqualTheDenseFormWithoutFormingTheCost() {
        Random r = new Random(3);
        double[][] x = random(r, 23, 3, 1.0);
        double[][] y = random(r, 37, 3, 1.0);
        double[][] h = random(r, 2, 37, 0.5);
        double[][] c = new double[23][37];
        for (int i = 0; i < 23; i++) {
            for (int j = 0; j < 37; j++) {
                for (int k = 0; k < 3; k++) {
                    c[i][j] += (x[i][k] - y[j][k]) * (x[i][k] - y[j][k]);
                }
            }
        }
        try (Scope s = Scope.open()) {
            Tensor online = SoftMin.squaredDistances(Tensor.fromArray(x), Tensor.fromArray(y), Tensor.fromArray(h), 0.2);
            assertArrayEquals(new long[]{2, 23}, online.shape());
            assertArrayEquals(reference(c, h[1], 0.2), online.select(0, 1).toDoubleArray(), 1e-12);
            Tensor f32 = SoftMin.squaredDistances(Tensor.fromArray(x).cast(DType.F32), Tensor.fromArray(y).cast(DType.F32),
                    Tensor.of(h[0]).cast(DType.F32), 0.2);
            assertArrayEquals(reference(c, h[0], 0.2), f32.toDoubleArray(), 1e-5);
        }
    }

    @Test
    void tinyEpsilonOnLargeCostsStaysFiniteAndTendsToTheMinimum() {
        Random r = new Random(5);
        double[][] c = random(r, 6, 8, 100.0);
        double[] h = new double[8];
        try (Scope s = Scope.open()) {
            double[] f = SoftMin.rows(Tensor.fromArray(c), Tensor.of(h), 1e-4).toDoubleArray();
            double[] f32 = SoftMin.rows(Tensor.fromArray(c).cast(DType.F32), Tensor.of(h).cast(DType.F32), 1e-4).toDoubleArray();
            for (int i = 0; i < 6; i++) {
                double min = Double.POSITIVE_INFINITY;
                for (double v : c[i]) {
                    min = Math.min(min, v);
                }
                assertTrue(Double.isFinite(f[i]) && Double.isFinite(f32[i]));
                // the soft-min lies in [min − ε·log m, min]
                assertTrue(f[i] <= min + 1e-12 && f[i] >= min - 1e-4 * Math.log(8) - 1e-12, f[i] + " vs " + min);
                assertEquals(min, f32[i], 1e-4 * Math.abs(min));
            }
        }
    }

    @Test
    void gradientsPassGradcheckAndSecondOrder() {
        Random r = new Random(9);
        double[][] c = random(r, 3, 4, 1.0);
        double[][] h = random(r, 2, 4, 1.0);
        double[][] x = random(r, 3, 2, 1.0);
        double[][] y = random(r, 4, 2, 1.0);
        try (Scope s = Scope.open()) {
            Tensor hb = Tensor.fromArray(h);
            Tensor weights = Tensor.of(0.3, -1.2, 0.7);
            Function<Tensor, Tensor> ofCost = t -> SoftMin.rows(t, hb, 0.5).mul(weights).sum();
            assertTrue(Autodiff.gradcheck(ofCost, Tensor.fromArray(c), 1e-6, 1e-8, 1e-6).passed(), "d/dC");
            Tensor cost = Tensor.fromArray(c);
            Function<Tensor, Tensor> ofPotential = t -> SoftMin.rows(cost, t, 0.5).square().sum();
            assertTrue(Autodiff.gradcheck(ofPotential, hb, 1e-6, 1e-8, 1e-6).passed(), "d/dh");
            assertTrue(Autodiff.gradgradcheck(ofPotential, hb, 1e-5, 1e-7, 1e-5).passed(), "d²/dh²");
            Tensor yt = Tensor.fromArray(y);
            Tensor xt = Tensor.fromArray(x);
            Function<Tensor, Tensor> ofX = t -> SoftMin.squaredDistances(t, yt, hb, 0.5).mul(weights).sum();
            Function<Tensor, Tensor> ofY = t -> SoftMin.squaredDistances(xt, t, hb, 0.5).square().sum();
            Function<Tensor, Tensor> ofH = t -> SoftMin.squaredDistances(xt, yt, t, 0.5).square().sum();
            assertTrue(Autodiff.gradcheck(ofX, xt, 1e-6, 1e-8, 1e-6).passed(), "d/dx");
            assertTrue(Autodiff.gradcheck(ofY, yt, 1e-6, 1e-8, 1e-6).passed(), "d/dy");
            assertTrue(Autodiff.gradcheck(ofH, hb, 1e-6, 1e-8, 1e-6).passed(), "d/dh (points)");
            assertTrue(Autodiff.gradgradcheck(ofX, xt, 1e-5, 1e-7, 1e-5).passed(), "d²/dx²");
        }
    }

    @Test
    void badInputIsRefusedBeforeAnyWork() {
        try (Scope s = Scope.open()) {
            Tensor c = Tensor.zeros(DType.F64, 2, 3);
            Tensor h = Tensor.zeros(DType.F64, 3);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> SoftMin.rows(c, h, 0)).getMessage().contains("epsilon"));
            assertThrows(IllegalArgumentException.class, () -> SoftMin.rows(c, h, Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> SoftMin.rows(c, h, Double.POSITIVE_INFINITY));
            assertTrue(assertThrows(ShapeMismatchException.class, () -> SoftMin.rows(c, Tensor.zeros(DType.F64, 2), 1))
                    .getMessage().contains("[2, 3]"));
            assertThrows(ShapeMismatchException.class, () -> SoftMin.rows(Tensor.zeros(DType.F64, 3, 2, 3), Tensor.zeros(DType.F64, 2, 3), 1));
            assertThrows(DTypeMismatchException.class, () -> SoftMin.rows(c, h.cast(DType.F32), 1));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> SoftMin.rows(c.cast(DType.I32), h.cast(DType.I32), 1))
                    .getMessage().contains("I32"));
            assertThrows(ShapeMismatchException.class, () -> SoftMin.squaredDistances(c, Tensor.zeros(DType.F64, 4, 2), h, 1));
            assertThrows(NullPointerException.class, () -> SoftMin.squaredDistances(c, null, h, 1));
        }
    }
}
