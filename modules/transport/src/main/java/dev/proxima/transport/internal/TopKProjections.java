package dev.proxima.transport.internal;

import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TopK;

/**
 * The max-k (top-k) maps of sparsity-constrained optimal transport (Liu, Puigcerver and Blondel, ICLR 2023),
 * column by column on an [n, m] matrix S, written with tensor ops (they run on S's device):
 * <ul>
 *   <li>{@link #nonNegative}: {@code argmax_{t ≥ 0, ‖t‖₀ ≤ k} ⟨s, t⟩ − (γ/2)‖t‖²} = (1/γ)[s]₊ on the k largest
 *       entries of s, whose value (the conjugate of the regulariser) is (1/(2γ)) Σ_{top k} [s_i]₊²;</li>
 *   <li>{@link #simplex}: the Euclidean projection of each column onto the k-sparse simplex
 *       {@code {u ≥ 0, Σu = 1, ‖u‖₀ ≤ k}}: keep the k largest entries and project them onto the simplex
 *       (Kyrillidis et al., 2013: this is the exact projection onto the non-convex set).</li>
 * </ul>
 */
public final class TopKProjections {

    private TopKProjections() {
    }

    /**
     * (1/γ)[s]₊ restricted, column by column, to the k largest entries of each column of {@code s}.
     *
     * @param s     scores [n, m]
     * @param k     the number of entries kept per column, 1 ≤ k ≤ n
     * @param gamma the regularisation γ &gt; 0
     * @return a new [n, m] tensor with at most k nonzeros per column
     */
    public static Tensor nonNegative(Tensor s, long k, double gamma) {
        try (Scope scope = Scope.open()) {
            if (k == s.dim(0)) {
                return scope.keep(s.maximum(0.0).div(gamma));
            }
            TopK top = s.topk(k, 0, true);
            Tensor kept = top.values().maximum(0.0).div(gamma);
            return scope.keep(Tensor.zerosLike(s).scatter(0, top.indices(), kept));
        }
    }

    /**
     * A projection onto the k-sparse simplex and its thresholds.
     *
     * @param points     the projected columns [n, m]: nonnegative, summing to 1, at most k nonzeros each
     * @param thresholds the threshold τ of each column [1, m]: {@code points = max(z − τ, 0)} on the support
     */
    public record Projection(Tensor points, Tensor thresholds) {
    }

    /**
     * The projection of each column of {@code z} onto the k-sparse probability simplex. Both tensors of the
     * result belong to the scope current on entry (or to the caller).
     *
     * @param z points [n, m], one per column
     * @param k the largest number of nonzeros per column, 1 ≤ k ≤ n
     * @return the projected columns and their thresholds
     */
    public static Projection simplex(Tensor z, long k) {
        try (Scope scope = Scope.open()) {
            TopK top = z.topk(k, 0, true);                      // values sorted descending, [k, m]
            Tensor v = top.values();
            Tensor cs = v.cumsum(0);
            Tensor r = Tensor.arange(1, k + 1, 1, z.dtype()).reshape(k, 1);
            if (!r.device().equals(z.device())) {
                r = r.to(z.device());
            }
            // the support of the projection: the r with v_r − (Σ_{i≤r} v_i − 1)/r > 0 (a prefix, never empty)
            Tensor rho = v.sub(cs.sub(1.0).div(r)).gt(0.0).sum(new int[] {0}, true);   // I64 [1, m], ≥ 1
            Tensor tau = cs.gather(0, rho.sub(1L)).sub(1.0).div(rho.cast(z.dtype()));
            Tensor kept = v.sub(tau).maximum(0.0);
            Tensor points = Tensor.zerosLike(z).scatter(0, top.indices(), kept);
            return new Projection(scope.keep(points), scope.keep(tau));
        }
    }
}
