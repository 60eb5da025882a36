package dev.proxima.nn;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.DTypeMismatchException;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;

/**
 * Loss functions, differentiable with respect to their first argument (and, where meaningful, the target).
 * Each computes a per-element (or per-sample) loss and then applies a {@link Reduction}. Semantics follow
 * PyTorch's functional losses of the same names.
 */
public final class Losses {

    private Losses() {
    }

    /** How per-element losses become the result. */
    public enum Reduction {
        /** The mean over all elements. */
        MEAN,
        /** The sum. */
        SUM,
        /** The sum divided by the first dimension (PyTorch's {@code 'batchmean'} for KL divergence). */
        BATCH_MEAN,
        /** No reduction: the per-element losses. */
        NONE
    }

    static Tensor reduce(Tensor l, Reduction r) {
        return switch (r) {
            case MEAN -> l.mean();
            case SUM -> l.sum();
            case BATCH_MEAN -> l.sum().div(l.rank() == 0 ? 1.0 : (double) l.dim(0));
            case NONE -> l;
        };
    }

    private static void sameShape(String what, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new ShapeMismatchException(what + " needs equal shapes, got " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        }
    }

    /**
     * (x − y)².
     *
     * @param input  the predictions x, any shape
     * @param target the targets y, of {@code input}'s shape
     * @param r      how the per-element losses are combined
     * @return a 0-d tensor, or the per-element losses for {@link Reduction#NONE}
     * @throws ShapeMismatchException if the shapes differ
     */
    public static Tensor mse(Tensor input, Tensor target, Reduction r) {
        sameShape("mse", input, target);
        return reduce(input.sub(target).square(), r);
    }

    /**
     * |x − y|.
     *
     * @param input  the predictions x, any shape
     * @param target the targets y, of {@code input}'s shape
     * @param r      how the per-element losses are combined
     * @return a 0-d tensor, or the per-element losses for {@link Reduction#NONE}
     * @throws ShapeMismatchException if the shapes differ
     */
    public static Tensor l1(Tensor input, Tensor target, Reduction r) {
        sameShape("l1", input, target);
        return reduce(input.sub(target).abs(), r);
    }

    /**
     * Huber: ½d² for |d| &lt; δ, else δ(|d| − ½δ), with d = x − y.
     *
     * @param input  the predictions x, any shape
     * @param target the targets y, of {@code input}'s shape
     * @param delta  the threshold δ between the quadratic and linear parts, positive
     * @param r      how the per-element losses are combined
     * @return a 0-d tensor, or the per-element losses for {@link Reduction#NONE}
     * @throws ShapeMismatchException   if the shapes differ
     * @throws IllegalArgumentException if {@code delta} is not positive
     */
    public static Tensor huber(Tensor input, Tensor target, double delta, Reduction r) {
        sameShape("huber", input, target);
        if (!(delta > 0)) {
            throw new IllegalArgumentException("huber delta must be positive, got " + delta);
        }
        Tensor d = input.sub(target);
        Tensor a = d.abs();
        return reduce(Tensor.where(a.lt(delta), d.square().mul(0.5), a.sub(0.5 * delta).mul(delta)), r);
    }

    /**
     * Cross-entropy from logits [N, C] and class indices [N] (I32 or I64), with label smoothing ε:
     * loss_n = (1 − ε)·(−log p_{n,y_n}) + ε·mean_c(−log p_{n,c}), p = softmax(logits). ε = 0 is plain
     * cross-entropy. Reductions MEAN/SUM/NONE are over the N samples.
     *
     * @param logits         unnormalised scores [N, C]
     * @param targets        class indices [N], I32 or I64, each in [0, C)
     * @param labelSmoothing ε in [0, 1]
     * @param r              how the per-sample losses are combined
     * @return a 0-d tensor, or the per-sample losses [N] for {@link Reduction#NONE}
     * @throws DTypeMismatchException   if {@code targets} is not I32 or I64
     * @throws ShapeMismatchException   if the shapes are not [N, C] and [N]
     * @throws IllegalArgumentException if {@code labelSmoothing} is outside [0, 1]
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, double labelSmoothing, Reduction r) {
        if (targets.dtype() != DType.I32 && targets.dtype() != DType.I64) {
            throw new DTypeMismatchException("class targets must be I32 or I64, got " + targets.dtype() + " (use crossEntropySoft for probabilities)");
        }
        if (logits.rank() != 2 || targets.rank() != 1 || targets.dim(0) != logits.dim(0)) {
            throw new ShapeMismatchException("crossEntropy needs logits [N, C] and targets [N], got " + Arrays.toString(logits.shape())
                    + " and " + Arrays.toString(targets.shape()));
        }
        checkSmoothing(labelSmoothing);
        Tensor logp = logits.logSoftmax(1);
        Tensor nll = logp.gather(1, targets.reshape(targets.dim(0), 1)).reshape(targets.dim(0)).neg();
        Tensor loss = labelSmoothing == 0 ? nll
                : nll.mul(1 - labelSmoothing).sub(logp.mean(new int[]{1}, false).mul(labelSmoothing));
        return reduce(loss, r);
    }

    /**
     * Plain cross-entropy: {@code crossEntropy(logits, targets, 0, r)}.
     *
     * @param logits  unnormalised scores [N, C]
     * @param targets class indices [N], I32 or I64, each in [0, C)
     * @param r       how the per-sample losses are combined
     * @return a 0-d tensor, or the per-sample losses [N] for {@link Reduction#NONE}
     * @throws DTypeMismatchException if {@code targets} is not I32 or I64
     * @throws ShapeMismatchException if the shapes are not [N, C] and [N]
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, Reduction r) {
        return crossEntropy(logits, targets, 0, r);
    }

    /**
     * Cross-entropy from logits [N, C] and target probabilities [N, C] (rows summing to 1), with label
     * smoothing ε applied to the target: q = (1 − ε)·target + ε/C, loss_n = −Σ_c q_{n,c} log p_{n,c}.
     *
     * @param logits         unnormalised scores [N, C]
     * @param targetProbs    target probabilities [N, C]
     * @param labelSmoothing ε in [0, 1]
     * @param r              how the per-sample losses are combined
     * @return a 0-d tensor, or the per-sample losses [N] for {@link Reduction#NONE}
     * @throws ShapeMismatchException   if {@code logits} is not [N, C]
     * @throws IllegalArgumentException if {@code labelSmoothing} is outside [0, 1]
     */
    public static Tensor crossEntropySoft(Tensor logits, Tensor targetProbs, double labelSmoothing, Reduction r) {
        sameShape("crossEntropySoft", logits, targetProbs);
        if (logits.rank() != 2) {
            throw new ShapeMismatchException("crossEntropySoft needs [N, C] logits, got " + Arrays.toString(logits.shape()));
        }
        checkSmoothing(labelSmoothing);
        Tensor q = labelSmoothing == 0 ? targetProbs : targetProbs.mul(1 - labelSmoothing).add(labelSmoothing / logits.dim(1));
        return reduce(q.mul(logits.logSoftmax(1)).sum(new int[]{1}, false).neg(), r);
    }

