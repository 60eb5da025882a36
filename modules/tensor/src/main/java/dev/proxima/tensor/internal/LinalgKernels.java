package dev.proxima.tensor.internal;

import dev.proxima.blas.Lapacke;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.LinalgException;
import dev.proxima.tensor.spi.KernelRegistry;
import dev.proxima.tensor.spi.Kernels;
import dev.proxima.tensor.spi.StridedView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The CPU kernels behind {@code dev.proxima.tensor.Linalg}: batches of LAPACK calls (the LAPACKE interface of
 * the loaded OpenBLAS, which runs them on its big-stack threads) on strided views.
 *
 * <p>Each kernel copies every matrix of its inputs into a host work buffer in the layout its routine wants
 * (LAPACK overwrites it; the inputs are never modified), calls the routine once per matrix of the batch, and
 * copies the results into its contiguous outputs. A row-major matrix's memory is its transpose in column-major
 * order, which {@code solve}, {@code solveTriangular} and {@code slogdet} use instead of transposing.
 * A numerical failure throws {@link LinalgException} naming the operation, the routine, the decoded
 * {@code info} and the batch element; work buffers are freed on every path.
 */
final class LinalgKernels {

    private LinalgKernels() {
    }

    /** Registers the linear-algebra kernels (the CPU backend's). */
    static void register(KernelRegistry r) {
        r.register(Kernels.LU_SOLVE, (none, v) -> {
            solve(v[0], v[1], v[2]);
            return true;
        });
        r.register(Kernels.INVERSE, (none, v) -> {
            inverse(v[0], v[1]);
            return true;
        });
        r.register(Kernels.SLOGDET, (none, v) -> {
            slogdet(v[0], v[1], v[2]);
            return true;
        });
        r.register(Kernels.CHOLESKY, (upper, v) -> {
            cholesky(v[0], upper, v[1]);
            return true;
        });
        r.register(Kernels.TRIANGULAR_SOLVE, (p, v) -> {
            solveTriangular(v[0], v[1], p.lower(), p.unitDiagonal(), v[2]);
            return true;
        });
        r.register(Kernels.QR, (complete, v) -> {
            qr(v[0], complete, v[1], v[2]);
            return true;
        });
        r.register(Kernels.SVD, (fullMatrices, v) -> {
            svd(v[0], fullMatrices, v[1], v[2], v[3]);
            return true;
        });
        r.register(Kernels.EIGH, (none, v) -> {
            eigh(v[0], v[1], v[2]);
            return true;
        });
        r.register(Kernels.EIG, (none, v) -> {
            eig(v[0], v[1], v[2]);
            return true;
        });
        r.register(Kernels.LSTSQ, (rcond, v) -> {
            lstsq(v[0], v[1], rcond, v[2], v[3], v[4]);
            return true;
        });
    }

    // ================================================================== work buffers

    /** Host memory for {@code elements} values of {@code type}, released by {@link #close()}. */
    private static final class Work implements AutoCloseable {
        private final HostStorage storage;
        final DType type;
        final MemorySegment segment;

        private Work(DType type, long elements, boolean zeroed) {
            this.storage = HostStorage.allocate(Math.multiplyExact(elements, (long) type.byteSize()));
            this.type = type;
            this.segment = storage.segment();
            if (zeroed) {
                segment.fill((byte) 0);
            }
        }

        /** {@code elements} zeros. */
        static Work zeros(DType type, long elements) {
            return new Work(type, elements, true);
        }

        /** A dense row-major copy of {@code v}. */
        static Work copyOf(StridedView v) {
            Work w = new Work(v.dtype(), v.size(), false);
            try {
                Elementwise.copy(v, w.view(v.shape()));
            } catch (RuntimeException | Error e) {
                w.close();
                throw e;
            }
            return w;
        }

        /** The matrices of {@code v} in column-major order: a dense copy of {@code v} with its last two axes swapped. */
        static Work columnMajor(StridedView v) {
            return copyOf(Views.transposed(v));
        }

