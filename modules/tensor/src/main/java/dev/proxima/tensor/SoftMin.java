package dev.proxima.tensor;

import dev.proxima.tensor.spi.Kernels;

import java.util.Arrays;
import java.util.Objects;

/**
 * The soft-minimum of cost rows, {@code out_i = −ε·log Σ_j exp((h_j − C_ij)/ε)}, the step of log-domain Sinkhorn
 * (with {@code h_j = g_j + ε·log b_j} it is the c-transform {@code −ε·log Σ_j b_j·exp((g_j − C_ij)/ε)}), computed
 * by one fused kernel per call that never forms an [n, m] temporary ({@link Kernels#SOFT_MIN}); the squared
 * Euclidean form computes the costs of two point clouds on the fly ({@link Kernels#SOFT_MIN_SQUARED_DISTANCES}),
 * so its memory is O(n + m) whatever n·m is. The column soft-min is {@code rows(cost.transpose(), …)}: a transposed
 * cost is read in place, without a copy. Rows are summed stably (shifted by their maximum), so ε = 10⁻⁴ with
 * costs of order 100 stays finite.
 *
 * <p>Both are differentiable: with {@code π_ij = softmax_j((h_j − C_ij)/ε)}, {@code ∂out_i/∂C_ij = π_ij} and
 * {@code ∂out_i/∂h_j = −π_ij} (and through C to the points). The derivative rules are written in tensor ops of
 * the saved inputs, so they are differentiable again; they form the [n, m] matrix π.
 *
 * {@snippet :
 * Tensor cost = Tensor.fromArray(new double[][] {{0, 1}, {1, 0}});
 * Tensor h = Tensor.of(0.0, 0.0);
 * Tensor f = SoftMin.rows(cost, h, 1.0);   // [-log(1 + e^-1), -log(1 + e^-1)]
 * }
 */
public final class SoftMin {

    private SoftMin() {
    }

    /**
     * The soft-minimum of each row of {@code cost} shifted by the potential: {@code out[..., i] = −ε·log Σ_j
     * exp((h[..., j] − C[..., i, j])/ε)}. A shared cost {@code [n, m]} serves every batch of the potential.
     *
     * @param cost      the costs, {@code [n, m]} or {@code [..., n, m]} with the potential's batch dimensions
     * @param potential the potential h, {@code [..., m]}, of the cost's dtype (F32 or F64)
     * @param epsilon   the temperature ε, positive and finite
     * @return the soft-minima, {@code [..., n]} (the potential's batch dimensions), of the inputs' dtype, on
     *         their device
     * @throws NullPointerException     if a tensor is null
     * @throws IllegalArgumentException if ε is not positive and finite, or a dtype is not F32/F64
     * @throws ShapeMismatchException   if the shapes do not fit together
     * @throws DTypeMismatchException   if the dtypes differ
     */
    public static Tensor rows(Tensor cost, Tensor potential, double epsilon) {
        Objects.requireNonNull(cost, "softMin: cost must be a tensor, got null");
        Objects.requireNonNull(potential, "softMin: potential must be a tensor, got null");
        checkEpsilon(epsilon);
        cost.live();
        potential.live();
        checkFloating("cost", cost, potential);
        if (cost.rank() < 2 || potential.rank() < 1) {
            throw new ShapeMismatchException("softMin: cost must be [..., n, m] and potential [..., m], got cost "
                    + Arrays.toString(cost.shape) + " and potential " + Arrays.toString(potential.shape));
        }
        long n = cost.shape[cost.rank() - 2];
        long m = cost.shape[cost.rank() - 1];
        long[] batch = Arrays.copyOf(potential.shape, potential.rank() - 1);
        boolean shared = cost.rank() == 2;
        if (potential.shape[potential.rank() - 1] != m
                || !shared && !Arrays.equals(batch, Arrays.copyOf(cost.shape, cost.rank() - 2))) {
            throw new ShapeMismatchException("softMin: cost [..., n, m] and potential [..., m] must agree in m and in"
                    + " their batch dimensions (or the cost be [n, m]), got cost " + Arrays.toString(cost.shape)
                    + " and potential " + Arrays.toString(potential.shape));
        }
        Device device = Ops.commonDevice("softMin", cost, potential);
        Tensor out = Tensor.allocate(cost.dtype, Shapes.insert(batch, batch.length, n), device, true);
        try (Autodiff.GradMode off = Autodiff.noGrad(); Tensor c = denseRowsOrColumns(cost) ? cost.detach() : cost.contiguous();
             Tensor h = potential.contiguous()) {
            Ops.run(out, Kernels.SOFT_MIN, new Kernels.SoftMin(epsilon), c.kernelView(), h.kernelView(), out.kernelView());
        }
        return GradNode.record(out, "softMin", new Tensor[]{cost, potential}, cost, potential, (g, c, h, needs) -> {
            Tensor w = g.unsqueeze(-1).mul(h.unsqueeze(-2).sub(c).div(epsilon).softmax(-1));   // g_i·π_ij
            Tensor gc = needs[0] ? sumLeading(w, w.rank() - c.rank()) : null;
            Tensor gh = needs[1] ? w.sum(w.rank() - 2).neg() : null;
            return new Tensor[]{gc, gh};
        });
    }

