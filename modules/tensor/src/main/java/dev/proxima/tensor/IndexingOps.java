package dev.proxima.tensor;

import dev.proxima.tensor.spi.Kernels;
import dev.proxima.tensor.spi.StridedView;
import java.util.Arrays;

/**
 * Indexing: {@code gather}, {@code takeAlongAxis}, {@code indexSelect}, {@code scatter}, {@code scatterAdd},
 * {@code maskedSelect}, {@code oneHot} — their rules, kernel calls ({@link Kernels#GATHER},
 * {@link Kernels#SCATTER}, {@link Kernels#COUNT_TRUE}, {@link Kernels#COMPRESS}) and derivatives. Kernels check
 * the index values themselves (before writing), so device indices are never read back to the host here.
 */
final class IndexingOps {

    private IndexingOps() {
    }

    static Tensor leadingBlock(Tensor v, long[] extents) {
        Tensor t = v;
        for (int d = 0; d < extents.length; d++) {
            if (extents[d] != v.shape[d]) {
                t = t.slice(d, 0, extents[d], 1);
            }
        }
        return t;
    }

    static Tensor gather(Tensor self, int axis, Tensor index) {
        Ops.commonDevice("gather", self, index);
        requireIndexType("gather", index);
        int a = Shapes.axis(axis, self.shape.length);
        if (index.shape.length != self.shape.length) {
            throw new ShapeMismatchException("gather: index of shape " + Shapes.str(index.shape)
                    + " must have the rank of the input " + Shapes.str(self.shape));
        }
        for (int d = 0; d < self.shape.length; d++) {
            if (d != a && index.shape[d] > self.shape[d]) {
                throw new ShapeMismatchException("gather: index of shape " + Shapes.str(index.shape) + " is larger than the input "
                        + Shapes.str(self.shape) + " in dimension " + d + " (only axis " + a + " may be)");
            }
        }
        long[] srcShape = index.shape.clone();
        srcShape[a] = self.shape[a];
        Tensor out = Tensor.allocate(self.dtype, index.shape, self.device(), true);
        Ops.run(out, Kernels.GATHER, check("gather", a, self.shape),
                new StridedView(self.storage, self.dtype, srcShape, self.strides, self.offset), index.kernelView(), out.kernelView());
        long[] inShape = self.shape;
        return GradNode.record(out, "gather", new Tensor[]{self, index}, index,
                (g, idx, needs) -> new Tensor[]{Tensor.zeros(g.dtype, g.device(), inShape).scatterAdd(a, idx, g), null});
    }

    static Tensor takeAlongAxis(Tensor self, Tensor indices, int axis) {
        Ops.commonDevice("takeAlongAxis", self, indices);
        requireIndexType("takeAlongAxis", indices);
        int a = Shapes.axis(axis, self.shape.length);
        int r = self.shape.length;
        if (indices.shape.length != r) {
            throw new ShapeMismatchException("takeAlongAxis: indices of shape " + Shapes.str(indices.shape)
                    + " must have the rank of the array " + Shapes.str(self.shape));
        }
        long[] outShape = new long[r];
        for (int d = 0; d < r; d++) {
            long x = self.shape[d];
            long y = indices.shape[d];
            if (d == a) {
                outShape[d] = y;
            } else if (x == y || x == 1 || y == 1) {
                outShape[d] = x == 1 ? y : x;
            } else {
                throw new ShapeMismatchException("takeAlongAxis: array " + Shapes.str(self.shape) + " and indices " + Shapes.str(indices.shape)
                        + " do not broadcast in dimension " + d + " (" + x + " vs " + y + ")");
            }
        }
        long[] srcShape = outShape.clone();
        srcShape[a] = self.shape[a];
        long[] srcStrides = new long[r];
        long[] idxStrides = new long[r];
        for (int d = 0; d < r; d++) {
            srcStrides[d] = d != a && self.shape[d] == 1 && outShape[d] != 1 ? 0 : self.strides[d];
            idxStrides[d] = d != a && indices.shape[d] == 1 && outShape[d] != 1 ? 0 : indices.strides[d];
        }
        Tensor out = Tensor.allocate(self.dtype, outShape, self.device(), true);
        Ops.run(out, Kernels.GATHER, check("takeAlongAxis", a, self.shape),
                new StridedView(self.storage, self.dtype, srcShape, srcStrides, self.offset),
                new StridedView(indices.storage, indices.dtype, outShape, idxStrides, indices.offset), out.kernelView());
        long[] inShape = self.shape;
        return GradNode.record(out, "takeAlongAxis", new Tensor[]{self, indices}, indices,
                (g, idx, needs) -> new Tensor[]{ElementwiseOps.sumTo(
                        Tensor.zeros(g.dtype, g.device(), srcShape).scatterAdd(a, idx.broadcastTo(outShape), g), inShape), null});
    }