        /** This buffer as a dense row-major view of {@code shape}. */
        StridedView view(long[] shape) {
            return new StridedView(storage, type, shape, Views.rowMajorStrides(shape), 0);
        }

        /** Matrix {@code index} of a buffer of matrices of {@code elements} values each. */
        MemorySegment matrix(long index, long elements) {
            long size = type.byteSize();
            return segment.asSlice(index * elements * size, elements * size);
        }

        /**
         * Refuses a buffer holding ±∞ (or NaN) before LAPACK sees it: the scaling steps of gesdd, syevd, geev and
         * gelsd (DLASCL) report an infinite norm by printing "On entry to DLASCL parameter number 4 had an illegal
         * value" to the process's stderr and returning an error code; a clear exception is better.
         */
        void requireFinite(String fn) {
            long n = segment.byteSize() / type.byteSize();
            for (long i = 0; i < n; i++) {
                double x = get(i);
                if (!Double.isFinite(x)) {
                    throw new IllegalArgumentException(fn + ": the input contains " + x + "; LAPACK needs finite values"
                            + " (NaN and ±infinity are refused before the call)");
                }
            }
        }

        double get(long i) {
            return type == DType.F32 ? segment.getAtIndex(ValueLayout.JAVA_FLOAT, i) : segment.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
        }

        @Override
        public void close() {
            storage.release();
        }
    }

    /** The row-major matrices of a column-major buffer of shape {@code [..., cols, rows]} copied into {@code out} {@code [..., rows, cols]}. */
    private static void rowMajorInto(Work w, long[] colMajorShape, StridedView out) {
        Elementwise.copy(Views.transposed(w.view(colMajorShape)), out);
    }

    /** Zeros above ({@code lower}) or below the diagonal of every matrix of the contiguous {@code out}. */
    private static void keepTriangle(StridedView out, boolean lower) {
        MemorySegment s = Views.dense(out, "a triangular factor", "output");
        long[] shape = out.shape();
        long rows = shape[shape.length - 2];
        long cols = shape[shape.length - 1];
        long batches = Views.matrices(shape);
        for (long b = 0; b < batches; b++) {
            for (long i = 0; i < rows; i++) {
                long row = (b * rows + i) * cols;
                for (long j = 0; j < cols; j++) {
                    if (lower ? i < j : i > j) {
                        set(s, out.dtype(), row + j, 0);
                    }
                }
            }
        }
    }