    /**
     * {@link #rows} of the squared Euclidean costs {@code C_ij = ‖x_i − y_j‖²} computed on the fly from the points,
     * never forming the [n, m] cost: {@code out[..., i] = −ε·log Σ_j exp((h[..., j] − ‖x_i − y_j‖²)/ε)}. Points
     * {@code [n, d]} / {@code [m, d]} are shared by every batch of the potential; {@code [..., n, d]} carry its
     * batch dimensions.
     *
     * {@snippet :
     * Tensor f = SoftMin.squaredDistances(x, y, g, 0.05);   // the c-transform of g, memory O(n + m)
     * }
     *
     * @param x         the points x, {@code [n, d]} or {@code [..., n, d]}
     * @param y         the points y, {@code [m, d]} or {@code [..., m, d]}
     * @param potential the potential h, {@code [..., m]}, of the points' dtype (F32 or F64)
     * @param epsilon   the temperature ε, positive and finite
     * @return the soft-minima, {@code [..., n]}, of the inputs' dtype, on their device
     * @throws NullPointerException     if a tensor is null
     * @throws IllegalArgumentException if ε is not positive and finite, or a dtype is not F32/F64
     * @throws ShapeMismatchException   if the shapes do not fit together
     * @throws DTypeMismatchException   if the dtypes differ
     */
    public static Tensor squaredDistances(Tensor x, Tensor y, Tensor potential, double epsilon) {
        Objects.requireNonNull(x, "softMin: x must be a tensor, got null");
        Objects.requireNonNull(y, "softMin: y must be a tensor, got null");
        Objects.requireNonNull(potential, "softMin: potential must be a tensor, got null");
        checkEpsilon(epsilon);
        x.live();
        y.live();
        potential.live();
        checkFloating("x", x, y, potential);
        if (x.rank() < 2 || y.rank() < 2 || potential.rank() < 1) {
            throw new ShapeMismatchException("softMin: x must be [..., n, d], y [..., m, d] and potential [..., m], got x "
                    + Arrays.toString(x.shape) + ", y " + Arrays.toString(y.shape) + " and potential " + Arrays.toString(potential.shape));
        }
        long n = x.shape[x.rank() - 2];
        long d = x.shape[x.rank() - 1];
        long m = y.shape[y.rank() - 2];
        long[] batch = Arrays.copyOf(potential.shape, potential.rank() - 1);
        if (y.shape[y.rank() - 1] != d || potential.shape[potential.rank() - 1] != m
                || x.rank() != 2 && !Arrays.equals(batch, Arrays.copyOf(x.shape, x.rank() - 2))
                || y.rank() != 2 && !Arrays.equals(batch, Arrays.copyOf(y.shape, y.rank() - 2))) {
            throw new ShapeMismatchException("softMin: x [..., n, d], y [..., m, d] and potential [..., m] must agree in d, m"
                    + " and their batch dimensions (or the points be [n, d] / [m, d]), got x " + Arrays.toString(x.shape)
                    + ", y " + Arrays.toString(y.shape) + " and potential " + Arrays.toString(potential.shape));
        }
        if (m > Integer.MAX_VALUE - 64) {
            throw new ShapeMismatchException("softMin: y may hold at most " + (Integer.MAX_VALUE - 64) + " points, got "
                    + Arrays.toString(y.shape));
        }
        Device device = Ops.commonDevice("softMin", x, y, potential);
        Tensor out = Tensor.allocate(x.dtype, Shapes.insert(batch, batch.length, n), device, true);
        try (Autodiff.GradMode off = Autodiff.noGrad(); Tensor xc = x.contiguous(); Tensor yc = y.contiguous();
             Tensor h = potential.contiguous()) {
            Ops.run(out, Kernels.SOFT_MIN_SQUARED_DISTANCES, new Kernels.SoftMin(epsilon),
                    xc.kernelView(), yc.kernelView(), h.kernelView(), out.kernelView());
        }
        return GradNode.record(out, "softMinSquaredDistances", new Tensor[]{x, y, potential}, x, y, potential,
                (g, xs, ys, h, needs) -> {
                    Tensor yt = ys.transpose(ys.rank() - 2, ys.rank() - 1);
                    Tensor cost = xs.square().sum(new int[]{xs.rank() - 1}, true)
                            .add(ys.square().sum(new int[]{ys.rank() - 1}, true).transpose(ys.rank() - 2, ys.rank() - 1))
                            .sub(xs.matmul(yt).mul(2.0));
                    Tensor w = g.unsqueeze(-1).mul(h.unsqueeze(-2).sub(cost).div(epsilon).softmax(-1));   // g_i·π_ij
                    Tensor gx = null;
                    Tensor gy = null;
                    if (needs[0]) {   // ∂/∂x_i = 2·Σ_j w_ij (x_i − y_j)
                        Tensor full = xs.mul(w.sum(new int[]{w.rank() - 1}, true)).sub(w.matmul(ys)).mul(2.0);
                        gx = sumLeading(full, full.rank() - xs.rank());
                    }
                    if (needs[1]) {   // ∂/∂y_j = 2·Σ_i w_ij (y_j − x_i)
                        Tensor wt = w.transpose(w.rank() - 2, w.rank() - 1);
                        Tensor full = ys.mul(wt.sum(new int[]{wt.rank() - 1}, true)).sub(wt.matmul(xs)).mul(2.0);
                        gy = sumLeading(full, full.rank() - ys.rank());
                    }
                    Tensor gh = needs[2] ? w.sum(w.rank() - 2).neg() : null;
                    return new Tensor[]{gx, gy, gh};
                });
    }

