package dev.proxima.tensor;

import dev.proxima.tensor.internal.ElementAccess;

import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prints tensors the way NumPy's {@code repr} prints arrays ({@code numpy/_core/arrayprint.py}, floatmode
 * {@code maxprec}): one format for all printed elements of a tensor (common width, shortest digits that read
 * back as the same value, cut at the precision; scientific notation when the largest magnitude is at least
 * 1e8, or the smallest non-zero one below 1e-4 or more than 1000 times smaller than the largest), rows
 * wrapped at the line width with a hanging indent, blank lines between blocks of higher dimensions, and
 * {@code ...} in each dimension of a tensor with more elements than the threshold.
 */
final class TensorFormatter {

    private static final String PREFIX = "tensor(";
    private static final String SUMMARY = "...";

    private TensorFormatter() {
    }

    static String format(Tensor t, PrintOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("print options must not be null; use PrintOptions.defaults()");
        }
        List<String> extras = new ArrayList<>();
        long size = Shapes.size(t.shape);
        boolean summarise = size > options.threshold();
        if ((size == 0 && t.shape.length != 1) || summarise || t.closed) {
            extras.add("shape=" + Shapes.str(t.shape));
        }
        extras.add("dtype=" + t.dtype);
        if (!t.storage.device().equals(Device.CPU)) {
            extras.add("device=" + t.storage.device());
        }
        String body;
        if (t.closed) {
            body = "<closed>";
        } else {
            if (t.requiresGrad()) {
                extras.add("requiresGrad=true");
            }
            body = size == 0 ? "[]" : values(t, options, summarise);
        }
        String arr = PREFIX + body + ",";
        String extra = String.join(", ", extras) + ")";
        int lastLine = arr.length() - (arr.lastIndexOf('\n') + 1);
        String spacer = lastLine + extra.length() + 1 > options.lineWidth() ? "\n" + " ".repeat(PREFIX.length()) : " ";
        return arr + spacer + extra;
    }

    /** The bracketed values of a live tensor with at least one element, read on the host. */
    private static String values(Tensor t, PrintOptions options, boolean summarise) {
        Tensor host = ConversionOps.onHost(t) ? null : ConversionOps.hostCopy(t, t.dtype);
        try {
            Tensor src = host == null ? t : host;
            MemorySegment memory = src.storage.segment();
            long[] positions = new Printed(t.shape, src.strides, summarise ? options.edgeItems() : -1).collect(src.offset);
            String[] words = words(t.dtype, memory, positions, t.shape.length == 0, options);
            if (t.shape.length == 0) {
                return words[0];
            }
            Layout layout = new Layout(t.shape, summarise ? options.edgeItems() : -1, words);
            String hanging = " ".repeat(1 + PREFIX.length());
            return layout.recurse(0, hanging, options.lineWidth() - 1);
        } finally {
            if (host != null) {
                host.close();
            }
        }
    }

    /** The element indices of the printed elements, in printing order. */
    private record Printed(long[] shape, long[] strides, int edge) {

        long[] collect(long offset) {
            long[] out = new long[16];
            int[] n = {0};
            out = walk(0, offset, out, n);
            return Arrays.copyOf(out, n[0]);
        }

        private long[] walk(int axis, long at, long[] out, int[] n) {
            if (axis == shape.length) {
                if (n[0] == out.length) {
                    out = Arrays.copyOf(out, out.length * 2);
                }
                out[n[0]++] = at;
                return out;
            }
            for (long i : indices(shape[axis], edge)) {
                out = walk(axis + 1, at + i * strides[axis], out, n);
            }
            return out;
        }
    }

    /** The printed indices of a dimension of extent {@code n}: all, or {@code edge} at each end. */
    private static long[] indices(long n, int edge) {
        if (edge >= 0 && 2L * edge < n) {
            long[] out = new long[2 * edge];
            for (int i = 0; i < edge; i++) {
                out[i] = i;
                out[edge + i] = n - edge + i;
            }
            return out;
        }
        long[] out = new long[(int) n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    /** NumPy's {@code _formatArray}: brackets, separators, line wrapping and the summary marker. */
    private static final class Layout {
        private final long[] shape;
        private final int edge;
        private final String[] words;
        private int next;

        Layout(long[] shape, int edge, String[] words) {
            this.shape = shape;
            this.edge = edge;
            this.words = words;
        }

        String recurse(int axis, String hanging, int width) {
            if (axis == shape.length) {
                return words[next++];
            }
            String nextHanging = hanging + " ";
            int nextWidth = width - 1;
            long n = shape[axis];
            boolean summary = edge >= 0 && 2L * edge < n;
            long count = summary ? 2L * edge : n;
            StringBuilder s = new StringBuilder();
            if (axis == shape.length - 1) {
                int elementWidth = width - 1;
                StringBuilder line = new StringBuilder(hanging);
                for (long i = 0; i < count; i++) {
                    if (summary && i == edge) {
                        extend(s, line, SUMMARY, elementWidth, hanging);
                        line.append(", ");
                    }
                    extend(s, line, recurse(axis + 1, nextHanging, nextWidth), elementWidth, hanging);
                    if (i < count - 1) {
                        line.append(", ");
                    }
                }
                s.append(line);
            } else {
                String lineSeparator = "," + "\n".repeat(shape.length - axis - 1);
                for (long i = 0; i < count; i++) {
                    if (summary && i == edge) {
                        s.append(hanging).append(SUMMARY).append(lineSeparator);
                    }
                    s.append(hanging).append(recurse(axis + 1, nextHanging, nextWidth));
                    if (i < count - 1) {
                        s.append(lineSeparator);
                    }
                }
            }
            return "[" + s.substring(hanging.length()) + "]";
        }

        private static void extend(StringBuilder s, StringBuilder line, String word, int width, String hanging) {
            boolean wrap = line.length() + word.length() > width && line.length() > hanging.length();
            if (wrap) {
                s.append(line.toString().stripTrailing()).append('\n');
                line.setLength(0);
                line.append(hanging);
            }
            line.append(word);
        }
    }

    // =================================================================== element formats

    private static String[] words(DType dtype, MemorySegment memory, long[] positions, boolean scalar, PrintOptions options) {
        int n = positions.length;
        String[] out = new String[n];
        if (dtype == DType.BOOL) {
            for (int i = 0; i < n; i++) {
                boolean v = ElementAccess.getLong(memory, dtype, positions[i]) != 0;
                out[i] = v ? (scalar ? "true" : " true") : "false";
            }
            return out;
        }
        if (!dtype.isFloating()) {
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = ElementAccess.getLong(memory, dtype, positions[i]);
            }
            return integers(v, options.sign());
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = ElementAccess.getDouble(memory, dtype, positions[i]);
        }
        return floats(dtype, v, options);
    }

    /** NumPy's {@code IntegerFormat}: right-aligned to the widest of the largest and smallest value. */
    private static String[] integers(long[] v, PrintOptions.Sign sign) {
        long max = Long.MIN_VALUE;
        long min = Long.MAX_VALUE;
        for (long x : v) {
            max = Math.max(max, x);
            min = Math.min(min, x);
        }
        if (sign == PrintOptions.Sign.SPACE && min < 0) {
            sign = PrintOptions.Sign.MINUS;
        }
        int maxLength = Long.toString(max).length() + (max >= 0 && sign != PrintOptions.Sign.MINUS ? 1 : 0);
        int width = Math.max(maxLength, Long.toString(min).length());
        String[] out = new String[v.length];
        for (int i = 0; i < v.length; i++) {
            String text = Long.toString(v[i]);
            if (v[i] >= 0 && sign == PrintOptions.Sign.PLUS) {
                text = "+" + text;
            } else if (v[i] >= 0 && sign == PrintOptions.Sign.SPACE) {
                text = " " + text;
            }
            out[i] = padLeft(text, width);
        }
        return out;
    }

    /** One finite value's digits: sign, integer part, fraction digits and (scientific only) decimal exponent. */
    private record Digits(String sign, String integer, String fraction, int exponent) {
    }

    /** NumPy's {@code FloatingFormat} in floatmode {@code maxprec}. */
    private static String[] floats(DType dtype, double[] v, PrintOptions options) {
        double max = 0;
        double min = Double.POSITIVE_INFINITY;
        int finite = 0;
        boolean negative = false;
        boolean negativeInfinity = false;
        for (double x : v) {
            if (Double.isFinite(x)) {
                finite++;
                negative |= (Double.doubleToRawLongBits(x) < 0);
                if (x != 0) {
                    max = Math.max(max, Math.abs(x));
                    min = Math.min(min, Math.abs(x));
                }
            } else if (x == Double.NEGATIVE_INFINITY) {
                negativeInfinity = true;
            }
        }
        // NumPy compares in the array's dtype (a Python float operand takes the array's type).
        boolean scientific = min != Double.POSITIVE_INFINITY
                && (max >= inDType(dtype, 1e8) || (!options.suppressSmall()
                && (min < inDType(dtype, 1e-4) || inDType(dtype, max / min) > 1000)));
        Digits[] digits = new Digits[v.length];
        int padLeft = 0;
        int padRight = 0;
        int fractionDigits = 0;
        int exponentDigits = 0;
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                continue;
            }
            Digits d = scientific ? scientific(dtype, v[i], options) : positional(dtype, v[i], options);
            digits[i] = d;
            padLeft = Math.max(padLeft, d.sign.length() + d.integer.length());
            fractionDigits = Math.max(fractionDigits, d.fraction.length());
            exponentDigits = Math.max(exponentDigits, Math.max(2, Integer.toString(Math.abs(d.exponent)).length()));
        }
        padRight = scientific ? exponentDigits + 2 + fractionDigits : fractionDigits;
        if (finite > 0 && options.sign() == PrintOptions.Sign.SPACE && !negative) {
            padLeft++;
        }
        if (finite < v.length) {
            int after = padRight + 1;
            boolean signedInfinity = options.sign() != PrintOptions.Sign.MINUS || negativeInfinity;
            padLeft = Math.max(padLeft, Math.max(3 - after, 3 + (signedInfinity ? 1 : 0) - after));
        }
        String[] out = new String[v.length];
        for (int i = 0; i < v.length; i++) {
            double x = v[i];
            if (Double.isNaN(x)) {
                out[i] = padLeft((options.sign() == PrintOptions.Sign.PLUS ? "+" : "") + "nan", padLeft + padRight + 1);
            } else if (Double.isInfinite(x)) {
                String sign = x < 0 ? "-" : options.sign() == PrintOptions.Sign.PLUS ? "+" : "";
                out[i] = padLeft(sign + "inf", padLeft + padRight + 1);
            } else {
                Digits d = digits[i];
                StringBuilder sb = new StringBuilder(padLeft(d.sign + d.integer, padLeft)).append('.').append(d.fraction);
                if (scientific) {
                    sb.append("0".repeat(fractionDigits - d.fraction.length())).append('e').append(d.exponent < 0 ? '-' : '+');
                    String e = Integer.toString(Math.abs(d.exponent));
                    sb.append("0".repeat(exponentDigits - e.length())).append(e);
                } else {
                    sb.append(" ".repeat(padRight - d.fraction.length()));
                }
                out[i] = sb.toString();
            }
        }
        return out;
    }

    private static double inDType(DType dtype, double x) {
        return switch (dtype) {
            case F32 -> (float) x;
            case F16 -> Float.float16ToFloat(Float.floatToFloat16((float) x));
            case BF16 -> bf16(x);
            default -> x;
        };
    }

    /** {@code x} rounded to the nearest BF16 value (ties to even), as a double. */
    private static double bf16(double x) {
        int bits = Float.floatToRawIntBits((float) x);
        if (Float.isNaN((float) x)) {
            return x;
        }
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(rounded & 0xFFFF0000);
    }

    private static String signOf(double x, PrintOptions options) {
        if (Double.doubleToRawLongBits(x) < 0) {
            return "-";
        }
        return options.sign() == PrintOptions.Sign.PLUS ? "+" : "";
    }

    /** Positional digits: the shortest that reads back as {@code x}, cut at the precision (exact value rounded half-even). */
    private static Digits positional(DType dtype, double x, PrintOptions options) {
        BigDecimal r = shortest(dtype, x);
        if (Math.max(0, r.scale()) > options.precision()) {
            r = new BigDecimal(Math.abs(x)).setScale(options.precision(), RoundingMode.HALF_EVEN).stripTrailingZeros();
        }
        String plain = r.signum() == 0 ? "0" : r.toPlainString();
        int dot = plain.indexOf('.');
        String integer = dot < 0 ? plain : plain.substring(0, dot);
        String fraction = dot < 0 ? "" : plain.substring(dot + 1);
        return new Digits(signOf(x, options), integer, fraction, 0);
    }

    /** Scientific digits: the shortest that read back as {@code x}, at most {@code precision} after the point. */
    private static Digits scientific(DType dtype, double x, PrintOptions options) {
        BigDecimal r = shortest(dtype, x);
        if (r.signum() != 0 && r.precision() - 1 > options.precision()) {
            r = new BigDecimal(Math.abs(x)).round(new MathContext(options.precision() + 1, RoundingMode.HALF_EVEN))
                    .stripTrailingZeros();
        }
        if (r.signum() == 0) {
            return new Digits(signOf(x, options), "0", "", 0);
        }
        String unscaled = r.unscaledValue().toString();
        int exponent = r.precision() - r.scale() - 1;
        return new Digits(signOf(x, options), unscaled.substring(0, 1), unscaled.substring(1), exponent);
    }

    /**
     * The magnitude of {@code x} as the decimal with the fewest significant digits that reads back as the same
     * value of {@code dtype} (the closest such decimal), without trailing zeros.
     */
    private static BigDecimal shortest(DType dtype, double x) {
        double a = Math.abs(x);
        if (a == 0) {
            return BigDecimal.ZERO;
        }
        return switch (dtype) {
            case F64 -> new BigDecimal(Double.toString(a)).stripTrailingZeros();
            case F32 -> new BigDecimal(Float.toString((float) a)).stripTrailingZeros();
            case F16 -> shortestBinary(a, 11, -14);
            case BF16 -> shortestBinary(a, 8, -126);
            default -> throw new IllegalStateException("not a floating-point dtype: " + dtype);
        };
    }

    /**
     * The shortest decimal that rounds to {@code a} in a binary format with {@code significandBits} bits of
     * significand and smallest normal exponent {@code minExponent}: the fewest digits whose correctly rounded
     * value lies inside {@code a}'s rounding interval (half an ulp each side, a quarter below a power of two;
     * the ends belong to it when {@code a}'s significand is even).
     */
    private static BigDecimal shortestBinary(double a, int significandBits, int minExponent) {
        int e = Math.max(Math.getExponent(a), minExponent);
        BigDecimal exact = new BigDecimal(a);
        BigDecimal halfUlp = new BigDecimal(Math.scalb(1.0, e - significandBits));
        boolean powerOfTwo = a == Math.scalb(1.0, Math.getExponent(a)) && Math.getExponent(a) > minExponent;
        BigDecimal halfUlpBelow = powerOfTwo ? halfUlp.divide(BigDecimal.TWO) : halfUlp;
        long significand = (long) Math.scalb(a, significandBits - 1 - e);
        boolean even = (significand & 1) == 0;
        for (int digits = 1; ; digits++) {
            BigDecimal candidate = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            int c = candidate.compareTo(exact);
            BigDecimal distance = candidate.subtract(exact).abs();
            int limit = distance.compareTo(c >= 0 ? halfUlp : halfUlpBelow);
            if (limit < 0 || (limit == 0 && even)) {
                return candidate.stripTrailingZeros();
            }
        }
    }

    private static String padLeft(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
