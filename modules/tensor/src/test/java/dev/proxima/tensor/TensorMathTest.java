package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Elementwise math by hand: error messages, integer semantics, NaN, fused multiply-add, where, allClose. */
@ExtendWith(AllocatorCheck.class)
class TensorMathTest {

    static <T extends Throwable> T throwsWith(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(f),
                    () -> "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
        return e;
    }

    @Test
    void shapeMismatchNamesBothShapes() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.zeros(DType.F32, 2, 3);
            Tensor b = Tensor.zeros(DType.F32, 4);
            throwsWith(ShapeMismatchException.class, () -> a.add(b), "add", "[2, 3]", "[4]", "3 vs 4");
            throwsWith(ShapeMismatchException.class, () -> b.mul(a), "mul", "[4]", "[2, 3]");
            throwsWith(ShapeMismatchException.class, () -> a.lt(b), "lt", "[2, 3]", "[4]");
            throwsWith(ShapeMismatchException.class, () -> a.mulAdd(a, b), "mulAdd", "[2, 3]", "[4]");
            throwsWith(ShapeMismatchException.class, () -> Tensor.where(b, a, a), "where", "[4]", "[2, 3]");
            Tensor c = Tensor.zeros(DType.F32, 3, 1, 5);
            throwsWith(ShapeMismatchException.class, () -> c.sub(Tensor.zeros(DType.F32, 2, 4)), "[3, 1, 5]", "[2, 4]",
                    "dimension 2", "5 vs 4");
            // (3, 1, 5) with (2, 1) is fine: (3, 2, 5)
            assertArrayEquals(new long[]{3, 2, 5}, c.sub(Tensor.zeros(DType.F32, 2, 1)).shape());
        }
    }

    @Test
    void matmulErrors() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.zeros(DType.F64, 2, 3);
            throwsWith(ShapeMismatchException.class, () -> a.matmul(Tensor.zeros(DType.F64, 4, 2)), "matmul",
                    "[2, 3]", "[4, 2]", "3 vs 4");
            throwsWith(ShapeMismatchException.class, () -> a.matmul(Tensor.zeros(DType.F64, 2)), "[2, 3]", "[2]");
            throwsWith(ShapeMismatchException.class,
                    () -> Tensor.zeros(DType.F64, 2, 2, 3).matmul(Tensor.zeros(DType.F64, 3, 3, 4)), "batch", "[2]", "[3]");
            throwsWith(ShapeMismatchException.class, () -> a.matmul(Tensor.scalar(1, DType.F64)), "at least one dimension");
            throwsWith(DTypeMismatchException.class, () -> Tensor.of(1, 2).matmul(Tensor.of(3, 4)), "I32", "cast first");
            throwsWith(DTypeMismatchException.class, () -> a.matmul(Tensor.zeros(DType.I64, 3, 2)), "F64", "I64");
            throwsWith(DTypeMismatchException.class, () -> Tensor.of(true).matmul(Tensor.of(true)), "BOOL");
        }
    }

    @Test
    void boolArithmeticIsRejected() {
        try (Scope s = Scope.open()) {
            Tensor t = Tensor.of(true, false);
            Tensor u = Tensor.of(true, true);
            throwsWith(DTypeMismatchException.class, () -> t.add(u), "add", "BOOL");
            throwsWith(DTypeMismatchException.class, () -> t.sub(u), "sub", "BOOL");
            throwsWith(DTypeMismatchException.class, () -> t.mul(u), "mul", "BOOL");
            throwsWith(DTypeMismatchException.class, () -> t.pow(u), "pow", "BOOL");
            throwsWith(DTypeMismatchException.class, t::neg, "neg", "BOOL");
            throwsWith(DTypeMismatchException.class, t::abs, "BOOL");
            throwsWith(DTypeMismatchException.class, t::sign, "BOOL");
            throwsWith(DTypeMismatchException.class, t::square, "BOOL");
            // what is defined: logical ops, comparisons, true division, BOOL with a number
            assertArrayEquals(new boolean[]{true, false}, t.logicalAnd(u).toBooleanArray());
            assertArrayEquals(new boolean[]{false, true}, t.logicalXor(u).toBooleanArray());
            assertArrayEquals(new boolean[]{false, true}, t.logicalNot().toBooleanArray());
            assertArrayEquals(new boolean[]{true, false}, t.eq(u).toBooleanArray());
            Tensor q = t.div(u);
            assertEquals(DType.F64, q.dtype());
            assertArrayEquals(new double[]{1, 0}, q.toDoubleArray());
            Tensor plusInt = t.add(Tensor.of(5, 5));
            assertEquals(DType.I32, plusInt.dtype());
            assertArrayEquals(new int[]{6, 5}, plusInt.toIntArray());
            assertEquals(DType.I64, t.add(1).dtype());
            assertArrayEquals(new boolean[]{true, true}, t.maximum(u).toBooleanArray());
        }
    }

    @Test
    void int32OverflowWraps() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(Integer.MAX_VALUE, Integer.MIN_VALUE, 65536, 46341, -7);
            Tensor b = Tensor.of(1, -1, 65536, 46341, 3);
            assertEquals(DType.I32, a.add(b).dtype());
            assertArrayEquals(new int[]{Integer.MIN_VALUE, Integer.MAX_VALUE, 131072, 92682, -4}, a.add(b).toIntArray());
            assertArrayEquals(new int[]{Integer.MAX_VALUE, Integer.MIN_VALUE, 0, 46341 * 46341, -21}, a.mul(b).toIntArray());
            assertArrayEquals(new int[]{Integer.MAX_VALUE - 1, Integer.MIN_VALUE + 1, 0, 0, -10}, a.sub(b).toIntArray());
            assertArrayEquals(new int[]{Integer.MIN_VALUE, Integer.MIN_VALUE + 1, 65537, 46342, -6}, a.add(1).toIntArray());
            assertArrayEquals(new int[]{1, 0, 0, 46341 * 46341, 49}, a.square().toIntArray());
            assertArrayEquals(new int[]{-Integer.MAX_VALUE, Integer.MIN_VALUE, -65536, -46341, 7}, a.neg().toIntArray());
            Tensor l = Tensor.of(Long.MAX_VALUE, 3L);
            assertArrayEquals(new long[]{Long.MIN_VALUE, 4}, l.add(1).toLongArray());
            assertArrayEquals(new long[]{44, 2}, Tensor.of(150, 1).cast(DType.U8).add(Tensor.of(150, 1).cast(DType.U8)).toLongArray());
        }
    }

    @Test
    void integerSumsAccumulateInI64() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
            Tensor sum = a.sum();
            assertEquals(DType.I64, sum.dtype());
            assertEquals(3L * Integer.MAX_VALUE, sum.getLong());
            assertEquals(DType.I64, Tensor.of(1L << 20, 1L << 20, 1L << 20).cast(DType.I32).prod().dtype());
            assertEquals(1L << 60, Tensor.of(1L << 20, 1L << 20, 1L << 20).cast(DType.I32).prod().getLong());
            Tensor bytes = Tensor.of(200L, 200L, 200L).cast(DType.U8);
            assertEquals(DType.I64, bytes.sum().dtype());
            assertEquals(600, bytes.sum().getLong());
            assertEquals(DType.I64, Tensor.of(true, true, false).sum().dtype());
            assertEquals(2, Tensor.of(true, true, false).sum().getLong());
            assertEquals(DType.I32, a.max().dtype());
            assertEquals(DType.F64, a.mean().dtype());
            assertEquals(Integer.MAX_VALUE, a.mean().item());
        }
    }

    @Test
    void integerPowWithNegativeExponentThrows() {
        try (Tensor base = Tensor.of(2, 3, 4); Tensor exp = Tensor.of(2, -1, 0)) {
            // outside any scope: a failing kernel must not leak its output (AllocatorCheck)
            throwsWith(IllegalArgumentException.class, () -> base.pow(exp), "negative integer power");
            throwsWith(IllegalArgumentException.class, () -> base.pow(-2), "negative integer power", "-2");
            try (Tensor e = Tensor.of(3, 0, 1); Tensor ok = base.pow(e)) {
                assertArrayEquals(new int[]{8, 1, 4}, ok.toIntArray());
            }
            // a fractional or floating exponent promotes to F64 and is fine
            try (Tensor f = base.pow(-1.5)) {
                assertEquals(DType.F64, f.dtype());
                assertEquals(Math.pow(2, -1.5), f.getDouble(0), 1e-15);
            }
        }
    }

    @Test
    void integerPowErrorFromAWorkerThread() {
        int n = 200_000; // large enough to be split over the worker threads
        int[] e = new int[n];
        java.util.Arrays.fill(e, 1);
        e[n - 1] = -1;
        try (Tensor base = Tensor.full(2, DType.I32, n); Tensor exp = Tensor.of(e)) {
            throwsWith(IllegalArgumentException.class, () -> base.pow(exp), "negative integer power");
        }
    }

    @Test
    void nanPropagation() {
        try (Scope s = Scope.open()) {
            for (DType t : new DType[]{DType.F32, DType.F64}) {
                // 19 elements: vector loops and scalar tails both see a NaN
                double[] x = new double[19];
                double[] y = new double[19];
                for (int i = 0; i < 19; i++) {
                    x[i] = i;
                    y[i] = 9 - i;
                }
                x[2] = Double.NaN;
                y[5] = Double.NaN;
                x[17] = Double.NaN;
                Tensor a = Tensor.of(x).cast(t);
                Tensor b = Tensor.of(y).cast(t);
                double[] max = a.maximum(b).toDoubleArray();
                double[] min = a.minimum(b).toDoubleArray();
                double[] maxStrided = a.slice(0, 0, 19, 1).unsqueeze(1).broadcastTo(19, 2).maximum(
                        b.unsqueeze(1).broadcastTo(19, 2)).select(1, 1).toDoubleArray();
                for (int i = 0; i < 19; i++) {
                    boolean nan = Double.isNaN(x[i]) || Double.isNaN(y[i]);
                    assertEquals(nan, Double.isNaN(max[i]), t + " maximum " + i);
                    assertEquals(nan, Double.isNaN(min[i]), t + " minimum " + i);
                    assertEquals(nan, Double.isNaN(maxStrided[i]), t + " strided maximum " + i);
                    if (!nan) {
                        assertEquals(Math.max(x[i], y[i]), max[i]);
                        assertEquals(Math.min(x[i], y[i]), min[i]);
                    }
                }
                assertTrue(Double.isNaN(a.max().item()), t + " max");
                assertTrue(Double.isNaN(a.min().item()), t + " min");
                assertEquals(2, a.argmax().getLong(), t + " argmax: the first NaN");
                assertEquals(2, a.argmin().getLong(), t + " argmin: the first NaN");
                assertTrue(Double.isNaN(a.maximum(1.0).getDouble(2)));
                assertArrayEquals(new boolean[]{false, false, false}, a.slice(0, 1, 4, 1).lt(Double.NaN).toBooleanArray());
                assertArrayEquals(new boolean[]{true, true, true}, a.slice(0, 1, 4, 1).ne(Double.NaN).toBooleanArray());
                assertFalse(a.eq(a).toBooleanArray()[2], "NaN != NaN");
            }
        }
    }

    @Test
    void divisionByZero() {
        try (Scope s = Scope.open()) {
            Tensor q = Tensor.of(1, 0, -1).div(Tensor.of(0, 0, 0));
            assertEquals(DType.F64, q.dtype());
            double[] v = q.toDoubleArray();
            assertEquals(Double.POSITIVE_INFINITY, v[0]);
            assertTrue(Double.isNaN(v[1]));
            assertEquals(Double.NEGATIVE_INFINITY, v[2]);
            assertEquals(Float.POSITIVE_INFINITY, Tensor.of(1f).div(0).toFloatArray()[0]);
            assertEquals(Double.POSITIVE_INFINITY, Tensor.of(0.0).reciprocal().item());
        }
    }

    @Test
    void mulAddRoundsOnce() {
        try (Scope s = Scope.open()) {
            double e = Math.scalb(1.0, -30);
            // (1 + e)(1 − e) − 1 = −e²: a separate multiply rounds the product to 1 and gives 0
            int n = 21; // vector body and scalar tail
            double[] a = new double[n];
            double[] b = new double[n];
            double[] c = new double[n];
            java.util.Arrays.fill(a, 1 + e);
            java.util.Arrays.fill(b, 1 - e);
            java.util.Arrays.fill(c, -1);
            double[] r = Tensor.of(a).mulAdd(Tensor.of(b), Tensor.of(c)).toDoubleArray();
            for (double x : r) {
                assertEquals(-e * e, x);
            }
            assertEquals(0.0, Tensor.of(a).mul(Tensor.of(b)).sub(1).getDouble(0), "unfused");
            float ef = Math.scalb(1f, -13);
            Tensor fa = Tensor.full(1 + ef, DType.F32, 19);
            Tensor fr = fa.mulAdd(Tensor.full(1 - ef, DType.F32, 19), Tensor.scalar(-1, DType.F32));
            assertEquals(DType.F32, fr.dtype());
            for (float x : fr.toFloatArray()) {
                assertEquals(-ef * ef, x);
            }
            // broadcast and integer operands
            Tensor m = Tensor.of(1, 2).mulAdd(Tensor.of(3, 4).unsqueeze(1), Tensor.scalar(0.5, DType.F64));
            assertEquals(DType.F64, m.dtype());
            assertArrayEquals(new double[]{3.5, 6.5, 4.5, 8.5}, m.toDoubleArray());
        }
    }

    @Test
    void whereChoosesAndPromotes() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(-2.0, 3.0, Double.NaN, 0.0);
            Tensor relu = Tensor.where(x.gt(0), x, Tensor.scalar(0, DType.F64));
            assertArrayEquals(new double[]{0, 3, 0, 0}, relu.toDoubleArray());
            Tensor w = Tensor.where(Tensor.of(1f, Float.NaN, 0f), Tensor.of(1, 2, 3), Tensor.of(-1L));
            assertEquals(DType.I64, w.dtype());
            assertArrayEquals(new long[]{1, 2, -1}, w.toLongArray(), "NaN counts as true");
            Tensor grid = Tensor.where(Tensor.of(true, false).unsqueeze(1), Tensor.of(1f, 2f, 3f), Tensor.of(7, 8, 9));
            assertArrayEquals(new long[]{2, 3}, grid.shape());
            assertEquals(DType.F64, grid.dtype());
            assertArrayEquals(new double[]{1, 2, 3, 7, 8, 9}, grid.toDoubleArray());
        }
    }

    @Test
    void comparisonsAndLogicalOpsGiveBool() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(1, 2, 3);
            Tensor b = Tensor.of(3.0, 2.0, 1.0);
            assertEquals(DType.BOOL, a.lt(b).dtype());
            assertArrayEquals(new boolean[]{true, false, false}, a.lt(b).toBooleanArray());
            assertArrayEquals(new boolean[]{true, true, false}, a.le(b).toBooleanArray());
            assertArrayEquals(new boolean[]{false, false, true}, a.gt(b).toBooleanArray());
            assertArrayEquals(new boolean[]{false, true, true}, a.ge(b).toBooleanArray());
            assertArrayEquals(new boolean[]{false, true, false}, a.eq(b).toBooleanArray());
            assertArrayEquals(new boolean[]{true, false, true}, a.ne(2).toBooleanArray());
            Tensor z = Tensor.of(0, 5, 0);
            assertEquals(DType.BOOL, a.logicalAnd(z).dtype());
            assertArrayEquals(new boolean[]{false, true, false}, a.logicalAnd(z).toBooleanArray());
            assertArrayEquals(new boolean[]{true, true, true}, a.logicalOr(z).toBooleanArray());
            assertArrayEquals(new boolean[]{true, false, true}, z.logicalNot().toBooleanArray());
            // U8 compares as unsigned
            Tensor u = Tensor.of(200L, 5L).cast(DType.U8);
            assertArrayEquals(new boolean[]{true, false}, u.gt(Tensor.of(100L, 100L).cast(DType.I8)).toBooleanArray());
        }
    }

    @Test
    void allClose() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(1.0, 2.0, 3.0);
            assertTrue(a.allClose(Tensor.of(1.0, 2.0, 3.0 + 1e-9), 1e-8, 0));
            assertFalse(a.allClose(Tensor.of(1.0, 2.0, 3.1), 1e-8, 0));
            assertTrue(a.allClose(Tensor.of(1.0, 2.0, 3.1), 0, 0.11));
            assertFalse(a.allClose(Tensor.of(1.0, 2.0), 1, 1), "shapes differ");
            assertFalse(a.allClose(a.reshape(3, 1), 1, 1), "no broadcasting");
            assertFalse(Tensor.of(Double.NaN).allClose(Tensor.of(Double.NaN), 1, 1), "NaN never matches");
            assertTrue(Tensor.of(1, 2, 3).allClose(a, 0, 0), "across dtypes");
        }
    }

    @Test
    void unaryOnIntegersKeepsOrPromotesTheType() {
        try (Scope s = Scope.open()) {
            Tensor i = Tensor.of(-4, 0, 9);
            assertEquals(DType.I32, i.abs().dtype());
            assertArrayEquals(new int[]{4, 0, 9}, i.abs().toIntArray());
            assertArrayEquals(new int[]{-1, 0, 1}, i.sign().toIntArray());
            assertEquals(DType.F64, i.sqrt().dtype());
            assertEquals(3.0, i.sqrt().getDouble(2));
            assertTrue(Double.isNaN(i.sqrt().getDouble(0)));
            assertEquals(DType.F64, i.exp().dtype());
            assertEquals(DType.F64, i.sigmoid().dtype());
            assertEquals(0.5, i.sigmoid().getDouble(1));
            assertEquals(DType.F64, i.reciprocal().dtype());
            assertEquals(-0.25, i.reciprocal().getDouble(0));
            assertEquals(DType.F32, Tensor.of(1f).exp().dtype());
        }
    }
}
