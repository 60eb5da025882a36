package dev.proxima.optim;

/**
 * RMSprop (Hinton's lecture 6e) with PyTorch's {@code torch.optim.RMSprop} semantics: {@code g += weightDecay·p},
 * {@code v := αv + (1−α)g²}, {@code d := √v + eps} (centered: {@code ḡ := αḡ + (1−α)g}, {@code d := √(v − ḡ²) + eps});
 * with momentum {@code buf := momentum·buf + g/d} and {@code p −= lr·buf}, otherwise {@code p −= lr·g/d}.
 *
 * {@snippet :
 * Optimizer opt = RMSprop.builder().lr(1e-2).alpha(0.9).momentum(0.5).centered(true).build(model.parameters());
 * }
 */
public final class RMSprop {

    private RMSprop() {
    }

    /** {@return a builder with PyTorch's defaults (lr 1e-2, alpha 0.99, eps 1e-8, no momentum, not centered)} */
    public static Builder builder() {
        return new Builder();
    }

    /** RMSprop's hyper-parameters. */
    public static final class Builder extends OptimizerBuilder<Builder> {

        private double alpha = 0.99;
        private double eps = 1e-8;
        private double momentum;
        private boolean centered;

        private Builder() {
            super(1e-2);
        }

        /**
         * The smoothing constant of the squared-gradient average (default 0.99).
         *
         * @param alpha in [0, 1)
         * @return this builder
         * @throws IllegalArgumentException if {@code alpha} is outside [0, 1)
         */
        public Builder alpha(double alpha) {
            this.alpha = Transforms.unitInterval("alpha", alpha);
            return this;
        }

        /**
         * The term added to the denominator (default 1e-8).
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
         * The momentum factor (default 0).
         *
         * @param momentum in [0, 1)
         * @return this builder
         * @throws IllegalArgumentException if {@code momentum} is outside [0, 1)
         */
        public Builder momentum(double momentum) {
            this.momentum = Transforms.unitInterval("momentum", momentum);
            return this;
        }

        /**
         * Whether to normalise by the estimated variance instead of the second moment (default false).
         *
         * @param centered whether to center
         * @return this builder
         */
        public Builder centered(boolean centered) {
            this.centered = centered;
            return this;
        }

        @Override
        protected GradientTransform transform(Schedule lr, double weightDecay) {
            return chain(weightDecay > 0 ? Transforms.addDecayedWeights(weightDecay) : null,
                    Transforms.scaleByRms(alpha, eps, centered),
                    momentum > 0 ? Transforms.trace(momentum, false) : null,
                    Transforms.scaleByLearningRate(lr));
        }
    }
}
