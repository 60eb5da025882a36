package dev.proxima.optim.prox;

import dev.proxima.optim.internal.Checks;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.UnaryOperator;

/**
 * The smooth (differentiable) part f of a composite objective f(x) + g(x): its value and its gradient. Made from a
 * tensor function differentiated by the core's {@link Autodiff} ({@link #of(Function)}), or from a value and a
 * hand-written gradient ({@link #of(ToDoubleFunction, UnaryOperator)}).
 *
 * {@snippet :
 * Smooth leastSquares = Smooth.of(x -> a.matmul(x).sub(b).square().sum().mul(0.5));   // gradient by autodiff
 * Tensor g = leastSquares.gradient(x0);                                                  // Aᵀ(Ax₀ − b)
 * }
 */
public interface Smooth {

    /**
     * f(x).
     *
     * @param x the point (not modified)
     * @return the value
     */
    double value(Tensor x);

    /**
     * ∇f(x).
     *
     * @param x the point (not modified)
     * @return a new tensor of x's shape, owned by the caller's scope
     */
    Tensor gradient(Tensor x);

    /**
     * The Hessian-vector product ∇²f(x)·v. The default differentiates {@link #gradient} forward (a Jacobian-vector
     * product by autodiff), so a hand-written gradient must be built from differentiable tensor ops; the
     * autodiff-made smooth part of {@link #of(Function)} uses Pearlmutter's double backward pass instead. Either
     * works whatever the thread's recording mode.
     *
     * @param x the point (not modified)
     * @param v the direction, of x's shape
     * @return a new tensor of x's shape, owned by the caller's scope
     */
    default Tensor hessianVectorProduct(Tensor x, Tensor v) {
        try (Scope s = Scope.open()) {
            return s.keep(Autodiff.jvp(this::gradient, x, v).product());
        }
    }

    /**
     * The smooth part given by a scalar-valued tensor function, differentiated by reverse-mode autodiff.
     *
     * @param f a function of one floating-point tensor returning a single-element tensor
     * @return the smooth part
     * @throws IllegalArgumentException if {@code f} is null
     */
    static Smooth of(Function<Tensor, Tensor> f) {
        if (f == null) {
            throw new IllegalArgumentException("the smooth function must not be null");
        }
        return new Smooth() {
            @Override
            public double value(Tensor x) {
                Checks.floating("the point x", x);
                try (Scope s = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
                    return f.apply(x).item();
                }
            }

            @Override
            public Tensor gradient(Tensor x) {
                Checks.floating("the point x", x);
                return Autodiff.grad(f, x);
            }

            @Override
            public Tensor hessianVectorProduct(Tensor x, Tensor v) {
                Checks.floating("the point x", x);
                return Autodiff.hvp(f, x, v);
            }
        };
    }

    /**
     * The smooth part given by its value and its gradient.
     *
     * @param value    x ↦ f(x)
     * @param gradient x ↦ ∇f(x), a new tensor of x's shape
     * @return the smooth part
     * @throws IllegalArgumentException if an argument is null
     */
    static Smooth of(ToDoubleFunction<Tensor> value, UnaryOperator<Tensor> gradient) {
        if (value == null || gradient == null) {
            throw new IllegalArgumentException("the value and the gradient functions must not be null");
        }
        return new Smooth() {
            @Override
            public double value(Tensor x) {
                return value.applyAsDouble(x);
            }

            @Override
            public Tensor gradient(Tensor x) {
                return gradient.apply(x);
            }
        };
    }
}
