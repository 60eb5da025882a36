package dev.proxima.tensor.internal;

import dev.proxima.blas.Cblas;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.StridedView;

import java.lang.foreign.MemorySegment;

/**
 * Batched matrix products through OpenBLAS gemm. A matrix operand whose last two strides describe a
 * row-major matrix or its transpose is passed to BLAS as is (with the transpose flag); any other
 * layout (broadcast or doubly strided) is first copied to a dense temporary.
 */
final class Matmul {

    private Matmul() {
    }

    /** How BLAS should read a rows×cols matrix with strides (sr, sc), or null if it cannot. */
    record Operand(Cblas.Transpose trans, int ld) {
        static Operand of(long rows, long cols, long sr, long sc) {
            // row-major as stored: element (i, j) at i*ld + j
            if ((sc == 1 || cols == 1) && (rows == 1 || sr >= Math.max(1, cols))) {
                long ld = rows == 1 ? Math.max(1, cols) : sr;
                if (ld <= Integer.MAX_VALUE) {
                    return new Operand(Cblas.Transpose.NO_TRANS, (int) ld);
                }
            }
            // the transpose of a row-major cols×rows matrix: element (i, j) at j*ld + i
            if ((sr == 1 || rows == 1) && (cols == 1 || sc >= Math.max(1, rows))) {
                long ld = cols == 1 ? Math.max(1, rows) : sc;
                if (ld <= Integer.MAX_VALUE) {
                    return new Operand(Cblas.Transpose.TRANS, (int) ld);
                }
            }
            return null;
        }
    }

    static void matmul(StridedView a, StridedView b, StridedView dst) {
        int r = dst.rank();
        long m = dst.shape()[r - 2];
        long n = dst.shape()[r - 1];
        long k = a.shape()[r - 1];
        if (m > Integer.MAX_VALUE || n > Integer.MAX_VALUE || k > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("matmul dimensions exceed the BLAS int range: m=" + m + " n=" + n + " k=" + k);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            Elementwise.fill(dst, 0);
            return;
        }
        Operand oa = Operand.of(m, k, a.strides()[r - 2], a.strides()[r - 1]);
        Operand ob = Operand.of(k, n, b.strides()[r - 2], b.strides()[r - 1]);
        if (oa == null) {
            try (Dense dense = Dense.of(a)) {
                matmul(dense.view, b, dst);
            }
            return;
        }
        if (ob == null) {
            try (Dense dense = Dense.of(b)) {
                matmul(a, dense.view, dst);
            }
            return;
        }
        if (gemv(a, b, dst, oa, ob, m, n, k)) {
            return;
        }
        long ldc = m == 1 ? n : dst.strides()[r - 2];
        if ((n > 1 && dst.strides()[r - 1] != 1) || ldc < n || ldc > Integer.MAX_VALUE) {
            // an output whose rows are not dense (a transposed or strided explicit output): through a dense result
            try (Dense dense = Dense.uninitialized(dst)) {
                matmul(a, b, dense.view);
                Elementwise.copy(dense.view, dst);
            }
            return;
        }
        boolean f32 = dst.dtype() == DType.F32;
        int esize = dst.dtype().byteSize();
        MemorySegment sa = a.storage().segment();
        MemorySegment sb = b.storage().segment();
        MemorySegment sd = dst.storage().segment();
        long aSpan = span(m, k, oa), bSpan = span(k, n, ob);
        forEachBatch(a, b, dst, (ao, bo, dOff) -> {
            MemorySegment pa = sa.asSlice(ao * esize, aSpan * esize);
            MemorySegment pb = sb.asSlice(bo * esize, bSpan * esize);
            MemorySegment pd = sd.asSlice(dOff * esize, ((m - 1) * ldc + n) * esize);
            if (f32) {
                Cblas.sgemm(Cblas.Layout.ROW_MAJOR, oa.trans(), ob.trans(), (int) m, (int) n, (int) k,
                        1f, pa, oa.ld(), pb, ob.ld(), 0f, pd, (int) ldc);
            } else {
                Cblas.dgemm(Cblas.Layout.ROW_MAJOR, oa.trans(), ob.trans(), (int) m, (int) n, (int) k,
                        1.0, pa, oa.ld(), pb, ob.ld(), 0.0, pd, (int) ldc);
            }
        });
    }

    /** One matrix product of a batch, given the element offsets of its operands and output. */
    @FunctionalInterface
    private interface BatchBody {
        void run(long aOffset, long bOffset, long dstOffset);
    }