    private static void checkSmoothing(double e) {
        if (!(e >= 0 && e <= 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1], got " + e);
        }
    }

    /**
     * Binary cross-entropy from logits x and targets y ∈ [0, 1], in the stable form
     * max(x, 0) − x·y + log1p(e^(−|x|)).
     *
     * @param logits the scores x, any shape
     * @param target the targets y ∈ [0, 1], of {@code logits}' shape
     * @param r      how the per-element losses are combined
     * @return a 0-d tensor, or the per-element losses for {@link Reduction#NONE}
     * @throws ShapeMismatchException if the shapes differ
     */
    public static Tensor bceWithLogits(Tensor logits, Tensor target, Reduction r) {
        sameShape("bceWithLogits", logits, target);
        return reduce(logits.maximum(0.0).sub(logits.mul(target)).add(Functional.log1p(logits.abs().neg().exp())), r);
    }

    /**
     * KL divergence like PyTorch's {@code kl_div}: {@code input} holds log-probabilities log q; {@code target}
     * holds probabilities p (or log p if {@code logTarget}); the pointwise loss is p·(log p − log q), with
     * 0·log 0 = 0. Use {@link Reduction#BATCH_MEAN} for the mathematical KL(p‖q) per sample.
     *
     * @param input     log-probabilities log q, any shape
     * @param target    probabilities p (log p if {@code logTarget}), of {@code input}'s shape
     * @param logTarget true if {@code target} holds log-probabilities
     * @param r         how the pointwise losses are combined
     * @return a 0-d tensor, or the pointwise losses for {@link Reduction#NONE}
     * @throws ShapeMismatchException if the shapes differ
     */
    public static Tensor klDiv(Tensor input, Tensor target, boolean logTarget, Reduction r) {
        sameShape("klDiv", input, target);
        Tensor l;
        if (logTarget) {
            l = target.exp().mul(target.sub(input));
        } else {
            Tensor pos = target.gt(0.0);
            Tensor safeLog = Tensor.where(pos, target, Tensor.scalar(1, target.dtype())).log();
            l = Tensor.where(pos, target.mul(safeLog.sub(input)), Tensor.scalar(0, input.dtype()));
        }
        return reduce(l, r);
    }

    /**
     * Cosine similarity along {@code axis}: a·b / (max(‖a‖, ε)·max(‖b‖, ε)), the axis removed.
     *
     * @param a    the first operand
     * @param b    the second operand; broadcasts with {@code a}
     * @param axis the dimension holding the vectors (negative counts from the end)
     * @param eps  the lower bound ε of each norm, e.g. 1e-8
     * @return a new tensor of the broadcast shape without {@code axis}, values in [−1, 1]
     */
    public static Tensor cosineSimilarity(Tensor a, Tensor b, int axis, double eps) {
        int[] ax = {axis};
        Tensor na = a.square().sum(ax, false).sqrt().maximum(eps);
        Tensor nb = b.square().sum(ax, false).sqrt().maximum(eps);
        return a.mul(b).sum(ax, false).div(na.mul(nb));
    }

    /**
     * Cosine embedding loss of rows a, b [N, D] with labels y [N] of ±1: 1 − cos for y = 1,
     * max(0, cos − margin) for y = −1 (ε = 1e-8 in the norms).
     *
     * @param a      the first rows [N, D]
     * @param b      the second rows [N, D]
     * @param y      the labels [N], each 1 (similar) or −1 (dissimilar)
     * @param margin the cosine below which a dissimilar pair costs nothing, in [−1, 1]
     * @param r      how the per-pair losses are combined
     * @return a 0-d tensor, or the per-pair losses [N] for {@link Reduction#NONE}
     * @throws ShapeMismatchException if {@code a} and {@code b} differ in shape
     */
    public static Tensor cosineEmbedding(Tensor a, Tensor b, Tensor y, double margin, Reduction r) {
        sameShape("cosineEmbedding", a, b);
        Tensor cos = cosineSimilarity(a, b, 1, 1e-8);
        Tensor l = Tensor.where(y.gt(0.0), cos.neg().add(1.0), cos.sub(margin).maximum(0.0));
        return reduce(l, r);
    }
}
