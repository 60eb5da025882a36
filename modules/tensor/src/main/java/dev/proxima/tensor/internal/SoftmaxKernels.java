package dev.proxima.tensor.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.SoftmaxOp;
import dev.proxima.tensor.spi.StridedView;

import java.lang.foreign.MemorySegment;

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
 * over the other dimensions, and run (in {@link SoftmaxF32} and {@link SoftmaxF64}, the former generated from the
 * latter) in one of three shapes:
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

    /** Exponentials per block of a lane's sum (see the class comment). */
    static final int BLOCK = 1024;

    private SoftmaxKernels() {
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
            loop.run(base, cost, (off, inner, lanes) -> SoftmaxF32.rows(op, s, off[0], inner[0], sa, d, off[1], inner[1], da, lanes, n));
        } else {
            loop.run(base, cost, (off, inner, lanes) -> SoftmaxF64.rows(op, s, off[0], inner[0], sa, d, off[1], inner[1], da, lanes, n));
        }
    }

    /** One lane of any strides, in double. */
    static void laneScalar(SoftmaxOp op, DType t, MemorySegment s, long so, long sa, MemorySegment d, long dof, long da, long n) {
        double m = Double.NEGATIVE_INFINITY;
        for (long k = 0; k < n; k++) {
            m = Math.max(m, ElementAccess.getDouble(s, t, so + k * sa));
        }
        double shift = SoftmaxF64.shift(op, m);
        double sum = 0;
        for (long k = 0; k < n; k++) {
            sum += Math.exp(ElementAccess.getDouble(s, t, so + k * sa) - shift);
        }
        switch (op) {
            case SOFTMAX -> {
                double inv = 1 / sum;
                for (long k = 0; k < n; k++) {
                    ElementAccess.setDouble(d, t, dof + k * da, Math.exp(ElementAccess.getDouble(s, t, so + k * sa) - shift) * inv);
                }
            }
            case LOG_SOFTMAX -> {
                double logSum = Math.log(sum);
                for (long k = 0; k < n; k++) {
                    ElementAccess.setDouble(d, t, dof + k * da, ElementAccess.getDouble(s, t, so + k * sa) - shift - logSum);
                }
            }
            case LOGSUMEXP -> ElementAccess.setDouble(d, t, dof, shift + Math.log(sum));
        }
    }
}