    static Tensor indexSelect(Tensor self, int axis, Tensor index) {
        Ops.commonDevice("indexSelect", self, index);
        requireIndexType("indexSelect", index);
        int a = Shapes.axis(axis, self.shape.length);
        if (index.shape.length > 1) {
            throw new ShapeMismatchException("indexSelect: index must be 1-D, got shape " + Shapes.str(index.shape)
                    + " (input " + Shapes.str(self.shape) + ")");
        }
        long[] outShape = self.shape.clone();
        outShape[a] = index.shape.length == 0 ? 1 : index.shape[0];
        long[] idxStrides = new long[self.shape.length];
        idxStrides[a] = index.shape.length == 0 ? 0 : index.strides[0];
        Tensor out = Tensor.allocate(self.dtype, outShape, self.device(), true);
        Ops.run(out, Kernels.GATHER, check("indexSelect", a, self.shape), self.kernelView(),
                new StridedView(index.storage, index.dtype, outShape, idxStrides, index.offset), out.kernelView());
        long[] inShape = self.shape;
        long[] column = new long[self.shape.length];
        Arrays.fill(column, 1);
        column[a] = outShape[a];
        return GradNode.record(out, "indexSelect", new Tensor[]{self, index}, index, (g, idx, needs) -> new Tensor[]{
                Tensor.zeros(g.dtype, g.device(), inShape).scatterAdd(a, idx.reshape(column).broadcastTo(outShape), g), null});
    }

    static Tensor scatter(Tensor self, int axis, Tensor index, Tensor src) {
        return scatter(self, "scatter", axis, index, src, false);
    }

    static Tensor scatterAdd(Tensor self, int axis, Tensor index, Tensor src) {
        return scatter(self, "scatterAdd", axis, index, src, true);
    }

    static Tensor scatter(Tensor self, String op, int axis, Tensor index, Tensor src, boolean add) {
        Ops.commonDevice(op, self, index, src);
        requireIndexType(op, index);
        if (add && self.dtype == DType.BOOL) {
            throw new DTypeMismatchException(op + " is not defined for BOOL tensors; cast to an integer type first");
        }
        if (DType.promote(self.dtype, src.dtype) != self.dtype) {
            throw new DTypeMismatchException(op + ": cannot write " + src.dtype + " values into a " + self.dtype
                    + " tensor without loss; cast src first");
        }
        int a = Shapes.axis(axis, self.shape.length);
        int r = self.shape.length;
        String shapes = "input " + Shapes.str(self.shape) + ", index " + Shapes.str(index.shape) + ", src " + Shapes.str(src.shape);
        if (index.shape.length != r || src.shape.length != r) {
            throw new ShapeMismatchException(op + ": input, index and src must have the same rank: " + shapes);
        }
        for (int d = 0; d < r; d++) {
            if (index.shape[d] > src.shape[d] || (d != a && index.shape[d] > self.shape[d])) {
                throw new ShapeMismatchException(op + ": index is larger than src, or than the input outside axis " + a
                        + ", in dimension " + d + ": " + shapes);
            }
        }
        try (Tensor converted = src.dtype == self.dtype ? null : src.cast(self.dtype, false)) {
            Tensor s = converted == null ? src : converted;
            Tensor out = Tensor.allocate(self.dtype, self.shape, self.device(), true);
            self.backend.copy(self.kernelView(), out.kernelView());
            long[] dstShape = index.shape.clone();
            dstShape[a] = self.shape[a];
            Ops.run(out, Kernels.SCATTER, new Kernels.Scatter(check(op, a, self.shape), add), index.kernelView(),
                    new StridedView(s.storage, self.dtype, index.shape, s.strides, s.offset),
                    new StridedView(out.storage, self.dtype, dstShape, out.strides, 0));
            if (!self.dtype.isFloating()) {
                return out;
            }
            long[] srcShape = src.shape;
            long[] idxShape = index.shape;
            return GradNode.record(out, op, new Tensor[]{self, index, s}, index, (g, idx, needs) -> {
                Tensor gSelf = needs[0] ? (add ? g : g.scatter(a, idx, Tensor.zeros(g.dtype, g.device(), idxShape))) : null;
                Tensor gSrc = null;
                if (needs[2]) {
                    Tensor picked = g.gather(a, idx);
                    gSrc = Arrays.equals(idxShape, srcShape) ? picked : ViewOps.embed(picked, srcShape, v -> leadingBlock(v, idxShape));
                }
                return new Tensor[]{gSelf, null, gSrc};
            });
        }
    }

