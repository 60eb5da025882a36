package dev.proxima.nn;

import dev.proxima.tensor.Tensor;

/** x + f(x), for a shape-preserving {@code f} (which it owns, as child "fn"). */
public final class Residual extends Module {

    private final Module fn;

    /**
     * Wraps {@code fn}.
     *
     * @param fn the module whose output is added to its input; it must keep the input shape
     */
    public Residual(Module fn) {
        this.fn = registerModule("fn", fn);
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.add(fn.forward(x));
    }
}
