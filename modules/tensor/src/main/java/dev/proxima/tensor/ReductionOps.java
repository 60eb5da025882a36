package dev.proxima.tensor;

import dev.proxima.tensor.spi.Kernels;
import dev.proxima.tensor.spi.ReduceOp;
import dev.proxima.tensor.spi.StridedView;

import java.util.Arrays;

/**
 * The reduction family: sum, prod, mean, max, min, argmax/argmin and the vector norms over any set of axes, with
 * or without kept dimensions — the result dtype rule, the kernel ({@link Kernels#REDUCE}), the derivative and the
 * explicit-output forms used by {@link Into}.
 *
 * <p>Dtype rules: sum and prod of integers and BOOL give I64; mean and the norms of integers give F64; max/min keep
 * the dtype; argmax/argmin give I64. F16/BF16 are read as F32 and the result rounded once.
 *
 * <p>Accuracy and reproducibility (see {@code internal.Reduce}): floating sums and means are pairwise and compensated
 * (within an ulp or two of the exact sum unless the terms cancel far below their magnitude) and bit-identical for every thread count, JIT tier and
 * data alignment. Integer sums wrap in 64 bits like NumPy's int64 accumulator; integer means sum exactly and round
 * once. U8 (like every integer and BOOL) sums and products give I64 where NumPy gives uint64: the core has no
 * unsigned 64-bit type, a U8 sum cannot reach 2^63 (that takes more than 3.6e16 elements), and a product that
 * wraps has NumPy's uint64 bits read as signed.
 *
 * <p>The nan-reductions (nansum, nanmean, nanmax, nanmin) skip NaN elements as NumPy's do: an all-NaN slice gives 0
 * (nansum) or NaN (nanmean, nanmax, nanmin); their gradient is 0 at NaN positions.
 */
final class ReductionOps {

    private ReductionOps() {
    }

    /** The result dtype of {@code op} on {@code t}. */
    static DType resultType(ReduceOp op, DType t) {
        return switch (op) {
            case SUM, PROD, NAN_SUM -> t.isFloating() ? t : DType.I64;
            case MAX, MIN, NAN_MAX, NAN_MIN -> t;
            case ARGMAX, ARGMIN -> DType.I64;
            case SUM_SQUARES, SUM_ABS, MAX_ABS, MIN_ABS, COUNT_NONZERO -> DType.floating(t);
        };
    }

    /** The normalised, sorted axes and the result shape of reducing {@code shape} over {@code axes}. */
    private record Plan(int[] axes, long[] kept, long[] keptDims, long count) {

        static Plan of(ReduceOp op, long[] shape, int[] axes) {
            int[] ax = Shapes.axes(axes, shape.length);
            boolean[] reduced = new boolean[shape.length];
            long count = 1;
            for (int a : ax) {
                reduced[a] = true;
                count *= shape[a];
            }
            if (count == 0 && (op == ReduceOp.MAX || op == ReduceOp.MIN || op == ReduceOp.MAX_ABS || op == ReduceOp.MIN_ABS
                    || op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN || op == ReduceOp.NAN_MAX || op == ReduceOp.NAN_MIN)) {
                throw new IllegalArgumentException(op.name().toLowerCase() + " of an empty extent has no identity: shape "
                        + Shapes.str(shape) + ", axes " + Arrays.toString(ax));
            }
            long[] kept = new long[shape.length - ax.length];
            long[] keptDims = new long[shape.length];
            for (int d = 0, k = 0; d < shape.length; d++) {
                if (!reduced[d]) {
                    kept[k++] = shape[d];
                }
                keptDims[d] = reduced[d] ? 1 : shape[d];
            }
            return new Plan(ax, kept, keptDims, count);
        }

        long[] shape(boolean keepDims) {
            return keepDims ? keptDims : kept;
        }
    }

    /** {@code op} of {@code self} over {@code axes} (all if empty), with its default result dtype. */
    static Tensor reduce(Tensor self, ReduceOp op, int[] axes, boolean keepDims) {
        return reduce(self, op, axes, keepDims, resultType(op, self.dtype));
    }

    /** {@code op} of {@code self} over {@code axes}, stored as {@code result}. */
    static Tensor reduce(Tensor self, ReduceOp op, int[] axes, boolean keepDims, DType result) {
        self.live();
        Plan plan = Plan.of(op, self.shape, axes);
        DType compute = (op == ReduceOp.SUM_SQUARES || op == ReduceOp.SUM_ABS || op == ReduceOp.MAX_ABS || op == ReduceOp.MIN_ABS
                || op == ReduceOp.COUNT_NONZERO ? DType.floating(self.dtype) : self.dtype).kernelType();
        try (Tensor in = compute == self.dtype ? null : self.cast(compute, false)) {
            Tensor src = in == null ? self : in;
            Tensor out = Tensor.allocate(result, plan.shape(keepDims), self.device(), true);
            Ops.run(out, Kernels.REDUCE, new Kernels.Reduction(op, plan.axes), src.kernelView(), flat(out, plan, keepDims));
            if (result.isFloating() && src.dtype.isFloating()) {
                GradNode.record(out, op.name().toLowerCase(), new Tensor[]{src}, src, rule(op, plan.axes, keepDims));
            }
            return out;
        }
    }

