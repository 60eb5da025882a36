package dev.proxima.transport;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * The entropic Wasserstein barycenter on a fixed support (Benamou et al. 2015, iterative Bregman projections; POT's
 * {@code ot.bregman.barycenter}): given k histograms {@code a_k} on the n rows of a geometry and weights
 * {@code w_k}, the histogram q on its m columns minimising {@code Σ_k w_k·OT_ε(a_k, q)}. All k transport problems
 * are solved together in the log domain (the geometry's fused soft-minima over a batch of potentials): with
 * {@code f_k = ε·log a_k + smin_rows(g_k)} and {@code s_k = smin_columns(f_k)},
 * {@code log q = Σ_k w_k (g_k − s_k)/ε} and {@code g_k = ε·log q + s_k}. The error is POT's: the sum over the
 * support of the standard deviation, across the k problems, of their column marginals {@code exp((g_k − s_k)/ε)}.
 * The iterations start where POT's do (its {@code u₀}, the geometric mean of {@code K(a_k / K·1)} over k divided by
 * each): Bregman projections converge to the feasible point nearest their start, so with this start the result is
 * POT's barycenter (for a symmetric cost, as POT assumes).
 *
 * {@snippet :
 * BarycenterOutput out = Barycenter.solve(CostMatrix.of(m), histograms, Tensor.of(0.3, 0.7), 0.01, 10_000, 1e-9);
 * Tensor q = out.barycenter();
 * }
 */
public final class Barycenter {

    private Barycenter() {
    }

    /**
     * What {@link #solve} found.
     *
     * @param barycenter the barycenter q, {@code [m]}, owned by the caller's scope
     * @param iterations the iterations run
     * @param errors     the error after each iteration
     * @param converged  whether the error fell below the tolerance
     */
    public record BarycenterOutput(Tensor barycenter, int iterations, double[] errors, boolean converged) {

        /**
         * The canonical constructor; {@code errors} is copied.
         *
         * @throws NullPointerException if errors is null
         */
        public BarycenterOutput {
            errors = errors.clone();
        }

        /**
         * The error history.
         *
         * @return a copy
         */
        @Override
        public double[] errors() {
            return errors.clone();
        }
    }

