package dev.proxima.optim;

/**
 * Stochastic gradient descent with PyTorch's {@code torch.optim.SGD} semantics: {@code g += weightDecay·p};
 * with momentum, {@code buf := g} at the first step then {@code buf := momentum·buf + (1 − dampening)·g}, and
 * {@code g := buf} (or {@code g + momentum·buf} with Nesterov); {@code p −= lr·g}.
 *
 * {@snippet :
 * Optimizer opt = SGD.builder().lr(0.1).momentum(0.9).nesterov(true).weightDecay(1e-4).build(model.parameters());
 * }
 */
public final class SGD {

    private SGD() {
    }

    /** {@return a builder with PyTorch's defaults (lr 1e-3, no momentum, no weight decay)} */
    public static Builder builder() {
        return new Builder();
    }

    /** SGD's hyper-parameters. */
    public static final class Builder extends OptimizerBuilder<Builder> {

        private double momentum;
        private double dampening;
        private boolean nesterov;

        private Builder() {
            super(1e-3);
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
         * The dampening of the momentum (default 0).
         *
         * @param dampening finite
         * @return this builder
         * @throws IllegalArgumentException if {@code dampening} is not finite
         */
        public Builder dampening(double dampening) {
            this.dampening = Transforms.finite("dampening", dampening);
            return this;
        }

        /**
         * Nesterov momentum (default false; needs momentum &gt; 0 and zero dampening, checked when built).
         *
         * @param nesterov whether to use it
         * @return this builder
         */
        public Builder nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        /**
         * {@inheritDoc}
         *
         * @throws IllegalArgumentException if Nesterov is asked with momentum 0 or a dampening
         */
        @Override
        protected GradientTransform transform(Schedule lr, double weightDecay) {
            GradientTransform m = momentum > 0 || nesterov ? Transforms.momentum(momentum, dampening, nesterov) : null;
            return chain(weightDecay > 0 ? Transforms.addDecayedWeights(weightDecay) : null, m, Transforms.scaleByLearningRate(lr));
        }
    }
}
