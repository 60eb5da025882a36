// GENERATED from SoftmaxF64.java by dev.proxima.tensor.internal.F32KernelGenerator (modules/tensor/src/test/java): never edit by hand.
// Edit SoftmaxF64.java, then regenerate from the repository root with
//   java modules/tensor/src/test/java/dev/proxima/tensor/internal/F32KernelGenerator.java
package dev.proxima.tensor.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.SoftmaxOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.proxima.tensor.internal.ElementAccess.F32;

/**
 * The F32 lanes of {@link SoftmaxKernels}: a run of {@code lanes} lanes of {@code n} elements each, in one of three
 * shapes (see there). Exponentials are computed in this file's type on the Vector API and summed in blocks of at
 * most {@value SoftmaxKernels#BLOCK} whose lane sums are added into a 64-bit total; the output is
 * {@code exp(x − shift)·(1/s)} (softmax), {@code (x − shift) − log s} (log-softmax) or {@code shift + log s}
 * (logsumexp), each rounded once to this file's type.
 *
 * <p>Casts to this file's type that look redundant are the generated F32 file's narrowing casts.
 */
@SuppressWarnings("cast")
final class SoftmaxF32 {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int BYTES = Float.BYTES;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private SoftmaxF32() {
    }

    /** The shift of a lane whose maximum is {@code m}: m itself, except 0 for a logsumexp of a non-finite m. */
    static float shift(SoftmaxOp op, float m) {
        return op == SoftmaxOp.LOGSUMEXP && !Float.isFinite(m) ? 0 : m;
    }

    /**
     * {@code lanes} lanes of {@code n} elements: lane {@code l} starts at {@code so + l·ls} (src) and {@code dof + l·ld}
     * (dst); its elements are {@code sa} (src) and {@code da} (dst) apart.
     */
    static void rows(SoftmaxOp op, MemorySegment s, long so, long ls, long sa, MemorySegment d, long dof, long ld,
                     long da, long lanes, long n) {
        long first = 0;
        if (ls == 1 && ld == 1 && n > 1 && lanes >= SPECIES.length()) {
            first = columns(op, s, so, sa, d, dof, da, lanes, n);
        }
        for (long l = first; l < lanes; l++) {
            long o = so + l * ls;
            long p = dof + l * ld;
            if (sa == 1 && (da == 1 || op == SoftmaxOp.LOGSUMEXP)) {
                lane(op, s, o, d, p, n);
            } else {
                SoftmaxKernels.laneScalar(op, DType.F32, s, o, sa, d, p, da, n);
            }
        }
    }

    /** One dense lane: max, Σ exp, then the output, each a vector loop. */
    private static void lane(SoftmaxOp op, MemorySegment s, long so, MemorySegment d, long dof, long n) {
        float m = max(s, so, n);
        float shift = shift(op, m);
        double sum = sumExp(s, so, n, shift);
        switch (op) {
            case SOFTMAX -> softmax(s, so, d, dof, n, shift, (float) (1 / sum));
            case LOG_SOFTMAX -> logSoftmax(s, so, d, dof, n, shift, (float) Math.log(sum));
            case LOGSUMEXP -> d.setAtIndex(F32, dof, (float) (shift + Math.log(sum)));
        }
    }

    private static FloatVector load(MemorySegment s, long element) {
        return FloatVector.fromMemorySegment(SPECIES, s, element * BYTES, NATIVE);
    }

    private static float max(MemorySegment s, long so, long n) {
        FloatVector mv = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        long bound = SPECIES.loopBound(n);
        long j = 0;
        for (; j < bound; j += SPECIES.length()) {
            mv = mv.max(load(s, so + j));
        }
        float m = mv.reduceLanes(VectorOperators.MAX);
        for (; j < n; j++) {
            m = Math.max(m, s.getAtIndex(F32, so + j));
        }
        return m;
    }

    private static double sumExp(MemorySegment s, long so, long n, float shift) {
        FloatVector sv = FloatVector.broadcast(SPECIES, shift);
        long bound = SPECIES.loopBound(n);
        long j = 0;
        double total = 0;
        while (j < bound) {
            long end = Math.min(bound, j + SoftmaxKernels.BLOCK);
            FloatVector acc = FloatVector.zero(SPECIES);
            for (; j < end; j += SPECIES.length()) {
                acc = acc.add(load(s, so + j).sub(sv).lanewise(VectorOperators.EXP));
            }
            total += acc.reduceLanes(VectorOperators.ADD);
        }
        for (; j < n; j++) {
            total += (float) Math.exp(s.getAtIndex(F32, so + j) - shift);
        }
        return total;
    }

