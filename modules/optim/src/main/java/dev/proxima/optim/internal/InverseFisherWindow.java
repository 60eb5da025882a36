package dev.proxima.optim.internal;

import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.ArrayList;
import java.util.List;

/**
 * M-FAC's matrix-free inverse of the empirical Fisher over a sliding window of m gradients (Frantar,
 * Kurtic and Alistarh, 2021): products with F⁻¹ where F = λI + (1/m)·Σᵢ gᵢgᵢᵀ, without forming F.
 *
 * <p>Adding the window's gradients one at a time by Sherman–Morrison gives
 * F⁻¹x = x/λ − Σᵢ uᵢ(uᵢᵀx)/dᵢ with uᵢ = F₍ᵢ₋₁₎⁻¹gᵢ and dᵢ = m + gᵢᵀuᵢ. Every uᵢ is a combination
 * Σⱼ Aᵢⱼgⱼ of the window's gradients, and uₗᵀgᵢ = (A·G)ₗᵢ with G the m×m Gram matrix of the gradients,
 * so the coefficients A (lower triangular) and the dᵢ follow from G alone: A's row i is
 * eᵢ/λ − Σₗ₍ₗ₎ᵢ₎ ((A·G)ₗᵢ/dₗ)·Aₗ. Adding a gradient costs O(md) for its dot products with the window
 * (one row and column of G) plus O(m³) scalar work for A; a product F⁻¹x costs O(md) for the m dot
 * products gⱼᵀx, O(m²) for the coefficients and O(md) for the final combination.
 *
 * <p>Until the window is full, the missing gradients count as zero (the factor stays 1/m). The window owns
 * copies of the gradients it holds; {@link #close()} frees them.
 */
public final class InverseFisherWindow implements AutoCloseable {

    private final int size;
    private final double damping;
    private final TensorTree[] slots;
    private final double[][] gram;
    private int count;
    private int next;
    private double[][] coefficients = new double[0][0];
    private double[] denominators = new double[0];

    /**
     * An empty window.
     *
     * @param size    m, the number of gradients held (at least 1)
     * @param damping λ &gt; 0
     * @throws IllegalArgumentException if {@code size < 1} or {@code damping} is not positive and finite
     */
    public InverseFisherWindow(int size, double damping) {
        if (size < 1) {
            throw new IllegalArgumentException("the M-FAC window must hold at least 1 gradient, got " + size);
        }
        if (!(damping > 0) || Double.isInfinite(damping)) {
            throw new IllegalArgumentException("the M-FAC damping λ must be positive and finite, got " + damping);
        }
        this.size = size;
        this.damping = damping;
        this.slots = new TensorTree[size];
        this.gram = new double[size][size];
    }

    /** {@return the number of gradients the window holds now} */
    public int count() {
        return count;
    }

    /** {@return m, the window's capacity} */
    public int size() {
        return size;
    }

    /**
     * Adds a gradient, replacing the oldest one when the window is full.
     *
     * @param gradient the gradient (copied; the caller keeps its tensors)
     */
    public void add(TensorTree gradient) {
        List<Tensor> copies = new ArrayList<>();
        for (Tensor g : gradient.leaves()) {
            copies.add(Scope.release(g.detach().copy()));
        }
        TensorTree copy = gradient.withLeaves(copies);
        int slot = next;
        TreeAlgebra.close(slots[slot]);
        slots[slot] = copy;
        next = (next + 1) % size;
        count = Math.min(count + 1, size);
        for (int j = 0; j < count; j++) {
            double v = TreeAlgebra.dot(slots[j], copy);
            gram[slot][j] = v;
            gram[j][slot] = v;
        }
        recompute();
    }

    private void recompute() {
        int k = count;
        double[][] a = new double[k][k];
        double[] d = new double[k];
        for (int i = 0; i < k; i++) {
            a[i][i] = 1 / damping;
            for (int l = 0; l < i; l++) {
                double s = 0;
                for (int j = 0; j <= l; j++) {
                    s += a[l][j] * gram[j][i];
                }
                double f = s / d[l];
                for (int j = 0; j <= l; j++) {
                    a[i][j] -= f * a[l][j];
                }
            }
            double s = 0;
            for (int j = 0; j <= i; j++) {
                s += a[i][j] * gram[j][i];
            }
            d[i] = size + s;
        }
        coefficients = a;
        denominators = d;
    }

    /**
     * F⁻¹x.
     *
     * @param x a tree of the gradients' structure
     * @return the product, owned by the caller's scope
     */
    public TensorTree apply(TensorTree x) {
        int k = count;
        if (k == 0) {
            return TreeAlgebra.scale(1 / damping, x);
        }
        double[] q = new double[k];
        for (int j = 0; j < k; j++) {
            q[j] = TreeAlgebra.dot(slots[j], x);
        }
        double[] w = combination(q);
        double[] c = new double[k + 1];
        List<TensorTree> terms = new ArrayList<>(k + 1);
        c[0] = 1 / damping;
        terms.add(x);
        for (int j = 0; j < k; j++) {
            c[j + 1] = -w[j];
            terms.add(slots[j]);
        }
        return TreeAlgebra.linearCombination(c, terms);
    }

    /**
     * The weights wⱼ such that F⁻¹x = x/λ − Σⱼ wⱼgⱼ, from the dot products qⱼ = gⱼᵀx: O(m²).
     *
     * @param q the dot products of the window's gradients with x, in slot order
     * @return the weights, in slot order
     */
    double[] combination(double[] q) {
        int k = q.length;
        double[] w = new double[k];
        for (int i = 0; i < k; i++) {
            double s = 0;
            for (int j = 0; j <= i; j++) {
                s += coefficients[i][j] * q[j];
            }
            double ci = s / denominators[i];
            for (int j = 0; j <= i; j++) {
                w[j] += ci * coefficients[i][j];
            }
        }
        return w;
    }

    /** Frees the window's copies of the gradients. */
    @Override
    public void close() {
        for (int i = 0; i < size; i++) {
            TreeAlgebra.close(slots[i]);
            slots[i] = null;
        }
        count = 0;
        next = 0;
    }
}
