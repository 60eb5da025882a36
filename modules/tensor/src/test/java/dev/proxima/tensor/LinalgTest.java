package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static dev.proxima.tensor.LinalgFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-computed results and invariants of {@link Linalg}: failures and their messages, dtypes, views,
 * untouched inputs, empty batches and shape errors. Every test leaves the allocator at zero bytes.
 */
@ExtendWith(NoLeaks.class)
class LinalgTest {

    private static final double TOL = 1e-12;
    private static final double S2 = Math.sqrt(2);

    private static Tensor m(double[][] rows) {
        return Tensor.fromArray(rows);
    }

    private static void close(String what, double[] expected, Tensor actual) {
        assertClose(what, expected, actual.toDoubleArray(), TOL);
    }

    /** A reproducible random F64 tensor; {@code diag} is added to the diagonal of each trailing square matrix. */
    private static Tensor random(long seed, double diag, long... shape) {
        Random r = new Random(seed);
        int size = (int) LinalgFixtures.count(shape);
        double[] v = new double[size];
        long cols = shape[shape.length - 1];
        long rows = shape[shape.length - 2];
        for (int i = 0; i < size; i++) {
            v[i] = r.nextGaussian();
            if (rows == cols && i % (rows * cols) / cols == i % cols) {
                v[i] += diag;
            }
        }
        return Tensor.of(v).reshape(shape);
    }

    // ================================================================== hand-computed values

    @Test
    void solveAndInvByHand() {
        try (Scope scope = Scope.open()) {
            Tensor a = m(new double[][]{{2, 1}, {1, 3}});
            close("solve vector", new double[]{0.8, 1.4}, Linalg.solve(a, Tensor.of(3.0, 5.0)));
            Tensor x = Linalg.solve(a, m(new double[][]{{3, 1}, {5, 2}}));
            assertArrayEquals(new long[]{2, 2}, x.shape());
            close("solve matrix", new double[]{0.8, 0.2, 1.4, 0.6}, x);
            close("inv", new double[]{0.6, -0.7, -0.2, 0.4}, Linalg.inv(m(new double[][]{{4, 7}, {2, 6}})));
            close("solveTriangular lower", new double[]{2, 3}, Linalg.solveTriangular(m(new double[][]{{2, 99}, {1, 3}}), Tensor.of(4.0, 11.0), true, false));
            close("solveTriangular unit", new double[]{4, 7}, Linalg.solveTriangular(m(new double[][]{{2, 99}, {1, 3}}), Tensor.of(4.0, 11.0), true, true));
        }
    }

    @Test
    void detAndSlogdetByHand() {
        try (Scope scope = Scope.open()) {
            close("det", new double[]{10}, Linalg.det(m(new double[][]{{4, 7}, {2, 6}})));
            close("det of a permutation", new double[]{-1}, Linalg.det(m(new double[][]{{0, 1, 0}, {1, 0, 0}, {0, 0, 1}})));
            close("det of a diagonal", new double[]{-24}, Linalg.det(m(new double[][]{{2, 0, 0}, {0, -3, 0}, {0, 0, 4}})));
            Linalg.SlogDet s = Linalg.slogdet(m(new double[][]{{2, 0, 0}, {0, -3, 0}, {0, 0, 4}}));
            assertArrayEquals(new long[0], s.sign().shape());
            assertEquals(-1.0, s.sign().item());
            assertEquals(Math.log(24), s.logAbsDet().item(), TOL);
        }
    }

    @Test
    void choleskyQrSvdEighByHand() {
        try (Scope scope = Scope.open()) {
            Tensor a = m(new double[][]{{4, 2}, {2, 3}});
            close("cholesky lower", new double[]{2, 0, 1, S2}, Linalg.cholesky(a, false));
            close("cholesky upper", new double[]{2, 1, 0, S2}, Linalg.cholesky(a, true));
            Linalg.QR qr = Linalg.qr(m(new double[][]{{3}, {4}}), false);
            assertEquals(5.0, Math.abs(qr.r().item()), TOL);
            close("|Q|", new double[]{0.6, 0.8}, qr.q().abs());
            close("svdvals diag(3,2)", new double[]{3, 2}, Linalg.svdvals(m(new double[][]{{3, 0}, {0, 2}})));
            close("svdvals diag(2,3), descending", new double[]{3, 2}, Linalg.svdvals(m(new double[][]{{2, 0}, {0, 3}})));
            close("svdvals rank one", new double[]{5, 0}, Linalg.svdvals(m(new double[][]{{3, 0}, {4, 0}})));
            Linalg.Eigh e = Linalg.eigh(m(new double[][]{{2, 1}, {1, 2}}));
            close("eigh values ascending", new double[]{1, 3}, e.values());
            close("|eigh vectors|", new double[]{1 / S2, 1 / S2, 1 / S2, 1 / S2}, e.vectors().abs());
        }
    }

