package dev.proxima.optim;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * Sharpness-aware training for free (Du, Zhou, Feng, Tan and Zhou, 2022): instead of SAM's second pass,
 * a <em>trajectory loss</em> added to the training loss penalizes how fast the model's outputs on each
 * training example move along the trajectory,
 * <pre>
 *   L_tra = (λ/|B|)·Σ_{i∈B} KL( softmax(ŷᵢ^(e−Ẽ)/τ) ‖ softmax(f_θ(xᵢ)/τ) )
 * </pre>
 * where ŷᵢ^(e−Ẽ) are the logits the model gave example i when it was seen Ẽ epochs earlier. It costs no
 * extra pass, only memory for the past outputs: this hook records the logits of every batch by example
 * index ({@code (Ẽ + 1)·N·C} floats on the Java heap, N examples, C classes) and returns the trajectory
 * loss, differentiable with respect to the current logits, to add to the loss before {@code backward()}.
 * It works with any optimizer. Examples not seen exactly Ẽ epochs earlier contribute nothing (so during
 * the first Ẽ epochs the loss is zero).
 *
 * {@snippet :
 * SAF saf = SAF.builder(train.size(), 10).lambda(0.3).temperature(5).epochLag(3).build();
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     for (Batch b : batches) {                     // b.indices(): the examples' indices in [0, N), I64
 *         opt.zeroGrad();
 *         Tensor logits = model.forward(b.x());
 *         Tensor loss = Losses.crossEntropy(logits, b.y(), Losses.Reduction.MEAN).add(saf.trajectoryLoss(b.indices(), logits, epoch));
 *         loss.backward();
 *         opt.step();
 *     }
 * }
 * }
 */
public final class SAF {

    private final int examples;
    private final int classes;
    private final double lambda;
    private final double temperature;
    private final int lag;
    private final float[][] outputs;
    private final int[][] seenAt;

    private SAF(int examples, int classes, double lambda, double temperature, int lag) {
        this.examples = examples;
        this.classes = classes;
        this.lambda = lambda;
        this.temperature = temperature;
        this.lag = lag;
        this.outputs = new float[lag + 1][Math.multiplyExact(examples, classes)];
        this.seenAt = new int[lag + 1][examples];
        for (int[] s : seenAt) {
            Arrays.fill(s, -1);
        }
    }

    /**
     * A builder for a training set of {@code examples} examples and {@code classes} classes; defaults
     * λ = 0.3, τ = 5, Ẽ = 3 as starting points (the paper tunes them per task).
     *
     * @param examples N ≥ 1, the number of training examples (indices run over [0, N))
     * @param classes  C ≥ 1, the number of logits per example
     * @return the builder
     * @throws IllegalArgumentException if {@code examples} or {@code classes} is below 1
     */
    public static Builder builder(int examples, int classes) {
        if (examples < 1 || classes < 1) {
            throw new IllegalArgumentException("SAF needs at least one example and one class, got " + examples + " examples and "
                    + classes + " classes");
        }
        return new Builder(examples, classes);
    }

