package dev.proxima.testkit;

import dev.proxima.tensor.DType;

import java.util.Objects;

/**
 * How far an actual value may be from an expected one: {@code |actual − expected| ≤ atol + rtol·|expected|},
 * the rule of NumPy's {@code isclose} and PyTorch's {@code assert_close}. Non-finite values must match
 * exactly: an infinity only matches the same infinity, and NaN only matches NaN.
 *
 * <p>{@link #of(DType)} gives the default for results of one dtype:
 * <table>
 *   <caption>Default tolerances</caption>
 *   <tr><th>dtype</th><th>rtol</th><th>atol</th><th>why</th></tr>
 *   <tr><td>F64</td><td>1e-12</td><td>1e-12</td><td>a few thousand ulp: room for differently ordered
 *       sums of moderate length, far tighter than PyTorch's 1e-7</td></tr>
 *   <tr><td>F32</td><td>1.3e-6</td><td>1e-5</td><td>PyTorch's {@code assert_close} default (about 11 ulp)</td></tr>
 *   <tr><td>F16</td><td>1e-3</td><td>1e-5</td><td>PyTorch's default: one rounding to 11 significant bits</td></tr>
 *   <tr><td>BF16</td><td>1.6e-2</td><td>1e-5</td><td>PyTorch's default: one rounding to 8 significant bits</td></tr>
 *   <tr><td>integers, BOOL</td><td>0</td><td>0</td><td>exact</td></tr>
 * </table>
 * These fit results that are rounded once from an accurate computation (elementwise ops, short
 * reductions, small matrix products); loosen them with {@link #scaled(double)} for long reductions or
 * ill-conditioned problems.
 *
 * {@snippet :
 * Tolerance t = Tolerance.of(DType.F32);              // rtol 1.3e-6, atol 1e-5
 * boolean ok = t.accepts(Math.PI, (float) Math.PI);    // true
 * Tolerance loose = t.scaled(10);                      // rtol 1.3e-5, atol 1e-4
 * }
 *
 * @param rtol the relative tolerance, a multiple of {@code |expected|}
 * @param atol the absolute tolerance
 */
public record Tolerance(double rtol, double atol) {

    /** Exact equality (NaN still matches NaN). */
    public static final Tolerance EXACT = new Tolerance(0, 0);

    private static final Tolerance F64 = new Tolerance(1e-12, 1e-12);
    private static final Tolerance F32 = new Tolerance(1.3e-6, 1e-5);
    private static final Tolerance F16 = new Tolerance(1e-3, 1e-5);
    private static final Tolerance BF16 = new Tolerance(1.6e-2, 1e-5);

    /**
     * Validates the tolerances.
     *
     * @throws IllegalArgumentException if {@code rtol} or {@code atol} is negative, NaN or infinite
     */
    public Tolerance {
        if (!(rtol >= 0) || !(atol >= 0) || Double.isInfinite(rtol) || Double.isInfinite(atol)) {
            throw new IllegalArgumentException("tolerances must be finite and >= 0, got rtol " + rtol + ", atol " + atol);
        }
    }

    /**
     * The default tolerance for results of type {@code dtype} (see the class comment).
     *
     * @param dtype the dtype of the values compared
     * @return the tolerance: exact for integer and BOOL types
     * @throws NullPointerException if {@code dtype} is null
     */
    public static Tolerance of(DType dtype) {
        Objects.requireNonNull(dtype, "dtype");
        return switch (dtype) {
            case F64 -> F64;
            case F32 -> F32;
            case F16 -> F16;
            case BF16 -> BF16;
            case I32, I64, I8, U8, BOOL -> EXACT;
        };
    }

    /**
     * This tolerance with both bounds multiplied by {@code factor}.
     *
     * @param factor how many times looser (or, below 1, tighter)
     * @return a new tolerance
     * @throws IllegalArgumentException if {@code factor} is negative, NaN or infinite
     */
    public Tolerance scaled(double factor) {
        if (!(factor >= 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("scale factor must be finite and >= 0, got " + factor);
        }
        return new Tolerance(rtol * factor, atol * factor);
    }

    /**
     * True if {@code actual} is close enough to {@code expected}: within {@code atol + rtol·|expected|}
     * when {@code expected} is finite, else identical (the same infinity, or both NaN).
     *
     * @param expected the reference value
     * @param actual   the value under test
     * @return whether {@code actual} is accepted
     */
    public boolean accepts(double expected, double actual) {
        if (Double.isNaN(expected) || Double.isInfinite(expected)) {
            return Double.compare(expected, actual) == 0; // NaN equals NaN under compare
        }
        return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
    }

    /** {@code "rtol 1.3E-6, atol 1.0E-5"} or {@code "exact"}. */
    @Override
    public String toString() {
        return rtol == 0 && atol == 0 ? "exact" : "rtol " + rtol + ", atol " + atol;
    }
}
