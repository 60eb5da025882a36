package dev.proxima.nn;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Tensor;

/**
 * Kernelized linear attention, O(T) in sequence length, with the same projections, heads and batch-first
 * layout as {@link MultiheadAttention}. Per head, with feature maps φ_q, φ_k applied row-wise:
 * <pre>
 *   out_i = φ_q(q_i)ᵀ · Σ_j φ_k(k_j) v_jᵀ  /  φ_q(q_i)ᵀ · Σ_j φ_k(k_j)
 * </pre>
 * where the sums run over all j, or over j ≤ i when {@code causal} (then computed with prefix sums, which
 * costs O(T·D²) memory). Two kernels:
 * <ul>
 * <li>{@link Kernel#ELU} — φ_q = φ_k = elu(x) + 1, exactly the "Transformers are RNNs" formulation
 *     (Katharopoulos et al., 2020).</li>
 * <li>{@link Kernel#NORM_AWARE} — a variant, specified here, that keeps the query norm from cancelling
 *     out of the ratio above (in the ELU kernel a query's scale barely matters, whereas in softmax
 *     attention it sets the sharpness). With x̂ = x/max(‖x‖, 1e-6) and u(x) = elu(x̂) + 1 ∈ [e⁻¹, 2]:
 *     φ_k(k) = u(k) (direction only) and φ_q(q) = u(q)^p with power p = 1 + ‖q‖/√D, computed as
 *     exp(p·(log u − max log u)) (the ratio is invariant to scaling φ_q, so this is exact and never
 *     overflows). Larger query norms give peakier features, hence lower-entropy attention. This is
 *     inspired by norm-aware linear attention (NaLaFormer, 2025) and is not claimed to be that paper's
 *     exact formula.</li>
 * </ul>
 * The denominator is strictly positive for both kernels, so no ε is added.
 */
public final class LinearAttention extends Module {

    /** The feature map. */
    public enum Kernel {
        /** φ(x) = elu(x) + 1 (Katharopoulos et al., 2020). */
        ELU,
        /** The norm-aware variant described on {@link LinearAttention}. */
        NORM_AWARE
    }

    private final long embedDim;
    private final long heads;
    private final boolean causal;
    private final Kernel kernel;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear out;

    /**
     * Linear attention with the given kernel.
     *
     * @param embedDim the embedding size E, divisible by {@code heads}
     * @param heads    the number of heads
     * @param causal   true to let position i attend only to positions j ≤ i
     * @param kernel   the feature map
     * @param dtype    the element type of the projections
     * @param rng      the random source for the projections' initialisation
     * @throws IllegalArgumentException if {@code embedDim} is not divisible by {@code heads}
     */
    public LinearAttention(long embedDim, long heads, boolean causal, Kernel kernel, DType dtype, Rng rng) {
        if (heads <= 0 || embedDim % heads != 0) {
            throw new IllegalArgumentException("embedDim " + embedDim + " is not divisible by " + heads + " heads");
        }
        this.embedDim = embedDim;
        this.heads = heads;
        this.causal = causal;
        this.kernel = kernel;
        q = registerModule("q_proj", new Linear(embedDim, embedDim, true, dtype, rng.split()));
        k = registerModule("k_proj", new Linear(embedDim, embedDim, true, dtype, rng.split()));
        v = registerModule("v_proj", new Linear(embedDim, embedDim, true, dtype, rng.split()));
        out = registerModule("out_proj", new Linear(embedDim, embedDim, true, dtype, rng.split()));
    }

    /**
     * The norm-aware variant (see the class description).
     *
     * @param embedDim the embedding size E, divisible by {@code heads}
     * @param heads    the number of heads
     * @param causal   true to let position i attend only to positions j ≤ i
     * @param dtype    the element type of the projections
     * @param rng      the random source for the projections' initialisation
     * @return a new module with kernel {@link Kernel#NORM_AWARE}
     * @throws IllegalArgumentException if {@code embedDim} is not divisible by {@code heads}
     */
    public static LinearAttention normAware(long embedDim, long heads, boolean causal, DType dtype, Rng rng) {
        return new LinearAttention(embedDim, heads, causal, Kernel.NORM_AWARE, dtype, rng);
    }

    /** Self-attention: forward(x, x, x). */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x);
    }

    /**
     * Attention of queries [B, T, E] over keys and values [B, S, E] (S = T when causal); returns [B, T, E].
     *
     * @param query the queries [B, T, E]
     * @param key   the keys [B, S, E]
     * @param value the values [B, S, E]
     * @return the attended values [B, T, E]
     * @throws IllegalArgumentException if {@code causal} and S ≠ T
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value) {
        MultiheadAttention.check(query, key, value, embedDim);
        if (causal && query.dim(1) != key.dim(1)) {
            throw new IllegalArgumentException("causal linear attention needs equal query and key lengths, got "
                    + query.dim(1) + " and " + key.dim(1));
        }
        long b = query.dim(0);
        long t = query.dim(1);
        Tensor qh = MultiheadAttention.split(q.forward(query), heads);   // [B, H, T, D]
        Tensor kh = MultiheadAttention.split(k.forward(key), heads);     // [B, H, S, D]
        Tensor vh = MultiheadAttention.split(v.forward(value), heads);   // [B, H, S, D]
        Tensor fq = kernel == Kernel.ELU ? eluPlusOne(qh) : normAwareQuery(qh);
        Tensor fk = kernel == Kernel.ELU ? eluPlusOne(kh) : eluPlusOne(direction(kh));
        Tensor y;
        if (!causal) {
            Tensor kv = fk.transpose(2, 3).matmul(vh);                  // [B, H, D, D]
            Tensor z = fk.sum(new int[]{2}, true);                      // [B, H, 1, D]
            y = fq.matmul(kv).div(fq.mul(z).sum(new int[]{3}, true));
        } else {
            Tensor kv = fk.unsqueeze(4).mul(vh.unsqueeze(3)).cumsum(2); // [B, H, T, D, D]
            Tensor z = fk.cumsum(2);                                    // [B, H, T, D]
            Tensor num = fq.unsqueeze(3).matmul(kv).squeeze(3);         // [B, H, T, D]
            y = num.div(fq.mul(z).sum(new int[]{3}, true));
        }
        return out.forward(y.permute(0, 2, 1, 3).reshape(b, t, embedDim));
    }

    private static Tensor eluPlusOne(Tensor x) {
        return Functional.elu(x, 1.0).add(1.0);
    }

    private static Tensor direction(Tensor x) {
        return x.div(x.square().sum(new int[]{3}, true).sqrt().maximum(1e-6));
    }

    private static Tensor normAwareQuery(Tensor x) {
        Tensor norm = x.square().sum(new int[]{3}, true).sqrt();
        Tensor p = norm.mul(1 / Math.sqrt(x.dim(3))).add(1.0);
        Tensor logU = eluPlusOne(x.div(norm.maximum(1e-6))).log();
        return p.mul(logU.sub(logU.max(new int[]{3}, true))).exp();
    }
}
