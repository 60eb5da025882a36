package dev.proxima.nn;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;

/**
 * Batch normalization (Ioffe and Szegedy, 2015) with PyTorch's semantics, over channel axis 1 of
 * [N, C] (BatchNorm1d), [N, C, L] or [N, C, H, W] (BatchNorm2d) inputs.
 *
 * <p>Training: normalizes with the batch mean and biased variance over every axis but 1, and updates the
 * buffers {@code running_mean ← (1 − m)·running_mean + m·mean} and
 * {@code running_var ← (1 − m)·running_var + m·var·n/(n − 1)} (unbiased; n = elements per channel) without
 * recording gradients. Evaluation: normalizes with the running statistics. Defaults m = 0.1, ε = 1e-5;
 * γ = 1, β = 0, running mean 0, running variance 1 initially.
 */
public final class BatchNorm extends Module {

    private final long channels;
    private final double eps;
    private final double momentum;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;

    /**
     * Affine, ε = 1e-5, momentum 0.1.
     *
     * @param channels the number of channels C of inputs [N, C, ...]
     * @param dtype    the element type of the parameters and running statistics
     */
    public BatchNorm(long channels, DType dtype) {
        this(channels, 1e-5, 0.1, true, dtype);
    }

    /**
     * The general form.
     *
     * @param channels the number of channels C of inputs [N, C, ...]
     * @param eps      the ε added to the variance, e.g. 1e-5
     * @param momentum the weight of the batch statistic in the running averages, in [0, 1], e.g. 0.1
     * @param affine   true for a learned per-channel scale (init 1) and shift (init 0)
     * @param dtype    the element type of the parameters and running statistics
     */
    public BatchNorm(long channels, double eps, double momentum, boolean affine, DType dtype) {
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        try (Scope scope = Scope.open()) {
            weight = affine ? registerParameter("weight", Tensor.ones(dtype, channels)) : null;
            bias = affine ? registerParameter("bias", Tensor.zeros(dtype, channels)) : null;
            runningMean = registerBuffer("running_mean", Tensor.zeros(dtype, channels));
            runningVar = registerBuffer("running_var", Tensor.ones(dtype, channels));
        }
    }

    /** {@return the running mean [C] (owned by the module)} */
    public Tensor runningMean() {
        return runningMean.value();
    }

    /** {@return the running (unbiased) variance [C] (owned by the module)} */
    public Tensor runningVar() {
        return runningVar.value();
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 2 || x.dim(1) != channels) {
            throw new ShapeMismatchException("BatchNorm(" + channels + ") needs [N, " + channels + ", ...], got " + Arrays.toString(x.shape()));
        }
        long[] bshape = new long[x.rank()];
        Arrays.fill(bshape, 1);
        bshape[1] = channels;
        int[] axes = new int[x.rank() - 1];
        long n = x.dim(0);
        axes[0] = 0;
        for (int i = 2; i < x.rank(); i++) {
            axes[i - 1] = i;
            n *= x.dim(i);
        }
        Tensor y;
        if (isTraining()) {
            if (n < 2) {
                throw new IllegalArgumentException("BatchNorm in training needs more than one value per channel, got input " + Arrays.toString(x.shape()));
            }
            Tensor mean = x.mean(axes, true);
            Tensor c = x.sub(mean);
            Tensor var = c.square().mean(axes, true);
            y = c.div(var.add(eps).sqrt());
            try (Scope s = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
                runningMean.set(runningMean.value().mul(1 - momentum).add(mean.reshape(channels).mul(momentum)));
                runningVar.set(runningVar.value().mul(1 - momentum).add(var.reshape(channels).mul(momentum * n / (n - 1.0))));
            }
        } else {
            y = x.sub(runningMean.value().reshape(bshape)).div(runningVar.value().reshape(bshape).add(eps).sqrt());
        }
        return weight == null ? y : y.mul(weight.value().reshape(bshape)).add(bias.value().reshape(bshape));
    }
}
