package dev.proxima.tensor.internal;

import java.util.Arrays;

/**
 * Iterates several equally shaped strided operands in lock step, one contiguous-index row at a time.
 *
 * <p>Dimensions of extent 1 are dropped and adjacent dimensions that are contiguous for every operand
 * are merged, so a dense tensor becomes a single row however many dimensions it has. The row body gets
 * each operand's element offset at the row start, each operand's stride within the row, and the row
 * length. Large iterations are split over {@link Parallel} workers.
 */
final class StridedLoop {

    /** Processes one row: element {@code j} of operand {@code k} is at {@code offsets[k] + j * inner[k]}. */
    @FunctionalInterface
    interface Row {
        void run(long[] offsets, long[] inner, long length);
    }

    private final long[] outerShape;   // outer dims, outermost first
    private final long[][] outerStrides; // [operand][dim]
    private final long innerLength;
    private final long[] innerStrides;  // [operand]
    private final int operands;

    private StridedLoop(long[] outerShape, long[][] outerStrides, long innerLength, long[] innerStrides) {
        this.outerShape = outerShape;
        this.outerStrides = outerStrides;
        this.innerLength = innerLength;
        this.innerStrides = innerStrides;
        this.operands = innerStrides.length;
    }

    /** Builds the loop over {@code shape} with one stride array per operand. */
    static StridedLoop of(long[] shape, long[]... strides) {
        int k = strides.length;
        long[] sh = new long[shape.length];
        long[][] st = new long[k][shape.length];
        int rank = 0;
        // walk from innermost to outermost, merging where every operand is contiguous across the pair
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) {
                continue;
            }
            if (rank > 0) {
                boolean merge = true;
                for (int o = 0; o < k && merge; o++) {
                    merge = strides[o][d] == st[o][rank - 1] * sh[rank - 1];
                }
                if (merge) {
                    sh[rank - 1] *= shape[d];
                    continue;
                }
            }
            sh[rank] = shape[d];
            for (int o = 0; o < k; o++) {
                st[o][rank] = strides[o][d];
            }
            rank++;
        }
        if (rank == 0) {
            boolean empty = false;
            for (long d : shape) {
                empty |= d == 0;
            }
            return new StridedLoop(new long[0], new long[k][0], empty ? 0 : 1, new long[k]);
        }
        // reverse to outermost-first; the innermost is index 0 of the reversed build
        long inner = sh[0];
        long[] innerStrides = new long[k];
        for (int o = 0; o < k; o++) {
            innerStrides[o] = st[o][0];
        }
        long[] outer = new long[rank - 1];
        long[][] outerStrides = new long[k][rank - 1];
        for (int i = 1; i < rank; i++) {
            outer[rank - 1 - i] = sh[i];
            for (int o = 0; o < k; o++) {
                outerStrides[o][rank - 1 - i] = st[o][i];
            }
        }
        return new StridedLoop(outer, outerStrides, inner, innerStrides);
    }

    long total() {
        long n = innerLength;
        for (long d : outerShape) {
            n *= d;
        }
        return n;
    }

    /** Runs {@code row} over every element; {@code cost} is a rough per-element cost for splitting. */
    void run(long[] baseOffsets, int cost, Row row) {
        long total = total();
        if (total == 0) {
            return;
        }
        Parallel.forRange(total, cost, (start, end) -> runRange(baseOffsets, start, end, row));
    }

    /** Runs the elements with flat indices {@code [start, end)} on the calling thread. */
    void runRange(long[] base, long start, long end, Row row) {
        if (start >= end) {
            return; // also covers an empty loop, whose innerLength is 0
        }
        int rank = outerShape.length;
        long[] idx = new long[rank];
        long outer = start / innerLength;
        long i = start % innerLength;
        for (int d = rank - 1; d >= 0; d--) {
            idx[d] = outer % outerShape[d];
            outer /= outerShape[d];
        }
        long[] offsets = new long[operands];
        long[] rowOffsets = new long[operands];
        for (int o = 0; o < operands; o++) {
            long off = base[o];
            for (int d = 0; d < rank; d++) {
                off += idx[d] * outerStrides[o][d];
            }
            offsets[o] = off;
        }
        long pos = start;
        while (pos < end) {
            long len = Math.min(innerLength - i, end - pos);
            for (int o = 0; o < operands; o++) {
                rowOffsets[o] = offsets[o] + i * innerStrides[o];
            }
            row.run(rowOffsets, innerStrides, len);
            pos += len;
            i = 0;
            // odometer step over the outer dimensions
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                for (int o = 0; o < operands; o++) {
                    offsets[o] += outerStrides[o][d];
                }
                if (idx[d] < outerShape[d]) {
                    break;
                }
                for (int o = 0; o < operands; o++) {
                    offsets[o] -= outerStrides[o][d] * outerShape[d];
                }
                idx[d] = 0;
            }
        }
    }

    @Override
    public String toString() {
        return "StridedLoop" + Arrays.toString(outerShape) + "x" + innerLength;
    }
}
