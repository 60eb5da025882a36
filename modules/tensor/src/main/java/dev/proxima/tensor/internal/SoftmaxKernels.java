package dev.proxima.tensor.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.SoftmaxOp;
import dev.proxima.tensor.spi.StridedView;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.proxima.tensor.internal.Elements.F32;
import static dev.proxima.tensor.internal.Elements.F64;

/**
 * The fused softmax family ({@link SoftmaxOp}) along one axis of an F32 or F64 view of any strides.
 *
 * <p>A <em>lane</em> is the run of elements along the axis for fixed other indices. Each lane takes three
 * passes over its input (maximum {@code m}, {@code s = Σ exp(x − shift)}, then the output) instead of the
 * five or six passes and three temporaries of the composed version. The {@code shift} of softmax and
 * log-softmax is {@code m} itself, so a lane holding +∞ or NaN, or of only −∞, gives NaN throughout
 * (∞ − ∞ or NaN in the sum), as SciPy's {@code softmax} and PyTorch's {@code softmax}/{@code log_softmax} do
 * (SciPy's {@code log_softmax} would keep −∞ beside the NaN of a +∞; here exp(log-softmax) = softmax on every
 * lane). The shift of logsumexp is {@code m}, or 0 where {@code m} is not finite, so that a lane holding +∞
 * (and no NaN) gives +∞ and a lane of only −∞ gives −∞, as SciPy's {@code logsumexp} and PyTorch's.
 * Lanes are split over {@link Parallel} workers by a {@link StridedLoop}
 * over the other dimensions, and run in one of three shapes:
 * <ul>
 *   <li>lanes adjacent in memory (softmax over a leading axis, over channels of NCHW): a vector of
 *       lanes walks down the axis together;</li>
 *   <li>a dense lane (softmax over the last axis): vector loops along the lane;</li>
 *   <li>anything else: a scalar loop in double.</li>
 * </ul>
 * F32 exponentials are computed in float (Vector API) and summed in float blocks of at most
 * {@value #BLOCK} elements whose sums are added in double, like {@link Reduce}; the output is
 * {@code exp(x − shift)·(1/s)} (softmax), {@code (x − shift) − log s} (log-softmax) or
 * {@code shift + log s} rounded once (logsumexp). Results do not depend on the thread count.
 */
final class SoftmaxKernels {

    static final int BLOCK = 1024;

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private SoftmaxKernels() {
    }

    /** The shift of a lane whose maximum is {@code m}: m itself, except 0 for a logsumexp of a non-finite m. */
    private static double shift(SoftmaxOp op, double m) {
        return op == SoftmaxOp.LOGSUMEXP && !Double.isFinite(m) ? 0 : m;
    }

    /** {@link #shift(SoftmaxOp, double)} in float. */
    private static float shift(SoftmaxOp op, float m) {
        return op == SoftmaxOp.LOGSUMEXP && !Float.isFinite(m) ? 0f : m;
    }

    /** See {@link dev.proxima.tensor.spi.Backend#softmax}. */
    static void softmax(SoftmaxOp op, StridedView src, int axis, StridedView dst) {
        DType t = src.dtype();
        if (t != DType.F32 && t != DType.F64) {
            throw new IllegalArgumentException("softmax kernels take F32 or F64, got " + t);
        }
        if (dst.dtype() != t) {
            throw new IllegalArgumentException("softmax output must be " + t + ", got " + dst.dtype());
        }
        int rank = src.rank();
        if (axis < 0 || axis >= rank) {
            throw new IllegalArgumentException("softmax axis " + axis + " out of range for rank " + rank);
        }
        boolean lse = op == SoftmaxOp.LOGSUMEXP;
        if (dst.rank() != (lse ? rank - 1 : rank)) {
            throw new IllegalArgumentException("softmax output has rank " + dst.rank() + " for an input of rank " + rank);
        }
        long n = src.shape()[axis];
        long sa = src.strides()[axis];
        long da = lse ? 0 : dst.strides()[axis];
        long[] laneShape = new long[rank - 1];
        long[] srcLane = new long[rank - 1];
        long[] dstLane = new long[rank - 1];
        for (int d = 0, k = 0; d < rank; d++) {
            if (d != axis) {
                laneShape[k] = src.shape()[d];
                srcLane[k] = src.strides()[d];
                dstLane[k] = lse ? dst.strides()[k] : dst.strides()[d];
                k++;
            }
        }
        StridedLoop loop = StridedLoop.of(laneShape, srcLane, dstLane);
        MemorySegment s = src.storage().segment();
        MemorySegment d = dst.storage().segment();
        int cost = (int) Math.min(1 << 20, 6 * n + 1);
        long[] base = {src.offset(), dst.offset()};
        if (t == DType.F32) {
            loop.run(base, cost, (off, inner, lanes) -> rowsF32(op, s, off[0], inner[0], sa, d, off[1], inner[1], da, lanes, n));
        } else {
            loop.run(base, cost, (off, inner, lanes) -> rowsF64(op, s, off[0], inner[0], sa, d, off[1], inner[1], da, lanes, n));
        }
    }

