package dev.proxima.nn;

import dev.proxima.tensor.Tensor;

/**
 * GELU, x·Φ(x): {@link #exact()} with erf (PyTorch's default {@code GELU()}), or
 * {@link #tanhApproximation()}, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (PyTorch's
 * {@code GELU(approximate='tanh')}).
 */
public final class GELU extends Module {

    private final boolean approximate;

    private GELU(boolean approximate) {
        this.approximate = approximate;
    }

    /** {@return the exact GELU, 0.5·x·(1 + erf(x/√2))} */
    public static GELU exact() {
        return new GELU(false);
    }

    /** {@return the tanh-approximated GELU (at most 4.8·10⁻⁴ from the exact x·Φ(x))} */
    public static GELU tanhApproximation() {
        return new GELU(true);
    }

    @Override
    public Tensor forward(Tensor x) {
        return approximate ? Functional.geluTanh(x) : Functional.gelu(x);
    }
}
