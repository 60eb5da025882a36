package dev.proxima.blas;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * LAPACKE (the C interface of LAPACK, as exported by OpenBLAS) in single and double precision, column-major.
 *
 * <p>Each method takes the matrix dimensions, native segments and leading dimensions of the LAPACK
 * routine of the same name, checks in Java that every dimension is non-negative, every leading
 * dimension is at least the number of rows, and every segment is large enough, and then calls it. The
 * LAPACK {@code info} result is returned unchanged: 0 for success, {@code -i} if argument i was illegal
 * (after the checks, only when LAPACKE's NaN check finds a NaN in matrix argument i), {@code > 0} for a numerical
 * failure whose meaning depends on the routine (see its documentation; callers decode it). The
 * {@code single} flag selects the {@code s} routine on F32 data, otherwise the {@code d} routine on F64.
 *
 * <p>Matrices are column-major: element (i, j) of an m×n matrix with leading dimension {@code ld} is at
 * {@code i + j·ld}. Arrays of pivots ({@code ipiv}) and ranks are 32-bit ints.
 */
public final class Lapacke {

    private static final int COL_MAJOR = 102;

    private Lapacke() {
    }

    /**
     * Solves A·X = B by LU with partial pivoting ({@code ?gesv}); A (n×n) is overwritten by its LU factors, B (n×nrhs) by X.
     *
     * @param single true for the {@code s} routine on F32 data, false for the {@code d} routine on F64 data
     * @param n      the order of A, at least 0
     * @param nrhs   the number of right-hand sides (columns of B), at least 0
     * @param a      the n×n matrix A, overwritten by its LU factors
     * @param lda    the leading dimension of A, at least max(1, rows of A)
     * @param ipiv   the pivot indices, 32-bit ints, 1-based: row i was interchanged with row ipiv[i]
     * @param b      the right-hand sides B (n×nrhs), overwritten by the solution X
     * @param ldb    the leading dimension of B, at least max(1, n)
     * @return LAPACK's info: 0 on success; i &gt; 0 if U(i, i) is exactly zero (A is singular and no solution was computed)
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, a segment is too small,
     *     or a written segment is read-only
     * @throws IllegalStateException if a segment's arena is closed
     */
    public static int gesv(boolean single, int n, int nrhs, MemorySegment a, int lda, MemorySegment ipiv, MemorySegment b, int ldb) {
        matrix("A", single, n, n, a, lda);
        ints("ipiv", ipiv, n);
        matrix("B", single, n, nrhs, b, ldb);
        return call(single, "gesv", fd(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT),
                COL_MAJOR, n, nrhs, a, lda, ipiv, b, ldb);
    }

    /**
     * LU factorization with partial pivoting ({@code ?getrf}) of the m×n matrix A, in place.
     *
     * @param single true for the {@code s} routine on F32 data, false for the {@code d} routine on F64 data
     * @param m      the rows of A, at least 0
     * @param n      the columns of A, at least 0
     * @param a      the m×n matrix A, overwritten by L (unit diagonal not stored) and U
     * @param lda    the leading dimension of A, at least max(1, rows of A)
     * @param ipiv   receives min(m, n) pivot indices, 1-based: row i was interchanged with row ipiv[i]
     * @return LAPACK's info: 0 on success; i &gt; 0 if U(i, i) is exactly zero (the factorization is complete, but U is singular)
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, a segment is too small,
     *     or a written segment is read-only
     * @throws IllegalStateException if a segment's arena is closed
     */
    public static int getrf(boolean single, int m, int n, MemorySegment a, int lda, MemorySegment ipiv) {
        matrix("A", single, m, n, a, lda);
        ints("ipiv", ipiv, Math.min(m, n));
        return call(single, "getrf", fd(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), COL_MAJOR, m, n, a, lda, ipiv);
    }

    /**
     * Solves op(A)·X = B with the LU factors of {@link #getrf} ({@code ?getrs}); {@code trans} 'N' or 'T'.
     * B (n×nrhs) is overwritten by X.
     *
     * @param single true for the {@code s} routine on F32 data, false for the {@code d} routine on F64 data
     * @param trans  'N' to solve A·X = B, 'T' or 'C' to solve Aᵀ·X = B
     * @param n      the order of A, at least 0
     * @param nrhs   the number of right-hand sides (columns of B), at least 0
     * @param a      the LU factors from {@link #getrf} (read only)
     * @param lda    the leading dimension of A, at least max(1, rows of A)
     * @param ipiv   the pivot indices from {@link #getrf}
     * @param b      the right-hand sides B (n×nrhs), overwritten by the solution X
     * @param ldb    the leading dimension of B, at least max(1, n)
     * @return LAPACK's info: 0 on success
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, a segment is too small,
     *     a written segment is read-only, or a character option is not one of those listed
     * @throws IllegalStateException if a segment's arena is closed
     */
    public static int getrs(boolean single, char trans, int n, int nrhs, MemorySegment a, int lda, MemorySegment ipiv,
                            MemorySegment b, int ldb) {
        job("trans", trans, "NTC");
        matrixIn("A", single, n, n, a, lda);
        intsIn("ipiv", ipiv, n);
        matrix("B", single, n, nrhs, b, ldb);
        return call(single, "getrs", fd(JAVA_INT, JAVA_BYTE, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT),
                COL_MAJOR, (byte) trans, n, nrhs, a, lda, ipiv, b, ldb);
    }

    /**
     * Inverse from the LU factors of {@link #getrf} ({@code ?getri}), in place.
     *
     * @param single true for the {@code s} routine on F32 data, false for the {@code d} routine on F64 data
     * @param n      the order of A, at least 0
     * @param a      the LU factors from {@link #getrf}, overwritten by the inverse
     * @param lda    the leading dimension of A, at least max(1, rows of A)
     * @param ipiv   the pivot indices from {@link #getrf}
     * @return LAPACK's info: 0 on success; i &gt; 0 if U(i, i) is exactly zero (A is singular; no inverse)
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, a segment is too small,
     *     or a written segment is read-only
     * @throws IllegalStateException if a segment's arena is closed
     */
    public static int getri(boolean single, int n, MemorySegment a, int lda, MemorySegment ipiv) {
        matrix("A", single, n, n, a, lda);
        intsIn("ipiv", ipiv, n);
        return call(single, "getri", fd(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), COL_MAJOR, n, a, lda, ipiv);
    }

    /**
     * Cholesky factorization ({@code ?potrf}) of the triangle {@code uplo} ('L' or 'U') of A, in place.
     *
     * @param single true for the {@code s} routine on F32 data, false for the {@code d} routine on F64 data
     * @param uplo   'L' to read the lower triangle and write L (A = L·Lᵀ), 'U' for the upper triangle and U (A = Uᵀ·U)
     * @param n      the order of A, at least 0
     * @param a      the symmetric n×n matrix A; the {@code uplo} triangle is overwritten by the factor, the other is not touched
     * @param lda    the leading dimension of A, at least max(1, rows of A)
     * @return LAPACK's info: 0 on success; i &gt; 0 if the leading minor of order i is not positive definite
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, a segment is too small,
     *     a written segment is read-only, or a character option is not one of those listed
     * @throws IllegalStateException if a segment's arena is closed
     */
    public static int potrf(boolean single, char uplo, int n, MemorySegment a, int lda) {
        job("uplo", uplo, "LU");
        matrix("A", single, n, n, a, lda);
        return call(single, "potrf", fd(JAVA_INT, JAVA_BYTE, JAVA_INT, ADDRESS, JAVA_INT), COL_MAJOR, (byte) uplo, n, a, lda);
    }

    /**
     * Solves a triangular system op(A)·X = B ({@code ?trtrs}); B is overwritten by X.
     *
     * @param single true for the {@code s} routine on F32 data, false for the {@code d} routine on F64 data
     * @param uplo   'L' if A is lower triangular, 'U' if upper
     * @param trans  'N' for A·X = B, 'T' or 'C' for Aᵀ·X = B
     * @param diag   'N' to read A's diagonal, 'U' to take it as ones
     * @param n      the order of A, at least 0
     * @param nrhs   the number of right-hand sides (columns of B), at least 0
     * @param a      the triangular n×n matrix A (read only; the other triangle is not read)
     * @param lda    the leading dimension of A, at least max(1, rows of A)
     * @param b      the right-hand sides B (n×nrhs), overwritten by the solution X
     * @param ldb    the leading dimension of B, at least max(1, n)
     * @return LAPACK's info: 0 on success; i &gt; 0 if A(i, i) is zero (A is singular and no solution was computed)
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, a segment is too small,
     *     a written segment is read-only, or a character option is not one of those listed
     * @throws IllegalStateException if a segment's arena is closed
     */
    public static int trtrs(boolean single, char uplo, char trans, char diag, int n, int nrhs, MemorySegment a, int lda,
                            MemorySegment b, int ldb) {
        job("uplo", uplo, "LU");
        job("trans", trans, "NTC");
        job("diag", diag, "NU");
        matrixIn("A", single, n, n, a, lda);
        matrix("B", single, n, nrhs, b, ldb);
        return call(single, "trtrs", fd(JAVA_INT, JAVA_BYTE, JAVA_BYTE, JAVA_BYTE, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT),
                COL_MAJOR, (byte) uplo, (byte) trans, (byte) diag, n, nrhs, a, lda, b, ldb);
    }

    /**
     * QR factorization ({@code ?geqrf}): R in the upper triangle of A, Householder vectors below, scalars in tau (min(m,n)).
     *
     * @param single true for the {@code s} routine on F32 data, false for the {@code d} routine on F64 data
     * @param m      the rows of A, at least 0
     * @param n      the columns of A, at least 0
     * @param a      the m×n matrix A, overwritten by R and the Householder vectors
     * @param lda    the leading dimension of A, at least max(1, rows of A)
     * @param tau    receives the min(m, n) scalar factors of the reflectors
     * @return LAPACK's info: 0 on success
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, a segment is too small,
     *     or a written segment is read-only
     * @throws IllegalStateException if a segment's arena is closed
     */
    public static int geqrf(boolean single, int m, int n, MemorySegment a, int lda, MemorySegment tau) {
        matrix("A", single, m, n, a, lda);
        vector("tau", single, tau, Math.min(m, n));
        return call(single, "geqrf", fd(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), COL_MAJOR, m, n, a, lda, tau);
    }

    /**
     * Forms the m×n matrix Q with orthonormal columns from k reflectors of {@link #geqrf} ({@code ?orgqr}).
     *
     * @param single true for the {@code s} routine on F32 data, false for the {@code d} routine on F64 data
     * @param m      the rows of Q, at least n
     * @param n      the columns of Q, at most m
     * @param k      the number of reflectors, at most n
     * @param a      the reflectors from {@link #geqrf} in the first k columns, overwritten by Q
     * @param lda    the leading dimension of A, at least max(1, rows of A)
     * @param tau    the k scalar factors from {@link #geqrf}
     * @return LAPACK's info: 0 on success
     * @throws IllegalArgumentException unless m ≥ n ≥ k ≥ 0, or if a leading dimension is too small, a segment is too small
     *     or a written segment is read-only
     * @throws IllegalStateException if a segment's arena is closed
     */
    public static int orgqr(boolean single, int m, int n, int k, MemorySegment a, int lda, MemorySegment tau) {
        if (k < 0 || n > m || k > n) {
            throw new IllegalArgumentException("orgqr needs m >= n >= k, got m=" + m + " n=" + n + " k=" + k);
        }
        matrix("A", single, m, n, a, lda);
        vectorIn("tau", single, tau, k);
        return call(single, "orgqr", fd(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), COL_MAJOR, m, n, k, a, lda, tau);
    }

    /**
     * Singular value decomposition by divide and conquer ({@code ?gesdd}). {@code jobz}: 'A' (all of U
     * m×m and Vᵀ n×n), 'S' (thin: U m×min, Vᵀ min×n), 'N' (values only; u and vt may be NULL).
     *
     * @param single true for the {@code s} routine on F32 data, false for the {@code d} routine on F64 data
     * @param jobz   'A', 'S' or 'N', as above
     * @param m      the rows of A, at least 0
     * @param n      the columns of A, at least 0
     * @param a      the m×n matrix A, destroyed
     * @param lda    the leading dimension of A, at least max(1, rows of A)
     * @param s      receives the min(m, n) singular values, descending
     * @param u      receives U (columns: left singular vectors); unused for 'N'
     * @param ldu    the leading dimension of U, at least max(1, m) unless jobz is 'N'
     * @param vt     receives Vᵀ (rows: right singular vectors); unused for 'N'
     * @param ldvt   the leading dimension of Vᵀ, at least its rows unless jobz is 'N'
     * @return LAPACK's info: 0 on success; &gt; 0 if the bidiagonal SVD did not converge
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, a segment is too small,
     *     a written segment is read-only, or a character option is not one of those listed
     * @throws IllegalStateException if a segment's arena is closed
     */
    public static int gesdd(boolean single, char jobz, int m, int n, MemorySegment a, int lda, MemorySegment s,
                            MemorySegment u, int ldu, MemorySegment vt, int ldvt) {
        job("jobz", jobz, "ASN");
        int k = Math.min(m, n);
        matrix("A", single, m, n, a, lda);
        vector("s", single, s, k);
        if (jobz != 'N') {
            matrix("U", single, m, jobz == 'A' ? m : k, u, ldu);
            matrix("VT", single, jobz == 'A' ? n : k, n, vt, ldvt);
        } else {
            ldu = Math.max(1, ldu);
            ldvt = Math.max(1, ldvt);
        }
        return call(single, "gesdd", fd(JAVA_INT, JAVA_BYTE, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT),
                COL_MAJOR, (byte) jobz, m, n, a, lda, s, u, ldu, vt, ldvt);
    }

    /**
     * Eigenvalues (ascending, into w) and, for {@code jobz = 'V'}, eigenvectors (into the columns of A) of
     * a symmetric matrix from its {@code uplo} triangle, by divide and conquer ({@code ?syevd}).
     *
     * @param single true for the {@code s} routine on F32 data, false for the {@code d} routine on F64 data
     * @param jobz   'N' for eigenvalues only, 'V' for eigenvectors too
     * @param uplo   'L' or 'U': the triangle of A that is read
     * @param n      the order of A, at least 0
     * @param a      the symmetric n×n matrix A, overwritten by the eigenvectors for 'V' (destroyed otherwise)
     * @param lda    the leading dimension of A, at least max(1, rows of A)
     * @param w      receives the n eigenvalues, ascending
     * @return LAPACK's info: 0 on success; i &gt; 0 if the algorithm failed to converge
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, a segment is too small,
     *     a written segment is read-only, or a character option is not one of those listed
     * @throws IllegalStateException if a segment's arena is closed
     */
    public static int syevd(boolean single, char jobz, char uplo, int n, MemorySegment a, int lda, MemorySegment w) {
        job("jobz", jobz, "NV");
        job("uplo", uplo, "LU");
        matrix("A", single, n, n, a, lda);
        vector("w", single, w, n);
        return call(single, "syevd", fd(JAVA_INT, JAVA_BYTE, JAVA_BYTE, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS),
                COL_MAJOR, (byte) jobz, (byte) uplo, n, a, lda, w);
    }

    /**
     * Eigenvalues (wr + i·wi) and right eigenvectors of a general real matrix ({@code ?geev}); complex
     * pairs of eigenvectors are stored as consecutive real and imaginary columns of VR.
     *
     * @param single true for the {@code s} routine on F32 data, false for the {@code d} routine on F64 data
     * @param jobvl  'N', or 'V' to compute left eigenvectors
     * @param jobvr  'N', or 'V' to compute right eigenvectors
     * @param n      the order of A, at least 0
     * @param a      the n×n matrix A, destroyed
     * @param lda    the leading dimension of A, at least max(1, rows of A)
     * @param wr     receives the real parts of the n eigenvalues
     * @param wi     receives the imaginary parts of the n eigenvalues
     * @param vl     receives the left eigenvectors for jobvl 'V' (n×n); unused for 'N'
     * @param ldvl   the leading dimension of VL, at least n for jobvl 'V'
     * @param vr     receives the right eigenvectors for jobvr 'V' (n×n); unused for 'N'
     * @param ldvr   the leading dimension of VR, at least n for jobvr 'V'
     * @return LAPACK's info: 0 on success; i &gt; 0 if the QR algorithm failed (eigenvalues i+1…n of wr and wi have converged; no vectors)
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, a segment is too small,
     *     a written segment is read-only, or a character option is not one of those listed
     * @throws IllegalStateException if a segment's arena is closed
     */
    public static int geev(boolean single, char jobvl, char jobvr, int n, MemorySegment a, int lda, MemorySegment wr,
                           MemorySegment wi, MemorySegment vl, int ldvl, MemorySegment vr, int ldvr) {
        job("jobvl", jobvl, "NV");
        job("jobvr", jobvr, "NV");
        matrix("A", single, n, n, a, lda);
        vector("wr", single, wr, n);
        vector("wi", single, wi, n);
        if (jobvl == 'V') {
            matrix("VL", single, n, n, vl, ldvl);
        } else {
            ldvl = Math.max(1, ldvl);
        }
        if (jobvr == 'V') {
            matrix("VR", single, n, n, vr, ldvr);
        } else {
            ldvr = Math.max(1, ldvr);
        }
        return call(single, "geev", fd(JAVA_INT, JAVA_BYTE, JAVA_BYTE, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT),
                COL_MAJOR, (byte) jobvl, (byte) jobvr, n, a, lda, wr, wi, vl, ldvl, vr, ldvr);
    }

    /**
     * Minimum-norm least squares by SVD ({@code ?gelsd}): B (max(m,n)×nrhs) is overwritten by the
     * solution in its first n rows; s receives min(m,n) singular values; singular values below
     * {@code rcond·s[0]} count as zero; the effective rank goes to {@code rank[0]}.
     *
     * @param single true for the {@code s} routine on F32 data, false for the {@code d} routine on F64 data
     * @param m      the rows of A, at least 0
     * @param n      the columns of A, at least 0
     * @param nrhs   the number of right-hand sides (columns of B), at least 0
     * @param a      the m×n matrix A, destroyed
     * @param lda    the leading dimension of A, at least max(1, rows of A)
     * @param b      the right-hand sides (max(m, n)×nrhs), overwritten by the solution in the first n rows
     * @param ldb    the leading dimension of B, at least max(1, m, n)
     * @param s      receives the min(m, n) singular values, descending
     * @param rcond  the relative threshold below which singular values count as zero; negative for machine precision
     * @param rank   receives the effective rank, one 32-bit int
     * @return LAPACK's info: 0 on success; i &gt; 0 if the SVD did not converge (i off-diagonal elements did not converge to zero)
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, a segment is too small,
     *     or a written segment is read-only
     * @throws IllegalStateException if a segment's arena is closed
     */
    public static int gelsd(boolean single, int m, int n, int nrhs, MemorySegment a, int lda, MemorySegment b, int ldb,
                            MemorySegment s, double rcond, MemorySegment rank) {
        matrix("A", single, m, n, a, lda);
        matrix("B", single, Math.max(m, n), nrhs, b, ldb);
        vector("s", single, s, Math.min(m, n));
        ints("rank", rank, 1);
        ValueLayout real = single ? JAVA_FLOAT : JAVA_DOUBLE;
        Object rc = single ? (Object) (float) rcond : (Object) rcond;
        return call(single, "gelsd", fd(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, real, ADDRESS),
                COL_MAJOR, m, n, nrhs, a, lda, b, ldb, s, rc, rank);
    }

    // ---------------------------------------------------------------- plumbing

    private static FunctionDescriptor fd(MemoryLayout... args) {
        return FunctionDescriptor.of(JAVA_INT, args);
    }

    private static final ConcurrentHashMap<String, MethodHandle> HANDLES = new ConcurrentHashMap<>();

    /**
     * Stack size of the threads LAPACK runs on. OpenBLAS's LAPACK routines (getrf from about n = 200, for
     * instance) need more native stack than a Java thread's default 1 MiB and crash the JVM with a
     * segmentation fault on it; measured here: getrf of 200×200 overflows 1 MiB and runs with 16 MiB.
     */
    static final long LAPACK_STACK = 64L << 20;

    private static final java.util.concurrent.ExecutorService LAPACK_THREADS = java.util.concurrent.Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(null, task, "proxima-lapack", LAPACK_STACK);
        t.setDaemon(true);
        return t;
    });

    /** A thread that is never started: a segment it may not access is confined to some other thread. */
    private static final Thread NOT_STARTED = new Thread(() -> { });

    private static int call(boolean single, String routine, FunctionDescriptor fd, Object... args) {
        String symbol = "LAPACKE_" + (single ? "s" : "d") + routine;
        // the descriptor's real scalars (gelsd's rcond) follow the precision
        MethodHandle mh = HANDLES.computeIfAbsent(symbol, s -> OpenBlas.downcall(s, fd));
        Object[] plain = args.clone();
        for (int i = 0; i < plain.length; i++) {
            if (plain[i] instanceof MemorySegment seg && seg.isNative() && seg.address() != 0) {
                if (!seg.scope().isAlive()) {
                    throw new IllegalStateException("Already closed: an argument of " + symbol + " belongs to a closed arena");
                }
                if (!seg.isAccessibleBy(NOT_STARTED)) {
                    // confined to the calling thread, which blocks (uninterruptibly, below) until the call returns, so
                    // the memory stays valid: hand the LAPACK thread the same addresses as global-scope segments.
                    // Shared and global segments pass as they are, so the downcall keeps a shared arena alive.
                    plain[i] = MemorySegment.ofAddress(seg.address()).reinterpret(seg.byteSize());
                }
            }
        }
        java.util.concurrent.Callable<Integer> invoke = () -> {
            try {
                return (int) mh.invokeWithArguments(plain);
            } catch (Throwable t) {
                throw OpenBlas.rethrow(t);
            }
        };
        if (Thread.currentThread().getName().equals("proxima-lapack")) {
            try {
                return invoke.call();
            } catch (Exception e) {
                throw OpenBlas.rethrow(e);
            }
        }
        java.util.concurrent.Future<Integer> running = LAPACK_THREADS.submit(invoke);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    // never return (and let the caller free the arguments) while the native call still runs
                    return running.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw OpenBlas.rethrow(e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void job(String name, char value, String allowed) {
        if (allowed.indexOf(value) < 0) {
            throw new IllegalArgumentException(name + " must be one of " + Arrays.toString(allowed.toCharArray()) + ", got '" + value + "'");
        }
    }

    /** A matrix argument the routine writes (it must not be read-only). */
    private static void matrix(String name, boolean single, int rows, int cols, MemorySegment s, int ld) {
        writable(name, matrixIn(name, single, rows, cols, s, ld));
    }

    /** A vector argument the routine writes. */
    private static void vector(String name, boolean single, MemorySegment s, int n) {
        writable(name, vectorIn(name, single, s, n));
    }

    /** An int array argument the routine writes. */
    private static void ints(String name, MemorySegment s, int n) {
        writable(name, intsIn(name, s, n));
    }

    /** LAPACK writing into a read-only mapping would crash the process: refuse it first. */
    private static void writable(String name, MemorySegment s) {
        if (s.isReadOnly()) {
            throw new IllegalArgumentException(name + " is written by the routine but is a read-only segment (a read-only"
                    + " file mapping, say); pass a writable copy");
        }
    }

    /** A matrix argument the routine only reads. */
    private static MemorySegment matrixIn(String name, boolean single, int rows, int cols, MemorySegment s, int ld) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(name + " dimensions must be >= 0, got " + rows + "x" + cols);
        }
        if (ld < Math.max(1, rows)) {
            throw new IllegalArgumentException("leading dimension of " + name + " is " + ld + ", expected >= " + Math.max(1, rows)
                    + " for a " + rows + "x" + cols + " column-major matrix");
        }
        long elements = rows == 0 || cols == 0 ? 0 : (long) (cols - 1) * ld + rows;
        return segment(name, s, elements, single ? 4 : 8);
    }

    private static MemorySegment vectorIn(String name, boolean single, MemorySegment s, int n) {
        return segment(name, s, Math.max(0, n), single ? 4 : 8);
    }

    private static MemorySegment intsIn(String name, MemorySegment s, int n) {
        return segment(name, s, Math.max(0, n), 4);
    }

    private static MemorySegment segment(String name, MemorySegment s, long elements, int size) {
        if (s == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (elements > 0 && !s.isNative()) {
            throw new IllegalArgumentException(name + " must be a native (off-heap) segment");
        }
        if (s.byteSize() < elements * size) {
            throw new IllegalArgumentException(name + " holds " + s.byteSize() / size + " elements but the routine needs " + elements);
        }
        return s;
    }
}