    /** Runs {@code body} for every batch index of dst (its leading dimensions), in order. */
    private static void forEachBatch(StridedView a, StridedView b, StridedView dst, BatchBody body) {
        int r = dst.rank();
        long[] shape = dst.shape();
        long batches = dst.size() / Math.max(1, shape[r - 2] * shape[r - 1]);
        long[] idx = new long[r - 2];
        for (long bi = 0; bi < batches; bi++) {
            long ao = a.offset(), bo = b.offset(), dOff = dst.offset();
            for (int d = 0; d < r - 2; d++) {
                ao += idx[d] * a.strides()[d];
                bo += idx[d] * b.strides()[d];
                dOff += idx[d] * dst.strides()[d];
            }
            body.run(ao, bo, dOff);
            for (int d = r - 3; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
    }

    /**
     * A matrix–vector product ({@code [m, k]·[k, 1]} or {@code [1, k]·[k, n]}) through BLAS gemv, which streams the
     * matrix once: gemm with one dimension of 1 is up to 3.5× slower (OpenBLAS 0.3.30, k = n = 2000). Returns false,
     * doing nothing, for any other product or for vectors with strides BLAS cannot take (zero, negative, or beyond
     * the int range); those go through gemm.
     */
    private static boolean gemv(StridedView a, StridedView b, StridedView dst, Operand oa, Operand ob, long m, long n, long k) {
        int r = dst.rank();
        boolean column = n == 1 && m > 1;
        if (!column && !(m == 1 && n > 1)) {
            return false;
        }
        // the vector operand x (a column of b, or the row of a) and the output y, as element strides
        long incx = k == 1 ? 1 : column ? b.strides()[r - 2] : a.strides()[r - 1];
        long incy = column ? dst.strides()[r - 2] : dst.strides()[r - 1];
        if (incx < 1 || incy < 1 || incx > Integer.MAX_VALUE || incy > Integer.MAX_VALUE) {
            return false;
        }
        // the matrix: op(A) for a column vector, op(B)ᵀ for a row vector, as stored row-major with its leading dimension
        Operand matrix = column ? oa : ob;
        long rows = column ? m : k;                    // of op(matrix) as BLAS reads it before its own transpose
        long cols = column ? k : n;
        Cblas.Transpose stored = matrix.trans();
        // gemv's A is the matrix as stored: rows×cols for NO_TRANS operands, cols×rows for TRANS ones
        boolean storedAsIs = stored == Cblas.Transpose.NO_TRANS;
        int sm = (int) (storedAsIs ? rows : cols);
        int sn = (int) (storedAsIs ? cols : rows);
        // y = op(A)·x for a column vector; y = op(B)ᵀ·x for a row vector (the transpose flips)
        Cblas.Transpose trans = column == storedAsIs ? Cblas.Transpose.NO_TRANS : Cblas.Transpose.TRANS;
        long xLength = k;
        long yLength = column ? m : n;
        boolean f32 = dst.dtype() == DType.F32;
        int esize = dst.dtype().byteSize();
        StridedView mat = column ? a : b;
        StridedView vec = column ? b : a;
        MemorySegment sMat = mat.storage().segment();
        MemorySegment sVec = vec.storage().segment();
        MemorySegment sd = dst.storage().segment();
        long matSpan = column ? span(m, k, oa) : span(k, n, ob);
        forEachBatch(a, b, dst, (ao, bo, dOff) -> {
            long mo = column ? ao : bo;
            long vo = column ? bo : ao;
            MemorySegment pm = sMat.asSlice(mo * esize, matSpan * esize);
            MemorySegment px = sVec.asSlice(vo * esize, ((xLength - 1) * incx + 1) * esize);
            MemorySegment py = sd.asSlice(dOff * esize, ((yLength - 1) * incy + 1) * esize);
            if (f32) {
                Cblas.sgemv(Cblas.Layout.ROW_MAJOR, trans, sm, sn, 1f, pm, matrix.ld(), px, (int) incx, 0f, py, (int) incy);
            } else {
                Cblas.dgemv(Cblas.Layout.ROW_MAJOR, trans, sm, sn, 1.0, pm, matrix.ld(), px, (int) incx, 0.0, py, (int) incy);
            }
        });
        return true;
    }

    /** Elements BLAS may touch for a rows×cols operand read as {@code op}. */
    private static long span(long rows, long cols, Operand op) {
        return op.trans() == Cblas.Transpose.NO_TRANS ? (rows - 1) * op.ld() + cols : (cols - 1) * op.ld() + rows;
    }

    /** A dense, row-major copy of a view, freed on close. */
    private static final class Dense implements AutoCloseable {
        final StridedView view;

        private Dense(StridedView view) {
            this.view = view;
        }

        /** A dense row-major buffer of v's shape and dtype, contents undefined. */
        static Dense uninitialized(StridedView v) {
            long[] shape = v.shape();
            long[] strides = new long[shape.length];
            long s = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                strides[d] = s;
                s *= shape[d];
            }
            return new Dense(new StridedView(HostStorage.allocate(s * v.dtype().byteSize()), v.dtype(), shape, strides, 0));
        }

        static Dense of(StridedView v) {
            Dense dense = uninitialized(v);
            try {
                Elementwise.copy(v, dense.view);
            } catch (RuntimeException e) {
                dense.close();
                throw e;
            }
            return dense;
        }

        @Override
        public void close() {
            view.storage().release();
        }
    }
}
