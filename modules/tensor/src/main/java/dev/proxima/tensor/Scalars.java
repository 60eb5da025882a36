package dev.proxima.tensor;

import dev.proxima.tensor.internal.ElementAccess;
import dev.proxima.tensor.spi.BinaryOp;
import dev.proxima.tensor.spi.Kernels;

import java.util.OptionalDouble;

/**
 * Java scalars as operands, under NumPy 2's weak-scalar rule (NEP 50) as {@link DType} documents it: the range
 * checks of integer dtypes, the rounding of a scalar to a floating dtype, exact comparisons of integer tensors
 * with any scalar, and 0-d operands that hold a {@code long} exactly.
 */
final class Scalars {

    private Scalars() {
    }

    /** The smallest value of integer or BOOL dtype {@code t}. */
    static long min(DType t) {
        return switch (t) {
            case I8 -> Byte.MIN_VALUE;
            case I32 -> Integer.MIN_VALUE;
            case I64 -> Long.MIN_VALUE;
            case U8, BOOL -> 0;
            default -> throw new AssertionError(t + " is not an integer type");
        };
    }

    /** The largest value of integer or BOOL dtype {@code t}. */
    static long max(DType t) {
        return switch (t) {
            case I8 -> Byte.MAX_VALUE;
            case U8 -> 255;
            case I32 -> Integer.MAX_VALUE;
            case I64 -> Long.MAX_VALUE;
            case BOOL -> 1;
            default -> throw new AssertionError(t + " is not an integer type");
        };
    }

    /**
     * Checks that {@code value} lies in integer dtype {@code t}'s range.
     *
     * @throws ScalarOutOfRangeException naming the operation, the scalar and the range otherwise
     */
    static void checkRange(String op, DType t, long value) {
        if (value < min(t) || value > max(t)) {
            throw outOfRange(op, t, Long.toString(value));
        }
    }

    /**
     * Checks that {@code value}, truncated toward zero as a conversion does, lies in integer dtype {@code t}'s
     * range (NaN and the infinities never do).
     *
     * @throws ScalarOutOfRangeException naming the operation, the scalar and the range otherwise
     */
    static void checkRange(String op, DType t, double value) {
        boolean fits = t == DType.I64 ? value >= -0x1p63 && value < 0x1p63 : value > min(t) - 1.0 && value < max(t) + 1.0;
        if (!fits) {
            throw outOfRange(op, t, Double.toString(value));
        }
    }

    private static ScalarOutOfRangeException outOfRange(String op, DType t, String value) {
        return new ScalarOutOfRangeException(op + ": the scalar " + value + " is out of the range of " + t + " [" + min(t) + ", "
                + max(t) + "]; as in NumPy 2 a scalar takes an integer tensor's dtype, so cast the tensor to a wider dtype first");
    }

