package dev.proxima.tensor.internal;

import dev.proxima.tensor.spi.ReduceOp;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.proxima.tensor.internal.ElementAccess.F32;
import static dev.proxima.tensor.internal.ElementAccess.F64;

/**
 * The Vector API sum loops of {@link Reduce} (SUM, SUM_ABS, SUM_SQUARES, NAN_SUM over a dense row, and the rows of a
 * column sum). Hand-written for both types, not generated: the two types take different algorithms.
 * <ul>
 *   <li>F32: every float is widened to double and the lanes accumulate in double, so the sum of up to millions of
 *       floats is the exact sum rounded once to float (the double error is far below a float ulp).</li>
 *   <li>F64: every element is added compensated (Knuth's error-free TwoSum, lane-wise), so the double result is
 *       within about one ulp of the exact sum even with heavy cancellation.</li>
 * </ul>
 * <p>Reproducibility: the lanes of a row are folded into the running {@link Reduce.Acc} in lane order, never with
 * {@code reduceLanes}, whose order differs between the interpreted and the compiled Vector API. Every other step is
 * a lane-wise IEEE operation, bit-identical in every tier; lane {@code i} of a row holds the elements whose index in
 * the row is {@code i} modulo the lane count, whatever the row's alignment in memory.
 */
final class ReduceSums {

    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    /** Floats loaded as many at a time as there are double lanes, then widened lane by lane. */
    private static final VectorSpecies<Float> FLOATS =
            VectorSpecies.of(float.class, VectorShape.forBitSize(Math.max(64, DOUBLES.vectorBitSize() / 2)));
    private static final int LANES = DOUBLES.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private ReduceSums() {
    }

    /** True if the float loads widen into the double lanes one to one (always, on every supported shape). */
    static boolean available() {
        return FLOATS.length() == LANES;
    }

    private static DoubleVector loadF64(MemorySegment s, long element) {
        return DoubleVector.fromMemorySegment(DOUBLES, s, element * Double.BYTES, NATIVE);
    }

    private static DoubleVector loadF32(MemorySegment s, long element) {
        return (DoubleVector) FloatVector.fromMemorySegment(FLOATS, s, element * Float.BYTES, NATIVE)
                .convertShape(VectorOperators.F2D, DOUBLES, 0);
    }

    /** The summand of {@code x} for a sum op: x, |x|, x² or (NAN_SUM) x with NaN as 0. */
    private static DoubleVector term(ReduceOp op, DoubleVector x) {
        return switch (op) {
            case SUM -> x;
            case SUM_ABS -> x.abs();
            case SUM_SQUARES -> x.mul(x);
            case NAN_SUM -> x.blend(0, x.test(VectorOperators.IS_NAN));
            default -> throw new AssertionError(op);
        };
    }

    /** True for the ops these loops sum. */
    static boolean sums(ReduceOp op) {
        return op == ReduceOp.SUM || op == ReduceOp.SUM_ABS || op == ReduceOp.SUM_SQUARES || op == ReduceOp.NAN_SUM;
    }

