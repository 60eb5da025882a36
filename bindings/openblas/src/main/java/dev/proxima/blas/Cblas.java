package dev.proxima.blas;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * CBLAS levels 1–3 in single ({@code s}) and double ({@code d}) precision, as thin static methods.
 *
 * <p>Arrays are native {@link MemorySegment}s whose first element is at offset 0 (pass
 * {@code segment.asSlice(byteOffset)} for an inner start). Dimensions are {@code int}, as in the
 * C interface. Before each call the arguments are checked in Java: non-negative dimensions,
 * non-zero increments, leading dimensions at least as large as the stored rows/columns, and
 * segments large enough for every element the routine may touch. A failed check throws
 * {@link IllegalArgumentException} naming the argument, so bad input never reaches native code.
 *
 * <p>Semantics are exactly those of the reference BLAS; see the Netlib documentation of each routine.
 */
public final class Cblas {

    /** Storage order of matrices. */
    public enum Layout {
        /** C order: element (i, j) at {@code i * ld + j}. */
        ROW_MAJOR(101),
        /** Fortran order: element (i, j) at {@code j * ld + i}. */
        COL_MAJOR(102);

        final int code;

        Layout(int code) {
            this.code = code;
        }
    }

    /** Whether a matrix operand is used as stored or transposed. */
    public enum Transpose {
        /** op(A) = A. */
        NO_TRANS(111),
        /** op(A) = Aᵀ. */
        TRANS(112);

        final int code;

        Transpose(int code) {
            this.code = code;
        }
    }

    /** Which triangle of a symmetric or triangular matrix is referenced. */
    public enum UpLo {
        /** The upper triangle. */
        UPPER(121),
        /** The lower triangle. */
        LOWER(122);

        final int code;

        UpLo(int code) {
            this.code = code;
        }
    }

    /** Whether a triangular matrix has an implicit unit diagonal. */
    public enum Diag {
        /** The diagonal is read from the matrix. */
        NON_UNIT(131),
        /** The diagonal is taken as all ones and not read. */
        UNIT(132);

        final int code;

        Diag(int code) {
            this.code = code;
        }
    }

    /** On which side the triangular matrix multiplies in {@code trsm}. */
    public enum Side {
        /** op(A) X = alpha B. */
        LEFT(141),
        /** X op(A) = alpha B. */
        RIGHT(142);

        final int code;

        Side(int code) {
            this.code = code;
        }
    }

    private Cblas() {
    }

    // ---------------------------------------------------------------- level 1

    /**
     * y := alpha·x + y.
     *
     * @param n     the number of elements of the vectors, at least 0
     * @param alpha the scalar factor
     * @param x     the vector x: elements {@code x[i·incx]} (from the end for a negative increment)
     * @param incx  the step between elements of x, non-zero
     * @param y     the vector y, updated in place
     * @param incy  the step between elements of y, non-zero
     * @throws IllegalArgumentException if n is negative, an increment is 0, a segment is too small for the elements touched,
     *     or y is a read-only segment
     */
    public static void saxpy(int n, float alpha, MemorySegment x, int incx, MemorySegment y, int incy) {
        checkVector("x", n, x, incx, JAVA_FLOAT);
        checkVector("y", n, y, incy, JAVA_FLOAT);
        checkWritable("y", y);
        try {
            H.SAXPY.invokeExact(n, alpha, x, incx, y, incy);
        } catch (Throwable t) {
            throw OpenBlas.rethrow(t);
        }
    }

    /**
     * y := alpha·x + y.
     *
     * @param n     the number of elements of the vectors, at least 0
     * @param alpha the scalar factor
     * @param x     the vector x: elements {@code x[i·incx]} (from the end for a negative increment)
     * @param incx  the step between elements of x, non-zero
     * @param y     the vector y, updated in place
     * @param incy  the step between elements of y, non-zero
     * @throws IllegalArgumentException if n is negative, an increment is 0, a segment is too small for the elements touched,
     *     or y is a read-only segment
     */
    public static void daxpy(int n, double alpha, MemorySegment x, int incx, MemorySegment y, int incy) {
        checkVector("x", n, x, incx, JAVA_DOUBLE);
        checkVector("y", n, y, incy, JAVA_DOUBLE);
        checkWritable("y", y);
        try {
            H.DAXPY.invokeExact(n, alpha, x, incx, y, incy);
        } catch (Throwable t) {
            throw OpenBlas.rethrow(t);
        }
    }

