package dev.proxima.nn;

import dev.proxima.tensor.Tensor;

/** The activation layer σ(x) = 1/(1 + e^(−x)) (see {@link Functional}). */
public final class Sigmoid extends Module {

    /** The layer (no parameters). */
    public Sigmoid() {
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.sigmoid(x);
    }
}
