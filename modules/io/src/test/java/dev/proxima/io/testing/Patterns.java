package dev.proxima.io.testing;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The value pattern the interop scripts share with the tests: element k (row-major) of a tensor is
 * k * 0.5 - 3 (floats), k - 5 (signed), 7k mod 256 (U8), k mod 3 == 0 (BOOL).
 */
public final class Patterns {

    private Patterns() {
    }

    public static double value(DType t, long k) {
        return switch (t) {
            case F32, F64, F16, BF16 -> k * 0.5 - 3;
            case I32, I64, I8 -> k - 5;
            case U8 -> (7 * k) % 256;
            case BOOL -> k % 3 == 0 ? 1 : 0;
        };
    }

    public static double[] values(DType t, long n) {
        double[] v = new double[(int) n];
        for (int k = 0; k < n; k++) {
            v[k] = value(t, k);
        }
        return v;
    }

    /** A new contiguous tensor of the pattern. */
    public static Tensor tensor(DType t, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        try (Tensor f = Tensor.of(values(t, n)); Tensor c = f.cast(t)) {
            return c.reshape(shape);
        }
    }

    public static void check(String what, Tensor t, DType dtype, long... shape) {
        assertEquals(dtype, t.dtype(), what);
        assertArrayEquals(shape, t.shape(), what);
        try (Tensor d = t.cast(DType.F64)) {
            assertArrayEquals(values(dtype, t.size()), d.toDoubleArray(), 0.0, what);
        }
    }

    public static DType ofCode(String code) {
        return switch (code) {
            case "f4" -> DType.F32;
            case "f8" -> DType.F64;
            case "i4" -> DType.I32;
            case "i8" -> DType.I64;
            case "i1" -> DType.I8;
            case "u1" -> DType.U8;
            case "b1" -> DType.BOOL;
            case "f2" -> DType.F16;
            default -> throw new IllegalArgumentException(code);
        };
    }

    public static String codeOf(DType t) {
        return switch (t) {
            case F32 -> "f4";
            case F64 -> "f8";
            case I32 -> "i4";
            case I64 -> "i8";
            case I8 -> "i1";
            case U8 -> "u1";
            case BOOL -> "b1";
            case F16 -> "f2";
            case BF16 -> "bf16";
        };
    }
}
