package dev.proxima.tensor.internal;

import dev.proxima.tensor.spi.ReduceOp;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.proxima.tensor.internal.ElementAccess.F64;

// Hand-written: the source of ReduceF32.java, which F32KernelGenerator writes from this file. // F32:
// Edit this file, then regenerate (the command is in ReduceF32.java's first lines). // F32:
/**
 * The F64 vector loops of {@link Reduce}: the dense prefix of a row folded into an accumulator, and a dense row
 * added lane-wise into per-output sums (column sums). Sums are taken in vector blocks of at most {@link #SUM_BLOCK}
 * elements, each block's lane sum added into the 64-bit {@link Reduce.Acc#d}.
 */
final class ReduceF64 {

    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    // a whole row is one block: its lane sum goes straight into the accumulator's precision // F32: // blocks of Reduce.BLOCK elements: the float error of a block sum does not grow with the row length
    private static final long SUM_BLOCK = Long.MAX_VALUE; // F32: private static final long SUM_BLOCK = Reduce.BLOCK;
    private static final int BYTES = Double.BYTES;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private ReduceF64() {
    }

    private static DoubleVector load(MemorySegment s, long element) {
        return DoubleVector.fromMemorySegment(SPECIES, s, element * BYTES, NATIVE);
    }

    /**
     * Folds the vectorised prefix of the dense row of {@code n} elements at {@code off} into {@code acc} for the ops
     * {@link Reduce} vectorises (the sums, and the extremes MAX, MIN, MAX_ABS, MIN_ABS); returns its length.
     */
    static long dense(ReduceOp op, MemorySegment s, long off, long n, Reduce.Acc acc) {
        long bound = SPECIES.loopBound(n);
        if (bound == 0) {
            return 0;
        }
        if (op == ReduceOp.SUM || op == ReduceOp.SUM_ABS || op == ReduceOp.SUM_SQUARES) {
            for (long from = 0, to; from < bound; from = to) {
                to = from + Math.min(SUM_BLOCK, bound - from);
                acc.d += sum(op, s, off, from, to);
            }
        } else {
            Reduce.foldDouble(op, acc, extreme(op, s, off, bound));
        }
        return bound;
    }

    /** The lane sum of elements {@code [from, to)} of a dense row (SUM, SUM_ABS or SUM_SQUARES). */
    private static double sum(ReduceOp op, MemorySegment s, long off, long from, long to) {
        DoubleVector v = DoubleVector.zero(SPECIES);
        for (long j = from; j < to; j += SPECIES.length()) {
            DoubleVector x = load(s, off + j);
            v = switch (op) {
                case SUM -> v.add(x);
                case SUM_ABS -> v.add(x.abs());
                case SUM_SQUARES -> x.fma(x, v);
                default -> throw new AssertionError(op);
            };
        }
        return v.reduceLanes(VectorOperators.ADD);
    }

    /** The extreme (MAX, MIN, MAX_ABS or MIN_ABS) of elements {@code [0, bound)} of a dense row; NaN if one is NaN. */
    private static double extreme(ReduceOp op, MemorySegment s, long off, long bound) {
        // start at the identity (no null vector: a null/vector phi makes C2 box every step)
        DoubleVector v = DoubleVector.broadcast(SPECIES, op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY
                : op == ReduceOp.MAX_ABS ? 0 : Double.POSITIVE_INFINITY);
        for (long j = 0; j < bound; j += SPECIES.length()) {
            DoubleVector x = load(s, off + j);
            v = switch (op) {
                case MAX -> v.max(x);
                case MIN -> v.min(x);
                case MAX_ABS -> v.max(x.abs());
                case MIN_ABS -> v.min(x.abs());
                default -> throw new AssertionError(op);
            };
        }
        // reduceLanes(MAX/MIN) skips NaN ordering subtleties: check NaN explicitly
        if (v.test(VectorOperators.IS_NAN).anyTrue()) {
            return Double.NaN;
        }
        return v.reduceLanes(op == ReduceOp.MAX || op == ReduceOp.MAX_ABS ? VectorOperators.MAX : VectorOperators.MIN);
    }

    /** {@code acc[j] += s[row + j]} for {@code j < n}: one dense row of a column sum. */
    static void addRow(MemorySegment s, long row, double[] acc, int n) {
        int j = 0;
        int bound = SPECIES.loopBound(n);
        for (; j < bound; j += SPECIES.length()) {
            DoubleVector.fromArray(SPECIES, acc, j).add(load(s, row + j)).intoArray(acc, j);
        }
        for (; j < n; j++) {
            acc[j] += s.getAtIndex(F64, row + j);
        }
    }
}
