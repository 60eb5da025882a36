package dev.proxima.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.DTypeMismatchException;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class OtDistTest {

    @Test
    void squaredEuclideanCostsByHand() {
        try (Tensor x = Tensor.fromArray(new double[][] {{0, 0}, {1, 2}});
             Tensor y = Tensor.fromArray(new double[][] {{3, 4}, {1, 0}, {-1, 1}});
             Tensor m = Ot.dist(x, y)) {
            assertArrayEquals(new long[] {2, 3}, m.shape());
            assertEquals(DType.F64, m.dtype());
            // x0 = (0,0): 25, 1, 2; x1 = (1,2): 4+4 = 8, 0+4 = 4, 4+1 = 5
            assertArrayEquals(new double[] {25, 1, 2, 8, 4, 5}, m.toDoubleArray(), 1e-12);
        }
    }

    @Test
    void selfDistancesAreExactlyZeroAndNeverNegative() {
        try (Tensor x = Tensor.fromArray(new double[][] {{0.1, 0.7, 1e8}, {3.3, -2.2, 1e8}});
             Tensor m = Ot.dist(x, x)) {
            double[] v = m.toDoubleArray();
            for (double d : v) {
                assertTrue(d >= 0, "a squared distance is never negative, got " + d);
            }
        }
    }

    @Test
    void badInputIsRefusedWithItsShape() {
        try (Tensor x = Tensor.zeros(DType.F64, 2, 2);
             Tensor y3 = Tensor.zeros(DType.F64, 2, 3);
             Tensor flat = Tensor.zeros(DType.F64, 4);
             Tensor empty = Tensor.zeros(DType.F64, 0, 2);
             Tensor ints = Tensor.zeros(DType.I32, 2, 2);
             Tensor f32 = Tensor.zeros(DType.F32, 2, 2)) {
            assertTrue(assertThrows(ShapeMismatchException.class, () -> Ot.dist(x, y3)).getMessage().contains("[2, 3]"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Ot.dist(flat, x)).getMessage().contains("[4]"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Ot.dist(x, empty)).getMessage().contains("[0, 2]"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Ot.dist(ints, x)).getMessage().contains("I32"));
            assertThrows(DTypeMismatchException.class, () -> Ot.dist(x, f32));
            assertThrows(NullPointerException.class, () -> Ot.dist(null, x));
        }
    }
}
