package dev.proxima.samples.transport;

import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class PointCloudsTest {

    @Test
    void ringPointsLieAtRadiusOneWithTheGivenSpread() {
        try (Scope scope = Scope.open()) {
            Tensor ring = PointClouds.ring(4000, 0.05, Rng.seed(11));
            assertArrayEquals(new long[] {4000, 2}, ring.shape());
            Tensor radius = ring.norm(2, new int[] {1}, false);
            // mean 1 ± 3σ/√n; std 0.05 within 10 %
            assertEquals(1, radius.mean().item(), 3 * 0.05 / Math.sqrt(4000));
            double std = radius.sub(radius.mean()).square().mean().sqrt().item();
            assertEquals(0.05, std, 0.005);
            // angles uniform: the centroid is near the origin
            assertEquals(0, ring.mean(0).norm().item(), 0.06);
        }
    }

    @Test
    void blobPointsHaveTheGivenCentreAndSpread() {
        try (Scope scope = Scope.open()) {
            Tensor blob = PointClouds.blob(4000, new double[] {0.3, -0.2}, 0.4, Rng.seed(12));
            assertArrayEquals(new double[] {0.3, -0.2}, blob.mean(0).toDoubleArray(), 3 * 0.4 / Math.sqrt(4000));
            Tensor std = blob.sub(blob.mean(new int[] {0}, true)).square().mean(0).sqrt();
            assertArrayEquals(new double[] {0.4, 0.4}, std.toDoubleArray(), 0.04);
        }
    }

    @Test
    void linkOpacitiesAreSharesOfEachSourcePointsMassAboveTheThreshold() {
        try (Scope scope = Scope.open()) {
            Tensor plan = Tensor.fromArray(new double[][] {{0.3, 0.15, 0.05}, {0, 0, 0.5}, {0, 0, 0}});
            double[] o = PointClouds.linkOpacities(plan, 0.2);
            assertArrayEquals(new double[] {0.6, 0.3, 0, 0, 0, 1, 0, 0, 0}, o, 1e-15);
        }
    }

    @Test
    void panelCoordinatesMapTheWindowOntoThePanelWithYUp() {
        assertEquals(100, PointClouds.column(100, 201, -PointClouds.EXTENT), 1e-12);
        assertEquals(300, PointClouds.column(100, 201, PointClouds.EXTENT), 1e-12);
        assertEquals(200, PointClouds.column(100, 201, 0), 1e-12);
        assertEquals(0, PointClouds.row(201, PointClouds.EXTENT), 1e-12);
        assertEquals(200, PointClouds.row(201, -PointClouds.EXTENT), 1e-12);
    }

    @Test
    void aPanelDrawsThePointsAndTheLinksBetweenThem() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[][] {{-1, 0}});
            Tensor y = Tensor.fromArray(new double[][] {{1, 0}});
            Canvas canvas = new Canvas(101, 101, PointClouds.BACKGROUND);
            PointClouds.panel(canvas, 0, 101, x, y, new double[] {1});
            int row = (int) Math.round(PointClouds.row(101, 0));
            int from = (int) Math.round(PointClouds.column(0, 101, -1));
            int to = (int) Math.round(PointClouds.column(0, 101, 1));
            assertArrayEquals(PointClouds.SOURCE_COLOUR, canvas.pixel(from, row), 1e-6);
            assertArrayEquals(PointClouds.TARGET_COLOUR, canvas.pixel(to, row), 1e-6);
            double[] middle = canvas.pixel(50, row);
            assertTrue(middle[0] < 0.5 && middle[0] == middle[2], "a grey link crosses the middle: " + middle[0]);
            assertArrayEquals(PointClouds.BACKGROUND, canvas.pixel(50, row - 5), 0);
            assertThrows(IllegalArgumentException.class, () -> PointClouds.panel(canvas, 0, 101, x, y, new double[2]));
        }
    }
}