    /**
     * Adds the vectorised prefix of the dense F64 row of {@code n} elements at {@code off} into {@code acc},
     * compensated; returns its length (the caller folds the rest).
     */
    static long denseF64(ReduceOp op, MemorySegment s, long off, long n, Reduce.Acc acc) {
        long bound = n - n % LANES;
        if (bound == 0) {
            return 0;
        }
        // two independent (high, low) pairs, so that consecutive additions do not wait for each other
        DoubleVector h0 = DoubleVector.zero(DOUBLES);
        DoubleVector l0 = DoubleVector.zero(DOUBLES);
        DoubleVector h1 = DoubleVector.zero(DOUBLES);
        DoubleVector l1 = DoubleVector.zero(DOUBLES);
        long j = 0;
        for (long pairs = n - n % (2L * LANES); j < pairs; j += 2L * LANES) {
            DoubleVector x0 = term(op, loadF64(s, off + j));
            DoubleVector x1 = term(op, loadF64(s, off + j + LANES));
            DoubleVector t0 = h0.add(x0);
            DoubleVector t1 = h1.add(x1);
            DoubleVector z0 = t0.sub(h0);
            DoubleVector z1 = t1.sub(h1);
            l0 = l0.add(h0.sub(t0.sub(z0)).add(x0.sub(z0)));
            l1 = l1.add(h1.sub(t1.sub(z1)).add(x1.sub(z1)));
            h0 = t0;
            h1 = t1;
        }
        if (j < bound) {
            DoubleVector x0 = term(op, loadF64(s, off + j));
            DoubleVector t0 = h0.add(x0);
            DoubleVector z0 = t0.sub(h0);
            l0 = l0.add(h0.sub(t0.sub(z0)).add(x0.sub(z0)));
            h0 = t0;
        }
        for (int i = 0; i < LANES; i++) {
            acc.add(h0.lane(i));
            acc.add(h1.lane(i));
            acc.c += l0.lane(i) + l1.lane(i);
        }
        return bound;
    }

    /**
     * Adds the vectorised prefix of the dense F32 row of {@code n} elements at {@code off} into {@code acc}, every
     * element widened to double; returns its length (the caller folds the rest).
     */
    static long denseF32(ReduceOp op, MemorySegment s, long off, long n, Reduce.Acc acc) {
        long bound = n - n % LANES;
        if (bound == 0) {
            return 0;
        }
        DoubleVector a0 = DoubleVector.zero(DOUBLES);
        DoubleVector a1 = DoubleVector.zero(DOUBLES);
        DoubleVector a2 = DoubleVector.zero(DOUBLES);
        DoubleVector a3 = DoubleVector.zero(DOUBLES);
        long j = 0;
        for (long group = n - n % (4L * LANES); j < group; j += 4L * LANES) {
            a0 = a0.add(term(op, loadF32(s, off + j)));
            a1 = a1.add(term(op, loadF32(s, off + j + LANES)));
            a2 = a2.add(term(op, loadF32(s, off + j + 2L * LANES)));
            a3 = a3.add(term(op, loadF32(s, off + j + 3L * LANES)));
        }
        for (; j < bound; j += LANES) {
            a0 = a0.add(term(op, loadF32(s, off + j)));
        }
        DoubleVector total = a0.add(a1).add(a2.add(a3));
        for (int i = 0; i < LANES; i++) {
            acc.add(total.lane(i));
        }
        return bound;
    }

    /** {@code (hi[j], lo[j]) += s[row + j]} compensated, for {@code j < n}: one dense F64 row of a column sum. */
    static void addRowF64(MemorySegment s, long row, double[] hi, double[] lo, int n) {
        int j = 0;
        for (int bound = n - n % LANES; j < bound; j += LANES) {
            DoubleVector h = DoubleVector.fromArray(DOUBLES, hi, j);
            DoubleVector x = loadF64(s, row + j);
            DoubleVector t = h.add(x);
            DoubleVector z = t.sub(h);
            DoubleVector.fromArray(DOUBLES, lo, j).add(h.sub(t.sub(z)).add(x.sub(z))).intoArray(lo, j);
            t.intoArray(hi, j);
        }
        for (; j < n; j++) {
            double x = s.getAtIndex(F64, row + j);
            double t = hi[j] + x;
            double z = t - hi[j];
            lo[j] += (hi[j] - (t - z)) + (x - z);
            hi[j] = t;
        }
    }

    /** {@code acc[j] += (double) s[row + j]} for {@code j < n}: one dense F32 row of a column sum. */
    static void addRowF32(MemorySegment s, long row, double[] acc, int n) {
        int j = 0;
        for (int bound = n - n % LANES; j < bound; j += LANES) {
            DoubleVector.fromArray(DOUBLES, acc, j).add(loadF32(s, row + j)).intoArray(acc, j);
        }
        for (; j < n; j++) {
            acc[j] += s.getAtIndex(F32, row + j);
        }
    }
}
