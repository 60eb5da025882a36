package dev.proxima.nn;

import dev.proxima.tensor.Conv;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

/**
 * 2-D transposed convolution layer over NCHW input, {@link Conv#convTranspose2d} with a learned weight
 * [Cin, Cout/groups, kH, kW] and optional bias [Cout]. Initialised like PyTorch: U(−1/√fan, 1/√fan) with
 * fan = (Cout/groups)·kH·kW.
 */
public final class ConvTranspose2d extends Module {

    private final Parameter weight;
    private final Parameter bias;
    private final int[] stride;
    private final int[] padding;
    private final int[] outputPadding;
    private final int[] dilation;
    private final int groups;

    /**
     * An F32 layer with bias, square kernel, stride, padding and output padding, one group.
     *
     * @param in            the input channels, positive
     * @param out           the output channels, positive
     * @param kernel        the kernel height and width, positive
     * @param stride        the step in both directions, positive
     * @param padding       the rows and columns removed from each side of the full output, at least 0
     * @param outputPadding extra output rows and columns, to choose among the output sizes a stride allows
     * @param rng           the random source of the initialisation
     * @throws IllegalArgumentException if {@code in}, {@code out} or {@code kernel} is not positive
     */
    public ConvTranspose2d(long in, long out, int kernel, int stride, int padding, int outputPadding, Rng rng) {
        this(in, out, new int[]{kernel, kernel}, new int[]{stride, stride}, new int[]{padding, padding},
                new int[]{outputPadding, outputPadding}, new int[]{1, 1}, 1, true, DType.F32, rng);
    }

    /**
     * The general layer.
     *
     * @param in            the input channels Cin, a positive multiple of {@code groups}
     * @param out           the output channels Cout, a positive multiple of {@code groups}
     * @param kernel        the kernel size {kH, kW}, both positive
     * @param stride        the step {height, width}
     * @param padding       the rows and columns removed from each side of the full output {height, width}
     * @param outputPadding extra output rows and columns {height, width}, to choose among the output sizes a stride allows
     * @param dilation      the spacing between kernel taps {height, width}, 1 for none
     * @param groups        the number of channel groups
     * @param bias          true to add a learned bias per output channel
     * @param dtype         the element type of the parameters
     * @param rng           the random source of the initialisation
     * @throws IllegalArgumentException if {@code in} or {@code out} is not a positive multiple of {@code groups}
     * @throws IllegalArgumentException if {@code kernel} is not two positive sizes
     */
    public ConvTranspose2d(long in, long out, int[] kernel, int[] stride, int[] padding, int[] outputPadding, int[] dilation,
                           int groups, boolean bias, DType dtype, Rng rng) {
        if (groups < 1 || in < 1 || out < 1 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("ConvTranspose2d: in = " + in + " and out = " + out
                    + " channels must be positive multiples of groups = " + groups);
        }
        if (kernel.length != 2 || kernel[0] < 1 || kernel[1] < 1) {
            throw new IllegalArgumentException("ConvTranspose2d: kernel must be two positive sizes, got " + java.util.Arrays.toString(kernel));
        }
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.outputPadding = outputPadding.clone();
        this.dilation = dilation.clone();
        this.groups = groups;
        double bound = 1 / Math.sqrt((double) (out / groups) * kernel[0] * kernel[1]);
        try (Scope scope = Scope.open()) {
            this.weight = registerParameter("weight", rng.uniform(dtype, -bound, bound, in, out / groups, kernel[0], kernel[1]));
            this.bias = bias ? registerParameter("bias", rng.uniform(dtype, -bound, bound, out)) : null;
        }
    }

    /** {@return the weight [Cin, Cout/groups, kH, kW]} */
    public Parameter weight() {
        return weight;
    }

    /** {@return the bias [Cout], or null} */
    public Parameter bias() {
        return bias;
    }

    /** [N, Cin, H, W] → [N, Cout, Hout, Wout]. */
    @Override
    public Tensor forward(Tensor x) {
        return Conv.convTranspose2d(x, weight.value(), bias == null ? null : bias.value(), stride, padding, outputPadding,
                dilation, groups);
    }
}
