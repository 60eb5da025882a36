package dev.proxima.tensor;

import dev.proxima.tensor.internal.Dispatcher;
import dev.proxima.tensor.spi.KernelKey;
import dev.proxima.tensor.spi.Kernels;
import dev.proxima.tensor.spi.StridedView;

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
 * <p>Results are on the operands' device (operands on different devices are an error). Each function runs
 * its LAPACK kernel through the dispatcher (the linear-algebra keys of {@link Kernels}, such as
 * {@link Kernels#LU_SOLVE}); a device whose backend has no such kernel has the call staged through the host
 * (see {@link Proxima#hostStagings()}).
 *
 * <p>Complex results (from {@link #eig}) use Proxima's complex convention: a trailing dimension of size 2
 * holding (real, imaginary) parts.
 */
public final class Linalg {

    private Linalg() {
    }

    /**
     * Q·R factorization: Q has orthonormal columns, R is upper triangular.
     *
     * @param q the factor with orthonormal columns [..., m, m] or [..., m, k]
     * @param r the upper-triangular factor [..., m, n] or [..., k, n]
     */
    public record QR(Tensor q, Tensor r) {
    }

    /**
     * A = U·diag(S)·Vᵀ with singular values S in descending order.
     *
     * @param u  the left singular vectors [..., m, m] or [..., m, k], as columns
     * @param s  the singular values [..., k], k = min(m, n), descending
     * @param vt the right singular vectors, transposed: [..., n, n] or [..., k, n]
     */
    public record SVD(Tensor u, Tensor s, Tensor vt) {
    }

    /**
     * Eigenvalues (ascending) and unit eigenvectors (columns) of a symmetric matrix.
     *
     * @param values  the eigenvalues [..., n], ascending
     * @param vectors the eigenvectors [..., n, n], eigenvector j in column j
     */
    public record Eigh(Tensor values, Tensor vectors) {
    }

    /**
     * Eigenvalues and right eigenvectors (columns, unit norm) of a general matrix, as complex tensors [..., 2].
     *
     * @param values  the eigenvalues [..., n, 2] (real, imaginary)
     * @param vectors the eigenvectors [..., n, n, 2], eigenvector j in column j
     */
    public record Eig(Tensor values, Tensor vectors) {
    }

    /**
     * sign·exp(logAbsDet) = det; for a singular matrix sign = 0 and logAbsDet = −∞.
     *
     * @param sign      the sign of each determinant: −1, 0 or 1, shape: the batch dimensions
     * @param logAbsDet the natural log of |det|, shape: the batch dimensions
     */
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

    /** {@code a} in type {@code t}: {@code a} itself, or a converted copy (then closed by the operation's scope). */
    private static Tensor typed(Tensor a, DType t) {
        return a.dtype() == t ? a : a.cast(t);
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
     * Runs a solve kernel ({@link Kernels#LU_SOLVE} or {@link Kernels#TRIANGULAR_SOLVE}) of A·X = B, both
     * broadcast to their common batch, into a new result on their device: [..., n] for a 1-D {@code b}, else
     * [..., n, k]. Called inside the operation's scope, which owns the converted operands.
     */
    private static <P> Tensor solveWith(String fn, KernelKey<P> key, P params, Tensor a, Tensor b, Device device) {
        int n = intDim(fn, a.dim(-1));
        Rhs r = rhs(fn, a, b, n);
        long k = r.columns();
        intDim(fn, k);
        DType t = r.type();
        long[] xShape = withLast(r.batch(), n, k);
        Tensor x = Tensor.allocate(t, b.rank() == 1 ? withLast(r.batch(), n) : xShape, device, true);
        StridedView xView = new StridedView(x.storage, t, xShape, Shapes.contiguousStrides(xShape), x.offset);
        return Ops.run(x, key, params, typed(a, t).broadcastView(withLast(r.batch(), n, n)), typed(r.matrix(), t).broadcastView(xShape),
                xView);
    }

    /** Runs {@code key} (inputs, then outputs) and closes every fresh output if it throws. */
    private static <P> void runAll(KernelKey<P> key, P params, Tensor[] outputs, StridedView... args) {
        try {
            Dispatcher.run(key, params, args);
        } catch (RuntimeException | Error e) {
            for (Tensor t : outputs) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
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
     * @param a the square matrices [..., n, n]
     * @param b the right-hand sides: [..., n] if 1-D, else [..., n, k]
     * @return X, of b's shape with the batch dimensions broadcast; F32/F64 as the inputs (F64 for integers)
     * @throws LinalgException if a matrix is exactly singular
     * @throws ShapeMismatchException if {@code a} is not a stack of square matrices
     */
    public static Tensor solve(Tensor a, Tensor b) {
        requireSquare("solve", a);
        Device device = Ops.commonDevice("solve", a, b);
        try (Scope scope = Scope.open()) {
            Tensor solution = scope.keep(solveWith("solve", Kernels.LU_SOLVE, null, a, b, device));
            return LinalgGradients.solve(solution, a, b);
        }
    }

    /**
     * The inverse of each matrix (LU: {@code getrf} then {@code getri}).
     *
     * @param a the square matrices [..., n, n]
     * @return the inverses, of {@code a}'s shape (F64 for integer input)
     * @throws LinalgException if a matrix is exactly singular
     * @throws ShapeMismatchException if {@code a} is not a stack of square matrices
     */
    public static Tensor inv(Tensor a) {
        requireSquare("inv", a);
        Device device = Ops.commonDevice("inv", a);
        intDim("inv", a.dim(-1));
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            Tensor out = Tensor.allocate(t, a.shape(), device, true);
            Ops.run(out, Kernels.INVERSE, null, typed(a, t).kernelView(), out.kernelView());
            return LinalgGradients.inv(scope.keep(out), a);
        }
    }

    /**
     * The determinant of each matrix (LU; 0 for a singular matrix). Shape: the batch dimensions.
     *
     * @param a the square matrices [..., n, n]
     * @return the determinants [...]
     * @throws ShapeMismatchException if {@code a} is not a stack of square matrices
     */
    public static Tensor det(Tensor a) {
        try (Scope scope = Scope.open()) {
            SlogDet s = slogdet(a);
            return scope.keep(s.sign().mul(s.logAbsDet().exp()));
        }
    }

    /**
     * Sign and natural log of |det| of each matrix, robust to over- and underflow (LU).
     *
     * @param a the square matrices [..., n, n]
     * @return the signs and log-magnitudes, each of shape [...]
     * @throws ShapeMismatchException if {@code a} is not a stack of square matrices
     */
    public static SlogDet slogdet(Tensor a) {
        requireSquare("slogdet", a);
        Device device = Ops.commonDevice("slogdet", a);
        intDim("slogdet", a.dim(-1));
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            long[] batch = batchShape(a);
            Tensor sign = Tensor.allocate(t, batch, device, true);
            Tensor log = Tensor.allocate(t, batch, device, true);
            // factor Aᵀ's column-major image (A's row-major memory): det(Aᵀ) = det(A)
            runAll(Kernels.SLOGDET, null, new Tensor[]{sign, log}, typed(a, t).kernelView(), sign.kernelView(), log.kernelView());
            return new SlogDet(scope.keep(sign), LinalgGradients.logAbsDet(scope.keep(log), a));
        }
    }

    /**
     * Lower-triangular L with A = L·Lᵀ (or upper U with A = Uᵀ·U if {@code upper}), from the lower
     * (upper) triangle of A ({@code potrf}).
     *
     * @param a     the symmetric positive-definite matrices [..., n, n]; only one triangle is read
     * @param upper true for the upper factor U, false for the lower factor L
     * @return the triangular factors, of {@code a}'s shape, zero outside their triangle
     * @throws LinalgException if a matrix is not positive definite
     * @throws ShapeMismatchException if {@code a} is not a stack of square matrices
     */
    public static Tensor cholesky(Tensor a, boolean upper) {
        requireSquare("cholesky", a);
        Device device = Ops.commonDevice("cholesky", a);
        intDim("cholesky", a.dim(-1));
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            Tensor factor = Tensor.allocate(t, a.shape(), device, true);
            Ops.run(factor, Kernels.CHOLESKY, upper, typed(a, t).kernelView(), factor.kernelView());
            return LinalgGradients.cholesky(scope.keep(factor), a, upper);
        }
    }

    /**
     * Solves op(A)·X = B with A triangular ({@code trtrs}): lower or upper triangle of A, optionally an
     * implicit unit diagonal. B is [..., n] if 1-D, else [..., n, k]; batch dimensions broadcast.
     *
     * @param a            the triangular matrices [..., n, n]; the other triangle is not read
     * @param b            the right-hand sides: [..., n] if 1-D, else [..., n, k]
     * @param lower        true to use A's lower triangle, false for its upper one
     * @param unitDiagonal true to take A's diagonal as ones without reading it
     * @return X, of b's shape with the batch dimensions broadcast
     * @throws LinalgException if A has a zero on its diagonal
     * @throws ShapeMismatchException if {@code a} is not a stack of square matrices
     */
    public static Tensor solveTriangular(Tensor a, Tensor b, boolean lower, boolean unitDiagonal) {
        requireSquare("solveTriangular", a);
        Device device = Ops.commonDevice("solveTriangular", a, b);
        try (Scope scope = Scope.open()) {
            Tensor solution = scope.keep(solveWith("solveTriangular", Kernels.TRIANGULAR_SOLVE,
                    new Kernels.TriangularSolve(lower, unitDiagonal), a, b, device));
            return LinalgGradients.solveTriangular(solution, a, b, lower, unitDiagonal);
        }
    }

    // ================================================================== factorizations

    /**
     * QR factorization of each m×n matrix ({@code geqrf}, {@code orgqr}). {@code complete = false} gives
     * Q m×k and R k×n with k = min(m, n) (NumPy's "reduced"); {@code true} gives Q m×m and R m×n.
     *
     * @param a        the matrices [..., m, n]
     * @param complete true for the complete factorization, false for the reduced one
     * @return Q and R, with {@code a}'s batch dimensions
     * @throws ShapeMismatchException if {@code a} has rank below 2
     */
    public static QR qr(Tensor a, boolean complete) {
        requireMatrix("qr", a);
        Device device = Ops.commonDevice("qr", a);
        int m = intDim("qr", a.dim(-2));
        int n = intDim("qr", a.dim(-1));
        int k = Math.min(m, n);
        int qCols = complete ? m : k;
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            long[] batch = batchShape(a);
            Tensor q = Tensor.allocate(t, withLast(batch, m, qCols), device, true);
            Tensor r = Tensor.allocate(t, withLast(batch, complete ? m : k, n), device, true);
            runAll(Kernels.QR, complete, new Tensor[]{q, r}, typed(a, t).kernelView(), q.kernelView(), r.kernelView());
            return new QR(scope.keep(q), scope.keep(r));
        }
    }

    /**
     * Singular value decomposition ({@code gesdd}): {@code fullMatrices = false} gives U m×k, S k, Vᵀ k×n
     * with k = min(m, n); {@code true} gives U m×m and Vᵀ n×n.
     *
     * @param a            the matrices [..., m, n]
     * @param fullMatrices true for square U and Vᵀ, false for the thin factorization
     * @return U, S and Vᵀ, with {@code a}'s batch dimensions
     * @throws LinalgException if the iteration did not converge
     * @throws ShapeMismatchException if {@code a} has rank below 2
     */
    public static SVD svd(Tensor a, boolean fullMatrices) {
        requireMatrix("svd", a);
        Device device = Ops.commonDevice("svd", a);
        int m = intDim("svd", a.dim(-2));
        int n = intDim("svd", a.dim(-1));
        int k = Math.min(m, n);
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            long[] batch = batchShape(a);
            Tensor u = Tensor.allocate(t, withLast(batch, m, fullMatrices ? m : k), device, true);
            Tensor s = Tensor.allocate(t, withLast(batch, k), device, true);
            Tensor vt = Tensor.allocate(t, withLast(batch, fullMatrices ? n : k, n), device, true);
            runAll(Kernels.SVD, fullMatrices, new Tensor[]{u, s, vt}, typed(a, t).kernelView(), u.kernelView(), s.kernelView(), vt.kernelView());
            SVD result = new SVD(scope.keep(u), scope.keep(s), scope.keep(vt));
            return fullMatrices && m != n ? result : LinalgGradients.svd(result, a);
        }
    }

    /**
     * The singular values of each matrix, descending ({@code gesdd} without vectors).
     *
     * @param a the matrices [..., m, n]
     * @return the singular values [..., min(m, n)], descending
     * @throws ShapeMismatchException if {@code a} has rank below 2
     */
    public static Tensor svdvals(Tensor a) {
        requireMatrix("svdvals", a);
        Device device = Ops.commonDevice("svdvals", a);
        int m = intDim("svdvals", a.dim(-2));
        int n = intDim("svdvals", a.dim(-1));
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            Tensor s = Tensor.allocate(t, withLast(batchShape(a), Math.min(m, n)), device, true);
            Ops.run(s, Kernels.SVD, false, typed(a, t).kernelView(), null, s.kernelView(), null);
            return LinalgGradients.svdvals(scope.keep(s), a);
        }
    }

    /**
     * Eigenvalues (ascending) and orthonormal eigenvectors (columns) of each symmetric matrix, read from
     * its lower triangle ({@code syevd}).
     *
     * @param a the symmetric matrices [..., n, n]; only the lower triangle is read
     * @return the eigenvalues [..., n] and eigenvectors [..., n, n]
     * @throws LinalgException if the iteration did not converge
     * @throws ShapeMismatchException if {@code a} is not a stack of square matrices
     */
    public static Eigh eigh(Tensor a) {
        return symmetricEigen(a, true);
    }

    /**
     * The eigenvalues (ascending) of each symmetric matrix, from its lower triangle.
     *
     * @param a the symmetric matrices [..., n, n]; only the lower triangle is read
     * @return the eigenvalues [..., n], ascending
     * @throws ShapeMismatchException if {@code a} is not a stack of square matrices
     * @throws LinalgException if the iteration did not converge
     */
    public static Tensor eigvalsh(Tensor a) {
        return symmetricEigen(a, false).values();
    }

    private static Eigh symmetricEigen(Tensor a, boolean vectors) {
        requireSquare("eigh", a);
        Device device = Ops.commonDevice("eigh", a);
        int n = intDim("eigh", a.dim(-1));
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            Tensor values = Tensor.allocate(t, withLast(batchShape(a), n), device, true);
            Tensor vecs = vectors ? Tensor.allocate(t, a.shape(), device, true) : null;
            runAll(Kernels.EIGH, null, new Tensor[]{values, vecs}, typed(a, t).kernelView(), values.kernelView(),
                    vecs == null ? null : vecs.kernelView());
            return LinalgGradients.eigh(scope.keep(values), vecs == null ? null : scope.keep(vecs), a);
        }
    }

    /**
     * Eigenvalues and right eigenvectors of each general real matrix ({@code geev}), as complex tensors:
     * values [..., n, 2], vectors [..., n, n, 2] with eigenvector j in column j, unit Euclidean norm.
     * Eigenvalues come in LAPACK's order (conjugate pairs adjacent, positive imaginary part first).
     *
     * @param a the square real matrices [..., n, n]
     * @return the complex eigenvalues and eigenvectors
     * @throws LinalgException if the QR iteration did not converge
     * @throws ShapeMismatchException if {@code a} is not a stack of square matrices
     */
    public static Eig eig(Tensor a) {
        requireSquare("eig", a);
        Device device = Ops.commonDevice("eig", a);
        int n = intDim("eig", a.dim(-1));
        try (Scope scope = Scope.open()) {
            DType t = workType(a);
            long[] batch = batchShape(a);
            Tensor values = Tensor.allocate(t, withLast(batch, n, 2), device, true);
            Tensor vectors = Tensor.allocate(t, withLast(batch, n, n, 2), device, true);
            runAll(Kernels.EIG, null, new Tensor[]{values, vectors}, typed(a, t).kernelView(), values.kernelView(), vectors.kernelView());
            return new Eig(scope.keep(values), scope.keep(vectors));
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
        Device device = Ops.commonDevice("lstsq", a, b);
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
            Tensor bm = vector ? b.unsqueeze(1) : b;
            double rc = Double.isNaN(rcond) ? (single ? Math.ulp(1.0f) : Math.ulp(1.0)) * rows : rcond;
            Tensor all = Tensor.allocate(t, new long[]{rows, k}, device, true);   // X in the first n rows
            Tensor s = Tensor.allocate(t, new long[]{Math.min(m, n)}, device, true);
            Tensor rankOut = Tensor.allocate(DType.I64, new long[0], device, true);
            runAll(Kernels.LSTSQ, rc, new Tensor[]{all, s, rankOut}, typed(a, t).kernelView(), typed(bm, t).kernelView(), all.kernelView(), s.kernelView(),
                    rankOut.kernelView());
            long rank = rankOut.getLong();
            Tensor x = all.slice(0, 0, n, 1).contiguous();
            Tensor residuals;
            if (rank == n && m > n) {
                residuals = all.slice(0, n, rows, 1).square().sum(0);
            } else {
                residuals = Tensor.zeros(t, device, 0);
            }
            Tensor solution = vector ? x.squeeze(1).contiguous() : x;
            return new Lstsq(scope.keep(solution), scope.keep(residuals), rank, scope.keep(s));
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

    /**
     * A matrix norm of each matrix (see {@link MatrixNorm}); shape: the batch dimensions.
     *
     * @param a   the matrices [..., m, n]
     * @param ord which norm to compute
     * @return the norms, of shape [...]
     * @throws ShapeMismatchException if {@code a} has rank below 2
     */
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
     *
     * @param a the square matrices [..., n, n]
     * @param k the exponent, any long
     * @return Aᵏ, of {@code a}'s shape
     * @throws ShapeMismatchException if {@code a} is not a stack of square matrices
     * @throws LinalgException if {@code k < 0} and a matrix is exactly singular
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
