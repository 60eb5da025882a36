package dev.proxima.tensor;

/**
 * How {@link Tensor#format(PrintOptions)} prints a tensor; the fields and their defaults are NumPy's
 * ({@code numpy.get_printoptions()}), and so are the layout rules that use them.
 *
 * {@snippet :
 * Tensor x = Tensor.arange(0, 2000, 1, DType.F64).div(3);
 * System.out.println(x.format(PrintOptions.defaults().withPrecision(3).withEdgeItems(2)));
 * // tensor([0.000e+00, 3.333e-01, ..., 6.660e+02, 6.663e+02],
 * //        shape=[2000], dtype=F64)
 * }
 *
 * @param precision     the most digits after the decimal point of a floating-point value (fewer when the
 *                      shortest text that reads back as the same value needs fewer); default 8
 * @param threshold     tensors with more elements than this are summarised: only {@code edgeItems}
 *                      entries at the start and end of each dimension are printed, with {@code ...} between;
 *                      default 1000
 * @param edgeItems     entries printed at each end of a summarised dimension; default 3
 * @param lineWidth     the most characters per line before rows wrap; default 75
 * @param suppressSmall print floating-point values in positional notation always, values smaller than the
 *                      precision as zero (instead of switching the whole tensor to scientific notation);
 *                      default false
 * @param sign          how non-negative floating-point and integer values are signed; default
 *                      {@link Sign#MINUS}
 */
public record PrintOptions(int precision, long threshold, int edgeItems, int lineWidth, boolean suppressSmall,
                           Sign sign) {

    /** How non-negative values are signed (NumPy's {@code sign} option: {@code '-'}, {@code '+'}, {@code ' '}). */
    public enum Sign {
        /** Only negative values carry a sign. */
        MINUS,
        /** Non-negative values carry a {@code +}. */
        PLUS,
        /** Non-negative values get a space where a sign would be, when no printed value is negative. */
        SPACE
    }

    private static final PrintOptions DEFAULTS = new PrintOptions(8, 1000, 3, 75, false, Sign.MINUS);

    /**
     * Checks the options.
     *
     * @throws IllegalArgumentException if {@code precision} is outside 0..40, {@code threshold} is negative,
     *                                  {@code edgeItems} or {@code lineWidth} is below 1, or {@code sign} is null
     */
    public PrintOptions {
        if (precision < 0 || precision > 40) {
            throw new IllegalArgumentException("print precision must be in 0..40 digits, got " + precision);
        }
        if (threshold < 0) {
            throw new IllegalArgumentException("print threshold must be at least 0 elements, got " + threshold);
        }
        if (edgeItems < 1) {
            throw new IllegalArgumentException("print edgeItems must be at least 1, got " + edgeItems);
        }
        if (lineWidth < 1) {
            throw new IllegalArgumentException("print lineWidth must be at least 1 character, got " + lineWidth);
        }
        if (sign == null) {
            throw new IllegalArgumentException("print sign must be MINUS, PLUS or SPACE, got null");
        }
    }

    /**
     * NumPy's defaults: precision 8, threshold 1000, 3 edge items, line width 75, no suppression, sign
     * {@link Sign#MINUS}. {@link Tensor#toString()} prints with these.
     *
     * @return the default options
     */
    public static PrintOptions defaults() {
        return DEFAULTS;
    }

    /**
     * These options with another precision.
     *
     * @param digits the most digits after the decimal point, 0..40
     * @return new options
     * @throws IllegalArgumentException if {@code digits} is outside 0..40
     */
    public PrintOptions withPrecision(int digits) {
        return new PrintOptions(digits, threshold, edgeItems, lineWidth, suppressSmall, sign);
    }

    /**
     * These options with another summarisation threshold.
     *
     * @param elements tensors with more elements are summarised; {@code Long.MAX_VALUE} never summarises
     * @return new options
     * @throws IllegalArgumentException if {@code elements} is negative
     */
    public PrintOptions withThreshold(long elements) {
        return new PrintOptions(precision, elements, edgeItems, lineWidth, suppressSmall, sign);
    }

    /**
     * These options with another number of edge items.
     *
     * @param items entries printed at each end of a summarised dimension, at least 1
     * @return new options
     * @throws IllegalArgumentException if {@code items} is below 1
     */
    public PrintOptions withEdgeItems(int items) {
        return new PrintOptions(precision, threshold, items, lineWidth, suppressSmall, sign);
    }

    /**
     * These options with another line width.
     *
     * @param characters the most characters per line before rows wrap, at least 1
     * @return new options
     * @throws IllegalArgumentException if {@code characters} is below 1
     */
    public PrintOptions withLineWidth(int characters) {
        return new PrintOptions(precision, threshold, edgeItems, characters, suppressSmall, sign);
    }

    /**
     * These options with small values suppressed or not.
     *
     * @param suppress true to print floating-point values always in positional notation
     * @return new options
     */
    public PrintOptions withSuppressSmall(boolean suppress) {
        return new PrintOptions(precision, threshold, edgeItems, lineWidth, suppress, sign);
    }

    /**
     * These options with another sign mode.
     *
     * @param mode how non-negative values are signed
     * @return new options
     * @throws IllegalArgumentException if {@code mode} is null
     */
    public PrintOptions withSign(Sign mode) {
        return new PrintOptions(precision, threshold, edgeItems, lineWidth, suppressSmall, mode);
    }
}
