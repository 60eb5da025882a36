package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.proxima.tensor.DType.BF16;
import static dev.proxima.tensor.DType.BOOL;
import static dev.proxima.tensor.DType.F16;
import static dev.proxima.tensor.DType.F32;
import static dev.proxima.tensor.DType.F64;
import static dev.proxima.tensor.DType.I32;
import static dev.proxima.tensor.DType.I64;
import static dev.proxima.tensor.DType.I8;
import static dev.proxima.tensor.DType.U8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Java scalars as NumPy 2's weak Python scalars (NEP 50), case by case from issue 16: {@code long} and
 * {@code double} overloads, out-of-range integer scalars, exact comparisons, scalars rounded once to F16/BF16, and
 * the {@link Into} and creation forms. {@link TensorScalarFixtureTest} covers the full dtype × limit × op table.
 */
@ExtendWith(NoLeaks.class)
class TensorScalarTest {

    private static Tensor u8(long... values) {
        return Tensor.fromArray(values).cast(U8);
    }

    @Test
    void outOfRangeIntegerScalarsThrowNamingScalarAndDtype() {
        try (Scope s = Scope.open()) {
            Tensor x = u8(1, 7, 255);
            ScalarOutOfRangeException e = assertThrows(ScalarOutOfRangeException.class, () -> x.add(300));
            assertTrue(e.getMessage().contains("300") && e.getMessage().contains("U8") && e.getMessage().contains("[0, 255]"),
                    e.getMessage());
            assertTrue(e.getMessage().startsWith("add:"), e.getMessage());
            assertThrows(ScalarOutOfRangeException.class, () -> x.add(-1));
            assertThrows(ScalarOutOfRangeException.class, () -> x.maximum(300));
            assertThrows(ScalarOutOfRangeException.class, () -> x.minimum(-1));
            assertThrows(ScalarOutOfRangeException.class, () -> x.pow(256));
            assertThrows(ScalarOutOfRangeException.class, () -> Tensor.fromArray(new long[]{100}).cast(I8).add(200));
            assertThrows(ScalarOutOfRangeException.class, () -> Tensor.of(1, 2).add(3_000_000_000L));
            assertThrows(ScalarOutOfRangeException.class, () -> Tensor.of(1, 2).mul(Long.MIN_VALUE));
            // the check comes before any allocation: nothing but the operands is left
            long before = Memory.allocatedBytes();
            assertThrows(ScalarOutOfRangeException.class, () -> x.sub(256));
            assertEquals(before, Memory.allocatedBytes());
        }
    }

    @Test
    void inRangeScalarsKeepTheIntegerDtypeAndWrap() {
        try (Scope s = Scope.open()) {
            Tensor i8 = Tensor.fromArray(new long[]{100, -100, 1}).cast(I8);
            Tensor sum = i8.add(100);
            assertEquals(I8, sum.dtype());
            assertArrayEquals(new long[]{-56, 0, 101}, sum.toLongArray());
            assertArrayEquals(new long[]{0, 1, 255}, u8(1, 2, 0).add(255).toLongArray(), "U8 1 + 255 wraps to 0");
            Tensor big = Tensor.of(Integer.MAX_VALUE).add(1);
            assertEquals(I32, big.dtype());
            assertEquals(Integer.MIN_VALUE, big.item());
            assertArrayEquals(new long[]{-128}, Tensor.fromArray(new long[]{2}).cast(I8).pow(7).toLongArray());
            assertEquals(U8, u8(3).maximum(255).dtype());
            assertEquals(255, u8(3).maximum(255).item());
        }
    }