    /**
     * Returns xᵀy.
     *
     * @param n    the number of elements of the vectors, at least 0
     * @param x    the vector x: elements {@code x[i·incx]} (from the end for a negative increment)
     * @param incx the step between elements of x, non-zero
     * @param y    the vector y: elements {@code y[i·incy]}
     * @param incy the step between elements of y, non-zero
     * @return the dot product Σ xᵢ·yᵢ (0 for n = 0)
     * @throws IllegalArgumentException if n is negative, an increment is 0, or a segment is too small for the elements touched
     */
    public static float sdot(int n, MemorySegment x, int incx, MemorySegment y, int incy) {
        checkVector("x", n, x, incx, JAVA_FLOAT);
        checkVector("y", n, y, incy, JAVA_FLOAT);
        try {
            return (float) H.SDOT.invokeExact(n, x, incx, y, incy);
        } catch (Throwable t) {
            throw OpenBlas.rethrow(t);
        }
    }

    /**
     * Returns xᵀy.
     *
     * @param n    the number of elements of the vectors, at least 0
     * @param x    the vector x: elements {@code x[i·incx]} (from the end for a negative increment)
     * @param incx the step between elements of x, non-zero
     * @param y    the vector y: elements {@code y[i·incy]}
     * @param incy the step between elements of y, non-zero
     * @return the dot product Σ xᵢ·yᵢ (0 for n = 0)
     * @throws IllegalArgumentException if n is negative, an increment is 0, or a segment is too small for the elements touched
     */
    public static double ddot(int n, MemorySegment x, int incx, MemorySegment y, int incy) {
        checkVector("x", n, x, incx, JAVA_DOUBLE);
        checkVector("y", n, y, incy, JAVA_DOUBLE);
        try {
            return (double) H.DDOT.invokeExact(n, x, incx, y, incy);
        } catch (Throwable t) {
            throw OpenBlas.rethrow(t);
        }
    }

    /**
     * Returns the Euclidean norm ‖x‖₂ (computed without overflow).
     *
     * @param n    the number of elements of the vectors, at least 0
     * @param x    the vector x: elements {@code x[i·incx]} (from the end for a negative increment)
     * @param incx the step between elements of x, non-zero
     * @return the norm (0 for n = 0)
     * @throws IllegalArgumentException if n is negative, an increment is 0, or a segment is too small for the elements touched
     */
    public static float snrm2(int n, MemorySegment x, int incx) {
        checkVector("x", n, x, incx, JAVA_FLOAT);
        try {
            return (float) H.SNRM2.invokeExact(n, x, incx);
        } catch (Throwable t) {
            throw OpenBlas.rethrow(t);
        }
    }

    /**
     * Returns the Euclidean norm ‖x‖₂ (computed without overflow).
     *
     * @param n    the number of elements of the vectors, at least 0
     * @param x    the vector x: elements {@code x[i·incx]} (from the end for a negative increment)
     * @param incx the step between elements of x, non-zero
     * @return the norm (0 for n = 0)
     * @throws IllegalArgumentException if n is negative, an increment is 0, or a segment is too small for the elements touched
     */
    public static double dnrm2(int n, MemorySegment x, int incx) {
        checkVector("x", n, x, incx, JAVA_DOUBLE);
        try {
            return (double) H.DNRM2.invokeExact(n, x, incx);
        } catch (Throwable t) {
            throw OpenBlas.rethrow(t);
        }
    }

