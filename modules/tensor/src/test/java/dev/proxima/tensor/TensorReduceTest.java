package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Random;

import static dev.proxima.tensor.TensorMathTest.throwsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reductions by hand: the parallel single-output path, NaN, empty extents, integer norms, axis errors. */
@ExtendWith(AllocatorCheck.class)
class TensorReduceTest {

    private static final int N = 1 << 20;
    /** Enough for the single-output reductions to be split over the workers (more than 2 * Parallel.GRAIN). */
    private static final int M = 1 << 17;

    @Test
    void largeF32SumIsExact() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.arange(0, N, 1, DType.F32);
            double exact = (double) N * (N - 1) / 2;
            Tensor sum = x.sum();
            assertEquals(DType.F32, sum.dtype());
            assertEquals(exact, sum.item(), exact * 1e-6);
            assertEquals(exact / N, x.mean().item(), exact / N * 1e-6);
            // integer sums are exact
            assertEquals((long) exact, Tensor.arange(N).sum().getLong());
            // through a strided view: every other element, 0 + 2 + … + (N − 2)
            long half = N / 2;
            assertEquals((double) half * (half - 1), x.slice(0, 0, N, 2).sum().item(), half * (double) half * 1e-6);
            double exactM = (double) M * (M - 1) / 2;
            assertEquals(exactM, Tensor.arange(0, M, 1, DType.F64).sum().item());
            assertEquals((long) exactM, Tensor.arange(0, M, 1, DType.I32).sum().getLong());
            // norms of ones: every partial sum of the parallel split must count
            for (DType t : new DType[]{DType.F32, DType.F64}) {
                Tensor ones = Tensor.ones(t, M);
                assertEquals(Math.sqrt(M), ones.norm().item(), 1e-6 * Math.sqrt(M), t + " L2");
                assertEquals(M, ones.norm(1, new int[0], false).item(), 1e-6 * M, t + " L1");
                assertEquals(M, ones.norm(0, new int[0], false).item(), t + " L0");
                assertEquals(M, ones.neg().sum().neg().item(), t + " sum");
            }
        }
    }

    @Test
    void largeIntegerSumsDoNotOverflow() {
        try (Scope s = Scope.open()) {
            assertEquals((long) M << 30, Tensor.full(1 << 30, DType.I32, M).sum().getLong());
            assertEquals((long) M * 255, Tensor.full(255, DType.U8, M).sum().getLong());
            assertEquals(M / 2, Tensor.arange(M).cast(DType.BOOL).logicalAnd(Tensor.of(true, false).broadcastTo(M / 2, 2)
                    .reshape(M)).sum().getLong() + 1, "every even index except 0 is true");
        }
    }

    @Test
    void largeArgReductionsTakeTheFirstExtreme() {
        try (Scope s = Scope.open()) {
            Random rnd = new Random(1);
            double[] v = new double[M];
            for (int i = 0; i < M; i++) {
                v[i] = rnd.nextDouble();
            }
            v[10_000] = 2; // a maximum in the first half …
            v[90_000] = 2; // … and an equal one in the second
            v[20_000] = -1;
            v[80_000] = -1;
            Tensor x = Tensor.of(v);
            assertEquals(10_000, x.argmax().getLong());
            assertEquals(20_000, x.argmin().getLong());
            assertEquals(2.0, x.max().item());
            assertEquals(-1.0, x.min().item());
            Tensor f = x.cast(DType.F32);
            assertEquals(10_000, f.argmax().getLong());
            assertEquals(20_000, f.argmin().getLong());
            assertEquals(2f, f.max().item());
            // integer ties across the split
            Tensor i = Tensor.zeros(DType.I32, M).add(x.gt(1.5).cast(DType.I32));
            assertEquals(10_000, i.argmax().getLong());
            assertEquals(0, i.argmin().getLong());
            // the first NaN wins, even when it lies in the second half and a larger value in the first
            v[70_000] = Double.NaN;
            v[75_000] = Double.NaN;
            Tensor n = Tensor.of(v);
            assertEquals(70_000, n.argmax().getLong());
            assertEquals(70_000, n.argmin().getLong());
            assertTrue(Double.isNaN(n.max().item()));
            assertTrue(Double.isNaN(n.min().item()));
            assertTrue(Double.isNaN(n.sum().item()));
            Tensor nf = n.cast(DType.F32);
            assertEquals(70_000, nf.argmax().getLong());
            assertTrue(Double.isNaN(nf.max().item()));
            assertTrue(Double.isNaN(nf.min().item()));
            assertTrue(Double.isNaN(nf.norm(Double.POSITIVE_INFINITY, new int[0], false).item()));
        }
    }

    @Test
    void axisReductionsOfALargeMatrixMatchPlainLoops() {
        int rows = 700;
        int cols = 900;
        Random rnd = new Random(2);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextFloat() * 2 - 1;
        }
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(v).reshape(rows, cols);
            float[] colSum = x.sum(0).toFloatArray();
            float[] rowMax = x.max(1).toFloatArray();
            long[] colArgmin = x.argmin(0, false).toLongArray();
            float[] rowSumT = x.transpose().sum(0).toFloatArray();
            for (int j = 0; j < cols; j++) {
                double sum = 0;
                int arg = 0;
                for (int i = 0; i < rows; i++) {
                    sum += v[i * cols + j];
                    if (v[i * cols + j] < v[arg * cols + j]) {
                        arg = i;
                    }
                }
                assertEquals(sum, colSum[j], 1e-4, "column sum " + j);
                assertEquals(arg, colArgmin[j], "column argmin " + j);
            }
            for (int i = 0; i < rows; i++) {
                float max = Float.NEGATIVE_INFINITY;
                double sum = 0;
                for (int j = 0; j < cols; j++) {
                    max = Math.max(max, v[i * cols + j]);
                    sum += v[i * cols + j];
                }
                assertEquals(max, rowMax[i], "row max " + i);
                assertEquals(sum, rowSumT[i], 1e-4, "row sum through the transpose " + i);
            }
        }
    }

    @Test
    void emptyExtents() {
        try (Scope s = Scope.open()) {
            Tensor e = Tensor.zeros(DType.F64, 0, 3);
            assertArrayEquals(new double[]{0, 0, 0}, e.sum(0).toDoubleArray());
            assertArrayEquals(new double[]{1, 1, 1}, e.prod(0).toDoubleArray());
            assertEquals(0.0, e.sum().item());
            assertArrayEquals(new long[]{0}, e.sum(1).shape());
            assertArrayEquals(new long[]{1, 3}, e.sum(new int[]{0}, true).shape());
            assertTrue(Double.isNaN(e.mean().item()));
            assertArrayEquals(new long[]{0}, e.max(1).shape(), "nothing is reduced over an empty output");
            assertEquals(0, Tensor.zeros(DType.I32, 0).sum().getLong());
            assertEquals(DType.I64, Tensor.zeros(DType.I32, 0).sum().dtype());
            throwsWith(IllegalArgumentException.class, () -> e.max(), "max of an empty extent", "[0, 3]");
            throwsWith(IllegalArgumentException.class, () -> e.min(0), "min of an empty extent", "[0, 3]", "[0]");
            throwsWith(IllegalArgumentException.class, () -> e.argmax(), "argmax");
            throwsWith(IllegalArgumentException.class, () -> e.argmin(0, false), "argmin");
            throwsWith(IllegalArgumentException.class, () -> e.norm(Double.POSITIVE_INFINITY, new int[]{0}, false), "empty");
        }
    }

    @Test
    void axisErrors() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(DType.F32, 2, 3);
            throwsWith(IllegalArgumentException.class, () -> x.sum(2), "axis 2", "rank 2");
            throwsWith(IllegalArgumentException.class, () -> x.mean(-3), "axis -3");
            throwsWith(IllegalArgumentException.class, () -> x.max(0, -2), "repeated");
            throwsWith(IllegalArgumentException.class, () -> x.argmax(2, false), "axis 2");
            throwsWith(IllegalArgumentException.class, () -> x.norm(Double.NaN, new int[0], false), "NaN");
        }
    }

    @Test
    void smallReductionsByHand() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[][]{{1, -2, 3}, {4, 5, -6}});
            assertArrayEquals(new double[]{5, 3, -3}, x.sum(0).toDoubleArray());
            assertArrayEquals(new double[]{2, 3}, x.sum(1).toDoubleArray());
            assertArrayEquals(new long[]{2, 1}, x.sum(new int[]{1}, true).shape());
            assertArrayEquals(new double[]{-6, -120}, x.prod(-1).toDoubleArray());
            assertArrayEquals(new double[]{2.5, 1.5, -1.5}, x.mean(0).toDoubleArray());
            assertArrayEquals(new double[]{3, 5}, x.max(1).toDoubleArray());
            assertArrayEquals(new long[]{2, 1}, x.argmax(1, false).toLongArray());
            assertArrayEquals(new long[]{2, 1}, x.argmax(1, true).shape());
            assertEquals(4, x.argmax().getLong());
            assertEquals(3, x.transpose().argmax().getLong(), "flattened in the view's row-major order");
            assertEquals(Math.sqrt(91), x.norm().item(), 1e-14);
            assertArrayEquals(new double[]{6, 15}, x.norm(1, new int[]{1}, false).toDoubleArray());
            assertArrayEquals(new double[]{3, 6}, x.norm(Double.POSITIVE_INFINITY, new int[]{1}, false).toDoubleArray());
            assertArrayEquals(new double[]{1, 4}, x.norm(Double.NEGATIVE_INFINITY, new int[]{1}, false).toDoubleArray());
            assertArrayEquals(new double[]{2, 2, 2}, x.norm(0, new int[]{0}, false).toDoubleArray());
            assertEquals(Math.cbrt(1 + 8 + 27 + 64 + 125 + 216), x.norm(3, new int[0], false).item(), 1e-13);
        }
    }

    @Test
    void normsOfIntegersAreComputedInF64() {
        try (Scope s = Scope.open()) {
            Tensor b = Tensor.of(5L, 6L).cast(DType.I8);
            // |5|³ + |6|³ = 341 does not fit in I8
            Tensor n3 = b.norm(3, new int[0], false);
            assertEquals(DType.F64, n3.dtype());
            assertEquals(Math.cbrt(341), n3.item(), 1e-14);
            // a negative order needs |x|^p with p < 0: fine in floating point
            Tensor i = Tensor.of(1, 2, 4);
            assertEquals(1 / (1 + 0.5 + 0.25), i.norm(-1, new int[0], false).item(), 1e-15);
            assertEquals(DType.F64, i.norm().dtype());
            assertEquals(Math.sqrt(21), i.norm().item(), 1e-15);
            assertEquals(Math.pow(1 + Math.sqrt(2) + 2, 2), i.norm(0.5, new int[0], false).item(), 1e-13);
            assertEquals(Math.sqrt(2 * 200 * 200), Tensor.of(200L, 200L).cast(DType.U8).norm().item(), 1e-12);
        }
    }
}
