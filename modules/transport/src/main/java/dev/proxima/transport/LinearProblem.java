package dev.proxima.transport;

import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Objects;

/**
 * A linear optimal transport problem: a {@link Geometry} and the weights a (on its n rows) and b (on its m
 * columns), balanced ({@code P·1 = a}, {@code Pᵀ·1 = b}) or unbalanced, where the marginal constraints are relaxed
 * into KL penalties {@code τ_a·KL(P·1 ‖ a) + τ_b·KL(Pᵀ·1 ‖ b)} (τ is POT's {@code reg_m}; τ = ∞ keeps that
 * side's constraint). Weights {@code [B, n]} / {@code [B, m]}, or a batched geometry, pose B problems solved
 * together.
 *
 * <p>The weights are checked when the problem is made — non-negative, finite, positive total mass, equal masses
 * when balanced (relative difference at most 10⁻⁶ in F64, 10⁻⁴ in F32) — so that solvers start only on valid input.
 *
 * {@snippet :
 * LinearProblem balanced = LinearProblem.of(PointCloud.of(x, y), a, b);
 * LinearProblem uniform = LinearProblem.of(PointCloud.of(x, y));                 // a = 1/n, b = 1/m
 * LinearProblem relaxed = LinearProblem.unbalanced(CostMatrix.of(m), a, b, 1.0, 1.0);
 * }
 *
 * @param geometry the geometry
 * @param a        the source weights, {@code [n]} or {@code [B, n]}, of the geometry's dtype and device
 * @param b        the target weights, {@code [m]} or {@code [B, m]}
 * @param tauA     the KL weight of the source marginal, positive, {@link Double#POSITIVE_INFINITY} when balanced
 * @param tauB     the KL weight of the target marginal, positive, {@link Double#POSITIVE_INFINITY} when balanced
 */
public record LinearProblem(Geometry geometry, Tensor a, Tensor b, double tauA, double tauB) {

    /**
     * Checks the problem (see the class comment).
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a weight is negative, NaN or infinite, a total mass is 0, the masses of a
     *                                  balanced problem differ, or τ is not positive
     * @throws ShapeMismatchException   if the weights do not fit the geometry
     */
    public LinearProblem {
        Objects.requireNonNull(geometry, "geometry must be a geometry, got null");
        Checks.floating("a", a);
        Checks.floating("b", b);
        if (!(tauA > 0) || !(tauB > 0)) {
            throw new IllegalArgumentException("tauA and tauB must be positive (infinite for a balanced side), got "
                    + tauA + " and " + tauB);
        }
        double[] massA = masses("a", a, geometry.rows(), geometry);
        double[] massB = masses("b", b, geometry.columns(), geometry);
        if (a.rank() == 2 && b.rank() == 2 && a.dim(0) != b.dim(0)) {
            throw new ShapeMismatchException("a and b must have the same batch size, got a " + Checks.shape(a) + " and b " + Checks.shape(b));
        }
        if (tauA == Double.POSITIVE_INFINITY && tauB == Double.POSITIVE_INFINITY) {
            double tolerance = a.dtype() == dev.proxima.tensor.DType.F32 ? 1e-4 : 1e-6;
            for (int k = 0; k < Math.max(massA.length, massB.length); k++) {
                double ma = massA[Math.min(k, massA.length - 1)];
                double mb = massB[Math.min(k, massB.length - 1)];
                if (Math.abs(ma - mb) > tolerance * Math.max(ma, mb)) {
                    throw new IllegalArgumentException("a balanced problem needs weights of equal mass, got a summing to " + ma
                            + " and b to " + mb + (massA.length > 1 || massB.length > 1 ? " in batch " + k : "")
                            + "; normalise them or make the problem unbalanced");
                }
            }
        }
    }