    /**
     * x := alpha·x.
     *
     * @param n     the number of elements of the vectors, at least 0
     * @param alpha the scalar factor
     * @param x     the vector x, scaled in place: elements {@code x[i·incx]}
     * @param incx  the step between elements of x, non-zero
     * @throws IllegalArgumentException if n is negative, an increment is 0, a segment is too small for the elements touched,
     *     or x is a read-only segment
     */
    public static void sscal(int n, float alpha, MemorySegment x, int incx) {
        checkVector("x", n, x, incx, JAVA_FLOAT);
        checkWritable("x", x);
        try {
            H.SSCAL.invokeExact(n, alpha, x, incx);
        } catch (Throwable t) {
            throw OpenBlas.rethrow(t);
        }
    }

    /**
     * x := alpha·x.
     *
     * @param n     the number of elements of the vectors, at least 0
     * @param alpha the scalar factor
     * @param x     the vector x, scaled in place: elements {@code x[i·incx]}
     * @param incx  the step between elements of x, non-zero
     * @throws IllegalArgumentException if n is negative, an increment is 0, a segment is too small for the elements touched,
     *     or x is a read-only segment
     */
    public static void dscal(int n, double alpha, MemorySegment x, int incx) {
        checkVector("x", n, x, incx, JAVA_DOUBLE);
        checkWritable("x", x);
        try {
            H.DSCAL.invokeExact(n, alpha, x, incx);
        } catch (Throwable t) {
            throw OpenBlas.rethrow(t);
        }
    }

    // ---------------------------------------------------------------- level 2

    /**
     * y := alpha·op(A)·x + beta·y, with A stored as m×n.
     *
     * @param layout the storage order of A
     * @param trans  whether y gets A·x or Aᵀ·x
     * @param m      the rows of A as stored
     * @param n      the columns of A as stored
     * @param alpha  the factor of op(A)·x
     * @param a      the matrix A
     * @param lda    the leading dimension of A (row stride for ROW_MAJOR, column stride for COL_MAJOR)
     * @param x      the vector x, of length n (m for TRANS)
     * @param incx   the step between elements of x, non-zero
     * @param beta   the factor of y; 0 ignores y's previous contents (NaN included)
     * @param y      the vector y, of length m (n for TRANS), updated in place
     * @param incy   the step between elements of y, non-zero
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, an increment is 0,
     *     a segment is too small for the elements the routine touches, or the output is a read-only segment
     */
    public static void sgemv(Layout layout, Transpose trans, int m, int n, float alpha, MemorySegment a, int lda,
                             MemorySegment x, int incx, float beta, MemorySegment y, int incy) {
        checkGemv(layout, trans, m, n, a, lda, x, incx, y, incy, JAVA_FLOAT);
        try {
            H.SGEMV.invokeExact(layout.code, trans.code, m, n, alpha, a, lda, x, incx, beta, y, incy);
        } catch (Throwable t) {
            throw OpenBlas.rethrow(t);
        }
    }

    /**
     * y := alpha·op(A)·x + beta·y, with A stored as m×n.
     *
     * @param layout the storage order of A
     * @param trans  whether y gets A·x or Aᵀ·x
     * @param m      the rows of A as stored
     * @param n      the columns of A as stored
     * @param alpha  the factor of op(A)·x
     * @param a      the matrix A
     * @param lda    the leading dimension of A (row stride for ROW_MAJOR, column stride for COL_MAJOR)
     * @param x      the vector x, of length n (m for TRANS)
     * @param incx   the step between elements of x, non-zero
     * @param beta   the factor of y; 0 ignores y's previous contents (NaN included)
     * @param y      the vector y, of length m (n for TRANS), updated in place
     * @param incy   the step between elements of y, non-zero
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, an increment is 0,
     *     a segment is too small for the elements the routine touches, or the output is a read-only segment
     */
    public static void dgemv(Layout layout, Transpose trans, int m, int n, double alpha, MemorySegment a, int lda,
                             MemorySegment x, int incx, double beta, MemorySegment y, int incy) {
        checkGemv(layout, trans, m, n, a, lda, x, incx, y, incy, JAVA_DOUBLE);
        try {
            H.DGEMV.invokeExact(layout.code, trans.code, m, n, alpha, a, lda, x, incx, beta, y, incy);
        } catch (Throwable t) {
            throw OpenBlas.rethrow(t);
        }
    }

