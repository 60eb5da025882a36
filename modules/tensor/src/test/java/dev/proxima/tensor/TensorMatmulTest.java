package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** matmul by hand: small exact products, NumPy's rank rules, views as operands, a naive-loop comparison. */
@ExtendWith(AllocatorCheck.class)
class TensorMatmulTest {

    @Test
    void smallExactProducts() {
        try (Scope s = Scope.open()) {
            for (DType t : new DType[]{DType.F32, DType.F64}) {
                Tensor a = Tensor.fromArray(new double[][]{{1, 2, 3}, {4, 5, 6}}).cast(t);
                Tensor b = Tensor.fromArray(new double[][]{{7, 8}, {9, 10}, {11, 12}}).cast(t);
                Tensor c = a.matmul(b);
                assertEquals(t, c.dtype());
                assertArrayEquals(new long[]{2, 2}, c.shape());
                assertArrayEquals(new double[]{58, 64, 139, 154}, c.toDoubleArray());
                assertTrue(c.isContiguous());
                // the transposes: bᵀ·aᵀ = (a·b)ᵀ, with both operands passed as transpose flags
                assertArrayEquals(new double[]{58, 139, 64, 154}, b.transpose().matmul(a.transpose()).toDoubleArray());
                Tensor v = Tensor.of(1.0, 2.0, 3.0).cast(t);
                Tensor dot = v.matmul(v);
                assertEquals(0, dot.rank());
                assertEquals(14.0, dot.item());
                Tensor row = Tensor.of(1.0, -1.0).cast(t).matmul(a);
                assertArrayEquals(new long[]{3}, row.shape());
                assertArrayEquals(new double[]{-3, -3, -3}, row.toDoubleArray());
                Tensor col = a.matmul(v);
                assertArrayEquals(new long[]{2}, col.shape());
                assertArrayEquals(new double[]{14, 32}, col.toDoubleArray());
                // inputs are untouched
                assertArrayEquals(new double[]{1, 2, 3, 4, 5, 6}, a.toDoubleArray());
            }
        }
    }

