package dev.proxima.tensor.internal;

import dev.proxima.tensor.spi.StridedView;

import java.lang.foreign.MemorySegment;

/** Small geometry helpers for kernels that hand strided views to code working on dense host memory. */
final class Views {

    private Views() {
    }

    /**
     * The host memory of a contiguous view, from its first element to its last (empty for an empty view).
     *
     * @throws IllegalArgumentException naming {@code what} and {@code kernel} if the view is not contiguous
     */
    static MemorySegment dense(StridedView v, String kernel, String what) {
        if (v.size() == 0) {
            return MemorySegment.NULL;
        }
        if (!v.isContiguous()) {
            throw new IllegalArgumentException(kernel + " needs a contiguous " + what + ", got shape "
                    + java.util.Arrays.toString(v.shape()) + " with strides " + java.util.Arrays.toString(v.strides()));
        }
        long size = v.dtype().byteSize();
        return v.storage().segment().asSlice(v.offset() * size, v.size() * size);
    }

    /** {@code v} with its last two dimensions swapped (no copy). */
    static StridedView transposed(StridedView v) {
        int r = v.rank();
        long[] shape = v.shape().clone();
        long[] strides = v.strides().clone();
        swap(shape, r - 2, r - 1);
        swap(strides, r - 2, r - 1);
        return new StridedView(v.storage(), v.dtype(), shape, strides, v.offset());
    }

    /** The product of all but the last two extents: the number of matrices of a {@code [..., r, c]} shape. */
    static long matrices(long[] shape) {
        long n = 1;
        for (int d = 0; d < shape.length - 2; d++) {
            n *= shape[d];
        }
        return n;
    }

    /** Row-major strides of {@code shape}. */
    static long[] rowMajorStrides(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = s;
            s *= Math.max(shape[d], 1);
        }
        return st;
    }

    private static void swap(long[] a, int i, int j) {
        long t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
