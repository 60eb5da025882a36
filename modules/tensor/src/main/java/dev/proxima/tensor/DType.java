package dev.proxima.tensor;

import java.lang.foreign.ValueLayout;

/**
 * Element types of a {@link Tensor}.
 *
 * <h2>Promotion</h2>
 * Binary operations first convert both operands to {@link #promote(DType, DType)}, which follows
 * NumPy's rules for arrays:
 * <ul>
 *   <li>{@code BOOL} promotes to any other type;</li>
 *   <li>two integer types promote to the smallest integer type holding both ranges
 *       ({@code U8} with {@code I8} gives {@code I32}, since Proxima has no 16-bit integers);</li>
 *   <li>an integer type with a float type gives the float type if the float represents every value of
 *       the integer exactly ({@code I8}/{@code U8} with {@code F32} → {@code F32}), else {@code F64}
 *       ({@code I32}/{@code I64} with {@code F32} → {@code F64});</li>
 *   <li>two float types give the wider one; {@code F16} with {@code BF16} gives {@code F32}.</li>
 * </ul>
 * {@code F16} and {@code BF16} are storage types: the CPU backend computes on them in F32 and rounds
 * the result back (round to nearest even), as PyTorch does on CPUs.
 *
 * <h2>Scalar operands</h2>
 * A Java scalar operand is "weak" as in NumPy 2 (NEP 50): a {@code long} ({@code t.add(2)}) acts as a
 * Python int, a {@code double} ({@code t.add(2.0)}) as a Python float; Java picks the overload from the
 * literal, so {@code 2} and {@code 2.0} differ:
 * <ul>
 *   <li>a floating tensor keeps its dtype with either, and the scalar is rounded to that dtype first
 *       (once, to nearest even): {@code Tensor.full(0.1, F16).eq(0.1)} is true, and
 *       {@code F16 1 + (2^-11 + 2^-23)} is {@code 1.0}, as in NumPy;</li>
 *   <li>an integer tensor with a {@code long} keeps its dtype; a scalar outside the dtype's range is an
 *       error ({@link ScalarOutOfRangeException}, NumPy's {@code OverflowError}: {@code U8 + 300},
 *       {@code U8 + (-1)}), while results that overflow with an in-range scalar wrap
 *       ({@code I8 100 + 100} is {@code -56}). True division computes in {@code F64} with the scalar's
 *       value and never throws;</li>
 *   <li>an integer tensor with a {@code double} computes in {@code F64} ({@code I32 + 2.0} is {@code F64});</li>
 *   <li>{@code BOOL} with a {@code long} gives {@code I64}, with a {@code double} {@code F64}, as in NumPy;</li>
 *   <li>comparisons of an integer tensor with any scalar are exact and never throw
 *       ({@code U8 255 == 256} is false, {@code U8 < 300} is true, {@code I32.MAX == 3e9} is false). For
 *       an {@code I64} tensor and a {@code double} this is stricter than NumPy, which converts the int64
 *       values to float64 first ({@code 2^63 − 1 == 2.0^63} is true in NumPy, false here).</li>
 * </ul>
 * Putting a value into an integer tensor ({@code Tensor.full}, {@code Into.fill}) checks the range the
 * same way (a {@code double} after truncation toward zero; NaN and the infinities never fit).
 *
 * <h2>Conversions</h2>
 * Conversions to {@code F16}/{@code BF16} round to nearest even (overflow gives ±∞, NaN stays NaN); a
 * tensor conversion from {@code F64} does so through {@code F32} (two roundings, identical on every
 * backend), while a scalar operand or fill value is rounded once, as NumPy rounds a Python float.
 * Float to integer truncates toward zero, saturates at the target's range and maps NaN to 0;
 * integer to a narrower integer wraps (two's complement); anything to {@code BOOL} is {@code value != 0}.
 */
