package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.proxima.tensor.TensorMathTest.throwsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Factories, conversions to Java arrays and toString. */
@ExtendWith(AllocatorCheck.class)
class TensorFactoriesTest {

    @Test
    void fullZerosOnesScalar() {
        try (Scope s = Scope.open()) {
            Tensor f = Tensor.full(2.5, DType.F32, 2, 3);
            assertEquals(DType.F32, f.dtype());
            assertArrayEquals(new long[]{2, 3}, f.shape());
            assertArrayEquals(new float[]{2.5f, 2.5f, 2.5f, 2.5f, 2.5f, 2.5f}, f.toFloatArray());
            assertArrayEquals(new long[]{0, 0, 0, 0}, Tensor.zeros(DType.I64, 4).toLongArray());
            assertArrayEquals(new boolean[]{true, true}, Tensor.ones(DType.BOOL, 2).toBooleanArray());
            assertArrayEquals(new long[]{1, 1, 1}, Tensor.ones(DType.U8, 3).toLongArray());
            Tensor sc = Tensor.scalar(-7, DType.I8);
            assertEquals(0, sc.rank());
            assertEquals(-7, sc.item());
            assertEquals(Device.CPU, sc.device());
            throwsWith(IllegalArgumentException.class, () -> Tensor.zeros(DType.F32, 2, -1), "dimensions must be >= 0", "[2, -1]");
            throwsWith(IllegalArgumentException.class, () -> Tensor.zeros(DType.F32, 1L << 40, 1L << 40), "more than 2^63");
        }
    }

