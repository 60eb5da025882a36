package dev.proxima.tensor.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.StridedView;

import java.lang.foreign.MemorySegment;
import java.util.function.LongFunction;

import static dev.proxima.tensor.internal.ElementAccess.F32;
import static dev.proxima.tensor.internal.ElementAccess.F64;
import static dev.proxima.tensor.internal.ElementAccess.I16;
import static dev.proxima.tensor.internal.ElementAccess.I32;
import static dev.proxima.tensor.internal.ElementAccess.I64;
import static dev.proxima.tensor.internal.ElementAccess.I8;

/**
 * Index-driven CPU kernels: gather along an axis, scatter (assign or add) along an axis, boolean-mask
 * compression, and the validation pass the front end runs over index tensors before any output is
 * allocated.
 *
 * <p>These are the natural candidates for backend primitives; until the {@link
 * dev.proxima.tensor.spi.Backend} SPI grows them, {@link dev.proxima.tensor.Tensor} calls this class
 * (from one place) for host tensors. Index operands are I32 or I64; every kernel assumes the indices
 * were already checked with {@link #checkIndices}, and wraps negative ones by adding the extent.
 */
public final class Indexing {

    private Indexing() {
    }

    /** Processes one lane: {@code bases[k]} is operand k's element offset at position 0 along the axis. */
    @FunctionalInterface
    interface Lane {
        void run(long[] bases);
    }

    /**
     * Runs {@code body} once for every lane along {@code axis} of {@code views}, which must have the same
     * shape except along {@code axis}. Lanes are independent and may run on several threads.
     */
    static void lanes(int axis, int costPerLane, Lane body, StridedView... views) {
        long[] laneShape = views[0].shape().clone();
        laneShape[axis] = 1;
        long[][] strides = new long[views.length][];
        long[] base = new long[views.length];
        for (int k = 0; k < views.length; k++) {
            strides[k] = views[k].strides();
            base[k] = views[k].offset();
        }
        StridedLoop.of(laneShape, strides).run(base, costPerLane, (off, inner, n) -> {
            long[] b = new long[off.length];
            for (long j = 0; j < n; j++) {
                for (int k = 0; k < b.length; k++) {
                    b[k] = off[k] + j * inner[k];
                }
                body.run(b);
            }
        });
    }

    /** Index element {@code i} (I32 or I64) of {@code s}. */
    static long index(MemorySegment s, DType t, long i) {
        return t == DType.I64 ? s.getAtIndex(I64, i) : s.getAtIndex(I32, i);
    }

    /** Copies element {@code si} of {@code s} to element {@code di} of {@code d}, {@code size} bytes, bit for bit. */
    static void copyElement(MemorySegment s, long si, MemorySegment d, long di, int size) {
        switch (size) {
            case 8 -> d.setAtIndex(I64, di, s.getAtIndex(I64, si));
            case 4 -> d.setAtIndex(I32, di, s.getAtIndex(I32, si));
            case 2 -> d.setAtIndex(I16, di, s.getAtIndex(I16, si)); // F16, BF16
            case 1 -> d.setAtIndex(I8, di, s.getAtIndex(I8, si));
            default -> throw new IllegalArgumentException("no element type has " + size + " bytes");
        }
    }

    /**
     * Checks that every element of {@code index} lies in {@code [0, extent)}, or in {@code [-extent,
     * extent)} if {@code allowNegative}; throws {@link IndexOutOfBoundsException} with
     * {@code message.apply(badIndex)} otherwise.
     */
    public static void checkIndices(StridedView index, long extent, boolean allowNegative, LongFunction<String> message) {
        MemorySegment s = index.storage().segment();
        DType t = index.dtype();
        long low = allowNegative ? -extent : 0;
        StridedLoop.of(index.shape(), index.strides()).run(new long[]{index.offset()}, 1, (off, inner, n) -> {
            for (long j = 0; j < n; j++) {
                long v = index(s, t, off[0] + j * inner[0]);
                if (v < low || v >= extent) {
                    throw new IndexOutOfBoundsException(message.apply(v));
                }
            }
        });
    }

