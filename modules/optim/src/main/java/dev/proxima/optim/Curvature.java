package dev.proxima.optim;

import dev.proxima.optim.internal.Hutchinson;
import dev.proxima.optim.internal.TreeAlgebra;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Curvature diagnostics of a loss at a point of parameter space, from Hessian–vector products
 * ({@link Autodiff#hvp(Function, TensorTree, TensorTree)}): Hutchinson's trace estimate, the top Hessian
 * eigenvalue by power iteration and by Lanczos, the directional sharpness along a direction (an update,
 * typically), and the gradient-noise scale from per-batch gradients. They work on any function of a
 * parameter tree, so on any {@code nn} model through {@code Module.forwardWith}; nothing of the model is
 * changed.
 *
 * {@snippet :
 * TensorTree params = model.parameterTree();
 * Function<TensorTree, Tensor> loss = p -> Losses.mse(model.forwardWith(p, x), y, Losses.Reduction.MEAN);
 * Rng rng = Rng.seed(7);
 * double trace = Curvature.hessianTrace(loss, params, rng, 100);            // tr ∇²L, ± sampling error
 * double top = Curvature.topEigenvalue(loss, params, rng, 100, 1e-6).value(); // λ_max by power iteration
 * double sharpness = Curvature.directionalSharpness(loss, params, grads);   // gᵀHg / ‖g‖²
 * }
 *
 * <p>All results are host doubles; the tensors made on the way are freed before each method returns,
 * except the eigenvector of {@link #topEigenvalue}, which the caller owns.
 */
public final class Curvature {

    private Curvature() {
    }

    /**
     * The outcome of {@link #topEigenvalue}.
     *
     * @param value      the eigenvalue of largest magnitude, with its sign (the last Rayleigh quotient vᵀHv)
     * @param vector     the unit eigenvector estimate, a tree of the parameters' structure owned by the
     *                   caller's scope
     * @param iterations the number of Hessian–vector products used
     * @param converged  true if successive estimates agreed to the tolerance before the iteration limit
     */
    public record Eigenpair(double value, TensorTree vector, int iterations, boolean converged) {
    }

    /**
     * Hutchinson's estimate of the Hessian's trace, the mean of zᵀ∇²L(θ)z over Rademacher probes z (an
     * unbiased estimate whose variance is 2·Σ_{i≠j} Hᵢⱼ², so exact for a diagonal Hessian).
     *
     * @param loss    a function of the parameter tree returning a single-element tensor
     * @param params  the point θ (floating-point leaves)
     * @param rng     the generator of the probes
     * @param samples the number of probes, at least 1
     * @return the trace estimate
     * @throws IllegalArgumentException if {@code samples < 1}
     * @throws NullPointerException     if an argument is null
     */
    public static double hessianTrace(Function<TensorTree, Tensor> loss, TensorTree params, Rng rng, int samples) {
        check(loss, params);
        Objects.requireNonNull(rng, "rng");
        if (samples < 1) {
            throw new IllegalArgumentException("hessianTrace needs at least 1 probe, got samples = " + samples);
        }
        double sum = 0;
        for (int s = 0; s < samples; s++) {
            try (Scope scope = Scope.open()) {
                TensorTree z = Hutchinson.rademacherProbe(rng, params);
                sum += TreeAlgebra.dot(z, Autodiff.hvp(loss, params, z));
            }
        }
        return sum / samples;
    }

    /**
     * The Hessian eigenvalue of largest magnitude, by power iteration vₖ₊₁ = Hvₖ/‖Hvₖ‖ from a Gaussian
     * start, stopping when two successive Rayleigh quotients differ by at most {@code tol}·|λ|. (For a
     * Hessian whose most negative eigenvalue is the largest in magnitude, that one is found.)
     *
     * @param loss    a function of the parameter tree returning a single-element tensor
     * @param params  the point θ (floating-point leaves)
     * @param rng     the generator of the starting vector
     * @param maxIter the largest number of Hessian–vector products, at least 1
     * @param tol     the relative tolerance, ≥ 0
     * @return the eigenvalue, its vector (owned by the caller) and how it converged
     * @throws IllegalArgumentException if {@code maxIter < 1} or {@code tol} is negative or NaN
     * @throws NullPointerException     if an argument is null
     */
    public static Eigenpair topEigenvalue(Function<TensorTree, Tensor> loss, TensorTree params, Rng rng, int maxIter,
                                          double tol) {
        check(loss, params);
        Objects.requireNonNull(rng, "rng");
        checkIterations("topEigenvalue", maxIter, tol);
        UnaryOperator<TensorTree> hvp = v -> Autodiff.hvp(loss, params, v);
        TensorTree v = unitGaussian(rng, params);
        double lambda = Double.NaN;
        int it = 0;
        boolean converged = false;
        try {
            while (it < maxIter) {
                TensorTree next;
                double estimate;
                try (Scope scope = Scope.open()) {
                    TensorTree hv = hvp.apply(v);
                    estimate = TreeAlgebra.dot(v, hv);
                    double norm = TreeAlgebra.norm(hv);
                    next = norm > 0 ? TreeAlgebra.scale(1 / norm, hv) : TreeAlgebra.scale(1.0, v);
                    next.leaves().forEach(scope::keep);
                }
                it++;
                TreeAlgebra.close(v);
                v = next;
                boolean agrees = !Double.isNaN(lambda) && Math.abs(estimate - lambda) <= tol * Math.abs(estimate);
                lambda = estimate;
                if (agrees || estimate == 0) {
                    converged = true;
                    break;
                }
            }
        } catch (RuntimeException e) {
            TreeAlgebra.close(v);
            throw e;
        }
        return new Eigenpair(lambda, v, it, converged);
    }

    /**
     * The Ritz values of the Hessian from {@code steps} Lanczos iterations (with full re-orthogonalisation,
     * from a Gaussian start), largest first: the first approximates the largest (algebraic) eigenvalue and
     * the last the smallest, both far faster than power iteration. Exact when {@code steps} reaches the
     * dimension of the Krylov space (the number of distinct eigenvalues the start vector touches), where the
     * iteration stops early.
     *
     * @param loss   a function of the parameter tree returning a single-element tensor
     * @param params the point θ (floating-point leaves)
     * @param rng    the generator of the starting vector
     * @param steps  the number of Lanczos steps (Hessian–vector products), at least 1
     * @return the Ritz values in decreasing order (at most {@code steps} of them)
     * @throws IllegalArgumentException if {@code steps < 1}
     * @throws NullPointerException     if an argument is null
     */
    public static double[] lanczos(Function<TensorTree, Tensor> loss, TensorTree params, Rng rng, int steps) {
        check(loss, params);
        Objects.requireNonNull(rng, "rng");
        if (steps < 1) {
            throw new IllegalArgumentException("lanczos needs at least 1 step, got steps = " + steps);
        }
        UnaryOperator<TensorTree> hvp = v -> Autodiff.hvp(loss, params, v);
        List<TensorTree> basis = new ArrayList<>();
        double[] alpha = new double[steps];
        double[] beta = new double[steps];
        int k = 0;
        try {
            basis.add(unitGaussian(rng, params));
            while (k < steps) {
                TensorTree next = null;
                try (Scope scope = Scope.open()) {
                    TensorTree v = basis.get(k);
                    TensorTree w = hvp.apply(v);
                    alpha[k] = TreeAlgebra.dot(v, w);
                    // full re-orthogonalisation against the whole basis, twice for stability
                    for (int pass = 0; pass < 2; pass++) {
                        for (TensorTree q : basis) {
                            double c = TreeAlgebra.dot(q, w);
                            w = TreeAlgebra.combine(1.0, w, -c, q);
                        }
                    }
                    double b = TreeAlgebra.norm(w);
                    beta[k] = b;
                    if (k + 1 < steps && b > 1e-10 * Math.max(1.0, Math.abs(alpha[k]))) {
                        next = TreeAlgebra.scale(1 / b, w);
                        next.leaves().forEach(scope::keep);
                    }
                }
                k++;
                if (next == null) {
                    break;
                }
                basis.add(next);
            }
        } finally {
            basis.forEach(TreeAlgebra::close);
        }
        double[] t = new double[k * k];
        for (int i = 0; i < k; i++) {
            t[i * k + i] = alpha[i];
            if (i + 1 < k) {
                t[i * k + i + 1] = beta[i];
                t[(i + 1) * k + i] = beta[i];
            }
        }
        double[] ritz;
        try (Scope scope = Scope.open()) {
            ritz = Linalg.eigvalsh(Tensor.of(t).reshape(k, k)).toDoubleArray();
        }
        Arrays.sort(ritz);
        double[] descending = new double[k];
        for (int i = 0; i < k; i++) {
            descending[i] = ritz[k - 1 - i];
        }
        return descending;
    }

    /**
     * The directional sharpness vᵀ∇²L(θ)v / ‖v‖² along {@code direction} (the curvature the loss shows
     * along an update or a gradient: a step of size η along v is stable for a quadratic when it is below 2/η).
     *
     * @param loss      a function of the parameter tree returning a single-element tensor
     * @param params    the point θ (floating-point leaves)
     * @param direction a non-zero tree of the parameters' structure and leaf shapes
     * @return the Rayleigh quotient of the Hessian at {@code direction}
     * @throws IllegalArgumentException if {@code direction} is zero or its structure differs from the parameters'
     * @throws NullPointerException     if an argument is null
     */
    public static double directionalSharpness(Function<TensorTree, Tensor> loss, TensorTree params, TensorTree direction) {
        check(loss, params);
        Objects.requireNonNull(direction, "direction");
        if (!direction.structureEquals(params)) {
            throw new IllegalArgumentException("the direction's structure " + direction.structure()
                    + " differs from the parameters' " + params.structure());
        }
        double vv = TreeAlgebra.dot(direction, direction);
        if (!(vv > 0)) {
            throw new IllegalArgumentException("the direction of directionalSharpness must be non-zero and finite, its squared norm is " + vv);
        }
        try (Scope scope = Scope.open()) {
            return TreeAlgebra.dot(direction, Autodiff.hvp(loss, params, direction)) / vv;
        }
    }

    /**
     * The simple gradient-noise scale B_simple = tr(Σ)/‖G‖² (McCandlish et al., 2018) from k ≥ 2 gradients
     * gᵢ, each the mean gradient of an independent batch of {@code batchSize} examples: with ḡ their mean
     * and S = Σᵢ‖gᵢ − ḡ‖²/(k − 1) (an unbiased estimate of tr(Σ)/B), tr(Σ) is estimated by B·S and ‖G‖²
     * by ‖ḡ‖² − S/k (unbiased). The batch size near which training time and compute trade evenly is of
     * this order. Returns {@code +∞} when the estimate of ‖G‖² is not positive (noise dominates).
     *
     * @param batchGradients the per-batch gradients, at least two, all of one structure
     * @param batchSize      B, the number of examples behind each gradient, at least 1
     * @return the noise-scale estimate, in examples
     * @throws IllegalArgumentException if fewer than two gradients are given, their structures differ, or
     *                                  {@code batchSize < 1}
     * @throws NullPointerException     if an argument is null
     */
    public static double gradientNoiseScale(List<TensorTree> batchGradients, long batchSize) {
        Objects.requireNonNull(batchGradients, "batchGradients");
        int k = batchGradients.size();
        if (k < 2) {
            throw new IllegalArgumentException("the gradient-noise scale needs at least 2 per-batch gradients, got " + k);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("the batch size must be at least 1, got " + batchSize);
        }
        TensorTree first = batchGradients.getFirst();
        for (int i = 1; i < k; i++) {
            if (!batchGradients.get(i).structureEquals(first)) {
                throw new IllegalArgumentException("per-batch gradient " + i + " has the structure "
                        + batchGradients.get(i).structure() + ", gradient 0 has " + first.structure());
            }
        }
        try (Scope scope = Scope.open()) {
            double[] ones = new double[k];
            Arrays.fill(ones, 1.0 / k);
            TensorTree mean = TreeAlgebra.linearCombination(ones, batchGradients);
            double spread = 0;
            for (TensorTree g : batchGradients) {
                TensorTree d = TreeAlgebra.combine(1.0, g, -1.0, mean);
                spread += TreeAlgebra.dot(d, d);
            }
            double s = spread / (k - 1);
            double signal = TreeAlgebra.dot(mean, mean) - s / k;
            return signal > 0 ? batchSize * s / signal : Double.POSITIVE_INFINITY;
        }
    }

    private static TensorTree unitGaussian(Rng rng, TensorTree like) {
        TensorTree v;
        try (Scope scope = Scope.open()) {
            TensorTree g = like.map(t -> rng.on(t.device()).normal(t.dtype(), 0, 1, t.shape()));
            v = TreeAlgebra.scale(1 / TreeAlgebra.norm(g), g);
            v.leaves().forEach(scope::keep);
        }
        return v;
    }

    private static void check(Function<TensorTree, Tensor> loss, TensorTree params) {
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(params, "params");
        for (Tensor t : params.leaves()) {
            if (!t.dtype().isFloating()) {
                throw new IllegalArgumentException("curvature needs floating-point parameters, got a " + t.dtype() + " leaf");
            }
        }
    }

    private static void checkIterations(String what, int maxIter, double tol) {
        if (maxIter < 1) {
            throw new IllegalArgumentException(what + " needs maxIter ≥ 1, got " + maxIter);
        }
        if (!(tol >= 0)) {
            throw new IllegalArgumentException(what + " needs a tolerance ≥ 0, got " + tol);
        }
    }
}
