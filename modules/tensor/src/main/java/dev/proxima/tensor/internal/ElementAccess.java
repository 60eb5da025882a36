package dev.proxima.tensor.internal;

import dev.proxima.tensor.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Reads and writes single elements of any dtype, with the conversion rules documented on {@link DType}. */
public final class ElementAccess {

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private ElementAccess() {
    }

    /** Element {@code i} as a double. */
    public static double getDouble(MemorySegment s, DType t, long i) {
        return switch (t) {
            case F32 -> s.getAtIndex(F32, i);
            case F64 -> s.getAtIndex(F64, i);
            case I32 -> s.getAtIndex(I32, i);
            case I64 -> s.getAtIndex(I64, i);
            case I8 -> s.getAtIndex(I8, i);
            case U8 -> s.getAtIndex(I8, i) & 0xFF;
            case BOOL -> s.getAtIndex(I8, i) != 0 ? 1 : 0;
            case F16 -> Float.float16ToFloat(s.getAtIndex(I16, i));
            case BF16 -> bf16ToFloat(s.getAtIndex(I16, i));
        };
    }

    /** Element {@code i} as a long (floats truncated and saturated, NaN as 0). */
    public static long getLong(MemorySegment s, DType t, long i) {
        return switch (t) {
            case F32 -> (long) s.getAtIndex(F32, i);
            case F64 -> (long) s.getAtIndex(F64, i);
            case I32 -> s.getAtIndex(I32, i);
            case I64 -> s.getAtIndex(I64, i);
            case I8 -> s.getAtIndex(I8, i);
            case U8 -> s.getAtIndex(I8, i) & 0xFF;
            case BOOL -> s.getAtIndex(I8, i) != 0 ? 1 : 0;
            case F16 -> (long) Float.float16ToFloat(s.getAtIndex(I16, i));
            case BF16 -> (long) bf16ToFloat(s.getAtIndex(I16, i));
        };
    }

    /** Stores a double into element {@code i}, converting as documented on {@link DType}. */
    public static void setDouble(MemorySegment s, DType t, long i, double v) {
        switch (t) {
            case F32 -> s.setAtIndex(F32, i, (float) v);
            case F64 -> s.setAtIndex(F64, i, v);
            case I32 -> s.setAtIndex(I32, i, (int) v);
            case I64 -> s.setAtIndex(I64, i, (long) v);
            case I8 -> s.setAtIndex(I8, i, (byte) Math.clamp((long) v, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case U8 -> s.setAtIndex(I8, i, (byte) Math.clamp((long) v, 0, 255));
            case BOOL -> s.setAtIndex(I8, i, (byte) (v != 0 ? 1 : 0));
            case F16 -> s.setAtIndex(I16, i, Float.floatToFloat16((float) v));
            case BF16 -> s.setAtIndex(I16, i, floatToBf16((float) v));
        }
    }

    /** Stores a long into element {@code i}; narrower integers wrap. */
    public static void setLong(MemorySegment s, DType t, long i, long v) {
        switch (t) {
            case F32 -> s.setAtIndex(F32, i, (float) v);
            case F64 -> s.setAtIndex(F64, i, (double) v);
            case I32 -> s.setAtIndex(I32, i, (int) v);
            case I64 -> s.setAtIndex(I64, i, v);
            case I8, U8 -> s.setAtIndex(I8, i, (byte) v);
            case BOOL -> s.setAtIndex(I8, i, (byte) (v != 0 ? 1 : 0));
            case F16 -> s.setAtIndex(I16, i, Float.floatToFloat16((float) v));
            case BF16 -> s.setAtIndex(I16, i, floatToBf16((float) v));
        }
    }

    /** The float whose top 16 bits are {@code bits}. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** The bfloat16 nearest to {@code f}, ties to even; NaN stays a (quiet) NaN of the same sign. */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }
}