    @Test
    void javaTellsTwoFromTwoPointZero() {
        try (Scope s = Scope.open()) {
            Tensor i32 = Tensor.of(1, 2);
            assertEquals(I32, i32.add(2).dtype());
            assertEquals(F64, i32.add(2.0).dtype(), "int array + Python float is float64");
            assertArrayEquals(new double[]{3, 4}, i32.add(2.0).toDoubleArray());
            assertEquals(F64, Tensor.of(Integer.MAX_VALUE).add(1.0).dtype());
            assertEquals(0x1p31, Tensor.of(Integer.MAX_VALUE).add(1.0).item(), "computed in F64, no wrap");
            assertEquals(F64, i32.div(2).dtype());
            assertArrayEquals(new double[]{1 / 3e9, 2 / 3e9}, i32.div(3_000_000_000L).toDoubleArray(), "true division never overflows");
            assertEquals(F32, Tensor.of(1f, 2f).add(2).dtype());
            assertEquals(F32, Tensor.of(1f, 2f).add(2.0).dtype());
            Tensor flags = Tensor.of(1, 0).cast(BOOL);
            assertEquals(I64, flags.add(1).dtype(), "bool + Python int is the default int");
            assertArrayEquals(new long[]{2, 1}, flags.add(1).toLongArray());
            assertEquals(F64, flags.add(1.0).dtype());
        }
    }

    @Test
    void comparisonsAreExact() {
        try (Scope s = Scope.open()) {
            Tensor u = u8(0, 255);
            assertArrayEquals(new long[]{0, 0}, u.eq(256).toLongArray());
            assertArrayEquals(new long[]{1, 1}, u.lt(300).toLongArray());
            assertArrayEquals(new long[]{1, 1}, u.gt(-1).toLongArray());
            assertArrayEquals(new long[]{1, 1}, u.ne(-1).toLongArray());
            assertArrayEquals(new long[]{0, 1}, u.ge(255).toLongArray());
            assertArrayEquals(new long[]{0, 0}, Tensor.of(Integer.MAX_VALUE, 0).eq(3e9).toLongArray());
            assertArrayEquals(new long[]{1, 1}, Tensor.of(Integer.MAX_VALUE, 0).lt(3e9).toLongArray());
            Tensor i64 = Tensor.of(Long.MAX_VALUE, Long.MIN_VALUE);
            assertArrayEquals(new long[]{0, 0}, i64.eq(0x1p63).toLongArray(), "2^63 - 1 is not 2^63");
            assertArrayEquals(new long[]{1, 1}, i64.lt(0x1p63).toLongArray());
            assertArrayEquals(new long[]{0, 1}, i64.eq(-0x1p63).toLongArray());
            long odd = (1L << 53) + 1; // not a double
            assertArrayEquals(new long[]{0, 1}, Tensor.of(1L << 53, odd).eq(odd).toLongArray());
            assertArrayEquals(new long[]{1, 0}, Tensor.of(1L << 53, odd).lt(odd).toLongArray());
            // fractional scalars: x < 2.5 is x <= 2, x > 2.5 is x >= 3; never equal
            Tensor i = Tensor.of(1, 2, 3);
            assertArrayEquals(new long[]{1, 1, 0}, i.lt(2.5).toLongArray());
            assertArrayEquals(new long[]{1, 1, 0}, i.le(2.5).toLongArray());
            assertArrayEquals(new long[]{0, 0, 1}, i.gt(2.5).toLongArray());
            assertArrayEquals(new long[]{0, 0, 1}, i.ge(2.5).toLongArray());
            assertArrayEquals(new long[]{0, 0, 0}, i.eq(2.5).toLongArray());
            assertArrayEquals(new long[]{1, 1, 1}, i.gt(-2.5).toLongArray());
            // NaN compares unequal to everything
            assertArrayEquals(new long[]{0, 0, 0}, i.eq(Double.NaN).toLongArray());
            assertArrayEquals(new long[]{1, 1, 1}, i.ne(Double.NaN).toLongArray());
            assertArrayEquals(new long[]{0, 0, 0}, i.ge(Double.NaN).toLongArray());
            assertArrayEquals(new long[]{1, 1, 1}, i.lt(Double.POSITIVE_INFINITY).toLongArray());
            assertEquals(BOOL, i.lt(Double.POSITIVE_INFINITY).dtype());
            assertArrayEquals(new long[]{3}, i.lt(2.5).shape());
        }
    }

