package dev.proxima.nn;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default initialisation of Linear, Conv2d and ConvTranspose2d is PyTorch's U(−b, b) with b = 1/√fan:
 * over n draws the extremes come within 20b/n of ±b without passing it, and the mean and standard
 * deviation are those of the uniform distribution (0 and b/√3), within a few standard errors.
 */
@ExtendWith(NoLeaks.class)
class DefaultInitTest {

    private static final DType F = DType.F64;

    /** Checks that {@code values} look like n draws of U(−bound, bound). */
    private static void uniform(String what, double[] values, double bound) {
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        double sum = 0;
        double sumSq = 0;
        for (double v : values) {
            max = Math.max(max, v);
            min = Math.min(min, v);
            sum += v;
            sumSq += v * v;
        }
        int n = values.length;
        double mean = sum / n;
        double std = Math.sqrt(sumSq / n - mean * mean);
        double sigma = bound / Math.sqrt(3);
        // (1 + 1e-7): an F32 draw may round to just past the double bound
        double near = bound * (1 - 20.0 / n); // the extremes of n draws miss ±b by 2b/n on average; by 20b/n with probability e⁻¹⁰
        assertTrue(max <= bound * (1 + 1e-7) && max > near, what + ": max " + max + " should be in (" + near + ", " + bound + "]");
        assertTrue(min >= -bound * (1 + 1e-7) && min < -near, what + ": min " + min + " should be in [" + -bound + ", " + -near + ")");
        assertEquals(0, mean, 5 * sigma / Math.sqrt(n), what + ": mean");
        assertEquals(sigma, std, 5 * Math.sqrt(0.2) * sigma / Math.sqrt(n), what + ": standard deviation"); // its standard error is √(1/5)·σ/√n
    }

    @Test
    void linearIsUniformOverOneOverSqrtIn() {
        try (Scope s = Scope.open(); Linear lin = new Linear(400, 1000, true, F, Rng.seed(1))) {
            uniform("Linear weight", lin.weight().value().toDoubleArray(), 1 / Math.sqrt(400));
            uniform("Linear bias", lin.bias().value().toDoubleArray(), 1 / Math.sqrt(400));
        }
        try (Scope s = Scope.open(); Linear f32 = new Linear(9, 2000, Rng.seed(2))) {
            assertEquals(DType.F32, f32.weight().value().dtype());
            uniform("F32 Linear weight", f32.weight().value().toDoubleArray(), 1 / 3.0);
            uniform("F32 Linear bias", f32.bias().value().toDoubleArray(), 1 / 3.0);
        }
    }

    @Test
    void conv2dIsUniformOverOneOverSqrtOfInPerGroupTimesKernel() {
        // fanIn = (8/2)·3·5 = 60
        try (Scope s = Scope.open(); Conv2d conv = new Conv2d(8, 512, new int[]{3, 5}, new int[]{1, 1}, new int[]{0, 0}, new int[]{1, 1}, 2,
                true, F, Rng.seed(3))) {
            uniform("Conv2d weight", conv.weight().value().toDoubleArray(), 1 / Math.sqrt(60));
            uniform("Conv2d bias", conv.bias().value().toDoubleArray(), 1 / Math.sqrt(60));
        }
        // the square-kernel F32 constructor: fanIn = 3·2·2 = 12
        try (Scope s = Scope.open(); Conv2d conv = new Conv2d(3, 600, 2, 1, 0, Rng.seed(4))) {
            uniform("Conv2d(3, 600, 2) weight", conv.weight().value().toDoubleArray(), 1 / Math.sqrt(12));
            uniform("Conv2d(3, 600, 2) bias", conv.bias().value().toDoubleArray(), 1 / Math.sqrt(12));
        }
    }

    @Test
    void convTranspose2dIsUniformOverOneOverSqrtOfOutPerGroupTimesKernel() {
        // fan = (8/2)·3·5 = 60
        try (Scope s = Scope.open(); ConvTranspose2d conv = new ConvTranspose2d(512, 8, new int[]{3, 5}, new int[]{1, 1}, new int[]{0, 0},
                new int[]{0, 0}, new int[]{1, 1}, 2, true, F, Rng.seed(5))) {
            uniform("ConvTranspose2d weight", conv.weight().value().toDoubleArray(), 1 / Math.sqrt(60));
        }
        // fan = (512/2)·1·2 = 512, and 512 biases
        try (Scope s = Scope.open(); ConvTranspose2d conv = new ConvTranspose2d(2, 512, new int[]{1, 2}, new int[]{1, 1}, new int[]{0, 0},
                new int[]{0, 0}, new int[]{1, 1}, 2, true, F, Rng.seed(6))) {
            uniform("ConvTranspose2d bias", conv.bias().value().toDoubleArray(), 1 / Math.sqrt(512));
        }
        // the square-kernel F32 constructor: fan = 700·1·1
        try (Scope s = Scope.open(); ConvTranspose2d conv = new ConvTranspose2d(3, 700, 1, 1, 0, 0, Rng.seed(7))) {
            uniform("ConvTranspose2d(3, 700, 1) weight", conv.weight().value().toDoubleArray(), 1 / Math.sqrt(700));
            uniform("ConvTranspose2d(3, 700, 1) bias", conv.bias().value().toDoubleArray(), 1 / Math.sqrt(700));
        }
    }
}
