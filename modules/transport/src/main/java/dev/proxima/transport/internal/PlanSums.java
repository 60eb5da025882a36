package dev.proxima.transport.internal;

import dev.proxima.tensor.Into;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.transport.Geometry;
import dev.proxima.transport.PointCloud;

import java.util.ArrayList;
import java.util.List;

/**
 * Sums over the plan {@code P_ij = a_i·b_j·exp((f_i + g_j − C_ij)/ε)} of a geometry: the transport cost
 * {@code ⟨P, C⟩}, the entropy term {@code Σ P(log P − 1)} and the marginals. A dense geometry is one block; an online
 * point cloud is streamed in blocks of rows of at most {@value #BLOCK_ELEMENTS} plan entries, so these sums never
 * form the [n, m] plan. Written in tensor ops: differentiable when recording is on.
 *
 * @param transportCost {@code ⟨P, C⟩}, 0-d or {@code [B]}
 * @param entropy       {@code Σ P(log P − 1)} (0 for zero entries), 0-d or {@code [B]}; null unless asked for
 * @param rowSums       {@code P·1}, {@code [..., n]}; null unless asked for
 * @param columnSums    {@code Pᵀ·1}, {@code [..., m]}; null unless asked for
 */
public record PlanSums(Tensor transportCost, Tensor entropy, Tensor rowSums, Tensor columnSums) {

    /** Plan entries per block of an online geometry. */
    public static final long BLOCK_ELEMENTS = 1L << 22;

    /**
     * The dense plan.
     *
     * @param geometry the geometry
     * @param f        the source potential {@code [..., n]}
     * @param g        the target potential {@code [..., m]}
     * @param a        the source weights {@code [..., n]}
     * @param b        the target weights {@code [..., m]}
     * @param epsilon  ε
     * @return P {@code [..., n, m]}, owned by the current scope
     */
    public static Tensor plan(Geometry geometry, Tensor f, Tensor g, Tensor a, Tensor b, double epsilon) {
        try (Scope s = Scope.open()) {
            return s.keep(logPlan(f, g, a.log(), b.log(), geometry.cost(), epsilon).exp());
        }
    }

    /**
     * {@code exp((f_i + g_j − C_ij)/ε)} (the plan without its weights) in one [..., n, m] buffer, written in place:
     * not differentiable, for loops that run with recording off.
     *
     * @param cost    C {@code [n, m]} or {@code [..., n, m]}
     * @param f       {@code [..., n]}
     * @param g       {@code [..., m]}
     * @param epsilon ε
     * @return the kernel, owned by the current scope
     */
    public static Tensor gibbs(Tensor cost, Tensor f, Tensor g, double epsilon) {
        Tensor k;
        try (Scope s = Scope.open()) {
            k = s.keep(f.div(epsilon).unsqueeze(f.rank()).add(g.div(epsilon).unsqueeze(g.rank() - 1)));
        }
        Into.mulAdd(cost, -1 / epsilon, k, k);
        Into.exp(k, k);
        return k;
    }

    private static Tensor logPlan(Tensor f, Tensor g, Tensor logA, Tensor logB, Tensor cost, double epsilon) {
        return f.unsqueeze(f.rank()).add(g.unsqueeze(g.rank() - 1))
                .sub(cost).div(epsilon)
                .add(logA.unsqueeze(logA.rank()))
                .add(logB.unsqueeze(logB.rank() - 1));
    }

    /**
     * The sums over the plan.
     *
     * @param geometry the geometry
     * @param f        the source potential {@code [..., n]}
     * @param g        the target potential {@code [..., m]}
     * @param a        the source weights {@code [..., n]}
     * @param b        the target weights {@code [..., m]}
     * @param epsilon  ε
     * @param all      whether to compute the entropy and the marginals too
     * @return the sums, owned by the current scope
     */
    public static PlanSums of(Geometry geometry, Tensor f, Tensor g, Tensor a, Tensor b, double epsilon, boolean all) {
        long n = geometry.rows();
        long m = geometry.columns();
        long block = geometry.isOnline() ? Math.max(1, Math.min(n, BLOCK_ELEMENTS / m)) : n;
        try (Scope outer = Scope.open()) {
            Tensor logA = a.log();
            Tensor logB = b.log();
            Tensor cost = null;
            Tensor entropy = null;
            Tensor columns = null;
            List<Tensor> rows = new ArrayList<>();
            for (long start = 0; start < n; start += block) {
                long end = Math.min(n, start + block);
                try (Scope inner = Scope.open()) {
                    Tensor c;
                    Tensor fb = f;
                    Tensor la = logA;
                    if (block == n) {
                        c = geometry.cost();
                    } else {
                        PointCloud cloud = (PointCloud) geometry;
                        Tensor x = cloud.x();
                        c = cloud.costFunction().apply(x.slice(x.rank() - 2, start, end, 1), cloud.y());
                        fb = f.slice(f.rank() - 1, start, end, 1);
                        la = logA.slice(logA.rank() - 1, start, end, 1);
                    }
                    Tensor logP = logPlan(fb, g, la, logB, c, epsilon);
                    Tensor p = logP.exp();
                    int[] both = {p.rank() - 2, p.rank() - 1};
                    cost = accumulate(inner, cost, p.mul(c).sum(both));
                    if (all) {
                        Tensor plogp = Tensor.where(p.gt(0.0), p.mul(logP.sub(1.0)), Tensor.zerosLike(p));
                        entropy = accumulate(inner, entropy, plogp.sum(both));
                        columns = accumulate(inner, columns, p.sum(p.rank() - 2));
                        rows.add(inner.keep(p.sum(p.rank() - 1)));
                    }
                }
            }
            Tensor rowSums = all ? outer.keep(rows.size() == 1 ? rows.get(0) : Tensor.concat(rows.get(0).rank() - 1, rows.toArray(Tensor[]::new))) : null;
            return new PlanSums(outer.keep(cost), all ? outer.keep(entropy) : null, rowSums, all ? outer.keep(columns) : null);
        }
    }

    /** {@code sum + term} kept past {@code inner}, closing the previous sum (so a long stream holds one sum). */
    private static Tensor accumulate(Scope inner, Tensor sum, Tensor term) {
        if (sum == null) {
            return inner.keep(term);
        }
        Tensor next = inner.keep(sum.add(term));
        sum.close();
        return next;
    }
}