    /** out's memory seen with the kept dimensions only (what the kernel writes). */
    private static StridedView flat(Tensor out, Plan plan, boolean keepDims) {
        if (!keepDims) {
            return out.kernelView();
        }
        boolean[] reduced = new boolean[out.shape.length];
        for (int a : plan.axes) {
            reduced[a] = true;
        }
        long[] st = new long[plan.kept.length];
        for (int d = 0, k = 0; d < out.shape.length; d++) {
            if (!reduced[d]) {
                st[k++] = out.strides[d];
            }
        }
        return new StridedView(out.storage, out.dtype, plan.kept, st, out.offset);
    }

    /** argmax/argmin of the flattened tensor. */
    static Tensor argReduce(Tensor self, ReduceOp op) {
        try (Tensor flat = self.reshape(-1)) {
            Tensor.disown(flat);
            return argReduce(flat, op, 0, false);
        }
    }

    /** argmax/argmin along one axis (I64). */
    static Tensor argReduce(Tensor self, ReduceOp op, int axis, boolean keepDims) {
        return reduce(self, op, new int[]{Shapes.axis(axis, self.shape.length)}, keepDims, DType.I64);
    }

    /** The arithmetic mean over {@code axes}: summed in F64 (integers and floats alike), then stored floating. */
    static Tensor mean(Tensor self, int[] axes, boolean keepDims) {
        self.live();
        long count = Plan.of(ReduceOp.SUM, self.shape, axes).count;
        try (Tensor sum = reduce(self, ReduceOp.SUM, axes, keepDims, DType.F64)) {
            Tensor.disown(sum);
            try (Tensor m = sum.div((double) count)) {
                Tensor.disown(m);
                return m.cast(DType.floating(self.dtype));
            }
        }
    }

    /**
     * The mean of the elements that are not NaN over {@code axes}: their sum (in F64) over their count; NaN where
     * all are NaN (0/0), like {@code numpy.nanmean}. Integers have no NaN: their nanmean is their mean.
     */
    static Tensor nanMean(Tensor self, int[] axes, boolean keepDims) {
        self.live();
        if (!self.dtype.isFloating()) {
            return mean(self, axes, keepDims);
        }
        // an all-NaN slice: NaN by choice rather than 0/0, so that its gradient is 0 and not NaN
        try (Tensor sum = reduce(self, ReduceOp.NAN_SUM, axes, keepDims, DType.F64);
             Tensor present = self.eq(self);
             Tensor count = present.sum(axes, keepDims);
             Tensor none = count.eq(0);
             Tensor divisor = count.maximum(1);
             Tensor nan = Tensor.scalar(Double.NaN, DType.F64, self.device());
             Tensor quotient = sum.div(divisor);
             Tensor m = Tensor.where(none, nan, quotient)) {
            for (Tensor t : new Tensor[]{sum, present, count, none, divisor, nan, quotient, m}) {
                Tensor.disown(t);
            }
            return m.cast(self.dtype);
        }
    }

    /** The vector p-norm over {@code axes}, like {@code numpy.linalg.norm} for vectors. */
    static Tensor norm(Tensor self, double ord, int[] axes, boolean keepDims) {
        if (Double.isNaN(ord)) {
            throw new IllegalArgumentException("norm order must not be NaN");
        }
        if (ord == 2) {
            try (Tensor ss = reduce(self, ReduceOp.SUM_SQUARES, axes, keepDims)) {
                Tensor.disown(ss);
                return ss.sqrt();
            }
        }
        if (ord == 1 || ord == 0 || Double.isInfinite(ord)) {
            ReduceOp op = ord == 1 ? ReduceOp.SUM_ABS : ord == 0 ? ReduceOp.COUNT_NONZERO
                    : ord > 0 ? ReduceOp.MAX_ABS : ReduceOp.MIN_ABS;
            return reduce(self, op, axes, keepDims);
        }
        // |x|^p in floating point: an integer tensor would wrap (I8: 6^3) or reject p < 0
        DType f = DType.floating(self.dtype);
        try (Tensor x = f == self.dtype ? null : self.cast(f, false); Tensor a = (x == null ? self : x).abs();
             Tensor p = a.pow(ord); Tensor s = p.sum(axes, keepDims)) {
            Tensor.disown(a);
            Tensor.disown(p);
            Tensor.disown(s);
            return s.pow(1 / ord);
        }
    }

    // ------------------------------------------------------------------ explicit outputs

