package dev.proxima.nn;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;

/**
 * Group normalization (Wu and He, 2018): the C channels of [N, C, ...] are split into G groups and each
 * (sample, group) is normalized over its channels and spatial positions with the biased variance, then a
 * per-channel affine γ (init 1), β (init 0) is applied. Same in training and evaluation.
 */
public final class GroupNorm extends Module {

    private final long groups;
    private final long channels;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Affine with ε = 1e-5.
     *
     * @param groups   the number of groups G, dividing {@code channels}
     * @param channels the number of channels C of inputs [N, C, ...]
     * @param dtype    the element type of the parameters
     * @throws IllegalArgumentException if {@code channels} is not divisible by {@code groups}
     */
    public GroupNorm(long groups, long channels, DType dtype) {
        this(groups, channels, 1e-5, true, dtype);
    }

    /**
     * The general form; {@code channels} must be divisible by {@code groups}.
     *
     * @param groups   the number of groups G, dividing {@code channels}
     * @param channels the number of channels C of inputs [N, C, ...]
     * @param eps      the ε added to the variance, e.g. 1e-5
     * @param affine   true for a learned per-channel scale (init 1) and shift (init 0)
     * @param dtype    the element type of the parameters
     * @throws IllegalArgumentException if {@code channels} is not divisible by {@code groups}
     */
    public GroupNorm(long groups, long channels, double eps, boolean affine, DType dtype) {
        if (groups <= 0 || channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels cannot be split into " + groups + " groups");
        }
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        try (Scope scope = Scope.open()) {
            weight = affine ? registerParameter("weight", Tensor.ones(dtype, channels)) : null;
            bias = affine ? registerParameter("bias", Tensor.zeros(dtype, channels)) : null;
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 2 || x.dim(1) != channels) {
            throw new ShapeMismatchException("GroupNorm(" + groups + ", " + channels + ") needs [N, " + channels + ", ...], got "
                    + Arrays.toString(x.shape()));
        }
        Tensor g = x.reshape(x.dim(0), groups, -1);
        Tensor c = g.sub(g.mean(new int[]{2}, true));
        Tensor y = c.div(c.square().mean(new int[]{2}, true).add(eps).sqrt()).reshape(x.shape());
        if (weight == null) {
            return y;
        }
        long[] bshape = new long[x.rank()];
        Arrays.fill(bshape, 1);
        bshape[1] = channels;
        return y.mul(weight.value().reshape(bshape)).add(bias.value().reshape(bshape));
    }
}