    /** One lane of any strides, in double. */
    private static void laneScalar(SoftmaxOp op, DType t, MemorySegment s, long so, long sa, MemorySegment d, long dof, long da, long n) {
        double m = Double.NEGATIVE_INFINITY;
        for (long k = 0; k < n; k++) {
            m = Math.max(m, Elements.getDouble(s, t, so + k * sa));
        }
        double shift = shift(op, m);
        double sum = 0;
        for (long k = 0; k < n; k++) {
            sum += Math.exp(Elements.getDouble(s, t, so + k * sa) - shift);
        }
        switch (op) {
            case SOFTMAX -> {
                double inv = 1 / sum;
                for (long k = 0; k < n; k++) {
                    Elements.setDouble(d, t, dof + k * da, Math.exp(Elements.getDouble(s, t, so + k * sa) - shift) * inv);
                }
            }
            case LOG_SOFTMAX -> {
                double logSum = Math.log(sum);
                for (long k = 0; k < n; k++) {
                    Elements.setDouble(d, t, dof + k * da, Elements.getDouble(s, t, so + k * sa) - shift - logSum);
                }
            }
            case LOGSUMEXP -> Elements.setDouble(d, t, dof, shift + Math.log(sum));
        }
    }

    // ------------------------------------------------------------------ F32

    private static void rowsF32(SoftmaxOp op, MemorySegment s, long so, long ls, long sa, MemorySegment d, long dof, long ld,
                                long da, long lanes, long n) {
        long first = 0;
        if (ls == 1 && ld == 1 && n > 1 && lanes >= FS.length()) {
            first = columnsF32(op, s, so, sa, d, dof, da, lanes, n);
        }
        for (long l = first; l < lanes; l++) {
            long o = so + l * ls;
            long p = dof + l * ld;
            if (sa == 1 && (da == 1 || op == SoftmaxOp.LOGSUMEXP)) {
                laneF32(op, s, o, d, p, n);
            } else {
                laneScalar(op, DType.F32, s, o, sa, d, p, da, n);
            }
        }
    }

    /** One dense lane: max, Σ exp, then the output, each a vector loop. */
    private static void laneF32(SoftmaxOp op, MemorySegment s, long so, MemorySegment d, long dof, long n) {
        float m = maxF32(s, so, n);
        float shift = shift(op, m);
        double sum = sumExpF32(s, so, n, shift);
        switch (op) {
            case SOFTMAX -> softmaxF32(s, so, d, dof, n, shift, (float) (1 / sum));
            case LOG_SOFTMAX -> logSoftmaxF32(s, so, d, dof, n, shift, (float) Math.log(sum));
            case LOGSUMEXP -> d.setAtIndex(F32, dof, (float) (shift + Math.log(sum)));
        }
    }

    private static FloatVector loadF32(MemorySegment s, long element) {
        return FloatVector.fromMemorySegment(FS, s, element * 4, NATIVE);
    }

    private static float maxF32(MemorySegment s, long so, long n) {
        FloatVector mv = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
        long bound = FS.loopBound(n);
        long j = 0;
        for (; j < bound; j += FS.length()) {
            mv = mv.max(loadF32(s, so + j));
        }
        float m = mv.reduceLanes(VectorOperators.MAX);
        for (; j < n; j++) {
            m = Math.max(m, s.getAtIndex(F32, so + j));
        }
        return m;
    }

    private static double sumExpF32(MemorySegment s, long so, long n, float shift) {
        FloatVector sv = FloatVector.broadcast(FS, shift);
        long bound = FS.loopBound(n);
        long j = 0;
        double total = 0;
        while (j < bound) {
            long end = Math.min(bound, j + BLOCK);
            FloatVector acc = FloatVector.zero(FS);
            for (; j < end; j += FS.length()) {
                acc = acc.add(loadF32(s, so + j).sub(sv).lanewise(VectorOperators.EXP));
            }
            total += acc.reduceLanes(VectorOperators.ADD);
        }
        for (; j < n; j++) {
            total += (float) Math.exp(s.getAtIndex(F32, so + j) - shift);
        }
        return total;
    }

