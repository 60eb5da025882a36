package dev.proxima.samples.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@ExtendWith(NoLeaks.class)
class CanvasTest {

    private static final double[] WHITE = {1, 1, 1};
    private static final double[] BLACK = {0, 0, 0};
    private static final double[] RED = {1, 0, 0};

    @Test
    void blendMixesTowardsTheColourByTheOpacity() {
        Canvas c = new Canvas(3, 2, WHITE);
        c.blend(1, 1, RED, 0.25);
        assertArrayEquals(new double[] {1, 0.75, 0.75}, c.pixel(1, 1), 1e-7);
        c.blend(1, 1, RED, 7);   // clamped to 1: fully red
        assertArrayEquals(new double[] {1, 0, 0}, c.pixel(1, 1), 1e-7);
        c.blend(-1, 0, RED, 1);  // clipped, no exception
        c.blend(3, 0, RED, 1);
        assertArrayEquals(WHITE, c.pixel(0, 0), 0);
    }

    @Test
    void aHorizontalLineOnPixelCentresCoversExactlyItsRow() {
        Canvas c = new Canvas(8, 5, WHITE);
        c.line(1, 2, 6, 2, BLACK, 1);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 8; x++) {
                double expected = y == 2 && x >= 1 && x <= 6 ? 0 : 1;
                assertEquals(expected, c.pixel(x, y)[0], 1e-7, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void aLineBetweenPixelCentresSharesItsCoverageBetweenTheTwo() {
        Canvas c = new Canvas(6, 4, WHITE);
        c.line(0, 1.5, 5, 1.5, BLACK, 1);   // halfway between rows 1 and 2
        for (int x = 0; x < 6; x++) {
            assertEquals(0.5, c.pixel(x, 1)[0], 1e-7);
            assertEquals(0.5, c.pixel(x, 2)[0], 1e-7);
            assertEquals(1, c.pixel(x, 0)[0], 0);
            assertEquals(1, c.pixel(x, 3)[0], 0);
        }
    }

    @Test
    void aDiagonalLineIsDrawnOnePixelPerRowInEitherDirection() {
        Canvas forward = new Canvas(5, 5, WHITE);
        forward.line(0, 0, 4, 4, BLACK, 1);
        Canvas backward = new Canvas(5, 5, WHITE);
        backward.line(4, 4, 0, 0, BLACK, 1);
        Canvas steep = new Canvas(5, 5, WHITE);
        steep.line(2, 0, 2, 4, BLACK, 1);   // vertical
        for (int i = 0; i < 5; i++) {
            assertEquals(0, forward.pixel(i, i)[0], 1e-7);
            assertEquals(0, backward.pixel(i, i)[0], 1e-7);
            assertEquals(0, steep.pixel(2, i)[0], 1e-7);
            assertEquals(1, steep.pixel(1, i)[0], 0);
        }
        assertEquals(1, forward.pixel(1, 0)[0], 0);
    }

    @Test
    void aDiscCoversItsInsideFullyAndNothingBeyondItsRim() {
        Canvas c = new Canvas(20, 20, WHITE);
        c.disc(10, 10, 3, RED, 1);
        assertArrayEquals(new double[] {1, 0, 0}, c.pixel(10, 10), 1e-7);
        assertArrayEquals(new double[] {1, 0, 0}, c.pixel(12, 10), 1e-7);    // distance 2 < 3
        assertArrayEquals(new double[] {1, 0.5, 0.5}, c.pixel(13, 10), 1e-7); // on the rim: half covered
        assertArrayEquals(WHITE, c.pixel(14, 10), 0);                          // beyond
        assertArrayEquals(WHITE, c.pixel(13, 13), 0);                          // distance 4.24
        c.disc(0, 0, 2, RED, 1);   // partly outside: clipped
        assertArrayEquals(new double[] {1, 0, 0}, c.pixel(0, 0), 1e-7);
        assertThrows(IllegalArgumentException.class, () -> c.disc(1, 1, 0, RED, 1));
    }

    @Test
    void theImageIsHeightByWidthByThreeWithThePixelsInPlace() {
        Canvas c = new Canvas(4, 3, BLACK);
        c.blend(3, 1, RED, 1);
        try (Tensor image = c.toImage()) {
            assertEquals(DType.F32, image.dtype());
            assertArrayEquals(new long[] {3, 4, 3}, image.shape());
            assertEquals(1, image.getDouble(1, 3, 0));
            assertEquals(0, image.getDouble(1, 3, 1));
            assertEquals(0, image.getDouble(3 - 1, 3, 0));
        }
    }

    @Test
    void badSidesAndColoursAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Canvas(0, 3, WHITE));
        assertThrows(IllegalArgumentException.class, () -> new Canvas(3, 3, new double[] {1, 1}));
        Canvas c = new Canvas(3, 3, WHITE);
        assertThrows(IllegalArgumentException.class, () -> c.line(0, 0, 1, 1, null, 1));
    }
}
