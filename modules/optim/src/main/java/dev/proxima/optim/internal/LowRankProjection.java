package dev.proxima.optim.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Fft;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

/**
 * Projections of an {@code m × n} gradient onto a rank-{@code r} subspace and back, as GaLore uses them (Zhao et
 * al. 2024, "GaLore: Memory-Efficient LLM Training by Gradient Low-Rank Projection").
 *
 * <p>The projector {@code P} has orthonormal columns and acts on the smaller side of the matrix: for
 * {@code m ≤ n} it is {@code m × r} and the projected gradient is {@code Pᵀ G} ({@code r × n}), projected back as
 * {@code P R}; for {@code m > n} it is {@code n × r}, the projected gradient {@code G P} ({@code m × r}), back
 * {@code R Pᵀ}. Two ways to build {@code P}:
 * <ul>
 * <li>{@link #svdProjector}: the top-{@code r} left (or right) singular vectors of {@code G}, GaLore's projector;
 * it minimises {@code ‖G − P Pᵀ G‖_F} over rank-{@code r} projectors.</li>
 * <li>{@link #dctProjector}: the SVD-free variant ("SVD-Free Low-Rank Adaptive Gradient Optimization for Large
 * Language Models"): of the orthonormal DCT-II basis vectors of that side, the {@code r} along which the gradient
 * has the most energy, found by one product with the fixed basis and a sort.</li>
 * </ul>
 */
public final class LowRankProjection {

    private LowRankProjection() {
    }

    /**
     * Whether the projector acts on the left (rows) of an {@code m × n} matrix: {@code m ≤ n}.
     *
     * @param rows m
     * @param cols n
     * @return true for a left projector ({@code m × r}), false for a right one ({@code n × r})
     */
    public static boolean projectsLeft(long rows, long cols) {
        return rows <= cols;
    }

    /**
     * GaLore's projector: the top-{@code rank} singular vectors of the gradient's smaller side.
     *
     * @param g    the gradient, a matrix; not modified
     * @param rank r, 1 ≤ r ≤ min(m, n)
     * @return a new {@code min(m, n) × r} matrix with orthonormal columns, of {@code g}'s dtype, in the current scope
     * @throws IllegalArgumentException if {@code g} is not a floating-point matrix or the rank is out of range
     */
    public static Tensor svdProjector(Tensor g, long rank) {
        checkMatrix(g, rank);
        boolean left = projectsLeft(g.dim(0), g.dim(1));
        try (Scope scope = Scope.open()) {
            Linalg.SVD svd = Linalg.svd(g, false);
            Tensor p = left ? svd.u().slice(1, 0, rank, 1) : svd.vt().slice(0, 0, rank, 1).transpose();
            return scope.keep(p.contiguous());
        }
    }

    /**
     * The orthonormal DCT-II basis of dimension {@code n} as columns: {@code Q[j][k] = s_k cos(π k (2j + 1) / (2n))},
     * {@code s_0 = √(1/n)}, {@code s_k = √(2/n)}; built once per dimension with the core's {@link Fft#dct}.
     *
     * @param n     the dimension, ≥ 1
     * @param dtype F32 or F64
     * @return a new orthogonal {@code n × n} matrix in the current scope
     */
    public static Tensor dctBasis(long n, DType dtype) {
        try (Scope scope = Scope.open()) {
            return scope.keep(Fft.dct(Tensor.eye(n, DType.F64), 0, Fft.Norm.ORTHO).transpose().cast(dtype).contiguous());
        }
    }

    /**
     * The SVD-free projector: the {@code rank} columns of {@code basis} (an orthonormal basis of the gradient's
     * smaller side, e.g. {@link #dctBasis}) along which the gradient has the largest norm, {@code ‖Gᵀ q_k‖} for a
     * left projector and {@code ‖G q_k‖} for a right one, in decreasing order of that norm.
     *
     * @param g     the gradient, a matrix; not modified
     * @param basis a square matrix whose dimension is {@code min(m, n)}, with orthonormal columns
     * @param rank  r, 1 ≤ r ≤ min(m, n)
     * @return the selected column indices, in decreasing order of energy
     * @throws IllegalArgumentException if the shapes or rank do not fit
     */
    public static long[] dctSelection(Tensor g, Tensor basis, long rank) {
        checkMatrix(g, rank);
        boolean left = projectsLeft(g.dim(0), g.dim(1));
        long side = Math.min(g.dim(0), g.dim(1));
        if (basis == null || basis.rank() != 2 || basis.dim(0) != side || basis.dim(1) != side) {
            throw new IllegalArgumentException("the basis must be a " + side + " × " + side + " matrix for a gradient of shape "
                    + g.dim(0) + " × " + g.dim(1) + ", got " + (basis == null ? "null" : java.util.Arrays.toString(basis.shape())));
        }
        try (Scope scope = Scope.open()) {
            // one product with the fixed basis: the coordinates of every row (column) of G in it
            Tensor coordinates = left ? g.transpose().matmul(basis) : g.matmul(basis);
            Tensor energy = coordinates.square().sum(0);
            return energy.topk(rank, 0, true).indices().toLongArray();
        }
    }

    /**
     * The columns {@code indices} of {@code basis}, as a projector.
     *
     * @param basis   the basis, square
     * @param indices the columns to take
     * @return a new {@code n × r} matrix in the current scope
     */
    public static Tensor columns(Tensor basis, long[] indices) {
        try (Scope scope = Scope.open()) {
            return scope.keep(basis.indexSelect(1, Tensor.of(indices).to(basis.device())).contiguous());
        }
    }

    /**
     * The projected gradient: {@code Pᵀ G} for a left projector, {@code G P} for a right one.
     *
     * @param g         the gradient, {@code m × n}
     * @param projector P, {@code min(m, n) × r}
     * @return a new {@code r × n} or {@code m × r} matrix in the current scope
     */
    public static Tensor project(Tensor g, Tensor projector) {
        return projectsLeft(g.dim(0), g.dim(1)) ? projector.transpose().matmul(g) : g.matmul(projector);
    }

    /**
     * Back to the full space: {@code P R} for a left projector, {@code R Pᵀ} for a right one.
     *
     * @param low       the low-rank matrix
     * @param projector P
     * @param rows      m of the full matrix
     * @param cols      n of the full matrix
     * @return a new {@code m × n} matrix in the current scope
     */
    public static Tensor projectBack(Tensor low, Tensor projector, long rows, long cols) {
        return projectsLeft(rows, cols) ? projector.matmul(low) : low.matmul(projector.transpose());
    }

    private static void checkMatrix(Tensor g, long rank) {
        if (g == null || g.rank() != 2 || !g.dtype().isFloating()) {
            throw new IllegalArgumentException("a low-rank projection needs an F32 or F64 matrix, got "
                    + (g == null ? "null" : g.dtype() + java.util.Arrays.toString(g.shape())));
        }
        long side = Math.min(g.dim(0), g.dim(1));
        if (rank < 1 || rank > side) {
            throw new IllegalArgumentException("the rank must be in 1 .. " + side + " for a gradient of shape " + g.dim(0) + " × "
                    + g.dim(1) + ", got " + rank);
        }
    }
}