    private static void softmaxF32(MemorySegment s, long so, MemorySegment d, long dof, long n, float shift, float inv) {
        FloatVector sv = FloatVector.broadcast(FS, shift);
        FloatVector iv = FloatVector.broadcast(FS, inv);
        long bound = FS.loopBound(n);
        long j = 0;
        for (; j < bound; j += FS.length()) {
            loadF32(s, so + j).sub(sv).lanewise(VectorOperators.EXP).mul(iv).intoMemorySegment(d, (dof + j) * 4, NATIVE);
        }
        for (; j < n; j++) {
            d.setAtIndex(F32, dof + j, (float) Math.exp(s.getAtIndex(F32, so + j) - shift) * inv);
        }
    }

    private static void logSoftmaxF32(MemorySegment s, long so, MemorySegment d, long dof, long n, float shift, float logSum) {
        FloatVector sv = FloatVector.broadcast(FS, shift);
        FloatVector lv = FloatVector.broadcast(FS, logSum);
        long bound = FS.loopBound(n);
        long j = 0;
        for (; j < bound; j += FS.length()) {
            loadF32(s, so + j).sub(sv).sub(lv).intoMemorySegment(d, (dof + j) * 4, NATIVE);
        }
        for (; j < n; j++) {
            d.setAtIndex(F32, dof + j, s.getAtIndex(F32, so + j) - shift - logSum);
        }
    }

    /**
     * Lanes {@code [0, bound)} of a run whose lanes are adjacent (lane stride 1 in src and dst), one
     * vector of lanes at a time walking down the axis; returns {@code bound} (the rest go lane by lane).
     */
    private static long columnsF32(SoftmaxOp op, MemorySegment s, long so, long sa, MemorySegment d, long dof, long da,
                                   long lanes, long n) {
        int v = FS.length();
        long bound = FS.loopBound(lanes);
        float[] shift = new float[v];
        float[] param = new float[v];
        double[] sum = new double[v];
        for (long l = 0; l < bound; l += v) {
            columnMaxF32(s, so + l, sa, n, op == SoftmaxOp.LOGSUMEXP, shift);
            columnSumF32(s, so + l, sa, n, shift, sum);
            switch (op) {
                case SOFTMAX -> {
                    for (int q = 0; q < v; q++) {
                        param[q] = (float) (1 / sum[q]);
                    }
                    columnSoftmaxF32(s, so + l, sa, d, dof + l, da, n, shift, param);
                }
                case LOG_SOFTMAX -> {
                    for (int q = 0; q < v; q++) {
                        param[q] = (float) Math.log(sum[q]);
                    }
                    columnLogSoftmaxF32(s, so + l, sa, d, dof + l, da, n, shift, param);
                }
                case LOGSUMEXP -> {
                    for (int q = 0; q < v; q++) {
                        d.setAtIndex(F32, dof + l + q, (float) (shift[q] + Math.log(sum[q])));
                    }
                }
            }
        }
        return bound;
    }

    /** shift[q] := the maximum of lane q, or (when {@code finiteOnly}) 0 where that is not finite. */
    private static void columnMaxF32(MemorySegment s, long so, long sa, long n, boolean finiteOnly, float[] shift) {
        FloatVector mv = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
        for (long k = 0; k < n; k++) {
            mv = mv.max(loadF32(s, so + k * sa));
        }
        (finiteOnly ? FloatVector.zero(FS).blend(mv, mv.test(VectorOperators.IS_FINITE)) : mv).intoArray(shift, 0);
    }

    private static void columnSumF32(MemorySegment s, long so, long sa, long n, float[] shift, double[] sum) {
        FloatVector sv = FloatVector.fromArray(FS, shift, 0);
        java.util.Arrays.fill(sum, 0);
        float[] part = new float[FS.length()];
        long k = 0;
        while (k < n) {
            long end = Math.min(n, k + BLOCK);
            FloatVector acc = FloatVector.zero(FS);
            for (; k < end; k++) {
                acc = acc.add(loadF32(s, so + k * sa).sub(sv).lanewise(VectorOperators.EXP));
            }
            acc.intoArray(part, 0);
            for (int q = 0; q < part.length; q++) {
                sum[q] += part[q];
            }
        }
    }

    private static void columnSoftmaxF32(MemorySegment s, long so, long sa, MemorySegment d, long dof, long da, long n,
                                         float[] shift, float[] inv) {
        FloatVector sv = FloatVector.fromArray(FS, shift, 0);
        FloatVector iv = FloatVector.fromArray(FS, inv, 0);
        for (long k = 0; k < n; k++) {
            loadF32(s, so + k * sa).sub(sv).lanewise(VectorOperators.EXP).mul(iv).intoMemorySegment(d, (dof + k * da) * 4, NATIVE);
        }
    }

