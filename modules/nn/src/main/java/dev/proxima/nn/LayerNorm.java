package dev.proxima.nn;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;

/**
 * Layer normalization (Ba et al., 2016) over the trailing {@code normalizedShape} axes:
 * y = (x − mean)/√(var + ε)·γ + β with the biased variance, γ = 1 and β = 0 initially (shape
 * {@code normalizedShape}) when affine.
 */
public final class LayerNorm extends Module {

    private final long[] normalizedShape;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * An affine layer with ε = 1e-5.
     *
     * @param dtype           the element type of the parameters
     * @param normalizedShape the trailing dimensions normalised over
     */
    public LayerNorm(DType dtype, long... normalizedShape) {
        this(normalizedShape, 1e-5, true, dtype);
    }

    /**
     * The general form.
     *
     * @param normalizedShape the trailing dimensions normalised over
     * @param eps             the ε added to the variance, e.g. 1e-5
     * @param affine          true for a learned elementwise scale (init 1) and shift (init 0) of {@code normalizedShape}
     * @param dtype           the element type of the parameters
     */
    public LayerNorm(long[] normalizedShape, double eps, boolean affine, DType dtype) {
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        try (Scope scope = Scope.open()) {
            weight = affine ? registerParameter("weight", Tensor.ones(dtype, normalizedShape)) : null;
            bias = affine ? registerParameter("bias", Tensor.zeros(dtype, normalizedShape)) : null;
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        int k = normalizedShape.length;
        long[] tail = Arrays.copyOfRange(x.shape(), x.rank() - k, x.rank());
        if (x.rank() < k || !Arrays.equals(tail, normalizedShape)) {
            throw new ShapeMismatchException("LayerNorm over " + Arrays.toString(normalizedShape) + " got input " + Arrays.toString(x.shape()));
        }
        int[] axes = new int[k];
        for (int i = 0; i < k; i++) {
            axes[i] = x.rank() - k + i;
        }
        Tensor c = x.sub(x.mean(axes, true));
        Tensor y = c.div(c.square().mean(axes, true).add(eps).sqrt());
        return weight == null ? y : y.mul(weight.value()).add(bias.value());
    }
}