    @Test
    void eigOfARotationIsPlusMinusIWithPositiveImaginaryFirst() {
        try (Scope scope = Scope.open()) {
            Linalg.Eig e = Linalg.eig(m(new double[][]{{0, -1}, {1, 0}}));
            close("values", new double[]{0, 1, 0, -1}, e.values());
            LinalgFixturesTest.checkEig("rotation", m(new double[][]{{0, -1}, {1, 0}}),
                    new LinalgFixtures.Entry("rotation", false, new long[]{2, 2}, new double[]{0, 1, 0, -1}), TOL);
            // the second vector is the conjugate of the first
            double[] v = e.vectors().toDoubleArray();
            for (int r = 0; r < 2; r++) {
                assertEquals(v[(r * 2) * 2], v[(r * 2 + 1) * 2]);
                assertEquals(v[(r * 2) * 2 + 1], -v[(r * 2 + 1) * 2 + 1]);
            }
            Linalg.Eig d = Linalg.eig(m(new double[][]{{2, 0}, {0, -1}}));
            close("real values", new double[]{2, 0, -1, 0}, d.values());
            close("real vectors", new double[]{1, 0, 0, 0, 0, 0, 1, 0}, d.vectors().abs());
        }
    }

    @Test
    void lstsqByHand() {
        try (Scope scope = Scope.open()) {
            // x + 0y = 1, 0x + y = 1, x + y = 0: normal equations [[2,1],[1,2]] x = [1,1]
            Linalg.Lstsq r = Linalg.lstsq(m(new double[][]{{1, 0}, {0, 1}, {1, 1}}), Tensor.of(1.0, 1.0, 0.0));
            close("solution", new double[]{1 / 3.0, 1 / 3.0}, r.solution());
            close("residuals", new double[]{4 / 3.0}, r.residuals());
            assertEquals(2, r.rank());
            close("singular values", new double[]{Math.sqrt(3), 1}, r.singularValues());
            // rank one: minimum-norm solution of x + y = 2 (twice) is (1, 1), no residuals reported
            Linalg.Lstsq d = Linalg.lstsq(m(new double[][]{{1, 1}, {1, 1}}), Tensor.of(2.0, 2.0));
            close("rank-deficient solution", new double[]{1, 1}, d.solution());
            assertEquals(1, d.rank());
            assertArrayEquals(new long[]{0}, d.residuals().shape());
        }
    }

    @Test
    void defaultCutoffsAreNumpys() {
        try (Scope scope = Scope.open()) {
            // numpy.linalg.pinv's default rcond is 1e-15 for every dtype: σ = 5e-16 is dropped, 5e-15 inverted
            close("pinv drops 5e-16", new double[]{1, 0, 0, 0}, Linalg.pinv(m(new double[][]{{1, 0}, {0, 5e-16}})));
            double[] kept = Linalg.pinv(m(new double[][]{{1, 0}, {0, 5e-15}})).toDoubleArray();
            assertEquals(2e14, kept[3], 2e14 * 1e-12);
            Tensor r = Rng.seed(7).uniform(DType.F64, -1, 1, 4, 3);
            assertArrayEquals(Linalg.pinv(r, 1e-15).toDoubleArray(), Linalg.pinv(r).toDoubleArray(), 0);
            // lstsq's default (rcond=None) is ε·max(m, n): for F64 2⁻⁵²·3 ≈ 6.7e-16, so σ = 1e-16 is rank-deficient
            // (NumPy: x = [1, 0], rank 1) and σ = 1e-14 is not (x = [1, 1e14], rank 2)
            Tensor b = Tensor.of(1.0, 1.0, 1.0);
            Linalg.Lstsq dropped = Linalg.lstsq(m(new double[][]{{1, 0}, {0, 1e-16}, {0, 0}}), b);
            assertEquals(1, dropped.rank());
            close("σ below the default cutoff", new double[]{1, 0}, dropped.solution());
            Linalg.Lstsq full = Linalg.lstsq(m(new double[][]{{1, 0}, {0, 1e-14}, {0, 0}}), b);
            assertEquals(2, full.rank());
            assertEquals(1e14, full.solution().toDoubleArray()[1], 1e14 * 1e-12);
            assertEquals(2, Linalg.lstsq(m(new double[][]{{1, 0}, {0, 1e-16}, {0, 0}}), b, 1e-17).rank(), "an explicit smaller cutoff");
            // F32 is solved in single precision, so its default is 2⁻²³·3 ≈ 3.6e-7: σ = 1e-7 is dropped
            Tensor a32 = m(new double[][]{{1, 0}, {0, 1e-7}, {0, 0}}).cast(DType.F32);
            assertEquals(1, Linalg.lstsq(a32, b.cast(DType.F32)).rank());
            assertEquals(2, Linalg.lstsq(a32, b.cast(DType.F32), 1e-8).rank());
        }
    }

