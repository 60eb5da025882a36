package dev.proxima.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.DTypeMismatchException;
import dev.proxima.tensor.Rng;
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
            return s.keep(CostFunction.squaredEuclidean().apply(x, y));
        }
    }

    // ============================================================ exact OT: network simplex, 1-D, sliced

    /**
     * The optimal transport plan between {@code a} and {@code b} for the costs {@code M}, exactly, by the network
     * simplex (POT's {@code ot.emd(a, b, M)} with its default {@code numItermax = 100000}). If the pivot budget
     * runs out, the last plan is returned and a warning is logged (as POT warns); use {@link NetworkSimplex} for
     * the status, the duals and a larger budget.
     *
     * {@snippet :
     * Tensor empty = Tensor.of(new double[0]);          // uniform weights, as POT's a = []
     * Tensor P = Ot.emd(empty, empty, Ot.dist(x, y));   // [n, m]
     * }
     *
     * @param a row weights [n] (empty: uniform), finite, ≥ 0, positive sum
     * @param b column weights [m] (empty: uniform), the same mass as a (relative 1e-9)
     * @param M costs [n, m], finite
     * @return the plan, shape [n, m], of M's dtype and device
     * @throws NullPointerException     if an argument is null
     * @throws ShapeMismatchException   if a or b does not match M
     * @throws IllegalArgumentException for empty or non-floating tensors, NaN or infinite values, negative weights
     *                                  or unequal masses
     */
    public static Tensor emd(Tensor a, Tensor b, Tensor M) {
        return emd(a, b, M, NetworkSimplex.DEFAULT_MAX_ITERATIONS);
    }

    /**
     * {@link #emd(Tensor, Tensor, Tensor)} with a pivot budget (POT's {@code numItermax}).
     *
     * @param a          row weights [n] (empty: uniform)
     * @param b          column weights [m] (empty: uniform)
     * @param M          costs [n, m]
     * @param numItermax the largest number of pivots, ≥ 1
     * @return the plan, shape [n, m], of M's dtype and device
     * @throws NullPointerException     if an argument is null
     * @throws ShapeMismatchException   if a or b does not match M
     * @throws IllegalArgumentException for bad values (see {@link #emd(Tensor, Tensor, Tensor)}) or
     *                                  {@code numItermax < 1}
     */
    public static Tensor emd(Tensor a, Tensor b, Tensor M, long numItermax) {
        NetworkSimplexOutput out = NetworkSimplex.builder().maxIterations(numItermax).build().solve(a, b, M);
        warnIfNotOptimal("emd", out);
        out.u().close();
        out.v().close();
        return out.plan();
    }

    /**
     * The optimal transport cost {@code min ⟨P, M⟩} (POT's {@code ot.emd2(a, b, M)}), computed in F64 by the
     * network simplex; e.g. with {@code M = Ot.dist(x, y)} it is the squared 2-Wasserstein distance.
     *
     * @param a row weights [n] (empty: uniform)
     * @param b column weights [m] (empty: uniform), the same mass as a
     * @param M costs [n, m], finite
     * @return the optimal cost
     * @throws NullPointerException     if an argument is null
     * @throws ShapeMismatchException   if a or b does not match M
     * @throws IllegalArgumentException for bad values (see {@link #emd(Tensor, Tensor, Tensor)})
     */
    public static double emd2(Tensor a, Tensor b, Tensor M) {
        return emd2(a, b, M, NetworkSimplex.DEFAULT_MAX_ITERATIONS);
    }

    /**
     * {@link #emd2(Tensor, Tensor, Tensor)} with a pivot budget (POT's {@code numItermax}).
     *
     * @param a          row weights [n] (empty: uniform)
     * @param b          column weights [m] (empty: uniform)
     * @param M          costs [n, m]
     * @param numItermax the largest number of pivots, ≥ 1
     * @return the cost of the (optimal, unless the budget ran out) plan
     * @throws NullPointerException     if an argument is null
     * @throws ShapeMismatchException   if a or b does not match M
     * @throws IllegalArgumentException for bad values or {@code numItermax < 1}
     */
    public static double emd2(Tensor a, Tensor b, Tensor M, long numItermax) {
        try (NetworkSimplexOutput out = NetworkSimplex.builder().maxIterations(numItermax).build().solve(a, b, M)) {
            warnIfNotOptimal("emd2", out);
            return out.cost();
        }
    }

    /**
     * The 1-D optimal transport loss {@code W_p^p} between the points {@code u} (weights {@code wu}) and
     * {@code v} (weights {@code wv}), exactly, by sorting (POT's {@code ot.wasserstein_1d(u_values, v_values,
     * u_weights, v_weights, p)}; also {@code ot.emd2_1d} with {@code metric='minkowski'}, or
     * {@code 'sqeuclidean'} for p = 2). For columns of problems at once and for gradients use
     * {@link Wasserstein1d#cost}.
     *
     * {@snippet :
     * double w = Ot.wasserstein1d(Tensor.of(0.0), Tensor.of(2.0), empty, empty, 2.0);   // 4: two Diracs, |0 − 2|²
     * }
     *
     * @param u  positions [n], floating point, finite
     * @param v  positions [m], the same dtype
     * @param wu weights of u [n] (empty: uniform)
     * @param wv weights of v [m] (empty: uniform), the same mass as wu
     * @param p  the order, ≥ 1
     * @return W_p^p (the p-th power of the distance)
     * @throws NullPointerException     if an argument is null
     * @throws ShapeMismatchException   if a tensor has the wrong shape
     * @throws IllegalArgumentException for empty or non-floating tensors, NaN or infinite values, negative weights,
     *                                  unequal masses or p &lt; 1
     */
    public static double wasserstein1d(Tensor u, Tensor v, Tensor wu, Tensor wv, double p) {
        Objects.requireNonNull(u, "wasserstein1d: u must be a tensor, got null");
        Objects.requireNonNull(v, "wasserstein1d: v must be a tensor, got null");
        if (u.rank() != 1 || v.rank() != 1) {
            throw new ShapeMismatchException("wasserstein1d: u and v must be 1-D here (Wasserstein1d.cost takes columns), got "
                    + Arrays.toString(u.shape()) + " and " + Arrays.toString(v.shape()));
        }
        try (Tensor w = Wasserstein1d.cost(u, v, wu, wv, p)) {
            return w.item();
        }
    }

    /**
     * {@link #wasserstein1d(Tensor, Tensor, Tensor, Tensor, double)} with uniform weights.
     *
     * @param u positions [n]
     * @param v positions [m]
     * @param p the order, ≥ 1
     * @return W_p^p
     * @throws NullPointerException     if an argument is null
     * @throws ShapeMismatchException   if u or v is not 1-D
     * @throws IllegalArgumentException for bad values or p &lt; 1
     */
    public static double wasserstein1d(Tensor u, Tensor v, double p) {
        try (Tensor empty = Tensor.zeros(u == null ? DType.F64 : u.dtype(), 0)) {
            return wasserstein1d(u, v, empty, empty, p);
        }
    }

    /**
     * The sliced Wasserstein distance with {@code nProjections} random directions drawn from {@code Rng.seed(seed)}
     * (POT's {@code ot.sliced_wasserstein_distance(X_s, X_t, a, b, n_projections, p, seed=seed)}; the directions
     * differ from NumPy's for the same seed): {@code ((1/k) Σ W_p^p of the projections)^(1/p)}. Differentiable
     * with respect to the points.
     *
     * {@snippet :
     * Tensor sw = Ot.slicedWassersteinDistance(xs, xt, empty, empty, 50, 2.0, 42L);   // 0-d
     * }
     *
     * @param xs           source points [n, d], floating point, finite
     * @param xt           target points [m, d], the same dtype
     * @param a            source weights [n] (empty: uniform)
     * @param b            target weights [m] (empty: uniform), the same mass as a
     * @param nProjections the number of directions, ≥ 1
     * @param p            the order, ≥ 1
     * @param seed         the seed of the directions
     * @return a 0-d tensor of xs's dtype
     * @throws NullPointerException     if an argument is null
     * @throws ShapeMismatchException   if the shapes do not match
     * @throws DTypeMismatchException   if xs and xt differ in dtype
     * @throws IllegalArgumentException for bad values, {@code nProjections < 1} or p &lt; 1
     */
    public static Tensor slicedWassersteinDistance(Tensor xs, Tensor xt, Tensor a, Tensor b, int nProjections, double p,
                                                   long seed) {
        SlicedWasserstein.checkClouds("slicedWassersteinDistance", xs, xt, a, b, p);
        if (nProjections < 1) {
            throw new IllegalArgumentException("slicedWassersteinDistance: nProjections must be ≥ 1, got " + nProjections);
        }
        try (Tensor directions = SlicedWasserstein.randomProjections((int) xs.shape()[1], nProjections, Rng.seed(seed),
                xs.dtype());
             Tensor here = directions.to(xs.device())) {
            return SlicedWasserstein.distance("slicedWassersteinDistance", xs, xt, a, b, here, p);
        }
    }

    /**
     * The sliced Wasserstein distance along given directions, the columns of {@code projections} [d, k] (POT's
     * {@code ot.sliced_wasserstein_distance(X_s, X_t, a, b, n_projections=k, p, projections=projections)}; POT
     * divides by {@code n_projections}, so pass k there to compare).
     *
     * @param xs          source points [n, d]
     * @param xt          target points [m, d]
     * @param a           source weights [n] (empty: uniform)
     * @param b           target weights [m] (empty: uniform)
     * @param projections directions [d, k], of xs's dtype
     * @param p           the order, ≥ 1
     * @return a 0-d tensor of xs's dtype, differentiable with respect to xs and xt
     * @throws NullPointerException     if an argument is null
     * @throws ShapeMismatchException   if the shapes do not match
     * @throws DTypeMismatchException   if the dtypes differ
     * @throws IllegalArgumentException for bad values or p &lt; 1
     */
    public static Tensor slicedWassersteinDistance(Tensor xs, Tensor xt, Tensor a, Tensor b, Tensor projections, double p) {
        return SlicedWasserstein.distance("slicedWassersteinDistance", xs, xt, a, b, projections, p);
    }

    private static void warnIfNotOptimal(String op, NetworkSimplexOutput out) {
        if (!out.optimal()) {
            System.getLogger(Ot.class.getName()).log(System.Logger.Level.WARNING, op + ": the network simplex stopped at its "
                    + "pivot budget (" + out.iterations() + " pivots) before reaching the optimum; the plan is not optimal and "
                    + "may miss the marginals. Raise numItermax.");
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

    // ---- Sinkhorn family (POT's ot.sinkhorn, ot.sinkhorn2, ot.unbalanced.sinkhorn_unbalanced, ot.bregman.barycenter,
    // ot.bregman.empirical_sinkhorn_divergence): thin calls into Sinkhorn, Barycenter and the geometries ----

    /** POT's default {@code numItermax} of {@code sinkhorn}, {@code sinkhorn2} and {@code sinkhorn_unbalanced}. */
    private static final int SINKHORN_ITERATIONS = 1000;

    /**
     * The entropic transport plan, as POT's {@code ot.sinkhorn(a, b, M, reg, method='sinkhorn_log')} with its defaults
     * (1000 iterations, stop at a marginal error of 10⁻⁹): {@code argmin ⟨P, M⟩ − reg·H(P)} with marginals a and b,
     * solved in the log domain (stable for small reg). Not converging leaves the last iterate, as POT does.
     *
     * {@snippet :
     * Tensor P = Ot.sinkhorn(Tensor.of(0.5, 0.5), Tensor.of(0.5, 0.5), Tensor.fromArray(new double[][] {{0, 1}, {1, 0}}), 1.0);
     * // [[0.3655, 0.1345], [0.1345, 0.3655]]
     * }
     *
     * @param a   source weights {@code [n]}, non-negative
     * @param b   target weights {@code [m]}, of a's mass
     * @param M   the cost matrix {@code [n, m]}
     * @param reg the regularisation ε, positive
     * @return the plan {@code [n, m]}
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a weight is negative, NaN or infinite, the masses differ, M is not finite, or
     *                                  reg is not positive
     * @throws ShapeMismatchException   if the shapes do not fit
     */
    public static Tensor sinkhorn(Tensor a, Tensor b, Tensor M, double reg) {
        return sinkhorn(a, b, M, reg, SINKHORN_ITERATIONS, 1e-9);
    }

    /**
     * {@link #sinkhorn(Tensor, Tensor, Tensor, double)} with POT's {@code numItermax} and {@code stopThr}.
     *
     * @param a       source weights {@code [n]}, non-negative
     * @param b       target weights {@code [m]}, of a's mass
     * @param M       the cost matrix {@code [n, m]}
     * @param reg     the regularisation ε, positive
     * @param maxIter the iteration budget ({@code numItermax})
     * @param tol     the marginal error to stop at ({@code stopThr})
     * @return the plan {@code [n, m]}
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if an argument is invalid (see the four-argument form), maxIter &lt; 0 or tol &lt; 0
     * @throws ShapeMismatchException   if the shapes do not fit
     */
    public static Tensor sinkhorn(Tensor a, Tensor b, Tensor M, double reg, int maxIter, double tol) {
        try (Scope s = Scope.open()) {
            return s.keep(solveSinkhorn(a, b, M, reg, maxIter, tol).plan());
        }
    }

    /**
     * The entropic transport cost {@code ⟨P, M⟩} of {@link #sinkhorn(Tensor, Tensor, Tensor, double)}'s plan (without
     * the entropy term), as POT's {@code ot.sinkhorn2(a, b, M, reg)}.
     *
     * @param a   source weights {@code [n]}, non-negative
     * @param b   target weights {@code [m]}, of a's mass
     * @param M   the cost matrix {@code [n, m]}
     * @param reg the regularisation ε, positive
     * @return {@code ⟨P, M⟩}
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if an argument is invalid (see {@link #sinkhorn(Tensor, Tensor, Tensor, double)})
     * @throws ShapeMismatchException   if the shapes do not fit
     */
    public static double sinkhorn2(Tensor a, Tensor b, Tensor M, double reg) {
        return sinkhorn2(a, b, M, reg, SINKHORN_ITERATIONS, 1e-9);
    }

    /**
     * {@link #sinkhorn2(Tensor, Tensor, Tensor, double)} with POT's {@code numItermax} and {@code stopThr}.
     *
     * @param a       source weights {@code [n]}, non-negative
     * @param b       target weights {@code [m]}, of a's mass
     * @param M       the cost matrix {@code [n, m]}
     * @param reg     the regularisation ε, positive
     * @param maxIter the iteration budget
     * @param tol     the marginal error to stop at
     * @return {@code ⟨P, M⟩}
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if an argument is invalid
     * @throws ShapeMismatchException   if the shapes do not fit
     */
    public static double sinkhorn2(Tensor a, Tensor b, Tensor M, double reg, int maxIter, double tol) {
        try (Scope s = Scope.open()) {
            return solveSinkhorn(a, b, M, reg, maxIter, tol).cost().item();
        }
    }

    private static SinkhornOutput solveSinkhorn(Tensor a, Tensor b, Tensor M, double reg, int maxIter, double tol) {
        Objects.requireNonNull(M, "M must be a tensor, got null");
        return Sinkhorn.builder(reg).maxIterations(maxIter).tolerance(tol).build().solve(LinearProblem.of(CostMatrix.of(M), a, b));
    }

    /**
     * The unbalanced entropic plan, as POT's {@code ot.unbalanced.sinkhorn_unbalanced(a, b, M, reg, reg_m)}:
     * {@code argmin ⟨P, M⟩ + reg·Σ P(log P − 1) + reg_m·KL(P·1 ‖ a) + reg_m·KL(Pᵀ·1 ‖ b)}, with POT's defaults
     * (1000 iterations, tolerance 10⁻⁶ on the scaled fixed-point residual of {@link SinkhornOutput#errors()}).
     *
     * @param a    source weights {@code [n]}, non-negative (any mass)
     * @param b    target weights {@code [m]}, non-negative (any mass)
     * @param M    the cost matrix {@code [n, m]}
     * @param reg  the entropic regularisation, positive
     * @param regM the marginal relaxation {@code reg_m}, positive
     * @return the plan {@code [n, m]}
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a weight is negative, NaN or infinite, M is not finite, or reg or regM is
     *                                  not positive
     * @throws ShapeMismatchException   if the shapes do not fit
     */
    public static Tensor sinkhornUnbalanced(Tensor a, Tensor b, Tensor M, double reg, double regM) {
        return sinkhornUnbalanced(a, b, M, reg, regM, SINKHORN_ITERATIONS, 1e-6);
    }

    /**
     * {@link #sinkhornUnbalanced(Tensor, Tensor, Tensor, double, double)} with POT's {@code numItermax} and
     * {@code stopThr}.
     *
     * @param a       source weights {@code [n]}
     * @param b       target weights {@code [m]}
     * @param M       the cost matrix {@code [n, m]}
     * @param reg     the entropic regularisation, positive
     * @param regM    the marginal relaxation, positive
     * @param maxIter the iteration budget
     * @param tol     the residual to stop at
     * @return the plan {@code [n, m]}
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if an argument is invalid
     * @throws ShapeMismatchException   if the shapes do not fit
     */
    public static Tensor sinkhornUnbalanced(Tensor a, Tensor b, Tensor M, double reg, double regM, int maxIter, double tol) {
        Objects.requireNonNull(M, "M must be a tensor, got null");
        try (Scope s = Scope.open()) {
            LinearProblem problem = LinearProblem.unbalanced(CostMatrix.of(M), a, b, regM, regM);
            return s.keep(Sinkhorn.builder(reg).maxIterations(maxIter).tolerance(tol).build().solve(problem).plan());
        }
    }

    /**
     * The entropic Wasserstein barycenter of the columns of A, as POT's {@code ot.bregman.barycenter(A, M, reg,
     * weights)} with its defaults (10 000 iterations, tolerance 10⁻⁴); see {@link Barycenter}.
     *
     * @param A       the histograms as columns, {@code [n, k]}
     * @param M       the cost matrix {@code [n, n]}
     * @param reg     the regularisation, positive
     * @param weights the barycentric weights {@code [k]}, summing to 1
     * @return the barycenter {@code [n]}
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if an argument is invalid (see {@link Barycenter#solve})
     * @throws ShapeMismatchException   if the shapes do not fit
     */
    public static Tensor barycenter(Tensor A, Tensor M, double reg, Tensor weights) {
        return barycenter(A, M, reg, weights, 10_000, 1e-4);
    }

    /**
     * {@link #barycenter(Tensor, Tensor, double, Tensor)} with POT's {@code numItermax} and {@code stopThr}.
     *
     * @param A       the histograms as columns, {@code [n, k]}
     * @param M       the cost matrix {@code [n, n]}
     * @param reg     the regularisation, positive
     * @param weights the barycentric weights {@code [k]}, summing to 1
     * @param maxIter the iteration budget
     * @param tol     the error to stop at
     * @return the barycenter {@code [n]}
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if an argument is invalid
     * @throws ShapeMismatchException   if the shapes do not fit
     */
    public static Tensor barycenter(Tensor A, Tensor M, double reg, Tensor weights, int maxIter, double tol) {
        Objects.requireNonNull(A, "A must be a tensor, got null");
        Objects.requireNonNull(M, "M must be a tensor, got null");
        if (A.rank() != 2) {
            throw new IllegalArgumentException("barycenter: A must hold histograms as columns, [n, k], got shape "
                    + Arrays.toString(A.shape()));
        }
        try (Scope s = Scope.open()) {
            return s.keep(Barycenter.solve(CostMatrix.of(M), A.transpose(), weights, reg, maxIter, tol).barycenter());
        }
    }

    /**
     * The debiased Sinkhorn divergence of two weighted point clouds under the squared Euclidean cost, as POT's
     * {@code ot.bregman.empirical_sinkhorn_divergence(x, y, reg, a, b)} (note the argument order of the API:
     * points, weights, then reg): {@code max(0, s(a, b) − ½·(s(a, a) + s(b, b)))} with {@code s} the transport cost
     * {@code ⟨P, M⟩} of {@link #sinkhorn2}, at POT's 10 000 iterations and tolerance 10⁻⁹. For the divergence of the
     * regularised objective (positive, differentiable) see {@link Sinkhorn#divergence}.
     *
     * @param x   source points {@code [n, d]}
     * @param y   target points {@code [m, d]}
     * @param a   source weights {@code [n]}
     * @param b   target weights {@code [m]}, of a's mass
     * @param reg the regularisation, positive
     * @return the divergence, at least 0
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if an argument is invalid
     * @throws ShapeMismatchException   if the shapes do not fit
     */
    public static double sinkhornDivergence(Tensor x, Tensor y, Tensor a, Tensor b, double reg) {
        Sinkhorn solver = Sinkhorn.builder(reg).maxIterations(10_000).tolerance(1e-9).build();
        LinearProblem xy = LinearProblem.of(PointCloud.of(x, y), a, b);
        LinearProblem xx = LinearProblem.of(PointCloud.of(x, x), a, a);
        LinearProblem yy = LinearProblem.of(PointCloud.of(y, y), b, b);
        try (Scope s = Scope.open()) {
            double ab = solver.solve(xy).cost().item();
            double aa = solver.solve(xx).cost().item();
            double bb = solver.solve(yy).cost().item();
            return Math.max(0, ab - 0.5 * (aa + bb));
        }
    }
}