    /** Whether the kernel reads {@code t} in place: contiguous, or the transpose of its last two axes contiguous. */
    private static boolean denseRowsOrColumns(Tensor t) {
        if (t.isContiguous()) {
            return true;
        }
        long[] shape = t.shape;
        long[] strides = t.strides();
        int r = shape.length;
        if (shape[r - 2] > 1 && strides[r - 2] != 1) {
            return false;
        }
        long expected = shape[r - 2];
        if (shape[r - 1] > 1 && strides[r - 1] != expected) {
            return false;
        }
        expected *= shape[r - 1];
        for (int d = r - 3; d >= 0; d--) {
            if (shape[d] > 1 && strides[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** {@code t} summed over its first {@code count} axes (the batch axes a shared operand was broadcast over). */
    private static Tensor sumLeading(Tensor t, int count) {
        if (count == 0) {
            return t;
        }
        int[] axes = new int[count];
        for (int i = 0; i < count; i++) {
            axes[i] = i;
        }
        return t.sum(axes);
    }

    private static void checkEpsilon(double epsilon) {
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("softMin: epsilon must be positive and finite, got " + epsilon);
        }
    }

    private static void checkFloating(String first, Tensor... tensors) {
        DType t = tensors[0].dtype;
        if (t != DType.F32 && t != DType.F64) {
            throw new IllegalArgumentException("softMin: " + first + " must be F32 or F64, got " + t);
        }
        for (Tensor other : tensors) {
            if (other.dtype != t) {
                throw new DTypeMismatchException("softMin: all operands must have one dtype, got " + t + " and " + other.dtype);
            }
        }
    }
}
