package dev.proxima.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The error function against tabulated values, its symmetry, limits, and its gradient. */
class ErfTest {

    @AfterEach
    void allocatorBackToZero() {
        assertEquals(0, Memory.allocatedBytes(), "leaked bytes");
    }

    @Test
    void matchesTabulatedValues() {
        try (Scope s = Scope.open()) {
            double[] x = {0, 0.1, 0.5, 1, 1.5, 1.999, 2, 2.5, 3, 4, 5.9, 7, -1, -2.5};
            // reference values from Python's math.erf (C99 erf of the platform libm):
            // python3 -c "import math; print([math.erf(x) for x in (0, 0.1, 0.5, 1, 1.5, 1.999, 2, 2.5, 3, 4, 5.9, 7, -1, -2.5)])"
            double[] expected = {0.0, 0.1124629160182849, 0.5204998778130465, 0.8427007929497149, 0.9661051464753108,
                    0.9953015566513705, 0.9953222650189527, 0.999593047982555, 0.9999779095030014, 0.9999999845827421,
                    0.9999999999999999, 1.0, -0.8427007929497149, -0.999593047982555};
            double[] got = Tensor.of(x).erf().toDoubleArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(expected[i], got[i], 2e-15 * Math.max(1, Math.abs(expected[i])), "erf(" + x[i] + ")");
            }
            assertTrue(Double.isNaN(Tensor.of(Double.NaN).erf().item()));
            assertEquals(DType.F32, Tensor.of(0.5f).erf().dtype());
            assertEquals(DType.F64, Tensor.of(1, 2).erf().dtype());
        }
    }

    @Test
    void gradientIsTheGaussianDensityTimesTwoOverSqrtPi() {
        try (Scope s = Scope.open()) {
            Autodiff.GradcheckResult r = Autodiff.gradcheck(Tensor::erf, Tensor.of(-2.3, -0.4, 0.0, 0.7, 1.9, 2.6), 1e-6, 1e-9, 1e-6);
            assertTrue(r.passed(), "max error " + r.maxAbsError());
            Autodiff.GradcheckResult r2 = Autodiff.gradgradcheck(Tensor::erf, Tensor.of(-1.3, 0.2, 0.9), 1e-5, 1e-7, 1e-5);
            assertTrue(r2.passed(), "second order, max error " + r2.maxAbsError());
        }
    }
}
