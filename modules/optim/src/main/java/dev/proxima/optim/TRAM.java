package dev.proxima.optim;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Trust-region-aware minimization (Sherborne, Saphra, Dasigi and Peng, 2024): SAM whose neighbourhood
 * radius is not a constant but the current trust-region divergence in function space, ρₜ = d(f(x; θ′),
 * f(x; θₜ)), so that parameter-space sharpness is probed only as far as the model's outputs have been
 * moving. The paper's variants differ in what θ′ and x are: TRAM-θₜ₋₁ compares the outputs of the
 * previous step's parameters with the current ones on the batch, TRAM-θ₀ the pre-trained model's,
 * TRAM-x the current model's on noised inputs. The divergence is the mean KL divergence between the
 * predicted distributions ({@link #logitDivergence}), computed by the caller's training code (which has
 * the logits) and read by the optimizer after the first pass of each step.
 *
 * {@snippet :
 * Module pretrained = ...;            // a frozen copy of the pre-trained model: the TRAM-θ₀ variant
 * double[] divergence = new double[1];
 * Optimizer opt = TRAM.builder().divergence(() -> divergence[0])
 *         .build(AdamW.builder().lr(1e-5).build(model.parameters()));
 * opt.step(() -> {
 *     Tensor logits = model.forward(x);
 *     try (Autodiff.GradMode off = Autodiff.noGrad()) {
 *         divergence[0] = TRAM.logitDivergence(pretrained.forward(x), logits);   // read after the first pass
 *     }
 *     Tensor loss = Losses.crossEntropy(logits, y, Losses.Reduction.MEAN);
 *     loss.backward();
 *     return loss;
 * });
 * }
 */
public final class TRAM {

    private TRAM() {
    }

    /** {@return a builder (the divergence must be given); not adaptive, eta 0.01} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The mean over the batch of KL(softmax(reference_b) ‖ softmax(current_b)), the trust-region divergence
     * between two sets of logits [B, C] (the reference is treated as constant).
     *
     * @param reference the logits under the reference parameters or inputs, [B, C]
     * @param current   the logits under the current ones, [B, C]
     * @return the divergence, ≥ 0
     * @throws IllegalArgumentException if the shapes differ or are not [B, C]
     * @throws NullPointerException     if an argument is null
     */
    public static double logitDivergence(Tensor reference, Tensor current) {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(current, "current");
        if (reference.rank() != 2 || !Arrays.equals(reference.shape(), current.shape())) {
            throw new IllegalArgumentException("logitDivergence needs two logit tensors [B, C] of one shape, got "
                    + Arrays.toString(reference.shape()) + " and " + Arrays.toString(current.shape()));
        }
        try (Scope scope = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            Tensor logP = reference.logSoftmax(1);
            Tensor logQ = current.logSoftmax(1);
            double kl = logP.exp().mul(logP.sub(logQ)).sum().item() / reference.dim(0);
            return Math.max(kl, 0);
        }
    }

    /** The builder of a TRAM optimizer around a base optimizer. */
    public static final class Builder {

        private DoubleSupplier divergence;
        private boolean adaptive;
        private double eta = 0.01;

        private Builder() {
        }

        /**
         * Where the radius ρₜ of each step comes from: read once per step, after the closure's first pass.
         *
         * @param divergence the trust-region divergence of the current step (finite, ≥ 0)
         * @return this builder
         * @throws NullPointerException if {@code divergence} is null
         */
        public Builder divergence(DoubleSupplier divergence) {
            this.divergence = Objects.requireNonNull(divergence, "divergence");
            return this;
        }

        /**
         * The adaptive (ASAM-style) neighbourhood T = diag(|θ| + η).
         *
         * @param adaptive true for the adaptive neighbourhood
         * @return this builder
         */
        public Builder adaptive(boolean adaptive) {
            this.adaptive = adaptive;
            return this;
        }

        /**
         * The offset η of the adaptive neighbourhood.
         *
         * @param eta η ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if {@code eta} is negative or not finite
         */
        public Builder eta(double eta) {
            this.eta = Transforms.nonNegative("eta", eta);
            return this;
        }

        /**
         * The TRAM optimizer around {@code base}, which it then owns.
         *
         * @param base the optimizer that takes the step from θ with the gradient at θ + ε
         * @return the optimizer
         * @throws IllegalStateException if no divergence was given or {@code base} is closed
         * @throws NullPointerException  if {@code base} is null
         */
        public Optimizer build(Optimizer base) {
            Objects.requireNonNull(base, "base");
            if (divergence == null) {
                throw new IllegalStateException("TRAM needs its trust-region divergence: call divergence(...) before build");
            }
            if (base.isClosed()) {
                throw new IllegalStateException("the base optimizer of TRAM is closed");
            }
            return new SAM(base, divergence, adaptive, eta);
        }
    }
}