    @Test
    void halfScalarsAreRoundedOnceFirst() {
        try (Scope s = Scope.open()) {
            assertArrayEquals(new long[]{1, 1}, Tensor.full(0.1, F16, 2).eq(0.1).toLongArray());
            assertArrayEquals(new long[]{1, 1}, Tensor.full(0.1, BF16, 2).eq(0.1).toLongArray());
            // 2^-11 + 2^-23 rounds to 2^-11 in F16; 1 + 2^-11 is a tie and goes to even: 1
            assertEquals(1.0, Tensor.ones(F16, 1).add(0x1p-11 + 0x1p-23).item());
            assertEquals(1.0, Tensor.ones(BF16, 1).add(0x1p-8 + 0x1p-20).item());
            // a double that two roundings (to F32, then to F16) would turn into a tie: rounded once it is above it
            assertEquals(1 + 0x1p-10, Tensor.full(1 + 0x1p-11 + 0x1p-40, F16, 1).item());
            assertEquals(1 + 0x1p-10, Tensor.zeros(F16, 1).add(1 + 0x1p-11 + 0x1p-40).item());
            // a long: 2^62 + 2^54 + 1 is above the BF16 tie 2^62 + 2^54 (a double would hold only the tie)
            long justAboveTie = (1L << 62) + (1L << 54) + 1;
            assertEquals(0x1p62 + 0x1p55, Tensor.full(justAboveTie, BF16, 1).item());
            assertEquals(0x1p62 + 0x1p55, Tensor.zeros(BF16, 1).add(justAboveTie).item());
            // F32 with a long rounds once, as Java's (float) does (NumPy goes through float64 and gives 2^62 here)
            assertEquals(0x1p62 + 0x1p39, Tensor.zeros(F32, 1).add((1L << 62) + (1L << 38) + 1).item());
            assertEquals(Double.POSITIVE_INFINITY, Tensor.ones(F16, 1).add(100_000).item(), "beyond F16's range");
            assertEquals(F16, Tensor.ones(F16, 1).add(100_000).dtype());
            // the strided path rounds the same way
            Tensor strided = Tensor.full(0.1, F16, 4).slice(0, 0, 4, 2);
            assertArrayEquals(new long[]{1, 1}, strided.eq(0.1).toLongArray());
        }
    }

    @Test
    void clampWithLongBoundsKeepsIntegersAsNumpyClip() {
        try (Scope s = Scope.open()) {
            Tensor u = u8(0, 100, 255);
            Tensor same = u.clamp(-5, 300);
            assertEquals(U8, same.dtype());
            assertArrayEquals(new long[]{0, 100, 255}, same.toLongArray());
            assertArrayEquals(new long[]{10, 100, 200}, u.clamp(10, 200).toLongArray());
            assertThrows(ScalarOutOfRangeException.class, () -> u.clamp(300, 400));
            assertThrows(ScalarOutOfRangeException.class, () -> u.clamp(-5, -1));
            assertEquals(I32, Tensor.of(1, 5).clamp(0, 3).dtype());
            assertEquals(F64, Tensor.of(1, 5).clamp(0.0, 3.0).dtype());
            assertArrayEquals(new long[]{3, 3}, Tensor.of(1, 5).clamp(4, 3).toLongArray(), "min > max gives max");
            assertEquals(I64, Tensor.of(1, 0).cast(BOOL).clamp(0, 1).dtype());
            assertArrayEquals(new float[]{0.5f, 2f}, Tensor.of(0.5f, 7f).clamp(0, 2).toFloatArray());
        }
    }

