package dev.proxima.tensor.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.ReduceOp;
import dev.proxima.tensor.spi.StridedView;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import static dev.proxima.tensor.internal.Elements.F32;
import static dev.proxima.tensor.internal.Elements.F64;

/**
 * Reductions over any set of axes. Each output element reduces a strided sub-array, visited row by
 * row; dense rows of F32/F64 run on the Vector API. F32 sums are accumulated in vector blocks of at
 * most {@value #BLOCK} elements whose sums are added in double precision, so the error does not grow
 * with the length the way a naive float loop does. Results do not depend on the thread count.
 */
final class Reduce {

    static final int BLOCK = 1024;

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** Running state of one reduction. */
    static final class Acc {
        double d;      // float sums, products, extremes
        long l;        // integer sums, products, extremes, counts
        long visited;  // elements seen so far (for arg reductions)
        long index = -1;
        boolean any;

        Acc(ReduceOp op, long firstPosition) {
            visited = firstPosition;
            if (op == ReduceOp.PROD) {
                d = 1;
                l = 1;
            }
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
        if (outputs == 0) {
            return;
        }
        if (op == ReduceOp.SUM && (t == DType.F32 || t == DType.F64) && perOutput > 1 && outputs > 1
                && outputs <= COLUMN_LIMIT && isDenseBlock(keptShape, keptStrides)) {
            columnSum(t, s, src.offset(), inner, perOutput, (int) outputs, d, dst.dtype(), dstOffset);
            return;
        }
        if (outputs == 1 && perOutput > 2 * Parallel.GRAIN && Parallel.threads() > 1) {
            // one output: split the reduced elements, then combine the partials in index order
            Map<Long, Acc> partials = new ConcurrentSkipListMap<>();
            long[] base = {src.offset()};
            Parallel.forRange(perOutput, 1, (start, end) -> {
                Acc acc = new Acc(op, start);
                inner.runRange(base, start, end, (off, st, n) -> accumulate(op, t, s, off[0], st[0], n, acc));
                partials.put(start, acc);
            });
            Acc total = null;
            for (Acc p : partials.values()) {
                total = total == null ? p : combine(op, t, total, p);
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
                Acc acc = new Acc(op, 0);
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
     * position contributes one dense row of {@code outputs} values, added lane-wise. F32 rows accumulate in
     * float for at most {@value #BLOCK} rows, then in double, like the row reductions.
     */
    private static void columnSum(DType t, MemorySegment s, long base, StridedLoop positions, long count, int outputs,
                                  MemorySegment d, DType dt, long dstOffset) {
        double[] total = new double[outputs];
        boolean f32 = t == DType.F32;
        float[] partF = f32 ? new float[outputs] : null;
        int[] rows = {0};
        positions.runRange(new long[]{base}, 0, count, (off, st, n) -> {
            for (long j = 0; j < n; j++) {
                long row = off[0] + j * st[0];
                if (f32) {
                    addRowF32(s, row, partF, outputs);
                    if (++rows[0] == BLOCK) {
                        flush(partF, total);
                        rows[0] = 0;
                    }
                } else {
                    addRowF64(s, row, total, outputs);
                }
            }
        });
        if (f32) {
            flush(partF, total);
        }
        for (int o = 0; o < outputs; o++) {
            Elements.setDouble(d, dt, dstOffset + o, total[o]);
        }
    }

    private static void addRowF32(MemorySegment s, long row, float[] acc, int n) {
        int j = 0;
        int bound = FS.loopBound(n);
        for (; j < bound; j += FS.length()) {
            FloatVector.fromArray(FS, acc, j).add(FloatVector.fromMemorySegment(FS, s, (row + j) * 4, NATIVE)).intoArray(acc, j);
        }
        for (; j < n; j++) {
            acc[j] += s.getAtIndex(F32, row + j);
        }
    }

    private static void addRowF64(MemorySegment s, long row, double[] acc, int n) {
        int j = 0;
        int bound = DS.loopBound(n);
        for (; j < bound; j += DS.length()) {
            DoubleVector.fromArray(DS, acc, j).add(DoubleVector.fromMemorySegment(DS, s, (row + j) * 8, NATIVE)).intoArray(acc, j);
        }
        for (; j < n; j++) {
            acc[j] += s.getAtIndex(F64, row + j);
        }
    }

    private static void flush(float[] part, double[] total) {
        for (int o = 0; o < part.length; o++) {
            total[o] += part[o];
            part[o] = 0;
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
            for (long j = 0; j < n; j++) {
                long x = Elements.getLong(s, t, off + j * stride);
                foldLong(op, acc, x);
            }
            acc.any = true;
            return;
        }
        long j = 0;
        if (stride == 1 && vectorReducible(op)) {
            if (t == DType.F32) {
                j = denseF32(op, s, off, n, acc);
            } else if (t == DType.F64) {
                j = denseF64(op, s, off, n, acc);
            } // F16/BF16 (the front end widens them, a backend caller may not): the converting loop below
        }
        for (; j < n; j++) {
            foldDouble(op, acc, Elements.getDouble(s, t, off + j * stride));
        }
    }

    private static boolean vectorReducible(ReduceOp op) {
        return switch (op) {
            case SUM, SUM_ABS, SUM_SQUARES, MAX, MIN, MAX_ABS, MIN_ABS -> true;
            default -> false;
        };
    }

    /** Vectorised prefix of a dense F32 row; returns how many elements it consumed. */
    private static long denseF32(ReduceOp op, MemorySegment s, long off, long n, Acc acc) {
        long bound = FS.loopBound(n);
        if (bound == 0) {
            return 0;
        }
        boolean sum = op == ReduceOp.SUM || op == ReduceOp.SUM_ABS || op == ReduceOp.SUM_SQUARES;
        // start extremes at the identity (no null vector: a null/vector phi makes C2 box every step)
        FloatVector extreme = FloatVector.broadcast(FS, op == ReduceOp.MAX ? Float.NEGATIVE_INFINITY
                : op == ReduceOp.MAX_ABS ? 0f : Float.POSITIVE_INFINITY);
        for (long blockStart = 0; blockStart < bound; blockStart += BLOCK) {
            long blockEnd = Math.min(bound, blockStart + BLOCK);
            FloatVector v = sum ? FloatVector.zero(FS) : extreme;
            for (long j = blockStart; j < blockEnd; j += FS.length()) {
                FloatVector x = FloatVector.fromMemorySegment(FS, s, (off + j) * 4, NATIVE);
                v = switch (op) {
                    case SUM -> v.add(x);
                    case SUM_ABS -> v.add(x.abs());
                    case SUM_SQUARES -> x.fma(x, v);
                    case MAX -> v.max(x);
                    case MIN -> v.min(x);
                    case MAX_ABS -> v.max(x.abs());
                    case MIN_ABS -> v.min(x.abs());
                    default -> throw new AssertionError(op);
                };
            }
            if (sum) {
                acc.d += v.reduceLanes(VectorOperators.ADD);
            } else {
                extreme = v;
            }
        }
        if (!sum) {
            VectorOperators.Associative r = op == ReduceOp.MAX || op == ReduceOp.MAX_ABS ? VectorOperators.MAX : VectorOperators.MIN;
            // reduceLanes(MAX/MIN) skips NaN ordering subtleties: check NaN explicitly
            if (extreme.test(VectorOperators.IS_NAN).anyTrue()) {
                foldDouble(op, acc, Double.NaN);
            } else {
                foldDouble(op, acc, extreme.reduceLanes(r));
            }
            if (op == ReduceOp.MAX_ABS || op == ReduceOp.MIN_ABS) {
                acc.any = true;
            }
        }
        return bound;
    }

    private static long denseF64(ReduceOp op, MemorySegment s, long off, long n, Acc acc) {
        long bound = DS.loopBound(n);
        if (bound == 0) {
            return 0;
        }
        boolean sum = op == ReduceOp.SUM || op == ReduceOp.SUM_ABS || op == ReduceOp.SUM_SQUARES;
        DoubleVector v = sum ? DoubleVector.zero(DS) : DoubleVector.broadcast(DS, op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY
                : op == ReduceOp.MAX_ABS ? 0 : Double.POSITIVE_INFINITY);
        for (long j = 0; j < bound; j += DS.length()) {
            DoubleVector x = DoubleVector.fromMemorySegment(DS, s, (off + j) * 8, NATIVE);
            v = switch (op) {
                case SUM -> v.add(x);
                case SUM_ABS -> v.add(x.abs());
                case SUM_SQUARES -> x.fma(x, v);
                case MAX -> v.max(x);
                case MIN -> v.min(x);
                case MAX_ABS -> v.max(x.abs());
                case MIN_ABS -> v.min(x.abs());
                default -> throw new AssertionError(op);
            };
        }
        if (sum) {
            acc.d += v.reduceLanes(VectorOperators.ADD);
        } else {
            VectorOperators.Associative r = op == ReduceOp.MAX || op == ReduceOp.MAX_ABS ? VectorOperators.MAX : VectorOperators.MIN;
            foldDouble(op, acc, v.test(VectorOperators.IS_NAN).anyTrue() ? Double.NaN : v.reduceLanes(r));
        }
        return bound;
    }

    private static void foldDouble(ReduceOp op, Acc acc, double x) {
        switch (op) {
            case SUM -> acc.d += x;
            case SUM_ABS -> acc.d += Math.abs(x);
            case SUM_SQUARES -> acc.d += x * x;
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
            case SUM -> acc.l += x;
            case SUM_ABS -> acc.l += Math.abs(x);
            case SUM_SQUARES -> acc.l += x * x;
            case PROD -> acc.l *= x;
            case COUNT_NONZERO -> acc.l += x != 0 ? 1 : 0;
            case MAX -> acc.l = acc.any ? Math.max(acc.l, x) : x;
            case MIN -> acc.l = acc.any ? Math.min(acc.l, x) : x;
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
                double x = Elements.getDouble(s, t, off + j * stride);
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
                long x = Elements.getLong(s, t, off + j * stride);
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
            case MAX, MIN, MAX_ABS, MIN_ABS, ARGMAX, ARGMIN -> true;
            case SUM, PROD, SUM_ABS, SUM_SQUARES, COUNT_NONZERO -> false;
        };
        if (extreme && !b.any) {
            return a;
        }
        if (extreme && !a.any) {
            return b;
        }
        boolean f = t.isFloating();
        switch (op) {
            case SUM, SUM_ABS, SUM_SQUARES, COUNT_NONZERO -> {
                a.d += b.d;
                a.l += b.l;
            }
            case PROD -> {
                a.d *= b.d;
                a.l *= b.l;
            }
            case MAX, MIN, MAX_ABS, MIN_ABS -> {
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
            case ARGMAX, ARGMIN -> Elements.setLong(d, dt, index, acc.index);
            case COUNT_NONZERO -> Elements.setLong(d, dt, index, acc.l);
            default -> {
                if (t.isFloating()) {
                    Elements.setDouble(d, dt, index, acc.d);
                } else {
                    Elements.setLong(d, dt, index, acc.l);
                }
            }
        }
    }
}
