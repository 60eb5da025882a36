package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.proxima.tensor.DType.BOOL;
import static dev.proxima.tensor.DType.F32;
import static dev.proxima.tensor.DType.F64;
import static dev.proxima.tensor.DType.I32;
import static dev.proxima.tensor.DType.I64;
import static dev.proxima.tensor.DType.I8;
import static dev.proxima.tensor.DType.U8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Promotion rules and conversions, as documented on {@link DType}. */
@ExtendWith(AllocatorCheck.class)
class DTypeTest {

    @Test
    void sizesAndKinds() {
        assertEquals(4, F32.byteSize());
        assertEquals(8, F64.byteSize());
        assertEquals(4, I32.byteSize());
        assertEquals(8, I64.byteSize());
        assertEquals(1, I8.byteSize());
        assertEquals(1, U8.byteSize());
        assertEquals(1, BOOL.byteSize());
        for (DType t : DType.values()) {
            assertEquals(t.byteSize(), t.layout().byteSize());
        }
        assertTrue(F32.isFloating());
        assertFalse(I32.isFloating());
        assertTrue(U8.isInteger());
        assertFalse(BOOL.isInteger());
        assertFalse(F64.isInteger());
    }

    @Test
    void promotionTable() {
        // NumPy's result_type, with int16 replaced by I32
        DType[] order = {F32, F64, I32, I64, I8, U8, BOOL};
        DType[][] expected = {
                /*          F32  F64  I32  I64  I8   U8   BOOL */
                /* F32  */ {F32, F64, F64, F64, F32, F32, F32},
                /* F64  */ {F64, F64, F64, F64, F64, F64, F64},
                /* I32  */ {F64, F64, I32, I64, I32, I32, I32},
                /* I64  */ {F64, F64, I64, I64, I64, I64, I64},
                /* I8   */ {F32, F64, I32, I64, I8, I32, I8},
                /* U8   */ {F32, F64, I32, I64, I32, U8, U8},
                /* BOOL */ {F32, F64, I32, I64, I8, U8, BOOL},
        };
        for (int i = 0; i < order.length; i++) {
            for (int j = 0; j < order.length; j++) {
                assertEquals(expected[i][j], DType.promote(order[i], order[j]), order[i] + " with " + order[j]);
            }
        }
    }

    @Test
    void weakScalars() {
        assertEquals(F32, DType.promoteScalar(F32, 2.0));
        assertEquals(F32, DType.promoteScalar(F32, 2.5));
        assertEquals(I32, DType.promoteScalar(I32, 3));
        assertEquals(F64, DType.promoteScalar(I64, 2.5));
        assertEquals(F64, DType.promoteScalar(U8, Double.POSITIVE_INFINITY));
        assertEquals(F64, DType.promoteScalar(I32, Double.NaN));
        assertEquals(I64, DType.promoteScalar(BOOL, 1));
        assertEquals(F64, DType.promoteScalar(BOOL, 0.5));
        assertEquals(F64, DType.promoteScalar(I32, 2.0)); // a Python float: int array + 2.0 is float64
        try (Scope s = Scope.open()) {
            assertEquals(F64, Tensor.of(1L, 2L).add(2.5).dtype());
            assertArrayEquals(new double[]{3.5, 4.5}, Tensor.of(1L, 2L).add(2.5).toDoubleArray());
            assertEquals(F32, Tensor.of(1f, 2f).add(2.0).dtype());
            assertEquals(I32, Tensor.of(1, 2).mul(3).dtype());
        }
    }

