package dev.proxima.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.SoftMin;
import dev.proxima.tensor.Tensor;

import java.util.Objects;

/**
 * A geometry of two point clouds x {@code [n, d]} and y {@code [m, d]} (or {@code [B, n, d]} / {@code [B, m, d]})
 * under a {@link CostFunction}, squared Euclidean by default. Gradients of a solver's value reach the points through
 * the cost function's tensor ops.
 *
 * <p>An {@linkplain #online online} point cloud never forms the {@code [n, m]} cost: its soft-minima compute the
 * squared Euclidean costs on the fly, block by block in registers (the core's {@code SoftMin.squaredDistances}), so
 * memory is O((n + m)·d): log-domain Sinkhorn on 100 000 × 100 000 points in 3-D needs a few megabytes.
 *
 * {@snippet :
 * PointCloud dense = PointCloud.of(x, y);                                // ‖x_i − y_j‖², formed once per solve
 * PointCloud l1 = PointCloud.of(x, y, CostFunction.pNorm(1, 1));
 * PointCloud large = PointCloud.online(x, y);                            // never forms the cost
 * }
 */
public final class PointCloud implements Geometry {

    private final Tensor x;
    private final Tensor y;
    private final CostFunction costFunction;
    private final boolean online;

    private PointCloud(Tensor x, Tensor y, CostFunction costFunction, boolean online) {
        this.x = x;
        this.y = y;
        this.costFunction = costFunction;
        this.online = online;
    }

    /**
     * Two point clouds under the squared Euclidean cost.
     *
     * @param x the source points, {@code [n, d]} or {@code [B, n, d]}, F32 or F64 (referenced, not copied)
     * @param y the target points, {@code [m, d]} or {@code [B, m, d]}, of x's dtype and dimension
     * @return the geometry
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a cloud is empty, of the wrong rank, or not F32/F64
     * @throws ShapeMismatchException   if the dimensions or batch sizes differ
     */
    public static PointCloud of(Tensor x, Tensor y) {
        return of(x, y, CostFunction.squaredEuclidean());
    }

    /**
     * Two point clouds under a cost function.
     *
     * @param x    the source points, {@code [n, d]} or {@code [B, n, d]}, F32 or F64 (referenced, not copied)
     * @param y    the target points, {@code [m, d]} or {@code [B, m, d]}, of x's dtype and dimension
     * @param cost the cost function
     * @return the geometry
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a cloud is empty, of the wrong rank, or not F32/F64
     * @throws ShapeMismatchException   if the dimensions or batch sizes differ
     */
    public static PointCloud of(Tensor x, Tensor y, CostFunction cost) {
        check(x, y);
        return new PointCloud(x, y, Objects.requireNonNull(cost, "cost must be a cost function, got null"), false);
    }

    /**
     * Two point clouds under the squared Euclidean cost whose soft-minima never form the cost matrix (see the
     * class comment). {@link #cost()} and a plan still form it when asked.
     *
     * @param x the source points, {@code [n, d]} or {@code [B, n, d]}, F32 or F64 (referenced, not copied)
     * @param y the target points, {@code [m, d]} or {@code [B, m, d]}, of x's dtype and dimension
     * @return the geometry
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a cloud is empty, of the wrong rank, or not F32/F64
     * @throws ShapeMismatchException   if the dimensions or batch sizes differ
     */
    public static PointCloud online(Tensor x, Tensor y) {
        check(x, y);
        return new PointCloud(x, y, CostFunction.squaredEuclidean(), true);
    }

    private static void check(Tensor x, Tensor y) {
        Checks.floating("x", x);
        Checks.floating("y", y);
        for (Tensor t : new Tensor[]{x, y}) {
            String name = t == x ? "x" : "y";
            if (t.rank() != 2 && t.rank() != 3) {
                throw new IllegalArgumentException(name + " must be points [n, d] or a batch [B, n, d], got shape " + Checks.shape(t));
            }
            if (t.size() == 0) {
                throw new IllegalArgumentException(name + " must hold at least one point of dimension ≥ 1, got shape " + Checks.shape(t));
            }
        }
        Checks.sameDtype("x and y", x, y);
        if (x.dim(x.rank() - 1) != y.dim(y.rank() - 1)) {
            throw new ShapeMismatchException("x and y must have the same dimension d, got x " + Checks.shape(x) + " and y " + Checks.shape(y));
        }
        if (x.rank() == 3 && y.rank() == 3 && x.dim(0) != y.dim(0)) {
            throw new ShapeMismatchException("x and y must have the same batch size, got x " + Checks.shape(x) + " and y " + Checks.shape(y));
        }
    }

    /**
     * The source points.
     *
     * @return x, as given
     */
    public Tensor x() {
        return x;
    }

    /**
     * The target points.
     *
     * @return y, as given
     */
    public Tensor y() {
        return y;
    }

    /**
     * The cost function.
     *
     * @return the cost function
     */
    public CostFunction costFunction() {
        return costFunction;
    }

    @Override
    public boolean isOnline() {
        return online;
    }

    @Override
    public long rows() {
        return x.dim(x.rank() - 2);
    }

    @Override
    public long columns() {
        return y.dim(y.rank() - 2);
    }

    @Override
    public long batch() {
        return x.rank() == 3 ? x.dim(0) : y.rank() == 3 ? y.dim(0) : 0;
    }

    @Override
    public DType dtype() {
        return x.dtype();
    }

    @Override
    public Device device() {
        return x.device();
    }

    @Override
    public Tensor cost() {
        return costFunction.apply(x, y);
    }

    /**
     * {@inheritDoc} An online point cloud computes the squared Euclidean costs on the fly; otherwise this forms the
     * cost matrix on each call (solvers form it once per solve).
     */
    @Override
    public Tensor softMinRows(Tensor potential, double epsilon) {
        Checks.epsilon(epsilon);
        Objects.requireNonNull(potential, "potential must be a tensor, got null");
        if (online) {
            return SoftMin.squaredDistances(x, y, potential, epsilon);
        }
        try (Tensor c = cost()) {
            return CostMatrix.of(c).softMinRows(potential, epsilon);
        }
    }

    /**
     * {@inheritDoc} An online point cloud computes the squared Euclidean costs on the fly; otherwise this forms the
     * cost matrix on each call (solvers form it once per solve).
     */
    @Override
    public Tensor softMinColumns(Tensor potential, double epsilon) {
        Checks.epsilon(epsilon);
        Objects.requireNonNull(potential, "potential must be a tensor, got null");
        if (online) {
            return SoftMin.squaredDistances(y, x, potential, epsilon);
        }
        try (Tensor c = cost()) {
            return CostMatrix.of(c).softMinColumns(potential, epsilon);
        }
    }

    @Override
    public String toString() {
        return (online ? "PointCloud.online(" : "PointCloud(") + "x " + Checks.shape(x) + ", y " + Checks.shape(y) + ", " + costFunction + ")";
    }
}
