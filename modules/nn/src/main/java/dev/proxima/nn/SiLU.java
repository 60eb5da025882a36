package dev.proxima.nn;

import dev.proxima.tensor.Tensor;

/** The activation layer x·σ(x) (see {@link Functional}). */
public final class SiLU extends Module {

    /** The layer (no parameters). */
    public SiLU() {
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.silu(x);
    }
}
