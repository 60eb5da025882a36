package dev.proxima.nn;

import dev.proxima.tensor.Tensor;

/** The activation layer log(1 + eˣ), computed stably as max(x, 0) + log1p(e^(−|x|)) (see {@link Functional}). */
public final class Softplus extends Module {

    /** The layer (no parameters). */
    public Softplus() {
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.softplus(x);
    }
}
