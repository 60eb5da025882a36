package dev.proxima.optim;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

/**
 * The adaptive batch-size rule of AdAdaGrad (Lau et al. 2024, "AdAdaGrad: Adaptive Batch Size Schemes for
 * Adaptive Gradient Methods"): the <em>norm test</em> of Byrd et al. (2012). From the per-sample gradients
 * {@code g_i} of a batch of size {@code b}, with mean {@code ḡ} and sample variance
 * {@code σ² = Σ_i ‖g_i − ḡ‖² / (b − 1)} (norms over all parameters together), the batch is large enough while
 * {@code σ² / b ≤ η² ‖ḡ‖²}; otherwise the next batch size is {@code ⌈σ² / (η² ‖ḡ‖²)⌉} (capped by
 * {@code maxBatchSize}). Pair it with AdaGrad-Norm ({@link AdaGradNorm}) as the paper does, or with any optimizer.
 *
 * {@snippet :
 * BatchSizeTest test = BatchSizeTest.normTest(0.5, 4096);
 * BatchSizeTest.Decision d = test.test(perSampleGrads);     // leaves [b, …]
 * if (d.grow()) batchSize = d.nextBatchSize();
 * }
 */
public final class BatchSizeTest {

    /**
     * The outcome of a test.
     *
     * @param grow          whether the batch should grow
     * @param nextBatchSize the batch size to use next (the current one when not growing)
     * @param variance      the sample variance σ² of the per-sample gradients
     * @param meanNormSq    ‖ḡ‖², the squared norm of the batch gradient
     */
    public record Decision(boolean grow, long nextBatchSize, double variance, double meanNormSq) {
    }

    private final double eta;
    private final long maxBatchSize;

    private BatchSizeTest(double eta, long maxBatchSize) {
        this.eta = eta;
        this.maxBatchSize = maxBatchSize;
    }

    /**
     * The norm test with constant {@code eta} (smaller: larger batches).
     *
     * @param eta          η, finite and &gt; 0
     * @param maxBatchSize the largest batch size to propose, ≥ 2
     * @return the test
     * @throws IllegalArgumentException if {@code eta} is not finite and positive or {@code maxBatchSize} is below 2
     */
    public static BatchSizeTest normTest(double eta, long maxBatchSize) {
        Transforms.positive("eta", eta);
        if (maxBatchSize < 2) {
            throw new IllegalArgumentException("maxBatchSize must be ≥ 2, got " + maxBatchSize);
        }
        return new BatchSizeTest(eta, maxBatchSize);
    }

    /**
     * Tests a batch of per-sample gradients (e.g. from {@code Autodiff} per sample, or a vmap-style computation).
     *
     * @param perSampleGradients a tree whose leaves all have the batch as their first dimension, of one size b ≥ 2
     * @return the decision
     * @throws IllegalArgumentException if the tree has no leaves, a leaf is 0-d, the leaves disagree on b, or b &lt; 2
     */
    public Decision test(TensorTree perSampleGradients) {
        long b = -1;
        for (Tensor t : perSampleGradients.leaves()) {
            if (t.rank() == 0) {
                throw new IllegalArgumentException("per-sample gradients have the batch as their first dimension; got a 0-d leaf");
            }
            if (b >= 0 && t.dim(0) != b) {
                throw new IllegalArgumentException("the leaves disagree on the batch size: " + b + " and " + t.dim(0));
            }
            b = t.dim(0);
        }
        if (b < 0) {
            throw new IllegalArgumentException("per-sample gradients without leaves");
        }
        if (b < 2) {
            throw new IllegalArgumentException("the norm test needs a batch of at least 2 samples, got " + b);
        }
        double deviations = 0;
        double meanNormSq = 0;
        try (Scope s = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            for (Tensor g : perSampleGradients.leaves()) {
                Tensor mean = g.mean(new int[]{0}, true);
                deviations += g.sub(mean).square().sum().item();
                meanNormSq += mean.square().sum().item();
            }
        }
        double variance = deviations / (b - 1);
        boolean grow = variance / b > eta * eta * meanNormSq;
        long next = b;
        if (grow) {
            double wanted = meanNormSq > 0 ? Math.ceil(variance / (eta * eta * meanNormSq)) : Double.POSITIVE_INFINITY;
            next = (long) Math.min(Math.max(wanted, b), maxBatchSize);
        }
        return new Decision(grow && next > b, next, variance, meanNormSq);
    }

    /**
     * Tests per-sample gradients of a single tensor of parameters.
     *
     * @param perSampleGradients {@code [b, …]}, b ≥ 2
     * @return the decision
     * @throws IllegalArgumentException if the tensor is 0-d or b &lt; 2
     */
    public Decision test(Tensor perSampleGradients) {
        return test(TensorTree.leaf(perSampleGradients));
    }
}
