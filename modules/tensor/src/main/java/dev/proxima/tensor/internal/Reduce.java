package dev.proxima.tensor.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.ReduceOp;
import dev.proxima.tensor.spi.StridedView;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;

/**
 * Reductions over any set of axes. Each output element reduces a strided sub-array, visited row by
 * row; dense rows of F32/F64 run the Vector API loops of {@link ReduceSums} (the sums) and {@link ReduceF32} /
 * {@link ReduceF64} (the extremes; the former generated from the latter).
 *
 * <p>Accuracy: floating sums add groups of eight vectors pairwise, then accumulate the groups in double (F32) or
 * compensated with TwoSum (F64, and the scalar tails and strided rows of both), so a sum is within an ulp or two of
 * the exact sum unless its terms cancel far below their magnitude (see {@link ReduceSums}). Integer sums wrap in 64
 * bits like NumPy's int64 accumulation, except into a floating output (the mean), where they are exact (128 bits)
 * and rounded once.
 *
 * <p>Reproducibility: the result does not depend on the thread count, the JIT tier or the data's address. One
 * output over more than {@value #CHUNK} elements is reduced in fixed chunks of {@value #CHUNK} elements (by
 * position in the reduced sub-array, whichever thread takes them), whose partial results are combined in
 * position order; several outputs are each reduced whole by one thread. F16/BF16 sources are widened by
 * {@link CpuBackend} before they get here; other callers' half sources take the converting scalar loop.
 */
final class Reduce {

    /** Elements per fixed partial of a one-output reduction (see the class comment). */
    static final int CHUNK = 1 << 16;

    /** Running state of one reduction. */
    static final class Acc {
        double d;      // float sums (high part), products, extremes
        double c;      // float sums: the compensation (low part), d + c is the sum
        long l;        // integer sums (low 64 bits when wide), products, extremes, counts
        long h;        // integer sums into a floating output: the high 64 bits
        final boolean wide;
        long visited;  // elements seen so far (for arg reductions)
        long index = -1;
        boolean any;

        Acc(ReduceOp op, long firstPosition, boolean wide) {
            visited = firstPosition;
            this.wide = wide;
            if (op == ReduceOp.PROD) {
                d = 1;
                l = 1;
            }
        }

        /** d + c += x without losing the rounding error of the addition (Knuth's TwoSum). */
        void add(double x) {
            double t = d + x;
            double z = t - d;
            c += (d - (t - z)) + (x - z);
            d = t;
        }

        /** The compensated sum: d + c, or d once it is infinite or NaN (then c is meaningless). */
        double sum() {
            return Double.isFinite(d) ? d + c : d;
        }

        /** h:l += x, a 128-bit two's complement sum. */
        void addWide(long x) {
            long t = l + x;
            h += (x >> 63) + (Long.compareUnsigned(t, l) < 0 ? 1 : 0);
            l = t;
        }

