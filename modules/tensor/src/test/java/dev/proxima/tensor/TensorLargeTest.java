package dev.proxima.tensor;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Elementwise operations on 3,000,000 elements, enough to be split over the worker threads, checked
 * element by element against plain Java loops: contiguous, strided (transposed) and broadcast operands.
 */
@ExtendWith(AllocatorCheck.class)
class TensorLargeTest {

    private static final int N = 3_000_000;
    private static final int ROWS = 1500;
    private static final int COLS = 2000;

    private static float[] a;
    private static float[] b;

    @BeforeAll
    static void data() {
        Random rnd = new Random(3);
        a = new float[N];
        b = new float[N];
        for (int i = 0; i < N; i++) {
            a[i] = rnd.nextFloat() * 4 - 2;
            b[i] = rnd.nextFloat() * 4 - 2;
        }
        b[12345] = 0; // one division by zero
    }

    private interface FloatOp {
        float apply(int i);
    }

    private static void same(String what, float[] got, FloatOp want) {
        assertEquals(N, got.length, what);
        for (int i = 0; i < N; i++) {
            float w = want.apply(i);
            if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(w) && !(got[i] == w)) {
                fail(what + ": element " + i + " is " + got[i] + ", expected " + w);
            }
        }
    }

    private static void near(String what, float[] got, FloatOp want, int ulps) {
        for (int i = 0; i < N; i++) {
            float w = want.apply(i);
            if (!(Math.abs(got[i] - w) <= ulps * Math.ulp(w))) {
                fail(what + ": element " + i + " is " + got[i] + ", expected " + w + " within " + ulps + " ulp");
            }
        }
    }

    @Test
    void f32ArithmeticMatchesJava() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(a);
            Tensor y = Tensor.of(b);
            same("add", x.add(y).toFloatArray(), i -> a[i] + b[i]);
            same("sub", x.sub(y).toFloatArray(), i -> a[i] - b[i]);
            same("mul", x.mul(y).toFloatArray(), i -> a[i] * b[i]);
            same("div", x.div(y).toFloatArray(), i -> a[i] / b[i]);
            same("maximum", x.maximum(y).toFloatArray(), i -> Math.max(a[i], b[i]));
            same("mul scalar", x.mul(0.1).toFloatArray(), i -> a[i] * 0.1f);
            same("mulAdd", x.mulAdd(y, x).toFloatArray(), i -> Math.fma(a[i], b[i], a[i]));
            same("sqrt", x.abs().sqrt().toFloatArray(), i -> (float) Math.sqrt(Math.abs(a[i])));
            same("square", x.square().toFloatArray(), i -> a[i] * a[i]);
            near("exp", x.exp().toFloatArray(), i -> (float) Math.exp(a[i]), 2);
            near("tanh", x.tanh().toFloatArray(), i -> (float) Math.tanh(a[i]), 3);
            boolean[] gt = x.gt(y).toBooleanArray();
            for (int i = 0; i < N; i++) {
                if (gt[i] != (a[i] > b[i])) {
                    fail("gt: element " + i);
                }
            }
        }
    }

    @Test
    void f64AndIntegerArithmeticMatchJava() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(a).cast(DType.F64);
            Tensor y = Tensor.of(b).cast(DType.F64);
            double[] add = x.add(y).toDoubleArray();
            double[] mul = x.mul(y).toDoubleArray();
            double[] exp = x.exp().toDoubleArray();
            double[] pow = x.abs().pow(y).toDoubleArray();
            for (int i = 0; i < N; i++) {
                double p = a[i];
                double q = b[i];
                assertTrue(add[i] == p + q && mul[i] == p * q, () -> "add/mul mismatch");
                double e = Math.exp(p);
                if (!(Math.abs(exp[i] - e) <= 2 * Math.ulp(e))) {
                    fail("exp: element " + i + " is " + exp[i] + ", expected " + e);
                }
                double w = Math.pow(Math.abs(p), q);
                if (!(Math.abs(pow[i] - w) <= 2 * Math.ulp(w)) && !(Double.isInfinite(w) && w == pow[i])) {
                    fail("pow: element " + i + " is " + pow[i] + ", expected " + w);
                }
            }
            Tensor ix = x.mul(1e9).cast(DType.I32);
            int[] ints = ix.toIntArray();
            int[] sum = ix.add(ix).toIntArray();
            int[] prod = ix.mul(Tensor.scalar(3, DType.I32)).toIntArray();
            for (int i = 0; i < N; i++) {
                int v = (int) (a[i] * 1e9);
                assertTrue(ints[i] == v, "cast");
                assertTrue(sum[i] == v + v, "wrapping add");
                assertTrue(prod[i] == v * 3, "wrapping mul");
            }
        }
    }

    @Test
    void stridedOperands() {
        try (Scope s = Scope.open()) {
            // x is ROWS x COLS, seen transposed as COLS x ROWS; y is COLS x ROWS contiguous
            Tensor x = Tensor.of(a).reshape(ROWS, COLS).transpose();
            Tensor y = Tensor.of(b).reshape(COLS, ROWS);
            float[] sum = x.add(y).toFloatArray();
            same("transposed + contiguous", sum, k -> {
                int i = k / ROWS;
                int j = k % ROWS;
                return a[j * COLS + i] + b[k];
            });
            float[] neg = x.neg().toFloatArray();
            same("neg of transposed", neg, k -> -a[(k % ROWS) * COLS + k / ROWS]);
            // every other column of a ROWS x 2*COLS view: a strided inner dimension
            Tensor wide = Tensor.of(a).reshape(ROWS / 2, 2 * COLS).slice(1, 1, 2 * COLS, 2);
            float[] doubled = wide.mul(2).toFloatArray();
            assertEquals(N / 2, doubled.length);
            for (int k = 0; k < N / 2; k++) {
                int i = k / COLS;
                int j = k % COLS;
                if (doubled[k] != 2 * a[i * 2 * COLS + 2 * j + 1]) {
                    fail("strided slice: element " + k);
                }
            }
            Tensor copy = x.contiguous();
            same("contiguous copy of transposed", copy.toFloatArray(), k -> a[(k % ROWS) * COLS + k / ROWS]);
        }
    }

    @Test
    void broadcastOperands() {
        int rows = 1000;
        int cols = 3000;
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(a).reshape(rows, cols);
            float[] row = java.util.Arrays.copyOf(b, cols);
            float[] col = java.util.Arrays.copyOfRange(b, cols, cols + rows);
            same("row broadcast", x.add(Tensor.of(row)).toFloatArray(), k -> a[k] + row[k % cols]);
            same("column broadcast", x.mul(Tensor.of(col).unsqueeze(1)).toFloatArray(), k -> a[k] * col[k / cols]);
            same("outer sum", Tensor.of(col).unsqueeze(1).sub(Tensor.of(row)).toFloatArray(),
                    k -> col[k / cols] - row[k % cols]);
            Tensor w = Tensor.where(x.gt(0), x, Tensor.of(row));
            same("where", w.toFloatArray(), k -> a[k] > 0 ? a[k] : row[k % cols]);
        }
    }
}
