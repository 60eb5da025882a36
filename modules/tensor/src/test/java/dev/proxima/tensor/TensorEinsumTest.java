package dev.proxima.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.proxima.tensor.TensorIndexingTest.assertTensor;
import static dev.proxima.tensor.TensorIndexingTest.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** einsum against explicit loops; logsumexp, softmax and logSoftmax. */
class TensorEinsumTest {

    private static final double TOL = 1e-12;

    private final Random random = new Random(42);

    @AfterEach
    void noLeaks() {
        assertEquals(0, Memory.allocatedBytes(), "every tensor must be freed");
    }

    private double[] randoms(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextInt(19) - 9 + random.nextInt(4) * 0.25;
        }
        return v;
    }

    private static void assertClose(double[] expected, Tensor actual, long... shape) {
        assertArrayEquals(shape, actual.shape(), "shape");
        assertArrayEquals(expected, actual.toDoubleArray(), TOL, "values");
    }

    // ------------------------------------------------------------------ einsum

    @Test
    void matrixProduct() {
        try (Scope s = Scope.open()) {
            int m = 3, k = 4, n = 5;
            double[] a = randoms(m * k);
            double[] b = randoms(k * n);
            double[] c = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    for (int l = 0; l < k; l++) {
                        c[i * n + j] += a[i * k + l] * b[l * n + j];
                    }
                }
            }
            Tensor ta = Tensor.of(a).reshape(m, k);
            Tensor tb = Tensor.of(b).reshape(k, n);
            assertClose(c, Tensor.einsum("ij,jk->ik", ta, tb), m, n);
            assertClose(c, Tensor.einsum("ij,jk", ta, tb), m, n);          // implicit: ik
            assertClose(c, Tensor.einsum(" ij , jk -> ik ", ta, tb), m, n);
            // the same through transposed views: A = (Aᵀ)ᵀ
            Tensor taT = ta.transpose().copy().transpose();
            assertClose(c, Tensor.einsum("ij,jk->ik", taT, tb), m, n);
            // F32 operands give F32
            Tensor f = Tensor.einsum("ij,jk->ik", ta.cast(DType.F32), tb.cast(DType.F32));
            assertEquals(DType.F32, f.dtype());
            assertArrayEquals(c, f.toDoubleArray(), 1e-4);
        }
    }

    @Test
    void batchedMatrixProduct() {
        try (Scope s = Scope.open()) {
            int bs = 2, m = 3, k = 2, n = 4;
            double[] a = randoms(bs * m * k);
            double[] b = randoms(bs * k * n);
            double[] c = new double[bs * m * n];
            for (int p = 0; p < bs; p++) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        for (int l = 0; l < k; l++) {
                            c[(p * m + i) * n + j] += a[(p * m + i) * k + l] * b[(p * k + l) * n + j];
                        }
                    }
                }
            }
            Tensor ta = Tensor.of(a).reshape(bs, m, k);
            Tensor tb = Tensor.of(b).reshape(bs, k, n);
            assertClose(c, Tensor.einsum("bij,bjk->bik", ta, tb), bs, m, n);
            // output in another order: "bij,bjk->ibk" is c permuted to (i, b, k)
            double[] perm = new double[c.length];
            for (int p = 0; p < bs; p++) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        perm[(i * bs + p) * n + j] = c[(p * m + i) * n + j];
                    }
                }
            }
            assertClose(perm, Tensor.einsum("bij,bjk->ibk", ta, tb), m, bs, n);
        }
    }

    @Test
    void diagonalTraceAndTranspose() {
        try (Scope s = Scope.open()) {
            int n = 4;
            double[] a = randoms(n * n);
            double[] diag = new double[n];
            double trace = 0;
            double[] transposed = new double[n * n];
            for (int i = 0; i < n; i++) {
                diag[i] = a[i * n + i];
                trace += a[i * n + i];
                for (int j = 0; j < n; j++) {
                    transposed[j * n + i] = a[i * n + j];
                }
            }
            Tensor t = Tensor.of(a).reshape(n, n);
            assertClose(diag, Tensor.einsum("ii->i", t), n);
            assertClose(new double[]{trace}, Tensor.einsum("ii", t));
            assertClose(new double[]{trace}, Tensor.einsum("ii->", t));
            Tensor tr = Tensor.einsum("ij->ji", t);
            assertClose(transposed, tr, n, n);
            assertTrue(tr.isContiguous(), "einsum returns a fresh contiguous tensor");
            // implicit "ji" is alphabetical "ij": the transpose as well
            assertClose(transposed, Tensor.einsum("ji", t), n, n);
            // a single-operand sum over one index
            double[] rowSums = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    rowSums[i] += a[i * n + j];
                }
            }
            assertClose(rowSums, Tensor.einsum("ij->i", t), n);
        }
    }

    @Test
    void dotOuterAndMatrixVector() {
        try (Scope s = Scope.open()) {
            double[] u = randoms(5);
            double[] v = randoms(5);
            double[] w = randoms(3);
            double dot = 0;
            for (int i = 0; i < 5; i++) {
                dot += u[i] * v[i];
            }
            assertClose(new double[]{dot}, Tensor.einsum("i,i->", Tensor.of(u), Tensor.of(v)));
            assertClose(new double[]{dot}, Tensor.einsum("i,i", Tensor.of(u), Tensor.of(v)));
            double[] outer = new double[5 * 3];
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < 3; j++) {
                    outer[i * 3 + j] = u[i] * w[j];
                }
            }
            assertClose(outer, Tensor.einsum("i,j->ij", Tensor.of(u), Tensor.of(w)), 5, 3);
            int p = 2, q = 3, r = 4;
            double[] a = randoms(p * q * r);
            double[] x = randoms(r);
            double[] y = new double[p * q];
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < q; j++) {
                    for (int k = 0; k < r; k++) {
                        y[i * q + j] += a[(i * q + j) * r + k] * x[k];
                    }
                }
            }
            assertClose(y, Tensor.einsum("ijk,k->ij", Tensor.of(a).reshape(p, q, r), Tensor.of(x)), p, q);
        }
    }

    @Test
    void threeOperandsAndIntegers() {
        try (Scope s = Scope.open()) {
            // "ij,jk,kl->il" is a chain of two products
            Tensor a = Tensor.of(randoms(6)).reshape(2, 3);
            Tensor b = Tensor.of(randoms(12)).reshape(3, 4);
            Tensor c = Tensor.of(randoms(8)).reshape(4, 2);
            Tensor expected = a.matmul(b).matmul(c);
            assertArrayEquals(expected.toDoubleArray(), Tensor.einsum("ij,jk,kl->il", a, b, c).toDoubleArray(), 1e-9);
            // an index shared by the first and last operand only: "ij,jk,ik->i"
            Tensor d = Tensor.of(randoms(8)).reshape(2, 4);
            double[] e = new double[2];
            double[] av = a.toDoubleArray();
            double[] bv = b.toDoubleArray();
            double[] dv = d.toDoubleArray();
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    for (int k = 0; k < 4; k++) {
                        e[i] += av[i * 3 + j] * bv[j * 4 + k] * dv[i * 4 + k];
                    }
                }
            }
            assertArrayEquals(e, Tensor.einsum("ij,jk,ik->i", a, b, d).toDoubleArray(), 1e-9);
            // integers: I32 stays I32 and is computed exactly without BLAS
            Tensor ia = Tensor.fromArray(new int[][]{{1, 2}, {3, 4}});
            Tensor ib = Tensor.fromArray(new int[][]{{5, 6}, {7, 8}});
            Tensor ic = Tensor.einsum("ij,jk->ik", ia, ib);
            assertEquals(DType.I32, ic.dtype());
            assertTensor(ic, shape(2, 2), 19, 22, 43, 50);
            assertTensor(Tensor.einsum("ii", ia), shape(), 5);
            // mixed I32 and F64 promote to F64
            assertEquals(DType.F64, Tensor.einsum("ij,jk->ik", ia, ib.cast(DType.F64)).dtype());
        }
    }

    @Test
    void emptyDimensions() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.zeros(DType.F64, 2, 0);
            Tensor b = Tensor.zeros(DType.F64, 0, 3);
            assertTensor(Tensor.einsum("ij,jk->ik", a, b), shape(2, 3), 0, 0, 0, 0, 0, 0);
            assertTensor(Tensor.einsum("i,i->", Tensor.of(new double[0]), Tensor.of(new double[0])), shape(), 0);
            assertTensor(Tensor.einsum("ij->i", a), shape(2), 0, 0);
            assertTensor(Tensor.einsum("ij->j", a), shape(0));
            assertTensor(Tensor.einsum("ij,jk->ik", Tensor.zeros(DType.I32, 2, 0), Tensor.zeros(DType.I32, 0, 1)), shape(2, 1), 0, 0);
        }
    }

    @Test
    void einsumValidates() {
        try (Scope s = Scope.open()) {
            Tensor m = Tensor.ones(DType.F64, 2, 3);
            IllegalArgumentException ellipsis = assertThrows(IllegalArgumentException.class, () -> Tensor.einsum("...ij->...ji", m));
            assertTrue(ellipsis.getMessage().contains("ellipsis"), ellipsis.getMessage());
            ShapeMismatchException sizes = assertThrows(ShapeMismatchException.class, () -> Tensor.einsum("ij,jk->ik", m, m));
            assertTrue(sizes.getMessage().contains("[2, 3]"), sizes.getMessage());
            assertThrows(ShapeMismatchException.class, () -> Tensor.einsum("ii", m));
            assertThrows(ShapeMismatchException.class, () -> Tensor.einsum("ijk", m));
            assertThrows(IllegalArgumentException.class, () -> Tensor.einsum("ij,jk", m));
            assertThrows(IllegalArgumentException.class, () -> Tensor.einsum("ij->ik", m));
            assertThrows(IllegalArgumentException.class, () -> Tensor.einsum("ij->ii", m));
            assertThrows(IllegalArgumentException.class, () -> Tensor.einsum("i1->i", m));
            assertThrows(DTypeMismatchException.class, () -> Tensor.einsum("ij->ji", Tensor.ones(DType.BOOL, 2, 2)));
        }
    }

    // ------------------------------------------------------------------ logsumexp / softmax / logSoftmax

    @Test
    void logsumexpIsStable() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[][]{{1000, 1000}, {-1000, -1000}});
            double l2 = Math.log(2);
            assertClose(new double[]{1000 + l2, -1000 + l2}, x.logsumexp(new int[]{1}, false), 2);
            assertClose(new double[]{1000 + l2, -1000 + l2}, x.logsumexp(new int[]{-1}, true), 2, 1);
            // over all axes
            assertClose(new double[]{1000 + l2}, x.logsumexp(new int[0], false));
            // a transposed view: columns
            assertClose(new double[]{1000 + l2, -1000 + l2}, x.transpose().logsumexp(new int[]{0}, false), 2);
            Tensor small = Tensor.of(1.0, 2.0, 3.0);
            assertClose(new double[]{Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3))}, small.logsumexp(new int[]{0}, false));
            // all −∞ gives −∞; +∞ gives +∞; NaN propagates
            double ninf = Double.NEGATIVE_INFINITY;
            Tensor special = Tensor.fromArray(new double[][]{{ninf, ninf}, {1, Double.POSITIVE_INFINITY}, {1, Double.NaN}});
            double[] lse = special.logsumexp(new int[]{1}, false).toDoubleArray();
            assertEquals(ninf, lse[0]);
            assertEquals(Double.POSITIVE_INFINITY, lse[1]);
            assertTrue(Double.isNaN(lse[2]));
            // an empty slice gives −∞; integers give F64
            assertTensor(Tensor.zeros(DType.F32, 2, 0).logsumexp(new int[]{1}, false), shape(2), ninf, ninf);
            Tensor ints = Tensor.of(0, 0);
            assertEquals(DType.F64, ints.logsumexp(new int[0], false).dtype());
            assertEquals(l2, ints.logsumexp(new int[0], false).item(), TOL);
            assertEquals(DType.F32, Tensor.of(1f, 2f).logsumexp(new int[0], false).dtype());
        }
    }

    @Test
    void softmaxAndLogSoftmax() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[][]{{1, 2, 3}, {1000, 1000, 1000}});
            double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
            double third = 1.0 / 3;
            assertClose(new double[]{Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z, third, third, third}, x.softmax(1), 2, 3);
            assertClose(new double[]{Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z, third, third, third},
                    x.transpose().softmax(0).transpose(), 2, 3);
            double lz = Math.log(z);
            double l3 = Math.log(3);
            assertClose(new double[]{1 - lz, 2 - lz, 3 - lz, -l3, -l3, -l3}, x.logSoftmax(-1), 2, 3);
            // very negative inputs: logSoftmax stays finite where log(softmax) would be −∞
            Tensor far = Tensor.of(0.0, -2000.0);
            assertClose(new double[]{0, -2000}, far.logSoftmax(0), 2);
            // a −∞ entry gets probability 0
            assertClose(new double[]{0.5, 0.5, 0}, Tensor.of(1.0, 1.0, Double.NEGATIVE_INFINITY).softmax(0), 3);
            assertEquals(DType.F64, Tensor.of(1, 2).softmax(0).dtype());
            assertEquals(DType.F32, Tensor.of(1f, 2f).softmax(0).dtype());
            double[] columnSums = x.softmax(0).sum(0).toDoubleArray();
            assertArrayEquals(new double[]{1, 1, 1}, columnSums, TOL);
            assertTensor(Tensor.zeros(DType.F64, 0, 3).softmax(1), shape(0, 3));
        }
    }
}