    private static void columnLogSoftmaxF32(MemorySegment s, long so, long sa, MemorySegment d, long dof, long da, long n,
                                            float[] shift, float[] logSum) {
        FloatVector sv = FloatVector.fromArray(FS, shift, 0);
        FloatVector lv = FloatVector.fromArray(FS, logSum, 0);
        for (long k = 0; k < n; k++) {
            loadF32(s, so + k * sa).sub(sv).sub(lv).intoMemorySegment(d, (dof + k * da) * 4, NATIVE);
        }
    }

    // ------------------------------------------------------------------ F64

    private static void rowsF64(SoftmaxOp op, MemorySegment s, long so, long ls, long sa, MemorySegment d, long dof, long ld,
                                long da, long lanes, long n) {
        long first = 0;
        if (ls == 1 && ld == 1 && n > 1 && lanes >= DS.length()) {
            first = columnsF64(op, s, so, sa, d, dof, da, lanes, n);
        }
        for (long l = first; l < lanes; l++) {
            long o = so + l * ls;
            long p = dof + l * ld;
            if (sa == 1 && (da == 1 || op == SoftmaxOp.LOGSUMEXP)) {
                laneF64(op, s, o, d, p, n);
            } else {
                laneScalar(op, DType.F64, s, o, sa, d, p, da, n);
            }
        }
    }

    /** One dense lane: max, Σ exp, then the output, each a vector loop. */
    private static void laneF64(SoftmaxOp op, MemorySegment s, long so, MemorySegment d, long dof, long n) {
        double m = maxF64(s, so, n);
        double shift = shift(op, m);
        double sum = sumExpF64(s, so, n, shift);
        switch (op) {
            case SOFTMAX -> softmaxF64(s, so, d, dof, n, shift, (1 / sum));
            case LOG_SOFTMAX -> logSoftmaxF64(s, so, d, dof, n, shift, Math.log(sum));
            case LOGSUMEXP -> d.setAtIndex(F64, dof, (shift + Math.log(sum)));
        }
    }

    private static DoubleVector loadF64(MemorySegment s, long element) {
        return DoubleVector.fromMemorySegment(DS, s, element * 8, NATIVE);
    }

    private static double maxF64(MemorySegment s, long so, long n) {
        DoubleVector mv = DoubleVector.broadcast(DS, Double.NEGATIVE_INFINITY);
        long bound = DS.loopBound(n);
        long j = 0;
        for (; j < bound; j += DS.length()) {
            mv = mv.max(loadF64(s, so + j));
        }
        double m = mv.reduceLanes(VectorOperators.MAX);
        for (; j < n; j++) {
            m = Math.max(m, s.getAtIndex(F64, so + j));
        }
        return m;
    }

    private static double sumExpF64(MemorySegment s, long so, long n, double shift) {
        DoubleVector sv = DoubleVector.broadcast(DS, shift);
        long bound = DS.loopBound(n);
        long j = 0;
        double total = 0;
        while (j < bound) {
            long end = Math.min(bound, j + BLOCK);
            DoubleVector acc = DoubleVector.zero(DS);
            for (; j < end; j += DS.length()) {
                acc = acc.add(loadF64(s, so + j).sub(sv).lanewise(VectorOperators.EXP));
            }
            total += acc.reduceLanes(VectorOperators.ADD);
        }
        for (; j < n; j++) {
            total += Math.exp(s.getAtIndex(F64, so + j) - shift);
        }
        return total;
    }

    private static void softmaxF64(MemorySegment s, long so, MemorySegment d, long dof, long n, double shift, double inv) {
        DoubleVector sv = DoubleVector.broadcast(DS, shift);
        DoubleVector iv = DoubleVector.broadcast(DS, inv);
        long bound = DS.loopBound(n);
        long j = 0;
        for (; j < bound; j += DS.length()) {
            loadF64(s, so + j).sub(sv).lanewise(VectorOperators.EXP).mul(iv).intoMemorySegment(d, (dof + j) * 8, NATIVE);
        }
        for (; j < n; j++) {
            d.setAtIndex(F64, dof + j, Math.exp(s.getAtIndex(F64, so + j) - shift) * inv);
        }
    }

