package dev.proxima.testkit;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;

/**
 * Plain-Java reference computations for {@link BackendContract}: row-major arrays of doubles with explicit
 * shapes, written from the definitions (NumPy's broadcasting and {@code matmul} rules, reductions over
 * axes, the softmax family), never through a Proxima kernel.
 */
final class Reference {

    /** Values in row-major order and their shape. */
    record Array(double[] values, long[] shape) {
    }

    private Reference() {
    }

    static int size(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    /** The multi-index of row-major flat index {@code flat} in {@code shape}. */
    static long[] unravel(long flat, long[] shape) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    /** NumPy's broadcast shape of {@code a} and {@code b}. */
    static long[] broadcastShape(long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int d = 0; d < r; d++) {
            long x = d - (r - a.length) >= 0 ? a[d - (r - a.length)] : 1;
            long y = d - (r - b.length) >= 0 ? b[d - (r - b.length)] : 1;
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            }
            out[d] = x == 1 ? y : x;
        }
        return out;
    }

    /** The flat index into an operand of shape {@code shape} read at multi-index {@code idx} of a broadcast result. */
    static int broadcastIndex(long[] idx, long[] shape) {
        int lead = idx.length - shape.length;
        long flat = 0;
        for (int d = 0; d < shape.length; d++) {
            flat = flat * shape[d] + (shape[d] == 1 ? 0 : idx[lead + d]);
        }
        return (int) flat;
    }

    /** {@code f(a, b)} elementwise with broadcasting. */
    static Array map(double[] a, long[] as, double[] b, long[] bs, DoubleBinaryOperator f) {
        long[] out = broadcastShape(as, bs);
        double[] v = new double[size(out)];
        for (int i = 0; i < v.length; i++) {
            long[] idx = unravel(i, out);
            v[i] = f.applyAsDouble(a[broadcastIndex(idx, as)], b[broadcastIndex(idx, bs)]);
        }
        return new Array(v, out);
    }

    /** The operand {@code x} of shape {@code shape} broadcast to {@code target}, as a dense array. */
    static double[] expand(double[] x, long[] shape, long[] target) {
        double[] v = new double[size(target)];
        for (int i = 0; i < v.length; i++) {
            v[i] = x[broadcastIndex(unravel(i, target), shape)];
        }
        return v;
    }

    /** Axes normalised to [0, rank), all axes when none are given. */
    static boolean[] reducedAxes(int[] axes, int rank) {
        boolean[] reduced = new boolean[rank];
        if (axes.length == 0) {
            Arrays.fill(reduced, true);
        }
        for (int a : axes) {
            reduced[a < 0 ? a + rank : a] = true;
        }
        return reduced;
    }

    /** The shape of a reduction's result. */
    static long[] reducedShape(long[] shape, boolean[] reduced, boolean keepDims) {
        long[] out = new long[shape.length];
        int k = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!reduced[d]) {
                out[k++] = shape[d];
            } else if (keepDims) {
                out[k++] = 1;
            }
        }
        return Arrays.copyOf(out, k);
    }

    /** The flat index of input element {@code idx} in the (non-keepDims) result of a reduction. */
    static int reducedIndex(long[] idx, long[] shape, boolean[] reduced) {
        long flat = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!reduced[d]) {
                flat = flat * shape[d] + idx[d];
            }
        }
        return (int) flat;
    }

    /** A fold of {@code x} over {@code axes} (all if empty) starting from {@code init}, in row-major order. */
    static Array reduce(double[] x, long[] shape, int[] axes, boolean keepDims, double init, DoubleBinaryOperator op) {
        boolean[] reduced = reducedAxes(axes, shape.length);
        long[] out = reducedShape(shape, reduced, keepDims);
        double[] acc = new double[size(out)];
        Arrays.fill(acc, init);
        for (int i = 0; i < x.length; i++) {
            int o = reducedIndex(unravel(i, shape), shape, reduced);
            acc[o] = op.applyAsDouble(acc[o], x[i]);
        }
        return new Array(acc, out);
    }

    /** The number of elements each output of a reduction over {@code axes} combines. */
    static int count(long[] shape, int[] axes) {
        boolean[] reduced = reducedAxes(axes, shape.length);
        long n = 1;
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d]) {
                n *= shape[d];
            }
        }
        return Math.toIntExact(n);
    }

    /** The position along {@code axis} of the first maximum ({@code max}) or minimum of each lane. */
    static Array argReduce(double[] x, long[] shape, int axis, boolean keepDims, boolean max) {
        int a = axis < 0 ? axis + shape.length : axis;
        boolean[] reduced = new boolean[shape.length];
        reduced[a] = true;
        long[] out = reducedShape(shape, reduced, keepDims);
        double[] best = new double[size(out)];
        double[] at = new double[best.length];
        Arrays.fill(at, -1);
        for (int i = 0; i < x.length; i++) {
            long[] idx = unravel(i, shape);
            int o = reducedIndex(idx, shape, reduced);
            if (at[o] < 0 || (max ? x[i] > best[o] : x[i] < best[o])) { // strict: the first extreme wins
                best[o] = x[i];
                at[o] = idx[a];
            }
        }
        return new Array(at, out);
    }

    /** The index of the first maximum (or minimum) of all elements in row-major order. */
    static int argReduceAll(double[] x, boolean max) {
        int at = 0;
        for (int i = 1; i < x.length; i++) {
            if (max ? x[i] > x[at] : x[i] < x[at]) {
                at = i;
            }
        }
        return at;
    }

    /** The transpose of the last two dimensions of {@code x}. */
    static Array transposeLast(double[] x, long[] shape) {
        int r = shape.length;
        long[] out = shape.clone();
        out[r - 2] = shape[r - 1];
        out[r - 1] = shape[r - 2];
        double[] v = new double[x.length];
        for (int i = 0; i < v.length; i++) {
            long[] idx = unravel(i, out);
            long t = idx[r - 1];
            idx[r - 1] = idx[r - 2];
            idx[r - 2] = t;
            long flat = 0;
            for (int d = 0; d < r; d++) {
                flat = flat * shape[d] + idx[d];
            }
            v[i] = x[(int) flat];
        }
        return new Array(v, out);
    }

    /**
     * NumPy's {@code matmul}: a 1-D left operand is a row vector, a 1-D right operand a column vector (the
     * added dimension is dropped from the result), and leading batch dimensions broadcast.
     */
    static Array matmul(double[] a, long[] as, double[] b, long[] bs) {
        boolean rowVector = as.length == 1;
        boolean colVector = bs.length == 1;
        long[] a2 = rowVector ? new long[]{1, as[0]} : as;
        long[] b2 = colVector ? new long[]{bs[0], 1} : bs;
        int m = (int) a2[a2.length - 2];
        int k = (int) a2[a2.length - 1];
        int n = (int) b2[b2.length - 1];
        if (b2[b2.length - 2] != k) {
            throw new IllegalArgumentException("inner dimensions differ: " + Arrays.toString(as) + " @ " + Arrays.toString(bs));
        }
        long[] aBatch = Arrays.copyOf(a2, a2.length - 2);
        long[] bBatch = Arrays.copyOf(b2, b2.length - 2);
        long[] batch = broadcastShape(aBatch, bBatch);
        int batches = size(batch);
        double[] v = new double[batches * m * n];
        for (int p = 0; p < batches; p++) {
            long[] idx = unravel(p, batch);
            int ao = broadcastIndex(idx, aBatch) * m * k;
            int bo = broadcastIndex(idx, bBatch) * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) {
                        s += a[ao + i * k + q] * b[bo + q * n + j];
                    }
                    v[(p * m + i) * n + j] = s;
                }
            }
        }
        long[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = m;
        out[batch.length + 1] = n;
        if (rowVector || colVector) {
            long[] dropped = Arrays.copyOf(batch, batch.length + (rowVector && colVector ? 0 : 1));
            if (!(rowVector && colVector)) {
                dropped[batch.length] = rowVector ? n : m;
            }
            out = dropped;
        }
        return new Array(v, out);
    }

    /** Which member of the softmax family {@link #softmax} computes. */
    enum Softmax { SOFTMAX, LOG_SOFTMAX }

    /** softmax or log-softmax of each lane along {@code axis}, shifted by the lane's maximum. */
    static double[] softmax(double[] x, long[] shape, int axis, Softmax kind) {
        int a = axis < 0 ? axis + shape.length : axis;
        int len = (int) shape[a];
        int inner = 1;
        for (int d = a + 1; d < shape.length; d++) {
            inner *= (int) shape[d];
        }
        int outer = x.length / (len * inner);
        double[] v = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * len * inner + in;
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < len; j++) {
                    m = Math.max(m, x[base + j * inner]);
                }
                double s = 0;
                for (int j = 0; j < len; j++) {
                    s += Math.exp(x[base + j * inner] - m);
                }
                for (int j = 0; j < len; j++) {
                    double z = x[base + j * inner] - m;
                    v[base + j * inner] = kind == Softmax.SOFTMAX ? Math.exp(z) / s : z - Math.log(s);
                }
            }
        }
        return v;
    }

    /** log Σ exp over {@code axes} (all if empty), shifted by the maximum of each output's elements. */
    static Array logsumexp(double[] x, long[] shape, int[] axes, boolean keepDims) {
        Array max = reduce(x, shape, axes, false, Double.NEGATIVE_INFINITY, Math::max);
        boolean[] reduced = reducedAxes(axes, shape.length);
        double[] sum = new double[max.values().length];
        for (int i = 0; i < x.length; i++) {
            int o = reducedIndex(unravel(i, shape), shape, reduced);
            sum[o] += Math.exp(x[i] - max.values()[o]);
        }
        double[] v = new double[sum.length];
        for (int o = 0; o < v.length; o++) {
            v[o] = max.values()[o] + Math.log(sum[o]);
        }
        return new Array(v, reducedShape(shape, reduced, keepDims));
    }

    /**
     * erf x by its Maclaurin series 2/√π Σ (−1)ⁿ x²ⁿ⁺¹ / (n! (2n + 1)), summed until the terms vanish. For
     * |x| ≤ 2 no term exceeds 3.3 while the sum is at least |x|·0.44, so cancellation costs at most a few
     * ulp: accurate to about 1e−15.
     */
    static double erf(double x) {
        if (Math.abs(x) > 2) {
            throw new IllegalArgumentException("the reference erf is only accurate for |x| <= 2, got " + x);
        }
        double term = x;      // (−1)ⁿ x²ⁿ⁺¹ / n!
        double sum = x;
        for (int n = 1; n < 200; n++) {
            term *= -x * x / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    /** {@code v} rounded to F16 the way Proxima converts (to float, then to nearest even half). */
    static double toF16(double v) {
        return Float.float16ToFloat(Float.floatToFloat16((float) v));
    }

    /** {@code v} rounded to BF16: to float, then the top 16 bits rounded to nearest even; NaN stays NaN. */
    static double toBf16(double v) {
        float f = (float) v;
        if (Float.isNaN(f)) {
            return Double.NaN;
        }
        int bits = Float.floatToRawIntBits(f);
        int rounded = (bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000;
        return Float.intBitsToFloat(rounded);
    }
}
