package dev.proxima.nn;

import dev.proxima.tensor.Tensor;

/** The activation layer tanh(x) (see {@link Functional}). */
public final class Tanh extends Module {

    /** The layer (no parameters). */
    public Tanh() {
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.tanh(x);
    }
}
