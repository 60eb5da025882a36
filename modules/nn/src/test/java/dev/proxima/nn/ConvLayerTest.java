package dev.proxima.nn;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.proxima.nn.Checks.layer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Conv2d and ConvTranspose2d layers: shapes, gradients with respect to input and parameters. */
@ExtendWith(NoLeaks.class)
class ConvLayerTest {

    @Test
    void conv2dShapesAndGradients() {
        try (Scope s = Scope.open();
             Conv2d conv = new Conv2d(2, 4, new int[]{3, 3}, new int[]{2, 2}, new int[]{1, 1}, new int[]{1, 1}, 2, true, DType.F64, Rng.seed(1))) {
            Tensor x = Rng.seed(2).normal(DType.F64, 0, 1, 2, 2, 5, 5);
            assertArrayEquals(new long[]{2, 4, 3, 3}, conv.forward(x).shape());
            layer("conv2d", conv, x);
        }
    }

    @Test
    void convTranspose2dShapesAndGradients() {
        try (Scope s = Scope.open();
             ConvTranspose2d up = new ConvTranspose2d(2, 3, new int[]{3, 3}, new int[]{2, 2}, new int[]{1, 1}, new int[]{1, 1},
                     new int[]{1, 1}, 1, true, DType.F64, Rng.seed(3))) {
            Tensor x = Rng.seed(4).normal(DType.F64, 0, 1, 1, 2, 3, 3);
            assertArrayEquals(new long[]{1, 3, 6, 6}, up.forward(x).shape());
            layer("convTranspose2d", up, x);
        }
    }

    @Test
    void badChannelCounts() {
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, new int[]{3, 3}, new int[]{1, 1}, new int[]{0, 0},
                new int[]{1, 1}, 2, true, DType.F32, Rng.seed(0)));
    }
}
