package dev.proxima.tensor;

import dev.proxima.blas.Lapacke;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Linear algebra through LAPACK (the LAPACKE interface of the loaded OpenBLAS), like
 * {@code numpy.linalg}.
 *
 * <p>Every function accepts a stack of matrices: the last two dimensions are the matrix, leading
 * dimensions are a batch (broadcast between operands where two are taken); {@link #lstsq(Tensor, Tensor)} alone takes a
 * single matrix. F32 runs the single-precision routines, F64 the double ones; integer inputs are converted
 * to F64, and F16 and BF16 inputs are computed in, and returned as, F32. Inputs are never modified: each
 * matrix is copied into a column-major work buffer, which LAPACK overwrites. A singular or
 * non-positive-definite matrix, or a failed convergence, throws {@link LinalgException} naming the routine,
 * the decoded {@code info} and the batch index; results never silently contain NaN from a failed factorization.
 * A NaN in the part of an input that LAPACK reads throws {@link IllegalArgumentException} (LAPACKE refuses NaN input).
 *
 * <p>LAPACK runs on the host: matrices on another device are copied to the host and the results back to
 * that device (see {@link Tensor}); operands on different devices are an error.
 *
 * <p>Complex results (from {@link #eig}) use Proxima's complex convention: a trailing dimension of size 2
 * holding (real, imaginary) parts.
 */
public final class Linalg {

    private Linalg() {
    }

    /** Q·R factorization: Q has orthonormal columns, R is upper triangular. */
    public record QR(Tensor q, Tensor r) {
    }

    /** A = U·diag(S)·Vᵀ with singular values S in descending order. */
    public record SVD(Tensor u, Tensor s, Tensor vt) {
    }

    /** Eigenvalues (ascending) and unit eigenvectors (columns) of a symmetric matrix. */
    public record Eigh(Tensor values, Tensor vectors) {
    }

    /** Eigenvalues and right eigenvectors (columns, unit norm) of a general matrix, as complex tensors [..., 2]. */
    public record Eig(Tensor values, Tensor vectors) {
    }

    /** sign·exp(logAbsDet) = det; for a singular matrix sign = 0 and logAbsDet = −∞. */
    public record SlogDet(Tensor sign, Tensor logAbsDet) {
    }

    /**
     * A least-squares solution.
     *
     * @param solution       x minimizing ‖A·x − b‖₂ (minimum norm if rank-deficient), shape [n] or [n, k]
     * @param residuals      squared residual norms per column when rank = n and m &gt; n, else an empty tensor
     * @param rank           the effective rank of A
     * @param singularValues the singular values of A, descending
     */
    public record Lstsq(Tensor solution, Tensor residuals, long rank, Tensor singularValues) {
    }

    /** Which matrix norm {@link #matrixNorm} computes. */
    public enum MatrixNorm {
        /** √(Σ aᵢⱼ²). */ FROBENIUS,
        /** Σ singular values. */ NUCLEAR,
        /** Largest singular value (the 2-norm). */ SPECTRAL,
        /** Smallest singular value. */ MIN_SINGULAR,
        /** max over columns of Σ|aᵢⱼ| (the 1-norm). */ MAX_COLUMN_SUM,
        /** min over columns of Σ|aᵢⱼ|. */ MIN_COLUMN_SUM,
        /** max over rows of Σ|aᵢⱼ| (the ∞-norm). */ MAX_ROW_SUM,
        /** min over rows of Σ|aᵢⱼ|. */ MIN_ROW_SUM
    }

    // ================================================================== helpers

    /** F32 and F64 keep their type; F16/BF16 are computed in F32; integers in F64. */
    private static DType workType(Tensor a) {
        return a.dtype().isFloating() ? a.dtype().kernelType() : DType.F64;
    }

    private static void requireMatrix(String fn, Tensor a) {
        if (a.rank() < 2) {
            throw new ShapeMismatchException(fn + ": expected a matrix or a stack of matrices [..., m, n], got shape " + Shapes.str(a.shape()));
        }
    }

    private static void requireSquare(String fn, Tensor a) {
        requireMatrix(fn, a);
        if (a.dim(-1) != a.dim(-2)) {
            throw new ShapeMismatchException(fn + ": expected square matrices, got shape " + Shapes.str(a.shape()));
        }
    }

    private static int intDim(String fn, long d) {
        if (d > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(fn + ": dimension " + d + " exceeds LAPACK's 32-bit range");
        }
        return (int) d;
    }

    /** A contiguous tensor whose memory holds each matrix of {@code a} in column-major order: shape [..., n, m]. */
    private static Tensor columnMajor(Tensor a, DType t) {
        try (Tensor cast = a.dtype() == t ? null : a.cast(t); Tensor tr = (cast == null ? a : cast).transpose(-1, -2)) {
            return tr.copy();
        }
    }

    /**
     * The right-hand side of A·X = B as a matrix [..., n, k] (a 1-D b is one column), the batch shape that
     * A's and B's batch dimensions broadcast to, and the type both are solved in.
     */
    private record Rhs(Tensor matrix, long columns, long[] batch, DType type) {
    }

    private static Rhs rhs(String fn, Tensor a, Tensor b, int n) {
        Tensor bm = b.rank() == 1 ? b.unsqueeze(-1) : b;
        String shapes = fn + ": A " + Shapes.str(a.shape()) + " and b " + Shapes.str(b.shape());
        if (bm.rank() < 2 || bm.dim(-2) != n) {
            throw new ShapeMismatchException(shapes + " do not match (b needs " + n + " rows)");
        }
        long[] batch = Shapes.broadcast(shapes + " (batch dimensions)", batchShape(a), batchShape(bm));
        return new Rhs(bm, bm.dim(-1), batch, DType.promote(workType(a), workType(b)));
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

    /** A contiguous row-major copy of {@code a} in type {@code t} (one bulk copy when already dense). */
    private static Tensor denseCopy(Tensor a, DType t) {
        return a.dtype() == t ? a.copy() : a.cast(t);
    }

    /** The row-major matrices of a column-major buffer [..., cols, rows] as a new contiguous tensor [..., rows, cols]. */
    private static Tensor rowMajor(Tensor colMajor) {
        try (Tensor v = colMajor.transpose(-1, -2)) {
            return v.copy();
        }
    }

    private static long batchCount(long[] shape) {
        long n = 1;
        for (int d = 0; d < shape.length - 2; d++) {
            n *= shape[d];
        }
        return n;
    }

    private static MemorySegment matrixAt(Tensor t, long batch, long elementsPerMatrix) {
        int size = t.dtype().byteSize();
        return t.segment().asSlice(batch * elementsPerMatrix * size, elementsPerMatrix * size);
    }

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

    private static long[] withLast(long[] batch, long... last) {
        long[] out = Arrays.copyOf(batch, batch.length + last.length);
        System.arraycopy(last, 0, out, batch.length, last.length);
        return out;
    }

    private static long[] batchShape(Tensor a) {
        return Arrays.copyOf(a.shape(), a.rank() - 2);
    }

    // ================================================================== solve and friends

    /**
     * Solves A·X = B for X, by LU with partial pivoting ({@code getrf} on Aᵀ's column-major image, then
     * {@code getrs} with the transpose flag). {@code b} is a vector [..., n]
     * only when it is 1-D; otherwise it is [..., n, k] (NumPy 2's rule). Batch dimensions broadcast.
     *
     * @throws LinalgException if a matrix is exactly singular
     */
    public static Tensor solve(Tensor a, Tensor b) {
        requireSquare("solve", a);
        if (HostStaging.offHost("solve", a, b)) {
            return HostStaging.run(h -> solve(h[0], h[1]), a, b);
        }
        boolean vector = b.rank() == 1;
        int n = intDim("solve", a.dim(-1));
        try (Scope scope = Scope.open()) {
            Rhs r = rhs("solve", a, b, n);
            long k = r.columns();
            long[] batch = r.batch();
            DType t = r.type();
            Tensor bm = r.matrix();
            // A row-major matrix's memory is Aᵀ in column-major order: factor that copy (a plain memcpy, no
            // transposition) and solve with getrs('T'), which gives A·X = B.
            Tensor aw = denseCopy(a.broadcastTo(withLast(batch, n, n)), t);
            Tensor bw = columnMajor(bm.broadcastTo(withLast(batch, n, k)), t);
            boolean single = t == DType.F32;
            long batches = batchCount(aw.shape());
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ipiv = arena.allocate(ValueLayout.JAVA_INT, Math.max(1, n));
                for (long i = 0; i < batches; i++) {
                    MemorySegment lu = matrixAt(aw, i, (long) n * n);
                    factorLu("solve", single, n, lu, ipiv, i);
                    int info = Lapacke.getrs(single, 'T', n, intDim("solve", k), lu, Math.max(1, n), ipiv, matrixAt(bw, i, n * k), Math.max(1, n));
                    checkIllegal("getrs", info);
                }
            }
            Tensor x = rowMajor(bw);
            Tensor result = vector ? x.squeeze(-1) : x;
            Tensor solution = scope.keep(result.contiguous());
            return LinalgGradients.solve(solution, a, b);
        }
    }

    /**
     * The inverse of each matrix (LU: {@code getrf} then {@code getri}).
     *
     * @throws LinalgException if a matrix is exactly singular
     */
    public static Tensor inv(Tensor a) {
        requireSquare("inv", a);
        if (HostStaging.offHost("inv", a)) {
            return HostStaging.run(h -> inv(h[0]), a);
        }
        int n = intDim("inv", a.dim(-1));
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            Tensor w = columnMajor(a, t);
            boolean single = t == DType.F32;
            long batches = batchCount(w.shape());
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ipiv = arena.allocate(ValueLayout.JAVA_INT, Math.max(1, n));
                for (long i = 0; i < batches; i++) {
                    MemorySegment m = matrixAt(w, i, (long) n * n);
                    factorLu("inv", single, n, m, ipiv, i);
                    int info = Lapacke.getri(single, n, m, Math.max(1, n), ipiv);
                    checkIllegal("getri", info);
                    if (info > 0) {
                        throw failure("inv (getri)", info, i, "the matrix is singular");
                    }
                }
            }
            return LinalgGradients.inv(scope.keep(rowMajor(w)), a);
        }
    }

    /** The determinant of each matrix (LU; 0 for a singular matrix). Shape: the batch dimensions. */
    public static Tensor det(Tensor a) {
        try (Scope scope = Scope.open()) {
            SlogDet s = slogdet(a);
            return scope.keep(s.sign().mul(s.logAbsDet().exp()));
        }
    }

    /** Sign and natural log of |det| of each matrix, robust to over- and underflow (LU). */
    public static SlogDet slogdet(Tensor a) {
        requireSquare("slogdet", a);
        if (HostStaging.offHost("slogdet", a)) {
            Tensor[] r = HostStaging.runAll(h -> {
                SlogDet d = slogdet(h[0]);
                return new Tensor[]{d.sign(), d.logAbsDet()};
            }, a);
            return new SlogDet(r[0], r[1]);
        }
        int n = intDim("slogdet", a.dim(-1));
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            Tensor w = denseCopy(a, t);          // factor Aᵀ's column-major image: det(Aᵀ) = det(A)
            boolean single = t == DType.F32;
            long batches = batchCount(w.shape());
            double[] signs = new double[(int) batches];
            double[] logs = new double[(int) batches];
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ipiv = arena.allocate(ValueLayout.JAVA_INT, Math.max(1, n));
                for (long i = 0; i < batches; i++) {
                    MemorySegment m = matrixAt(w, i, (long) n * n);
                    int info = Lapacke.getrf(single, n, n, m, Math.max(1, n), ipiv);
                    checkIllegal("getrf", info);
                    double sign = 1;
                    double log = 0;
                    if (info > 0) {
                        sign = 0;
                        log = Double.NEGATIVE_INFINITY;
                    } else {
                        for (int j = 0; j < n; j++) {
                            double u = single ? m.getAtIndex(ValueLayout.JAVA_FLOAT, j + (long) j * n) : m.getAtIndex(ValueLayout.JAVA_DOUBLE, j + (long) j * n);
                            if (ipiv.getAtIndex(ValueLayout.JAVA_INT, j) != j + 1) {
                                sign = -sign;
                            }
                            if (u < 0) {
                                sign = -sign;
                            }
                            log += Math.log(Math.abs(u));
                        }
                    }
                    signs[(int) i] = sign;
                    logs[(int) i] = log;
                }
            }
            long[] batch = batchShape(a);
            Tensor sign = Tensor.of(signs).reshape(batch).cast(t);
            Tensor log = Tensor.of(logs).reshape(batch).cast(t);
            return new SlogDet(scope.keep(sign), LinalgGradients.logAbsDet(scope.keep(log), a));
        }
    }

    /**
     * Lower-triangular L with A = L·Lᵀ (or upper U with A = Uᵀ·U if {@code upper}), from the lower
     * (upper) triangle of A ({@code potrf}).
     *
     * @throws LinalgException if a matrix is not positive definite
     */
    public static Tensor cholesky(Tensor a, boolean upper) {
        requireSquare("cholesky", a);
        if (HostStaging.offHost("cholesky", a)) {
            return HostStaging.run(h -> cholesky(h[0], upper), a);
        }
        int n = intDim("cholesky", a.dim(-1));
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            Tensor w = columnMajor(a, t);
            boolean single = t == DType.F32;
            long batches = batchCount(w.shape());
            for (long i = 0; i < batches; i++) {
                int info = Lapacke.potrf(single, upper ? 'U' : 'L', n, matrixAt(w, i, (long) n * n), Math.max(1, n));
                checkIllegal("potrf", info);
                if (info > 0) {
                    throw failure("cholesky (potrf)", info, i, "the leading minor of order " + info + " is not positive definite");
                }
            }
            Tensor full = rowMajor(w);
            Tensor tri = triangle(full, !upper);
            return LinalgGradients.cholesky(scope.keep(tri), a, upper);
        }
    }

    /** Keeps the lower (or upper) triangle incl. the diagonal of each matrix; zeros elsewhere. */
    private static Tensor triangle(Tensor m, boolean lower) {
        long rows = m.dim(-2);
        long cols = m.dim(-1);
        Tensor i = Tensor.arange(0, rows, 1, DType.I64).reshape(rows, 1);
        Tensor j = Tensor.arange(0, cols, 1, DType.I64).reshape(1, cols);
        Tensor keep = lower ? i.ge(j) : i.le(j);
        return Tensor.where(keep, m, Tensor.scalar(0, m.dtype()));
    }

    /**
     * Solves op(A)·X = B with A triangular ({@code trtrs}): lower or upper triangle of A, optionally an
     * implicit unit diagonal. B is [..., n] if 1-D, else [..., n, k]; batch dimensions broadcast.
     *
     * @throws LinalgException if A has a zero on its diagonal
     */
    public static Tensor solveTriangular(Tensor a, Tensor b, boolean lower, boolean unitDiagonal) {
        requireSquare("solveTriangular", a);
        if (HostStaging.offHost("solveTriangular", a, b)) {
            return HostStaging.run(h -> solveTriangular(h[0], h[1], lower, unitDiagonal), a, b);
        }
        boolean vector = b.rank() == 1;
        int n = intDim("solveTriangular", a.dim(-1));
        try (Scope scope = Scope.open()) {
            Rhs r = rhs("solveTriangular", a, b, n);
            long k = r.columns();
            DType t = r.type();
            // as in solve: the row-major memory of A is Aᵀ column-major, so solve with trans = 'T' and the
            // opposite triangle instead of transposing A
            Tensor aw = denseCopy(a.broadcastTo(withLast(r.batch(), n, n)), t);
            Tensor bw = columnMajor(r.matrix().broadcastTo(withLast(r.batch(), n, k)), t);
            boolean single = t == DType.F32;
            long batches = batchCount(aw.shape());
            for (long i = 0; i < batches; i++) {
                int info = Lapacke.trtrs(single, lower ? 'U' : 'L', 'T', unitDiagonal ? 'U' : 'N', n, intDim("solveTriangular", k),
                        matrixAt(aw, i, (long) n * n), Math.max(1, n), matrixAt(bw, i, n * k), Math.max(1, n));
                checkIllegal("trtrs", info);
                if (info > 0) {
                    throw failure("solveTriangular (trtrs)", info, i, "A[" + (info - 1) + "," + (info - 1) + "] is zero: the matrix is singular");
                }
            }
            Tensor x = rowMajor(bw);
            Tensor solution = scope.keep((vector ? x.squeeze(-1) : x).contiguous());
            return LinalgGradients.solveTriangular(solution, a, b, lower, unitDiagonal);
        }
    }

    // ================================================================== factorizations

    /**
     * QR factorization of each m×n matrix ({@code geqrf}, {@code orgqr}). {@code complete = false} gives
     * Q m×k and R k×n with k = min(m, n) (NumPy's "reduced"); {@code true} gives Q m×m and R m×n.
     */
    public static QR qr(Tensor a, boolean complete) {
        requireMatrix("qr", a);
        if (HostStaging.offHost("qr", a)) {
            Tensor[] r = HostStaging.runAll(h -> {
                QR d = qr(h[0], complete);
                return new Tensor[]{d.q(), d.r()};
            }, a);
            return new QR(r[0], r[1]);
        }
        int m = intDim("qr", a.dim(-2));
        int n = intDim("qr", a.dim(-1));
        int k = Math.min(m, n);
        int qCols = complete ? m : k;
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            boolean single = t == DType.F32;
            Tensor w = columnMajor(a, t);                       // [..., n, m]
            long[] batch = batchShape(a);
            long batches = batchCount(w.shape());
            Tensor qw = Tensor.zeros(t, withLast(batch, qCols, m)); // column-major m×qCols
            Tensor tau = Tensor.zeros(t, Math.max(1, k));
            for (long i = 0; i < batches; i++) {
                MemorySegment am = matrixAt(w, i, (long) m * n);
                int info = Lapacke.geqrf(single, m, n, am, Math.max(1, m), tau.segment());
                checkIllegal("geqrf", info);
                MemorySegment qm = matrixAt(qw, i, (long) m * qCols);
                long copyCols = Math.min(n, qCols);
                MemorySegment.copy(am, 0, qm, 0, copyCols * m * t.byteSize());
                if (m > 0 && qCols > 0) {
                    info = Lapacke.orgqr(single, m, qCols, k, qm, Math.max(1, m), tau.segment());
                    checkIllegal("orgqr", info);
                }
            }
            Tensor q = rowMajor(qw);
            Tensor rFull = rowMajor(w);                          // [..., m, n], R in the upper triangle
            Tensor rRows = complete ? rFull : rFull.slice(-2, 0, k, 1);
            Tensor r = triangle(rRows, false);
            return new QR(scope.keep(q), scope.keep(r));
        }
    }

    /**
     * Singular value decomposition ({@code gesdd}): {@code fullMatrices = false} gives U m×k, S k, Vᵀ k×n
     * with k = min(m, n); {@code true} gives U m×m and Vᵀ n×n.
     *
     * @throws LinalgException if the iteration did not converge
     */
    public static SVD svd(Tensor a, boolean fullMatrices) {
        requireMatrix("svd", a);
        if (HostStaging.offHost("svd", a)) {
            Tensor[] r = HostStaging.runAll(h -> {
                SVD d = svd(h[0], fullMatrices);
                return new Tensor[]{d.u(), d.s(), d.vt()};
            }, a);
            return new SVD(r[0], r[1], r[2]);
        }
        int m = intDim("svd", a.dim(-2));
        int n = intDim("svd", a.dim(-1));
        int k = Math.min(m, n);
        int uCols = fullMatrices ? m : k;
        int vtRows = fullMatrices ? n : k;
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            boolean single = t == DType.F32;
            Tensor w = columnMajor(a, t);
            long[] batch = batchShape(a);
            long batches = batchCount(w.shape());
            Tensor uw = Tensor.zeros(t, withLast(batch, uCols, m));
            Tensor vw = Tensor.zeros(t, withLast(batch, n, vtRows));
            Tensor s = Tensor.zeros(t, withLast(batch, k));
            for (long i = 0; i < batches; i++) {
                int info = Lapacke.gesdd(single, fullMatrices ? 'A' : 'S', m, n, matrixAt(w, i, (long) m * n), Math.max(1, m),
                        matrixAt(s, i, k), matrixAt(uw, i, (long) m * uCols), Math.max(1, m), matrixAt(vw, i, (long) vtRows * n), Math.max(1, vtRows));
                checkIllegal("gesdd", info);
                if (info > 0) {
                    throw failure("svd (gesdd)", info, i, "the divide-and-conquer iteration did not converge");
                }
            }
            SVD result = new SVD(scope.keep(rowMajor(uw)), scope.keep(s), scope.keep(rowMajor(vw)));
            return fullMatrices && m != n ? result : LinalgGradients.svd(result, a);
        }
    }

    /** The singular values of each matrix, descending ({@code gesdd} without vectors). */
    public static Tensor svdvals(Tensor a) {
        requireMatrix("svdvals", a);
        if (HostStaging.offHost("svdvals", a)) {
            return HostStaging.run(h -> svdvals(h[0]), a);
        }
        int m = intDim("svdvals", a.dim(-2));
        int n = intDim("svdvals", a.dim(-1));
        int k = Math.min(m, n);
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            Tensor w = columnMajor(a, t);
            long batches = batchCount(w.shape());
            Tensor s = Tensor.zeros(t, withLast(batchShape(a), k));
            for (long i = 0; i < batches; i++) {
                int info = Lapacke.gesdd(t == DType.F32, 'N', m, n, matrixAt(w, i, (long) m * n), Math.max(1, m), matrixAt(s, i, k),
                        MemorySegment.NULL, 1, MemorySegment.NULL, 1);
                checkIllegal("gesdd", info);
                if (info > 0) {
                    throw failure("svdvals (gesdd)", info, i, "the divide-and-conquer iteration did not converge");
                }
            }
            return LinalgGradients.svdvals(scope.keep(s), a);
        }
    }

    /**
     * Eigenvalues (ascending) and orthonormal eigenvectors (columns) of each symmetric matrix, read from
     * its lower triangle ({@code syevd}).
     *
     * @throws LinalgException if the iteration did not converge
     */
    public static Eigh eigh(Tensor a) {
        return symmetricEigen(a, true);
    }

    /** The eigenvalues (ascending) of each symmetric matrix, from its lower triangle. */
    public static Tensor eigvalsh(Tensor a) {
        return symmetricEigen(a, false).values();
    }

    private static Eigh symmetricEigen(Tensor a, boolean vectors) {
        requireSquare("eigh", a);
        if (HostStaging.offHost("eigh", a)) {
            Tensor[] r = HostStaging.runAll(h -> {
                Eigh d = symmetricEigen(h[0], vectors);
                return new Tensor[]{d.values(), d.vectors()};
            }, a);
            return new Eigh(r[0], r[1]);
        }
        int n = intDim("eigh", a.dim(-1));
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            Tensor w = columnMajor(a, t);
            long batches = batchCount(w.shape());
            Tensor values = Tensor.zeros(t, withLast(batchShape(a), n));
            for (long i = 0; i < batches; i++) {
                int info = Lapacke.syevd(t == DType.F32, vectors ? 'V' : 'N', 'L', n, matrixAt(w, i, (long) n * n), Math.max(1, n),
                        matrixAt(values, i, n));
                checkIllegal("syevd", info);
                if (info > 0) {
                    throw failure("eigh (syevd)", info, i, "the algorithm failed to converge");
                }
            }
            Tensor vecs = scope.keep(rowMajor(w));
            Eigh result = new Eigh(scope.keep(values), vectors ? vecs : null);
            Eigh recorded = LinalgGradients.eigh(result.values(), vecs, a, vectors);
            if (!vectors) {
                vecs.close();
            }
            return recorded;
        }
    }

    /**
     * Eigenvalues and right eigenvectors of each general real matrix ({@code geev}), as complex tensors:
     * values [..., n, 2], vectors [..., n, n, 2] with eigenvector j in column j, unit Euclidean norm.
     * Eigenvalues come in LAPACK's order (conjugate pairs adjacent, positive imaginary part first).
     *
     * @throws LinalgException if the QR iteration did not converge
     */
    public static Eig eig(Tensor a) {
        requireSquare("eig", a);
        if (HostStaging.offHost("eig", a)) {
            Tensor[] r = HostStaging.runAll(h -> {
                Eig d = eig(h[0]);
                return new Tensor[]{d.values(), d.vectors()};
            }, a);
            return new Eig(r[0], r[1]);
        }
        int n = intDim("eig", a.dim(-1));
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            boolean single = t == DType.F32;
            Tensor w = columnMajor(a, t);
            long[] batch = batchShape(a);
            long batches = batchCount(w.shape());
            Tensor wr = Tensor.zeros(t, Math.max(1, n));
            Tensor wi = Tensor.zeros(t, Math.max(1, n));
            Tensor vr = Tensor.zeros(t, Math.max(1, (long) n * n));
            Tensor values = Tensor.zeros(t, withLast(batch, n, 2));
            Tensor vectors = Tensor.zeros(t, withLast(batch, n, n, 2));
            MemorySegment vs = values.segment();
            MemorySegment vecs = vectors.segment();
            for (long i = 0; i < batches; i++) {
                int info = Lapacke.geev(single, 'N', 'V', n, matrixAt(w, i, (long) n * n), Math.max(1, n), wr.segment(), wi.segment(),
                        MemorySegment.NULL, 1, vr.segment(), Math.max(1, n));
                checkIllegal("geev", info);
                if (info > 0) {
                    throw failure("eig (geev)", info, i, "the QR algorithm failed to compute all eigenvalues");
                }
                long vBase = i * n * 2L;
                long eBase = i * (long) n * n * 2;
                for (int j = 0; j < n; j++) {
                    double re = get(wr, j);
                    double im = get(wi, j);
                    set(vs, t, vBase + 2L * j, re);
                    set(vs, t, vBase + 2L * j + 1, im);
                }
                for (int j = 0; j < n; j++) {
                    double im = get(wi, j);
                    for (int r = 0; r < n; r++) {
                        long at = eBase + ((long) r * n + j) * 2;
                        if (im == 0) {
                            set(vecs, t, at, get(vr, r + (long) j * n));
                        } else if (im > 0) {
                            // pair (j, j+1): v_j = VR[:, j] + i VR[:, j+1], v_{j+1} its conjugate
                            double x = get(vr, r + (long) j * n);
                            double y = get(vr, r + (long) (j + 1) * n);
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
            return new Eig(scope.keep(values), scope.keep(vectors));
        }
    }

    private static double get(Tensor t, long i) {
        return t.dtype() == DType.F32 ? t.segment().getAtIndex(ValueLayout.JAVA_FLOAT, i) : t.segment().getAtIndex(ValueLayout.JAVA_DOUBLE, i);
    }

    private static void set(MemorySegment s, DType t, long i, double v) {
        if (t == DType.F32) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
        } else {
            s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
        }
    }

    // ================================================================== least squares, pseudo-inverse, norms, powers

    /**
     * Minimum-norm least-squares solution of A·x = b by SVD ({@code gelsd}) with NumPy's default cutoff,
     * like {@code numpy.linalg.lstsq(a, b)} ({@code rcond=None}): singular values at most
     * {@code ε·max(m, n)·σ_max} count as zero, with ε the machine epsilon of the type the problem is solved in
     * (2⁻⁵² for F64 and integer inputs, 2⁻²³ for F32, F16 and BF16; NumPy solves F32 input in double, so its
     * default for F32 uses 2⁻⁵² instead). See {@link #lstsq(Tensor, Tensor, double)}.
     *
     * {@snippet :
     * Tensor a = Tensor.fromArray(new double[][]{{1, 0}, {0, 1}, {1, 1}});
     * Linalg.Lstsq fit = Linalg.lstsq(a, Tensor.of(1.0, 1.0, 0.0));
     * // fit.solution() = [1/3, 1/3], fit.residuals() = [4/3], fit.rank() = 2
     * }
     *
     * @param a the m×n matrix A (2-D, no batch)
     * @param b the right-hand side, [m] or [m, k]
     * @return the solution ([n] or [n, k]), the squared residual norms, the effective rank and A's singular values
     * @throws ShapeMismatchException if A is not 2-D or b does not have m rows
     * @throws LinalgException        if the SVD does not converge
     */
    public static Lstsq lstsq(Tensor a, Tensor b) {
        return leastSquares(a, b, Double.NaN);
    }

    /**
     * Minimum-norm least-squares solution of A·x = b by SVD ({@code gelsd}), like
     * {@code numpy.linalg.lstsq(a, b, rcond)}: singular values at most {@code rcond·σ_max} are treated as
     * zero when determining the effective rank. As in NumPy, LAPACK replaces a cutoff of exactly 0 by the
     * machine epsilon ε of the work type, so {@code rcond = 0} keeps only singular values above ε·σ_max. The
     * residuals are returned, as in NumPy, only when the rank is n and m &gt; n (one per column of b);
     * otherwise they are an empty tensor.
     *
     * @param a     the m×n matrix A (2-D, no batch)
     * @param b     the right-hand side, [m] or [m, k]
     * @param rcond the relative cutoff, in {@code [0, 1)} ({@link #lstsq(Tensor, Tensor)} uses NumPy's default)
     * @return the solution ([n] or [n, k]), the squared residual norms, the effective rank and A's singular values
     * @throws IllegalArgumentException if {@code rcond} is negative, NaN, or 1 or more (NumPy's {@code rcond=-1},
     *                                  LAPACK's machine precision, is {@code Math.ulp(1.0)} here, or
     *                                  {@code Math.ulp(1.0f)} for F32 work; LAPACK would silently use ε
     *                                  for a cutoff of 1 or more, which would otherwise drop every singular value)
     * @throws ShapeMismatchException   if A is not 2-D or b does not have m rows
     * @throws LinalgException          if the SVD does not converge
     */
    public static Lstsq lstsq(Tensor a, Tensor b, double rcond) {
        if (!(rcond >= 0 && rcond < 1)) {
            throw new IllegalArgumentException("lstsq: rcond must be in [0, 1) (a cutoff relative to the largest singular value), got "
                    + rcond + "; for NumPy's default call lstsq(a, b) without rcond");
        }
        return leastSquares(a, b, rcond);
    }

    /** lstsq with a checked rcond, or NaN for NumPy's default (machine epsilon of the work type × max(m, n)). */
    private static Lstsq leastSquares(Tensor a, Tensor b, double rcond) {
        requireMatrix("lstsq", a);
        if (HostStaging.offHost("lstsq", a, b)) {
            long[] rank = new long[1];
            Tensor[] r = HostStaging.runAll(h -> {
                Lstsq d = leastSquares(h[0], h[1], rcond);
                rank[0] = d.rank();
                return new Tensor[]{d.solution(), d.residuals(), d.singularValues()};
            }, a, b);
            return new Lstsq(r[0], r[1], rank[0], r[2]);
        }
        if (a.rank() != 2) {
            throw new ShapeMismatchException("lstsq: expected a 2-D matrix, got shape " + Shapes.str(a.shape()));
        }
        int m = intDim("lstsq", a.dim(0));
        int n = intDim("lstsq", a.dim(1));
        boolean vector = b.rank() == 1;
        if ((b.rank() != 1 && b.rank() != 2) || b.dim(0) != m) {
            throw new ShapeMismatchException("lstsq: A " + Shapes.str(a.shape()) + " and b " + Shapes.str(b.shape()) + " do not match (b needs "
                    + m + " rows)");
        }
        int k = vector ? 1 : intDim("lstsq", b.dim(1));
        int rows = Math.max(m, n);
        try (Scope scope = Scope.open()) {
            DType t = DType.promote(workType(a), workType(b));
            boolean single = t == DType.F32;
            Tensor aw = columnMajor(a, t);
            Tensor bm = vector ? b.unsqueeze(1) : b;
            Tensor bw = columnMajor(bm, t);                          // [k, m]
            int kw = Math.max(1, k);                                 // gelsd rejects nrhs = 0: solve a zero column instead
            Tensor bbuf = Tensor.zeros(t, kw, rows);                // column-major rows×kw
            for (int c = 0; c < k; c++) {
                MemorySegment.copy(bw.segment(), (long) c * m * t.byteSize(), bbuf.segment(), (long) c * rows * t.byteSize(), (long) m * t.byteSize());
            }
            Tensor s = Tensor.zeros(t, Math.max(1, Math.min(m, n)));
            double rc = Double.isNaN(rcond) ? (single ? Math.ulp(1.0f) : Math.ulp(1.0)) * rows : rcond;
            long rank;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment r = arena.allocate(ValueLayout.JAVA_INT);
                int info = Lapacke.gelsd(single, m, n, kw, aw.segment(), Math.max(1, m), bbuf.segment(), Math.max(1, rows), s.segment(), rc, r);
                checkIllegal("gelsd", info);
                if (info > 0) {
                    throw failure("lstsq (gelsd)", info, 0, "the SVD did not converge");
                }
                rank = r.get(ValueLayout.JAVA_INT, 0);
            }
            Tensor all = rowMajor(bbuf).slice(1, 0, k, 1);           // [rows, k]
            Tensor x = all.slice(0, 0, n, 1).contiguous();
            Tensor residuals;
            if (rank == n && m > n) {
                residuals = all.slice(0, n, rows, 1).square().sum(0);
            } else {
                residuals = Tensor.zeros(t, 0);
            }
            Tensor solution = vector ? x.squeeze(1).contiguous() : x;
            Tensor sv = s.slice(0, 0, Math.min(m, n), 1).contiguous();
            return new Lstsq(scope.keep(solution), scope.keep(residuals), rank, scope.keep(sv));
        }
    }

    /** NumPy's default relative cutoff of {@code numpy.linalg.pinv} ({@code rcond=1e-15}, whatever the dtype). */
    private static final double PINV_DEFAULT_RCOND = 1e-15;

    /**
     * Moore–Penrose pseudo-inverse of each matrix with NumPy's default cutoff, like
     * {@code numpy.linalg.pinv(a)}: singular values σ ≤ 1e-15·σ_max count as zero (NumPy's {@code rcond}
     * default, the same for every dtype; pass a larger cutoff to {@link #pinv(Tensor, double)} for F32 data or
     * for the array API's {@code max(m, n)·ε}). Differentiable.
     *
     * {@snippet :
     * Tensor a = Tensor.fromArray(new double[][]{{3}, {4}});
     * Tensor p = Linalg.pinv(a);                      // [[0.12, 0.16]]
     * }
     *
     * @param a a matrix or a stack of matrices [..., m, n]
     * @return the pseudo-inverses, [..., n, m]
     * @throws ShapeMismatchException if {@code a} has rank &lt; 2
     * @throws LinalgException        if the SVD does not converge
     */
    public static Tensor pinv(Tensor a) {
        return pinv(a, PINV_DEFAULT_RCOND);
    }

    /**
     * Moore–Penrose pseudo-inverse of each matrix by SVD: V·diag(1/σ)·Uᵀ, with σ ≤ {@code rcond·σ_max}
     * treated as zero, like {@code numpy.linalg.pinv(a, rcond)}. Differentiable.
     *
     * @param a     a matrix or a stack of matrices [..., m, n]
     * @param rcond the relative cutoff, {@code >= 0} ({@link #pinv(Tensor)} uses NumPy's default 1e-15)
     * @return the pseudo-inverses, [..., n, m]
     * @throws IllegalArgumentException if {@code rcond} is negative or NaN
     * @throws ShapeMismatchException   if {@code a} has rank &lt; 2
     * @throws LinalgException          if the SVD does not converge
     */
    public static Tensor pinv(Tensor a, double rcond) {
        if (!(rcond >= 0)) {
            throw new IllegalArgumentException("pinv: rcond must be >= 0 (a cutoff relative to the largest singular value), got " + rcond);
        }
        requireMatrix("pinv", a);
        try (Scope scope = Scope.open()) {
            SVD d = svd(a, false);
            Tensor cutoff = d.s().max(new int[]{-1}, true).mul(rcond);
            Tensor keep = d.s().gt(cutoff);
            Tensor inv = Tensor.where(keep, d.s().reciprocal(), Tensor.scalar(0, d.s().dtype(), d.s().device()));
            Tensor vScaled = d.vt().transpose(-1, -2).mul(inv.unsqueeze(-2));
            return scope.keep(vScaled.matmul(d.u().transpose(-1, -2)));
        }
    }

    /** A matrix norm of each matrix (see {@link MatrixNorm}); shape: the batch dimensions. */
    public static Tensor matrixNorm(Tensor a, MatrixNorm ord) {
        requireMatrix("matrixNorm", a);
        try (Scope scope = Scope.open()) {
            Tensor r = switch (ord) {
                case FROBENIUS -> a.norm(2, new int[]{-2, -1}, false);
                case NUCLEAR -> svdvals(a).sum(-1);
                case SPECTRAL -> svdvals(a).max(-1);
                case MIN_SINGULAR -> svdvals(a).min(-1);
                case MAX_COLUMN_SUM -> absFloat(a).sum(-2).max(-1);
                case MIN_COLUMN_SUM -> absFloat(a).sum(-2).min(-1);
                case MAX_ROW_SUM -> absFloat(a).sum(-1).max(-1);
                case MIN_ROW_SUM -> absFloat(a).sum(-1).min(-1);
            };
            return scope.keep(r);
        }
    }

    private static Tensor absFloat(Tensor a) {
        return a.dtype().isFloating() ? a.abs() : a.cast(DType.F64).abs();
    }

    /**
     * Aᵏ for each square matrix by repeated squaring; k = 0 gives the identity, k &lt; 0 the power of the
     * inverse. Integer matrices stay integer for k ≥ 0 (computed in F64 and converted back).
     */
    public static Tensor matrixPower(Tensor a, long k) {
        requireSquare("matrixPower", a);
        long n = a.dim(-1);
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            Tensor base = k < 0 ? inv(a) : a.cast(t);
            long e = k < 0 ? -k : k;                 // unsigned: -Long.MIN_VALUE is 2^63
            Tensor eye = Tensor.eye(n, t);
            Tensor result = (a.device().equals(Device.CPU) ? eye : eye.to(a.device())).broadcastTo(a.shape());
            while (e != 0) {
                if ((e & 1) != 0) {
                    result = result.matmul(base);
                }
                e >>>= 1;
                if (e != 0) {
                    base = base.matmul(base);
                }
            }
            Tensor out = a.dtype().isFloating() || k < 0 ? result.contiguous() : result.cast(a.dtype());
            return scope.keep(out);
        }
    }
}