    /**
     * Computes the barycenter.
     *
     * @param geometry      an unbatched geometry whose rows carry the histograms and whose columns the barycenter
     * @param histograms    the k histograms, {@code [k, n]}, non-negative and finite, each of positive mass
     * @param weights       the barycentric weights, {@code [k]}, non-negative, summing to 1
     * @param epsilon       the regularisation ε (POT's {@code reg}), positive and finite
     * @param maxIterations the iteration budget, at least 0
     * @param tolerance     the error below which to stop, at least 0
     * @return the barycenter and the iteration report (not converging is reported, not thrown)
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a histogram or weight is negative, NaN or infinite, a histogram has no mass,
     *                                  the weights do not sum to 1, the geometry is batched, or a number is out of range
     * @throws ShapeMismatchException   if the histograms or weights do not fit
     */
    public static BarycenterOutput solve(Geometry geometry, Tensor histograms, Tensor weights, double epsilon,
                                         int maxIterations, double tolerance) {
        Objects.requireNonNull(geometry, "geometry must be a geometry, got null");
        Checks.floating("histograms", histograms);
        Checks.floating("weights", weights);
        Checks.epsilon(epsilon);
        if (maxIterations < 0) {
            throw new IllegalArgumentException("maxIterations must be at least 0, got " + maxIterations);
        }
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be at least 0, got " + tolerance);
        }
        if (geometry.batch() > 0) {
            throw new IllegalArgumentException("barycenter: the geometry must be unbatched, got " + geometry);
        }
        if (histograms.rank() != 2 || histograms.dim(1) != geometry.rows()) {
            throw new ShapeMismatchException("histograms must be [k, " + geometry.rows() + "] for the geometry " + geometry
                    + ", got shape " + Checks.shape(histograms));
        }
        if (weights.rank() != 1 || weights.dim(0) != histograms.dim(0)) {
            throw new ShapeMismatchException("weights must be [" + histograms.dim(0) + "] (one per histogram), got shape "
                    + Checks.shape(weights));
        }
        if (histograms.dtype() != geometry.dtype()) {
            throw new dev.proxima.tensor.DTypeMismatchException("histograms must have the geometry's dtype " + geometry.dtype()
                    + ", got " + histograms.dtype());
        }
        Checks.sameDtype("weights and histograms", weights, histograms);
        checkValues(histograms, weights);
        double[] errors = new double[maxIterations];
        try (Scope outer = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            Tensor epsLogA = histograms.log().mul(epsilon);
            Tensor w = weights.unsqueeze(1);
            // POT's start (barycenter_sinkhorn): u₀ = geometric mean of K(a_k / K·1) over k, divided by each: the
            // projections converge to the point nearest their start, so the start is part of POT's answer
            Tensor rowScale = geometry.softMinRows(Tensor.zeros(geometry.dtype(), geometry.device(), geometry.columns()), epsilon);
            Tensor start = geometry.softMinColumns(epsLogA.add(rowScale), epsilon);                    // −ε·log UKv₀
            Tensor g = start.sub(start.mean(new int[]{0}, true));
            Tensor logQ = null;
            int k = 0;
            boolean converged = false;
            while (k < maxIterations && !converged) {
                try (Scope inner = Scope.open()) {
                    Tensor f = epsLogA.add(geometry.softMinRows(g, epsilon));
                    Tensor columns = geometry.softMinColumns(f, epsilon);
                    Tensor logMarginals = g.sub(columns).div(epsilon);                          // log(v_k ⊙ Kᵀu_k)
                    Tensor marginals = logMarginals.exp();
                    Tensor mean = marginals.mean(new int[]{0}, true);
                    double err = marginals.sub(mean).square().mean(0).sqrt().sum().item();
                    errors[k] = err;
                    converged = err < tolerance;
                    Tensor newLogQ = logMarginals.mul(w).sum(0);
                    Tensor newG = newLogQ.mul(epsilon).add(columns);
                    Tensor oldG = g;
                    Tensor oldQ = logQ;
                    g = inner.keep(newG);
                    logQ = inner.keep(newLogQ);
                    oldG.close();
                    if (oldQ != null) {
                        oldQ.close();
                    }
                }
                k++;
            }
            Tensor q = logQ == null
                    ? Tensor.full(1.0 / geometry.columns(), geometry.dtype(), geometry.device(), geometry.columns())
                    : logQ.exp();
            return new BarycenterOutput(outer.keep(q), k, Arrays.copyOf(errors, k), converged);
        }
    }

    private static void checkValues(Tensor histograms, Tensor weights) {
        double[] h = histograms.toDoubleArray();
        int n = (int) histograms.dim(1);
        double[] mass = new double[(int) histograms.dim(0)];
        for (int i = 0; i < h.length; i++) {
            if (!(h[i] >= 0) || Double.isInfinite(h[i])) {
                throw new IllegalArgumentException("histograms must hold non-negative finite values, got " + h[i]
                        + " in histogram " + i / n + " at " + i % n);
            }
            mass[i / n] += h[i];
        }
        for (int k = 0; k < mass.length; k++) {
            if (!(mass[k] > 0)) {
                throw new IllegalArgumentException("histogram " + k + " must have a positive mass, got " + mass[k]);
            }
        }
        double total = 0;
        for (double v : weights.toDoubleArray()) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("weights must be non-negative and finite, got " + v);
            }
            total += v;
        }
        if (Math.abs(total - 1) > 1e-6) {
            throw new IllegalArgumentException("weights must sum to 1 (barycentric coordinates), got a sum of " + total);
        }
    }
}
