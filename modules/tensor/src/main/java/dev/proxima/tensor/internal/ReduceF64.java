package dev.proxima.tensor.internal;

import dev.proxima.tensor.spi.ReduceOp;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

// Hand-written: the source of ReduceF32.java, which F32KernelGenerator writes from this file. // F32:
// Edit this file, then regenerate (the command is in ReduceF32.java's first lines). // F32:
/**
 * The F64 vector loop of {@link Reduce} for the extremes (MAX, MIN, MAX_ABS, MIN_ABS) of the dense prefix of a row.
 * The sums are in {@link ReduceSums}, hand-written for both types.
 */
final class ReduceF64 {

    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int BYTES = Double.BYTES;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private ReduceF64() {
    }

    private static DoubleVector load(MemorySegment s, long element) {
        return DoubleVector.fromMemorySegment(SPECIES, s, element * BYTES, NATIVE);
    }

    /**
     * Folds the vectorised prefix of the dense row of {@code n} elements at {@code off} into {@code acc} for the
     * extremes MAX, MIN, MAX_ABS and MIN_ABS; returns its length. The lane maximum/minimum does not depend on the
     * lanes' order (NaN is checked first; {@code Math.max}/{@code min} order -0.0 below 0.0).
     */
    static long dense(ReduceOp op, MemorySegment s, long off, long n, Reduce.Acc acc) {
        long bound = SPECIES.loopBound(n);
        if (bound == 0) {
            return 0;
        }
        Reduce.foldDouble(op, acc, extreme(op, s, off, bound));
        return bound;
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
}
