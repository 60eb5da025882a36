package dev.proxima.optim;

import dev.proxima.optim.internal.GraphStepOptimizer;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.TensorTree;

import java.util.List;
import java.util.Objects;

/**
 * Sophia (Liu, Li, Hall, Liang and Ma, 2023): a clipped, diagonally preconditioned momentum method whose
 * preconditioner is an exponential moving average of a cheap stochastic estimate of the Hessian's
 * diagonal, refreshed only every k steps. With g the gradient, ĥ the estimate and t = 1, 2, …:
 * <pre>
 *   m ← β₁·m + (1 − β₁)·g
 *   h ← β₂·h + (1 − β₂)·ĥ            only when t mod k = 1 (the first step, then every k)
 *   θ ← θ − η·λ·θ                    (decoupled weight decay)
 *   θ ← θ − η·clip(m / max(ρ·h, ε), 1)
 * </pre>
 * clip(·, 1) bounds every coordinate's step by η. Where the curvature estimate is negative or tiny, the
 * denominator is ε, so the coordinate's step is the clipped sign of the momentum: negative curvature is
 * never used as a (sign-flipping) preconditioner. ρ is the paper's γ (named {@code rho} after the
 * authors' implementation); the estimator is {@link HessianEstimator#hutchinson Hutchinson's} or
 * {@link HessianEstimator#gaussNewtonBartlett Gauss–Newton–Bartlett}.
 *
 * {@snippet :
 * Optimizer opt = Sophia.builder().lr(2e-4).betas(0.965, 0.99).rho(0.04).weightDecay(0.1).updateEvery(10)
 *         .build(model.parameters());
 * for (Batch b : batches) {
 *     opt.step(() -> Losses.crossEntropy(model.forward(b.x()), b.y(), Losses.Reduction.MEAN));   // returns the loss; the optimizer differentiates it
 * }
 * }
 */
public final class Sophia {

    private Sophia() {
    }

    /** {@return a builder with the paper's defaults: lr 1e-4, betas (0.965, 0.99), rho 0.04, eps 1e-12, weightDecay 0.1, updateEvery 10, Hutchinson from the gradient graph} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Sophia's preconditioned, clipped direction clip(m / max(ρ·h, ε), 1) as a gradient transform (before
     * the learning rate; chain it with {@link Transforms#scaleByLearningRate(Schedule)}). Its state is
     * {@code {count, m, h}}.
     *
     * @param beta1       β₁ in [0, 1), the momentum's decay
     * @param beta2       β₂ in [0, 1), the Hessian average's decay (per refresh)
     * @param rho         ρ &gt; 0, the scale of the curvature in the denominator
     * @param eps         ε &gt; 0, the denominator's floor
     * @param updateEvery k ≥ 1, the number of steps between Hessian refreshes
     * @param estimator   the diagonal estimate ĥ
     * @return the transform
     * @throws IllegalArgumentException if a value is outside its range (the message names it)
     * @throws NullPointerException     if {@code estimator} is null
     */
    public static GradientTransform scaleBySophia(double beta1, double beta2, double rho, double eps, int updateEvery,
                                                  HessianEstimator estimator) {
        Transforms.unitInterval("beta1", beta1);
        Transforms.unitInterval("beta2", beta2);
        Transforms.positive("rho", rho);
        Transforms.positive("eps", eps);
        if (updateEvery < 1) {
            throw new IllegalArgumentException("updateEvery must be ≥ 1, got " + updateEvery);
        }
        Objects.requireNonNull(estimator, "estimator");
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                return SecondOrderStates.of("count", SecondOrderStates.count(0), "m", SecondOrderStates.zeros(params),
                        "h", SecondOrderStates.zeros(params));
            }

