package dev.proxima.tensor.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.KernelRegistry;
import dev.proxima.tensor.spi.Kernels;
import dev.proxima.tensor.spi.StridedView;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.proxima.tensor.internal.ElementAccess.F32;
import static dev.proxima.tensor.internal.ElementAccess.F64;

/**
 * The fused soft-minimum of cost rows ({@link Kernels#SOFT_MIN}, {@link Kernels#SOFT_MIN_SQUARED_DISTANCES}):
 * {@code out_i = −ε·log Σ_j exp(t_ij)} with {@code t_ij = (h_j − C_ij)/ε}, the step of log-domain Sinkhorn.
 *
 * <p>Each row takes two vector passes over its m entries — the maximum {@code s} of {@code t_ij}, then
 * {@code Σ exp(t_ij − s)} — recomputing {@code t_ij} in registers instead of storing it, so no [n, m] temporary
 * exists; the result is {@code −ε·(s + log Σ)} (shift 0 where {@code s} is not finite, as logsumexp). The squared
 * distance form computes {@code C_ij = Σ_k (x_ik − y_jk)²} in the same registers from a transposed copy of y
 * ({@code d·m} values on the heap). F32 computes in float and sums float blocks of at most {@value #BLOCK}
 * exponentials into a double. Rows are split over {@link Parallel} workers; each row is summed by one thread in a
 * fixed order, so results do not depend on the thread count. A transposed cost (columns dense, as
 * {@code C.transpose()} of a row-major C gives) is read in place: a vector of adjacent rows walks down their
 * elements together, so the column soft-min of Sinkhorn needs no transposed copy.
 */
final class SoftMinKernels {

    /** Exponentials per block of an F32 row's sum. */
    static final int BLOCK = 1024;

    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private SoftMinKernels() {
    }

    static void register(KernelRegistry r) {
        r.register(Kernels.SOFT_MIN, (p, v) -> {
            softMin(v[0], v[1], v[2], p.epsilon());
            return true;
        });
        r.register(Kernels.SOFT_MIN_SQUARED_DISTANCES, (p, v) -> {
            softMinSquaredDistances(v[0], v[1], v[2], v[3], p.epsilon());
            return true;
        });
    }

    private static void check(String op, StridedView... views) {
        DType t = views[0].dtype();
        if (t != DType.F32 && t != DType.F64) {
            throw new IllegalArgumentException(op + " kernels take F32 or F64, got " + t);
        }
        for (StridedView v : views) {
            if (v.dtype() != t || !v.isContiguous()) {
                throw new IllegalArgumentException(op + " kernels take contiguous views of one dtype, got " + v.dtype()
                        + (v.isContiguous() ? "" : " (not contiguous)") + " beside " + t);
            }
        }
    }

