package dev.proxima.optim;

import dev.proxima.nn.Losses;
import dev.proxima.optim.internal.Hutchinson;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.Objects;
import java.util.function.Function;

/**
 * A stochastic estimate of the Hessian's diagonal at the current step, as Sophia and AdaHessian consume
 * it: {@link #hutchinson Hutchinson's} u ⊙ (∇²L·u) for a Rademacher u (unbiased, of either sign), or
 * Sophia's {@link #gaussNewtonBartlett Gauss–Newton–Bartlett} B·ĝ ⊙ ĝ (non-negative: ĝ is the gradient
 * of the mini-batch loss on labels sampled from the model's own predictions).
 *
 * <p>The randomness of step t is a function of the generator's key and t alone (the probes of step t are
 * draws t·n, …, t·n + n − 1 of the key's stream, n per estimate), so an optimizer resumed from its saved
 * state (which holds t) draws exactly what the uninterrupted run would have.
 */
@FunctionalInterface
public interface HessianEstimator {

    /**
     * One estimate of diag(∇²L(θ)).
     *
     * @param params the parameters θ
     * @param grads  the gradients at θ
     * @param step   the optimizer's step index t ≥ 0, which selects the random draws
     * @return a tree of {@code params}' structure and leaf shapes, owned by the caller's scope
     */
    TensorTree estimate(TensorTree params, TensorTree grads, long step);

    /**
     * Hutchinson's estimator u ⊙ (∇²L·u) with a fresh Rademacher probe u every step (E[u ⊙ Hu] = diag H).
     *
     * @param hvp where the Hessian–vector products come from
     * @param rng the generator of the probes (its key: step t uses draws t·L … t·L + L − 1 for L leaves)
     * @return the estimator
     * @throws NullPointerException if an argument is null
     */
    static HessianEstimator hutchinson(HessianVectorProducts hvp, Rng rng) {
        Objects.requireNonNull(hvp, "hvp");
        Objects.requireNonNull(rng, "rng");
        long key = rng.key();
        return (params, grads, step) -> Hutchinson.diagonalSample(hvp.at(params, grads),
                Hutchinson.rademacherProbe(Rng.restore(key, step * params.leafCount()), params));
    }

    /**
     * Sophia's Gauss–Newton–Bartlett estimator for a classifier trained with cross-entropy: with logits
     * [B, C] of the current mini-batch, labels ŷ_b are sampled from softmax(logits_b), ĝ is the gradient of
     * the mean cross-entropy (1/B)·Σ_b CE(logits_b, ŷ_b), and the estimate is B·ĝ ⊙ ĝ. Only the logits'
     * dependence on the parameters is used (not the true labels), and the estimate is never negative.
     *
     * @param logits the logits [B, C] of the current mini-batch as a function of the parameter tree
     * @param rng    the generator of the sampled labels (its key: step t uses draw t)
     * @return the estimator
     * @throws NullPointerException if an argument is null
     */
    static HessianEstimator gaussNewtonBartlett(Function<TensorTree, Tensor> logits, Rng rng) {
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(rng, "rng");
        long key = rng.key();
        return (params, grads, step) -> {
            Rng draws = Rng.restore(key, step);
            long[] batch = new long[1];
            TensorTree estimate;
            try (Scope scope = Scope.open(); Autodiff.GradMode on = Autodiff.enableGrad()) {
                TensorTree g = Autodiff.grad(p -> {
                    Tensor z = logits.apply(p);
                    if (z.rank() != 2) {
                        throw new IllegalArgumentException("the Gauss–Newton–Bartlett estimator needs logits [B, C], got shape "
                                + java.util.Arrays.toString(z.shape()));
                    }
                    batch[0] = z.dim(0);
                    return Losses.crossEntropy(z, sampleLabels(z.detach(), draws), Losses.Reduction.MEAN);
                }, params);
                estimate = g.map(t -> t.square().mul((double) batch[0]));
                estimate.leaves().forEach(scope::keep);
            }
            return estimate;
        };
    }

    /**
     * One label per row of {@code logits}, drawn from softmax(row) by inverting the cumulative distribution
     * at a uniform draw.
     *
     * @param logits [B, C]
     * @param rng    the generator (one draw)
     * @return the labels [B], I64
     */
    private static Tensor sampleLabels(Tensor logits, Rng rng) {
        long b = logits.dim(0);
        long c = logits.dim(1);
        Tensor cdf = logits.cast(DType.F64).softmax(1).cumsum(1);
        Tensor u = rng.on(logits.device()).uniform(DType.F64, 0, 1, b, 1);
        return cdf.lt(u).cast(DType.I64).sum(new int[]{1}, false).clamp(0L, c - 1);
    }
}