    private static void set(MemorySegment s, DType t, long i, double v) {
        if (t == DType.F32) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
        } else {
            s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
        }
    }

    private static long[] withLast(long[] shape, int keep, long... last) {
        long[] out = java.util.Arrays.copyOf(shape, keep + last.length);
        System.arraycopy(last, 0, out, keep, last.length);
        return out;
    }

    /** The batch dimensions of a {@code [..., r, c]} shape followed by {@code last}. */
    private static long[] batchWith(long[] shape, long... last) {
        return withLast(shape, shape.length - 2, last);
    }

    private static int dim(long[] shape, int fromEnd) {
        return (int) shape[shape.length - fromEnd];
    }

    // ================================================================== errors

    private static LinalgException failure(String routine, int info, long batch, String meaning) {
        return new LinalgException(routine + " failed (info = " + info + ") at batch element " + batch + ": " + meaning);
    }

    private static void checkIllegal(String routine, int info) {
        if (info < 0) {
            // Lapacke checks dimensions, leading dimensions, segments and job characters in Java; what LAPACKE still
            // rejects is an input holding NaN (it scans its matrix arguments for NaN before calling LAPACK)
            throw new IllegalArgumentException(routine + " rejected argument " + (-info)
                    + ": the input contains NaN (LAPACKE refuses NaN; any other cause would be a bug in Proxima's call)");
        }
    }

    /**
     * LU-factors one column-major n×n matrix in place ({@code getrf}), throwing a LinalgException that names
     * {@code fn}, the zero pivot and the batch element when it is exactly singular.
     */
    private static void factorLu(String fn, boolean single, int n, MemorySegment m, MemorySegment ipiv, long batch) {
        int info = Lapacke.getrf(single, n, n, m, Math.max(1, n), ipiv);
        checkIllegal("getrf", info);
        if (info > 0) {
            throw failure(fn + " (getrf)", info, batch, "U[" + (info - 1) + "," + (info - 1) + "] is exactly zero: the matrix is singular");
        }
    }

    // ================================================================== kernels

    /** x := A⁻¹·B: getrf on Aᵀ's column-major image (A's row-major memory), then getrs with the transpose flag. */
    static void solve(StridedView a, StridedView b, StridedView x) {
        long[] bs = b.shape();
        int n = dim(bs, 2);
        int k = dim(bs, 1);
        boolean single = a.dtype() == DType.F32;
        long batches = Views.matrices(bs);
        try (Work aw = Work.copyOf(a); Work bw = Work.columnMajor(b); Work ipiv = Work.zeros(DType.I32, Math.max(1, n))) {
            for (long i = 0; i < batches; i++) {
                MemorySegment lu = aw.matrix(i, (long) n * n);
                factorLu("solve", single, n, lu, ipiv.segment, i);
                int info = Lapacke.getrs(single, 'T', n, k, lu, Math.max(1, n), ipiv.segment, bw.matrix(i, (long) n * k), Math.max(1, n));
                checkIllegal("getrs", info);
            }
            rowMajorInto(bw, batchWith(bs, k, n), x);
        }
    }

    /** The inverse of each matrix: getrf then getri. */
    static void inverse(StridedView a, StridedView out) {
        long[] as = a.shape();
        int n = dim(as, 1);
        boolean single = a.dtype() == DType.F32;
        long batches = Views.matrices(as);
        try (Work w = Work.columnMajor(a); Work ipiv = Work.zeros(DType.I32, Math.max(1, n))) {
            for (long i = 0; i < batches; i++) {
                MemorySegment m = w.matrix(i, (long) n * n);
                factorLu("inv", single, n, m, ipiv.segment, i);
                int info = Lapacke.getri(single, n, m, Math.max(1, n), ipiv.segment);
                checkIllegal("getri", info);
                if (info > 0) {
                    throw failure("inv (getri)", info, i, "the matrix is singular");
                }
            }
            rowMajorInto(w, as, out);
        }
    }

    /** Sign and log|det| of each matrix from the LU factors of Aᵀ (det Aᵀ = det A); 0 and −∞ when singular. */
    static void slogdet(StridedView a, StridedView signOut, StridedView logOut) {
        long[] as = a.shape();
        int n = dim(as, 1);
        DType t = a.dtype();
        boolean single = t == DType.F32;
        long batches = Views.matrices(as);
        MemorySegment signs = Views.dense(signOut, "slogdet", "sign output");
        MemorySegment logs = Views.dense(logOut, "slogdet", "logAbsDet output");
        try (Work w = Work.copyOf(a); Work ipiv = Work.zeros(DType.I32, Math.max(1, n))) {
            MemorySegment pivots = ipiv.segment;
            for (long i = 0; i < batches; i++) {
                MemorySegment m = w.matrix(i, (long) n * n);
                int info = Lapacke.getrf(single, n, n, m, Math.max(1, n), pivots);
                checkIllegal("getrf", info);
                double sign = 1;
                double log = 0;
                if (info > 0) {
                    sign = 0;
                    log = Double.NEGATIVE_INFINITY;
                } else {
                    for (int j = 0; j < n; j++) {
                        long diagonal = j + (long) j * n;
                        double u = single ? m.getAtIndex(ValueLayout.JAVA_FLOAT, diagonal) : m.getAtIndex(ValueLayout.JAVA_DOUBLE, diagonal);
                        if (pivots.getAtIndex(ValueLayout.JAVA_INT, j) != j + 1) {
                            sign = -sign;
                        }
                        if (u < 0) {
                            sign = -sign;
                        }
                        log += Math.log(Math.abs(u));
                    }
                }
                set(signs, t, i, sign);
                set(logs, t, i, log);
            }
        }
    }

    /** The Cholesky factor of each matrix (potrf), the other triangle zeroed. */
    static void cholesky(StridedView a, boolean upper, StridedView out) {
        long[] as = a.shape();
        int n = dim(as, 1);
        boolean single = a.dtype() == DType.F32;
        long batches = Views.matrices(as);
        try (Work w = Work.columnMajor(a)) {
            for (long i = 0; i < batches; i++) {
                int info = Lapacke.potrf(single, upper ? 'U' : 'L', n, w.matrix(i, (long) n * n), Math.max(1, n));
                checkIllegal("potrf", info);
                if (info > 0) {
                    throw failure("cholesky (potrf)", info, i, "the leading minor of order " + info + " is not positive definite");
                }
            }
            rowMajorInto(w, as, out);
        }
        keepTriangle(out, !upper);
    }

    /**
     * x := A⁻¹·B for triangular A: as in {@link #solve}, A's row-major memory is Aᵀ in column-major order, so
     * trtrs solves with trans = 'T' and the opposite triangle instead of transposing A.
     */
    static void solveTriangular(StridedView a, StridedView b, boolean lower, boolean unitDiagonal, StridedView x) {
        long[] bs = b.shape();
        int n = dim(bs, 2);
        int k = dim(bs, 1);
        boolean single = a.dtype() == DType.F32;
        long batches = Views.matrices(bs);
        try (Work aw = Work.copyOf(a); Work bw = Work.columnMajor(b)) {
            for (long i = 0; i < batches; i++) {
                int info = Lapacke.trtrs(single, lower ? 'U' : 'L', 'T', unitDiagonal ? 'U' : 'N', n, k,
                        aw.matrix(i, (long) n * n), Math.max(1, n), bw.matrix(i, (long) n * k), Math.max(1, n));
                checkIllegal("trtrs", info);
                if (info > 0) {
                    throw failure("solveTriangular (trtrs)", info, i, "A[" + (info - 1) + "," + (info - 1) + "] is zero: the matrix is singular");
                }
            }
            rowMajorInto(bw, batchWith(bs, k, n), x);
        }
    }

    /** A = Q·R of each matrix: geqrf, the reflectors copied into Q's buffer, orgqr; R from geqrf's upper triangle. */
    static void qr(StridedView a, boolean complete, StridedView qOut, StridedView rOut) {
        long[] as = a.shape();
        int m = dim(as, 2);
        int n = dim(as, 1);
        int k = Math.min(m, n);
        int qCols = complete ? m : k;
        DType t = a.dtype();
        boolean single = t == DType.F32;
        long batches = Views.matrices(as);
        try (Work w = Work.columnMajor(a);                                  // [..., n, m]
             Work qw = Work.zeros(t, Math.multiplyExact(batches, (long) m * qCols));   // column-major m×qCols each
             Work tau = Work.zeros(t, Math.max(1, k))) {
            for (long i = 0; i < batches; i++) {
                MemorySegment am = w.matrix(i, (long) m * n);
                int info = Lapacke.geqrf(single, m, n, am, Math.max(1, m), tau.segment);
                checkIllegal("geqrf", info);
                MemorySegment qm = qw.matrix(i, (long) m * qCols);
                long copyCols = Math.min(n, qCols);
                MemorySegment.copy(am, 0, qm, 0, copyCols * m * t.byteSize());
                if (m > 0 && qCols > 0) {
                    info = Lapacke.orgqr(single, m, qCols, k, qm, Math.max(1, m), tau.segment);
                    checkIllegal("orgqr", info);
                }
            }
            rowMajorInto(qw, batchWith(as, qCols, m), qOut);
            // R: the first rows of the column-major m×n factor (ld m), upper triangle kept
            long rRows = rOut.shape()[rOut.rank() - 2];
            StridedView rAll = Views.transposed(w.view(batchWith(as, n, m)));
            long[] rShape = batchWith(as, rRows, n);
            Elementwise.copy(new StridedView(rAll.storage(), t, rShape, rAll.strides(), 0), rOut);
        }
        keepTriangle(rOut, false);
    }

    /** The SVD of each matrix by divide and conquer (gesdd); with uOut and vtOut null the singular values only. */
    static void svd(StridedView a, boolean fullMatrices, StridedView uOut, StridedView sOut, StridedView vtOut) {
        long[] as = a.shape();
        int m = dim(as, 2);
        int n = dim(as, 1);
        int k = Math.min(m, n);
        boolean vectors = uOut != null;
        int uCols = fullMatrices ? m : k;
        int vtRows = fullMatrices ? n : k;
        DType t = a.dtype();
        boolean single = t == DType.F32;
        long batches = Views.matrices(as);
        char jobz = !vectors ? 'N' : fullMatrices ? 'A' : 'S';
        String fn = vectors ? "svd" : "svdvals";
        MemorySegment s = Views.dense(sOut, fn, "singular values output");
        s.fill((byte) 0);
        try (Work w = Work.columnMajor(a);
             Work uw = Work.zeros(t, vectors ? Math.multiplyExact(batches, (long) m * uCols) : 0);
             Work vw = Work.zeros(t, vectors ? Math.multiplyExact(batches, (long) vtRows * n) : 0)) {
            w.requireFinite(fn);
            long size = t.byteSize();
            for (long i = 0; i < batches; i++) {
                MemorySegment si = s.asSlice(i * k * size, k * size);
                int info = vectors
                        ? Lapacke.gesdd(single, jobz, m, n, w.matrix(i, (long) m * n), Math.max(1, m), si,
                                uw.matrix(i, (long) m * uCols), Math.max(1, m), vw.matrix(i, (long) vtRows * n), Math.max(1, vtRows))
                        : Lapacke.gesdd(single, jobz, m, n, w.matrix(i, (long) m * n), Math.max(1, m), si,
                                MemorySegment.NULL, 1, MemorySegment.NULL, 1);
                checkIllegal("gesdd", info);
                if (info > 0) {
                    throw failure(fn + " (gesdd)", info, i, "the divide-and-conquer iteration did not converge");
                }
            }
            if (vectors) {
                rowMajorInto(uw, batchWith(as, uCols, m), uOut);
                rowMajorInto(vw, batchWith(as, n, vtRows), vtOut);
            }
        }
    }

    /** Eigenvalues (ascending) and, if vectorsOut is not null, eigenvectors of each symmetric matrix (syevd, lower triangle). */
    static void eigh(StridedView a, StridedView valuesOut, StridedView vectorsOut) {
        long[] as = a.shape();
        int n = dim(as, 1);
        boolean vectors = vectorsOut != null;
        long batches = Views.matrices(as);
        MemorySegment values = Views.dense(valuesOut, "eigh", "values output");
        values.fill((byte) 0);
        long size = a.dtype().byteSize();
        try (Work w = Work.columnMajor(a)) {
            w.requireFinite("eigh");
            for (long i = 0; i < batches; i++) {
                int info = Lapacke.syevd(a.dtype() == DType.F32, vectors ? 'V' : 'N', 'L', n, w.matrix(i, (long) n * n), Math.max(1, n),
                        values.asSlice(i * n * size, n * size));
                checkIllegal("syevd", info);
                if (info > 0) {
                    throw failure("eigh (syevd)", info, i, "the algorithm failed to converge");
                }
            }
            if (vectors) {
                rowMajorInto(w, as, vectorsOut);
            }
        }
    }

    /** Eigenvalues and right eigenvectors of each general matrix (geev), as complex values and vectors. */
    static void eig(StridedView a, StridedView valuesOut, StridedView vectorsOut) {
        long[] as = a.shape();
        int n = dim(as, 1);
        DType t = a.dtype();
        boolean single = t == DType.F32;
        long batches = Views.matrices(as);
        MemorySegment vs = Views.dense(valuesOut, "eig", "values output");
        MemorySegment vecs = Views.dense(vectorsOut, "eig", "vectors output");
        vs.fill((byte) 0);
        vecs.fill((byte) 0);
        try (Work w = Work.columnMajor(a);
             Work wr = Work.zeros(t, Math.max(1, n));
             Work wi = Work.zeros(t, Math.max(1, n));
             Work vr = Work.zeros(t, Math.max(1, (long) n * n))) {
            w.requireFinite("eig");
            for (long i = 0; i < batches; i++) {
                int info = Lapacke.geev(single, 'N', 'V', n, w.matrix(i, (long) n * n), Math.max(1, n), wr.segment, wi.segment,
                        MemorySegment.NULL, 1, vr.segment, Math.max(1, n));
                checkIllegal("geev", info);
                if (info > 0) {
                    throw failure("eig (geev)", info, i, "the QR algorithm failed to compute all eigenvalues");
                }
                long vBase = i * n * 2L;
                long eBase = i * (long) n * n * 2;
                for (int j = 0; j < n; j++) {
                    set(vs, t, vBase + 2L * j, wr.get(j));
                    set(vs, t, vBase + 2L * j + 1, wi.get(j));
                }
                for (int j = 0; j < n; j++) {
                    double im = wi.get(j);
                    for (int r = 0; r < n; r++) {
                        long at = eBase + ((long) r * n + j) * 2;
                        if (im == 0) {
                            set(vecs, t, at, vr.get(r + (long) j * n));
                        } else if (im > 0) {
                            // pair (j, j+1): v_j = VR[:, j] + i VR[:, j+1], v_{j+1} its conjugate
                            double x = vr.get(r + (long) j * n);
                            double y = vr.get(r + (long) (j + 1) * n);
                            set(vecs, t, at, x);
                            set(vecs, t, at + 1, y);
                            set(vecs, t, at + 2, x);
                            set(vecs, t, at + 3, -y);
                        }
                    }
                    if (im > 0) {
                        j++;
                    }
                }
            }
        }
    }

    /** Minimum-norm least squares by SVD (gelsd) of one m×n matrix and an m×k right-hand side. */
    static void lstsq(StridedView a, StridedView b, double rcond, StridedView solutionOut, StridedView singularOut, StridedView rankOut) {
        int m = dim(a.shape(), 2);
        int n = dim(a.shape(), 1);
        int k = dim(b.shape(), 1);
        int rows = Math.max(m, n);
        int kw = Math.max(1, k);                                 // gelsd rejects nrhs = 0: solve a zero column instead
        DType t = a.dtype();
        boolean single = t == DType.F32;
        try (Work aw = Work.columnMajor(a);
             Work bw = Work.zeros(t, (long) kw * rows);           // column-major rows×kw
             Work s = Work.zeros(t, Math.max(1, Math.min(m, n)));
             Work rank = Work.zeros(DType.I32, 1)) {
            // b into the first m rows of the column-major buffer: element (i, c) at i + c·rows
            Elementwise.copy(b, new StridedView(bw.storage, t, new long[]{m, k}, new long[]{1, rows}, 0));
            aw.requireFinite("lstsq");
            bw.requireFinite("lstsq");
            int info = Lapacke.gelsd(single, m, n, kw, aw.segment, Math.max(1, m), bw.segment, Math.max(1, rows), s.segment, rcond, rank.segment);
            checkIllegal("gelsd", info);
            if (info > 0) {
                throw failure("lstsq (gelsd)", info, 0, "the SVD did not converge");
            }
            Elementwise.copy(new StridedView(bw.storage, t, new long[]{rows, k}, new long[]{1, rows}, 0), solutionOut);
            Elementwise.copy(s.view(new long[]{Math.min(m, n)}), singularOut);
            Views.dense(rankOut, "lstsq", "rank output").set(ValueLayout.JAVA_LONG_UNALIGNED, 0, rank.segment.get(ValueLayout.JAVA_INT, 0));
        }
    }
}