    /** See {@link Kernels#SOFT_MIN}. */
    static void softMin(StridedView cost, StridedView potential, StridedView dst, double epsilon) {
        check("softMin", potential, dst);
        if (cost.dtype() != potential.dtype()) {
            throw new IllegalArgumentException("softMin kernels take views of one dtype, got " + cost.dtype() + " beside " + potential.dtype());
        }
        int cr = cost.rank();
        long rows = cost.shape()[cr - 2];
        long m = cost.shape()[cr - 1];
        long rowStride = cost.strides()[cr - 2];
        long elementStride = cost.strides()[cr - 1];
        long batches = dst.size() / Math.max(1, rows);
        long costStride = cr == 2 ? 0 : rows * m;   // both accepted layouts are dense
        MemorySegment c = cost.storage().segment();
        MemorySegment h = potential.storage().segment();
        MemorySegment o = dst.storage().segment();
        long co = cost.offset();
        long ho = potential.offset();
        long oo = dst.offset();
        boolean f32 = cost.dtype() == DType.F32;
        int cost8 = (int) Math.min(1 << 20, 8 * m + 1);
        if (m > 1 && elementStride != 1) {
            // a transposed cost: adjacent rows are adjacent in memory, so a vector of rows walks down the elements
            if (rowStride != 1 && rows > 1) {
                throw new IllegalArgumentException("softMin kernels take a cost whose rows or columns are dense, got strides "
                        + java.util.Arrays.toString(cost.strides()));
            }
            int width = f32 ? F.length() : D.length();
            long strips = (rows + width - 1) / width;
            Parallel.forRange(batches * strips, cost8 * width, (start, end) -> {
                for (long s = start; s < end; s++) {
                    long b = s / strips;
                    long r0 = (s - b * strips) * width;
                    long base = co + b * costStride;
                    long hb = ho + b * m;
                    long ob = oo + b * rows;
                    if (r0 + width <= rows) {
                        if (f32) {
                            columnsF32(c, base + r0, elementStride, h, hb, m, (float) (1 / epsilon), epsilon, o, ob + r0);
                        } else {
                            columnsF64(c, base + r0, elementStride, h, hb, m, 1 / epsilon, epsilon, o, ob + r0);
                        }
                    } else {
                        for (long r = r0; r < rows; r++) {
                            double v = rowScalar(c, f32, base + r, elementStride, h, hb, m, 1 / epsilon, epsilon);
                            if (f32) {
                                o.setAtIndex(F32, ob + r, (float) v);
                            } else {
                                o.setAtIndex(F64, ob + r, v);
                            }
                        }
                    }
                }
            });
            return;
        }
        Parallel.forRange(batches * rows, cost8, (start, end) -> {
            for (long r = start; r < end; r++) {
                long b = r / rows;
                long i = r - b * rows;
                long row = co + b * costStride + i * rowStride;
                long hb = ho + b * m;
                if (f32) {
                    o.setAtIndex(F32, oo + r, (float) rowF32(c, row, h, hb, m, (float) (1 / epsilon), epsilon));
                } else {
                    o.setAtIndex(F64, oo + r, rowF64(c, row, h, hb, m, 1 / epsilon, epsilon));
                }
            }
        });
    }

    /** One row of {@code m} elements {@code stride} apart, in double (the few rows a vector strip does not cover). */
    private static double rowScalar(MemorySegment c, boolean f32, long row, long stride, MemorySegment h, long hb, long m,
                                    double inv, double epsilon) {
        double max = Double.NEGATIVE_INFINITY;
        for (long k = 0; k < m; k++) {
            max = Math.max(max, (get(h, f32, hb + k) - get(c, f32, row + k * stride)) * inv);
        }
        double shift = Double.isFinite(max) ? max : 0;
        double sum = 0;
        for (long k = 0; k < m; k++) {
            sum += Math.exp((get(h, f32, hb + k) - get(c, f32, row + k * stride)) * inv - shift);
        }
        return finish(shift, sum, epsilon);
    }

    private static double get(MemorySegment s, boolean f32, long index) {
        return f32 ? s.getAtIndex(F32, index) : s.getAtIndex(F64, index);
    }

