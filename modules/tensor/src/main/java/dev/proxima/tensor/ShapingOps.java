package dev.proxima.tensor;

import dev.proxima.tensor.spi.StridedView;
import java.util.Arrays;

/** FAMILYDOC */
final class ShapingOps {

    private ShapingOps() {
    }

    static Tensor concat(int axis, Tensor... tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("concat needs at least one tensor");
        }
        Tensor first = tensors[0];
        for (Tensor t : tensors) {
            t.live();
        }
        int r = first.shape.length;
        if (r == 0) {
            throw new ShapeMismatchException("concat: 0-d tensors cannot be concatenated; use stack");
        }
        int a = Shapes.axis(axis, r);
        DType type = first.dtype;
        long total = 0;
        for (int i = 0; i < tensors.length; i++) {
            Tensor t = tensors[i];
            boolean ok = t.shape.length == r;
            for (int d = 0; ok && d < r; d++) {
                ok = d == a || t.shape[d] == first.shape[d];
            }
            if (!ok) {
                throw new ShapeMismatchException("concat along axis " + a + ": tensor " + i + " has shape " + Shapes.str(t.shape)
                        + ", incompatible with tensor 0's " + Shapes.str(first.shape));
            }
            if (!t.device().equals(first.device())) {
                throw new IllegalArgumentException("concat: tensors are on different devices: " + first.device() + " and " + t.device());
            }
            type = DType.promote(type, t.dtype);
            total = Shapes.extentSum("concat", total, t.shape[a]);
        }
        long[] outShape = first.shape.clone();
        outShape[a] = total;
        Tensor out = Tensor.allocate(type, outShape, first.device(), true);
        long pos = 0;
        for (Tensor t : tensors) {
            long[] sh = outShape.clone();
            sh[a] = t.shape[a];
            out.backend.copy(t.kernelView(), new StridedView(out.storage, type, sh, out.strides, pos * out.strides[a]));
            pos += t.shape[a];
        }
        if (!type.isFloating()) {
            return out;
        }
        long[] starts = new long[tensors.length + 1];
        for (int i = 0; i < tensors.length; i++) {
            starts[i + 1] = starts[i] + tensors[i].shape[a];
        }
        return GradNode.record(out, "concat", tensors.clone(), (g, needs) -> {
            Tensor[] parts = new Tensor[needs.length];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = needs[i] ? g.slice(a, starts[i], starts[i + 1], 1) : null;
            }
            return parts;
        });
    }

    static Tensor stack(int axis, Tensor... tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("stack needs at least one tensor");
        }
        Tensor first = tensors[0];
        for (Tensor t : tensors) {
            t.live();
        }
        int a = Shapes.axis(axis, first.shape.length + 1);
        DType type = first.dtype;
        for (int i = 0; i < tensors.length; i++) {
            Tensor t = tensors[i];
            if (!Arrays.equals(t.shape, first.shape)) {
                throw new ShapeMismatchException("stack: tensor " + i + " has shape " + Shapes.str(t.shape)
                        + ", tensor 0 has shape " + Shapes.str(first.shape));
            }
            if (!t.device().equals(first.device())) {
                throw new IllegalArgumentException("stack: tensors are on different devices: " + first.device() + " and " + t.device());
            }
            type = DType.promote(type, t.dtype);
        }
        long[] outShape = Shapes.insert(first.shape, a, tensors.length);
        Tensor out = Tensor.allocate(type, outShape, first.device(), true);
        long[] sliceStrides = Shapes.remove(out.strides, a);
        for (int i = 0; i < tensors.length; i++) {
            out.backend.copy(tensors[i].kernelView(), new StridedView(out.storage, type, first.shape, sliceStrides, i * out.strides[a]));
        }
        if (!type.isFloating()) {
            return out;
        }
        return GradNode.record(out, "stack", tensors.clone(), (g, needs) -> {
            Tensor[] parts = new Tensor[needs.length];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = needs[i] ? g.select(a, i) : null;
            }
            return parts;
        });
    }

    static Tensor[] split(Tensor self, int axis, long... sizes) {
        self.live();
        int a = Shapes.axis(axis, self.shape.length);
        if (sizes.length == 0) {
            throw new IllegalArgumentException("split needs at least one size");
        }
        long sum = 0;
        for (long s : sizes) {
            if (s < 0) {
                throw new IllegalArgumentException("split: sizes must be >= 0, got " + Arrays.toString(sizes));
            }
            sum = Shapes.extentSum("split", sum, s);
        }
        if (sum != self.shape[a]) {
            throw new ShapeMismatchException("split: sizes " + Arrays.toString(sizes) + " add up to " + sum + ", but axis " + a
                    + " of shape " + Shapes.str(self.shape) + " has extent " + self.shape[a]);
        }
        Tensor[] parts = new Tensor[sizes.length];
        long pos = 0;
        for (int i = 0; i < sizes.length; i++) {
            long[] sh = self.shape.clone();
            sh[a] = sizes[i];
            long from = pos;
            long to = pos + sizes[i];
            parts[i] = ViewOps.recordView(self, self.share(sh, self.strides, sizes[i] == 0 ? self.offset : self.offset + pos * self.strides[a]), "split",
                    g -> ViewOps.embed(g, self.shape, v -> v.slice(a, from, to, 1)));
            pos += sizes[i];
        }
        return parts;
    }

    static Tensor[] chunk(Tensor self, int n, int axis) {
        self.live();
        if (n < 1) {
            throw new IllegalArgumentException("chunk: the number of chunks must be >= 1, got " + n);
        }
        int a = Shapes.axis(axis, self.shape.length);
        long extent = self.shape[a];
        if (extent == 0) {
            return split(self, a, new long[n]);
        }
        long size = (extent + n - 1) / n;
        int count = (int) ((extent + size - 1) / size);
        long[] sizes = new long[count];
        Arrays.fill(sizes, size);
        sizes[count - 1] = extent - size * (count - 1);
        return split(self, a, sizes);
    }

    static Tensor pad(Tensor self, long[] padWidths, PadMode mode, double value) {
        self.live();
        if (mode == null) {
            throw new IllegalArgumentException("pad: mode must not be null");
        }
        int r = self.shape.length;
        if (padWidths.length != 2 * r) {
            throw new IllegalArgumentException("pad: expected " + 2 * r + " widths (before and after each dimension of shape "
                    + Shapes.str(self.shape) + "), got " + Arrays.toString(padWidths));
        }
        long[] outShape = new long[r];
        for (int d = 0; d < r; d++) {
            long before = padWidths[2 * d];
            long after = padWidths[2 * d + 1];
            if (before < 0 || after < 0) {
                throw new IllegalArgumentException("pad: widths must be >= 0, got " + Arrays.toString(padWidths));
            }
            if (mode != PadMode.CONSTANT && self.shape[d] == 0 && before + after > 0) {
                throw new IllegalArgumentException("pad: cannot " + mode + "-pad the empty dimension " + d + " of shape " + Shapes.str(self.shape));
            }
            outShape[d] = Shapes.extentSum("pad", self.shape[d], Shapes.extentSum("pad", before, after));
        }
        if (mode == PadMode.CONSTANT) {
            Tensor out = Tensor.allocate(self.dtype, outShape, self.device(), true);
            self.backend.fill(out.kernelView(), value);
            long at = 0;
            for (int d = 0; d < r; d++) {
                at += padWidths[2 * d] * out.strides[d];
            }
            if (self.size() > 0) {
                self.backend.copy(self.kernelView(), new StridedView(out.storage, self.dtype, self.shape, out.strides, at));
            }
            long[] inShape = self.shape;
            long[] widths = padWidths.clone();
            return GradNode.record(out, "pad", new Tensor[]{self}, (g, needs) -> {
                Tensor inner = g;
                for (int d = 0; d < inShape.length; d++) {
                    inner = inner.slice(d, widths[2 * d], widths[2 * d] + inShape[d], 1);
                }
                return new Tensor[]{inner};
            });
        }
        try (Scope scope = Scope.open()) {
            Tensor current = self;
            for (int d = 0; d < r; d++) {
                long before = padWidths[2 * d];
                if (before + padWidths[2 * d + 1] == 0) {
                    continue;
                }
                long n = self.shape[d];
                long[] source = new long[Math.toIntExact(outShape[d])];
                for (int o = 0; o < source.length; o++) {
                    long i = o - before;
                    if (mode == PadMode.REPLICATE || n == 1) {
                        source[o] = Math.clamp(i, 0, n - 1);
                    } else {
                        long period = 2 * (n - 1);
                        long m = Math.floorMod(i, period);
                        source[o] = m < n ? m : period - m;
                    }
                }
                current = current.indexSelect(d, Tensor.onDevice(Tensor.of(source), self.device()));
            }
            return scope.keep(current == self ? self.copy() : current);
        }
    }

    static Tensor flip(Tensor self, int... axes) {
        self.live();
        int[] ax = Shapes.axes(axes, self.shape.length);
        try (Scope scope = Scope.open()) {
            Tensor current = self;
            for (int a : ax) {
                long n = self.shape[a];
                if (n > 1) {
                    current = current.indexSelect(a, Tensor.onDevice(Tensor.arange(n - 1, -1, -1, DType.I64), self.device()));
                }
            }
            return scope.keep(current == self ? self.copy() : current);
        }
    }

    static Tensor roll(Tensor self, long shift, int axis) {
        self.live();
        int a = Shapes.axis(axis, self.shape.length);
        long n = self.shape[a];
        Tensor out = Tensor.allocate(self.dtype, self.shape, self.device(), true);
        if (n == 0 || out.size() == 0) {
            return out;
        }
        long s = Math.floorMod(shift, n);
        StridedView src = self.kernelView();
        StridedView dst = out.kernelView();
        self.backend.copy(sliceView(src, a, 0, n - s), sliceView(dst, a, s, n - s));
        if (s > 0) {
            self.backend.copy(sliceView(src, a, n - s, s), sliceView(dst, a, 0, s));
        }
        return GradNode.record(out, "roll", new Tensor[]{self}, (g, needs) -> new Tensor[]{g.roll(-s, a)});
    }

    static Tensor tile(Tensor self, long... reps) {
        self.live();
        for (long rep : reps) {
            if (rep < 0) {
                throw new IllegalArgumentException("tile: repetitions must be >= 0, got " + Arrays.toString(reps));
            }
        }
        int r = Math.max(self.shape.length, reps.length);
        long[] expanded = new long[2 * r];
        long[] srcStrides = new long[2 * r];
        long[] outShape = new long[r];
        for (int d = 0; d < r; d++) {
            int sd = d - (r - self.shape.length);
            int rd = d - (r - reps.length);
            long extent = sd >= 0 ? self.shape[sd] : 1;
            long rep = rd >= 0 ? reps[rd] : 1;
            expanded[2 * d] = rep;
            expanded[2 * d + 1] = extent;
            srcStrides[2 * d + 1] = sd >= 0 ? self.strides[sd] : 0;
            outShape[d] = Shapes.extentProduct("tile", rep, extent);
        }
        Tensor out = Tensor.allocate(self.dtype, outShape, self.device(), true);
        self.backend.copy(new StridedView(self.storage, self.dtype, expanded, srcStrides, self.offset),
                new StridedView(out.storage, self.dtype, expanded, Shapes.contiguousStrides(expanded), 0));
        long[] inShape = self.shape;
        int[] repAxes = new int[r];
        for (int d = 0; d < r; d++) {
            repAxes[d] = 2 * d;
        }
        return GradNode.record(out, "tile", new Tensor[]{self}, 
                (g, needs) -> new Tensor[]{g.reshape(expanded).sum(repAxes).reshape(inShape)});
    }

    static Tensor repeatInterleave(Tensor self, long repeats, int axis) {
        self.live();
        if (repeats < 0) {
            throw new IllegalArgumentException("repeatInterleave: repeats must be >= 0, got " + repeats);
        }
        int a = Shapes.axis(axis, self.shape.length);
        long[] expanded = Shapes.insert(self.shape, a + 1, repeats);
        long[] srcStrides = Shapes.insert(self.strides, a + 1, 0);
        long[] outShape = self.shape.clone();
        outShape[a] = Shapes.extentProduct("repeatInterleave", self.shape[a], repeats);
        Tensor out = Tensor.allocate(self.dtype, outShape, self.device(), true);
        self.backend.copy(new StridedView(self.storage, self.dtype, expanded, srcStrides, self.offset),
                new StridedView(out.storage, self.dtype, expanded, Shapes.contiguousStrides(expanded), 0));
        return GradNode.record(out, "repeatInterleave", new Tensor[]{self}, 
                (g, needs) -> new Tensor[]{g.reshape(expanded).sum(a + 1)});
    }

    static Tensor triu(Tensor self, long k) {
        return triangle(self, "triu", true, k);
    }

    static Tensor tril(Tensor self, long k) {
        return triangle(self, "tril", false, k);
    }

    static Tensor triangle(Tensor self, String op, boolean upper, long k) {
        self.live();
        if (self.shape.length < 2) {
            throw new ShapeMismatchException(op + " needs at least 2 dimensions, got shape " + Shapes.str(self.shape));
        }
        try (Scope scope = Scope.open()) {
            Tensor rows = Tensor.arange(0, self.shape[self.shape.length - 2], 1, DType.I64).unsqueeze(1);
            Tensor cols = Tensor.arange(0, self.shape[self.shape.length - 1], 1, DType.I64);
            Tensor offsetFromDiagonal = cols.sub(rows);
            Tensor keep = upper ? offsetFromDiagonal.ge(k) : offsetFromDiagonal.le(k);
            return scope.keep(Tensor.where(Tensor.onDevice(keep, self.device()), self, Tensor.scalar(0, self.dtype, self.device())));
        }
    }

    static Tensor diag(Tensor self, long k) {
        self.live();
        if (self.shape.length == 2) {
            try (Tensor d = self.diagonal(k, 0, 1)) {
                Tensor.disown(d);
                return d.copy();
            }
        }
        if (self.shape.length != 1) {
            throw new ShapeMismatchException("diag expects a 1-D or 2-D tensor, got shape " + Shapes.str(self.shape));
        }
        long n = self.shape[0];
        if (k == Long.MIN_VALUE) {
            throw new IllegalArgumentException("diag: offset " + k + " is out of range");
        }
        long m = Shapes.extentSum("diag", n, Math.abs(k));
        Tensor out = Tensor.allocate(self.dtype, new long[]{m, m}, self.device(), true);
        self.backend.fill(out.kernelView(), 0);
        if (n > 0) {
            self.backend.copy(self.kernelView(), new StridedView(out.storage, self.dtype, self.shape, new long[]{m + 1}, k >= 0 ? k : -k * m));
        }
        return GradNode.record(out, "diag", new Tensor[]{self}, (g, needs) -> new Tensor[]{g.diagonal(k, 0, 1)});
    }

    static Tensor diagonal(Tensor self, long offset, int axis1, int axis2) {
        self.live();
        int a1 = Shapes.axis(axis1, self.shape.length);
        int a2 = Shapes.axis(axis2, self.shape.length);
        if (a1 == a2) {
            throw new IllegalArgumentException("diagonal: axis1 and axis2 must differ, both are " + a1 + " (shape " + Shapes.str(self.shape) + ")");
        }
        long n1 = self.shape[a1];
        long n2 = self.shape[a2];
        long len;
        if (offset >= 0) {
            len = offset >= n2 ? 0 : Math.min(n1, n2 - offset);
        } else {
            len = offset <= -n1 ? 0 : Math.min(n1 + offset, n2);
        }
        long start = len == 0 ? 0 : offset >= 0 ? offset * self.strides[a2] : -offset * self.strides[a1];
        long[] sh = new long[self.shape.length - 1];
        long[] st = new long[self.shape.length - 1];
        for (int d = 0, j = 0; d < self.shape.length; d++) {
            if (d != a1 && d != a2) {
                sh[j] = self.shape[d];
                st[j++] = self.strides[d];
            }
        }
        sh[sh.length - 1] = len;
        st[st.length - 1] = self.strides[a1] + self.strides[a2];
        long[] inShape = self.shape;
        return ViewOps.recordView(self, self.share(sh, st, self.offset + start), "diagonal", g -> ViewOps.embed(g, inShape, v -> v.diagonal(offset, axis1, axis2)));
    }

    static StridedView sliceView(StridedView v, int axis, long start, long length) {
        long[] sh = v.shape().clone();
        sh[axis] = length;
        return new StridedView(v.storage(), v.dtype(), sh, v.strides(), v.offset() + start * v.strides()[axis]);
    }
}
