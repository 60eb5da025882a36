package dev.proxima.transport;

import dev.proxima.tensor.DTypeMismatchException;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * POT-named one-liners for the common optimal-transport calls, so that code written against Python's POT
 * ({@code import ot}) ports line by line: same argument order and meaning, F64 in and F64 out. Each one is a
 * thin call into the layered API of this package.
 *
 * {@snippet :
 * Tensor M = Ot.dist(x, y);   // [n, m] squared Euclidean costs, as ot.dist(x, y)
 * }
 */
public final class Ot {

    private Ot() {
    }

    /**
     * The matrix of squared Euclidean distances between the rows of {@code x} and those of {@code y}, as POT's
     * {@code ot.dist(x1, x2)} with its default metric {@code 'sqeuclidean'}: {@code M[i, j] = ‖x_i − y_j‖²},
     * computed as {@code ‖x_i‖² + ‖y_j‖² − 2 x_i·y_j} and clamped at 0 against rounding. Differentiable in both
     * arguments.
     *
     * @param x points, shape [n, d], floating point
     * @param y points, shape [m, d], of the same dtype and dimension d
     * @return the cost matrix, shape [n, m], of the points' dtype
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a tensor is not of rank 2, is empty, or is not floating point
     * @throws ShapeMismatchException   if the dimensions d differ
     * @throws DTypeMismatchException   if the dtypes differ
     */
    public static Tensor dist(Tensor x, Tensor y) {
        Objects.requireNonNull(x, "x must be a tensor, got null");
        Objects.requireNonNull(y, "y must be a tensor, got null");
        checkPoints("x", x);
        checkPoints("y", y);
        if (x.shape()[1] != y.shape()[1]) {
            throw new ShapeMismatchException("dist: x and y must have the same dimension, got x "
                    + Arrays.toString(x.shape()) + " and y " + Arrays.toString(y.shape()));
        }
        if (x.dtype() != y.dtype()) {
            throw new DTypeMismatchException("dist: x and y must have the same dtype, got "
                    + x.dtype() + " and " + y.dtype());
        }
        try (Scope s = Scope.open()) {
            Tensor xx = x.square().sum(new int[] {1}, true);              // [n, 1]
            Tensor yy = y.square().sum(new int[] {1}, true).transpose();  // [1, m]
            Tensor cross = x.matmul(y.transpose());                        // [n, m]
            return s.keep(xx.add(yy).sub(cross.mul(2.0)).maximum(0.0));
        }
    }

    private static void checkPoints(String name, Tensor t) {
        if (t.rank() != 2) {
            throw new IllegalArgumentException("dist: " + name + " must be points of shape [n, d], got shape "
                    + Arrays.toString(t.shape()));
        }
        if (t.size() == 0) {
            throw new IllegalArgumentException("dist: " + name + " must hold at least one point of dimension ≥ 1, got shape "
                    + Arrays.toString(t.shape()));
        }
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException("dist: " + name + " must be floating point, got " + t.dtype());
        }
    }
}
