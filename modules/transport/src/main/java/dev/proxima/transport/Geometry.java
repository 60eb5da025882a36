package dev.proxima.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Tensor;

/**
 * Where mass is transported: n source locations, m target locations and the cost {@code C_ij} of moving a unit
 * from one to the other (OTT-JAX's geometry layer). A geometry holds references to its tensors (it owns none and
 * closes none); it exposes what solvers need — the row and column soft-minima of log-domain Sinkhorn, the Gibbs
 * kernel of the scaling form, and the dense cost when asked.
 *
 * <p>Implementations: {@link CostMatrix} (a given cost), {@link PointCloud} (costs of two point clouds under a
 * {@link CostFunction}, dense or {@linkplain PointCloud#online online}). A geometry may carry one leading batch
 * dimension B (cost {@code [B, n, m]}), solved together.
 *
 * {@snippet :
 * Geometry geometry = PointCloud.of(x, y);                      // squared Euclidean
 * Tensor f = geometry.softMinRows(g.add(b.log().mul(eps)), eps); // the c-transform −ε·log Σ_j b_j e^{(g_j − C_ij)/ε}
 * }
 */
public sealed interface Geometry permits CostMatrix, PointCloud {

    /**
     * The number of source locations.
     *
     * @return n
     */
    long rows();

    /**
     * The number of target locations.
     *
     * @return m
     */
    long columns();

    /**
     * The leading batch dimension, or 0 for an unbatched geometry.
     *
     * @return B, or 0
     */
    long batch();

    /**
     * The dtype of the costs.
     *
     * @return F32 or F64
     */
    DType dtype();

    /**
     * The device of the geometry's tensors.
     *
     * @return the device
     */
    Device device();

    /**
     * The dense cost matrix, differentiable in the geometry's tensors (an online point cloud forms it too, so ask
     * only for small problems).
     *
     * @return the costs {@code [n, m]} (or {@code [B, n, m]}), owned by the current scope (for a {@link CostMatrix},
     *         a new handle on its cost)
     */
    Tensor cost();

    /**
     * The soft-minimum of each cost row shifted by a potential: {@code out_i = −ε·log Σ_j exp((h_j − C_ij)/ε)}
     * (with {@code h = g + ε·log b} this is the Sinkhorn update of f), by the core's fused {@code SoftMin} kernel.
     *
     * @param potential h, {@code [m]} or {@code [B, m]}, of the geometry's dtype
     * @param epsilon   ε, positive and finite
     * @return {@code [n]} (or {@code [B, n]}), owned by the current scope
     * @throws IllegalArgumentException if ε is not positive and finite, or the shapes do not fit
     */
    Tensor softMinRows(Tensor potential, double epsilon);

    /**
     * The soft-minimum of each cost column shifted by a potential: {@code out_j = −ε·log Σ_i exp((h_i − C_ij)/ε)}
     * (the Sinkhorn update of g, with {@code h = f + ε·log a}).
     *
     * @param potential h, {@code [n]} or {@code [B, n]}, of the geometry's dtype
     * @param epsilon   ε, positive and finite
     * @return {@code [m]} (or {@code [B, m]}), owned by the current scope
     * @throws IllegalArgumentException if ε is not positive and finite, or the shapes do not fit
     */
    Tensor softMinColumns(Tensor potential, double epsilon);

    /**
     * The Gibbs kernel {@code K = exp(−C/ε)} of the scaling form of Sinkhorn, dense.
     *
     * @param epsilon ε, positive and finite
     * @return K, {@code [n, m]} (or {@code [B, n, m]}), owned by the current scope
     * @throws IllegalArgumentException if ε is not positive and finite
     */
    default Tensor kernel(double epsilon) {
        Checks.epsilon(epsilon);
        return cost().div(-epsilon).exp();
    }

    /**
     * Whether the dense cost is never formed by the solvers (an online point cloud).
     *
     * @return true for an online geometry
     */
    default boolean isOnline() {
        return false;
    }
}
