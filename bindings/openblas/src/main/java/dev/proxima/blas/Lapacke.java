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

    /** Solves A·X = B by LU with partial pivoting ({@code ?gesv}); A (n×n) is overwritten by its LU factors, B (n×nrhs) by X. */
    public static int gesv(boolean single, int n, int nrhs, MemorySegment a, int lda, MemorySegment ipiv, MemorySegment b, int ldb) {
        matrix("A", single, n, n, a, lda);
        ints("ipiv", ipiv, n);
        matrix("B", single, n, nrhs, b, ldb);
        return call(single, "gesv", fd(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT),
                COL_MAJOR, n, nrhs, a, lda, ipiv, b, ldb);
    }

    /** LU factorization with partial pivoting ({@code ?getrf}) of the m×n matrix A, in place. */
    public static int getrf(boolean single, int m, int n, MemorySegment a, int lda, MemorySegment ipiv) {
        matrix("A", single, m, n, a, lda);
        ints("ipiv", ipiv, Math.min(m, n));
        return call(single, "getrf", fd(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), COL_MAJOR, m, n, a, lda, ipiv);
    }

    /**
     * Solves op(A)·X = B with the LU factors of {@link #getrf} ({@code ?getrs}); {@code trans} 'N' or 'T'.
     * B (n×nrhs) is overwritten by X.
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

    /** Inverse from the LU factors of {@link #getrf} ({@code ?getri}), in place. */
    public static int getri(boolean single, int n, MemorySegment a, int lda, MemorySegment ipiv) {
        matrix("A", single, n, n, a, lda);
        intsIn("ipiv", ipiv, n);
        return call(single, "getri", fd(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), COL_MAJOR, n, a, lda, ipiv);
    }

    /** Cholesky factorization ({@code ?potrf}) of the triangle {@code uplo} ('L' or 'U') of A, in place. */
    public static int potrf(boolean single, char uplo, int n, MemorySegment a, int lda) {
        job("uplo", uplo, "LU");
        matrix("A", single, n, n, a, lda);
        return call(single, "potrf", fd(JAVA_INT, JAVA_BYTE, JAVA_INT, ADDRESS, JAVA_INT), COL_MAJOR, (byte) uplo, n, a, lda);
    }

    /** Solves a triangular system op(A)·X = B ({@code ?trtrs}); B is overwritten by X. */
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

    /** QR factorization ({@code ?geqrf}): R in the upper triangle of A, Householder vectors below, scalars in tau (min(m,n)). */
    public static int geqrf(boolean single, int m, int n, MemorySegment a, int lda, MemorySegment tau) {
        matrix("A", single, m, n, a, lda);
        vector("tau", single, tau, Math.min(m, n));
        return call(single, "geqrf", fd(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS), COL_MAJOR, m, n, a, lda, tau);
    }

    /** Forms the m×n matrix Q with orthonormal columns from k reflectors of {@link #geqrf} ({@code ?orgqr}). */
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