    @Test
    void badCutoffsAreRejectedBeforeAnyWork() {
        try (Scope scope = Scope.open()) {
            Tensor a = m(new double[][]{{1, 0}, {0, 1}, {1, 1}});
            Tensor b = Tensor.of(1.0, 1.0, 0.0);
            long before = Memory.allocatedBytes();
            for (double rcond : new double[]{-1, -1e-300, Double.NaN, 1, 2, Double.POSITIVE_INFINITY}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Linalg.lstsq(a, b, rcond));
                assertTrue(e.getMessage().contains("rcond") && e.getMessage().contains("[0, 1)"), e.getMessage());
            }
            for (double rcond : new double[]{-1, -1e-300, Double.NaN}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Linalg.pinv(a, rcond));
                assertTrue(e.getMessage().contains("rcond"), e.getMessage());
            }
            assertEquals(before, Memory.allocatedBytes(), "rejected calls allocate nothing");
            // the edges that are accepted: 0 (LAPACK then uses ε) and anything up to 1 for lstsq; 1 and more for pinv
            assertEquals(2, Linalg.lstsq(a, b, 0).rank());
            assertEquals(1, Linalg.lstsq(a, b, Math.nextDown(1.0)).rank(), "σ₂/σ₁ = 1/√3 is below the cutoff");
            close("pinv with rcond 1 drops everything", new double[6], Linalg.pinv(a, 1));
        }
    }

    @Test
    void pinvNormsAndPowersByHand() {
        try (Scope scope = Scope.open()) {
            close("pinv of a column", new double[]{0.12, 0.16}, Linalg.pinv(m(new double[][]{{3}, {4}}), 1e-15));
            close("pinv drops zero singular values", new double[]{0.5, 0, 0, 0}, Linalg.pinv(m(new double[][]{{2, 0}, {0, 0}}), 1e-15));
            Tensor a = m(new double[][]{{1, -2}, {-3, 4}});
            close("fro", new double[]{Math.sqrt(30)}, Linalg.matrixNorm(a, Linalg.MatrixNorm.FROBENIUS));
            close("1", new double[]{6}, Linalg.matrixNorm(a, Linalg.MatrixNorm.MAX_COLUMN_SUM));
            close("-1", new double[]{4}, Linalg.matrixNorm(a, Linalg.MatrixNorm.MIN_COLUMN_SUM));
            close("inf", new double[]{7}, Linalg.matrixNorm(a, Linalg.MatrixNorm.MAX_ROW_SUM));
            close("-inf", new double[]{3}, Linalg.matrixNorm(a, Linalg.MatrixNorm.MIN_ROW_SUM));
            Tensor d = m(new double[][]{{3, 0}, {0, -2}});
            close("2", new double[]{3}, Linalg.matrixNorm(d, Linalg.MatrixNorm.SPECTRAL));
            close("-2", new double[]{2}, Linalg.matrixNorm(d, Linalg.MatrixNorm.MIN_SINGULAR));
            close("nuc", new double[]{5}, Linalg.matrixNorm(d, Linalg.MatrixNorm.NUCLEAR));

            Tensor fib = m(new double[][]{{1, 1}, {1, 0}});
            close("fibonacci^10", new double[]{89, 55, 55, 34}, Linalg.matrixPower(fib, 10));
            close("^1", fib.toDoubleArray(), Linalg.matrixPower(fib, 1));
            close("^-1", new double[]{0, 1, 1, -1}, Linalg.matrixPower(fib, -1));
            Tensor p0 = Linalg.matrixPower(random(1, 0, 3, 2, 2), 0);
            assertArrayEquals(new long[]{3, 2, 2}, p0.shape());
            close("^0 of a batch", LinalgFixtures.eyes(3, 2), p0);
        }
    }

    @Test
    void matrixPowerOfExtremeExponents() {
        try (Scope scope = Scope.open()) {
            // k = Long.MIN_VALUE is the inverse to the power 2^63: 2^(-2^63) underflows to 0, (-1)^even = 1, (-1)^odd = -1
            close("diag(2, 1)^MIN_VALUE", new double[]{0, 0, 0, 1}, Linalg.matrixPower(m(new double[][]{{2, 0}, {0, 1}}), Long.MIN_VALUE));
            close("diag(-1, 1)^MIN_VALUE", new double[]{1, 0, 0, 1}, Linalg.matrixPower(m(new double[][]{{-1, 0}, {0, 1}}), Long.MIN_VALUE));
            close("diag(1, -1)^MAX_VALUE", new double[]{1, 0, 0, -1}, Linalg.matrixPower(m(new double[][]{{1, 0}, {0, -1}}), Long.MAX_VALUE));
        }
    }

    // ================================================================== numerical failures

    @Test
    void singularMatrixNamesTheFactorizationAndThePivot() {
        try (Scope scope = Scope.open()) {
            Tensor a = m(new double[][]{{1, 2}, {2, 4}});
            LinalgException e = assertThrows(LinalgException.class, () -> Linalg.solve(a, Tensor.of(1.0, 1.0)));
            assertTrue(e.getMessage().contains("solve (getrf)") && e.getMessage().contains("info = 2") && e.getMessage().contains("U[1,1]")
                    && e.getMessage().contains("singular"), e.getMessage());
            Tensor batch = Tensor.zeros(DType.F64, 3, 2, 2).add(Tensor.eye(2, DType.F64));
            Tensor singularSecond = Tensor.where(Tensor.of(true, false, true).reshape(3, 1, 1), batch, Tensor.scalar(0, DType.F64));
            LinalgException eb = assertThrows(LinalgException.class, () -> Linalg.solve(singularSecond, Tensor.of(1.0, 1.0)));
            assertTrue(eb.getMessage().contains("batch element 1") && eb.getMessage().contains("U[0,0]"), eb.getMessage());
        }
    }

    @Test
    void singularMatrixNamesGetrfAndThePivot() {
        try (Scope scope = Scope.open()) {
            LinalgException e = assertThrows(LinalgException.class, () -> Linalg.inv(m(new double[][]{{1, 2}, {2, 4}})));
            assertTrue(e.getMessage().contains("getrf") && e.getMessage().contains("U[1,1]"), e.getMessage());
            LinalgException e0 = assertThrows(LinalgException.class, () -> Linalg.inv(m(new double[][]{{0, 1, 0}, {0, 2, 0}, {0, 3, 1}})));
            assertTrue(e0.getMessage().contains("getrf") && e0.getMessage().contains("info = 1") && e0.getMessage().contains("U[0,0]"), e0.getMessage());
            assertThrows(LinalgException.class, () -> Linalg.matrixPower(m(new double[][]{{1, 2}, {2, 4}}), -1));
        }
    }

    @Test
    void detOfASingularMatrixIsZeroAndSlogdetMinusInfinity() {
        try (Scope scope = Scope.open()) {
            Tensor a = m(new double[][]{{1, 2}, {2, 4}});
            assertEquals(0.0, Linalg.det(a).item());
            Linalg.SlogDet s = Linalg.slogdet(a);
            assertEquals(0.0, s.sign().item());
            assertEquals(Double.NEGATIVE_INFINITY, s.logAbsDet().item());
        }
    }

    @Test
    void notPositiveDefiniteNamesPotrfAndTheMinor() {
        try (Scope scope = Scope.open()) {
            LinalgException e = assertThrows(LinalgException.class, () -> Linalg.cholesky(m(new double[][]{{1, 2}, {2, 1}}), false));
            assertTrue(e.getMessage().contains("potrf") && e.getMessage().contains("minor of order 2"), e.getMessage());
            LinalgException e1 = assertThrows(LinalgException.class, () -> Linalg.cholesky(m(new double[][]{{-1, 0}, {0, 1}}), true));
            assertTrue(e1.getMessage().contains("potrf") && e1.getMessage().contains("minor of order 1"), e1.getMessage());
        }
    }

    @Test
    void zeroOnTheTriangularDiagonalNamesTrtrs() {
        try (Scope scope = Scope.open()) {
            LinalgException e = assertThrows(LinalgException.class,
                    () -> Linalg.solveTriangular(m(new double[][]{{1, 0}, {5, 0}}), Tensor.of(1.0, 1.0), true, false));
            assertTrue(e.getMessage().contains("trtrs") && e.getMessage().contains("A[1,1]"), e.getMessage());
            // with an implicit unit diagonal the stored zero is never read
            close("unit diagonal", new double[]{1, -4}, Linalg.solveTriangular(m(new double[][]{{1, 0}, {5, 0}}), Tensor.of(1.0, 1.0), true, true));
        }
    }

    @Test
    void nanInputIsReportedAsNaNNotAsAnInternalError() {
        try (Scope scope = Scope.open()) {
            Tensor a = m(new double[][]{{Double.NaN, 1}, {1, 2}});
            List<Function<Tensor, Object>> fns = List.of(
                    x -> Linalg.solve(x, Tensor.of(1.0, 1.0)), Linalg::inv, x -> Linalg.cholesky(x, false),
                    Linalg::svdvals, Linalg::eigh, Linalg::eig, x -> Linalg.lstsq(x, Tensor.of(1.0, 1.0)));
            for (Function<Tensor, Object> f : fns) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.apply(a));
                assertTrue(e.getMessage().contains("NaN"), e.getMessage());
            }
        }
    }

    // ================================================================== dtypes

    @Test
    void integerInputsGiveF64Results() {
        try (Scope scope = Scope.open()) {
            int[][] ai = {{4, 2, 0}, {2, 5, 1}, {0, 1, 3}};
            Tensor a32 = Tensor.fromArray(ai);
            Tensor a64 = a32.cast(DType.I64);
            Tensor af = a32.cast(DType.F64);
            Tensor bi = Tensor.of(1, 2, 3);
            Tensor bf = bi.cast(DType.F64);
            for (Tensor a : new Tensor[]{a32, a64}) {
                List<Tensor[]> pairs = List.of(
                        new Tensor[]{Linalg.solve(a, bi), Linalg.solve(af, bf)},
                        new Tensor[]{Linalg.inv(a), Linalg.inv(af)},
                        new Tensor[]{Linalg.det(a), Linalg.det(af)},
                        new Tensor[]{Linalg.slogdet(a).sign(), Linalg.slogdet(af).sign()},
                        new Tensor[]{Linalg.slogdet(a).logAbsDet(), Linalg.slogdet(af).logAbsDet()},
                        new Tensor[]{Linalg.cholesky(a, false), Linalg.cholesky(af, false)},
                        new Tensor[]{Linalg.solveTriangular(a, bi, false, false), Linalg.solveTriangular(af, bf, false, false)},
                        new Tensor[]{Linalg.qr(a, false).r(), Linalg.qr(af, false).r()},
                        new Tensor[]{Linalg.svd(a, false).s(), Linalg.svd(af, false).s()},
                        new Tensor[]{Linalg.svdvals(a), Linalg.svdvals(af)},
                        new Tensor[]{Linalg.eigh(a).values(), Linalg.eigh(af).values()},
                        new Tensor[]{Linalg.eigvalsh(a), Linalg.eigvalsh(af)},
                        new Tensor[]{Linalg.eig(a).values(), Linalg.eig(af).values()},
                        new Tensor[]{Linalg.lstsq(a, bi).solution(), Linalg.lstsq(af, bf).solution()},
                        new Tensor[]{Linalg.pinv(a, 1e-15), Linalg.pinv(af, 1e-15)},
                        new Tensor[]{Linalg.matrixNorm(a, Linalg.MatrixNorm.FROBENIUS), Linalg.matrixNorm(af, Linalg.MatrixNorm.FROBENIUS)},
                        new Tensor[]{Linalg.matrixNorm(a, Linalg.MatrixNorm.NUCLEAR), Linalg.matrixNorm(af, Linalg.MatrixNorm.NUCLEAR)},
                        new Tensor[]{Linalg.matrixNorm(a, Linalg.MatrixNorm.MAX_ROW_SUM), Linalg.matrixNorm(af, Linalg.MatrixNorm.MAX_ROW_SUM)},
                        new Tensor[]{Linalg.matrixPower(a, -2), Linalg.matrixPower(af, -2)});
                for (int i = 0; i < pairs.size(); i++) {
                    Tensor got = pairs.get(i)[0];
                    assertEquals(DType.F64, got.dtype(), a.dtype() + " input, result " + i);
                    close(a.dtype() + " input, result " + i, pairs.get(i)[1].toDoubleArray(), got);
                }
                Tensor p = Linalg.matrixPower(a, 2);
                assertEquals(a.dtype(), p.dtype(), "non-negative powers of integer matrices stay integer");
                close("integer A^2", Linalg.matrixPower(af, 2).toDoubleArray(), p);
            }
        }
    }

    @Test
    void mixedPrecisionPromotesToF64() {
        try (Scope scope = Scope.open()) {
            Tensor a = m(new double[][]{{2, 1}, {1, 3}});
            Tensor x = Linalg.solve(a.cast(DType.F32), Tensor.of(3.0, 5.0));
            assertEquals(DType.F64, x.dtype());
            close("F32 A, F64 b", new double[]{0.8, 1.4}, x);
            Tensor y = Linalg.solve(a, Tensor.of(3f, 5f));
            assertEquals(DType.F64, y.dtype());
            Tensor z = Linalg.solveTriangular(a.cast(DType.F32), Tensor.of(3f, 5f), true, false);
            assertEquals(DType.F32, z.dtype());
        }
    }

    // ================================================================== views and inputs

    /** Every function on the given inputs, flattened to arrays (a: general square, spd: positive definite, b: right-hand sides). */
    private static List<double[]> everything(Tensor a, Tensor spd, Tensor b) {
        List<double[]> out = new ArrayList<>();
        try (Scope scope = Scope.open()) {
            out.add(Linalg.solve(a, b).toDoubleArray());
            out.add(Linalg.inv(a).toDoubleArray());
            out.add(Linalg.det(a).toDoubleArray());
            out.add(Linalg.slogdet(a).logAbsDet().toDoubleArray());
            out.add(Linalg.cholesky(spd, false).toDoubleArray());
            out.add(Linalg.cholesky(spd, true).toDoubleArray());
            out.add(Linalg.solveTriangular(a, b, true, false).toDoubleArray());
            out.add(Linalg.solveTriangular(a, b, false, true).toDoubleArray());
            Linalg.QR qr = Linalg.qr(a, true);
            out.add(qr.q().toDoubleArray());
            out.add(qr.r().toDoubleArray());
            Linalg.SVD svd = Linalg.svd(a, false);
            out.add(svd.u().toDoubleArray());
            out.add(svd.s().toDoubleArray());
            out.add(svd.vt().toDoubleArray());
            out.add(Linalg.svdvals(a).toDoubleArray());
            Linalg.Eigh eh = Linalg.eigh(spd);
            out.add(eh.values().toDoubleArray());
            out.add(eh.vectors().toDoubleArray());
            out.add(Linalg.eigvalsh(spd).toDoubleArray());
            Linalg.Eig eg = Linalg.eig(a);
            out.add(eg.values().toDoubleArray());
            out.add(eg.vectors().toDoubleArray());
            out.add(Linalg.pinv(a, 1e-15).toDoubleArray());
            for (Linalg.MatrixNorm ord : Linalg.MatrixNorm.values()) {
                out.add(Linalg.matrixNorm(a, ord).toDoubleArray());
            }
            out.add(Linalg.matrixPower(a, 3).toDoubleArray());
            out.add(Linalg.matrixPower(a, -2).toDoubleArray());
            if (a.rank() == 2) {
                Linalg.Lstsq l = Linalg.lstsq(a, b);
                out.add(l.solution().toDoubleArray());
                out.add(l.singularValues().toDoubleArray());
            }
        }
        return out;
    }

    private static void assertSame(String what, List<double[]> expected, List<double[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertClose(what + ", result " + i, expected.get(i), actual.get(i), TOL);
        }
    }

    @Test
    void transposedAndStridedViewsGiveTheResultsOfContiguousCopies() {
        try (Scope scope = Scope.open()) {
            // a single matrix: transposed views, and columns taken with a step of 2
            Tensor base = random(7, 4, 4, 4);
            Tensor spdBase = base.matmul(base.transpose()).add(Tensor.eye(4, DType.F64));
            Tensor wide = random(8, 0, 4, 6);
            Tensor at = base.transpose();
            Tensor spdT = spdBase.transpose();
            Tensor bStrided = wide.slice(1, 1, 6, 2);                  // [4, 3], column stride 2
            assertTrue(!at.isContiguous() && !spdT.isContiguous() && !bStrided.isContiguous());
            assertSame("2-D views", everything(at.copy(), spdT.copy(), bStrided.copy()), everything(at, spdT, bStrided));

            // a batch: permuted batch and matrix axes, and a broadcast right-hand side
            Tensor stack = random(9, 4, 3, 2, 4, 4);                    // view [2, 3, 4, 4] after permute
            Tensor as = stack.permute(1, 0, 3, 2);
            Tensor spdS = as.matmul(as.transpose(-1, -2)).add(Tensor.eye(4, DType.F64)).transpose(-1, -2);
            Tensor bs = random(10, 0, 4, 2).broadcastTo(2, 3, 4, 2);   // stride 0 over the batch
            assertTrue(!as.isContiguous() && !bs.isContiguous());
            assertSame("batched views", everything(as.copy(), spdS.copy(), bs.copy()), everything(as, spdS, bs));
        }
    }

    @Test
    void inputsAreNotModified() {
        try (Scope scope = Scope.open()) {
            Tensor base = random(11, 4, 4, 4);
            Tensor spd = base.matmul(base.transpose()).add(Tensor.eye(4, DType.F64));
            Tensor b = random(12, 0, 4, 2);
            Tensor bv = random(13, 0, 4, 1).reshape(4);
            List<Tensor[]> inputs = List.of(
                    new Tensor[]{base, spd, b},
                    new Tensor[]{base.transpose(), spd.transpose(), b},     // views reach LAPACK's buffers most directly
                    new Tensor[]{base, spd, bv},
                    new Tensor[]{base.cast(DType.F32), spd.cast(DType.F32), b.cast(DType.F32)});
            for (Tensor[] in : inputs) {
                double[][] before = {in[0].toDoubleArray(), in[1].toDoubleArray(), in[2].toDoubleArray()};
                everything(in[0], in[1], in[2]);
                for (int i = 0; i < 3; i++) {
                    assertArrayEquals(before[i], in[i].toDoubleArray(), "input " + i + " was modified");
                }
            }
        }
    }

    // ================================================================== empty tensors

    @Test
    void emptyBatchDimensions() {
        try (Scope scope = Scope.open()) {
            Tensor a = Tensor.zeros(DType.F64, 0, 3, 3);
            Tensor tall = Tensor.zeros(DType.F64, 2, 0, 4, 3);
            assertArrayEquals(new long[]{0, 3}, Linalg.solve(a, Tensor.zeros(DType.F64, 3)).shape());
            assertArrayEquals(new long[]{0, 3, 2}, Linalg.solve(a, Tensor.zeros(DType.F64, 0, 3, 2)).shape());
            assertArrayEquals(new long[]{0, 3, 2}, Linalg.solve(a, Tensor.zeros(DType.F64, 3, 2)).shape());
            assertArrayEquals(new long[]{0, 3, 3}, Linalg.inv(a).shape());
            assertArrayEquals(new long[]{0}, Linalg.det(a).shape());
            assertArrayEquals(new long[]{0}, Linalg.slogdet(a).sign().shape());
            assertArrayEquals(new long[]{0}, Linalg.slogdet(a).logAbsDet().shape());
            assertArrayEquals(new long[]{0, 3, 3}, Linalg.cholesky(a, false).shape());
            assertArrayEquals(new long[]{0, 3, 2}, Linalg.solveTriangular(a, Tensor.zeros(DType.F64, 3, 2), true, false).shape());
            Linalg.QR qr = Linalg.qr(tall, false);
            assertArrayEquals(new long[]{2, 0, 4, 3}, qr.q().shape());
            assertArrayEquals(new long[]{2, 0, 3, 3}, qr.r().shape());
            Linalg.QR qrc = Linalg.qr(tall, true);
            assertArrayEquals(new long[]{2, 0, 4, 4}, qrc.q().shape());
            assertArrayEquals(new long[]{2, 0, 4, 3}, qrc.r().shape());
            Linalg.SVD svd = Linalg.svd(tall, false);
            assertArrayEquals(new long[]{2, 0, 4, 3}, svd.u().shape());
            assertArrayEquals(new long[]{2, 0, 3}, svd.s().shape());
            assertArrayEquals(new long[]{2, 0, 3, 3}, svd.vt().shape());
            assertArrayEquals(new long[]{2, 0, 4, 4}, Linalg.svd(tall, true).u().shape());
            assertArrayEquals(new long[]{2, 0, 3}, Linalg.svdvals(tall).shape());
            assertArrayEquals(new long[]{0, 3}, Linalg.eigh(a).values().shape());
            assertArrayEquals(new long[]{0, 3, 3}, Linalg.eigh(a).vectors().shape());
            assertArrayEquals(new long[]{0, 3}, Linalg.eigvalsh(a).shape());
            assertArrayEquals(new long[]{0, 3, 2}, Linalg.eig(a).values().shape());
            assertArrayEquals(new long[]{0, 3, 3, 2}, Linalg.eig(a).vectors().shape());
            assertArrayEquals(new long[]{2, 0, 3, 4}, Linalg.pinv(tall, 1e-15).shape());
            for (Linalg.MatrixNorm ord : Linalg.MatrixNorm.values()) {
                assertArrayEquals(new long[]{2, 0}, Linalg.matrixNorm(tall, ord).shape(), ord.toString());
            }
            for (long k : new long[]{-2, 0, 3}) {
                assertArrayEquals(new long[]{0, 3, 3}, Linalg.matrixPower(a, k).shape(), "k = " + k);
            }
        }
    }

    @Test
    void zeroByZeroMatricesAndZeroRightHandSides() {
        try (Scope scope = Scope.open()) {
            Tensor e = Tensor.zeros(DType.F64, 0, 0);
            assertArrayEquals(new long[]{0, 0}, Linalg.inv(e).shape());
            assertEquals(1.0, Linalg.det(e).item(), "the determinant of a 0x0 matrix is 1");
            assertArrayEquals(new long[]{0}, Linalg.solve(e, Tensor.zeros(DType.F64, 0)).shape());
            Tensor a = m(new double[][]{{2, 1}, {1, 3}});
            assertArrayEquals(new long[]{2, 0}, Linalg.solve(a, Tensor.zeros(DType.F64, 2, 0)).shape());
            assertArrayEquals(new long[]{2, 0}, Linalg.solveTriangular(a, Tensor.zeros(DType.F64, 2, 0), true, false).shape());
            Linalg.Lstsq l = Linalg.lstsq(m(new double[][]{{1, 0}, {0, 2}, {0, 0}}), Tensor.zeros(DType.F64, 3, 0));
            assertArrayEquals(new long[]{2, 0}, l.solution().shape());
            assertArrayEquals(new long[]{0}, l.residuals().shape());
            assertEquals(2, l.rank());
            close("singular values with no right-hand side", new double[]{2, 1}, l.singularValues());
        }
    }

    // ================================================================== shape errors

    private static void assertShapeError(String what, Runnable call, String... shapes) {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class, call::run, what);
        for (String s : shapes) {
            assertTrue(e.getMessage().contains(s), what + ": message should name " + s + ": " + e.getMessage());
        }
    }

    @Test
    void nonSquareAndNonMatrixInputsAreRejected() {
        try (Scope scope = Scope.open()) {
            Tensor rect = Tensor.zeros(DType.F64, 2, 3);
            Tensor vec = Tensor.zeros(DType.F64, 3);
            assertShapeError("inv", () -> Linalg.inv(rect), "[2, 3]");
            assertShapeError("inv 1-D", () -> Linalg.inv(vec), "[3]");
            assertShapeError("solve", () -> Linalg.solve(rect, Tensor.zeros(DType.F64, 2)), "[2, 3]");
            assertShapeError("det", () -> Linalg.det(rect), "[2, 3]");
            assertShapeError("slogdet", () -> Linalg.slogdet(rect), "[2, 3]");
            assertShapeError("cholesky", () -> Linalg.cholesky(rect, false), "[2, 3]");
            assertShapeError("solveTriangular", () -> Linalg.solveTriangular(rect, Tensor.zeros(DType.F64, 2), true, false), "[2, 3]");
            assertShapeError("eigh", () -> Linalg.eigh(rect), "[2, 3]");
            assertShapeError("eigvalsh", () -> Linalg.eigvalsh(rect), "[2, 3]");
            assertShapeError("eig", () -> Linalg.eig(rect), "[2, 3]");
            assertShapeError("matrixPower", () -> Linalg.matrixPower(rect, 2), "[2, 3]");
            assertShapeError("qr 1-D", () -> Linalg.qr(vec, false), "[3]");
            assertShapeError("svd 1-D", () -> Linalg.svd(vec, false), "[3]");
            assertShapeError("svdvals 1-D", () -> Linalg.svdvals(vec), "[3]");
            assertShapeError("pinv 1-D", () -> Linalg.pinv(vec, 1e-15), "[3]");
            assertShapeError("matrixNorm 1-D", () -> Linalg.matrixNorm(vec, Linalg.MatrixNorm.FROBENIUS), "[3]");
            assertShapeError("lstsq 3-D", () -> Linalg.lstsq(Tensor.zeros(DType.F64, 2, 3, 3), vec), "[2, 3, 3]");
        }
    }

    @Test
    void mismatchedRightHandSidesNameBothShapes() {
        try (Scope scope = Scope.open()) {
            Tensor a = Tensor.eye(3, DType.F64);
            assertShapeError("solve vector", () -> Linalg.solve(a, Tensor.zeros(DType.F64, 4)), "[3, 3]", "[4]");
            assertShapeError("solve matrix", () -> Linalg.solve(a, Tensor.zeros(DType.F64, 4, 2)), "[3, 3]", "[4, 2]");
            assertShapeError("solve scalar", () -> Linalg.solve(a, Tensor.scalar(1, DType.F64)), "[3, 3]", "[]");
            assertShapeError("solveTriangular", () -> Linalg.solveTriangular(a, Tensor.zeros(DType.F64, 2, 2), true, false), "[3, 3]", "[2, 2]");
            assertShapeError("lstsq", () -> Linalg.lstsq(Tensor.zeros(DType.F64, 4, 3), Tensor.zeros(DType.F64, 5)), "[4, 3]", "[5]");
            assertShapeError("lstsq 3-D b", () -> Linalg.lstsq(Tensor.zeros(DType.F64, 4, 3), Tensor.zeros(DType.F64, 2, 4, 1)),
                    "[4, 3]", "[2, 4, 1]");
            Tensor batch = Tensor.zeros(DType.F64, 2, 3, 3);
            Tensor other = Tensor.zeros(DType.F64, 3, 3, 1);
            assertShapeError("solve batches", () -> Linalg.solve(batch, other), "[2, 3, 3]", "[3, 3, 1]");
            assertShapeError("solveTriangular batches", () -> Linalg.solveTriangular(batch, other, true, false), "[2, 3, 3]", "[3, 3, 1]");
        }
    }
}
