package dev.proxima.samples.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class ColourTransferTest {

    @Test
    void pixelsAreTheRowsOfTheImageInRowMajorOrderAsF64() {
        try (Scope scope = Scope.open()) {
            Tensor image = Tensor.arange(0, 12, 1, DType.F32).div(12.0).reshape(2, 2, 3);
            Tensor p = ColourTransfer.pixels(image);
            assertEquals(DType.F64, p.dtype());
            assertArrayEquals(new long[] {4, 3}, p.shape());
            assertArrayEquals(new double[] {3 / 12.0, 4 / 12.0, 5 / 12.0}, p.select(0, 1).toDoubleArray(), 1e-7);
            Tensor back = ColourTransfer.image(p, 2, 2);
            assertEquals(DType.F32, back.dtype());
            assertArrayEquals(image.toFloatArray(), back.toFloatArray());
        }
    }

    @Test
    void pixelsRejectImagesThatAreNotRgb() {
        try (Scope scope = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ColourTransfer.pixels(Tensor.zeros(DType.F32, 2, 2, 4)));
            assertTrue(e.getMessage().contains("[2, 2, 4]"), e.getMessage());
        }
    }

    @Test
    void samplesAreDistinctPixelsOfTheImage() {
        try (Scope scope = Scope.open()) {
            // pixel k is (k, k, k) / 100: a sample row identifies its pixel
            Tensor pixels = Tensor.arange(0, 100, 1, DType.F64).div(100.0).reshape(100, 1).broadcastTo(100, 3).contiguous();
            Tensor s = ColourTransfer.sample(pixels, 30, Rng.seed(7));
            assertArrayEquals(new long[] {30, 3}, s.shape());
            double[] v = s.toDoubleArray();
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < 30; i++) {
                assertEquals(v[3 * i], v[3 * i + 1]);
                assertEquals(v[3 * i], v[3 * i + 2]);
                long k = Math.round(v[3 * i] * 100);
                assertTrue(k >= 0 && k < 100 && Math.abs(v[3 * i] * 100 - k) < 1e-9, "not a pixel: " + v[3 * i]);
                assertTrue(seen.add(k), "pixel " + k + " drawn twice");
            }
            assertArrayEquals(v, ColourTransfer.sample(pixels, 30, Rng.seed(7)).toDoubleArray(), "same seed, same sample");
        }
    }

    @Test
    void sampleCountMustFitThePixels() {
        try (Scope scope = Scope.open()) {
            Tensor pixels = Tensor.zeros(DType.F64, 10, 3);
            assertThrows(IllegalArgumentException.class, () -> ColourTransfer.sample(pixels, 0, Rng.seed(1)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ColourTransfer.sample(pixels, 11, Rng.seed(1)));
            assertTrue(e.getMessage().contains("1..10") && e.getMessage().contains("11"), e.getMessage());
        }
    }

    @Test
    void barycentricProjectionIsThePlanWeightedMeanOfTheTargets() {
        try (Scope scope = Scope.open()) {
            Tensor plan = Tensor.fromArray(new double[][] {{0.25, 0.25, 0}, {0, 0.1, 0.4}});
            Tensor targets = Tensor.fromArray(new double[][] {{0, 0, 0}, {1, 1, 1}, {0, 0.5, 1}});
            Tensor mapped = ColourTransfer.barycentricProjection(plan, targets);
            // row 0: (0 + 1)/2; row 1: (0.1·1 + 0.4·(0, .5, 1)) / 0.5 = (0.2, 0.6, 1.0)
            assertArrayEquals(new double[] {0.5, 0.5, 0.5, 0.2, 0.6, 1.0}, mapped.toDoubleArray(), 1e-15);
        }
    }

    @Test
    void barycentricProjectionOfAPermutationPlanIsTheMatchedTarget() {
        try (Scope scope = Scope.open()) {
            Tensor plan = Tensor.fromArray(new double[][] {{0, 0, 1 / 3.0}, {1 / 3.0, 0, 0}, {0, 1 / 3.0, 0}});
            Tensor targets = Tensor.fromArray(new double[][] {{0.1, 0.2, 0.3}, {0.4, 0.5, 0.6}, {0.7, 0.8, 0.9}});
            assertArrayEquals(new double[] {0.7, 0.8, 0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6},
                    ColourTransfer.barycentricProjection(plan, targets).toDoubleArray(), 1e-15);
        }
    }

    @Test
    void barycentricProjectionRejectsEmptyRowsAndMismatchedShapes() {
        try (Scope scope = Scope.open()) {
            Tensor targets = Tensor.zeros(DType.F64, 2, 3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ColourTransfer
                    .barycentricProjection(Tensor.fromArray(new double[][] {{0.5, 0.5}, {0, 0}}), targets));
            assertTrue(e.getMessage().contains("mass"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> ColourTransfer.barycentricProjection(Tensor.zeros(DType.F64, 2, 3), targets));
            assertTrue(e.getMessage().contains("[2, 3] and [2, 3]"), e.getMessage());
        }
    }

    @Test
    void nearestMatchesABruteForceSearch() {
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(3);
            int n = 4133;
            Tensor points = rng.uniform(DType.F64, 0, 1, n, 3);
            Tensor samples = rng.uniform(DType.F64, 0, 1, 50, 3);
            long[] got = ColourTransfer.nearest(points, samples).toLongArray();
            double[] p = points.toDoubleArray();
            double[] s = samples.toDoubleArray();
            assertEquals(n, got.length);
            for (int i = 0; i < n; i++) {
                int best = 0;
                double bestDistance = Double.POSITIVE_INFINITY;
                for (int k = 0; k < 50; k++) {
                    double d = 0;
                    for (int c = 0; c < 3; c++) {
                        d += (p[3 * i + c] - s[3 * k + c]) * (p[3 * i + c] - s[3 * k + c]);
                    }
                    if (d < bestDistance) {
                        bestDistance = d;
                        best = k;
                    }
                }
                assertEquals(best, got[i], "nearest sample of point " + i);
            }
            assertArrayEquals(new long[] {2, 0}, ColourTransfer.nearest(Tensor.fromArray(new double[][] {{5, 5}, {0, 0}}),
                    Tensor.fromArray(new double[][] {{0, 0}, {1, 1}, {4, 4}, {4, 4}})).toLongArray(), "first of equals");
            assertThrows(IllegalArgumentException.class, () -> ColourTransfer.nearest(points, Tensor.zeros(DType.F64, 0, 3)));
            assertThrows(IllegalArgumentException.class, () -> ColourTransfer.nearest(points, Tensor.zeros(DType.F64, 2, 2)));
        }
    }

    @Test
    void recolourMovesEachPixelByItsNearestSamplesDisplacementAndClamps() {
        try (Scope scope = Scope.open()) {
            Tensor samples = Tensor.fromArray(new double[][] {{0.1, 0.1, 0.1}, {0.9, 0.9, 0.9}});
            Tensor mapped = Tensor.fromArray(new double[][] {{0.3, 0.1, 0.0}, {0.5, 0.9, 1.0}});
            Tensor pixels = Tensor.fromArray(new double[][] {
                {0.1, 0.1, 0.1},   // a sample: lands on its image
                {0.2, 0.0, 0.3},   // nearest sample 0: shifted by (+0.2, 0, −0.1)
                {0.8, 0.95, 1.0},  // nearest sample 1: shifted by (−0.4, 0, +0.1), blue clamped to 1
            });
            Tensor nearest = ColourTransfer.nearest(pixels, samples);
            assertArrayEquals(new long[] {0, 0, 1}, nearest.toLongArray());
            Tensor out = ColourTransfer.recolour(pixels, nearest, samples, mapped);
            assertArrayEquals(new double[] {0.3, 0.1, 0.0, 0.4, 0.0, 0.2, 0.4, 0.95, 1.0}, out.toDoubleArray(), 1e-15);
            assertThrows(IllegalArgumentException.class,
                    () -> ColourTransfer.recolour(pixels, nearest, samples, mapped.slice(0, 0, 1, 1)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ColourTransfer.recolour(pixels, nearest.slice(0, 0, 2, 1), samples, mapped));
            assertTrue(e.getMessage().contains("3 pixels") && e.getMessage().contains("[2]"), e.getMessage());
        }
    }
}
