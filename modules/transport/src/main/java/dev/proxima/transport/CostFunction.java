package dev.proxima.transport;

import dev.proxima.tensor.Tensor;

import java.util.Objects;

/**
 * A ground cost between two point clouds, built from tensor operations so that it is differentiable in the points:
 * given x {@code [n, d]} and y {@code [m, d]} (or both with one leading batch dimension) it returns the cost matrix
 * {@code [n, m]} (or {@code [B, n, m]}). Any lambda written with tensor ops is a cost function.
 *
 * {@snippet :
 * CostFunction l1 = CostFunction.pNorm(1, 1);                             // Σ_k |x_k − y_k|
 * CostFunction cosine = (x, y) -> x.matmul(y.transpose()).neg().add(1.0); // 1 − x·y for unit vectors
 * PointCloud cloud = PointCloud.of(x, y, cosine);
 * }
 */
@FunctionalInterface
public interface CostFunction {

    /**
     * The cost matrix of two point clouds.
     *
     * @param x the first points, {@code [n, d]} or {@code [B, n, d]}
     * @param y the second points, {@code [m, d]} or {@code [B, m, d]}, of x's dtype and dimension
     * @return the costs {@code [n, m]} (or {@code [B, n, m]}), of the points' dtype, owned by the current scope
     */
    Tensor apply(Tensor x, Tensor y);

    /**
     * The squared Euclidean cost {@code ‖x_i − y_j‖²}, computed as {@code ‖x_i‖² + ‖y_j‖² − 2 x_i·y_j} clamped at 0
     * (POT's {@code ot.dist} default). The only cost an {@linkplain PointCloud#online online} point cloud computes.
     *
     * @return the squared Euclidean cost
     */
    static CostFunction squaredEuclidean() {
        return SquaredEuclidean.INSTANCE;
    }

    /**
     * The Euclidean cost {@code ‖x_i − y_j‖} (the square root of {@link #squaredEuclidean()}; its gradient is
     * undefined where two points coincide).
     *
     * @return the Euclidean cost
     */
    static CostFunction euclidean() {
        return (x, y) -> squaredEuclidean().apply(x, y).sqrt();
    }

    /**
     * The p-norm cost raised to a power: {@code ‖x_i − y_j‖_p^q = (Σ_k |x_ik − y_jk|^p)^(q/p)}. It forms a
     * {@code [n, m, d]} temporary.
     *
     * @param p the norm's exponent, at least 1
     * @param q the power the norm is raised to, positive
     * @return the cost
     * @throws IllegalArgumentException if p &lt; 1 or q ≤ 0 (or either is not finite)
     */
    static CostFunction pNorm(double p, double q) {
        if (!(p >= 1) || Double.isInfinite(p)) {
            throw new IllegalArgumentException("pNorm: p must be finite and at least 1, got " + p);
        }
        if (!(q > 0) || Double.isInfinite(q)) {
            throw new IllegalArgumentException("pNorm: q must be positive and finite, got " + q);
        }
        return (x, y) -> {
            Objects.requireNonNull(x, "x");
            Objects.requireNonNull(y, "y");
            Tensor diff = x.unsqueeze(x.rank() - 1).sub(y.unsqueeze(y.rank() - 2)).abs();   // [.., n, m, d]
            Tensor sum = diff.pow(p).sum(diff.rank() - 1);
            return q == p ? sum : sum.pow(q / p);
        };
    }
}
