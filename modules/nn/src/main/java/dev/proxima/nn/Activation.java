package dev.proxima.nn;

import dev.proxima.tensor.Tensor;

import java.util.function.UnaryOperator;

/** The parameter-free activations, as values for {@link MLP} and {@link ICNN}. */
public enum Activation implements UnaryOperator<Tensor> {
    /** {@link Functional#relu}. */
    RELU(Functional::relu),
    /** {@link Functional#leakyRelu} with slope 0.01. */
    LEAKY_RELU(x -> Functional.leakyRelu(x, 0.01)),
    /** {@link Functional#gelu} (exact, with erf). */
    GELU(Functional::gelu),
    /** {@link Functional#geluTanh} (tanh approximation). */
    GELU_TANH(Functional::geluTanh),
    /** {@link Functional#silu}. */
    SILU(Functional::silu),
    /** {@link Functional#softplus}. */
    SOFTPLUS(Functional::softplus),
    /** {@link Functional#tanh}. */
    TANH(Functional::tanh),
    /** {@link Functional#sigmoid}. */
    SIGMOID(Functional::sigmoid),
    /** The identity. */
    IDENTITY(x -> x);

    private final UnaryOperator<Tensor> f;

    Activation(UnaryOperator<Tensor> f) {
        this.f = f;
    }

    @Override
    public Tensor apply(Tensor x) {
        return f.apply(x);
    }

    /** {@return this activation as a layer} */
    public Module module() {
        return new Lambda(name(), this);
    }

    /** A parameter-free module applying a function. */
    static final class Lambda extends Module {
        private final String name;
        private final UnaryOperator<Tensor> f;

        Lambda(String name, UnaryOperator<Tensor> f) {
            this.name = name;
            this.f = f;
        }

        @Override
        public Tensor forward(Tensor x) {
            return f.apply(x);
        }

        @Override
        String typeName() {
            return name;
        }
    }
}
