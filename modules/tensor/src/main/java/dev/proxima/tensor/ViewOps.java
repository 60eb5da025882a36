package dev.proxima.tensor;

import java.util.Arrays;

/** FAMILYDOC */
final class ViewOps {

    private ViewOps() {
    }

    static Tensor contiguous(Tensor self) {
        self.live();
        if (self.isContiguous()) {
            return recordView(self, self.share(self.shape, self.strides, self.offset), "contiguous", g -> g);
        }
        return self.copy();
    }

    static Tensor reshape(Tensor self, long... newShape) {
        self.live();
        long[] target = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int d = 0; d < target.length; d++) {
            if (target[d] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: only one dimension can be -1, got " + Shapes.str(newShape));
                }
                infer = d;
            } else if (target[d] < 0) {
                throw new IllegalArgumentException("reshape: invalid dimension " + target[d] + " in " + Shapes.str(newShape));
            } else {
                known *= target[d];
            }
        }
        long n = self.size();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new ShapeMismatchException("reshape: cannot reshape " + Shapes.str(self.shape) + " (" + n + " elements) into " + Shapes.str(newShape));
            }
            target[infer] = n / known;
        } else if (known != n) {
            throw new ShapeMismatchException("reshape: cannot reshape " + Shapes.str(self.shape) + " (" + n + " elements) into "
                    + Shapes.str(newShape) + " (" + known + " elements)");
        }
        long[] viewStrides = Shapes.viewStrides(self.shape, self.strides, target);
        long[] from = self.shape;
        Tensor out;
        if (viewStrides != null) {
            out = self.share(target, viewStrides, self.offset);
        } else {
            try (Tensor dense = self.cast(self.dtype, false)) {
                out = dense.share(target, Shapes.contiguousStrides(target), dense.offset);
            }
        }
        return recordView(self, out, "reshape", g -> g.reshape(from));
    }

    static Tensor permute(Tensor self, int... axes) {
        self.live();
        if (axes.length != self.shape.length) {
            throw new IllegalArgumentException("permute: expected " + self.shape.length + " axes for shape " + Shapes.str(self.shape)
                    + ", got " + Arrays.toString(axes));
        }
        long[] s = new long[axes.length];
        long[] st = new long[axes.length];
        boolean[] seen = new boolean[axes.length];
        for (int i = 0; i < axes.length; i++) {
            int a = Shapes.axis(axes[i], self.shape.length);
            if (seen[a]) {
                throw new IllegalArgumentException("permute: axis " + a + " repeated in " + Arrays.toString(axes));
            }
            seen[a] = true;
            s[i] = self.shape[a];
            st[i] = self.strides[a];
        }
        int[] inverse = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            inverse[Shapes.axis(axes[i], self.shape.length)] = i;
        }
        return recordView(self, self.share(s, st, self.offset), "permute", g -> g.permute(inverse));
    }

    static Tensor transpose(Tensor self, int axis0, int axis1) {
        int[] axes = new int[self.shape.length];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        int a = Shapes.axis(axis0, self.shape.length);
        int b = Shapes.axis(axis1, self.shape.length);
        axes[a] = b;
        axes[b] = a;
        return permute(self, axes);
    }

    static Tensor transpose(Tensor self) {
        int[] axes = new int[self.shape.length];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = self.shape.length - 1 - i;
        }
        return permute(self, axes);
    }

    static Tensor slice(Tensor self, int axis, long start, long end, long step) {
        self.live();
        int a = Shapes.axis(axis, self.shape.length);
        if (step < 1) {
            throw new IllegalArgumentException("slice step must be >= 1, got " + step);
        }
        long n = self.shape[a];
        long s = Math.clamp(start < 0 ? start + n : start, 0, n);
        long e = Math.clamp(end < 0 ? end + n : end, 0, n);
        long len = e > s ? 1 + (e - s - 1) / step : 0; // no overflow for any step up to Long.MAX_VALUE
        long[] sh = self.shape.clone();
        long[] st = self.strides.clone();
        sh[a] = len;
        st[a] = len <= 1 ? self.strides[a] : Math.multiplyExact(self.strides[a], step);
        Tensor out = self.share(sh, st, len == 0 ? self.offset : self.offset + s * self.strides[a]);
        return recordView(self, out, "slice", g -> embed(g, self.shape, v -> v.slice(axis, start, end, step)));
    }

    static Tensor select(Tensor self, int axis, long index) {
        self.live();
        int a = Shapes.axis(axis, self.shape.length);
        long i = index < 0 ? index + self.shape[a] : index;
        if (i < 0 || i >= self.shape[a]) {
            throw new IndexOutOfBoundsException("index " + index + " is out of bounds for axis " + a + " of shape " + Shapes.str(self.shape));
        }
        long[] sh = new long[self.shape.length - 1];
        long[] st = new long[self.shape.length - 1];
        for (int d = 0, k = 0; d < self.shape.length; d++) {
            if (d != a) {
                sh[k] = self.shape[d];
                st[k++] = self.strides[d];
            }
        }
        return recordView(self, self.share(sh, st, self.offset + i * self.strides[a]), "select", g -> embed(g, self.shape, v -> v.select(axis, index)));
    }

    static Tensor broadcastTo(Tensor self, long... target) {
        self.live();
        int r = target.length;
        if (r < self.shape.length) {
            throw new ShapeMismatchException("broadcastTo: cannot broadcast " + Shapes.str(self.shape) + " to fewer dimensions " + Shapes.str(target));
        }
        long[] sh = new long[r];
        long[] st = new long[r];
        int lead = r - self.shape.length;
        for (int d = 0; d < r; d++) {
            long want = target[d];
            if (d < lead) {
                if (want < 0) {
                    throw new ShapeMismatchException("broadcastTo: -1 is not allowed for the new leading dimension " + d + " of " + Shapes.str(target));
                }
                sh[d] = want;
                st[d] = 0;
                continue;
            }
            long have = self.shape[d - lead];
            if (want == -1 || want == have) {
                sh[d] = have;
                st[d] = self.strides[d - lead];
            } else if (have == 1 && want >= 0) {
                sh[d] = want;
                st[d] = 0;
            } else {
                throw new ShapeMismatchException("broadcastTo: cannot broadcast " + Shapes.str(self.shape) + " to " + Shapes.str(target));
            }
        }
        long[] from = self.shape;
        return recordView(self, self.share(sh, st, self.offset), "broadcastTo", g -> ElementwiseOps.sumTo(g, from));
    }

    static Tensor squeeze(Tensor self, int... axes) {
        self.live();
        boolean[] drop = new boolean[self.shape.length];
        if (axes.length == 0) {
            for (int d = 0; d < self.shape.length; d++) {
                drop[d] = self.shape[d] == 1;
            }
        } else {
            for (int a : axes) {
                int d = Shapes.axis(a, self.shape.length);
                if (self.shape[d] != 1) {
                    throw new ShapeMismatchException("squeeze: dimension " + d + " of " + Shapes.str(self.shape) + " has extent " + self.shape[d] + ", not 1");
                }
                drop[d] = true;
            }
        }
        int keep = 0;
        for (boolean b : drop) {
            keep += b ? 0 : 1;
        }
        long[] sh = new long[keep];
        long[] st = new long[keep];
        for (int d = 0, k = 0; d < self.shape.length; d++) {
            if (!drop[d]) {
                sh[k] = self.shape[d];
                st[k++] = self.strides[d];
            }
        }
        long[] from = self.shape;
        return recordView(self, self.share(sh, st, self.offset), "squeeze", g -> g.reshape(from));
    }

    static Tensor unsqueeze(Tensor self, int axis) {
        self.live();
        int a = Shapes.axis(axis, self.shape.length + 1);
        long[] sh = new long[self.shape.length + 1];
        long[] st = new long[self.shape.length + 1];
        for (int d = 0, k = 0; d < sh.length; d++) {
            if (d == a) {
                sh[d] = 1;
                st[d] = a < self.shape.length ? self.strides[a] * self.shape[a] : 1;
            } else {
                sh[d] = self.shape[k];
                st[d] = self.strides[k++];
            }
        }
        long[] from = self.shape;
        return recordView(self, self.share(sh, st, self.offset), "unsqueeze", g -> g.reshape(from));
    }

    static Tensor recordView(Tensor self, Tensor out, String name, java.util.function.UnaryOperator<Tensor> rule) {
        return GradNode.record(out, name, new Tensor[]{self}, (g, needs) -> new Tensor[]{rule.apply(g)});
    }

    static Tensor embed(Tensor g, long[] baseShape, java.util.function.UnaryOperator<Tensor> viewOf) {
        Tensor base = Tensor.zeros(g.dtype, g.device(), baseShape);
        try (Tensor target = viewOf.apply(base.detach())) {
            g.backend.copy(g.kernelView(), target.kernelView());
        }
        return GradNode.record(base, "embed", new Tensor[]{g}, (gg, needs) -> new Tensor[]{viewOf.apply(gg)});
    }
}