    /**
     * {@code dst[p] := src[p with coordinate axis replaced by index[p]]} for every position p of
     * {@code index} (PyTorch's {@code gather}). {@code dst} and {@code index} have the same shape;
     * {@code src} has that shape except along {@code axis}; {@code src} and {@code dst} share a dtype.
     */
    public static void gather(StridedView src, int axis, StridedView index, StridedView dst) {
        MemorySegment s = src.storage().segment();
        MemorySegment ix = index.storage().segment();
        MemorySegment d = dst.storage().segment();
        DType it = index.dtype();
        int size = dst.dtype().byteSize();
        long extent = src.shape()[axis];
        long axisStride = src.strides()[axis];
        long[] srcStrides = src.strides().clone();
        srcStrides[axis] = 0;
        long[] base = {dst.offset(), index.offset(), src.offset()};
        StridedLoop.of(dst.shape(), dst.strides(), index.strides(), srcStrides).run(base, 2, (off, inner, n) -> {
            for (long j = 0; j < n; j++) {
                long i = index(ix, it, off[1] + j * inner[1]);
                if (i < 0) {
                    i += extent;
                }
                copyElement(s, off[2] + j * inner[2] + i * axisStride, d, off[0] + j * inner[0], size);
            }
        });
    }

    /**
     * {@code dst[p with coordinate axis replaced by index[p]] := src[p]} (or {@code +=} if {@code add})
     * for every position p of {@code index} (PyTorch's {@code scatter_} / {@code scatter_add_}).
     * {@code src} has {@code index}'s shape; {@code dst} has it except along {@code axis}; {@code src} and
     * {@code dst} share a dtype. Positions that hit the same element are applied in row-major order of
     * p, so with repeated indices the last write wins and sums are accumulated in a fixed order.
     */
    public static void scatter(StridedView index, StridedView src, int axis, StridedView dst, boolean add) {
        MemorySegment s = src.storage().segment();
        MemorySegment ix = index.storage().segment();
        MemorySegment d = dst.storage().segment();
        DType it = index.dtype();
        DType t = dst.dtype();
        int size = t.byteSize();
        long count = index.shape()[axis];
        long extent = dst.shape()[axis];
        long is = index.strides()[axis];
        long ss = src.strides()[axis];
        long ds = dst.strides()[axis];
        lanes(axis, (int) Math.min(Integer.MAX_VALUE, Math.max(1, count)), b -> {
            for (long a = 0; a < count; a++) {
                long i = index(ix, it, b[0] + a * is);
                if (i < 0) {
                    i += extent;
                }
                long at = b[2] + i * ds;
                long from = b[1] + a * ss;
                if (!add) {
                    copyElement(s, from, d, at, size);
                } else if (t == DType.F32) {
                    d.setAtIndex(F32, at, d.getAtIndex(F32, at) + s.getAtIndex(F32, from));
                } else if (t == DType.F64) {
                    d.setAtIndex(F64, at, d.getAtIndex(F64, at) + s.getAtIndex(F64, from));
                } else if (t.isFloating()) { // F16, BF16: the exact sum, rounded once to the storage type
                    ElementAccess.setDouble(d, t, at, ElementAccess.getDouble(d, t, at) + ElementAccess.getDouble(s, t, from));
                } else {
                    ElementAccess.setLong(d, t, at, ElementAccess.getLong(d, t, at) + ElementAccess.getLong(s, t, from));
                }
            }
        }, index, src, dst);
    }

    /** The number of non-zero elements of the BOOL view {@code mask}. */
    public static long countTrue(StridedView mask) {
        MemorySegment m = mask.storage().segment();
        long[] count = {0};
        StridedLoop loop = StridedLoop.of(mask.shape(), mask.strides());
        long total = loop.total();
        if (total == 0) {
            return 0;
        }
        loop.runRange(new long[]{mask.offset()}, 0, total, (off, inner, n) -> {
            long c = 0;
            for (long j = 0; j < n; j++) {
                c += m.getAtIndex(I8, off[0] + j * inner[0]) != 0 ? 1 : 0;
            }
            count[0] += c;
        });
        return count[0];
    }

    /**
     * Writes the elements of {@code src} where the BOOL view {@code mask} (same shape) is true, in
     * row-major order, to the contiguous 1-D {@code dst} of the same dtype, whose length is the number of
     * true elements.
     */
    public static void compress(StridedView src, StridedView mask, StridedView dst) {
        MemorySegment s = src.storage().segment();
        MemorySegment m = mask.storage().segment();
        MemorySegment d = dst.storage().segment();
        int size = src.dtype().byteSize();
        StridedLoop loop = StridedLoop.of(src.shape(), src.strides(), mask.strides());
        long total = loop.total();
        if (total == 0) {
            return;
        }
        long[] next = {dst.offset()};
        loop.runRange(new long[]{src.offset(), mask.offset()}, 0, total, (off, inner, n) -> {
            long at = next[0];
            for (long j = 0; j < n; j++) {
                if (m.getAtIndex(I8, off[1] + j * inner[1]) != 0) {
                    copyElement(s, off[0] + j * inner[0], d, at++, size);
                }
            }
            next[0] = at;
        });
    }
}
