package dev.proxima.optim;

import dev.proxima.nn.Parameter;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Into;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Sharpness-aware minimization (Foret, Kleiner, Mobahi and Neyshabur, 2021) around any base optimizer,
 * and its adaptive variant ASAM (Kwon, Kim, Park and Choi, 2021). Each step takes two passes of the
 * closure: the gradient g at θ, the ascent step ε = ρ·T²g/‖Tg‖ (T = I for SAM, T = diag(|θ| + η) for
 * ASAM), the gradient at θ + ε, and then the base optimizer's step from θ with that second gradient.
 *
 * <p>The closure computes the loss and calls {@code backward()}; SAM zeroes the gradients before each
 * pass, moves the parameters to θ + ε for the second one and restores them exactly (from a copy) before
 * the base step. {@link #step(Supplier)} returns the loss of the first pass. The step is skipped (or
 * refused) like any other when the first gradient is not finite ({@link Optimizer.NonFinitePolicy}).
 * The SAM optimizer owns the base optimizer: its state is the base's state, and closing it closes the
 * base.
 *
 * {@snippet :
 * Optimizer opt = SAM.builder().rho(0.05).build(SGD.builder().lr(0.1).momentum(0.9).build(model.parameters()));
 * opt.step(() -> {
 *     Tensor loss = Losses.crossEntropy(model.forward(x), y, Losses.Reduction.MEAN);
 *     loss.backward();
 *     return loss;
 * });
 * }
 */
public final class SAM extends Optimizer {

    private final Optimizer base;
    private final DoubleSupplier radius;
    private final boolean adaptive;
    private final double eta;

    SAM(Optimizer base, DoubleSupplier radius, boolean adaptive, double eta) {
        super(base.paramGroups(), base.nonFinitePolicy());
        this.base = base;
        this.radius = radius;
        this.adaptive = adaptive;
        this.eta = eta;
    }

    /** {@return a builder with defaults rho 0.05, not adaptive, eta 0.01} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The SAM (or ASAM) gradient of a loss given as a function of the parameter tree: ∇L(θ + ε) with
     * ε = ρ·T²g/‖Tg‖ and g = ∇L(θ) — the functional form of the first two passes of a step, to feed any
     * {@link GradientTransform}.
     *
     * @param loss     a function of the parameter tree returning a single-element tensor
     * @param params   θ
     * @param rho      ρ ≥ 0, the neighbourhood's radius
     * @param adaptive true for ASAM (T = diag(|θ| + η)), false for SAM
     * @param eta      η ≥ 0, ASAM's offset (ignored by SAM)
     * @return ∇L(θ + ε), a tree of {@code params}' structure owned by the caller's scope
     * @throws IllegalArgumentException if {@code rho} or {@code eta} is negative or not finite
     * @throws NullPointerException     if an argument is null
     */
    public static TensorTree perturbedGradient(Function<TensorTree, Tensor> loss, TensorTree params, double rho,
                                               boolean adaptive, double eta) {
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(params, "params");
        Transforms.nonNegative("rho", rho);
        Transforms.nonNegative("eta", eta);
        TensorTree out;
        try (Scope scope = Scope.open(); Autodiff.GradMode on = Autodiff.enableGrad()) {
            TensorTree g = Autodiff.grad(loss, params);
            TensorTree e = params.withLeaves(ascent(params.leaves(), g.leaves(), rho, adaptive, eta));
            TensorTree shifted = params.zip(e, (p, d) -> p.detach().add(d));
            out = Autodiff.grad(loss, shifted);
            out.leaves().forEach(scope::keep);
        }
        return out;
    }

    /** ε = ρ·T²g/(‖Tg‖ + 1e-12), leaf by leaf, with T = |θ| + η when adaptive (else 1). */
    private static List<Tensor> ascent(List<Tensor> params, List<Tensor> grads, double rho, boolean adaptive, double eta) {
        List<Tensor> scaled = new ArrayList<>(grads.size());
        double sq = 0;
        for (int i = 0; i < grads.size(); i++) {
            Tensor g = grads.get(i).detach();
            Tensor tg = adaptive ? params.get(i).detach().abs().add(eta).mul(g) : g;
            sq += tg.square().sum().item();
            scaled.add(adaptive ? params.get(i).detach().abs().add(eta).mul(tg) : g);
        }
        double scale = rho / (Math.sqrt(sq) + 1e-12);
        List<Tensor> e = new ArrayList<>(scaled.size());
        for (Tensor t : scaled) {
            e.add(t.mul(scale));
        }
        return e;
    }

