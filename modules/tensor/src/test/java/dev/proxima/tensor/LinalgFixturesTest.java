package dev.proxima.tensor;

import dev.proxima.tensor.LinalgFixtures.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Arrays;

import static dev.proxima.tensor.LinalgFixtures.abs;
import static dev.proxima.tensor.LinalgFixtures.assertClose;
import static dev.proxima.tensor.LinalgFixtures.batchOf;
import static dev.proxima.tensor.LinalgFixtures.count;
import static dev.proxima.tensor.LinalgFixtures.eyes;
import static dev.proxima.tensor.LinalgFixtures.get;
import static dev.proxima.tensor.LinalgFixtures.withLast;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Linalg} against NumPy/SciPy reference values ({@code fixtures/linalg/linalg_fixtures.txt}, made
 * by {@code make_linalg_fixtures.py}). Results that are unique are compared directly; decompositions
 * whose signs or phases LAPACK may choose differently are checked through their defining identities
 * (Q·R = A, U·S·Vᵀ = A, A·v = λ·v, orthogonality) plus the parts that are unique (|R|, S, λ).
 * F64 is held to 1e-10 relative, F32 (the single-precision routines, against the F64 references) to 1e-4.
 */
@ExtendWith(NoLeaks.class)
class LinalgFixturesTest {

    static final double F64 = 1e-10;
    static final double F32 = 1e-4;

    // ================================================================== solve, inv, det

    @Test
    void solveVectorMatrixAndBroadcastBatches() {
        try (Scope scope = Scope.open()) {
            for (String c : new String[]{"solve_vec", "solve_mat", "solve_batch", "solve_batch_vec"}) {
                Tensor x = Linalg.solve(get(c, "a").tensor(), get(c, "b").tensor());
                assertEquals(DType.F64, x.dtype());
                assertClose(c, get(c, "x"), x, F64);
            }
        }
    }

    @Test
    void solveF32() {
        try (Scope scope = Scope.open()) {
            for (String c : new String[]{"solve_mat", "solve_batch"}) {
                Tensor x = Linalg.solve(get(c, "a").tensor(DType.F32), get(c, "b").tensor(DType.F32));
                assertEquals(DType.F32, x.dtype());
                assertClose(c + " F32", get(c, "x"), x, F32);
            }
        }
    }

    @Test
    void inv() {
        try (Scope scope = Scope.open()) {
            for (String c : new String[]{"inv", "inv_batch"}) {
                Tensor a = get(c, "a").tensor();
                Tensor x = Linalg.inv(a);
                assertEquals(DType.F64, x.dtype());
                assertClose(c, get(c, "x"), x, F64);
                assertClose(c + " A·inv(A)", a.shape(), eyes(count(batchOf(a.shape())), (int) a.dim(-1)), a.matmul(x), F64);
            }
            Tensor x32 = Linalg.inv(get("inv_batch", "a").tensor(DType.F32));
            assertEquals(DType.F32, x32.dtype());
            assertClose("inv F32", get("inv_batch", "x"), x32, F32);
        }
    }

    @Test
    void detAndSlogdet() {
        try (Scope scope = Scope.open()) {
            for (String c : new String[]{"det_pos", "det_neg", "det_batch", "slogdet_overflow", "slogdet_underflow"}) {
                Tensor a = get(c, "a").tensor();
                Tensor det = Linalg.det(a);
                assertEquals(DType.F64, det.dtype());
                assertClose(c + " det", get(c, "det"), det, F64);
                Linalg.SlogDet s = Linalg.slogdet(a);
                assertClose(c + " sign", get(c, "sign"), s.sign(), 0);
                assertClose(c + " log|det|", get(c, "logdet"), s.logAbsDet(), F64);
            }
            Tensor a32 = get("det_batch", "a").tensor(DType.F32);
            Tensor det32 = Linalg.det(a32);
            assertEquals(DType.F32, det32.dtype());
            assertClose("det F32", get("det_batch", "det"), det32, F32);
            Linalg.SlogDet s32 = Linalg.slogdet(a32);
            assertEquals(DType.F32, s32.logAbsDet().dtype());
            assertClose("slogdet F32 sign", get("det_batch", "sign"), s32.sign(), 0);
            assertClose("slogdet F32 log", get("det_batch", "logdet"), s32.logAbsDet(), F32);
        }
    }

