package dev.proxima.nn;

import dev.proxima.tensor.Tensor;

/** The activation layer max(x, 0) (see {@link Functional}). */
public final class ReLU extends Module {

    /** The layer (no parameters). */
    public ReLU() {
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.relu(x);
    }
}