    @Test
    void creationAndFillCheckTheRange() {
        try (Scope s = Scope.open()) {
            assertThrows(ScalarOutOfRangeException.class, () -> Tensor.full(256, U8, 2));
            assertThrows(ScalarOutOfRangeException.class, () -> Tensor.full(-1, U8, 2));
            assertThrows(ScalarOutOfRangeException.class, () -> Tensor.full(2_147_483_648L, I32, 2));
            assertThrows(ScalarOutOfRangeException.class, () -> Tensor.full(Double.POSITIVE_INFINITY, I64, 2));
            assertThrows(ScalarOutOfRangeException.class, () -> Tensor.full(0x1p63, I64, 2));
            assertThrows(ScalarOutOfRangeException.class, () -> Tensor.scalar(128, I8));
            assertEquals(-128, Tensor.scalar(-128, I8).item());
            assertEquals(Long.MIN_VALUE, Tensor.full(-0x1p63, I64, 1).toLongArray()[0]);
            assertArrayEquals(new long[]{Long.MAX_VALUE, Long.MAX_VALUE}, Tensor.full(Long.MAX_VALUE, I64, 2).toLongArray());
            assertArrayEquals(new long[]{(1L << 53) + 1}, Tensor.scalar((1L << 53) + 1, I64).reshape(1).toLongArray());
            assertEquals(1.0, Tensor.full(5, BOOL, 1).item(), "any non-zero value is true");
            Tensor out = Tensor.zeros(U8, 3);
            assertThrows(ScalarOutOfRangeException.class, () -> Into.fill(out, 256));
            assertThrows(ScalarOutOfRangeException.class, () -> Into.fill(out, -1.0));
            assertThrows(ScalarOutOfRangeException.class, () -> Into.fill(out, Double.NaN));
            assertArrayEquals(new long[]{255, 255, 255}, Into.fill(out, 255).toLongArray());
            Tensor wide = Tensor.zeros(I64, 2);
            assertArrayEquals(new long[]{Long.MAX_VALUE - 1, Long.MAX_VALUE - 1}, Into.fill(wide, Long.MAX_VALUE - 1).toLongArray());
            Tensor half = Tensor.zeros(F16, 2);
            assertArrayEquals(new long[]{1, 1}, Into.fill(half, 0.1).eq(0.1).toLongArray());
            // a constant pad puts its value into the tensor the same way
            assertThrows(ScalarOutOfRangeException.class, () -> u8(1, 2).pad(new long[]{1, 1}, PadMode.CONSTANT, 256));
            assertArrayEquals(new long[]{255, 1, 2, 255}, u8(1, 2).pad(new long[]{1, 1}, PadMode.CONSTANT, 255).toLongArray());
            assertEquals(1 + 0x1p-10, Tensor.ones(F16, 1).pad(new long[]{1, 0}, PadMode.CONSTANT, 1 + 0x1p-11 + 0x1p-40).getDouble(0));
        }
    }

    @Test
    void intoScalarFormsFollowTheSameRules() {
        try (Scope s = Scope.open()) {
            Tensor u = u8(1, 255);
            Tensor out = Tensor.zeros(U8, 2);
            assertThrows(ScalarOutOfRangeException.class, () -> Into.add(u, 300, out));
            assertArrayEquals(new long[]{4, 2}, Into.add(u, 3, out).toLongArray(), "U8 + 3 stays U8 and wraps");
            assertArrayEquals(new long[]{2, 254}, Into.mul(u, 2, out).toLongArray());
            assertThrows(DTypeMismatchException.class, () -> Into.mul(u, 2.0, out), "U8 · 2.0 is F64");
            Tensor f64 = Tensor.zeros(F64, 2);
            assertArrayEquals(new double[]{2, 510}, Into.mul(u, 2.0, f64).toDoubleArray());
            Tensor i64 = Tensor.of(1L, 2L);
            long odd = (1L << 53) + 1;
            Tensor exact = Tensor.zeros(I64, 2);
            assertArrayEquals(new long[]{odd + 1, odd + 2}, Into.add(i64, odd, exact).toLongArray());
            assertThrows(ScalarOutOfRangeException.class, () -> Into.mulAdd(u, 256, Tensor.zeros(F64, 2), Tensor.zeros(F64, 2)));
            assertArrayEquals(new double[]{3, 511}, Into.mulAdd(u, 2, Tensor.ones(F64, 2), Tensor.zeros(F64, 2)).toDoubleArray());
            Tensor h = Tensor.ones(F16, 1);
            assertEquals(1.0, Into.add(h, 0x1p-11 + 0x1p-23, Tensor.zeros(F16, 1)).item(), "the scalar rounded to F16 first");
        }
    }
}