    // ================================================================== cholesky, triangular solve

    @Test
    void choleskyLowerAndUpper() {
        try (Scope scope = Scope.open()) {
            for (String c : new String[]{"cholesky", "cholesky_batch"}) {
                Tensor a = get(c, "a").tensor();
                Tensor l = Linalg.cholesky(a, false);
                Tensor u = Linalg.cholesky(a, true);
                assertClose(c + " lower", get(c, "l"), l, F64);
                assertClose(c + " upper", get(c, "u"), u, F64);
                assertClose(c + " L·Lᵀ", get(c, "a"), l.matmul(l.transpose(-1, -2)), F64);
                assertClose(c + " Uᵀ·U", get(c, "a"), u.transpose(-1, -2).matmul(u), F64);
            }
            Tensor l32 = Linalg.cholesky(get("cholesky_batch", "a").tensor(DType.F32), false);
            assertEquals(DType.F32, l32.dtype());
            assertClose("cholesky F32", get("cholesky_batch", "l"), l32, F32);
        }
    }

    @Test
    void solveTriangularReadsOnlyTheNamedTriangle() {
        try (Scope scope = Scope.open()) {
            String c = "solve_triangular";
            Tensor a = get(c, "a").tensor();
            Tensor b = get(c, "b").tensor();
            assertClose("lower", get(c, "x_lower"), Linalg.solveTriangular(a, b, true, false), F64);
            assertClose("upper", get(c, "x_upper"), Linalg.solveTriangular(a, b, false, false), F64);
            assertClose("lower unit", get(c, "x_lower_unit"), Linalg.solveTriangular(a, b, true, true), F64);
            assertClose("upper unit", get(c, "x_upper_unit"), Linalg.solveTriangular(a, b, false, true), F64);
            assertClose("lower vector", get(c, "xv_lower"), Linalg.solveTriangular(a, get(c, "bv").tensor(), true, false), F64);
            String cb = "solve_triangular_batch";
            assertClose("batch upper", get(cb, "x_upper"),
                    Linalg.solveTriangular(get(cb, "a").tensor(), get(cb, "b").tensor(), false, false), F64);
            Tensor x32 = Linalg.solveTriangular(a.cast(DType.F32), b.cast(DType.F32), true, true);
            assertEquals(DType.F32, x32.dtype());
            assertClose("lower unit F32", get(c, "x_lower_unit"), x32, F32);
        }
    }

    // ================================================================== QR, SVD

    @Test
    void qrReducedAndComplete() {
        try (Scope scope = Scope.open()) {
            for (String c : new String[]{"qr_tall", "qr_wide", "qr_square", "qr_batch"}) {
                for (boolean complete : new boolean[]{false, true}) {
                    String mode = complete ? "complete" : "reduced";
                    checkQr(c + " " + mode, get(c, "a").tensor(), complete, get(c, "q_" + mode), get(c, "r_" + mode), F64);
                }
            }
            checkQr("qr_tall reduced F32", get("qr_tall", "a").tensor(DType.F32), false, get("qr_tall", "q_reduced"),
                    get("qr_tall", "r_reduced"), F32);
            checkQr("qr_batch complete F32", get("qr_batch", "a").tensor(DType.F32), true, get("qr_batch", "q_complete"),
                    get("qr_batch", "r_complete"), F32);
        }
    }