    private static void softmax(MemorySegment s, long so, MemorySegment d, long dof, long n, float shift, float inv) {
        FloatVector sv = FloatVector.broadcast(SPECIES, shift);
        FloatVector iv = FloatVector.broadcast(SPECIES, inv);
        long bound = SPECIES.loopBound(n);
        long j = 0;
        for (; j < bound; j += SPECIES.length()) {
            load(s, so + j).sub(sv).lanewise(VectorOperators.EXP).mul(iv).intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
        }
        for (; j < n; j++) {
            d.setAtIndex(F32, dof + j, (float) Math.exp(s.getAtIndex(F32, so + j) - shift) * inv);
        }
    }

    private static void logSoftmax(MemorySegment s, long so, MemorySegment d, long dof, long n, float shift, float logSum) {
        FloatVector sv = FloatVector.broadcast(SPECIES, shift);
        FloatVector lv = FloatVector.broadcast(SPECIES, logSum);
        long bound = SPECIES.loopBound(n);
        long j = 0;
        for (; j < bound; j += SPECIES.length()) {
            load(s, so + j).sub(sv).sub(lv).intoMemorySegment(d, (dof + j) * BYTES, NATIVE);
        }
        for (; j < n; j++) {
            d.setAtIndex(F32, dof + j, s.getAtIndex(F32, so + j) - shift - logSum);
        }
    }

    /**
     * Lanes {@code [0, bound)} of a run whose lanes are adjacent (lane stride 1 in src and dst), one
     * vector of lanes at a time walking down the axis; returns {@code bound} (the rest go lane by lane).
     */
    private static long columns(SoftmaxOp op, MemorySegment s, long so, long sa, MemorySegment d, long dof, long da,
                                long lanes, long n) {
        int v = SPECIES.length();
        long bound = SPECIES.loopBound(lanes);
        float[] shift = new float[v];
        float[] param = new float[v];
        double[] sum = new double[v];
        for (long l = 0; l < bound; l += v) {
            columnMax(s, so + l, sa, n, op == SoftmaxOp.LOGSUMEXP, shift);
            columnSum(s, so + l, sa, n, shift, sum);
            switch (op) {
                case SOFTMAX -> {
                    for (int q = 0; q < v; q++) {
                        param[q] = (float) (1 / sum[q]);
                    }
                    columnSoftmax(s, so + l, sa, d, dof + l, da, n, shift, param);
                }
                case LOG_SOFTMAX -> {
                    for (int q = 0; q < v; q++) {
                        param[q] = (float) Math.log(sum[q]);
                    }
                    columnLogSoftmax(s, so + l, sa, d, dof + l, da, n, shift, param);
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
    private static void columnMax(MemorySegment s, long so, long sa, long n, boolean finiteOnly, float[] shift) {
        FloatVector mv = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        for (long k = 0; k < n; k++) {
            mv = mv.max(load(s, so + k * sa));
        }
        (finiteOnly ? FloatVector.zero(SPECIES).blend(mv, mv.test(VectorOperators.IS_FINITE)) : mv).intoArray(shift, 0);
    }

    /** sum[q] := Σ exp(x − shift[q]) over lane q, in blocks as {@link #sumExp} does. */
    private static void columnSum(MemorySegment s, long so, long sa, long n, float[] shift, double[] sum) {
        FloatVector sv = FloatVector.fromArray(SPECIES, shift, 0);
        java.util.Arrays.fill(sum, 0);
        float[] part = new float[SPECIES.length()];
        long k = 0;
        while (k < n) {
            long end = Math.min(n, k + SoftmaxKernels.BLOCK);
            FloatVector acc = FloatVector.zero(SPECIES);
            for (; k < end; k++) {
                acc = acc.add(load(s, so + k * sa).sub(sv).lanewise(VectorOperators.EXP));
            }
            acc.intoArray(part, 0);
            for (int q = 0; q < part.length; q++) {
                sum[q] += part[q];
            }
        }
    }

    private static void columnSoftmax(MemorySegment s, long so, long sa, MemorySegment d, long dof, long da, long n,
                                      float[] shift, float[] inv) {
        FloatVector sv = FloatVector.fromArray(SPECIES, shift, 0);
        FloatVector iv = FloatVector.fromArray(SPECIES, inv, 0);
        for (long k = 0; k < n; k++) {
            load(s, so + k * sa).sub(sv).lanewise(VectorOperators.EXP).mul(iv).intoMemorySegment(d, (dof + k * da) * BYTES, NATIVE);
        }
    }

    private static void columnLogSoftmax(MemorySegment s, long so, long sa, MemorySegment d, long dof, long da, long n,
                                         float[] shift, float[] logSum) {
        FloatVector sv = FloatVector.fromArray(SPECIES, shift, 0);
        FloatVector lv = FloatVector.fromArray(SPECIES, logSum, 0);
        for (long k = 0; k < n; k++) {
            load(s, so + k * sa).sub(sv).sub(lv).intoMemorySegment(d, (dof + k * da) * BYTES, NATIVE);
        }
    }
}
