package dev.proxima.optim;

import dev.proxima.nn.Parameter;
import dev.proxima.optim.internal.LbfgsOptimizer;

import java.util.List;
import java.util.Objects;

/**
 * L-BFGS (Liu and Nocedal 1989) with PyTorch's {@code torch.optim.LBFGS} semantics: each {@link Optimizer#step(java.util.function.Supplier)}
 * runs up to {@code maxIter} quasi-Newton iterations on the closure (which must zero the gradients, compute the
 * loss, call {@code backward()} and return the loss), with the two-loop recursion over the last
 * {@code historySize} curvature pairs, a first step of {@code min(1, 1/‖g‖₁)·lr}, and either a fixed step
 * {@code lr} or a line search satisfying the strong Wolfe conditions ({@link LineSearch#STRONG_WOLFE}, PyTorch's
 * {@code _strong_wolfe}: c₁ = 1e-4, c₂ = 0.9, cubic interpolation, at most 25 evaluations). The stopping rules
 * are PyTorch's: {@code maxIter}, {@code maxEval}, {@code max|g| ≤ toleranceGrad}, {@code max|t·d| ≤ toleranceChange},
 * {@code |f − f_prev| < toleranceChange}. All parameters form one group and share a dtype and a device.
 *
 * {@snippet :
 * Optimizer opt = LBFGS.builder().lr(1).historySize(10).maxIter(20).lineSearch(LBFGS.LineSearch.STRONG_WOLFE)
 *         .build(model.parameters());
 * for (int i = 0; i < 5; i++) {
 *     opt.step(() -> {
 *         opt.zeroGrad();
 *         Tensor loss = lossOf(model);
 *         loss.backward();
 *         return loss;
 *     });
 * }
 * }
 *
 * <p>The state (search direction, curvature history, step counts) is kept in fixed buffers so that it saves and
 * loads like every optimizer's: the history takes {@code 2·historySize} vectors of the parameters' total size.
 */
public final class LBFGS {

    private LBFGS() {
    }

    /** The step-size rule of an iteration. */
    public enum LineSearch {
        /** No line search: the step is {@code lr} (the first iteration's {@code min(1, 1/‖g‖₁)·lr}). */
        NONE,
        /** A line search satisfying the strong Wolfe conditions, as PyTorch's {@code line_search_fn="strong_wolfe"}. */
        STRONG_WOLFE
    }

    /** {@return a builder with PyTorch's defaults (lr 1, maxIter 20, maxEval 25, toleranceGrad 1e-7, toleranceChange 1e-9, historySize 100, no line search)} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * L-BFGS's hyper-parameters.
     *
     * @param lr              the learning rate
     * @param maxIter         the most iterations per step
     * @param maxEval         the most closure evaluations per step
     * @param toleranceGrad   the first-order optimality tolerance on {@code max|g|}
     * @param toleranceChange the tolerance on changes of the iterate and the loss
     * @param historySize     the number of curvature pairs kept
     * @param lineSearch      the step-size rule
     */
    public record Settings(double lr, int maxIter, int maxEval, double toleranceGrad, double toleranceChange, int historySize,
                           LineSearch lineSearch) {
    }

    /** Builds an L-BFGS optimizer. */
    public static final class Builder {

        private double lr = 1;
        private int maxIter = 20;
        private Integer maxEval;
        private double toleranceGrad = 1e-7;
        private double toleranceChange = 1e-9;
        private int historySize = 100;
        private LineSearch lineSearch = LineSearch.NONE;
        private Optimizer.NonFinitePolicy nonFinite = Optimizer.NonFinitePolicy.THROW;

        private Builder() {
        }

        /**
         * The learning rate (default 1).
         *
         * @param lr finite and &gt; 0
         * @return this builder
         * @throws IllegalArgumentException if {@code lr} is not finite and positive
         */
        public Builder lr(double lr) {
            this.lr = Transforms.positive("lr", lr);
            return this;
        }

        /**
         * The most iterations per step (default 20).
         *
         * @param maxIter ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxIter} is below 1
         */
        public Builder maxIter(int maxIter) {
            if (maxIter < 1) {
                throw new IllegalArgumentException("maxIter must be ≥ 1, got " + maxIter);
            }
            this.maxIter = maxIter;
            return this;
        }

        /**
         * The most closure evaluations per step (default {@code maxIter·5/4}).
         *
         * @param maxEval ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maxEval} is below 1
         */
        public Builder maxEval(int maxEval) {
            if (maxEval < 1) {
                throw new IllegalArgumentException("maxEval must be ≥ 1, got " + maxEval);
            }
            this.maxEval = maxEval;
            return this;
        }

        /**
         * The tolerance on {@code max|g|} below which a step stops (default 1e-7).
         *
         * @param toleranceGrad finite and ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if it is negative or not finite
         */
        public Builder toleranceGrad(double toleranceGrad) {
            this.toleranceGrad = Transforms.nonNegative("toleranceGrad", toleranceGrad);
            return this;
        }

        /**
         * The tolerance on the change of the iterate and of the loss (default 1e-9).
         *
         * @param toleranceChange finite and ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if it is negative or not finite
         */
        public Builder toleranceChange(double toleranceChange) {
            this.toleranceChange = Transforms.nonNegative("toleranceChange", toleranceChange);
            return this;
        }

        /**
         * How many curvature pairs to keep (default 100).
         *
         * @param historySize ≥ 1
         * @return this builder
         * @throws IllegalArgumentException if {@code historySize} is below 1
         */
        public Builder historySize(int historySize) {
            if (historySize < 1) {
                throw new IllegalArgumentException("historySize must be ≥ 1, got " + historySize);
            }
            this.historySize = historySize;
            return this;
        }

        /**
         * The step-size rule (default {@link LineSearch#NONE}).
         *
         * @param lineSearch the rule
         * @return this builder
         */
        public Builder lineSearch(LineSearch lineSearch) {
            this.lineSearch = Objects.requireNonNull(lineSearch, "lineSearch");
            return this;
        }

        /**
         * What a step does with a NaN or infinite gradient at its first evaluation (default THROW).
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder nonFinite(Optimizer.NonFinitePolicy policy) {
            this.nonFinite = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * An L-BFGS optimizer over {@code params}; call {@link Optimizer#step(java.util.function.Supplier)} with a closure.
         *
         * @param params the parameters, at least one, all of one floating dtype and one device
         * @return the optimizer
         * @throws IllegalArgumentException if {@code params} is empty, or the parameters differ in dtype or device
         */
        public Optimizer build(List<Parameter> params) {
            Settings s = new Settings(lr, maxIter, maxEval != null ? maxEval : maxIter * 5 / 4, toleranceGrad, toleranceChange,
                    historySize, lineSearch);
            return new LbfgsOptimizer(ParamGroup.of(params), s, nonFinite);
        }
    }
}