    private static void checkQr(String what, Tensor a, boolean complete, Entry qExpected, Entry rExpected, double tol) {
        Linalg.QR qr = Linalg.qr(a, complete);
        assertEquals(a.dtype(), qr.q().dtype(), what + " Q dtype");
        assertEquals(a.dtype(), qr.r().dtype(), what + " R dtype");
        assertArrayEquals(qExpected.shape(), qr.q().shape(), what + " Q shape");
        assertArrayEquals(rExpected.shape(), qr.r().shape(), what + " R shape");
        int qCols = (int) qr.q().dim(-1);
        assertClose(what + " Q·R = A", a.shape(), a.toDoubleArray(), qr.q().matmul(qr.r()), tol);
        assertClose(what + " Qᵀ·Q = I", withLast(batchOf(a.shape()), qCols, qCols), eyes(count(batchOf(a.shape())), qCols),
                qr.q().transpose(-1, -2).matmul(qr.q()), tol);
        assertClose(what + " |R|", abs(rExpected.values()), abs(qr.r().toDoubleArray()), tol);
        // R is exactly upper triangular
        double[] r = qr.r().toDoubleArray();
        int rows = (int) qr.r().dim(-2);
        int cols = (int) qr.r().dim(-1);
        for (int i = 0; i < r.length; i++) {
            int row = i / cols % rows;
            int col = i % cols;
            if (row > col) {
                assertEquals(0.0, r[i], what + " R below the diagonal at " + row + "," + col);
            }
        }
    }

    @Test
    void svdValuesReconstructionAndOrthogonality() {
        try (Scope scope = Scope.open()) {
            for (String c : new String[]{"svd_tall", "svd_wide", "svd_batch", "svd_rankdef", "svd_diag"}) {
                Tensor a = get(c, "a").tensor();
                checkSvd(c, a, get(c, "s"), F64);
                assertClose(c + " svdvals", get(c, "s"), Linalg.svdvals(a), F64);
            }
            Tensor a32 = get("svd_tall", "a").tensor(DType.F32);
            checkSvd("svd_tall F32", a32, get("svd_tall", "s"), F32);
            Tensor s32 = Linalg.svdvals(get("svd_batch", "a").tensor(DType.F32));
            assertEquals(DType.F32, s32.dtype());
            assertClose("svdvals F32", get("svd_batch", "s"), s32, F32);
        }
    }

    private static void checkSvd(String what, Tensor a, Entry s, double tol) {
        long[] batch = batchOf(a.shape());
        long nb = count(batch);
        int m = (int) a.dim(-2);
        int n = (int) a.dim(-1);
        int k = Math.min(m, n);
        Linalg.SVD thin = Linalg.svd(a, false);
        assertEquals(a.dtype(), thin.s().dtype());
        assertArrayEquals(withLast(batch, m, k), thin.u().shape(), what + " thin U shape");
        assertArrayEquals(withLast(batch, k, n), thin.vt().shape(), what + " thin Vᵀ shape");
        assertClose(what + " S", s, thin.s(), tol);
        assertClose(what + " U·S·Vᵀ = A", a.shape(), a.toDoubleArray(), thin.u().mul(thin.s().unsqueeze(-2)).matmul(thin.vt()), tol);
        assertClose(what + " thin UᵀU", withLast(batch, k, k), eyes(nb, k), thin.u().transpose(-1, -2).matmul(thin.u()), tol);
        assertClose(what + " thin VᵀV", withLast(batch, k, k), eyes(nb, k), thin.vt().matmul(thin.vt().transpose(-1, -2)), tol);

        Linalg.SVD full = Linalg.svd(a, true);
        assertArrayEquals(withLast(batch, m, m), full.u().shape(), what + " full U shape");
        assertArrayEquals(withLast(batch, n, n), full.vt().shape(), what + " full Vᵀ shape");
        assertClose(what + " full S", s, full.s(), tol);
        assertClose(what + " full UᵀU", withLast(batch, m, m), eyes(nb, m), full.u().transpose(-1, -2).matmul(full.u()), tol);
        assertClose(what + " full VᵀV", withLast(batch, n, n), eyes(nb, n), full.vt().matmul(full.vt().transpose(-1, -2)), tol);
        Tensor uk = full.u().slice(-1, 0, k, 1);
        Tensor vtk = full.vt().slice(-2, 0, k, 1);
        assertClose(what + " full U·S·Vᵀ = A", a.shape(), a.toDoubleArray(), uk.mul(full.s().unsqueeze(-2)).matmul(vtk), tol);
    }

    // ================================================================== eigenproblems

