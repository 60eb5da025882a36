package dev.proxima.nn;

import dev.proxima.tensor.Tensor;

/**
 * GELU in its tanh approximation only (the tensor core has no erf):
 * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), PyTorch's {@code GELU(approximate='tanh')}. The name of the
 * factory says so: {@code GELU.tanhApproximation()}.
 */
public final class GELU extends Module {

    private GELU() {
    }

    /** The tanh-approximated GELU (within about 3·10⁻⁴ of the exact x·Φ(x)). */
    public static GELU tanhApproximation() {
        return new GELU();
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.geluTanh(x);
    }
}
