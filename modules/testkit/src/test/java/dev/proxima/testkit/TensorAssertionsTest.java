package dev.proxima.testkit;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opentest4j.AssertionFailedError;

import static dev.proxima.testkit.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** assertClose passes close tensors and fails with the first mismatch, both values and both shapes. */
@ExtendWith(NoLeaks.class)
class TensorAssertionsTest {

    private static void assertContains(String message, String... fragments) {
        for (String f : fragments) {
            assertTrue(message.contains(f), () -> "'" + message + "' lacks '" + f + "'");
        }
    }

    @Test
    void closeTensorsPass() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[][]{{1, 2, 3}, {4, 5, Double.NaN}});
            Tensor y = x.cast(DType.F32);
            assertClose(x, y, Tolerance.of(DType.F32));
            assertClose(new double[]{1, 2, 3, 4, 5, Double.NaN}, y, Tolerance.of(DType.F32), "values");
            assertClose(new double[]{1, 2, 3, 4, 5.00001, Double.NaN}, y, Tolerance.of(DType.F32));
            assertClose(new double[]{2, 3}, Tensor.of(4L, 9L).cast(DType.F64).sqrt(), Tolerance.EXACT);
            assertClose(new double[0], Tensor.zeros(DType.F32, 0, 3), Tolerance.EXACT);
        }
    }

    @Test
    void aMismatchNamesTheFirstIndexBothValuesAndBothShapes() {
        try (Scope s = Scope.open()) {
            Tensor expected = Tensor.fromArray(new double[][]{{1, 2, 3, 4}, {5, 6, 7, 8}});
            Tensor actual = Tensor.fromArray(new float[][]{{1, 2, 3, 4}, {5, 6, 7.5f, 18}});
            AssertionFailedError e = assertThrows(AssertionFailedError.class,
                    () -> assertClose(expected, actual, Tolerance.of(DType.F32), "my op"));
            assertEquals("my op: element [1, 2] (flat 6) is 7.5, expected 7.0 (|diff| 0.5 > 1.0E-5 + 1.3E-6·|expected|); "
                    + "2 of 8 elements differ, the largest |diff| 10.0 at [1, 3]: 18.0 vs 8.0; "
                    + "expected F64[2, 4] on cpu, actual F32[2, 4] on cpu", e.getMessage());
            assertEquals(7.0, e.getExpected().getValue());
            assertEquals(7.5, e.getActual().getValue());
        }
    }

    @Test
    void shapesMustBeEqualAndSizesMustMatch() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.zeros(DType.F64, 2, 3);
            Tensor b = Tensor.zeros(DType.F64, 3, 2);
            AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> assertClose(a, b, Tolerance.EXACT));
            assertEquals("shapes differ: expected F64[2, 3] on cpu, actual F64[3, 2] on cpu", e.getMessage());
            // no broadcasting either
            assertThrows(AssertionFailedError.class, () -> assertClose(Tensor.zeros(DType.F64, 3), b.select(1, 0).unsqueeze(0),
                    Tolerance.EXACT));
            AssertionFailedError size = assertThrows(AssertionFailedError.class,
                    () -> assertClose(new double[5], a, Tolerance.EXACT, "values"));
            assertEquals("values: sizes differ: expected [5] values, actual F64[2, 3] on cpu with 6 elements", size.getMessage());
        }
    }

    @Test
    void nanAndInfinitiesMustMatchExactly() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(1.0, Double.POSITIVE_INFINITY, 3.0);
            AssertionFailedError nan = assertThrows(AssertionFailedError.class,
                    () -> assertClose(new double[]{1, Double.POSITIVE_INFINITY, Double.NaN}, x, new Tolerance(1, 1)));
            assertContains(nan.getMessage(), "element [2] (flat 2) is 3.0, expected NaN (non-finite values must match exactly)",
                    "1 of 3 elements differ", "actual F64[3] on cpu");
            AssertionFailedError inf = assertThrows(AssertionFailedError.class,
                    () -> assertClose(new double[]{1, 1e300, 3}, x, new Tolerance(1, 1)));
            assertContains(inf.getMessage(), "element [1] (flat 1) is Infinity, expected 1.0E300");
            AssertionFailedError ninf = assertThrows(AssertionFailedError.class,
                    () -> assertClose(new double[]{1, Double.NEGATIVE_INFINITY, 3}, x, new Tolerance(1, 1)));
            assertContains(ninf.getMessage(), "is Infinity, expected -Infinity");
        }
    }

    @Test
    void nullArgumentsAndClosedTensorsAreRejected() {
        Tensor x = Tensor.of(1.0);
        x.close();
        assertThrows(IllegalStateException.class, () -> assertClose(new double[]{1}, x, Tolerance.EXACT));
        assertThrows(NullPointerException.class, () -> assertClose((double[]) null, x, Tolerance.EXACT));
        assertThrows(NullPointerException.class, () -> assertClose(new double[]{1}, null, Tolerance.EXACT));
        try (Scope s = Scope.open()) {
            Tensor y = Tensor.of(1.0);
            assertThrows(NullPointerException.class, () -> assertClose(y, y, null));
        }
    }
}
