package dev.proxima.optim;

import java.util.Objects;

/**
 * GaLore-AdamW (Zhao et al. 2024, "GaLore: Memory-Efficient LLM Training by Gradient Low-Rank Projection"), with
 * the hyper-parameter names of its reference {@code GaLoreAdamW} ({@code rank}, {@code update_proj_gap},
 * {@code scale}, {@code proj_type}) and PyTorch's for Adam's: every matrix gradient {@code G} is projected to rank
 * {@code r} by a projector refreshed every {@code T} steps, Adam's moments live in the projected space (so they
 * take {@code r·n} instead of {@code m·n} numbers), and the normalized update is projected back, scaled by α and
 * applied with decoupled weight decay ({@link MatrixTransforms#projectLowRank}). Parameters that are not matrices
 * get plain AdamW with the same settings. {@link MatrixTransforms.Projection#DCT} selects the SVD-free projector
 * (DCT basis vectors chosen by the gradient's energy) instead of GaLore's SVD.
 *
 * {@snippet :
 * Optimizer opt = GaLore.builder().lr(1e-2).rank(64).updateProjGap(200).scale(0.25)
 *         .projection(MatrixTransforms.Projection.DCT).build(model.parameters());
 * }
 */
public final class GaLore {

    private GaLore() {
    }

    /**
     * A builder with defaults lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay, rank 128, a refresh every
     * 200 steps, scale 0.25, the SVD projector.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** GaLore's hyper-parameters. */
    public static final class Builder extends OptimizerBuilder<Builder> {

        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private long rank = 128;
        private long updateProjGap = 200;
        private double scale = 0.25;
        private MatrixTransforms.Projection projection = MatrixTransforms.Projection.SVD;

        Builder() {
            super(1e-3);
        }

        /**
         * Adam's moment decay rates (default 0.9 and 0.999).
         *
         * @param beta1 the first moment's, in [0, 1)
         * @param beta2 the second moment's, in [0, 1)
         * @return this builder
         * @throws IllegalArgumentException if a beta is outside [0, 1)
         */
        public Builder betas(double beta1, double beta2) {
            this.beta1 = Transforms.unitInterval("beta1", beta1);
            this.beta2 = Transforms.unitInterval("beta2", beta2);
            return this;
        }

        /**
         * Adam's denominator term (default 1e-8).
         *
         * @param eps finite and ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if {@code eps} is negative or not finite
         */
        public Builder eps(double eps) {
            this.eps = Transforms.nonNegative("eps", eps);
            return this;
        }

        /**
         * The projection rank r (default 128; capped at {@code min(m, n)} per matrix).
         *
         * @param rank ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code rank} is &lt; 1
         */
        public Builder rank(long rank) {
            if (rank < 1) {
                throw new IllegalArgumentException("rank must be ≥ 1, got " + rank);
            }
            this.rank = rank;
            return this;
        }

        /**
         * The number of steps T between projector refreshes (GaLore's {@code update_proj_gap}; default 200).
         *
         * @param steps ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code steps} is &lt; 1
         */
        public Builder updateProjGap(long steps) {
            if (steps < 1) {
                throw new IllegalArgumentException("updateProjGap must be ≥ 1, got " + steps);
            }
            this.updateProjGap = steps;
            return this;
        }

        /**
         * The factor α applied to the projected-back update (GaLore's {@code scale}; default 0.25).
         *
         * @param scale finite and &gt; 0
         * @return this builder
         * @throws IllegalArgumentException if {@code scale} is not finite and positive
         */
        public Builder scale(double scale) {
            this.scale = Transforms.positive("scale", scale);
            return this;
        }

        /**
         * How the projector is built (default {@link MatrixTransforms.Projection#SVD}).
         *
         * @param projection SVD or DCT
         * @return this builder
         */
        public Builder projection(MatrixTransforms.Projection projection) {
            this.projection = Objects.requireNonNull(projection, "projection");
            return this;
        }

        @Override
        protected GradientTransform transform(Schedule lr, double weightDecay) {
            GradientTransform decay = weightDecay > 0 ? Transforms.addDecayedWeights(weightDecay) : null;
            GradientTransform matrices = chain(
                    MatrixTransforms.projectLowRank(rank, updateProjGap, scale, projection,
                            Transforms.scaleByAdam(beta1, beta2, eps, false)),
                    decay, Transforms.scaleByLearningRate(lr));
            GradientTransform others = chain(Transforms.scaleByAdam(beta1, beta2, eps, false), decay, Transforms.scaleByLearningRate(lr));
            return MatrixTransforms.splitByRank(matrices, others);
        }
    }
}
