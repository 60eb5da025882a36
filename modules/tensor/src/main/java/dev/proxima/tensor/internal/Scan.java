package dev.proxima.tensor.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.StridedView;

import java.lang.foreign.MemorySegment;

/**
 * Inclusive prefix sums and products along an axis. Floating-point destinations accumulate in double
 * precision (rounded to the destination type on each store); integer destinations accumulate in 64-bit
 * integers and wrap on overflow.
 */
public final class Scan {

    private Scan() {
    }

    /**
     * {@code dst[…, i, …] := src[…, 0, …] ⊕ … ⊕ src[…, i, …]} along {@code axis}, with ⊕ = + or ×.
     * {@code src} and {@code dst} have the same shape; dst's dtype may be wider than src's.
     */
    public static void scan(boolean product, StridedView src, int axis, StridedView dst) {
        MemorySegment s = src.storage().segment();
        MemorySegment d = dst.storage().segment();
        DType st = src.dtype();
        DType dt = dst.dtype();
        long n = src.shape()[axis];
        long ss = src.strides()[axis];
        long ds = dst.strides()[axis];
        boolean floating = dt.isFloating();
        Indexing.lanes(axis, (int) Math.min(Integer.MAX_VALUE, Math.max(1, n)), b -> {
            if (floating) {
                double acc = product ? 1 : 0;
                for (long i = 0; i < n; i++) {
                    double x = ElementAccess.getDouble(s, st, b[0] + i * ss);
                    acc = product ? acc * x : acc + x;
                    ElementAccess.setDouble(d, dt, b[1] + i * ds, acc);
                }
            } else {
                long acc = product ? 1 : 0;
                for (long i = 0; i < n; i++) {
                    long x = ElementAccess.getLong(s, st, b[0] + i * ss);
                    acc = product ? acc * x : acc + x;
                    ElementAccess.setLong(d, dt, b[1] + i * ds, acc);
                }
            }
        }, src, dst);
    }
}