    /** {@code out := sum of x over axes}, without allocating (unless x needs a dtype conversion first). */
    static Tensor sumInto(Tensor x, int[] axes, boolean keepDims, Tensor out) {
        x.live();
        Plan plan = Plan.of(ReduceOp.SUM, x.shape, axes);
        DType result = resultType(ReduceOp.SUM, x.dtype);
        Into.checkSeparate("sum", out, result, plan.shape(keepDims), x);
        StridedView dst = flat(out, plan, keepDims);
        if (!dst.isContiguous()) {
            try (Tensor r = reduce(x, ReduceOp.SUM, axes, keepDims)) {
                Tensor.disown(r);
                return ElementwiseOps.copyInto(r, out);
            }
        }
        return Ops.write(out, Kernels.REDUCE, new Kernels.Reduction(ReduceOp.SUM, plan.axes), x.kernelView(), dst);
    }

    /** {@code out := mean of x over axes}: summed into out, then scaled in place. */
    static Tensor meanInto(Tensor x, int[] axes, boolean keepDims, Tensor out) {
        x.live();
        Plan plan = Plan.of(ReduceOp.SUM, x.shape, axes);
        DType result = DType.floating(x.dtype);
        Into.checkSeparate("mean", out, result, plan.shape(keepDims), x);
        StridedView dst = flat(out, plan, keepDims);
        if (result != x.dtype || x.dtype.isHalf() || x.dtype == DType.F32 || !dst.isContiguous()) {
            // accumulate in F64 as mean does, then round once into out
            try (Tensor r = mean(x, axes, keepDims)) {
                Tensor.disown(r);
                return ElementwiseOps.copyInto(r, out);
            }
        }
        Ops.write(out, Kernels.REDUCE, new Kernels.Reduction(ReduceOp.SUM, plan.axes), x.kernelView(), dst);
        return ElementwiseOps.binaryInto(dev.proxima.tensor.spi.BinaryOp.DIV, out, (double) plan.count, out);
    }

    // ------------------------------------------------------------------ derivatives

    /** The gradient of a reduction: broadcast back over the reduced axes, times the local derivative. */
    private static GradNode.Rule1 rule(ReduceOp op, int[] axes, boolean keepDims) {
        return (g, a, needs) -> {
            long[] shape = a.shape();
            Tensor gk = keepDims ? g : unsqueezeAll(g, axes);
            Tensor gb = gk.broadcastTo(shape);
            Tensor r = switch (op) {
                case SUM -> gb;
                case NAN_SUM -> gb.mul(a.eq(a).cast(g.dtype()));
                case NAN_MAX, NAN_MIN -> {
                    // the elements equal to the extreme share g (NaN equals nothing); an all-NaN slice gets 0
                    Tensor extreme = reduce(a, op, axes, true);
                    Tensor mask = a.eq(extreme).cast(g.dtype());
                    yield gb.mul(mask).div(mask.sum(axes, true).maximum(1));
                }
                case SUM_SQUARES -> gb.mul(a).mul(2);
                case SUM_ABS -> gb.mul(a.sign());
                case PROD -> prodGrad(gb, a, axes);
                case MAX, MIN, MAX_ABS, MIN_ABS -> {
                    Tensor x = op == ReduceOp.MAX || op == ReduceOp.MIN ? a : a.abs();
                    Tensor extreme = op == ReduceOp.MAX || op == ReduceOp.MAX_ABS ? x.max(axes, true) : x.min(axes, true);
                    Tensor mask = x.eq(extreme).cast(g.dtype());
                    Tensor share = gb.mul(mask).div(mask.sum(axes, true));
                    yield op == ReduceOp.MAX_ABS || op == ReduceOp.MIN_ABS ? share.mul(a.sign()) : share;
                }
                case COUNT_NONZERO, ARGMAX, ARGMIN -> null;
            };
            return new Tensor[]{r};
        };
    }

    /** ∂(Π x)/∂xᵢ = Π_{j≠i} xⱼ, computed without dividing by zero. */
    private static Tensor prodGrad(Tensor gb, Tensor a, int[] axes) {
        Tensor isZero = a.eq(0);
        Tensor one = Tensor.scalar(1, a.dtype(), a.device());
        Tensor nonZero = Tensor.where(isZero, one, a);
        Tensor prodNonZero = nonZero.prod(axes, true);
        Tensor zeros = isZero.cast(a.dtype()).sum(axes, true);
        // no zero in the group: P / xᵢ; exactly one zero: P (of the others) at the zero, 0 elsewhere; more: 0
        Tensor none = prodNonZero.div(nonZero);
        Tensor single = Tensor.where(isZero, prodNonZero, Tensor.scalar(0, a.dtype(), a.device()));
        Tensor local = Tensor.where(zeros.eq(0), none, Tensor.where(zeros.eq(1), single, Tensor.scalar(0, a.dtype(), a.device())));
        return gb.mul(local);
    }

    private static Tensor unsqueezeAll(Tensor g, int[] sortedAxes) {
        Tensor t = g;
        for (int axis : sortedAxes) {
            t = t.unsqueeze(axis);
        }
        return t;
    }
}
