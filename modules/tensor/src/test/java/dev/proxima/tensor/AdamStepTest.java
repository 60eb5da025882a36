package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fused Adam/AdamW step of the explicit-output tier ({@link Into#adamStep}). */
@ExtendWith(NoLeaks.class)
class AdamStepTest {

    /** PyTorch's single-tensor Adam step on one element, in double, with the kernel's order of operations. */
    static double[] reference(double p, double g, double m, double v, long t, double lr, double b1, double b2, double eps,
                              double wd, boolean decoupled) {
        if (!decoupled && wd != 0) {
            g = g + p * wd;
        }
        if (decoupled && wd != 0) {
            p = p * (1 - lr * wd);
        }
        m = m * b1 + g * (1 - b1);
        v = v * b2 + g * g * (1 - b2);
        double denom = Math.sqrt(v) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
        p = p + m / denom * -(lr / (1 - Math.pow(b1, t)));
        return new double[]{p, m, v};
    }

    @Test
    void theFirstStepWithoutEpsMovesEachCoordinateByLrAgainstItsGradientSign() {
        try (Scope s = Scope.open(); var off = Autodiff.noGrad()) {
            Tensor p = Tensor.of(1.0, -2.0, 0.5);
            Tensor g = Tensor.of(0.5, -3.0, 1e-3);
            Tensor m = Tensor.zeros(DType.F64, 3);
            Tensor v = Tensor.zeros(DType.F64, 3);
            assertSame(p, Into.adamStep(p, g, m, v, 1, 0.1, 0.9, 0.999, 0, 0, false));
            // m = 0.1 g, v = 0.001 g², so m̂/√v̂ = sign(g): p −= lr·sign(g)
            assertArrayEquals(new double[]{0.9, -1.9, 0.4}, p.toDoubleArray(), 1e-15);
            assertArrayEquals(new double[]{0.05, -0.3, 1e-4}, m.toDoubleArray(), 1e-16);
            assertArrayEquals(new double[]{0.00025, 0.009, 1e-9}, v.toDoubleArray(), 1e-16);
        }
    }

    private static void checkAgainstReference(DType type, long n, long steps, double wd, boolean decoupled) {
        try (Scope s = Scope.open(); var off = Autodiff.noGrad()) {
            Rng rng = Rng.seed(42);
            Tensor p = rng.normal(type, 0, 1, n);
            double[] pr = p.toDoubleArray();
            double[] mr = new double[(int) n];
            double[] vr = new double[(int) n];
            Tensor m = Tensor.zeros(type, n);
            Tensor v = Tensor.zeros(type, n);
            for (long t = 1; t <= steps; t++) {
                Tensor g = rng.normal(type, 0, 1, n);
                double[] gr = g.toDoubleArray();
                Into.adamStep(p, g, m, v, t, 1e-2, 0.9, 0.999, 1e-8, wd, decoupled);
                for (int i = 0; i < n; i++) {
                    double[] r = reference(pr[i], gr[i], mr[i], vr[i], t, 1e-2, 0.9, 0.999, 1e-8, wd, decoupled);
                    pr[i] = r[0];
                    mr[i] = r[1];
                    vr[i] = r[2];
                }
            }
            if (type == DType.F64) {
                // the same operations in the same order: bit for bit, whatever the split between vector lanes and threads
                assertArrayEquals(pr, p.toDoubleArray(), 0.0);
                assertArrayEquals(mr, m.toDoubleArray(), 0.0);
                assertArrayEquals(vr, v.toDoubleArray(), 0.0);
            } else {
                assertArrayEquals(pr, p.toDoubleArray(), 1e-5);
                assertArrayEquals(mr, m.toDoubleArray(), 1e-6);
                assertArrayEquals(vr, v.toDoubleArray(), 1e-6);
            }
        }
    }

    @Test
    void adamMatchesTheReferenceInF64BitForBitOnALargeParallelTensor() {
        checkAgainstReference(DType.F64, 40_003, 3, 0.1, false);
    }

    @Test
    void adamWMatchesTheReferenceInF64BitForBit() {
        checkAgainstReference(DType.F64, 1_001, 4, 0.1, true);
    }

    @Test
    void f32FollowsTheF64ReferenceToSinglePrecision() {
        checkAgainstReference(DType.F32, 40_001, 3, 0.01, true);
        checkAgainstReference(DType.F32, 37, 2, 0, false);
    }

    @Test
    void stridedViewsGiveTheSameResultAsContiguousOnes() {
        try (Scope s = Scope.open(); var off = Autodiff.noGrad()) {
            Rng rng = Rng.seed(7);
            Tensor p = rng.normal(DType.F32, 0, 1, 33, 17);
            Tensor g = rng.normal(DType.F32, 0, 1, 33, 17);
            Tensor pt = p.transpose().copy();          // contiguous [17, 33]
            Tensor ptView = p.transpose();              // strided view of p
            Tensor gt = g.transpose();
            Tensor m1 = Tensor.zeros(DType.F32, 17, 33);
            Tensor v1 = Tensor.zeros(DType.F32, 17, 33);
            Tensor m2 = Tensor.zeros(DType.F32, 17, 33);
            Tensor v2 = Tensor.zeros(DType.F32, 17, 33);
            Into.adamStep(pt, gt.copy(), m1, v1, 1, 1e-3, 0.9, 0.99, 1e-8, 0.5, false);
            Into.adamStep(ptView, gt, m2, v2, 1, 1e-3, 0.9, 0.99, 1e-8, 0.5, false);
            assertArrayEquals(pt.toFloatArray(), p.transpose().copy().toFloatArray(), 0f);
            assertArrayEquals(m1.toFloatArray(), m2.toFloatArray(), 0f);
            assertArrayEquals(v1.toFloatArray(), v2.toFloatArray(), 0f);
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsWritten() {
        try (Scope s = Scope.open(); var off = Autodiff.noGrad()) {
            Tensor p = Tensor.of(1.0, 2.0);
            Tensor g = Tensor.of(0.5, 0.5);
            Tensor m = Tensor.zeros(DType.F64, 2);
            Tensor v = Tensor.zeros(DType.F64, 2);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Into.adamStep(p, g, m, v, 0, 1e-3, 0.9, 0.999, 1e-8, 0, false))
                    .getMessage().contains("step"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Into.adamStep(p, g, m, v, 1, 1e-3, 1.0, 0.999, 1e-8, 0, false))
                    .getMessage().contains("beta1"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Into.adamStep(p, g, m, v, 1, 1e-3, 0.9, -0.5, 1e-8, 0, false))
                    .getMessage().contains("beta2"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Into.adamStep(p, g, m, v, 1, Double.NaN, 0.9, 0.999, 1e-8, 0, false))
                    .getMessage().contains("lr"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Into.adamStep(p, g, m, v, 1, 1e-3, 0.9, 0.999, -1, 0, false))
                    .getMessage().contains("eps"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Into.adamStep(p, g, m, m, 1, 1e-3, 0.9, 0.999, 1e-8, 0, false))
                    .getMessage().contains("share memory"));
            assertThrows(DTypeMismatchException.class, () -> Into.adamStep(p, g.cast(DType.F32), m, v, 1, 1e-3, 0.9, 0.999, 1e-8, 0, false));
            assertThrows(ShapeMismatchException.class, () -> Into.adamStep(p, Tensor.of(1.0), m, v, 1, 1e-3, 0.9, 0.999, 1e-8, 0, false));
            assertThrows(DTypeMismatchException.class, () -> Into.adamStep(Tensor.of(1, 2), Tensor.of(1, 2), Tensor.of(0, 0), Tensor.of(0, 0),
                    1, 1e-3, 0.9, 0.999, 1e-8, 0, false));
            assertArrayEquals(new double[]{1.0, 2.0}, p.toDoubleArray(), 0.0);
            assertArrayEquals(new double[]{0.0, 0.0}, m.toDoubleArray(), 0.0);
        }
    }

    @Test
    void aParameterThatRequiresGradIsOnlyUpdatedWithRecordingOff() {
        try (Scope s = Scope.open()) {
            Tensor p = Tensor.of(1.0, 2.0).requiresGrad(true);
            Tensor g = Tensor.of(0.5, 0.5);
            Tensor m = Tensor.zeros(DType.F64, 2);
            Tensor v = Tensor.zeros(DType.F64, 2);
            assertThrows(IllegalStateException.class, () -> Into.adamStep(p, g, m, v, 1, 1e-3, 0.9, 0.999, 1e-8, 0, false));
            try (var off = Autodiff.noGrad()) {
                Into.adamStep(p, g, m, v, 1, 0.5, 0.9, 0.999, 0, 0, false);
            }
            assertEquals(0.5, p.getDouble(0), 1e-15);
            assertTrue(p.requiresGrad());
        }
    }
}
