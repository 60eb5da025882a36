package dev.proxima.tensor.spi;

import java.util.Objects;

/**
 * The identity of one kernel signature of the backend SPI: a fixed code (stable across releases, never reused),
 * a name for messages, how many of a call's views are inputs and how many outputs, and the type of the call's
 * parameters. The core's keys are the constants of {@link Kernels}; modules that bring their own kernels (a
 * quantized matrix-vector product, say) create keys of their own with codes from 10 000 up.
 *
 * @param <P> the type of the parameters passed to every call (an enum, a record, or {@link Void})
 */
public final class KernelKey<P> {

    private final int code;
    private final String name;
    private final int inputs;
    private final int outputs;
    private final boolean readsOutputs;
    private final Class<P> parameterType;

    /**
     * A key.
     *
     * @param code          the fixed code, at least 1 (1 … 9 999 are the core's)
     * @param name          a short name for messages
     * @param parameterType the type of the calls' parameters ({@code Void.class} if there are none)
     * @param inputs        how many views of a call are inputs (they come first)
     * @param outputs       how many views follow them as outputs (at least 1)
     * @param readsOutputs  true if the kernel reads its outputs' previous contents (an accumulation), so host
     *                      staging must copy them in as well as out
     * @throws IllegalArgumentException if {@code code} is below 1, {@code inputs} is negative or {@code outputs}
     *                                  below 1
     */
    public KernelKey(int code, String name, Class<P> parameterType, int inputs, int outputs, boolean readsOutputs) {
        if (code < 1) {
            throw new IllegalArgumentException("kernel code must be at least 1, got " + code);
        }
        if (inputs < 0 || outputs < 1) {
            throw new IllegalArgumentException("a kernel has at least 0 inputs and 1 output, got " + inputs + " and " + outputs);
        }
        this.code = code;
        this.name = Objects.requireNonNull(name, "name");
        this.parameterType = Objects.requireNonNull(parameterType, "parameterType");
        this.inputs = inputs;
        this.outputs = outputs;
        this.readsOutputs = readsOutputs;
    }

    /** {@return the fixed code} */
    public int code() {
        return code;
    }

    /** {@return the name used in messages} */
    public String name() {
        return name;
    }

    /** {@return the type of the calls' parameters} */
    public Class<P> parameterType() {
        return parameterType;
    }

    /** {@return how many leading views of a call are inputs} */
    public int inputs() {
        return inputs;
    }

    /** {@return how many views after the inputs are outputs} */
    public int outputs() {
        return outputs;
    }

    /** {@return true if the kernel reads its outputs' previous contents} */
    public boolean readsOutputs() {
        return readsOutputs;
    }

    /** {@return the name and code, e.g. {@code unary#3}} */
    @Override
    public String toString() {
        return name + "#" + code;
    }
}
