package dev.proxima.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.SoftMin;
import dev.proxima.tensor.Tensor;

import java.util.Objects;

/**
 * A geometry given by its cost matrix {@code C [n, m]} (or {@code [B, n, m]}), as POT's {@code M}. The column
 * soft-min reads the transposed cost in place, so a Sinkhorn iteration allocates only vectors.
 *
 * {@snippet :
 * Geometry geometry = CostMatrix.of(Tensor.fromArray(new double[][] {{0, 1}, {1, 0}}));
 * }
 */
public final class CostMatrix implements Geometry {

    private final Tensor cost;

    private CostMatrix(Tensor cost) {
        this.cost = cost;
    }

    /**
     * A geometry of a given cost matrix (referenced, not copied: keep it open while the geometry is used).
     *
     * @param cost the costs, {@code [n, m]} or {@code [B, n, m]}, F32 or F64, finite, n, m ≥ 1
     * @return the geometry
     * @throws NullPointerException     if cost is null
     * @throws IllegalArgumentException if the cost is not of rank 2 or 3, is empty, is not F32/F64, or holds NaN
     *                                  or infinite values
     */
    public static CostMatrix of(Tensor cost) {
        Checks.floating("cost", cost);
        if (cost.rank() != 2 && cost.rank() != 3) {
            throw new IllegalArgumentException("cost must be a matrix [n, m] or a batch [B, n, m], got shape " + Checks.shape(cost));
        }
        if (cost.size() == 0) {
            throw new IllegalArgumentException("cost must have at least one row and one column, got shape " + Checks.shape(cost));
        }
        try (Tensor finite = cost.isfinite().logicalNot().sum()) {
            long bad = (long) finite.item();
            if (bad > 0) {
                throw new IllegalArgumentException("cost must be finite, got " + bad + " NaN or infinite entries in shape "
                        + Checks.shape(cost));
            }
        }
        return new CostMatrix(cost);
    }

    @Override
    public long rows() {
        return cost.dim(cost.rank() - 2);
    }

    @Override
    public long columns() {
        return cost.dim(cost.rank() - 1);
    }

    @Override
    public long batch() {
        return cost.rank() == 3 ? cost.dim(0) : 0;
    }

    @Override
    public DType dtype() {
        return cost.dtype();
    }

    @Override
    public Device device() {
        return cost.device();
    }

    @Override
    public Tensor cost() {
        return cost.reshape(cost.shape());
    }

    @Override
    public Tensor softMinRows(Tensor potential, double epsilon) {
        Checks.epsilon(epsilon);
        return SoftMin.rows(cost, Objects.requireNonNull(potential, "potential must be a tensor, got null"), epsilon);
    }

    @Override
    public Tensor softMinColumns(Tensor potential, double epsilon) {
        Checks.epsilon(epsilon);
        Objects.requireNonNull(potential, "potential must be a tensor, got null");
        try (Tensor transposed = cost.transpose(cost.rank() - 2, cost.rank() - 1)) {
            return SoftMin.rows(transposed, potential, epsilon);
        }
    }

    @Override
    public String toString() {
        return "CostMatrix" + Checks.shape(cost);
    }
}