    @Test
    void floatToIntegerTruncatesSaturatesAndMapsNanToZero() {
        try (Scope s = Scope.open()) {
            Tensor f = Tensor.of(3.7f, -3.7f, Float.NaN, 0.99f, -0.99f, 3e9f, -3e9f, Float.POSITIVE_INFINITY);
            assertArrayEquals(new int[]{3, -3, 0, 0, 0, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE},
                    f.cast(I32).toIntArray());
            assertArrayEquals(new long[]{3, -3, 0, 0, 0, 3_000_000_000L, -3_000_000_000L, Long.MAX_VALUE},
                    f.cast(I64).toLongArray());
            Tensor d = Tensor.of(300.0, -5.0, 255.9, Double.NaN, 127.5, -128.5, 1e300);
            assertArrayEquals(new long[]{255, 0, 255, 0, 127, 0, 255}, d.cast(U8).toLongArray());
            assertArrayEquals(new long[]{127, -5, 127, 0, 127, -128, 127}, d.cast(I8).toLongArray());
            assertEquals(3, Tensor.scalar(3.7, F32).cast(I32).item());
            assertEquals(-3, Tensor.scalar(-3.7, F32).cast(I32).item());
            assertEquals(255, Tensor.scalar(300.0, F64).cast(U8).item());
            // full() truncates the same way, but refuses a value outside the integer range (NumPy 2: OverflowError)
            assertThrows(ScalarOutOfRangeException.class, () -> Tensor.full(300, U8));
            assertThrows(ScalarOutOfRangeException.class, () -> Tensor.full(300.0, U8));
            assertThrows(ScalarOutOfRangeException.class, () -> Tensor.full(Double.NaN, I32));
            assertEquals(3, Tensor.full(3.99, I64).item());
            assertEquals(255, Tensor.full(255.9, U8).item());
        }
    }

    @Test
    void integerToNarrowerIntegerWraps() {
        try (Scope s = Scope.open()) {
            Tensor i = Tensor.of(300, -1, 256, 255, 128, -129);
            assertArrayEquals(new long[]{44, 255, 0, 255, 128, 127}, i.cast(U8).toLongArray());
            assertArrayEquals(new long[]{44, -1, 0, -1, -128, 127}, i.cast(I8).toLongArray());
            assertEquals(44, Tensor.scalar(300, I32).cast(U8).item());
            Tensor big = Tensor.of(1L << 32, (1L << 31) + 5, -1L);
            assertArrayEquals(new int[]{0, Integer.MIN_VALUE + 5, -1}, big.cast(I32).toIntArray());
            assertArrayEquals(new long[]{200, 255}, Tensor.of(200L, -1L).cast(U8).toLongArray());
            // U8 reads back unsigned
            assertArrayEquals(new long[]{200, 255}, Tensor.of(200L, -1L).cast(U8).cast(I32).toLongArray());
        }
    }

    @Test
    void anythingToBoolIsNonZero() {
        try (Scope s = Scope.open()) {
            assertArrayEquals(new boolean[]{false, false, true, true, true, true},
                    Tensor.of(0f, -0f, 0.1f, Float.NaN, Float.NEGATIVE_INFINITY, -2f).cast(BOOL).toBooleanArray());
            assertArrayEquals(new boolean[]{false, true, true}, Tensor.of(0, 2, -1).cast(BOOL).toBooleanArray());
            assertArrayEquals(new boolean[]{false, true}, Tensor.of(0L, 256L).cast(BOOL).toBooleanArray(),
                    "256 is non-zero although its low byte is 0");
            assertArrayEquals(new boolean[]{true, false}, Tensor.of(200L, 0L).cast(U8).cast(BOOL).toBooleanArray());
            assertArrayEquals(new double[]{1, 0, 1}, Tensor.of(true, false, true).cast(F64).toDoubleArray());
            assertArrayEquals(new long[]{1, 0}, Tensor.of(true, false).cast(I8).toLongArray());
        }
    }

    @Test
    void integerToFloatIsCorrectlyRounded() {
        try (Scope s = Scope.open()) {
            // 2^60 + 2^36 + 1 is just above the midpoint between two floats: it must round up. Going through
            // double first loses the +1 and the tie then rounds to even (down).
            long v = (1L << 60) + (1L << 36) + 1;
            assertEquals((double) (float) v, Tensor.of(v).cast(F32).getDouble(0));
            assertEquals((double) ((1L << 60) + (1L << 37)), Tensor.of(v).cast(F32).getDouble(0));
            assertEquals((float) v, Tensor.of(v).toFloatArray()[0]);
            assertEquals(16777216f, Tensor.of(16777217).cast(F32).getDouble(0));
            assertEquals(9007199254740992.0, Tensor.of(9007199254740993L).cast(F64).getDouble(0));
        }
    }
}
