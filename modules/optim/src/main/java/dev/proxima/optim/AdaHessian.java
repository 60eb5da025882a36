package dev.proxima.optim;

import dev.proxima.optim.internal.GraphStepOptimizer;
import dev.proxima.optim.internal.Hutchinson;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.List;
import java.util.Objects;

/**
 * AdaHessian (Yao, Gholami, Shen, Mustafa, Keutzer and Mahoney, 2021): Adam whose second moment is built
 * from Hutchinson's estimate D = |z ⊙ Hz| of the Hessian's diagonal instead of the squared gradient. For
 * convolution kernels ({@code [out, in, kh, kw]}) D is averaged over the kernel's spatial positions
 * (spatial averaging), which lowers the estimate's variance. With t = 1, 2, …:
 * <pre>
 *   m ← β₁·m + (1 − β₁)·g,      v ← β₂·v + (1 − β₂)·D²
 *   θ ← θ − η·( (m / (1 − β₁ᵗ)) / ((√v)ᵏ / (√(1 − β₂ᵗ))ᵏ + ε) + λ·θ )
 * </pre>
 * with k the Hessian power (1 by default; 0 gives momentum SGD, ½ a damped variant) and λ a decoupled
 * weight decay, as in the authors' reference implementation (the absolute value is taken before the
 * spatial average, also as there).
 *
 * {@snippet :
 * Optimizer opt = AdaHessian.builder().lr(0.15).betas(0.9, 0.999).eps(1e-4).hessianPower(1).build(model.parameters());
 * opt.step(() -> Losses.mse(model.forward(x), y, Losses.Reduction.MEAN));   // returns the loss; the optimizer differentiates it
 * }
 */
public final class AdaHessian {

    private AdaHessian() {
    }

    /** {@return a builder with the reference defaults: lr 0.15, betas (0.9, 0.999), eps 1e-4, hessianPower 1, no weight decay, spatial averaging on, Hutchinson from the gradient graph} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * AdaHessian's bias-corrected direction (m/(1 − β₁ᵗ)) / ((√v)ᵏ/(√(1 − β₂ᵗ))ᵏ + ε) as a gradient transform
     * (before weight decay and learning rate). Its state is {@code {count, m, v}}.
     *
     * @param beta1            β₁ in [0, 1)
     * @param beta2            β₂ in [0, 1)
     * @param eps              ε &gt; 0
     * @param hessianPower     k in [0, 1]
     * @param spatialAveraging whether to average D over the spatial axes of rank-4 leaves
     * @param estimator        the diagonal estimate z ⊙ Hz (its absolute value is used)
     * @return the transform
     * @throws IllegalArgumentException if a value is outside its range (the message names it)
     * @throws NullPointerException     if {@code estimator} is null
     */
    public static GradientTransform scaleByAdaHessian(double beta1, double beta2, double eps, double hessianPower,
                                                      boolean spatialAveraging, HessianEstimator estimator) {
        Transforms.unitInterval("beta1", beta1);
        Transforms.unitInterval("beta2", beta2);
        Transforms.positive("eps", eps);
        checkPower(hessianPower);
        Objects.requireNonNull(estimator, "estimator");
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                return SecondOrderStates.of("count", SecondOrderStates.count(0), "m", SecondOrderStates.zeros(params),
                        "v", SecondOrderStates.zeros(params));
            }

            @Override
            public Update update(TensorTree grads, TensorTree state, TensorTree params) {
                TensorTree.Dict s = SecondOrderStates.dict("scaleByAdaHessian", state, "count", "m", "v");
                long t = SecondOrderStates.countOf(s) + 1;
                TensorTree d = estimator.estimate(params, grads, t - 1).map(Tensor::abs);
                if (spatialAveraging) {
                    d = Hutchinson.spatialAverage(d);
                }
                TensorTree m = s.entries().get("m").zip(grads, (mi, g) -> mi.mul(beta1).add(g.mul(1 - beta1)));
                TensorTree v = s.entries().get("v").zip(d, (vi, di) -> vi.mul(beta2).add(di.square().mul(1 - beta2)));
                double bc1 = 1 - Math.pow(beta1, t);
                double bc2 = Math.pow(Math.sqrt(1 - Math.pow(beta2, t)), hessianPower);
                TensorTree direction = m.zip(v, (mi, vi) -> mi.div(bc1).div(vi.sqrt().pow(hessianPower).div(bc2).add(eps)));
                return new Update(direction, SecondOrderStates.of("count", SecondOrderStates.count(t), "m", m, "v", v));
            }

            @Override
            public String toString() {
                return "scaleByAdaHessian(" + beta1 + ", " + beta2 + ", eps=" + eps + ", k=" + hessianPower + ")";
            }
        };
    }

    private static double checkPower(double k) {
        if (!(k >= 0 && k <= 1)) {
            throw new IllegalArgumentException("hessianPower must be in [0, 1], got " + k);
        }
        return k;
    }

    /** The builder of an AdaHessian optimizer, with torch-style names. */
    public static final class Builder extends OptimizerBuilder<Builder> {

        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-4;
        private double hessianPower = 1;
        private boolean spatialAveraging = true;
        private HessianEstimator estimator;
        private long seed;

        private Builder() {
            super(0.15);
        }

        /**
         * The decays of the first and second moments.
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
         * The denominator's additive ε.
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
         * The Hessian power k.
         *
         * @param k k in [0, 1]
         * @return this builder
         * @throws IllegalArgumentException if {@code k} is outside [0, 1]
         */
        public Builder hessianPower(double k) {
            this.hessianPower = checkPower(k);
            return this;
        }

        /**
         * Whether convolution kernels (rank-4 parameters) share one curvature value per kernel position.
         *
         * @param on true to average (the default)
         * @return this builder
         */
        public Builder spatialAveraging(boolean on) {
            this.spatialAveraging = on;
            return this;
        }

        /**
         * The diagonal estimator (default: Hutchinson's from the gradient graph, seeded by {@link #seed}).
         *
         * @param estimator the estimator of z ⊙ Hz
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
            return new GraphStepOptimizer("AdaHessian", groups, g -> transform(lrOf(g), weightDecayOf(g)), nonFinite());
        }

        @Override
        protected GradientTransform transform(Schedule lr, double weightDecay) {
            HessianEstimator e = estimator != null ? estimator
                    : HessianEstimator.hutchinson(HessianVectorProducts.fromGradientGraph(), Rng.seed(seed));
            return chain(scaleByAdaHessian(beta1, beta2, eps, hessianPower, spatialAveraging, e),
                    weightDecay > 0 ? Transforms.addDecayedWeights(weightDecay) : null,
                    Transforms.scaleByLearningRate(lr));
        }
    }
}
