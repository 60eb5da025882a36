package dev.proxima.optim;

import dev.proxima.optim.internal.GraphStepOptimizer;
import dev.proxima.optim.internal.ConjugateGradient;
import dev.proxima.optim.internal.TreeAlgebra;
import dev.proxima.tensor.TensorTree;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The gradient-regularized Newton method (Mishchenko 2021; Doikov and Nesterov 2021; with approximate
 * Hessians as in "Gradient-Normalized Smoothness for Optimization with Approximate Hessians"): the step
 * <pre>
 *   θ ← θ − η·(H + √(L·‖g‖)·I)⁻¹·g
 * </pre>
 * where H is the Hessian or any symmetric approximation of it given by its products
 * ({@link HessianVectorProducts}), L an estimate of the Hessian's Lipschitz constant, and the regularizer
 * √(L‖g‖) vanishes as the gradient does, giving Newton's local speed with a global guarantee. The linear
 * system is solved matrix-free by conjugate gradients (at most {@code maxIter} products, relative
 * residual {@code tol}); if CG meets a direction of non-positive curvature (H not positive definite
 * enough), it stops with its iterate so far (the gradient itself on the first iteration), as truncated
 * Newton does. A weight decay λ is decoupled: −η·λ·θ is added to the step.
 *
 * {@snippet :
 * Optimizer opt = GradientRegularizedNewton.builder().lipschitz(1.0).maxIter(20).build(model.parameters());
 * opt.step(() -> Losses.mse(model.forward(x), y, Losses.Reduction.MEAN));   // returns the loss; the optimizer differentiates it
 * }
 */
public final class GradientRegularizedNewton {

    private GradientRegularizedNewton() {
    }

    /** {@return a builder with defaults lr 1, lipschitz 1, maxIter 10, tol 1e-6, products from the gradient graph} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The regularized Newton direction (H + √(L·‖g‖)·I)⁻¹·g as a stateless gradient transform (chain it with
     * the learning rate). Its state is an empty dict.
     *
     * @param lipschitz L &gt; 0
     * @param maxIter   the largest number of CG iterations, ≥ 1
     * @param tol       CG's relative residual tolerance, ≥ 0
     * @param hvp       where the products with H come from
     * @return the transform
     * @throws IllegalArgumentException if a value is outside its range (the message names it)
     * @throws NullPointerException     if {@code hvp} is null
     */
    public static GradientTransform scaleByRegularizedNewton(double lipschitz, int maxIter, double tol, HessianVectorProducts hvp) {
        Transforms.positive("lipschitz", lipschitz);
        checkIter(maxIter);
        Transforms.nonNegative("tol", tol);
        Objects.requireNonNull(hvp, "hvp");
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                return TensorTree.dict(new LinkedHashMap<>());
            }

            @Override
            public Update update(TensorTree grads, TensorTree state, TensorTree params) {
                SecondOrderStates.dict("scaleByRegularizedNewton", state);
                double shift = Math.sqrt(lipschitz * TreeAlgebra.norm(grads));
                UnaryOperator<TensorTree> h = hvp.at(params, grads);
                UnaryOperator<TensorTree> shifted = v -> {
                    TensorTree hv = h.apply(v);
                    TensorTree out = TreeAlgebra.combine(1.0, hv, shift, v);
                    TreeAlgebra.close(hv);
                    return out;
                };
                TensorTree detached = grads.map(g -> g.detach());
                ConjugateGradient.Result r = ConjugateGradient.solve(shifted, detached, maxIter, tol);
                return new Update(r.solution(), TensorTree.dict(new LinkedHashMap<>()));
            }

            @Override
            public String toString() {
                return "scaleByRegularizedNewton(L=" + lipschitz + ", maxIter=" + maxIter + ", tol=" + tol + ")";
            }
        };
    }

    private static int checkIter(int maxIter) {
        if (maxIter < 1) {
            throw new IllegalArgumentException("maxIter must be ≥ 1, got " + maxIter);
        }
        return maxIter;
    }

    /** The builder of a gradient-regularized Newton optimizer. */
    public static final class Builder extends OptimizerBuilder<Builder> {

        private double lipschitz = 1;
        private int maxIter = 10;
        private double tol = 1e-6;
        private HessianVectorProducts hvp = HessianVectorProducts.fromGradientGraph();

        private Builder() {
            super(1.0);
        }

        /**
         * The Hessian's Lipschitz constant L (or an estimate: larger is more cautious).
         *
         * @param lipschitz L &gt; 0
         * @return this builder
         * @throws IllegalArgumentException if {@code lipschitz} is not positive and finite
         */
        public Builder lipschitz(double lipschitz) {
            this.lipschitz = Transforms.positive("lipschitz", lipschitz);
            return this;
        }

        /**
         * The largest number of conjugate-gradient iterations per step.
         *
         * @param maxIter ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxIter < 1}
         */
        public Builder maxIter(int maxIter) {
            this.maxIter = checkIter(maxIter);
            return this;
        }

        /**
         * Conjugate gradients' relative residual tolerance.
         *
         * @param tol ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if {@code tol} is negative or not finite
         */
        public Builder tol(double tol) {
            this.tol = Transforms.nonNegative("tol", tol);
            return this;
        }

        /**
         * Where the Hessian (or approximate Hessian) products come from (default: the gradient graph).
         *
         * @param hvp the source
         * @return this builder
         * @throws NullPointerException if {@code hvp} is null
         */
        public Builder hessian(HessianVectorProducts hvp) {
            this.hvp = Objects.requireNonNull(hvp, "hvp");
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
            return new GraphStepOptimizer("GradientRegularizedNewton", groups, g -> transform(lrOf(g), weightDecayOf(g)), nonFinite());
        }

        @Override
        protected GradientTransform transform(Schedule lr, double weightDecay) {
            return chain(scaleByRegularizedNewton(lipschitz, maxIter, tol, hvp),
                    weightDecay > 0 ? Transforms.addDecayedWeights(weightDecay) : null,
                    Transforms.scaleByLearningRate(lr));
        }
    }
}