    /**
     * The trajectory loss of one batch at {@code epoch}, and records the batch's logits (detached) as the
     * outputs of {@code epoch}.
     *
     * @param indices the batch's example indices [B], I32 or I64, each in [0, N)
     * @param logits  the batch's current logits [B, C] (floating point)
     * @param epoch   the current epoch, ≥ 0 (non-decreasing across calls)
     * @return the 0-d trajectory loss, differentiable with respect to {@code logits}, of their dtype, owned
     *         by the caller's scope
     * @throws IllegalArgumentException if the shapes, the dtypes, an index or the epoch are invalid (the
     *                                  message names which)
     */
    public Tensor trajectoryLoss(Tensor indices, Tensor logits, int epoch) {
        Objects.requireNonNull(indices, "indices");
        Objects.requireNonNull(logits, "logits");
        if (indices.dtype() != DType.I32 && indices.dtype() != DType.I64) {
            throw new IllegalArgumentException("SAF's example indices must be I32 or I64, got " + indices.dtype());
        }
        if (!logits.dtype().isFloating()) {
            throw new IllegalArgumentException("SAF's logits must be floating point, got " + logits.dtype());
        }
        if (indices.rank() != 1 || logits.rank() != 2 || logits.dim(0) != indices.dim(0) || logits.dim(1) != classes) {
            throw new IllegalArgumentException("SAF needs indices [B] and logits [B, " + classes + "], got " + Arrays.toString(indices.shape())
                    + " and " + Arrays.toString(logits.shape()));
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("the epoch must be ≥ 0, got " + epoch);
        }
        long[] idx;
        double[] current;
        try (Scope scope = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            idx = indices.cast(DType.I64).toLongArray();
            current = logits.detach().cast(DType.F64).toDoubleArray();
        }
        for (long i : idx) {
            if (i < 0 || i >= examples) {
                throw new IllegalArgumentException("example index " + i + " is outside [0, " + examples + ")");
            }
        }
        int b = idx.length;
        int past = epoch - lag;
        int readSlot = Math.floorMod(past, lag + 1);
        int writeSlot = epoch % (lag + 1);
        double[] reference = new double[b * classes];
        double[] mask = new double[b];
        int used = 0;
        for (int r = 0; r < b; r++) {
            int i = (int) idx[r];
            if (past >= 0 && seenAt[readSlot][i] == past) {
                mask[r] = 1;
                used++;
                for (int c = 0; c < classes; c++) {
                    reference[r * classes + c] = outputs[readSlot][i * classes + c];
                }
            }
        }
        for (int r = 0; r < b; r++) {
            int i = (int) idx[r];
            seenAt[writeSlot][i] = epoch;
            for (int c = 0; c < classes; c++) {
                outputs[writeSlot][i * classes + c] = (float) current[r * classes + c];
            }
        }
        if (used == 0) {
            return logits.sum().mul(0.0);
        }
        Tensor p = Tensor.of(reference).reshape(b, classes).div(temperature).softmax(1).cast(logits.dtype());
        Tensor logQ = logits.div(temperature).logSoftmax(1);
        Tensor logP = p.maximum(Double.MIN_NORMAL).log();
        Tensor perExample = p.mul(logP.sub(logQ)).sum(new int[]{1}, false);
        Tensor weights = Tensor.of(mask).cast(logits.dtype());
        return perExample.mul(weights).sum().mul(lambda / b);
    }

    /** The builder of {@link SAF}. */
    public static final class Builder {

        private final int examples;
        private final int classes;
        private double lambda = 0.3;
        private double temperature = 5;
        private int epochLag = 3;

        private Builder(int examples, int classes) {
            this.examples = examples;
            this.classes = classes;
        }

        /**
         * The weight λ of the trajectory loss.
         *
         * @param lambda λ ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if {@code lambda} is negative or not finite
         */
        public Builder lambda(double lambda) {
            this.lambda = Transforms.nonNegative("lambda", lambda);
            return this;
        }

        /**
         * The softmax temperature τ.
         *
         * @param temperature τ &gt; 0
         * @return this builder
         * @throws IllegalArgumentException if {@code temperature} is not positive and finite
         */
        public Builder temperature(double temperature) {
            this.temperature = Transforms.positive("temperature", temperature);
            return this;
        }

        /**
         * How many epochs back the reference outputs are, Ẽ.
         *
         * @param epochs Ẽ ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code epochs < 1}
         */
        public Builder epochLag(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochLag must be ≥ 1, got " + epochs);
            }
            this.epochLag = epochs;
            return this;
        }

        /**
         * The hook.
         *
         * @return a hook with no recorded outputs
         */
        public SAF build() {
            return new SAF(examples, classes, lambda, temperature, epochLag);
        }
    }
}
