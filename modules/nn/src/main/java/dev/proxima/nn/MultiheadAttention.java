package dev.proxima.nn;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;

/**
 * Multi-head scaled dot-product attention (Vaswani et al., 2017), batch first. Inputs q [B, T, E],
 * k and v [B, S, E]; each is projected by its own {@link Linear} (children {@code q_proj}, {@code k_proj},
 * {@code v_proj}), split into H heads of size D = E/H, attended as softmax(QKᵀ/√D)·V per head, merged and
 * projected by {@code out_proj}. With {@code causal}, position i attends only to positions j ≤ i
 * (top-left aligned, like PyTorch's {@code is_causal}).
 */
public final class MultiheadAttention extends Module {

    private final long embedDim;
    private final long heads;
    private final boolean causal;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear out;

    /**
     * Scaled dot-product attention with {@code heads} heads and four E×E projections (query, key, value, output).
     *
     * @param embedDim E, divisible by {@code heads}
     * @param heads    the number of heads H
     * @param causal   mask future positions
     * @param dtype    the element type of the projections
     * @param rng      the random source of the projections' initialisation
     * @throws IllegalArgumentException if {@code heads} is not positive or does not divide {@code embedDim}
     */
    public MultiheadAttention(long embedDim, long heads, boolean causal, DType dtype, Rng rng) {
        if (heads <= 0 || embedDim % heads != 0) {
            throw new IllegalArgumentException("embedDim " + embedDim + " is not divisible by " + heads + " heads");
        }
        this.embedDim = embedDim;
        this.heads = heads;
        this.causal = causal;
        q = registerModule("q_proj", new Linear(embedDim, embedDim, true, dtype, rng.split()));
        k = registerModule("k_proj", new Linear(embedDim, embedDim, true, dtype, rng.split()));
        v = registerModule("v_proj", new Linear(embedDim, embedDim, true, dtype, rng.split()));
        out = registerModule("out_proj", new Linear(embedDim, embedDim, true, dtype, rng.split()));
    }

    /** Self-attention: forward(x, x, x). */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x);
    }

    /**
     * Attention of queries [B, T, E] over keys and values [B, S, E]; returns [B, T, E].
     *
     * @param query the queries [B, T, E]
     * @param key   the keys [B, S, E]
     * @param value the values [B, S, E]
     * @return the attended values [B, T, E]
     * @throws ShapeMismatchException if the shapes are not as above
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value) {
        check(query, key, value, embedDim);
        long b = query.dim(0);
        long t = query.dim(1);
        long s = key.dim(1);
        long d = embedDim / heads;
        Tensor qh = split(q.forward(query), heads);
        Tensor kh = split(k.forward(key), heads);
        Tensor vh = split(v.forward(value), heads);
        Tensor scores = qh.matmul(kh.transpose(2, 3)).mul(1 / Math.sqrt(d)); // [B, H, T, S]
        if (causal) {
            Tensor future = Tensor.ones(DType.F32, scores.device(), t, s).triu(1).gt(0.0);
            scores = Tensor.where(future, Tensor.scalar(Double.NEGATIVE_INFINITY, scores.dtype()), scores);
        }
        Tensor y = scores.softmax(3).matmul(vh);                             // [B, H, T, D]
        return out.forward(y.permute(0, 2, 1, 3).reshape(b, t, embedDim));
    }

    /** [B, T, E] → [B, H, T, E/H]. */
    static Tensor split(Tensor x, long heads) {
        return x.reshape(x.dim(0), x.dim(1), heads, x.dim(2) / heads).permute(0, 2, 1, 3);
    }

    static void check(Tensor q, Tensor k, Tensor v, long e) {
        if (q.rank() != 3 || k.rank() != 3 || v.rank() != 3 || q.dim(2) != e || k.dim(2) != e || v.dim(2) != e
                || k.dim(1) != v.dim(1) || q.dim(0) != k.dim(0) || k.dim(0) != v.dim(0)) {
            throw new ShapeMismatchException("attention needs q [B, T, " + e + "], k and v [B, S, " + e + "]; got "
                    + Arrays.toString(q.shape()) + ", " + Arrays.toString(k.shape()) + ", " + Arrays.toString(v.shape()));
        }
    }
}
