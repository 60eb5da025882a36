package dev.proxima.optim;

/**
 * Adagrad (Duchi, Hazan and Singer 2011) with PyTorch's {@code torch.optim.Adagrad} semantics:
 * {@code g += weightDecay·p}, {@code s += g²} from {@code s = initialAccumulatorValue}, and
 * {@code p −= lr/(1 + (t−1)·lrDecay) · g / (√s + eps)} at step {@code t} (1-based).
 *
 * {@snippet :
 * Optimizer opt = Adagrad.builder().lr(0.1).lrDecay(0.01).initialAccumulatorValue(0.1).build(model.parameters());
 * }
 */
public final class Adagrad {

    private Adagrad() {
    }

    /** {@return a builder with PyTorch's defaults (lr 1e-2, lrDecay 0, initialAccumulatorValue 0, eps 1e-10)} */
    public static Builder builder() {
        return new Builder();
    }

    /** Adagrad's hyper-parameters. */
    public static final class Builder extends OptimizerBuilder<Builder> {

        private double lrDecay;
        private double initialAccumulatorValue;
        private double eps = 1e-10;

        private Builder() {
            super(1e-2);
        }

        /**
         * The learning-rate decay (default 0): the rate at step t is {@code lr / (1 + (t−1)·lrDecay)}.
         *
         * @param lrDecay finite and ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if {@code lrDecay} is negative or not finite
         */
        public Builder lrDecay(double lrDecay) {
            this.lrDecay = Transforms.nonNegative("lrDecay", lrDecay);
            return this;
        }

        /**
         * The starting value of the sum of squared gradients (default 0).
         *
         * @param value finite and ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if {@code value} is negative or not finite
         */
        public Builder initialAccumulatorValue(double value) {
            this.initialAccumulatorValue = Transforms.nonNegative("initialAccumulatorValue", value);
            return this;
        }

        /**
         * The term added to the denominator (default 1e-10).
         *
         * @param eps finite and ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if {@code eps} is negative or not finite
         */
        public Builder eps(double eps) {
            this.eps = Transforms.nonNegative("eps", eps);
            return this;
        }

        @Override
        protected GradientTransform transform(Schedule lr, double weightDecay) {
            Schedule decayed = lrDecay == 0 ? lr : step -> lr.valueAt(step) / (1 + step * lrDecay);
            return chain(weightDecay > 0 ? Transforms.addDecayedWeights(weightDecay) : null,
                    Transforms.scaleByRss(initialAccumulatorValue, eps), Transforms.scaleByLearningRate(decayed));
        }
    }
}
