package dev.proxima.nn;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A fully input-convex neural network (Amos, Xu and Kolter, 2017): f: ℝᵈ → ℝ, convex in x.
 * For hidden widths h₁…h_L:
 * <pre>
 *   z₁      = σ(W₀ˣ x + b₀)
 *   z_{k+1} = σ(W_kᶻ z_k + W_kˣ x + b_k),   k = 1…L−1
 *   f(x)    = W_Lᶻ z_L + W_Lˣ x + b_L       (output [N, 1], no activation)
 * </pre>
 * Convexity needs W_kᶻ ≥ 0 elementwise and σ convex and non-decreasing. The non-negativity is built into
 * the parametrization rather than enforced by clamping: the trainable parameter {@code wz<k>} is an
 * unconstrained matrix R_k and W_kᶻ = softplus(R_k) &gt; 0, so every optimizer step keeps the network
 * convex. R_k starts at softplus⁻¹(1/h_k) + N(0, 0.1²), so W_kᶻ ≈ 1/h_k. σ must be {@link Activation#SOFTPLUS}
 * or {@link Activation#RELU}. The Wˣ and b live in {@link Linear} children {@code x<k>}.
 */
public final class ICNN extends Module {

    private final Activation act;
    private final List<Linear> xs = new ArrayList<>();
    private final List<Parameter> wz = new ArrayList<>();

    /**
     * An input-convex network with the given hidden widths.
     *
     * @param in     input dimension d
     * @param hidden widths h₁…h_L, at least one
     * @param act    SOFTPLUS or RELU
     * @param dtype  the element type of the parameters
     * @param rng    the random source of the initialisation
     * @throws IllegalArgumentException if {@code act} is not SOFTPLUS or RELU, or {@code hidden} is empty
     */
    public ICNN(long in, long[] hidden, Activation act, DType dtype, Rng rng) {
        if (act != Activation.SOFTPLUS && act != Activation.RELU) {
            throw new IllegalArgumentException("an ICNN needs a convex non-decreasing activation (SOFTPLUS or RELU), got " + act);
        }
        if (hidden.length == 0) {
            throw new IllegalArgumentException("an ICNN needs at least one hidden layer");
        }
        this.act = act;
        try (Scope scope = Scope.open()) {
            for (int k = 0; k <= hidden.length; k++) {
                long width = k < hidden.length ? hidden[k] : 1;
                xs.add(registerModule("x" + k, new Linear(in, width, true, dtype, rng.split())));
                if (k > 0) {
                    long prev = hidden[k - 1];
                    double shift = Math.log(Math.expm1(1.0 / prev));
                    wz.add(registerParameter("wz" + k, rng.split().normal(dtype, shift, 0.1, width, prev)));
                }
            }
        }
    }

    /**
     * The non-negative matrix W_kᶻ = softplus(R_k), k = 1…L (a new tensor).
     *
     * @param k the layer, 1 ≤ k ≤ L
     * @return a new tensor [h_k, h_(k−1)] of non-negative weights
     * @throws IndexOutOfBoundsException if {@code k} is outside 1…L
     */
    public Tensor wz(int k) {
        return Functional.softplus(wz.get(k - 1).value());
    }

    /** f(x) for x [N, d]: [N, 1]. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor z = act.apply(xs.get(0).forward(x));
        for (int k = 1; k < xs.size(); k++) {
            Tensor pre = z.matmul(wz(k).transpose()).add(xs.get(k).forward(x));
            z = k + 1 < xs.size() ? act.apply(pre) : pre;
        }
        return z;
    }
}
