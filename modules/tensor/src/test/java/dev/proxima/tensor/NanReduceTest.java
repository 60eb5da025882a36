package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.proxima.tensor.TensorMathTest.throwsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * nansum, nanmean, nanmax and nanmin against NumPy's semantics (hand-computed): NaN skipped, all-NaN slices (nansum 0,
 * the others NaN), axes and kept dimensions, dtypes, and their gradients (0 at NaN positions, gradchecked elsewhere).
 */
@ExtendWith(AllocatorCheck.class)
class NanReduceTest {

    private static final double NAN = Double.NaN;

    @Test
    void nanElementsAreSkippedOverTheWholeTensor() {
        try (Scope s = Scope.open()) {
            for (DType t : new DType[]{DType.F32, DType.F64, DType.F16, DType.BF16}) {
                Tensor x = Tensor.of(1.0, NAN, 2.0, -4.0, NAN).cast(t);
                assertEquals(-1.0, x.nansum().item(), t.name());
                assertEquals(t, x.nansum().dtype());
                assertEquals(-1.0 / 3, x.nanmean().item(), t == DType.F64 ? 0 : 1e-2, t.name());
                assertEquals(t, x.nanmean().dtype());
                assertEquals(2.0, x.nanmax().item(), t.name());
                assertEquals(-4.0, x.nanmin().item(), t.name());
                assertEquals(t, x.nanmax().dtype());
                assertTrue(Double.isNaN(x.sum().item()) && Double.isNaN(x.max().item()), "the plain reductions propagate NaN");
            }
            Tensor inf = Tensor.of(Double.NEGATIVE_INFINITY, NAN);
            assertEquals(Double.NEGATIVE_INFINITY, inf.nanmax().item());
            assertEquals(Double.POSITIVE_INFINITY, Tensor.of(Double.POSITIVE_INFINITY, NAN, 1.0).nansum().item());
            assertTrue(Double.isNaN(Tensor.of(Double.POSITIVE_INFINITY, NAN, Double.NEGATIVE_INFINITY).nansum().item()), "inf - inf");
            assertEquals(-0.0, Tensor.of(-0.0, NAN).nanmin().item());
        }
    }

    @Test
    void allNanSlicesFollowNumpy() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(NAN, NAN, NAN);
            assertEquals(0.0, x.nansum().item());
            assertTrue(Double.isNaN(x.nanmean().item()));
            assertTrue(Double.isNaN(x.nanmax().item()));
            assertTrue(Double.isNaN(x.nanmin().item()));
            assertEquals(0.0, Tensor.zeros(DType.F64, 0).nansum().item(), "an empty nansum is 0, as in NumPy");
            throwsWith(IllegalArgumentException.class, () -> Tensor.zeros(DType.F64, 0).nanmax(), "nan_max of an empty extent");
            throwsWith(IllegalArgumentException.class, () -> Tensor.zeros(DType.F32, 2, 0).nanmin(1), "nan_min of an empty extent");
        }
    }

    @Test
    void alongAnAxisWithKeptDimensions() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(1.0, NAN, 3.0, NAN, NAN, NAN, -2.0, 5.0, NAN).reshape(3, 3);
            assertArrayEquals(new double[]{4, 0, 3}, x.nansum(1).toDoubleArray());
            assertArrayEquals(new double[]{2, NAN, 1.5}, x.nanmean(1).toDoubleArray());
            assertArrayEquals(new double[]{3, NAN, 5}, x.nanmax(1).toDoubleArray());
            assertArrayEquals(new double[]{-2, 5, 3}, x.nanmin(0).toDoubleArray());
            assertArrayEquals(new double[]{-0.5, 5, 3}, x.nanmean(0).toDoubleArray());
            Tensor kept = x.nanmax(new int[]{0}, true);
            assertArrayEquals(new long[]{1, 3}, kept.shape());
            assertArrayEquals(new double[]{1, 5, 3}, kept.toDoubleArray());
            assertArrayEquals(new long[]{3, 1}, x.nansum(new int[]{-1}, true).shape());
            assertArrayEquals(new long[]{3, 1}, x.nanmean(new int[]{1}, true).shape());
            assertEquals(7.0, x.nansum(0, 1).item());
            // a transposed (non-contiguous) view reduces the same values
            assertArrayEquals(new double[]{4, 0, 3}, x.transpose(0, 1).nansum(0).toDoubleArray());
        }
    }

    @Test
    void integersHaveNoNanAndReduceAsUsual() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(3, -7, 5).cast(DType.I32);
            assertEquals(DType.I64, x.nansum().dtype());
            assertEquals(1, x.nansum().getLong());
            assertEquals(DType.I32, x.nanmax().dtype());
            assertEquals(5, x.nanmax().getLong());
            assertEquals(-7, x.nanmin().getLong());
            assertEquals(DType.F64, x.nanmean().dtype());
            assertEquals(1.0 / 3, x.nanmean().item());
        }
    }

    @Test
    void gradientsAreZeroAtNanPositions() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(1.0, NAN, 3.0, NAN, NAN, NAN, -2.0, 5.0, 5.0).reshape(3, 3);
            assertArrayEquals(new double[]{1, 0, 1, 0, 0, 0, 1, 1, 1}, Autodiff.grad(a -> a.nansum(), x).toDoubleArray());
            assertArrayEquals(new double[]{0.5, 0, 0.5, 0, 0, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3},
                    Autodiff.grad(a -> a.nanmean(1).sum(), x).toDoubleArray());
            // the maximum's gradient is shared by ties (5, 5); an all-NaN row gets none
            assertArrayEquals(new double[]{0, 0, 1, 0, 0, 0, 0, 0.5, 0.5}, Autodiff.grad(a -> a.nanmax(1).sum(), x).toDoubleArray());
            assertArrayEquals(new double[]{1, 0, 0, 0, 0, 0, 1, 0, 0}, Autodiff.grad(a -> a.nanmin(1).sum(), x).toDoubleArray());
            Tensor f32 = x.cast(DType.F32);
            assertArrayEquals(new double[]{1, 0, 1, 0, 0, 0, 1, 1, 1}, Autodiff.grad(a -> a.nansum(), f32).toDoubleArray());
        }
    }

    @Test
    void gradcheckWithoutNan() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(0.3, -1.2, 2.5, 0.7, -0.4, 1.9).reshape(2, 3);
            for (var f : java.util.List.<java.util.function.Function<Tensor, Tensor>>of(
                    a -> a.nansum(1).mul(a.nansum(1)).sum(), a -> a.nanmean(0).exp().sum(),
                    a -> a.nanmax(1).mul(2).sum(), a -> a.nanmin(new int[]{0}, true).sum())) {
                Autodiff.GradcheckResult r = Autodiff.gradcheck(f, x, 1e-6, 1e-7, 1e-5);
                assertTrue(r.passed(), "max error " + r.maxAbsError());
                Autodiff.GradcheckResult r2 = Autodiff.gradgradcheck(f, x, 1e-5, 1e-6, 1e-4);
                assertTrue(r2.passed(), "second order: max error " + r2.maxAbsError());
            }
        }
    }
}
