package dev.proxima.optim;

/**
 * Adam (Kingma and Ba 2015) with PyTorch's {@code torch.optim.Adam} semantics: {@code g += weightDecay·p}
 * (L2, coupled), {@code m := β₁m + (1−β₁)g}, {@code v := β₂v + (1−β₂)g²}, and
 * {@code p −= lr/(1−β₁ᵗ) · m / (√v̂/√(1−β₂ᵗ) + eps)} with {@code v̂ = v} or, with AMSGrad, the running maximum
 * of {@code v}. For decoupled weight decay use {@link AdamW}.
 *
 * {@snippet :
 * Optimizer opt = Adam.builder().lr(1e-3).betas(0.9, 0.999).amsgrad(true).build(model.parameters());
 * }
 */
public final class Adam {

    private Adam() {
    }

    /** {@return a builder with PyTorch's defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay)} */
    public static Builder builder() {
        return new Builder(1e-3, 0, false);
    }

    /** Adam's and AdamW's hyper-parameters. */
    public static final class Builder extends OptimizerBuilder<Builder> {

        private final boolean decoupled;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private boolean amsgrad;

        Builder(double lr, double weightDecay, boolean decoupled) {
            super(lr);
            this.decoupled = decoupled;
            weightDecay(weightDecay);
        }

        /**
         * The moments' decay rates (default 0.9 and 0.999).
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
         * AMSGrad: normalise by the running maximum of the second moment (default false).
         *
         * @param amsgrad whether to use it
         * @return this builder
         */
        public Builder amsgrad(boolean amsgrad) {
            this.amsgrad = amsgrad;
            return this;
        }

        /**
         * {@inheritDoc} Without AMSGrad and {@code maximize}, and for F32/F64 parameters, the stateful optimizer runs
         * the core's fused in-place kernel ({@link dev.proxima.tensor.Into#adamStep}) instead of the chain: one pass
         * per parameter, no full-size temporaries, and the same state structure as the chain.
         */
        @Override
        protected Optimizer create(java.util.List<ParamGroup> groups) {
            if (amsgrad || maximize() || !dev.proxima.optim.internal.FusedAdamOptimizer.supports(groups)) {
                return super.create(groups);
            }
            return new dev.proxima.optim.internal.FusedAdamOptimizer(groups, g -> transform(lrOf(g), weightDecayOf(g)), this::lrOf,
                    this::weightDecayOf, beta1, beta2, eps, decoupled, nonFinite());
        }

        @Override
        protected GradientTransform transform(Schedule lr, double weightDecay) {
            GradientTransform decay = weightDecay > 0 ? Transforms.addDecayedWeights(weightDecay) : null;
            GradientTransform adam = Transforms.scaleByAdam(beta1, beta2, eps, amsgrad);
            return decoupled ? chain(adam, decay, Transforms.scaleByLearningRate(lr))
                    : chain(decay, adam, Transforms.scaleByLearningRate(lr));
        }
    }
}