    @Test
    void batchedBroadcastMatchesPerBatchProducts() {
        try (Scope s = Scope.open()) {
            Random rnd = new Random(5);
            Tensor a = random(rnd, 2, 1, 3, 4);
            Tensor b = random(rnd, 5, 4, 2);
            Tensor c = a.matmul(b);
            assertArrayEquals(new long[]{2, 5, 3, 2}, c.shape());
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 5; j++) {
                    Tensor expected = a.select(0, i).select(0, 0).matmul(b.select(0, j));
                    assertTrue(c.select(0, i).select(0, j).allClose(expected, 1e-14, 1e-14), i + "," + j);
                }
            }
            // 1-D operands with a batch
            assertArrayEquals(new long[]{5, 2}, Tensor.ones(DType.F64, 4).matmul(b).shape());
            assertArrayEquals(new long[]{2, 1, 3}, a.matmul(Tensor.ones(DType.F64, 4)).shape());
        }
    }

    @Test
    void viewOperandsMatchContiguousCopies() {
        try (Scope s = Scope.open()) {
            Random rnd = new Random(6);
            Tensor x = random(rnd, 6, 8);
            Tensor y = random(rnd, 8, 10);
            Tensor[][] pairs = {
                    {x.transpose().transpose(), y},
                    {random(rnd, 8, 6).transpose(), y},                       // transpose flag on A
                    {x, random(rnd, 10, 8).transpose()},                      // transpose flag on B
                    {random(rnd, 6, 16).slice(1, 0, 16, 2), y},               // doubly strided: copied
                    {random(rnd, 12, 8).slice(0, 0, 12, 2), y},               // row stride 16
                    {x, random(rnd, 8, 20).slice(1, 5, 15, 1)},               // leading dimension 20
                    {random(rnd, 8).broadcastTo(6, 8), y},                    // stride 0
                    {x.select(0, 2), y},                                      // 1-D, contiguous
                    {random(rnd, 8, 3).select(1, 1), y},                      // 1-D, stride 3
                    {x, random(rnd, 8, 3).select(1, 2)},                      // 1-D right operand, stride 3
            };
            for (int p = 0; p < pairs.length; p++) {
                Tensor a = pairs[p][0];
                Tensor b = pairs[p][1];
                Tensor got = a.matmul(b);
                Tensor want = naive(a.contiguous(), b.contiguous());
                assertArrayEquals(want.shape(), got.shape(), "pair " + p);
                assertTrue(got.allClose(want, 1e-12, 1e-12), "pair " + p + ": " + got + " vs " + want);
                Tensor got32 = a.cast(DType.F32).matmul(b.cast(DType.F32));
                assertTrue(got32.allClose(want, 1e-5, 1e-5), "F32 pair " + p);
            }
        }
    }

    @Test
    void largerProductAgainstNaiveLoop() {
        try (Scope s = Scope.open()) {
            Random rnd = new Random(7);
            Tensor a = random(rnd, 64, 48);
            Tensor b = random(rnd, 48, 80);
            assertTrue(a.matmul(b).allClose(naive(a, b), 1e-12, 1e-12));
            Tensor mixed = a.cast(DType.F32).matmul(b);
            assertEquals(DType.F64, mixed.dtype());
            assertTrue(mixed.allClose(naive(a.cast(DType.F32).cast(DType.F64), b), 1e-12, 1e-12));
        }
    }

    @Test
    void emptyDimensions() {
        try (Scope s = Scope.open()) {
            Tensor k0 = Tensor.zeros(DType.F32, 3, 0).matmul(Tensor.zeros(DType.F32, 0, 2));
            assertArrayEquals(new long[]{3, 2}, k0.shape());
            assertArrayEquals(new float[6], k0.toFloatArray());
            assertArrayEquals(new long[]{0, 2}, Tensor.zeros(DType.F64, 0, 4).matmul(Tensor.ones(DType.F64, 4, 2)).shape());
            assertArrayEquals(new long[]{2, 0}, Tensor.ones(DType.F64, 2, 4).matmul(Tensor.ones(DType.F64, 4, 0)).shape());
            assertEquals(0.0, Tensor.zeros(DType.F64, 0).matmul(Tensor.zeros(DType.F64, 0)).item());
        }
    }

    /**
     * Matrix–vector products (gemv) against the naive loop, over every layout that reaches BLAS as is: the matrix
     * row-major or transposed, the vector dense or strided (a column of a matrix, every other element), a strided
     * output, a batch with a broadcast matrix, F32 and F64.
     */
    @Test
    void matrixVectorProductsOverLayouts() {
        try (Scope s = Scope.open()) {
            Random rnd = new Random(11);
            Tensor m = random(rnd, 7, 5);
            Tensor mt = random(rnd, 5, 7).transpose();             // [7, 5], stored transposed
            Tensor x = random(rnd, 5);
            Tensor wide = random(rnd, 5, 3);
            Tensor column = wide.select(1, 1);                     // stride 3
            Tensor everyOther = random(rnd, 10).slice(0, 0, 10, 2);  // stride 2
            Tensor y = random(rnd, 7);
            for (Tensor matrix : new Tensor[]{m, mt}) {
                Tensor dense = matrix.contiguous();
                for (Tensor vec : new Tensor[]{x, column, everyOther}) {
                    Tensor expected = naive(dense, vec.contiguous());
                    assertTrue(matrix.matmul(vec).allClose(expected, 1e-14, 1e-14));
                    assertTrue(matrix.matmul(vec.unsqueeze(1)).squeeze(1).allClose(expected, 1e-14, 1e-14));
                    Tensor f32 = matrix.cast(DType.F32).matmul(vec.cast(DType.F32));
                    assertEquals(DType.F32, f32.dtype());
                    assertTrue(f32.cast(DType.F64).allClose(expected, 1e-5, 1e-5));
                }
                // a row vector times the matrix: [1, 7]·[7, 5]
                Tensor expectedRow = naive(y, dense);
                assertTrue(y.matmul(matrix).allClose(expectedRow, 1e-14, 1e-14));
                assertTrue(y.unsqueeze(0).matmul(matrix).squeeze(0).allClose(expectedRow, 1e-14, 1e-14));
                // into a strided output column
                Tensor out = Tensor.zeros(DType.F64, 7, 2);
                Into.matmul(matrix, x.unsqueeze(1), out.slice(1, 1, 2, 1));
                assertTrue(out.select(1, 1).allClose(naive(dense, x), 1e-14, 1e-14));
                assertArrayEquals(new double[7], out.select(1, 0).toDoubleArray());
            }
            // a batch of vectors against one (broadcast) matrix, and a batch of matrices
            Tensor xs = random(rnd, 3, 5, 1);
            Tensor batched = m.matmul(xs);
            Tensor ms = random(rnd, 3, 7, 5);
            Tensor perMatrix = ms.matmul(xs);
            Tensor transposed = random(rnd, 3, 5, 7).transpose(1, 2);   // [3, 7, 5], each matrix stored transposed
            Tensor perTransposed = transposed.matmul(xs);
            Tensor rows = random(rnd, 3, 1, 7);
            Tensor rowTimes = rows.matmul(transposed);
            for (int i = 0; i < 3; i++) {
                Tensor xi = xs.select(0, i).squeeze(1);
                assertTrue(batched.select(0, i).squeeze(1).allClose(naive(m, xi), 1e-14, 1e-14));
                assertTrue(perMatrix.select(0, i).squeeze(1).allClose(naive(ms.select(0, i).contiguous(), xi), 1e-14, 1e-14));
                assertTrue(perTransposed.select(0, i).squeeze(1).allClose(naive(transposed.select(0, i).contiguous(), xi), 1e-14, 1e-14));
                assertTrue(rowTimes.select(0, i).squeeze(0).allClose(
                        naive(rows.select(0, i).squeeze(0).contiguous(), transposed.select(0, i).contiguous()), 1e-14, 1e-14));
            }
            // a zero-stride (broadcast) vector is copied first, and agrees
            Tensor ones = Tensor.of(1.0).broadcastTo(5);
            assertTrue(m.matmul(ones).allClose(m.sum(1), 1e-14, 1e-14));
        }
    }

    private static Tensor random(Random rnd, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextDouble() * 2 - 1;
        }
        return Tensor.of(v).reshape(shape);
    }

    /** a @ b for 1-D/2-D contiguous F64 operands, by three loops. */
    private static Tensor naive(Tensor a, Tensor b) {
        boolean vecA = a.rank() == 1;
        boolean vecB = b.rank() == 1;
        int m = vecA ? 1 : (int) a.dim(0);
        int k = (int) a.dim(-1);
        int n = vecB ? 1 : (int) b.dim(1);
        double[] x = a.toDoubleArray();
        double[] y = b.toDoubleArray();
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += x[i * k + p] * y[p * n + j];
                }
                c[i * n + j] = sum;
            }
        }
        Tensor out = Tensor.of(c);
        return vecA && vecB ? out.reshape() : vecA ? out : vecB ? out : out.reshape(m, n);
    }
}