    @Test
    void negativeZeroIsKept() {
        try (Scope s = Scope.open()) {
            for (DType t : new DType[]{DType.F32, DType.F64}) {
                double v = Tensor.full(-0.0, t, 3).getDouble(1);
                assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(v), t + ": full(-0.0) lost the sign");
            }
            assertEquals(0, Tensor.full(-0.0, DType.I32, 3).getLong(2));
        }
    }

    @Test
    void eyeAndRanges() {
        try (Scope s = Scope.open()) {
            assertArrayEquals(new double[]{1, 0, 0, 0, 1, 0, 0, 0, 1}, Tensor.eye(3, DType.F64).toDoubleArray());
            assertArrayEquals(new int[]{1, 0, 0, 1}, Tensor.eye(2, DType.I32).toIntArray());
            assertEquals(0, Tensor.eye(0, DType.F32).size());
            Tensor r = Tensor.arange(5);
            assertEquals(DType.I64, r.dtype());
            assertArrayEquals(new long[]{0, 1, 2, 3, 4}, r.toLongArray());
            assertArrayEquals(new double[]{0, 0.3, 0.6, 0.9}, Tensor.arange(0, 1, 0.3, DType.F64).toDoubleArray(), 1e-15);
            assertArrayEquals(new int[]{5, 3, 1}, Tensor.arange(5, 0, -2, DType.I32).toIntArray());
            assertEquals(0, Tensor.arange(1, 1, 1, DType.F32).size());
            assertEquals(0, Tensor.arange(0, 5, -1, DType.F32).size());
            throwsWith(IllegalArgumentException.class, () -> Tensor.arange(0, 5, 0, DType.F32), "non-zero step");
            throwsWith(IllegalArgumentException.class, () -> Tensor.arange(0, Double.POSITIVE_INFINITY, 1, DType.F32), "finite");
            throwsWith(IllegalArgumentException.class, () -> Tensor.arange(Double.NaN, 1, 1, DType.F32), "finite");
            assertArrayEquals(new double[]{0, 0.25, 0.5, 0.75, 1}, Tensor.linspace(0, 1, 5, DType.F64).toDoubleArray());
            assertArrayEquals(new double[]{3}, Tensor.linspace(3, 9, 1, DType.F64).toDoubleArray());
            assertEquals(0, Tensor.linspace(3, 9, 0, DType.F64).size());
            assertEquals(0.1f, Tensor.linspace(-1, 0.1, 12, DType.F32).toFloatArray()[11], "the end point is exact");
            throwsWith(IllegalArgumentException.class, () -> Tensor.linspace(0, 1, -1, DType.F32), "num >= 0");
        }
    }

    @Test
    void ofAndFromArray() {
        try (Scope s = Scope.open()) {
            assertEquals(DType.F32, Tensor.of(1f, 2f).dtype());
            assertEquals(DType.F64, Tensor.of(1.0).dtype());
            assertEquals(DType.I32, Tensor.of(1, 2).dtype());
            assertEquals(DType.I64, Tensor.of(1L).dtype());
            assertEquals(DType.BOOL, Tensor.of(true).dtype());
            assertEquals(0, Tensor.of(new double[0]).size());
            Tensor m = Tensor.fromArray(new float[][]{{1, 2, 3}, {4, 5, 6}});
            assertEquals(DType.F32, m.dtype());
            assertArrayEquals(new long[]{2, 3}, m.shape());
            assertEquals(6f, m.getDouble(1, 2));
            Tensor c = Tensor.fromArray(new int[][][]{{{1, 2}}, {{3, 4}}, {{5, 6}}});
            assertArrayEquals(new long[]{3, 1, 2}, c.shape());
            assertArrayEquals(new int[]{1, 2, 3, 4, 5, 6}, c.toIntArray());
            assertEquals(DType.I8, Tensor.fromArray(new byte[]{-1, 2}).dtype());
            assertArrayEquals(new long[]{-1, 2}, Tensor.fromArray(new byte[]{-1, 2}).toLongArray());
            assertArrayEquals(new boolean[]{true, false, false, true},
                    Tensor.fromArray(new boolean[][]{{true, false}, {false, true}}).toBooleanArray());
            assertArrayEquals(new long[]{Long.MAX_VALUE, 1}, Tensor.fromArray(new long[][]{{Long.MAX_VALUE}, {1}}).toLongArray());
            assertArrayEquals(new double[]{0.1, 0.2}, Tensor.fromArray(new double[]{0.1, 0.2}).toDoubleArray());
            assertArrayEquals(new long[]{2, 0}, Tensor.fromArray(new double[2][0]).shape());
            throwsWith(IllegalArgumentException.class, () -> Tensor.fromArray(new double[][]{{1, 2}, {3}}), "ragged", "depth 1");
            throwsWith(IllegalArgumentException.class, () -> Tensor.fromArray(new short[]{1}), "does not support", "short");
            throwsWith(IllegalArgumentException.class, () -> Tensor.fromArray("no"), "primitive array");
            throwsWith(IllegalArgumentException.class, () -> Tensor.fromArray(null), "primitive array");
            throwsWith(IllegalArgumentException.class, () -> Tensor.fromArray(new double[0][2]), "empty outer array");
        }
        // a ragged array outside any scope must not leak the half-filled tensor
        assertThrows(() -> Tensor.fromArray(new int[][]{{1}, {2, 3}}));
    }

    private static void assertThrows(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, e);
    }

    @Test
    void toJavaArraysConvert() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(1.9, -1.9, 300.5, 0.0);
            assertArrayEquals(new int[]{1, -1, 300, 0}, x.toIntArray());
            assertArrayEquals(new long[]{1, -1, 300, 0}, x.toLongArray());
            assertArrayEquals(new float[]{1.9f, -1.9f, 300.5f, 0f}, x.toFloatArray());
            assertArrayEquals(new boolean[]{true, true, true, false}, x.toBooleanArray());
            Tensor view = Tensor.of(1, 2, 3, 4, 5, 6).reshape(2, 3).transpose().slice(0, 1, 3, 1);
            assertArrayEquals(new int[]{2, 5, 3, 6}, view.toIntArray());
            assertArrayEquals(new double[]{2, 5, 3, 6}, view.toDoubleArray());
            assertArrayEquals(new boolean[]{true, true, true, true}, view.toBooleanArray());
            assertArrayEquals(new int[]{5}, view.select(0, 0).slice(0, 1, 2, 1).toIntArray());
        }
    }

    @Test
    void toStringOfSmallTensors() {
        try (Scope s = Scope.open()) {
            assertEquals("tensor([[1., 2.],\n        [3., 4.]], dtype=F32)", Tensor.fromArray(new float[][]{{1, 2}, {3, 4}}).toString());
            assertEquals("tensor([[1., 3.],\n        [2., 4.]], dtype=F32)",
                    Tensor.fromArray(new float[][]{{1, 2}, {3, 4}}).transpose().toString());
            assertEquals("tensor([ 5.e-01, -1.e-10,     nan], dtype=F64)", Tensor.of(0.5, -1e-10, Double.NaN).toString());
            assertEquals("tensor([0.1], dtype=F32)", Tensor.of(0.1f).toString());
            assertEquals("tensor([ 1, -2,  3], dtype=I32)", Tensor.of(1, -2, 3).toString());
            assertEquals("tensor([200,   0], dtype=U8)", Tensor.of(200L, 0L).cast(DType.U8).toString());
            assertEquals("tensor([ true, false], dtype=BOOL)", Tensor.of(true, false).toString());
            assertEquals("tensor(2.5, dtype=F64)", Tensor.scalar(2.5, DType.F64).toString());
            assertEquals("tensor([], dtype=I64)", Tensor.arange(0).toString());
            assertEquals("tensor([    9007199254740993, -9223372036854775808], dtype=I64)",
                    Tensor.of(9007199254740993L, Long.MIN_VALUE).toString());
            assertEquals("tensor([   0,    1,    2, ..., 1997, 1998, 1999], shape=[2000], dtype=I64)", Tensor.arange(2000).toString());
            String big = Tensor.zeros(DType.I32, 40, 30).toString();
            assertTrue(big.startsWith("tensor([[0, 0, 0, ..., 0, 0, 0],\n        [0, 0, 0, ..., 0, 0, 0],\n"), big);
            assertTrue(big.endsWith("shape=[40, 30], dtype=I32)"), big);
            assertEquals(7, big.split("\\.\\.\\.", -1).length - 1, "one '...' for the rows, one in each of the 6 rows shown");
            // 1000 elements are printed in full
            assertTrue(!Tensor.zeros(DType.I32, 1000).toString().contains("..."));
        }
    }
}
