package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reduction paths the other tests reach least: integer and floating reductions along non-contiguous
 * axes (each output reduces elements a stride apart) against plain loops, and single-output reductions long
 * enough to be split over the workers whose answer lies in a later partial (integer extremes, products,
 * arg-extremes, NaN in one or several partials).
 */
@ExtendWith(AllocatorCheck.class)
class ReduceStridedParallelTest {

    /** More than 2 · Parallel.GRAIN: one output is split over the workers (on a machine with several). */
    private static final int M = 1 << 17;

    @Test
    void integerReductionsAlongAStridedAxis() {
        int a = 3;
        int b = 5;
        int c = 4;
        Random rnd = new Random(3);
        long[] v = new long[a * b * c];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextInt(41) - 20;
        }
        for (DType t : new DType[]{DType.I32, DType.I64, DType.I8}) {
            try (Scope s = Scope.open()) {
                Tensor x = Tensor.of(v).reshape(a, b, c).cast(t);
                // axis 1 of [a, b, c]: b elements, c apart, for each of the a·c outputs
                long[] sum = new long[a * c];
                long[] prod = new long[a * c];
                long[] max = new long[a * c];
                long[] min = new long[a * c];
                long[] argmax = new long[a * c];
                long[] argmin = new long[a * c];
                for (int i = 0; i < a; i++) {
                    for (int k = 0; k < c; k++) {
                        int o = i * c + k;
                        prod[o] = 1;
                        max[o] = Long.MIN_VALUE;
                        min[o] = Long.MAX_VALUE;
                        for (int j = 0; j < b; j++) {
                            long e = v[(i * b + j) * c + k];
                            sum[o] += e;
                            prod[o] *= e;
                            if (e > max[o]) {
                                max[o] = e;
                                argmax[o] = j;
                            }
                            if (e < min[o]) {
                                min[o] = e;
                                argmin[o] = j;
                            }
                        }
                    }
                }
                assertArrayEquals(sum, x.sum(1).toLongArray(), t + " sum");
                assertArrayEquals(prod, x.prod(1).toLongArray(), t + " prod");
                assertArrayEquals(max, x.max(1).toLongArray(), t + " max");
                assertArrayEquals(min, x.min(1).toLongArray(), t + " min");
                assertArrayEquals(argmax, x.argmax(1).toLongArray(), t + " argmax");
                assertArrayEquals(argmin, x.argmin(1).toLongArray(), t + " argmin");
                // the same through a transposed view: axis 0 of [c, b, a] with strides (1, c, b·c)
                Tensor p = x.permute(2, 1, 0);
                long[] sumT = p.sum(1).toLongArray(); // [c, a]
                long[] argmaxT = p.argmax(1).toLongArray();
                for (int i = 0; i < a; i++) {
                    for (int k = 0; k < c; k++) {
                        assertEquals(sum[i * c + k], sumT[k * a + i], t + " sum of the permuted view");
                        assertEquals(argmax[i * c + k], argmaxT[k * a + i], t + " argmax of the permuted view");
                    }
                }
            }
        }
    }

    @Test
    void floatingReductionsAlongAStridedAxis() {
        int rows = 6;
        int cols = 7;
        Random rnd = new Random(4);
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextDouble() * 4 - 2;
        }
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(v).reshape(rows, cols);
            double[] prod = x.prod(0).toDoubleArray();
            double[] max = x.max(0).toDoubleArray();
            double[] l1 = x.norm(1, new int[]{0}, false).toDoubleArray();
            double[] sumT = x.transpose().sum(1).toDoubleArray(); // a strided row per output, no column-sum path
            for (int j = 0; j < cols; j++) {
                double p = 1;
                double m = Double.NEGATIVE_INFINITY;
                double a = 0;
                double sum = 0;
                for (int i = 0; i < rows; i++) {
                    double e = v[i * cols + j];
                    p *= e;
                    m = Math.max(m, e);
                    a += Math.abs(e);
                    sum += e;
                }
                assertEquals(p, prod[j], 1e-12 * Math.abs(p), "prod " + j);
                assertEquals(m, max[j], 0, "max " + j);
                assertEquals(a, l1[j], 1e-12 * a, "L1 " + j);
                assertEquals(sum, sumT[j], 1e-12, "sum " + j);
            }
        }
    }

    @Test
    void parallelIntegerPartialsCombine() {
        try (Scope s = Scope.open()) {
            long[] v = new long[M];
            for (int i = 0; i < M; i++) {
                v[i] = i % 7 - 3;
            }
            v[M - 5] = 1000;     // the extremes only in the last partial
            v[M - 9] = -1000;
            for (DType t : new DType[]{DType.I32, DType.I64}) {
                Tensor x = Tensor.of(v).cast(t);
                long sum = 0;
                for (long e : v) {
                    sum += e;
                }
                assertEquals(sum, x.sum().getLong(), t + " sum");
                assertEquals(1000, x.max().getLong(), t + " max");
                assertEquals(-1000, x.min().getLong(), t + " min");
                assertEquals(M - 5, x.argmax().getLong(), t + " argmax");
                assertEquals(M - 9, x.argmin().getLong(), t + " argmin");
                // a product of ±1 and 2s: the sign and the power of two come from every partial
                long[] w = new long[M];
                java.util.Arrays.fill(w, 1);
                w[3] = -1;
                w[M - 2] = 2;
                w[M / 2 + 1] = -1;
                w[M - 1] = -1;
                assertEquals(-2, Tensor.of(w).cast(t).prod().getLong(), t + " prod");
            }
            // the same product in floating point: the later partial's factor 2 must multiply, not divide
            double[] w = new double[M];
            java.util.Arrays.fill(w, 1);
            w[3] = -1;
            w[M - 2] = 2;
            for (DType t : new DType[]{DType.F64, DType.F32}) {
                assertEquals(-2, Tensor.of(w).cast(t).prod().item(), t + " prod");
            }
        }
    }

    @Test
    void parallelArgExtremesTakeTheFirstNaN() {
        Random rnd = new Random(5);
        double[] v = new double[M];
        for (int i = 0; i < M; i++) {
            v[i] = rnd.nextDouble();
        }
        try (Scope s = Scope.open()) {
            // a NaN in the first and in the last partial: the first one is the answer
            double[] both = v.clone();
            both[1_000] = Double.NaN;
            both[M - 1_000] = Double.NaN;
            // a NaN only in the first partial, the largest value in the last
            double[] first = v.clone();
            first[2_000] = Double.NaN;
            first[M - 3] = 5;
            first[M - 4] = -5;
            // the largest value only in the last partial, no NaN
            double[] last = v.clone();
            last[M - 3] = 5;
            last[M - 4] = -5;
            for (DType t : new DType[]{DType.F64, DType.F32}) {
                Tensor b = Tensor.of(both).cast(t);
                assertEquals(1_000, b.argmax().getLong(), t + " argmax, NaN in two partials");
                assertEquals(1_000, b.argmin().getLong(), t + " argmin, NaN in two partials");
                Tensor f = Tensor.of(first).cast(t);
                assertEquals(2_000, f.argmax().getLong(), t + " argmax, NaN in the first partial");
                assertEquals(2_000, f.argmin().getLong(), t + " argmin, NaN in the first partial");
                assertTrue(Double.isNaN(f.max().item()), t + " max, NaN in the first partial");
                assertTrue(Double.isNaN(f.min().item()), t + " min, NaN in the first partial");
                Tensor l = Tensor.of(last).cast(t);
                assertEquals(M - 3, l.argmax().getLong(), t + " argmax in the last partial");
                assertEquals(M - 4, l.argmin().getLong(), t + " argmin in the last partial");
                assertEquals(5, l.max().item(), t + " max in the last partial");
                assertEquals(-5, l.min().item(), t + " min in the last partial");
                assertEquals(5, l.norm(Double.POSITIVE_INFINITY, new int[0], false).item(), t + " max |x|");
            }
        }
    }
}
