package dev.proxima.nn;

import dev.proxima.tensor.Conv;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

/**
 * 2-D convolution layer over NCHW input, {@link Conv#conv2d} with a learned weight [O, C/groups, kH, kW]
 * and optional bias [O]. Initialised like PyTorch: weight and bias ~ U(−1/√fanIn, 1/√fanIn) with
 * fanIn = (C/groups)·kH·kW.
 *
 * {@snippet :
 * try (Conv2d conv = new Conv2d(3, 16, 3, 1, 1, Rng.seed(0))) {
 *     Tensor y = conv.forward(images);   // [N, 3, H, W] → [N, 16, H, W]
 * }
 * }
 */
public final class Conv2d extends Module {

    private final Parameter weight;
    private final Parameter bias;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;

    /**
     * An F32 layer with bias, square kernel, stride and padding, no dilation, one group.
     *
     * @param in      the input channels, positive
     * @param out     the output channels, positive
     * @param kernel  the kernel height and width, positive
     * @param stride  the step in both directions, positive
     * @param padding the zeros added on each side in both directions, at least 0
     * @param rng     the random source of the initialisation U(−1/√fanIn, 1/√fanIn)
     * @throws IllegalArgumentException if {@code in}, {@code out} or {@code kernel} is not positive
     */
    public Conv2d(long in, long out, int kernel, int stride, int padding, Rng rng) {
        this(in, out, new int[]{kernel, kernel}, new int[]{stride, stride}, new int[]{padding, padding}, new int[]{1, 1}, 1, true,
                DType.F32, rng);
    }

    /**
     * The general layer.
     *
     * @param in       the input channels C, a positive multiple of {@code groups}
     * @param out      the output channels O, a positive multiple of {@code groups}
     * @param kernel   the kernel size {kH, kW}, both positive
     * @param stride   the step {height, width}
     * @param padding  the zeros added on each side {height, width}
     * @param dilation the spacing between kernel taps {height, width}, 1 for none
     * @param groups   the number of channel groups, each convolved separately
     * @param bias     true to add a learned bias per output channel
     * @param dtype    the element type of the parameters
     * @param rng      the random source of the initialisation U(−1/√fanIn, 1/√fanIn), fanIn = C/groups·kH·kW
     * @throws IllegalArgumentException if {@code in} or {@code out} is not a positive multiple of {@code groups}
     * @throws IllegalArgumentException if {@code kernel} is not two positive sizes
     */
    public Conv2d(long in, long out, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups, boolean bias,
                  DType dtype, Rng rng) {
        if (groups < 1 || in < 1 || out < 1 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("Conv2d: in = " + in + " and out = " + out + " channels must be positive multiples of groups = " + groups);
        }
        if (kernel.length != 2 || kernel[0] < 1 || kernel[1] < 1) {
            throw new IllegalArgumentException("Conv2d: kernel must be two positive sizes, got " + java.util.Arrays.toString(kernel));
        }
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.groups = groups;
        double bound = 1 / Math.sqrt((double) (in / groups) * kernel[0] * kernel[1]);
        try (Scope scope = Scope.open()) {
            this.weight = registerParameter("weight", rng.uniform(dtype, -bound, bound, out, in / groups, kernel[0], kernel[1]));
            this.bias = bias ? registerParameter("bias", rng.uniform(dtype, -bound, bound, out)) : null;
        }
    }

    /** {@return the weight [O, C/groups, kH, kW]} */
    public Parameter weight() {
        return weight;
    }

    /** {@return the bias [O], or null} */
    public Parameter bias() {
        return bias;
    }

    /** [N, C, H, W] → [N, O, Hout, Wout]. */
    @Override
    public Tensor forward(Tensor x) {
        return Conv.conv2d(x, weight.value(), bias == null ? null : bias.value(), stride, padding, dilation, groups);
    }
}
