package dev.proxima.nn;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

/**
 * y = x·Wᵀ + b over the last axis: x [..., in] → y [..., out], W [out, in], b [out]. Initialised like
 * PyTorch: W ~ U(−1/√in, 1/√in) (Kaiming uniform with a = √5), b ~ U(−1/√in, 1/√in).
 */
public final class Linear extends Module {

    private final Parameter weight;
    private final Parameter bias;

    /**
     * An F32 layer with bias.
     *
     * @param in  the input features
     * @param out the output features
     * @param rng the random source of the initialisation U(−1/√in, 1/√in)
     */
    public Linear(long in, long out, Rng rng) {
        this(in, out, true, DType.F32, rng);
    }

    /**
     * A layer of the given dtype, with or without bias.
     *
     * @param in    the input features
     * @param out   the output features
     * @param bias  true to add a learned bias b [out]
     * @param dtype the element type of the parameters
     * @param rng   the random source of the initialisation U(−1/√in, 1/√in)
     */
    public Linear(long in, long out, boolean bias, DType dtype, Rng rng) {
        double b = 1 / Math.sqrt(in);
        try (Scope scope = Scope.open()) {
            this.weight = registerParameter("weight", rng.uniform(dtype, -b, b, out, in));
            this.bias = bias ? registerParameter("bias", rng.uniform(dtype, -b, b, out)) : null;
        }
    }

    /** {@return the weight W [out, in]} */
    public Parameter weight() {
        return weight;
    }

    /** {@return the bias b [out], or null} */
    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x.matmul(weight.value().transpose());
        return bias == null ? y : y.add(bias.value());
    }
}
