package dev.proxima.nn;

import dev.proxima.tensor.Tensor;

/**
 * Stateless activation functions, differentiable to any order through the tensor core. The layer classes
 * ({@link ReLU}, {@link GELU}, …) and {@link Activation} delegate here.
 */
public final class Functional {

    private Functional() {
    }

    /**
     * max(x, 0).
     *
     * @param x the input, any shape
     * @return a new tensor of {@code x}'s shape and dtype
     */
    public static Tensor relu(Tensor x) {
        return x.maximum(0); // a long scalar: an integer tensor stays integer
    }

    /**
     * x for x > 0, slope·x otherwise.
     *
     * @param x     the input, any shape
     * @param slope the factor for non-positive inputs, e.g. 0.01
     * @return a new tensor of {@code x}'s shape and dtype
     */
    public static Tensor leakyRelu(Tensor x, double slope) {
        return Tensor.where(x.gt(0.0), x, x.mul(slope));
    }

    /**
     * GELU, exactly: x·Φ(x) = 0.5·x·(1 + erf(x/√2)) (Hendrycks and Gimpel, 2016; PyTorch's default
     * {@code GELU()}).
     *
     * @param x the input, any shape
     * @return a new tensor of {@code x}'s shape
     */
    public static Tensor gelu(Tensor x) {
        return x.mul(x.mul(1 / Math.sqrt(2)).erf().add(1.0)).mul(0.5);
    }

    /**
     * The tanh approximation of GELU (PyTorch's {@code approximate='tanh'}):
     * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), at most 4.8·10⁻⁴ from the exact {@link #gelu} (largest near |x| ≈ 2).
     *
     * @param x the input, any shape
     * @return a new tensor of {@code x}'s shape
     */
    public static Tensor geluTanh(Tensor x) {
        Tensor inner = x.add(x.pow(3.0).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
        return x.mul(inner.tanh().add(1.0)).mul(0.5);
    }

    /**
     * x·σ(x) (SiLU, "swish").
     *
     * @param x the input, any shape
     * @return a new tensor of {@code x}'s shape
     */
    public static Tensor silu(Tensor x) {
        return x.mul(x.sigmoid());
    }

    /**
     * log(1 + eˣ) in the stable form max(x, 0) + log1p(e^(−|x|)): no overflow for large x, and full relative
     * accuracy for very negative x (softplus(−100) = e⁻¹⁰⁰, not 0).
     *
     * @param x the input, any shape
     * @return a new tensor of {@code x}'s shape
     */
    public static Tensor softplus(Tensor x) {
        return x.maximum(0.0).add(log1p(x.abs().neg().exp()));
    }

    /**
     * log(1 + u) for u &gt; −1, accurate for tiny u: the series u − u²/2 + u³/3 below |u| = 10⁻⁴ (truncation
     * error under u⁴/4 ≤ 2.5·10⁻¹⁷ relative), log(1 + u) elsewhere. Differentiable to any order.
     *
     * @param u the input, any shape, elements above −1
     * @return a new tensor of {@code u}'s shape
     */
    public static Tensor log1p(Tensor u) {
        Tensor small = u.abs().lt(1e-4);
        Tensor series = u.mul(u.mul(u.mul(1.0 / 3).sub(0.5)).add(1.0));
        Tensor safe = Tensor.where(small, Tensor.scalar(0, u.dtype()), u); // keeps log's derivative finite in the unused branch
        return Tensor.where(small, series, safe.add(1.0).log());
    }

    /**
     * x for x > 0, α·(eˣ − 1) otherwise. The exponential only sees min(x, 0), so no overflow leaks into gradients.
     *
     * @param x     the input, any shape
     * @param alpha the scale α of the negative branch, e.g. 1
     * @return a new tensor of {@code x}'s shape
     */
    public static Tensor elu(Tensor x, double alpha) {
        return Tensor.where(x.gt(0.0), x, x.minimum(0.0).exp().sub(1.0).mul(alpha));
    }

    /**
     * The logistic sigmoid.
     *
     * @param x the input, any shape
     * @return a new tensor of {@code x}'s shape, elements in [0, 1]
     */
    public static Tensor sigmoid(Tensor x) {
        return x.sigmoid();
    }

    /**
     * The hyperbolic tangent.
     *
     * @param x the input, any shape
     * @return a new tensor of {@code x}'s shape, elements in [−1, 1]
     */
    public static Tensor tanh(Tensor x) {
        return x.tanh();
    }
}