    @Test
    void eighValuesVectorsAndLowerTriangle() {
        try (Scope scope = Scope.open()) {
            for (String c : new String[]{"eigh", "eigh_batch"}) {
                checkEigh(c, get(c, "a").tensor(), get(c, "w"), get(c, "v"), F64);
                assertClose(c + " eigvalsh", get(c, "w"), Linalg.eigvalsh(get(c, "a").tensor()), F64);
            }
            Tensor garbageAbove = get("eigh_lower_only", "a").tensor();
            assertClose("eigh reads the lower triangle", get("eigh_lower_only", "w"), Linalg.eigh(garbageAbove).values(), F64);
            assertClose("eigvalsh reads the lower triangle", get("eigh_lower_only", "w"), Linalg.eigvalsh(garbageAbove), F64);
            checkEigh("eigh_batch F32", get("eigh_batch", "a").tensor(DType.F32), get("eigh_batch", "w"), get("eigh_batch", "v"), F32);
            Tensor w32 = Linalg.eigvalsh(get("eigh", "a").tensor(DType.F32));
            assertEquals(DType.F32, w32.dtype());
            assertClose("eigvalsh F32", get("eigh", "w"), w32, F32);
        }
    }

    private static void checkEigh(String what, Tensor a, Entry w, Entry v, double tol) {
        Linalg.Eigh e = Linalg.eigh(a);
        assertEquals(a.dtype(), e.values().dtype());
        assertEquals(a.dtype(), e.vectors().dtype());
        assertClose(what + " values", w, e.values(), tol);
        assertArrayEquals(a.shape(), e.vectors().shape(), what + " vectors shape");
        int n = (int) a.dim(-1);
        long nb = count(batchOf(a.shape()));
        assertClose(what + " A·V = V·Λ", a.shape(), e.vectors().mul(e.values().unsqueeze(-2)).toDoubleArray(),
                a.matmul(e.vectors()), tol * n);
        assertClose(what + " VᵀV = I", a.shape(), eyes(nb, n), e.vectors().transpose(-1, -2).matmul(e.vectors()), tol);
        // eigenvalues are distinct, so each vector equals NumPy's up to its sign
        double[] got = e.vectors().toDoubleArray();
        double[] want = v.values();
        for (int b = 0; b < nb; b++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int r = 0; r < n; r++) {
                    dot += got[b * n * n + r * n + j] * want[b * n * n + r * n + j];
                }
                double sign = Math.signum(dot);
                for (int r = 0; r < n; r++) {
                    int i = b * n * n + r * n + j;
                    assertEquals(want[i], sign * got[i], tol, what + " vector " + j + " of batch " + b + " (up to sign)");
                }
            }
        }
    }

    @Test
    void eigValuesAsMultisetAndComplexEigenvectors() {
        try (Scope scope = Scope.open()) {
            for (String c : new String[]{"eig_random", "eig_rotation", "eig_real", "eig_batch"}) {
                checkEig(c, get(c, "a").tensor(), get(c, "w"), F64);
            }
            checkEig("eig_random F32", get("eig_random", "a").tensor(DType.F32), get("eig_random", "w"), F32);
        }
    }

    /** Values as a multiset against NumPy's; A·v = λ·v in complex arithmetic; ‖v‖ = 1; conjugate pairs adjacent. */
    static void checkEig(String what, Tensor a, Entry w, double tol) {
        Linalg.Eig eig = Linalg.eig(a);
        long[] batch = batchOf(a.shape());
        int n = (int) a.dim(-1);
        assertEquals(a.dtype().isFloating() ? a.dtype() : DType.F64, eig.values().dtype());
        assertArrayEquals(withLast(batch, n, 2), eig.values().shape(), what + " values shape");
        assertArrayEquals(withLast(batch, n, n, 2), eig.vectors().shape(), what + " vectors shape");
        double[] av = a.toDoubleArray();
        double[] vals = eig.values().toDoubleArray();
        double[] vecs = eig.vectors().toDoubleArray();
        double[] want = w.values();
        double scale = 0;
        for (double x : av) {
            scale = Math.max(scale, Math.abs(x));
        }
        for (int b = 0; b < count(batch); b++) {
            boolean[] used = new boolean[n];
            for (int j = 0; j < n; j++) {
                double re = want[(b * n + j) * 2];
                double im = want[(b * n + j) * 2 + 1];
                int best = -1;
                double bestD = Double.POSITIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    double d = Math.hypot(vals[(b * n + i) * 2] - re, vals[(b * n + i) * 2 + 1] - im);
                    if (!used[i] && d < bestD) {
                        best = i;
                        bestD = d;
                    }
                }
                used[best] = true;
                assertTrue(bestD <= tol * Math.max(1, Math.hypot(re, im)),
                        what + " batch " + b + ": eigenvalue " + re + (im < 0 ? "" : "+") + im + "i not found in " + Arrays.toString(vals));
            }
            for (int j = 0; j < n; j++) {
                double lr = vals[(b * n + j) * 2];
                double li = vals[(b * n + j) * 2 + 1];
                if (li > 0) {
                    assertTrue(j + 1 < n && vals[(b * n + j + 1) * 2] == lr && vals[(b * n + j + 1) * 2 + 1] == -li,
                            what + ": the conjugate of eigenvalue " + j + " must follow it");
                }
                double norm2 = 0;
                for (int r = 0; r < n; r++) {
                    double sr = 0;
                    double si = 0;
                    for (int c = 0; c < n; c++) {
                        double arc = av[b * n * n + r * n + c];
                        sr += arc * vecs[((b * n + c) * n + j) * 2];
                        si += arc * vecs[((b * n + c) * n + j) * 2 + 1];
                    }
                    double vr = vecs[((b * n + r) * n + j) * 2];
                    double vi = vecs[((b * n + r) * n + j) * 2 + 1];
                    double lvr = lr * vr - li * vi;
                    double lvi = lr * vi + li * vr;
                    assertTrue(Math.hypot(sr - lvr, si - lvi) <= tol * n * Math.max(1, scale),
                            what + " batch " + b + ": A·v ≠ λ·v for eigenvalue " + j + " at row " + r);
                    norm2 += vr * vr + vi * vi;
                }
                assertEquals(1.0, norm2, tol, what + ": eigenvector " + j + " has unit norm");
            }
        }
    }

    // ================================================================== least squares, pinv

    @Test
    void lstsqOverUnderAndRankDeficient() {
        try (Scope scope = Scope.open()) {
            for (String c : new String[]{"lstsq_over", "lstsq_over_mat", "lstsq_under", "lstsq_rankdef", "lstsq_rcond"}) {
                // the fixture script writes NumPy's rcond=None (the default cutoff) as -1
                double rcond = get(c, "rcond").scalar();
                Tensor a = get(c, "a").tensor();
                Tensor b = get(c, "b").tensor();
                Linalg.Lstsq r = rcond < 0 ? Linalg.lstsq(a, b) : Linalg.lstsq(a, b, rcond);
                assertClose(c + " solution", get(c, "x"), r.solution(), F64);
                assertClose(c + " residuals", get(c, "residuals"), r.residuals(), F64);
                assertEquals((long) get(c, "rank").scalar(), r.rank(), c + " rank");
                assertClose(c + " singular values", get(c, "s"), r.singularValues(), F64);
            }
            String c = "lstsq_over_mat";
            Linalg.Lstsq r = Linalg.lstsq(get(c, "a").tensor(DType.F32), get(c, "b").tensor(DType.F32));
            assertEquals(DType.F32, r.solution().dtype());
            assertClose("lstsq F32 solution", get(c, "x"), r.solution(), F32);
            assertClose("lstsq F32 residuals", get(c, "residuals"), r.residuals(), F32);
            assertEquals(3, r.rank());
            assertClose("lstsq F32 singular values", get(c, "s"), r.singularValues(), F32);
        }
    }

    @Test
    void pinv() {
        try (Scope scope = Scope.open()) {
            for (String c : new String[]{"pinv", "pinv_rankdef", "pinv_batch"}) {
                Tensor a = get(c, "a").tensor();
                Tensor p = Linalg.pinv(a, get(c, "rcond").scalar());
                assertClose(c, get(c, "p"), p, F64);
                assertEquals(1e-15, get(c, "rcond").scalar(), "the fixtures use NumPy's default cutoff");
                assertClose(c + " default cutoff", get(c, "p"), Linalg.pinv(a), F64);
                assertClose(c + " A·P·A = A", get(c, "a"), a.matmul(p).matmul(a), F64);
            }
            Tensor p32 = Linalg.pinv(get("pinv_batch", "a").tensor(DType.F32), 1e-6);
            assertEquals(DType.F32, p32.dtype());
            assertClose("pinv F32", get("pinv_batch", "p"), p32, F32);
        }
    }

    // ================================================================== norms, powers

    private static final Object[][] NORMS = {
            {"fro", Linalg.MatrixNorm.FROBENIUS}, {"nuc", Linalg.MatrixNorm.NUCLEAR},
            {"2", Linalg.MatrixNorm.SPECTRAL}, {"-2", Linalg.MatrixNorm.MIN_SINGULAR},
            {"1", Linalg.MatrixNorm.MAX_COLUMN_SUM}, {"-1", Linalg.MatrixNorm.MIN_COLUMN_SUM},
            {"inf", Linalg.MatrixNorm.MAX_ROW_SUM}, {"-inf", Linalg.MatrixNorm.MIN_ROW_SUM}};

    @Test
    void matrixNorms() {
        try (Scope scope = Scope.open()) {
            for (String c : new String[]{"norm", "norm_batch"}) {
                Tensor a = get(c, "a").tensor();
                Tensor a32 = a.cast(DType.F32);
                for (Object[] o : NORMS) {
                    Linalg.MatrixNorm ord = (Linalg.MatrixNorm) o[1];
                    Entry want = get(c, "ord_" + o[0]);
                    Tensor r = Linalg.matrixNorm(a, ord);
                    assertEquals(DType.F64, r.dtype(), c + " " + ord);
                    assertClose(c + " " + ord, want, r, F64);
                    Tensor r32 = Linalg.matrixNorm(a32, ord);
                    assertEquals(DType.F32, r32.dtype(), c + " F32 " + ord);
                    assertClose(c + " F32 " + ord, want, r32, F32);
                }
            }
        }
    }

    @Test
    void matrixPowerPositiveZeroNegative() {
        try (Scope scope = Scope.open()) {
            Tensor a = get("matrix_power", "a").tensor();
            for (long k : new long[]{3, 1, 0, -1, -2}) {
                Entry want = get("matrix_power", ("p" + k).replace("-", "m"));
                Tensor p = Linalg.matrixPower(a, k);
                assertEquals(DType.F64, p.dtype());
                assertClose("A^" + k, want, p, F64);
            }
            Tensor ab = get("matrix_power_batch", "a").tensor();
            assertClose("batch A^5", get("matrix_power_batch", "p5"), Linalg.matrixPower(ab, 5), F64);
            assertClose("batch A^-3", get("matrix_power_batch", "pm3"), Linalg.matrixPower(ab, -3), F64);
            Tensor p32 = Linalg.matrixPower(ab.cast(DType.F32), -3);
            assertEquals(DType.F32, p32.dtype());
            assertClose("batch F32 A^-3", get("matrix_power_batch", "pm3"), p32, F32);

            Tensor ai = get("matrix_power_int", "a").tensor();
            assertEquals(DType.I64, ai.dtype());
            Tensor p3 = Linalg.matrixPower(ai, 3);
            assertEquals(DType.I64, p3.dtype(), "integer matrices stay integer for k >= 0");
            assertClose("int A^3", get("matrix_power_int", "p3"), p3, 0);
            Tensor p0 = Linalg.matrixPower(ai, 0);
            assertEquals(DType.I64, p0.dtype());
            assertClose("int A^0", get("matrix_power_int", "p0"), p0, 0);
            Tensor pm1 = Linalg.matrixPower(ai, -1);
            assertEquals(DType.F64, pm1.dtype(), "a negative power of an integer matrix is floating");
            assertClose("int A^-1", get("matrix_power_int", "pm1"), pm1, F64);
        }
    }
}