    /**
     * {@code value} rounded to floating dtype {@code t} (to nearest, ties to even, once, as NumPy 2 rounds a Python
     * float), as a double. For the half types {@code value} is first narrowed to a float rounding to odd, which the
     * second rounding to nearest cannot turn into a false tie (the standard round-to-odd argument, F32 having more
     * than two bits beyond F16's and BF16's). Tensor conversions ({@code cast}) differ: they go from F64 through a
     * float rounded to nearest, on the CPU and on CUDA alike, so a scalar is rounded here before a fill kernel sees it.
     */
    static double rounded(DType t, double value) {
        return switch (t) {
            case F64 -> value;
            case F32 -> (float) value;
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(toFloatRoundingToOdd(value)));
            case BF16 -> ElementAccess.bf16ToFloat(ElementAccess.floatToBf16(toFloatRoundingToOdd(value)));
            default -> throw new AssertionError(t + " is not a floating type");
        };
    }

    /**
     * {@code value} rounded to floating dtype {@code t} (to nearest, ties to even, once), as a double. (NumPy rounds
     * a Python int to float64 first, which can round twice for float32 beyond 2^53; Java's {@code (float) long}
     * rounds once.)
     */
    static double rounded(DType t, long value) {
        return switch (t) {
            case F64 -> (double) value;
            case F32 -> (float) value;
            default -> rounded(t, toDoubleRoundingToOdd(value));
        };
    }

    /** {@code v} as a float rounding to odd: exact values stay, an inexact one becomes the neighbour toward zero, made odd. */
    private static float toFloatRoundingToOdd(double v) {
        float f = (float) v;
        if (f == v || Double.isNaN(v)) {
            return f;
        }
        if (Math.abs((double) f) > Math.abs(v)) {
            f = Math.nextAfter(f, 0.0);
        }
        return Float.intBitsToFloat(Float.floatToRawIntBits(f) | 1);
    }

    /** {@code v} as a double rounding to odd (exact below 2^53 in magnitude), composable with the float step above. */
    private static double toDoubleRoundingToOdd(long v) {
        if (exactInDouble(v)) {
            return v;
        }
        double d = v;
        // (long) 2^63 saturates to Long.MAX_VALUE: that case is inexact and rounded up
        boolean roundedUp = d == 0x1p63 || (long) d > v;
        if (roundedUp == (v > 0)) {
            d = Math.nextAfter(d, 0.0);
        }
        return Double.longBitsToDouble(Double.doubleToRawLongBits(d) | 1);
    }

    /**
     * A 0-d tensor of integer or BOOL dtype {@code t} on {@code device} holding {@code value} exactly (a long
     * beyond 2^53 is written on the host, where the fill kernel's double could not hold it, and moved).
     */
    static Tensor operand(DType t, long value, Device device) {
        if (exactInDouble(value)) {
            Tensor s = Tensor.allocate(t, new long[0], device, false);
            Ops.run(s, Kernels.FILL, (double) value, s.kernelView());
            return s;
        }
        Tensor host = Tensor.allocate(t, new long[0], Device.CPU, false);
        ElementAccess.setLong(host.storage.segment(), t, host.offset, value);
        if (device.equals(Device.CPU)) {
            return host;
        }
        try (host) {
            Tensor moved = host.to(device);
            Tensor.disown(moved);
            return moved;
        }
    }

    /** True if {@code value} converts to a double and back unchanged (as every long below 2^53 in magnitude does). */
    static boolean exactInDouble(long value) {
        double d = value;
        return d != 0x1p63 && (long) d == value;
    }

    /**
     * The value a {@code long} fill of a {@code t} tensor writes, as the double the fill kernel takes: rounded
     * once for floating types, range-checked for integer types. Empty when the value is an integer a double
     * cannot hold (an I64 or BOOL fill beyond 2^53), which {@link #operand} then writes exactly.
     *
     * @throws ScalarOutOfRangeException if {@code t} is an integer type whose range excludes {@code value}
     */
    static OptionalDouble fillValue(String op, DType t, long value) {
        if (t.isFloating()) {
            return OptionalDouble.of(rounded(t, value));
        }
        if (t.isInteger()) {
            checkRange(op, t, value);
        }
        return exactInDouble(value) ? OptionalDouble.of(value) : OptionalDouble.empty();
    }

    // ------------------------------------------------------------------ exact comparisons

    /**
     * {@code self op value} for an integer tensor, computed exactly: a scalar beyond the dtype's range gives a
     * constant result, a fractional one compares with its floor or ceiling, NaN compares unequal to everything.
     */
    static Tensor compare(Tensor self, BinaryOp op, double value) {
        DType t = self.dtype;
        if (Double.isNaN(value)) {
            return constant(self, op == BinaryOp.NE);
        }
        boolean above = t == DType.I64 ? value >= 0x1p63 : value > (double) max(t);
        if (above || value < (double) min(t)) {
            return outside(self, op, above);
        }
        double floor = Math.floor(value);
        if (floor == value) {
            return inRange(self, op, (long) value);
        }
        return switch (op) {
            case EQ -> constant(self, false);
            case NE -> constant(self, true);
            // x < v and x <= v both mean x <= floor(v); x > v and x >= v both mean x >= ceil(v)
            case LT, LE -> inRange(self, BinaryOp.LE, (long) floor);
            case GT, GE -> inRange(self, BinaryOp.GE, (long) Math.ceil(value));
            default -> throw new AssertionError(op);
        };
    }

    /** {@code self op value} for an integer tensor, computed exactly (see {@link #compare(Tensor, BinaryOp, double)}). */
    static Tensor compare(Tensor self, BinaryOp op, long value) {
        DType t = self.dtype;
        if (value > max(t) || value < min(t)) {
            return outside(self, op, value > max(t));
        }
        return inRange(self, op, value);
    }

    private static Tensor inRange(Tensor self, BinaryOp op, long value) {
        try (Tensor s = operand(self.dtype, value, self.device())) {
            return ElementwiseOps.binary(self, op, s);
        }
    }

    /** The constant result of comparing every element with a scalar above (or below) all of them. */
    private static Tensor outside(Tensor self, BinaryOp op, boolean above) {
        return constant(self, switch (op) {
            case EQ -> false;
            case NE -> true;
            case LT, LE -> above;
            case GT, GE -> !above;
            default -> throw new AssertionError(op);
        });
    }

    private static Tensor constant(Tensor self, boolean value) {
        return CreationOps.full(value ? 1 : 0, DType.BOOL, self.device(), self.shape);
    }
}
