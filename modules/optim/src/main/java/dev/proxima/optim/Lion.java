package dev.proxima.optim;

/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2):
 * {@code p −= lr·(sign(β₁m + (1−β₁)g) + weightDecay·p)}, then {@code m := β₂m + (1−β₂)g}; the weight decay is
 * decoupled. Its updates have the size of the learning rate in every coordinate, so its learning rate is
 * typically 3–10× smaller than AdamW's.
 *
 * {@snippet :
 * Optimizer opt = Lion.builder().lr(1e-4).betas(0.9, 0.99).weightDecay(1e-2).build(model.parameters());
 * }
 */
public final class Lion {

    private Lion() {
    }

    /** {@return a builder with the paper's defaults (lr 1e-4, betas (0.9, 0.99), no weight decay)} */
    public static Builder builder() {
        return new Builder();
    }

    /** Lion's hyper-parameters. */
    public static final class Builder extends OptimizerBuilder<Builder> {

        private double beta1 = 0.9;
        private double beta2 = 0.99;

        private Builder() {
            super(1e-4);
        }

        /**
         * The interpolation factor of the update and the decay of the moment (default 0.9 and 0.99).
         *
         * @param beta1 in [0, 1)
         * @param beta2 in [0, 1)
         * @return this builder
         * @throws IllegalArgumentException if a beta is outside [0, 1)
         */
        public Builder betas(double beta1, double beta2) {
            this.beta1 = Transforms.unitInterval("beta1", beta1);
            this.beta2 = Transforms.unitInterval("beta2", beta2);
            return this;
        }

        @Override
        protected GradientTransform transform(Schedule lr, double weightDecay) {
            return chain(Transforms.scaleByLion(beta1, beta2),
                    weightDecay > 0 ? Transforms.addDecayedWeights(weightDecay) : null,
                    Transforms.scaleByLearningRate(lr));
        }
    }
}