    private static void logSoftmaxF64(MemorySegment s, long so, MemorySegment d, long dof, long n, double shift, double logSum) {
        DoubleVector sv = DoubleVector.broadcast(DS, shift);
        DoubleVector lv = DoubleVector.broadcast(DS, logSum);
        long bound = DS.loopBound(n);
        long j = 0;
        for (; j < bound; j += DS.length()) {
            loadF64(s, so + j).sub(sv).sub(lv).intoMemorySegment(d, (dof + j) * 8, NATIVE);
        }
        for (; j < n; j++) {
            d.setAtIndex(F64, dof + j, s.getAtIndex(F64, so + j) - shift - logSum);
        }
    }

    /**
     * Lanes {@code [0, bound)} of a run whose lanes are adjacent (lane stride 1 in src and dst), one
     * vector of lanes at a time walking down the axis; returns {@code bound} (the rest go lane by lane).
     */
    private static long columnsF64(SoftmaxOp op, MemorySegment s, long so, long sa, MemorySegment d, long dof, long da,
                                   long lanes, long n) {
        int v = DS.length();
        long bound = DS.loopBound(lanes);
        double[] shift = new double[v];
        double[] param = new double[v];
        double[] sum = new double[v];
        for (long l = 0; l < bound; l += v) {
            columnMaxF64(s, so + l, sa, n, op == SoftmaxOp.LOGSUMEXP, shift);
            columnSumF64(s, so + l, sa, n, shift, sum);
            switch (op) {
                case SOFTMAX -> {
                    for (int q = 0; q < v; q++) {
                        param[q] = (1 / sum[q]);
                    }
                    columnSoftmaxF64(s, so + l, sa, d, dof + l, da, n, shift, param);
                }
                case LOG_SOFTMAX -> {
                    for (int q = 0; q < v; q++) {
                        param[q] = Math.log(sum[q]);
                    }
                    columnLogSoftmaxF64(s, so + l, sa, d, dof + l, da, n, shift, param);
                }
                case LOGSUMEXP -> {
                    for (int q = 0; q < v; q++) {
                        d.setAtIndex(F64, dof + l + q, (shift[q] + Math.log(sum[q])));
                    }
                }
            }
        }
        return bound;
    }

    /** shift[q] := the maximum of lane q, or (when {@code finiteOnly}) 0 where that is not finite. */
    private static void columnMaxF64(MemorySegment s, long so, long sa, long n, boolean finiteOnly, double[] shift) {
        DoubleVector mv = DoubleVector.broadcast(DS, Double.NEGATIVE_INFINITY);
        for (long k = 0; k < n; k++) {
            mv = mv.max(loadF64(s, so + k * sa));
        }
        (finiteOnly ? DoubleVector.zero(DS).blend(mv, mv.test(VectorOperators.IS_FINITE)) : mv).intoArray(shift, 0);
    }

    private static void columnSumF64(MemorySegment s, long so, long sa, long n, double[] shift, double[] sum) {
        DoubleVector sv = DoubleVector.fromArray(DS, shift, 0);
        java.util.Arrays.fill(sum, 0);
        double[] part = new double[DS.length()];
        long k = 0;
        while (k < n) {
            long end = Math.min(n, k + BLOCK);
            DoubleVector acc = DoubleVector.zero(DS);
            for (; k < end; k++) {
                acc = acc.add(loadF64(s, so + k * sa).sub(sv).lanewise(VectorOperators.EXP));
            }
            acc.intoArray(part, 0);
            for (int q = 0; q < part.length; q++) {
                sum[q] += part[q];
            }
        }
    }

    private static void columnSoftmaxF64(MemorySegment s, long so, long sa, MemorySegment d, long dof, long da, long n,
                                         double[] shift, double[] inv) {
        DoubleVector sv = DoubleVector.fromArray(DS, shift, 0);
        DoubleVector iv = DoubleVector.fromArray(DS, inv, 0);
        for (long k = 0; k < n; k++) {
            loadF64(s, so + k * sa).sub(sv).lanewise(VectorOperators.EXP).mul(iv).intoMemorySegment(d, (dof + k * da) * 8, NATIVE);
        }
    }

    private static void columnLogSoftmaxF64(MemorySegment s, long so, long sa, MemorySegment d, long dof, long da, long n,
                                            double[] shift, double[] logSum) {
        DoubleVector sv = DoubleVector.fromArray(DS, shift, 0);
        DoubleVector lv = DoubleVector.fromArray(DS, logSum, 0);
        for (long k = 0; k < n; k++) {
            loadF64(s, so + k * sa).sub(sv).sub(lv).intoMemorySegment(d, (dof + k * da) * 8, NATIVE);
        }
    }
}