    static Tensor maskedSelect(Tensor self, Tensor mask) {
        Device device = Ops.commonDevice("maskedSelect", self, mask);
        if (mask.dtype != DType.BOOL) {
            throw new DTypeMismatchException("maskedSelect: the mask must be BOOL, got " + mask.dtype + "; compare or cast first");
        }
        long[] common = Shapes.broadcast("maskedSelect", self.shape, mask.shape);
        StridedView m = mask.broadcastView(common);
        long count;
        try (Tensor n = Tensor.allocate(DType.I64, new long[0], device, false)) {
            Ops.run(n, Kernels.COUNT_TRUE, null, m, n.kernelView());
            count = n.getLong();
        }
        Tensor out = Tensor.allocate(self.dtype, new long[]{count}, device, true);
        Ops.run(out, Kernels.COMPRESS, null, self.broadcastView(common), m, out.kernelView());
        long[] inShape = self.shape;
        return GradNode.record(out, "maskedSelect", new Tensor[]{self, mask}, mask, (g, maskSaved, needs) -> {
            long[] both = Shapes.broadcast("maskedSelect", inShape, maskSaved.shape);
            long total = Shapes.size(both);
            Tensor positions = Tensor.arange(0, total, 1, DType.I64).to(g.device()).maskedSelect(maskSaved.broadcastTo(both).reshape(-1));
            Tensor scattered = Tensor.zeros(g.dtype, g.device(), total).scatterAdd(0, positions, g).reshape(both);
            return new Tensor[]{ElementwiseOps.sumTo(scattered, inShape), null};
        });
    }

    static Tensor oneHot(Tensor self, long numClasses) {
        return oneHot(self, numClasses, DType.I64);
    }

    static Tensor oneHot(Tensor self, long numClasses, DType type) {
        Ops.commonDevice("oneHot", self);
        requireIndexType("oneHot", self);
        if (numClasses < 0) {
            throw new IllegalArgumentException("oneHot: numClasses must be >= 0, got " + numClasses);
        }
        int r = self.shape.length;
        long[] outShape = Arrays.copyOf(self.shape, r + 1);
        outShape[r] = numClasses;
        Tensor out = Tensor.allocate(type, outShape, self.device(), true);
        self.backend.fill(out.kernelView(), 0);
        try (Tensor one = Tensor.allocate(type, new long[0], self.device(), false)) {
            self.backend.fill(one.kernelView(), 1);
            long[] idxShape = Arrays.copyOf(self.shape, r + 1);
            idxShape[r] = 1;
            Ops.run(out, Kernels.SCATTER, new Kernels.Scatter(new Kernels.IndexCheck("oneHot", r, outShape, false), false),
                    new StridedView(self.storage, self.dtype, idxShape, Arrays.copyOf(self.strides, r + 1), self.offset),
                    new StridedView(one.storage, type, idxShape, new long[r + 1], 0), out.kernelView());
        }
        return out;
    }

    /** The index check of an op indexing {@code axis} of a tensor of {@code shape} (negative indices allowed). */
    static Kernels.IndexCheck check(String op, int axis, long[] shape) {
        return new Kernels.IndexCheck(op, axis, shape, true);
    }

    static void requireIndexType(String op, Tensor index) {
        if (index.dtype != DType.I32 && index.dtype != DType.I64) {
            throw new DTypeMismatchException(op + ": indices must be I32 or I64, got " + index.dtype);
        }
    }
}
