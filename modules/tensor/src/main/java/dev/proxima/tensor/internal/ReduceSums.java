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
 * column sum). Hand-written for both types, not generated: the two types take different algorithms. Both add groups
 * of consecutive vectors lane-wise (pairwise: none of the roundings for equal values such as 10⁶ × 0.1), then
 * accumulate the groups in a wider form:
 * <ul>
 *   <li>F32: groups of eight vectors (at most three float roundings per element) are widened to double and the
 *       lanes accumulate in double;</li>
 *   <li>F64: groups of four vectors (at most two roundings per element) are added compensated (Knuth's error-free
 *       TwoSum, lane-wise).</li>
 * </ul>
 * The error is at most about half an ulp of the sum plus three unit roundoffs of Σ|x| — within an ulp or two of the
 * exact sum unless the terms cancel to far below their magnitude — at about the speed of the plain vector loop it
 * replaces (eight loads per step keep the memory stream as busy as that loop did). Column sums add each row
 * widened (F32) or compensated (F64).
 *
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
    /** Floats of twice the double lanes (the full vector width), widened half by half. */
    private static final VectorSpecies<Float> WIDE_FLOATS =
            VectorSpecies.of(float.class, VectorShape.forBitSize(DOUBLES.vectorBitSize()));
    private static final int LANES = DOUBLES.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private ReduceSums() {
    }

    /** True if the float loads widen into the double lanes as these loops expect (on every shape but the smallest). */
    static boolean available() {
        return FLOATS.length() == LANES && WIDE_FLOATS.length() == 2 * LANES;
    }

    private static DoubleVector loadF64(MemorySegment s, long element) {
        return DoubleVector.fromMemorySegment(DOUBLES, s, element * Double.BYTES, NATIVE);
    }

    private static FloatVector loadF32(MemorySegment s, long element) {
        return FloatVector.fromMemorySegment(FLOATS, s, element * Float.BYTES, NATIVE);
    }

    private static DoubleVector widen(FloatVector x) {
        return (DoubleVector) x.convertShape(VectorOperators.F2D, DOUBLES, 0);
    }

    /** {@link #term} in float, before widening. */
    private static FloatVector termF(ReduceOp op, FloatVector x) {
        return switch (op) {
            case SUM -> x;
            case SUM_ABS -> x.abs();
            case SUM_SQUARES -> x.mul(x);
            case NAN_SUM -> x.blend(0, x.test(VectorOperators.IS_NAN));
            default -> throw new AssertionError(op);
        };
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
     * Elements per int-indexed slice of a dense row (a multiple of every group size): C2 removes the bounds checks
     * of loads at {@code j + k·LANES} from an int index {@code j}, but not from a long one, and with eight loads per
     * step those checks made the loop three times slower than the memory stream. The grouping is the same as over
     * the whole row, so the result does not depend on the slicing.
     */
    private static final int SLICE = 1 << 20;

    /** The bytes of {@code n} elements of {@code size} bytes from element {@code first} of {@code s}. */
    private static MemorySegment slice(MemorySegment s, long first, int n, int size) {
        return s.asSlice(first * size, (long) n * size);
    }

    private static DoubleVector loadF64(MemorySegment s, int element) {
        return DoubleVector.fromMemorySegment(DOUBLES, s, (long) element * Double.BYTES, NATIVE);
    }

    private static FloatVector loadF32(MemorySegment s, int element) {
        return FloatVector.fromMemorySegment(FLOATS, s, (long) element * Float.BYTES, NATIVE);
    }

    private static FloatVector loadWide(MemorySegment s, int element) {
        return FloatVector.fromMemorySegment(WIDE_FLOATS, s, (long) element * Float.BYTES, NATIVE);
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
        // two independent (high, low) pairs: short dependency chains let the loads run ahead
        DoubleVector h0 = DoubleVector.zero(DOUBLES);
        DoubleVector l0 = DoubleVector.zero(DOUBLES);
        DoubleVector h1 = DoubleVector.zero(DOUBLES);
        DoubleVector l1 = DoubleVector.zero(DOUBLES);
        for (long from = 0; from < bound; from += SLICE) {
            int len = (int) Math.min(SLICE, bound - from);
            MemorySegment r = slice(s, off + from, len, Double.BYTES);
            int j = 0;
            for (int groups = len - len % (8 * LANES); j < groups; j += 8 * LANES) {
                // two groups of four vectors, each added pairwise, then added compensated into its own pair
                DoubleVector x = term(op, loadF64(r, j)).add(term(op, loadF64(r, j + LANES)))
                        .add(term(op, loadF64(r, j + 2 * LANES)).add(term(op, loadF64(r, j + 3 * LANES))));
                DoubleVector y = term(op, loadF64(r, j + 4 * LANES)).add(term(op, loadF64(r, j + 5 * LANES)))
                        .add(term(op, loadF64(r, j + 6 * LANES)).add(term(op, loadF64(r, j + 7 * LANES))));
                DoubleVector t0 = h0.add(x);
                DoubleVector t1 = h1.add(y);
                DoubleVector z0 = t0.sub(h0);
                DoubleVector z1 = t1.sub(h1);
                l0 = l0.add(h0.sub(t0.sub(z0)).add(x.sub(z0)));
                l1 = l1.add(h1.sub(t1.sub(z1)).add(y.sub(z1)));
                h0 = t0;
                h1 = t1;
            }
            for (; j < len; j += LANES) {
                DoubleVector x = term(op, loadF64(r, j));
                DoubleVector t = h0.add(x);
                DoubleVector z = t.sub(h0);
                l0 = l0.add(h0.sub(t.sub(z)).add(x.sub(z)));
                h0 = t;
            }
        }
        for (int i = 0; i < LANES; i++) {
            acc.add(h0.lane(i));
            acc.add(h1.lane(i));
            acc.c += l0.lane(i) + l1.lane(i);
        }
        return bound;
    }

    /**
     * Adds the vectorised prefix of the dense F32 row of {@code n} elements at {@code off} into {@code acc}, in
     * groups widened to double; returns its length (the caller folds the rest).
     */
    static long denseF32(ReduceOp op, MemorySegment s, long off, long n, Reduce.Acc acc) {
        long bound = n - n % LANES;
        if (bound == 0) {
            return 0;
        }
        DoubleVector a0 = DoubleVector.zero(DOUBLES);
        DoubleVector a1 = DoubleVector.zero(DOUBLES);
        for (long from = 0; from < bound; from += SLICE) {
            int len = (int) Math.min(SLICE, bound - from);
            MemorySegment r = slice(s, off + from, len, Float.BYTES);
            int j = 0;
            for (int groups = len - len % (16 * LANES); j < groups; j += 16 * LANES) {
                // eight full-width float vectors added pairwise in float, then each half widened
                FloatVector x = termF(op, loadWide(r, j)).add(termF(op, loadWide(r, j + 2 * LANES)))
                        .add(termF(op, loadWide(r, j + 4 * LANES)).add(termF(op, loadWide(r, j + 6 * LANES))))
                        .add(termF(op, loadWide(r, j + 8 * LANES)).add(termF(op, loadWide(r, j + 10 * LANES)))
                        .add(termF(op, loadWide(r, j + 12 * LANES)).add(termF(op, loadWide(r, j + 14 * LANES)))));
                a0 = a0.add((DoubleVector) x.convertShape(VectorOperators.F2D, DOUBLES, 0));
                a1 = a1.add((DoubleVector) x.convertShape(VectorOperators.F2D, DOUBLES, 1));
            }
            for (; j < len; j += LANES) {
                a0 = a0.add(term(op, widen(loadF32(r, j))));
            }
        }
        DoubleVector total = a0.add(a1);
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
            DoubleVector.fromArray(DOUBLES, acc, j).add(widen(loadF32(s, row + j))).intoArray(acc, j);
        }
        for (; j < n; j++) {
            acc[j] += s.getAtIndex(F32, row + j);
        }
    }
}
