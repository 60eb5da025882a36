package dev.proxima.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.DTypeMismatchException;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.transport.internal.Inputs;

import java.util.Arrays;
import java.util.Objects;

/**
 * The sliced Wasserstein distance, as POT's {@code ot.sliced_wasserstein_distance}: both point clouds are
 * projected on k directions θ_l, the exact 1-D loss {@link Wasserstein1d} is taken on each line, and
 * {@code SW_p = ((1/k) Σ_l W_p^p(θ_l·X_s, θ_l·X_t))^(1/p)}. Differentiable with respect to the point positions
 * (through the projections and the sorts), so it serves as a training loss.
 *
 * {@snippet :
 * Rng rng = Rng.seed(42);
 * Tensor directions = SlicedWasserstein.randomProjections(3, 50, rng, DType.F64);   // [3, 50], unit columns
 * Tensor empty = Tensor.of(new double[0]);                                         // uniform weights
 * Tensor sw = SlicedWasserstein.distance(xs, xt, empty, empty, directions, 2.0);   // 0-d tensor
 * }
 *
 * <p>Reference: Bonneel, Rabin, Peyré, Pfister, "Sliced and Radon Wasserstein barycenters of measures",
 * J. Math. Imaging Vis. 51, 2015.
 */
public final class SlicedWasserstein {

    private SlicedWasserstein() {
    }

    /**
     * The sliced distance along the given directions.
     *
     * @param xs          source points, shape [n, d], floating point, finite
     * @param xt          target points, shape [m, d], the same d and dtype
     * @param a           source weights: empty for uniform, else shape [n] (as in {@link Wasserstein1d#cost})
     * @param b           target weights: empty for uniform, else shape [m], the same mass as a
     * @param projections the directions as the columns of a [d, k] matrix (POT's layout), k ≥ 1, of xs's dtype;
     *                    they are used as given (POT's random ones have unit length)
     * @param p           the order, ≥ 1
     * @return a 0-d tensor of xs's dtype: {@code (mean over the k directions of W_p^p)^(1/p)}; differentiable
     *         with respect to xs, xt and the projections
     * @throws NullPointerException     if an argument is null
     * @throws ShapeMismatchException   if the point dimensions or the projections' rows do not match d, or a
     *                                  weight vector does not match its points
     * @throws DTypeMismatchException   if xs, xt and the projections differ in dtype
     * @throws IllegalArgumentException if a tensor is empty or not floating point, a value is NaN or infinite,
     *                                  a weight is negative, masses differ, or p &lt; 1
     */
    public static Tensor distance(Tensor xs, Tensor xt, Tensor a, Tensor b, Tensor projections, double p) {
        return distance("slicedWassersteinDistance", xs, xt, a, b, projections, p);
    }

    static Tensor distance(String op, Tensor xs, Tensor xt, Tensor a, Tensor b, Tensor projections, double p) {
        Objects.requireNonNull(xs, op + ": xs must be a tensor, got null");
        Objects.requireNonNull(xt, op + ": xt must be a tensor, got null");
        Objects.requireNonNull(a, op + ": a must be a tensor (an empty one for uniform weights), got null");
        Objects.requireNonNull(b, op + ": b must be a tensor (an empty one for uniform weights), got null");
        Objects.requireNonNull(projections, op + ": projections must be a tensor, got null");
        Inputs.order(op, p);
        checkPoints(op, "xs", xs);
        checkPoints(op, "xt", xt);
        long d = xs.shape()[1];
        if (xt.shape()[1] != d) {
            throw new ShapeMismatchException(op + ": xs and xt must have the same dimension, got "
                    + Arrays.toString(xs.shape()) + " and " + Arrays.toString(xt.shape()));
        }
        if (projections.rank() != 2 || projections.shape()[0] != d || projections.shape()[1] == 0) {
            throw new ShapeMismatchException(op + ": projections must have shape [" + d + ", k] with k ≥ 1 (one direction "
                    + "per column), got " + Arrays.toString(projections.shape()));
        }
        if (xt.dtype() != xs.dtype() || projections.dtype() != xs.dtype()) {
            throw new DTypeMismatchException(op + ": xs, xt and projections must have the same dtype, got " + xs.dtype()
                    + ", " + xt.dtype() + " and " + projections.dtype());
        }
        Inputs.finite(op, "xs", xs.toDoubleArray());
        Inputs.finite(op, "xt", xt.toDoubleArray());
        Inputs.finite(op, "projections", projections.toDoubleArray());
        if (a.size() != 0 && (a.rank() != 1 || a.shape()[0] != xs.shape()[0])) {
            throw new ShapeMismatchException(op + ": a must be empty (uniform) or of shape [" + xs.shape()[0] + "], got "
                    + Arrays.toString(a.shape()));
        }
        if (b.size() != 0 && (b.rank() != 1 || b.shape()[0] != xt.shape()[0])) {
            throw new ShapeMismatchException(op + ": b must be empty (uniform) or of shape [" + xt.shape()[0] + "], got "
                    + Arrays.toString(b.shape()));
        }
        long k = projections.shape()[1];
        try (Scope scope = Scope.open()) {
            Tensor ps = xs.matmul(projections);    // [n, k]
            Tensor pt = xt.matmul(projections);    // [m, k]
            Tensor losses = Wasserstein1d.cost(op, ps, pt, a, b, p);
            return scope.keep(losses.sum().div((double) k).pow(1.0 / p));
        }
    }

    /**
     * Random directions as POT's {@code get_random_projections}: standard normal samples of shape
     * [d, count], each column divided by its length, so the directions are uniform on the unit sphere.
     *
     * @param d     the dimension, ≥ 1
     * @param count the number of directions, ≥ 1
     * @param rng   the random stream (advanced by d·count normal draws)
     * @param dtype F32 or F64
     * @return a new [d, count] tensor with unit columns, on the rng's device
     * @throws NullPointerException     if rng or dtype is null
     * @throws IllegalArgumentException if d or count is &lt; 1, or dtype is not floating point
     */
    public static Tensor randomProjections(int d, int count, Rng rng, DType dtype) {
        Objects.requireNonNull(rng, "randomProjections: rng must not be null");
        Objects.requireNonNull(dtype, "randomProjections: dtype must not be null");
        if (d < 1 || count < 1) {
            throw new IllegalArgumentException("randomProjections: d and count must be ≥ 1, got d = " + d + ", count = " + count);
        }
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("randomProjections: dtype must be floating point, got " + dtype);
        }
        try (Scope scope = Scope.open()) {
            Tensor g = rng.normal(dtype, 0.0, 1.0, d, count);
            Tensor norms = g.square().sum(new int[] {0}, true).sqrt();
            return scope.keep(g.div(norms));
        }
    }

    private static void checkPoints(String op, String name, Tensor t) {
        if (t.rank() != 2 || t.shape()[0] == 0 || t.shape()[1] == 0) {
            throw new IllegalArgumentException(op + ": " + name + " must be points of shape [n, d] with n, d ≥ 1, got shape "
                    + Arrays.toString(t.shape()));
        }
        Inputs.floating(op, name, t);
    }
}