        /** The 128-bit sum h:l rounded once to double. */
        double wideValue() {
            if (h == (l >> 63)) {
                return l;
            }
            return BigInteger.valueOf(h).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(l))).doubleValue();
        }
    }

    private Reduce() {
    }

    static void reduce(ReduceOp op, StridedView src, int[] axes, StridedView dst) {
        int rank = src.rank();
        boolean[] reduced = new boolean[rank];
        for (int a : axes) {
            reduced[a] = true;
        }
        int nk = rank - axes.length;
        long[] keptShape = new long[nk];
        long[] keptStrides = new long[nk];
        long[] redShape = new long[axes.length];
        long[] redStrides = new long[axes.length];
        for (int d = 0, k = 0, r = 0; d < rank; d++) {
            if (reduced[d]) {
                redShape[r] = src.shape()[d];
                redStrides[r++] = src.strides()[d];
            } else {
                keptShape[k] = src.shape()[d];
                keptStrides[k++] = src.strides()[d];
            }
        }
        long outputs = 1;
        for (long s : keptShape) {
            outputs *= s;
        }
        long reducedCount = 1;
        for (long s : redShape) {
            reducedCount *= s;
        }
        if (outputs == 0) {
            return;                      // nothing to write (a kept dimension is empty)
        }
        final long perOutput = reducedCount;
        StridedLoop inner = StridedLoop.of(redShape, redStrides);
        MemorySegment s = src.storage().segment();
        MemorySegment d = dst.storage().segment();
        DType t = src.dtype();
        long dstOffset = dst.offset();
        boolean wide = (op == ReduceOp.SUM || op == ReduceOp.NAN_SUM) && !t.isFloating() && dst.dtype().isFloating();
        if (op == ReduceOp.SUM && (t == DType.F32 || t == DType.F64) && perOutput > 1 && outputs > 1
                && outputs <= COLUMN_LIMIT && isDenseBlock(keptShape, keptStrides)) {
            columnSum(t, s, src.offset(), inner, perOutput, (int) outputs, d, dst.dtype(), dstOffset);
            return;
        }
        if (outputs == 1 && perOutput > CHUNK) {
            // one output: fixed chunks (the same for every thread count), combined in position order
            int chunks = (int) ((perOutput + CHUNK - 1) / CHUNK);
            Acc[] partials = new Acc[chunks];
            long[] base = {src.offset()};
            Parallel.forRange(chunks, CHUNK, (first, last) -> {
                for (long k = first; k < last; k++) {
                    long start = k * CHUNK;
                    Acc acc = new Acc(op, start, wide);
                    inner.runRange(base, start, Math.min(perOutput, start + CHUNK),
                            (off, st, n) -> accumulate(op, t, s, off[0], st[0], n, acc));
                    partials[(int) k] = acc;
                }
            });
            Acc total = partials[0];
            for (int k = 1; k < chunks; k++) {
                total = combine(op, t, total, partials[k]);
            }
            store(op, t, total, d, dst.dtype(), dstOffset);
            return;
        }
        long cost = Math.max(1, perOutput);
        Parallel.forRange(outputs, (int) Math.min(Integer.MAX_VALUE, cost), (start, end) -> {
            long[] idx = new long[nk];
            long rem = start;
            for (int k = nk - 1; k >= 0; k--) {
                idx[k] = rem % keptShape[k];
                rem /= keptShape[k];
            }
            long[] base = new long[1];
            for (long o = start; o < end; o++) {
                long off = src.offset();
                for (int k = 0; k < nk; k++) {
                    off += idx[k] * keptStrides[k];
                }
                base[0] = off;
                Acc acc = new Acc(op, 0, wide);
                inner.runRange(base, 0, perOutput, (offs, st, n) -> accumulate(op, t, s, offs[0], st[0], n, acc));
                store(op, t, acc, d, dst.dtype(), dstOffset + o);
                for (int k = nk - 1; k >= 0; k--) {
                    if (++idx[k] < keptShape[k]) {
                        break;
                    }
                    idx[k] = 0;
                }
            }
        });
    }

    /** Largest kept block summed by {@link #columnSum} (its accumulators live on the heap). */
    static final int COLUMN_LIMIT = 1 << 22;

    /** True if the kept dimensions address one dense row-major block (size-1 dimensions ignored). */
    private static boolean isDenseBlock(long[] shape, long[] strides) {
        long expected = 1;
        for (int k = shape.length - 1; k >= 0; k--) {
            if (shape[k] == 1) {
                continue;
            }
            if (strides[k] != expected) {
                return false;
            }
            expected *= shape[k];
        }
        return true;
    }

    /**
     * Sum over outer axes of a dense inner block (e.g. a column sum, or a bias gradient): every reduced
     * position contributes one dense row of {@code outputs} values, added lane-wise in position order (one
     * thread): F32 rows widened into double sums, F64 rows into compensated double sums, like the row reductions.
     */
    private static void columnSum(DType t, MemorySegment s, long base, StridedLoop positions, long count, int outputs,
                                  MemorySegment d, DType dt, long dstOffset) {
        double[] total = new double[outputs];
        boolean f32 = t == DType.F32;
        double[] low = f32 ? null : new double[outputs];
        positions.runRange(new long[]{base}, 0, count, (off, st, n) -> {
            for (long j = 0; j < n; j++) {
                long row = off[0] + j * st[0];
                if (f32) {
                    ReduceSums.addRowF32(s, row, total, outputs);
                } else {
                    ReduceSums.addRowF64(s, row, total, low, outputs);
                }
            }
        });
        for (int o = 0; o < outputs; o++) {
            double sum = f32 || !Double.isFinite(total[o]) ? total[o] : total[o] + low[o];
            ElementAccess.setDouble(d, dt, dstOffset + o, sum);
        }
    }

    /** Folds {@code n} elements, {@code stride} apart from {@code off}, into {@code acc}. */
    static void accumulate(ReduceOp op, DType t, MemorySegment s, long off, long stride, long n, Acc acc) {
        if (n == 0) {
            return;
        }
        if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN) {
            accumulateArg(op, t, s, off, stride, n, acc);
            return;
        }
        if (!t.isFloating()) {
            if (acc.wide) {
                for (long j = 0; j < n; j++) {
                    acc.addWide(ElementAccess.getLong(s, t, off + j * stride));
                }
            } else {
                for (long j = 0; j < n; j++) {
                    long x = ElementAccess.getLong(s, t, off + j * stride);
                    foldLong(op, acc, x);
                }
            }
            acc.any = true;
            return;
        }
        long j = 0;
        if (stride == 1 && ReduceSums.sums(op)) {
            if (t == DType.F32 && ReduceSums.available()) {
                j = ReduceSums.denseF32(op, s, off, n, acc);
            } else if (t == DType.F64) {
                j = ReduceSums.denseF64(op, s, off, n, acc);
            }
        } else if (stride == 1 && vectorExtreme(op)) {
            if (t == DType.F32) {
                j = ReduceF32.dense(op, s, off, n, acc);
            } else if (t == DType.F64) {
                j = ReduceF64.dense(op, s, off, n, acc);
            }
        }
        for (; j < n; j++) {
            foldDouble(op, acc, ElementAccess.getDouble(s, t, off + j * stride));
        }
    }

    private static boolean vectorExtreme(ReduceOp op) {
        return switch (op) {
            case MAX, MIN, MAX_ABS, MIN_ABS -> true;
            default -> false;
        };
    }

    /** Folds one element into {@code acc} (the floating accumulation of every op but the arg reductions). */
    static void foldDouble(ReduceOp op, Acc acc, double x) {
        switch (op) {
            case SUM -> acc.add(x);
            case SUM_ABS -> acc.add(Math.abs(x));
            case SUM_SQUARES -> acc.add(x * x);
            case NAN_SUM -> {
                if (!Double.isNaN(x)) {
                    acc.add(x);
                }
            }
            case NAN_MAX, NAN_MIN -> {
                if (!Double.isNaN(x)) {
                    acc.d = acc.any ? (op == ReduceOp.NAN_MAX ? Math.max(acc.d, x) : Math.min(acc.d, x)) : x;
                    acc.any = true;
                }
                return;
            }
            case PROD -> acc.d *= x;
            case COUNT_NONZERO -> acc.l += x != 0 ? 1 : 0;
            case MAX -> acc.d = acc.any ? Math.max(acc.d, x) : x;
            case MIN -> acc.d = acc.any ? Math.min(acc.d, x) : x;
            case MAX_ABS -> acc.d = acc.any ? Math.max(acc.d, Math.abs(x)) : Math.abs(x);
            case MIN_ABS -> acc.d = acc.any ? Math.min(acc.d, Math.abs(x)) : Math.abs(x);
            default -> throw new AssertionError(op);
        }
        acc.any = true;
    }

    private static void foldLong(ReduceOp op, Acc acc, long x) {
        switch (op) {
            case SUM, NAN_SUM -> acc.l += x;
            case SUM_ABS -> acc.l += Math.abs(x);
            case SUM_SQUARES -> acc.l += x * x;
            case PROD -> acc.l *= x;
            case COUNT_NONZERO -> acc.l += x != 0 ? 1 : 0;
            case MAX, NAN_MAX -> acc.l = acc.any ? Math.max(acc.l, x) : x;
            case MIN, NAN_MIN -> acc.l = acc.any ? Math.min(acc.l, x) : x;
            case MAX_ABS -> acc.l = acc.any ? Math.max(acc.l, Math.abs(x)) : Math.abs(x);
            case MIN_ABS -> acc.l = acc.any ? Math.min(acc.l, Math.abs(x)) : Math.abs(x);
            default -> throw new AssertionError(op);
        }
        acc.any = true;
    }

    private static void accumulateArg(ReduceOp op, DType t, MemorySegment s, long off, long stride, long n, Acc acc) {
        boolean max = op == ReduceOp.ARGMAX;
        if (t.isFloating()) {
            for (long j = 0; j < n; j++, acc.visited++) {
                double x = ElementAccess.getDouble(s, t, off + j * stride);
                if (!acc.any) {
                    acc.any = true;
                    acc.d = x;
                    acc.index = acc.visited;
                } else if (!Double.isNaN(acc.d) && (Double.isNaN(x) || (max ? x > acc.d : x < acc.d))) {
                    acc.d = x;
                    acc.index = acc.visited;
                }
            }
        } else {
            for (long j = 0; j < n; j++, acc.visited++) {
                long x = ElementAccess.getLong(s, t, off + j * stride);
                if (!acc.any || (max ? x > acc.l : x < acc.l)) {
                    acc.any = true;
                    acc.l = x;
                    acc.index = acc.visited;
                }
            }
        }
    }

    /** Combines two partial results, {@code a} covering earlier elements than {@code b}. */
    private static Acc combine(ReduceOp op, DType t, Acc a, Acc b) {
        // a partial that saw nothing is the identity of an extreme; the sums always add (their dense
        // vector loops accumulate without setting 'any')
        boolean extreme = switch (op) {
            case MAX, MIN, MAX_ABS, MIN_ABS, ARGMAX, ARGMIN, NAN_MAX, NAN_MIN -> true;
            case SUM, PROD, SUM_ABS, SUM_SQUARES, COUNT_NONZERO, NAN_SUM -> false;
        };
        if (extreme && !b.any) {
            return a;
        }
        if (extreme && !a.any) {
            return b;
        }
        boolean f = t.isFloating();
        switch (op) {
            case SUM, SUM_ABS, SUM_SQUARES, COUNT_NONZERO, NAN_SUM -> {
                a.add(b.d);
                a.c += b.c;
                if (a.wide) {
                    long carry = Long.compareUnsigned(a.l + b.l, a.l) < 0 ? 1 : 0;
                    a.h += b.h + carry;
                }
                a.l += b.l;
            }
            case PROD -> {
                a.d *= b.d;
                a.l *= b.l;
            }
            case MAX, MIN, MAX_ABS, MIN_ABS, NAN_MAX, NAN_MIN -> {
                if (f) {
                    foldDouble(op, a, b.d);
                } else {
                    foldLong(op, a, b.l);
                }
            }
            case ARGMAX, ARGMIN -> {
                boolean max = op == ReduceOp.ARGMAX;
                boolean take = f ? !Double.isNaN(a.d) && (Double.isNaN(b.d) || (max ? b.d > a.d : b.d < a.d))
                        : (max ? b.l > a.l : b.l < a.l);
                if (take) {
                    return b;
                }
            }
        }
        return a;
    }

    private static void store(ReduceOp op, DType t, Acc acc, MemorySegment d, DType dt, long index) {
        switch (op) {
            case ARGMAX, ARGMIN -> ElementAccess.setLong(d, dt, index, acc.index);
            case COUNT_NONZERO -> ElementAccess.setLong(d, dt, index, acc.l);
            case SUM, SUM_ABS, SUM_SQUARES, NAN_SUM -> {
                if (t.isFloating()) {
                    ElementAccess.setDouble(d, dt, index, acc.sum());
                } else if (acc.wide) {
                    ElementAccess.setDouble(d, dt, index, acc.wideValue());
                } else {
                    ElementAccess.setLong(d, dt, index, acc.l);
                }
            }
            default -> {
                if (t.isFloating()) {
                    // an all-NaN slice of nanmax/nanmin saw nothing: NaN, as in NumPy
                    boolean none = (op == ReduceOp.NAN_MAX || op == ReduceOp.NAN_MIN) && !acc.any;
                    ElementAccess.setDouble(d, dt, index, none ? Double.NaN : acc.d);
                } else {
                    ElementAccess.setLong(d, dt, index, acc.l);
                }
            }
        }
    }
}