    @Override
    protected Tensor update(Supplier<Tensor> closure) {
        if (closure == null) {
            throw new IllegalArgumentException("SAM takes two passes per step: call step(closure) with a closure that computes the"
                    + " loss and calls backward(), not step()");
        }
        zeroGrad();
        Tensor loss = evaluate(closure);
        if (!gradientsAccepted()) {
            return loss;
        }
        List<Parameter> params = new ArrayList<>();
        for (ParamGroup g : paramGroups()) {
            params.addAll(g.params());
        }
        List<Tensor> saved = new ArrayList<>(params.size());
        try (Autodiff.GradMode off = Autodiff.noGrad()) {
            double rho = radius.getAsDouble();
            if (!(rho >= 0) || Double.isInfinite(rho)) {
                throw new IllegalArgumentException("the neighbourhood radius of a SAM step must be finite and ≥ 0, got " + rho);
            }
            try (Scope scope = Scope.open()) {
                List<Tensor> values = new ArrayList<>(params.size());
                List<Tensor> grads = new ArrayList<>(params.size());
                for (Parameter p : params) {
                    values.add(p.value());
                    grads.add(p.grad() != null ? p.grad() : Tensor.zerosLike(p.value()));
                }
                List<Tensor> e = ascent(values, grads, rho, adaptive, eta);
                for (int i = 0; i < params.size(); i++) {
                    Tensor v = values.get(i);
                    saved.add(Scope.release(v.copy()));
                    Tensor d = e.get(i);
                    Into.add(v, d.dtype() == v.dtype() ? d : d.cast(v.dtype()), v);
                }
            }
            zeroGrad();
            try (Autodiff.GradMode on = Autodiff.enableGrad()) {
                evaluate(closure).close();
            }
        } finally {
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                for (int i = 0; i < saved.size(); i++) {
                    Into.copy(saved.get(i), params.get(i).value());
                    saved.get(i).close();
                }
            }
        }
        base.step();
        countStep();
        return loss;
    }

    @Override
    protected TensorTree groupStates() {
        return base.state();
    }

    @Override
    protected void closeState() {
        base.close();
    }

    /** The builder of a SAM (or ASAM) optimizer around a base optimizer. */
    public static final class Builder {

        private double rho = 0.05;
        private boolean adaptive;
        private double eta = 0.01;

        private Builder() {
        }

        /**
         * The neighbourhood's radius ρ.
         *
         * @param rho ρ ≥ 0
         * @return this builder
         * @throws IllegalArgumentException if {@code rho} is negative or not finite
         */
        public Builder rho(double rho) {
            this.rho = Transforms.nonNegative("rho", rho);
            return this;
        }

        /**
         * ASAM's scale-invariant neighbourhood T = diag(|θ| + η) instead of SAM's ball.
         *
         * @param adaptive true for ASAM
         * @return this builder
         */
        public Builder adaptive(boolean adaptive) {
            this.adaptive = adaptive;
            return this;
        }

        /**
         * ASAM's offset η in T = diag(|θ| + η).
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
         * The SAM optimizer around {@code base}, which it then owns.
         *
         * @param base the optimizer that takes the step from θ with the gradient at θ + ε
         * @return the optimizer
         * @throws NullPointerException  if {@code base} is null
         * @throws IllegalStateException if {@code base} is closed
         */
        public Optimizer build(Optimizer base) {
            Objects.requireNonNull(base, "base");
            if (base.isClosed()) {
                throw new IllegalStateException("the base optimizer of SAM is closed");
            }
            double r = rho;
            return new SAM(base, () -> r, adaptive, eta);
        }
    }
}
