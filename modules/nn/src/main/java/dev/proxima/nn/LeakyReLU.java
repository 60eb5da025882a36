package dev.proxima.nn;

import dev.proxima.tensor.Tensor;

/** x for x > 0, slope·x otherwise. */
public final class LeakyReLU extends Module {

    private final double slope;

    /** With PyTorch's default slope 0.01. */
    public LeakyReLU() {
        this(0.01);
    }

    /**
     * With the given negative slope.
     *
     * @param slope the factor for non-positive inputs, e.g. 0.01
     */
    public LeakyReLU(double slope) {
        this.slope = slope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.leakyRelu(x, slope);
    }
}