public enum DType {
    /** 32-bit IEEE float. */
    F32(4, Kind.FLOAT, ValueLayout.JAVA_FLOAT),
    /** 64-bit IEEE float. */
    F64(8, Kind.FLOAT, ValueLayout.JAVA_DOUBLE),
    /** 32-bit signed integer. */
    I32(4, Kind.SIGNED, ValueLayout.JAVA_INT),
    /** 64-bit signed integer. */
    I64(8, Kind.SIGNED, ValueLayout.JAVA_LONG),
    /** 8-bit signed integer. */
    I8(1, Kind.SIGNED, ValueLayout.JAVA_BYTE),
    /** 8-bit unsigned integer. */
    U8(1, Kind.UNSIGNED, ValueLayout.JAVA_BYTE),
    /** Boolean, one byte per element holding 0 or 1. */
    BOOL(1, Kind.BOOL, ValueLayout.JAVA_BYTE),
    /** IEEE 754 binary16 (half precision): stored in 2 bytes, computed in F32 on the CPU. */
    F16(2, Kind.FLOAT, ValueLayout.JAVA_SHORT),
    /** bfloat16 (the top 16 bits of an F32): stored in 2 bytes, computed in F32 on the CPU. */
    BF16(2, Kind.FLOAT, ValueLayout.JAVA_SHORT);

    enum Kind { FLOAT, SIGNED, UNSIGNED, BOOL }

    private final int byteSize;
    private final Kind kind;
    private final ValueLayout layout;

    DType(int byteSize, Kind kind, ValueLayout layout) {
        this.byteSize = byteSize;
        this.kind = kind;
        this.layout = layout;
    }

    /** {@return bytes per element} */
    public int byteSize() {
        return byteSize;
    }

    /** {@return the FFM layout of one element (native byte order)} */
    public ValueLayout layout() {
        return layout;
    }

    /** {@return true for the floating-point types {@code F32}, {@code F64}, {@code F16} and {@code BF16}} */
    public boolean isFloating() {
        return kind == Kind.FLOAT;
    }

    /** {@return true for the signed and unsigned integer types (not {@code BOOL})} */
    public boolean isInteger() {
        return kind == Kind.SIGNED || kind == Kind.UNSIGNED;
    }

    /**
     * The type both operands of a binary operation are converted to (see the class comment).
     *
     * @param a the left operand's type
     * @param b the right operand's type
     * @return the common type; {@code a} when both are equal
     */
    public static DType promote(DType a, DType b) {
        if (a == b) {
            return a;
        }
        if (a == BOOL) {
            return b;
        }
        if (b == BOOL) {
            return a;
        }
        if (a.isFloating() && b.isFloating()) {
            // the wider type; F16 with BF16 (neither holds the other) meet in F32
            if (a.byteSize != b.byteSize) {
                return a.byteSize > b.byteSize ? a : b;
            }
            return a.byteSize == 2 ? F32 : F64;
        }
        if (a.isFloating() || b.isFloating()) {
            DType f = a.isFloating() ? a : b;
            DType i = a.isFloating() ? b : a;
            if (f == F64) {
                return F64;
            }
            // every 8-bit integer is exact in F16, BF16 and F32; wider integers are exact only in F64
            return i.byteSize <= 1 ? f : F64;
        }
        // two different integer types
        if (a.kind == b.kind) {
            return a.byteSize >= b.byteSize ? a : b;
        }
        DType s = a.kind == Kind.SIGNED ? a : b;
        DType u = a.kind == Kind.SIGNED ? b : a; // only U8 is unsigned
        return s.byteSize > u.byteSize ? s : I32;
    }

    /** The type of a {@code double} scalar beside {@code tensor} under NumPy 2's weak-scalar rule (a Python float). */
    static DType promoteScalar(DType tensor, double scalar) {
        return tensor.isFloating() ? tensor : F64;
    }

    /** The type of a {@code long} scalar beside {@code tensor} under NumPy 2's weak-scalar rule (a Python int). */
    static DType promoteScalar(DType tensor, long scalar) {
        return tensor == BOOL ? I64 : tensor;
    }

    /** The type a floating-point function (exp, log, mean…) computes in: floats keep, others give F64. */
    static DType floating(DType t) {
        return t.isFloating() ? t : F64;
    }

    /** True for the 2-byte storage-only float types. */
    boolean isHalf() {
        return this == F16 || this == BF16;
    }

    /** The type CPU kernels compute in for values of this type: F32 for the half types, else itself. */
    DType kernelType() {
        return isHalf() ? F32 : this;
    }
}
