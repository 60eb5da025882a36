package dev.proxima.optim;

import java.util.Objects;

/**
 * ROOT, the robust orthogonalized optimizer (He et al. 2025, "ROOT: Robust Orthogonalized Optimizer for Neural
 * Network Training"): Muon's orthogonalized momentum made robust twice over. For every matrix parameter
 * <pre>
 *   M := μ·M + g                                  (momentum)
 *   B = M − T_ε(M) = clamp(M, −ε, ε),  ε = κ·RMS(M)   (outlier suppression: soft-thresholding splits off the outliers)
 *   O = NewtonSchulz₅^(m,n)(B) · √max(1, rows/cols)   (coefficients adapted to the shape m × n)
 *   p := p·(1 − lr·weightDecay) − lr·O
 * </pre>
 * ({@link Transforms#trace}, {@link MatrixTransforms#suppressOutliers},
 * {@link MatrixTransforms#orthogonalizeAdaptive}, decoupled weight decay). Choices where the paper leaves room,
 * documented: the threshold is relative to the momentum's RMS (κ, so one setting fits every layer), and the update
 * keeps Muon's shape scale {@code √max(1, rows/cols)}. Parameters that are not matrices go through a fallback
 * (default AdamW), as for {@link Muon}.
 *
 * {@snippet :
 * Optimizer opt = Root.builder().lr(0.02).momentum(0.95).outlierThreshold(3).build(model.parameters());
 * }
 */
public final class Root {

    private Root() {
    }

    /**
     * A builder with defaults lr 0.02, momentum 0.95, outlier threshold κ = 3, 5 Newton–Schulz steps, no weight
     * decay, AdamW (PyTorch's defaults) as fallback.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** ROOT's hyper-parameters. */
    public static final class Builder extends OptimizerBuilder<Builder> {

        private double momentum = 0.95;
        private double kappa = 3;
        private int nsSteps = 5;
        private OptimizerBuilder<?> fallback = AdamW.builder();

        Builder() {
            super(0.02);
        }

        /**
         * The momentum factor μ of {@code M := μM + g} (default 0.95).
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
         * The soft threshold ε in units of the momentum's root mean square, κ (default 3): entries of {@code M}
         * beyond {@code κ·RMS(M)} are treated as outliers and clipped there.
         *
         * @param kappa finite and &gt; 0
         * @return this builder
         * @throws IllegalArgumentException if {@code kappa} is not finite and positive
         */
        public Builder outlierThreshold(double kappa) {
            this.kappa = Transforms.positive("outlierThreshold", kappa);
            return this;
        }

        /**
         * The number of Newton–Schulz iterations (default 5, the number the adaptive coefficients were fitted for).
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
         * The optimizer of the parameters that are not matrices (default {@code AdamW.builder()}).
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
                    Transforms.trace(momentum, false),
                    MatrixTransforms.suppressOutliers(kappa),
                    MatrixTransforms.orthogonalizeAdaptive(nsSteps, MatrixTransforms.ShapeScale.ORIGINAL),
                    weightDecay > 0 ? Transforms.addDecayedWeights(weightDecay) : null,
                    Transforms.scaleByLearningRate(lr));
            return MatrixTransforms.splitByRank(matrices, fallback.transform());
        }
    }
}
