package dev.proxima.optim;

import java.util.Objects;

/**
 * Muon (Jordan et al. 2024, "Muon: An optimizer for hidden layers in neural networks") with the hyper-parameter
 * names and defaults of PyTorch's {@code torch.optim.Muon}: for every matrix parameter (rank ≥ 2, flattened to
 * {@code shape[0] × rest}),
 * <pre>
 *   buf := β·buf + (1 − β)·g;   u = (1 − β)·g + β·buf  (Nesterov) or buf
 *   O = NewtonSchulz₅(u) · √max(1, rows/cols)
 *   p := p·(1 − lr·weightDecay) − lr·O
 * </pre>
 * ({@link MatrixTransforms#emaMomentum}, {@link MatrixTransforms#orthogonalize}, decoupled weight decay). Muon is
 * meant for hidden matrices only: the other parameters (biases, gains — and, in Muon's reference recipe, the
 * embedding and the output layer, which the caller puts in a separate optimizer or group) go through a
 * <b>fallback</b> chain, by default AdamW with PyTorch's defaults (where {@code torch.optim.Muon} refuses them).
 *
 * {@snippet :
 * Optimizer opt = Muon.builder().lr(0.02).momentum(0.95).weightDecay(0)
 *         .fallback(AdamW.builder().lr(3e-4).betas(0.9, 0.95))
 *         .build(model.parameters());
 * }
 */
public final class Muon {

    private Muon() {
    }

    /**
     * A builder with PyTorch's defaults: lr 1e-3, weight decay 0.1, momentum 0.95, Nesterov, coefficients
     * (3.4445, −4.7750, 2.0315), 5 steps, the {@link MatrixTransforms.ShapeScale#ORIGINAL} scale; AdamW as fallback.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Muon's hyper-parameters. */
    public static final class Builder extends OptimizerBuilder<Builder> {

        private double momentum = 0.95;
        private boolean nesterov = true;
        private double a = 3.4445;
        private double b = -4.7750;
        private double c = 2.0315;
        private int nsSteps = 5;
        private MatrixTransforms.ShapeScale adjustLr = MatrixTransforms.ShapeScale.ORIGINAL;
        private OptimizerBuilder<?> fallback = AdamW.builder();

        Builder() {
            super(1e-3);
            weightDecay(0.1);
        }

        /**
         * The momentum's decay β (default 0.95).
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
         * Whether to orthogonalize the Nesterov look-ahead {@code (1 − β)g + β·buf} instead of {@code buf}
         * (default true).
         *
         * @param nesterov whether to look ahead
         * @return this builder
         */
        public Builder nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        /**
         * The quintic's coefficients (PyTorch's {@code ns_coefficients}; default (3.4445, −4.7750, 2.0315)).
         *
         * @param a the coefficient of σ
         * @param b the coefficient of σ³
         * @param c the coefficient of σ⁵
         * @return this builder
         * @throws IllegalArgumentException if a coefficient is not finite
         */
        public Builder nsCoefficients(double a, double b, double c) {
            this.a = Transforms.finite("a", a);
            this.b = Transforms.finite("b", b);
            this.c = Transforms.finite("c", c);
            return this;
        }

        /**
         * The number of Newton–Schulz iterations (PyTorch's {@code ns_steps}; default 5).
         *
         * @param steps ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code steps} is &lt; 1
         */
        public Builder nsSteps(int steps) {
            if (steps < 1) {
                throw new IllegalArgumentException("nsSteps must be ≥ 1, got " + steps);
            }
            this.nsSteps = steps;
            return this;
        }

        /**
         * How the orthogonalized update is scaled for its shape (PyTorch's {@code adjust_lr_fn}; default
         * {@link MatrixTransforms.ShapeScale#ORIGINAL}).
         *
         * @param scale the scale
         * @return this builder
         */
        public Builder adjustLr(MatrixTransforms.ShapeScale scale) {
            this.adjustLr = Objects.requireNonNull(scale, "scale");
            return this;
        }

        /**
         * The optimizer of the parameters that are not matrices (default {@code AdamW.builder()}); its own
         * learning rate and weight decay apply to them, and this builder's {@code maximize} does not.
         *
         * @param fallback a builder of another optimizer
         * @return this builder
         */
        public Builder fallback(OptimizerBuilder<?> fallback) {
            this.fallback = Objects.requireNonNull(fallback, "fallback");
            return this;
        }

        @Override
        protected GradientTransform transform(Schedule lr, double weightDecay) {
            GradientTransform matrices = chain(
                    MatrixTransforms.emaMomentum(momentum, nesterov),
                    MatrixTransforms.orthogonalize(a, b, c, nsSteps, adjustLr),
                    weightDecay > 0 ? Transforms.addDecayedWeights(weightDecay) : null,
                    Transforms.scaleByLearningRate(lr));
            return MatrixTransforms.splitByRank(matrices, fallback.transform());
        }
    }
}
