package dev.proxima.testkit;

import dev.proxima.tensor.Tensor;
import org.opentest4j.AssertionFailedError;

import java.util.Arrays;
import java.util.Objects;

/**
 * JUnit assertions on tensor values, with a {@link Tolerance} per comparison. A failure names the first
 * mismatching element (as an index into the actual tensor's shape), both values, both shapes (with dtype
 * and device), how many elements differ and the largest difference:
 * <pre>
 * my op: element [1, 2] (flat 6) is 7.5, expected 7.0 (|diff| 0.5 &gt; 1.0E-5 + 1.3E-6·|expected|); 2 of 8 elements
 * differ, the largest |diff| 10.0 at [1, 3]: 18.0 vs 8.0; expected F64[2, 4] on cpu, actual F32[2, 4] on cpu
 * </pre>
 * Values are compared as doubles (read with {@link Tensor#toDoubleArray()}, which copies device tensors to
 * the host), so integer values beyond 2⁵³ are compared approximately. Shapes must be equal (no
 * broadcasting); dtypes and devices may differ.
 *
 * {@snippet :
 * try (Scope scope = Scope.open()) {
 *     Tensor y = Tensor.of(1.0f, 4.0f, 9.0f).sqrt();
 *     TensorAssertions.assertClose(new double[]{1, 2, 3}, y, Tolerance.of(y.dtype()));
 * }
 * }
 */
public final class TensorAssertions {

    private TensorAssertions() {
    }

    /**
     * Asserts that {@code actual} has {@code expected}'s shape and that every element is within
     * {@code tolerance} of the corresponding expected element.
     *
     * @param expected  the reference tensor (any dtype or device)
     * @param actual    the tensor under test
     * @param tolerance the allowed difference, e.g. {@code Tolerance.of(actual.dtype())}
     * @throws AssertionFailedError     if the shapes differ or an element is not close enough
     * @throws NullPointerException     if an argument is null
     * @throws IllegalStateException    if a tensor is closed
     */
    public static void assertClose(Tensor expected, Tensor actual, Tolerance tolerance) {
        assertClose(expected, actual, tolerance, null);
    }

    /**
     * Like {@link #assertClose(Tensor, Tensor, Tolerance)}, with {@code message} leading the failure
     * message.
     *
     * @param expected  the reference tensor (any dtype or device)
     * @param actual    the tensor under test
     * @param tolerance the allowed difference
     * @param message   what is compared, e.g. the operation's name; null for none
     * @throws AssertionFailedError  if the shapes differ or an element is not close enough
     * @throws NullPointerException  if {@code expected}, {@code actual} or {@code tolerance} is null
     * @throws IllegalStateException if a tensor is closed
     */
    public static void assertClose(Tensor expected, Tensor actual, Tolerance tolerance, String message) {
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(tolerance, "tolerance");
        String shapes = "expected " + describe(expected) + ", actual " + describe(actual);
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            throw new AssertionFailedError(prefix(message) + "shapes differ: " + shapes,
                    Arrays.toString(expected.shape()), Arrays.toString(actual.shape()));
        }
        compare(expected.toDoubleArray(), actual.toDoubleArray(), actual.shape(), tolerance, message, shapes);
    }

    /**
     * Asserts that {@code actual} has {@code expected.length} elements and that each, in row-major order,
     * is within {@code tolerance} of the corresponding expected value.
     *
     * @param expected  the reference values in row-major order
     * @param actual    the tensor under test, of any shape with that many elements
     * @param tolerance the allowed difference, e.g. {@code Tolerance.of(actual.dtype())}
     * @throws AssertionFailedError  if the sizes differ or an element is not close enough
     * @throws NullPointerException  if an argument is null
     * @throws IllegalStateException if {@code actual} is closed
     */
    public static void assertClose(double[] expected, Tensor actual, Tolerance tolerance) {
        assertClose(expected, actual, tolerance, null);
    }

    /**
     * Like {@link #assertClose(double[], Tensor, Tolerance)}, with {@code message} leading the failure
     * message.
     *
     * @param expected  the reference values in row-major order
     * @param actual    the tensor under test
     * @param tolerance the allowed difference
     * @param message   what is compared, e.g. the operation's name; null for none
     * @throws AssertionFailedError  if the sizes differ or an element is not close enough
     * @throws NullPointerException  if {@code expected}, {@code actual} or {@code tolerance} is null
     * @throws IllegalStateException if {@code actual} is closed
     */
    public static void assertClose(double[] expected, Tensor actual, Tolerance tolerance, String message) {
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(tolerance, "tolerance");
        String shapes = "expected [" + expected.length + "] values, actual " + describe(actual);
        if (expected.length != actual.size()) {
            throw new AssertionFailedError(prefix(message) + "sizes differ: " + shapes + " with " + actual.size() + " elements",
                    expected.length, actual.size());
        }
        compare(expected, actual.toDoubleArray(), actual.shape(), tolerance, message, shapes);
    }

    private static void compare(double[] e, double[] a, long[] shape, Tolerance tolerance, String message, String shapes) {
        int first = -1;
        int worst = -1;
        double worstDiff = -1;
        int differ = 0;
        for (int i = 0; i < e.length; i++) {
            if (tolerance.accepts(e[i], a[i])) {
                continue;
            }
            differ++;
            if (first < 0) {
                first = i;
            }
            double diff = Math.abs(a[i] - e[i]);
            if (Double.isNaN(diff) || diff > worstDiff) {
                worstDiff = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff;
                worst = i;
            }
        }
        if (first < 0) {
            return;
        }
        StringBuilder m = new StringBuilder(prefix(message));
        m.append("element ").append(index(first, shape)).append(" (flat ").append(first).append(") is ").append(a[first])
                .append(", expected ").append(e[first]);
        if (Double.isFinite(e[first])) {
            m.append(" (|diff| ").append(Math.abs(a[first] - e[first])).append(" > ").append(tolerance.atol())
                    .append(" + ").append(tolerance.rtol()).append("·|expected|)");
        } else {
            m.append(" (non-finite values must match exactly)");
        }
        m.append("; ").append(differ).append(" of ").append(e.length).append(" elements differ");
        if (worst != first) {
            m.append(", the largest |diff| ").append(worstDiff).append(" at ").append(index(worst, shape))
                    .append(": ").append(a[worst]).append(" vs ").append(e[worst]);
        }
        m.append("; ").append(shapes);
        throw new AssertionFailedError(m.toString(), e[first], a[first]);
    }

    private static String prefix(String message) {
        return message == null || message.isEmpty() ? "" : message + ": ";
    }

    private static String describe(Tensor t) {
        return t.dtype() + Arrays.toString(t.shape()) + " on " + t.device();
    }

    /** The multi-index of row-major flat index {@code flat} in {@code shape}. */
    private static String index(long flat, long[] shape) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return Arrays.toString(idx);
    }
}
