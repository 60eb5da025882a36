package dev.proxima.tensor;

import dev.proxima.tensor.internal.Dispatcher;
import dev.proxima.tensor.spi.KernelKey;
import dev.proxima.tensor.spi.Kernels;

/**
 * Sorting and scans: {@code sort}, {@code argsort}, {@code topk}, {@code kthvalue}, {@code searchsorted}, {@code cumsum},
 * {@code cumprod} — their rules, kernel calls ({@link Kernels#SORT}, {@link Kernels#SEARCH_SORTED},
 * {@link Kernels#SCAN}) and derivatives.
 */
final class SortingOps {

    private SortingOps() {
    }

    static Tensor sort(Tensor self, int axis, boolean descending) {
        Ops.commonDevice("sort", self);
        int a = requireSortable(self, "sort", axis);
        Tensor out = Tensor.allocate(self.dtype, self.shape, self.device(), true);
        Ops.run(out, Kernels.SORT, new Kernels.Sort(a, descending, self.shape[a]), self.kernelView(), out.kernelView(), null);
        long[] inShape = self.shape;
        return GradNode.record(out, "sort", new Tensor[]{self}, self, (g, x, needs) -> {
            Tensor order;
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                order = x.argsort(a, descending);
            }
            return new Tensor[]{Tensor.zeros(g.dtype, g.device(), inShape).scatterAdd(a, order, g)};
        });
    }

    static Tensor argsort(Tensor self, int axis, boolean descending) {
        Ops.commonDevice("argsort", self);
        int a = requireSortable(self, "argsort", axis);
        Tensor out = Tensor.allocate(DType.I64, self.shape, self.device(), true);
        return Ops.run(out, Kernels.SORT, new Kernels.Sort(a, descending, self.shape[a]), self.kernelView(), null, out.kernelView());
    }

    static TopK topk(Tensor self, long k, int axis, boolean largest) {
        Ops.commonDevice("topk", self);
        int a = requireSortable(self, "topk", axis);
        if (k < 0 || k > self.shape[a]) {
            throw new IllegalArgumentException("topk: k = " + k + " is out of range for axis " + a + " of shape " + Shapes.str(self.shape)
                    + " (expected 0 .. " + self.shape[a] + ")");
        }
        return selected(self, a, largest, k, k, Kernels.SORT, "topk");
    }

    static TopK kthvalue(Tensor self, long k, int axis, boolean largest) {
        Ops.commonDevice("kthvalue", self);
        int a = requireSortable(self, "kthvalue", axis);
        if (k < 1 || k > self.shape[a]) {
            throw new IllegalArgumentException("kthvalue: k = " + k + " is out of range for axis " + a + " of shape "
                    + Shapes.str(self.shape) + " (expected 1 .. " + self.shape[a] + ")");
        }
        return selected(self, a, largest, k, 1, Kernels.KTH_VALUE, "kthvalue");
    }

    /**
     * Runs a selecting kernel ({@link Kernels#SORT} keeping k, or {@link Kernels#KTH_VALUE}) into values and indices
     * of {@code extent} along the axis; their gradient goes back to the selected positions.
     */
    private static TopK selected(Tensor self, int a, boolean largest, long k, long extent, KernelKey<Kernels.Sort> key, String op) {
        long[] outShape = self.shape.clone();
        outShape[a] = extent;
        Tensor values = Tensor.allocate(self.dtype, outShape, self.device(), true);
        Tensor indices;
        try {
            indices = Tensor.allocate(DType.I64, outShape, self.device(), true);
        } catch (RuntimeException e) {
            values.close();
            throw e;
        }
        try {
            Dispatcher.run(key, new Kernels.Sort(a, largest, k), self.kernelView(), values.kernelView(), indices.kernelView());
        } catch (RuntimeException e) {
            values.close();
            indices.close();
            throw e;
        }
        long[] inShape = self.shape;
        GradNode.record(values, op, new Tensor[]{self}, indices,
                (g, index, needs) -> new Tensor[]{Tensor.zeros(g.dtype, g.device(), inShape).scatterAdd(a, index, g)});
        return new TopK(values, indices);
    }

    static Tensor cumsum(Tensor self, int axis) {
        return scan(self, "cumsum", false, axis);
    }

    static Tensor cumprod(Tensor self, int axis) {
        return scan(self, "cumprod", true, axis);
    }

    static int requireSortable(Tensor self, String op, int axis) {
        int a = Shapes.axis(axis, self.shape.length);
        if (self.shape[a] > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(op + ": axis " + a + " of shape " + Shapes.str(self.shape)
                    + " is too long to sort (at most 2^31 - 9 elements)");
        }
        return a;
    }

    static Tensor scan(Tensor self, String op, boolean product, int axis) {
        Ops.commonDevice(op, self);
        int a = Shapes.axis(axis, self.shape.length);
        Tensor out = Tensor.allocate(self.dtype.isFloating() ? self.dtype : DType.I64, self.shape, self.device(), true);
        Ops.run(out, Kernels.SCAN, new Kernels.Scan(product, a), self.kernelView(), out.kernelView());
        if (!self.dtype.isFloating()) {
            return out;
        }
        return GradNode.record(out, op, new Tensor[]{self}, self, (g, x, needs) -> {
            if (!product) {
                return new Tensor[]{g.flip(a).cumsum(a).flip(a)};
            }
            boolean zero;
            try (Autodiff.GradMode off = Autodiff.noGrad(); Tensor zeros = x.eq(0).sum()) {
                zero = zeros.item() > 0;
            }
            if (zero) {
                throw new IllegalArgumentException("the gradient of cumprod through a zero element is not implemented"
                        + " (the input has zeros); cumprod of non-zero inputs is differentiable");
            }
            // ∂outₖ/∂xᵢ = outₖ / xᵢ for k ≥ i, so the gradient is the reversed cumulative sum of g·out, divided by x
            Tensor weighted = g.mul(x.cumprod(a));
            return new Tensor[]{weighted.flip(a).cumsum(a).flip(a).div(x)};
        });
    }

    static Tensor searchsorted(Tensor self, Tensor values, boolean right) {
        Ops.commonDevice("searchsorted", self, values);
        if (self.shape.length != 1) {
            throw new ShapeMismatchException("searchsorted: the sorted tensor must be 1-D, got shape " + Shapes.str(self.shape)
                    + " (values " + Shapes.str(values.shape) + ")");
        }
        Tensor out = Tensor.allocate(DType.I64, values.shape, self.device(), true);
        return Ops.run(out, Kernels.SEARCH_SORTED, right, self.kernelView(), values.kernelView(), out.kernelView());
    }
}
