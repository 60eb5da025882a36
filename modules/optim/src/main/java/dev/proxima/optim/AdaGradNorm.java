package dev.proxima.optim;

/**
 * AdaGrad-Norm (Ward, Wu and Bottou 2019, "AdaGrad stepsizes: sharp convergence over nonconvex landscapes"):
 * one step size for all parameters, {@code b_t² = b_{t−1}² + ‖g_t‖²} (the global norm over every parameter of
 * a group), {@code p −= lr·g / b_t}; robust to the choice of {@code lr} and {@code b₀}. Weight decay, if set,
 * is added to the gradient first.
 *
 * {@snippet :
 * Optimizer opt = AdaGradNorm.builder().lr(1.0).b0(0.1).build(model.parameters());
 * }
 */
public final class AdaGradNorm {

    private AdaGradNorm() {
    }

    /** {@return a builder with lr 1 and b₀ 1e-2} */
    public static Builder builder() {
        return new Builder();
    }

    /** AdaGrad-Norm's hyper-parameters. */
    public static final class Builder extends OptimizerBuilder<Builder> {

        private double b0 = 1e-2;

        private Builder() {
            super(1.0);
        }

        /**
         * The initial accumulator {@code b₀} (default 1e-2).
         *
         * @param b0 finite and &gt; 0
         * @return this builder
         * @throws IllegalArgumentException if {@code b0} is not finite and positive
         */
        public Builder b0(double b0) {
            this.b0 = Transforms.positive("b0", b0);
            return this;
        }

        @Override
        protected GradientTransform transform(Schedule lr, double weightDecay) {
            return chain(weightDecay > 0 ? Transforms.addDecayedWeights(weightDecay) : null,
                    Transforms.scaleByAdaGradNorm(b0), Transforms.scaleByLearningRate(lr));
        }
    }
}