    // ---------------------------------------------------------------- level 3

    /**
     * C := alpha·op(A)·op(B) + beta·C, with op(A) m×k, op(B) k×n, C m×n.
     *
     * @param layout the storage order of A, B and C
     * @param transA whether op(A) is A or Aᵀ
     * @param transB whether op(B) is B or Bᵀ
     * @param m      the rows of op(A) and C
     * @param n      the columns of op(B) and C
     * @param k      the columns of op(A) and rows of op(B)
     * @param alpha  the factor of op(A)·op(B)
     * @param a      the matrix A
     * @param lda    the leading dimension of A
     * @param b      the matrix B
     * @param ldb    the leading dimension of B
     * @param beta   the factor of C; 0 ignores C's previous contents (NaN included)
     * @param c      the matrix C, updated in place
     * @param ldc    the leading dimension of C
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, an increment is 0,
     *     a segment is too small for the elements the routine touches, or the output is a read-only segment
     */
    public static void sgemm(Layout layout, Transpose transA, Transpose transB, int m, int n, int k, float alpha,
                             MemorySegment a, int lda, MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        checkGemm(layout, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, JAVA_FLOAT);
        try {
            H.SGEMM.invokeExact(layout.code, transA.code, transB.code, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw OpenBlas.rethrow(t);
        }
    }

    /**
     * C := alpha·op(A)·op(B) + beta·C, with op(A) m×k, op(B) k×n, C m×n.
     *
     * @param layout the storage order of A, B and C
     * @param transA whether op(A) is A or Aᵀ
     * @param transB whether op(B) is B or Bᵀ
     * @param m      the rows of op(A) and C
     * @param n      the columns of op(B) and C
     * @param k      the columns of op(A) and rows of op(B)
     * @param alpha  the factor of op(A)·op(B)
     * @param a      the matrix A
     * @param lda    the leading dimension of A
     * @param b      the matrix B
     * @param ldb    the leading dimension of B
     * @param beta   the factor of C; 0 ignores C's previous contents (NaN included)
     * @param c      the matrix C, updated in place
     * @param ldc    the leading dimension of C
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, an increment is 0,
     *     a segment is too small for the elements the routine touches, or the output is a read-only segment
     */
    public static void dgemm(Layout layout, Transpose transA, Transpose transB, int m, int n, int k, double alpha,
                             MemorySegment a, int lda, MemorySegment b, int ldb, double beta, MemorySegment c, int ldc) {
        checkGemm(layout, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, JAVA_DOUBLE);
        try {
            H.DGEMM.invokeExact(layout.code, transA.code, transB.code, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw OpenBlas.rethrow(t);
        }
    }

    /**
     * Symmetric rank-k update C := alpha·op(A)·op(A)ᵀ + beta·C on the {@code uplo} triangle of the n×n
     * matrix C; op(A) is n×k ({@code NO_TRANS}) or A is k×n ({@code TRANS}).
     *
     * @param layout the storage order of A and C
     * @param uplo   which triangle of C is updated (the other is not touched)
     * @param trans  NO_TRANS for A·Aᵀ with A n×k, TRANS for Aᵀ·A with A k×n
     * @param n      the order of C
     * @param k      the inner dimension
     * @param alpha  the factor of the product
     * @param a      the matrix A
     * @param lda    the leading dimension of A
     * @param beta   the factor of C; 0 ignores C's previous contents
     * @param c      the symmetric matrix C, its {@code uplo} triangle updated in place
     * @param ldc    the leading dimension of C
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, an increment is 0,
     *     a segment is too small for the elements the routine touches, or the output is a read-only segment
     */
    public static void ssyrk(Layout layout, UpLo uplo, Transpose trans, int n, int k, float alpha, MemorySegment a,
                             int lda, float beta, MemorySegment c, int ldc) {
        checkSyrk(layout, trans, n, k, a, lda, c, ldc, JAVA_FLOAT);
        try {
            H.SSYRK.invokeExact(layout.code, uplo.code, trans.code, n, k, alpha, a, lda, beta, c, ldc);
        } catch (Throwable t) {
            throw OpenBlas.rethrow(t);
        }
    }

    /**
     * Double-precision {@link #ssyrk}.
     *
     * @param layout the storage order of A and C
     * @param uplo   which triangle of C is updated (the other is not touched)
     * @param trans  NO_TRANS for A·Aᵀ with A n×k, TRANS for Aᵀ·A with A k×n
     * @param n      the order of C
     * @param k      the inner dimension
     * @param alpha  the factor of the product
     * @param a      the matrix A
     * @param lda    the leading dimension of A
     * @param beta   the factor of C; 0 ignores C's previous contents
     * @param c      the symmetric matrix C, its {@code uplo} triangle updated in place
     * @param ldc    the leading dimension of C
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, an increment is 0,
     *     a segment is too small for the elements the routine touches, or the output is a read-only segment
     */
    public static void dsyrk(Layout layout, UpLo uplo, Transpose trans, int n, int k, double alpha, MemorySegment a,
                             int lda, double beta, MemorySegment c, int ldc) {
        checkSyrk(layout, trans, n, k, a, lda, c, ldc, JAVA_DOUBLE);
        try {
            H.DSYRK.invokeExact(layout.code, uplo.code, trans.code, n, k, alpha, a, lda, beta, c, ldc);
        } catch (Throwable t) {
            throw OpenBlas.rethrow(t);
        }
    }

    /**
     * Triangular solve with multiple right-hand sides: B := alpha·op(A)⁻¹·B ({@code LEFT}) or
     * B := alpha·B·op(A)⁻¹ ({@code RIGHT}); B is m×n, A is m×m (left) or n×n (right).
     *
     * @param layout the storage order of A and B
     * @param side   whether op(A) multiplies X from the left or the right
     * @param uplo   which triangle of A is read
     * @param transA whether op(A) is A or Aᵀ
     * @param diag   whether A's diagonal is read or taken as ones
     * @param m      the rows of B
     * @param n      the columns of B
     * @param alpha  the factor of B
     * @param a      the triangular matrix A
     * @param lda    the leading dimension of A
     * @param b      the right-hand sides B, overwritten by the solution X
     * @param ldb    the leading dimension of B
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, an increment is 0,
     *     a segment is too small for the elements the routine touches, or the output is a read-only segment
     */
    public static void strsm(Layout layout, Side side, UpLo uplo, Transpose transA, Diag diag, int m, int n,
                             float alpha, MemorySegment a, int lda, MemorySegment b, int ldb) {
        checkTrsm(layout, side, m, n, a, lda, b, ldb, JAVA_FLOAT);
        try {
            H.STRSM.invokeExact(layout.code, side.code, uplo.code, transA.code, diag.code, m, n, alpha, a, lda, b, ldb);
        } catch (Throwable t) {
            throw OpenBlas.rethrow(t);
        }
    }

    /**
     * Double-precision {@link #strsm}.
     *
     * @param layout the storage order of A and B
     * @param side   whether op(A) multiplies X from the left or the right
     * @param uplo   which triangle of A is read
     * @param transA whether op(A) is A or Aᵀ
     * @param diag   whether A's diagonal is read or taken as ones
     * @param m      the rows of B
     * @param n      the columns of B
     * @param alpha  the factor of B
     * @param a      the triangular matrix A
     * @param lda    the leading dimension of A
     * @param b      the right-hand sides B, overwritten by the solution X
     * @param ldb    the leading dimension of B
     * @throws IllegalArgumentException if a dimension is negative, a leading dimension is too small, an increment is 0,
     *     a segment is too small for the elements the routine touches, or the output is a read-only segment
     */
    public static void dtrsm(Layout layout, Side side, UpLo uplo, Transpose transA, Diag diag, int m, int n,
                             double alpha, MemorySegment a, int lda, MemorySegment b, int ldb) {
        checkTrsm(layout, side, m, n, a, lda, b, ldb, JAVA_DOUBLE);
        try {
            H.DTRSM.invokeExact(layout.code, side.code, uplo.code, transA.code, diag.code, m, n, alpha, a, lda, b, ldb);
        } catch (Throwable t) {
            throw OpenBlas.rethrow(t);
        }
    }

    // ---------------------------------------------------------------- validation

    private static void checkVector(String name, int n, MemorySegment x, int inc, ValueLayout element) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        if (inc == 0) {
            throw new IllegalArgumentException("inc" + name + " must not be 0");
        }
        long needed = n == 0 ? 0 : 1 + (long) (n - 1) * Math.abs((long) inc);
        checkSegment(name, x, needed, element);
    }

    private static void checkGemv(Layout layout, Transpose trans, int m, int n, MemorySegment a, int lda,
                                  MemorySegment x, int incx, MemorySegment y, int incy, ValueLayout element) {
        checkDims("m", m, "n", n);
        checkMatrix("A", layout, m, n, a, lda, element);
        boolean t = trans == Transpose.TRANS;
        checkVector("x", t ? m : n, x, incx, element);
        checkVector("y", t ? n : m, y, incy, element);
        checkWritable("y", y);
    }

    private static void checkGemm(Layout layout, Transpose transA, Transpose transB, int m, int n, int k,
                                  MemorySegment a, int lda, MemorySegment b, int ldb, MemorySegment c, int ldc,
                                  ValueLayout element) {
        checkDims("m", m, "n", n);
        checkDims("k", k, "k", k);
        boolean ta = transA == Transpose.TRANS;
        boolean tb = transB == Transpose.TRANS;
        checkMatrix("A", layout, ta ? k : m, ta ? m : k, a, lda, element);
        checkMatrix("B", layout, tb ? n : k, tb ? k : n, b, ldb, element);
        checkMatrix("C", layout, m, n, c, ldc, element);
        checkWritable("C", c);
    }

    private static void checkSyrk(Layout layout, Transpose trans, int n, int k, MemorySegment a, int lda,
                                  MemorySegment c, int ldc, ValueLayout element) {
        checkDims("n", n, "k", k);
        boolean t = trans == Transpose.TRANS;
        checkMatrix("A", layout, t ? k : n, t ? n : k, a, lda, element);
        checkMatrix("C", layout, n, n, c, ldc, element);
        checkWritable("C", c);
    }

    private static void checkTrsm(Layout layout, Side side, int m, int n, MemorySegment a, int lda,
                                  MemorySegment b, int ldb, ValueLayout element) {
        checkDims("m", m, "n", n);
        int order = side == Side.LEFT ? m : n;
        checkMatrix("A", layout, order, order, a, lda, element);
        checkMatrix("B", layout, m, n, b, ldb, element);
        checkWritable("B", b);
    }

    /** An output argument must be writable: BLAS writing into a read-only mapping would crash the process. */
    private static void checkWritable(String name, MemorySegment s) {
        if (s.isReadOnly()) {
            throw new IllegalArgumentException(name + " is written by the call but is a read-only segment (a read-only"
                    + " file mapping, say); pass a writable copy");
        }
    }

    private static void checkDims(String n1, int v1, String n2, int v2) {
        if (v1 < 0) {
            throw new IllegalArgumentException(n1 + " must be >= 0, got " + v1);
        }
        if (v2 < 0) {
            throw new IllegalArgumentException(n2 + " must be >= 0, got " + v2);
        }
    }

    /** Checks a stored rows×cols matrix: leading dimension and segment size. */
    private static void checkMatrix(String name, Layout layout, int rows, int cols, MemorySegment s, int ld,
                                    ValueLayout element) {
        int minLd = Math.max(1, layout == Layout.ROW_MAJOR ? cols : rows);
        if (ld < minLd) {
            throw new IllegalArgumentException("ld" + name.toLowerCase() + " = " + ld + " is too small for the "
                    + rows + "x" + cols + " " + layout + " matrix " + name + "; expected >= " + minLd);
        }
        long needed;
        if (rows == 0 || cols == 0) {
            needed = 0;
        } else if (layout == Layout.ROW_MAJOR) {
            needed = (long) (rows - 1) * ld + cols;
        } else {
            needed = (long) (cols - 1) * ld + rows;
        }
        checkSegment(name, s, needed, element);
    }

    private static void checkSegment(String name, MemorySegment s, long elements, ValueLayout element) {
        if (s == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (!s.isNative()) {
            throw new IllegalArgumentException(name + " must be a native (off-heap) segment");
        }
        long bytes = elements * element.byteSize();
        if (s.byteSize() < bytes) {
            throw new IllegalArgumentException(name + " holds " + s.byteSize() / element.byteSize() + " elements ("
                    + s.byteSize() + " bytes) but the call reads up to " + elements + " elements");
        }
        if (elements > 0 && s.address() % element.byteSize() != 0) {
            throw new IllegalArgumentException(name + " is not aligned to its " + element.byteSize() + "-byte element");
        }
    }

    /** Downcall handles, created when first used. */
    private static final class H {
        static final MethodHandle SAXPY = h("cblas_saxpy", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle DAXPY = h("cblas_daxpy", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_DOUBLE, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle SDOT = h("cblas_sdot", FunctionDescriptor.of(JAVA_FLOAT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle DDOT = h("cblas_ddot", FunctionDescriptor.of(JAVA_DOUBLE, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle SNRM2 = h("cblas_snrm2", FunctionDescriptor.of(JAVA_FLOAT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle DNRM2 = h("cblas_dnrm2", FunctionDescriptor.of(JAVA_DOUBLE, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle SSCAL = h("cblas_sscal", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT));
        static final MethodHandle DSCAL = h("cblas_dscal", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_DOUBLE, ADDRESS, JAVA_INT));
        static final MethodHandle SGEMV = h("cblas_sgemv", gemv(JAVA_FLOAT));
        static final MethodHandle DGEMV = h("cblas_dgemv", gemv(JAVA_DOUBLE));
        static final MethodHandle SGEMM = h("cblas_sgemm", gemm(JAVA_FLOAT));
        static final MethodHandle DGEMM = h("cblas_dgemm", gemm(JAVA_DOUBLE));
        static final MethodHandle SSYRK = h("cblas_ssyrk", syrk(JAVA_FLOAT));
        static final MethodHandle DSYRK = h("cblas_dsyrk", syrk(JAVA_DOUBLE));
        static final MethodHandle STRSM = h("cblas_strsm", trsm(JAVA_FLOAT));
        static final MethodHandle DTRSM = h("cblas_dtrsm", trsm(JAVA_DOUBLE));

        private static MethodHandle h(String name, FunctionDescriptor fd) {
            return OpenBlas.downcall(name, fd);
        }

        private static FunctionDescriptor gemv(MemoryLayout t) {
            return FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, t, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, t, ADDRESS, JAVA_INT);
        }

        private static FunctionDescriptor gemm(MemoryLayout t) {
            return FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, t, ADDRESS, JAVA_INT,
                    ADDRESS, JAVA_INT, t, ADDRESS, JAVA_INT);
        }

        private static FunctionDescriptor syrk(MemoryLayout t) {
            return FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, t, ADDRESS, JAVA_INT, t, ADDRESS, JAVA_INT);
        }

        private static FunctionDescriptor trsm(MemoryLayout t) {
            return FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, t, ADDRESS,
                    JAVA_INT, ADDRESS, JAVA_INT);
        }
    }
}