    /**
     * A balanced problem with uniform weights {@code a = 1/n}, {@code b = 1/m} (created in the current scope).
     *
     * @param geometry the geometry
     * @return the problem
     * @throws NullPointerException if geometry is null
     */
    public static LinearProblem of(Geometry geometry) {
        Objects.requireNonNull(geometry, "geometry must be a geometry, got null");
        Tensor a = Tensor.full(1.0 / geometry.rows(), geometry.dtype(), geometry.device(), geometry.rows());
        Tensor b = Tensor.full(1.0 / geometry.columns(), geometry.dtype(), geometry.device(), geometry.columns());
        return new LinearProblem(geometry, a, b, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    /**
     * A balanced problem.
     *
     * @param geometry the geometry
     * @param a        the source weights, {@code [n]} or {@code [B, n]}
     * @param b        the target weights, {@code [m]} or {@code [B, m]}, of a's total mass
     * @return the problem
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a weight is negative, NaN or infinite, or the masses differ
     * @throws ShapeMismatchException   if the weights do not fit the geometry
     */
    public static LinearProblem of(Geometry geometry, Tensor a, Tensor b) {
        return new LinearProblem(geometry, a, b, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    /**
     * An unbalanced problem: the marginals are penalised by {@code τ_a·KL(P·1 ‖ a) + τ_b·KL(Pᵀ·1 ‖ b)}, as POT's
     * {@code sinkhorn_unbalanced} with {@code reg_m = τ}.
     *
     * @param geometry the geometry
     * @param a        the source weights, {@code [n]} or {@code [B, n]}
     * @param b        the target weights, {@code [m]} or {@code [B, m]} (any positive mass)
     * @param tauA     the source marginal's KL weight, positive ({@link Double#POSITIVE_INFINITY}: a constraint)
     * @param tauB     the target marginal's KL weight, positive ({@link Double#POSITIVE_INFINITY}: a constraint)
     * @return the problem
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a weight is negative, NaN or infinite, or τ is not positive
     * @throws ShapeMismatchException   if the weights do not fit the geometry
     */
    public static LinearProblem unbalanced(Geometry geometry, Tensor a, Tensor b, double tauA, double tauB) {
        return new LinearProblem(geometry, a, b, tauA, tauB);
    }

    /**
     * Whether both marginals are constraints.
     *
     * @return true when τ_a = τ_b = ∞
     */
    public boolean isBalanced() {
        return tauA == Double.POSITIVE_INFINITY && tauB == Double.POSITIVE_INFINITY;
    }

    /**
     * The number of problems solved together: the batch of the geometry or of the weights, 0 when unbatched.
     *
     * @return B, or 0
     */
    public long batch() {
        return geometry.batch() > 0 ? geometry.batch() : a.rank() == 2 ? a.dim(0) : b.rank() == 2 ? b.dim(0) : 0;
    }

    private static double[] masses(String name, Tensor w, long length, Geometry geometry) {
        if (w.rank() != 1 && w.rank() != 2 || w.dim(w.rank() - 1) != length
                || w.rank() == 2 && geometry.batch() > 0 && w.dim(0) != geometry.batch()) {
            throw new ShapeMismatchException(name + " must be weights [" + length + "]" + (geometry.batch() > 0 ? " or ["
                    + geometry.batch() + ", " + length + "]" : " or [B, " + length + "]") + " for the geometry " + geometry
                    + ", got shape " + Checks.shape(w));
        }
        if (w.dtype() != geometry.dtype()) {
            throw new dev.proxima.tensor.DTypeMismatchException(name + " must have the geometry's dtype " + geometry.dtype()
                    + ", got " + w.dtype());
        }
        if (!w.device().equals(geometry.device())) {
            throw new IllegalArgumentException(name + " must be on the geometry's device " + geometry.device() + ", got " + w.device());
        }
        double[] values = w.toDoubleArray();
        int rows = w.rank() == 2 ? (int) w.dim(0) : 1;
        double[] mass = new double[rows];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(name + " must hold non-negative finite weights, got " + v + " at index " + i
                        + " of shape " + Checks.shape(w));
            }
            mass[(int) (i / length)] += v;
        }
        for (int k = 0; k < rows; k++) {
            if (!(mass[k] > 0)) {
                throw new IllegalArgumentException(name + " must have a positive total mass, got " + mass[k]
                        + (rows > 1 ? " in batch " + k : ""));
            }
        }
        return mass;
    }
}