            @Override
            public Update update(TensorTree grads, TensorTree state, TensorTree params) {
                TensorTree.Dict s = SecondOrderStates.dict("scaleBySophia", state, "count", "m", "h");
                long t = SecondOrderStates.countOf(s);
                TensorTree m = s.entries().get("m").zip(grads, (mi, g) -> mi.mul(beta1).add(g.mul(1 - beta1)));
                TensorTree h = s.entries().get("h");
                if (t % updateEvery == 0) {
                    TensorTree estimate = estimator.estimate(params, grads, t);
                    h = h.zip(estimate, (hi, e) -> hi.mul(beta2).add(e.mul(1 - beta2)));
                }
                TensorTree direction = m.zip(h, (mi, hi) -> mi.div(hi.mul(rho).maximum(eps)).clamp(-1.0, 1.0));
                return new Update(direction, SecondOrderStates.of("count", SecondOrderStates.count(t + 1), "m", m, "h", h));
            }

            @Override
            public String toString() {
                return "scaleBySophia(" + beta1 + ", " + beta2 + ", rho=" + rho + ", eps=" + eps + ", every " + updateEvery + ")";
            }
        };
    }

    /** The builder of a Sophia optimizer, with torch-style names. */
    public static final class Builder extends OptimizerBuilder<Builder> {

        private double beta1 = 0.965;
        private double beta2 = 0.99;
        private double rho = 0.04;
        private double eps = 1e-12;
        private int updateEvery = 10;
        private HessianEstimator estimator;
        private long seed;

        private Builder() {
            super(1e-4);
            weightDecay(0.1);
        }

        /**
         * The decays of the momentum and of the Hessian average.
         *
         * @param beta1 β₁ in [0, 1)
         * @param beta2 β₂ in [0, 1)
         * @return this builder
         * @throws IllegalArgumentException if a beta is outside [0, 1)
         */
        public Builder betas(double beta1, double beta2) {
            this.beta1 = Transforms.unitInterval("beta1", beta1);
            this.beta2 = Transforms.unitInterval("beta2", beta2);
            return this;
        }

        /**
         * The curvature scale ρ (the paper's γ).
         *
         * @param rho ρ &gt; 0
         * @return this builder
         * @throws IllegalArgumentException if {@code rho} is not positive and finite
         */
        public Builder rho(double rho) {
            this.rho = Transforms.positive("rho", rho);
            return this;
        }

        /**
         * The floor ε of the denominator max(ρ·h, ε).
         *
         * @param eps ε &gt; 0
         * @return this builder
         * @throws IllegalArgumentException if {@code eps} is not positive and finite
         */
        public Builder eps(double eps) {
            this.eps = Transforms.positive("eps", eps);
            return this;
        }

        /**
         * The number of steps k between Hessian refreshes (the estimate is taken on steps 1, k + 1, 2k + 1, …).
         *
         * @param k k ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code k < 1}
         */
        public Builder updateEvery(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("updateEvery must be ≥ 1, got " + k);
            }
            this.updateEvery = k;
            return this;
        }

        /**
         * The diagonal estimator (default: Hutchinson's, from the gradient graph, seeded by {@link #seed}).
         *
         * @param estimator the estimator
         * @return this builder
         * @throws NullPointerException if {@code estimator} is null
         */
        public Builder estimator(HessianEstimator estimator) {
            this.estimator = Objects.requireNonNull(estimator, "estimator");
            return this;
        }

        /**
         * The seed of the default estimator's Rademacher probes.
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The stateful optimizer: its {@code step(closure)} differentiates the loss the closure returns (the
         * closure must not call {@code backward()}), with the graph kept for the Hessian–vector products.
         *
         * @param groups the parameter groups
         * @return the optimizer
         */
        @Override
        protected Optimizer create(List<ParamGroup> groups) {
            return new GraphStepOptimizer("Sophia", groups, g -> transform(lrOf(g), weightDecayOf(g)), nonFinite());
        }

        @Override
        protected GradientTransform transform(Schedule lr, double weightDecay) {
            HessianEstimator e = estimator != null ? estimator
                    : HessianEstimator.hutchinson(HessianVectorProducts.fromGradientGraph(), Rng.seed(seed));
            return chain(scaleBySophia(beta1, beta2, rho, eps, updateEvery, e),
                    weightDecay > 0 ? Transforms.addDecayedWeights(weightDecay) : null,
                    Transforms.scaleByLearningRate(lr));
        }
    }
}