    /** A vector of adjacent rows starting at {@code first}, whose k-th elements lie {@code stride} apart. */
    private static void columnsF64(MemorySegment c, long first, long stride, MemorySegment h, long hb, long m, double inv,
                                   double epsilon, MemorySegment o, long ob) {
        DoubleVector mv = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);
        for (long k = 0; k < m; k++) {
            mv = mv.max(loadD(c, first + k * stride).neg().add(h.getAtIndex(F64, hb + k)).mul(inv));
        }
        DoubleVector shift = DoubleVector.zero(D).blend(mv, mv.test(VectorOperators.IS_FINITE));
        DoubleVector acc = DoubleVector.zero(D);
        for (long k = 0; k < m; k++) {
            acc = acc.add(loadD(c, first + k * stride).neg().add(h.getAtIndex(F64, hb + k)).mul(inv).sub(shift)
                    .lanewise(VectorOperators.EXP));
        }
        shift.add(acc.lanewise(VectorOperators.LOG)).mul(-epsilon).intoMemorySegment(o, ob * Double.BYTES, NATIVE);
    }

    /** {@link #columnsF64} in float, the sums in float blocks of at most {@value #BLOCK} added in double. */
    private static void columnsF32(MemorySegment c, long first, long stride, MemorySegment h, long hb, long m, float inv,
                                   double epsilon, MemorySegment o, long ob) {
        FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (long k = 0; k < m; k++) {
            mv = mv.max(loadF(c, first + k * stride).neg().add(h.getAtIndex(F32, hb + k)).mul(inv));
        }
        FloatVector shift = FloatVector.zero(F).blend(mv, mv.test(VectorOperators.IS_FINITE));
        double[] total = new double[F.length()];
        long k = 0;
        while (k < m) {
            long blockEnd = Math.min(m, k + BLOCK);
            FloatVector acc = FloatVector.zero(F);
            for (; k < blockEnd; k++) {
                acc = acc.add(loadF(c, first + k * stride).neg().add(h.getAtIndex(F32, hb + k)).mul(inv).sub(shift)
                        .lanewise(VectorOperators.EXP));
            }
            for (int l = 0; l < total.length; l++) {
                total[l] += acc.lane(l);
            }
        }
        for (int l = 0; l < total.length; l++) {
            o.setAtIndex(F32, ob + l, (float) finish(shift.lane(l), total[l], epsilon));
        }
    }

    private static double finish(double max, double sum, double epsilon) {
        return -epsilon * (max + Math.log(sum));
    }

    private static double rowF64(MemorySegment c, long row, MemorySegment h, long hb, long m, double inv, double epsilon) {
        DoubleVector iv = DoubleVector.broadcast(D, inv);
        long bound = D.loopBound(m);
        DoubleVector mv = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);
        long j = 0;
        for (; j < bound; j += D.length()) {
            mv = mv.max(loadD(h, hb + j).sub(loadD(c, row + j)).mul(iv));
        }
        double max = mv.reduceLanes(VectorOperators.MAX);
        for (; j < m; j++) {
            max = Math.max(max, (h.getAtIndex(F64, hb + j) - c.getAtIndex(F64, row + j)) * inv);
        }
        double shift = Double.isFinite(max) ? max : 0;
        DoubleVector sv = DoubleVector.broadcast(D, shift);
        DoubleVector acc = DoubleVector.zero(D);
        for (j = 0; j < bound; j += D.length()) {
            acc = acc.add(loadD(h, hb + j).sub(loadD(c, row + j)).mul(iv).sub(sv).lanewise(VectorOperators.EXP));
        }
        double sum = acc.reduceLanes(VectorOperators.ADD);
        for (; j < m; j++) {
            sum += Math.exp((h.getAtIndex(F64, hb + j) - c.getAtIndex(F64, row + j)) * inv - shift);
        }
        return finish(shift, sum, epsilon);
    }

    private static double rowF32(MemorySegment c, long row, MemorySegment h, long hb, long m, float inv, double epsilon) {
        FloatVector iv = FloatVector.broadcast(F, inv);
        long bound = F.loopBound(m);
        FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        long j = 0;
        for (; j < bound; j += F.length()) {
            mv = mv.max(loadF(h, hb + j).sub(loadF(c, row + j)).mul(iv));
        }
        float max = mv.reduceLanes(VectorOperators.MAX);
        for (; j < m; j++) {
            max = Math.max(max, (h.getAtIndex(F32, hb + j) - c.getAtIndex(F32, row + j)) * inv);
        }
        float shift = Float.isFinite(max) ? max : 0;
        FloatVector sv = FloatVector.broadcast(F, shift);
        double sum = 0;
        j = 0;
        while (j < bound) {
            long blockEnd = Math.min(bound, j + BLOCK);
            FloatVector acc = FloatVector.zero(F);
            for (; j < blockEnd; j += F.length()) {
                acc = acc.add(loadF(h, hb + j).sub(loadF(c, row + j)).mul(iv).sub(sv).lanewise(VectorOperators.EXP));
            }
            sum += acc.reduceLanes(VectorOperators.ADD);
        }
        for (; j < m; j++) {
            sum += (float) Math.exp((h.getAtIndex(F32, hb + j) - c.getAtIndex(F32, row + j)) * inv - shift);
        }
        return finish(shift, sum, epsilon);
    }

    /** See {@link Kernels#SOFT_MIN_SQUARED_DISTANCES}. */
    static void softMinSquaredDistances(StridedView x, StridedView y, StridedView potential, StridedView dst, double epsilon) {
        check("softMinSquaredDistances", x, y, potential, dst);
        int xr = x.rank();
        long n = x.shape()[xr - 2];
        int dim = (int) x.shape()[xr - 1];
        long m = y.shape()[y.rank() - 2];
        long batches = dst.size() / Math.max(1, n);
        boolean xShared = xr == 2;
        boolean yShared = y.rank() == 2;
        boolean f32 = x.dtype() == DType.F32;
        MemorySegment xs = x.storage().segment();
        MemorySegment ys = y.storage().segment();
        MemorySegment h = potential.storage().segment();
        MemorySegment o = dst.storage().segment();
        long yBatches = yShared ? 1 : batches;
        // y transposed per batch, [d][m] on the heap, so that the inner loop over j reads each coordinate densely
        double[][][] yd = f32 ? null : new double[(int) yBatches][dim][(int) m];
        float[][][] yf = f32 ? new float[(int) yBatches][dim][(int) m] : null;
        for (int b = 0; b < yBatches; b++) {
            long base = y.offset() + b * m * dim;
            for (int j = 0; j < m; j++) {
                for (int k = 0; k < dim; k++) {
                    if (f32) {
                        yf[b][k][j] = ys.getAtIndex(F32, base + (long) j * dim + k);
                    } else {
                        yd[b][k][j] = ys.getAtIndex(F64, base + (long) j * dim + k);
                    }
                }
            }
        }
        long xo = x.offset();
        long ho = potential.offset();
        long oo = dst.offset();
        Parallel.forRange(batches * n, (int) Math.min(1 << 20, (8 + 2L * dim) * m + 1), (start, end) -> {
            double[] px = new double[dim];
            float[] pxf = new float[dim];
            for (long r = start; r < end; r++) {
                long b = r / n;
                long i = r - b * n;
                long xRow = xo + (xShared ? i : r) * dim;
                int yb = yShared ? 0 : (int) b;
                if (f32) {
                    for (int k = 0; k < dim; k++) {
                        pxf[k] = xs.getAtIndex(F32, xRow + k);
                    }
                    o.setAtIndex(F32, oo + r, (float) pointsRowF32(pxf, yf[yb], h, ho + b * m, (int) m, (float) (1 / epsilon), epsilon));
                } else {
                    for (int k = 0; k < dim; k++) {
                        px[k] = xs.getAtIndex(F64, xRow + k);
                    }
                    o.setAtIndex(F64, oo + r, pointsRowF64(px, yd[yb], h, ho + b * m, (int) m, 1 / epsilon, epsilon));
                }
            }
        });
    }

    private static DoubleVector exponentD(double[] px, double[][] yt, MemorySegment h, long hb, int j, DoubleVector iv) {
        DoubleVector dist = DoubleVector.zero(D);
        for (int k = 0; k < px.length; k++) {
            DoubleVector diff = DoubleVector.fromArray(D, yt[k], j).sub(px[k]);
            dist = diff.fma(diff, dist);
        }
        return loadD(h, hb + j).sub(dist).mul(iv);
    }

    private static double exponentD(double[] px, double[][] yt, MemorySegment h, long hb, int j, double inv) {
        double dist = 0;
        for (int k = 0; k < px.length; k++) {
            double diff = yt[k][j] - px[k];
            dist = Math.fma(diff, diff, dist);
        }
        return (h.getAtIndex(F64, hb + j) - dist) * inv;
    }

    private static double pointsRowF64(double[] px, double[][] yt, MemorySegment h, long hb, int m, double inv, double epsilon) {
        DoubleVector iv = DoubleVector.broadcast(D, inv);
        int bound = D.loopBound(m);
        DoubleVector mv = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);
        int j = 0;
        for (; j < bound; j += D.length()) {
            mv = mv.max(exponentD(px, yt, h, hb, j, iv));
        }
        double max = mv.reduceLanes(VectorOperators.MAX);
        for (; j < m; j++) {
            max = Math.max(max, exponentD(px, yt, h, hb, j, inv));
        }
        double shift = Double.isFinite(max) ? max : 0;
        DoubleVector acc = DoubleVector.zero(D);
        for (j = 0; j < bound; j += D.length()) {
            acc = acc.add(exponentD(px, yt, h, hb, j, iv).sub(shift).lanewise(VectorOperators.EXP));
        }
        double sum = acc.reduceLanes(VectorOperators.ADD);
        for (; j < m; j++) {
            sum += Math.exp(exponentD(px, yt, h, hb, j, inv) - shift);
        }
        return finish(shift, sum, epsilon);
    }

    private static FloatVector exponentF(float[] px, float[][] yt, MemorySegment h, long hb, int j, FloatVector iv) {
        FloatVector dist = FloatVector.zero(F);
        for (int k = 0; k < px.length; k++) {
            FloatVector diff = FloatVector.fromArray(F, yt[k], j).sub(px[k]);
            dist = diff.fma(diff, dist);
        }
        return loadF(h, hb + j).sub(dist).mul(iv);
    }

    private static float exponentF(float[] px, float[][] yt, MemorySegment h, long hb, int j, float inv) {
        float dist = 0;
        for (int k = 0; k < px.length; k++) {
            float diff = yt[k][j] - px[k];
            dist = Math.fma(diff, diff, dist);
        }
        return (h.getAtIndex(F32, hb + j) - dist) * inv;
    }

    private static double pointsRowF32(float[] px, float[][] yt, MemorySegment h, long hb, int m, float inv, double epsilon) {
        FloatVector iv = FloatVector.broadcast(F, inv);
        int bound = F.loopBound(m);
        FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j < bound; j += F.length()) {
            mv = mv.max(exponentF(px, yt, h, hb, j, iv));
        }
        float max = mv.reduceLanes(VectorOperators.MAX);
        for (; j < m; j++) {
            max = Math.max(max, exponentF(px, yt, h, hb, j, inv));
        }
        float shift = Float.isFinite(max) ? max : 0;
        double sum = 0;
        j = 0;
        while (j < bound) {
            int blockEnd = Math.min(bound, j + BLOCK);
            FloatVector acc = FloatVector.zero(F);
            for (; j < blockEnd; j += F.length()) {
                acc = acc.add(exponentF(px, yt, h, hb, j, iv).sub(shift).lanewise(VectorOperators.EXP));
            }
            sum += acc.reduceLanes(VectorOperators.ADD);
        }
        for (; j < m; j++) {
            sum += (float) Math.exp(exponentF(px, yt, h, hb, j, inv) - shift);
        }
        return finish(shift, sum, epsilon);
    }

    private static DoubleVector loadD(MemorySegment s, long element) {
        return DoubleVector.fromMemorySegment(D, s, element * Double.BYTES, NATIVE);
    }

    private static FloatVector loadF(MemorySegment s, long element) {
        return FloatVector.fromMemorySegment(F, s, element * Float.BYTES, NATIVE);
    }
}
