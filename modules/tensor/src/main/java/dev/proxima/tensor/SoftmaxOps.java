package dev.proxima.tensor;

import dev.proxima.tensor.spi.Kernels;
import dev.proxima.tensor.spi.SoftmaxOp;

/**
 * The softmax family along an axis — softmax, log-softmax and logsumexp (over one axis, or several merged into one)
 * — computed stably by one fused kernel ({@link Kernels#SOFTMAX}), with derivatives written in tensor ops (so they
 * can be differentiated again; like every rule they recompute from the saved input instead of reading the output):
 * softmax {@code gx = y·(g − Σ g·y)}, log-softmax {@code gx = g − softmax(x)·Σ g}, logsumexp
 * {@code gx = g·softmax(x)}. Integers are computed in F64; F16/BF16 in F32, rounded once.
 */
final class SoftmaxOps {

    private SoftmaxOps() {
    }

    static Tensor logsumexp(Tensor self, int[] axes, boolean keepDims) {
        self.live();
        int[] ax = Shapes.axes(axes, self.shape.length);
        boolean[] reduced = new boolean[self.shape.length];
        long[] keptDims = self.shape.clone();
        long count = 1;
        for (int a : ax) {
            reduced[a] = true;
            keptDims[a] = 1;
            count *= self.shape[a];
        }
        long[] kept = new long[self.shape.length - ax.length];
        int[] perm = new int[self.shape.length];
        for (int d = 0, k = 0; d < self.shape.length; d++) {
            if (!reduced[d]) {
                kept[k] = self.shape[d];
                perm[k++] = d;
            }
        }
        System.arraycopy(ax, 0, perm, kept.length, ax.length);
        if (self.size() == 0) {
            Tensor lse = Tensor.full(Double.NEGATIVE_INFINITY, DType.floating(self.dtype), self.device(), keptDims);
            if (keepDims) {
                return lse;
            }
            try (Tensor t = lse) {
                Tensor.disown(t);
                return t.squeeze(ax);
            }
        }
        if (ax.length == 1 && keepDims) {
            try (Tensor lse = softmaxFamily(self, SoftmaxOp.LOGSUMEXP, ax[0])) {
                Tensor.disown(lse);
                return lse.unsqueeze(ax[0]);
            }
        }
        if (ax.length == 1) {
            return softmaxFamily(self, SoftmaxOp.LOGSUMEXP, ax[0]);
        }
        try (Scope scope = Scope.open()) {
            boolean identity = true;
            for (int d = 0; d < perm.length; d++) {
                identity &= perm[d] == d;
            }
            Tensor moved = identity ? self : self.permute(perm);
            Tensor merged = moved.reshape(Shapes.insert(kept, kept.length, count));
            Tensor lse = softmaxFamily(merged, SoftmaxOp.LOGSUMEXP, kept.length);
            return scope.keep(lse.reshape(keepDims ? keptDims : kept));
        }
    }

    static Tensor softmax(Tensor self, int axis) {
        self.live();
        int a = Shapes.axis(axis, self.shape.length);
        if (self.size() == 0) {
            return Tensor.allocate(DType.floating(self.dtype), self.shape, self.device(), true);
        }
        return softmaxFamily(self, SoftmaxOp.SOFTMAX, a);
    }

    static Tensor logSoftmax(Tensor self, int axis) {
        self.live();
        int a = Shapes.axis(axis, self.shape.length);
        if (self.size() == 0) {
            return Tensor.allocate(DType.floating(self.dtype), self.shape, self.device(), true);
        }
        return softmaxFamily(self, SoftmaxOp.LOG_SOFTMAX, a);
    }

    static Tensor softmaxFamily(Tensor self, SoftmaxOp op, int a) {
        if (!self.dtype.isFloating()) {
            try (Tensor wide = self.cast(DType.F64, false)) {
                return softmaxFamily(wide, op, a);
            }
        }
        if (self.dtype.isHalf()) {
            try (Tensor wide = self.cast(DType.F32, false)) {
                return softmaxFamily(wide, op, a).convertAndClose(self.dtype);
            }
        }
        Tensor out = Tensor.allocate(self.dtype, op == SoftmaxOp.LOGSUMEXP ? Shapes.remove(self.shape, a) : self.shape, self.device(), true);
        Ops.run(out, Kernels.SOFTMAX, new Kernels.Softmax(op, a), self.kernelView(), out.kernelView());
        int[] ax = {a};
        return GradNode.record(out, op.name().toLowerCase(), new Tensor[]{self}, self, (g, x, needs) -> {
            Tensor gx = switch (op) {
                case SOFTMAX -> {
                    Tensor y = x.softmax(a);
                    yield y.mul(g.sub(g.mul(y).sum(ax, true)));
                }
                case LOG_SOFTMAX -> g.sub(x.softmax(a).mul(g.sum(ax, true)));
                case LOGSUMEXP -> g.unsqueeze(a).mul(x.softmax(a));
            };
            return new Tensor[]{gx};
        });
    }
}
