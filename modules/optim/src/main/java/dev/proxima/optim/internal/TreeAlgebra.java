package dev.proxima.optim.internal;

import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.List;

/** Small linear algebra on tensor trees seen as vectors, with host-side double scalars. */
public final class TreeAlgebra {

    private TreeAlgebra() {
    }

    /**
     * ⟨a, b⟩ over all leaves, as a double.
     *
     * @param a a tree
     * @param b a tree of a's structure and leaf shapes
     * @return Σ over leaves of Σᵢ aᵢbᵢ
     */
    public static double dot(TensorTree a, TensorTree b) {
        try (Scope scope = Scope.open()) {
            return a.vdot(b).item();
        }
    }

    /**
     * ‖a‖₂ over all leaves.
     *
     * @param a a tree
     * @return √⟨a, a⟩
     */
    public static double norm(TensorTree a) {
        return Math.sqrt(dot(a, a));
    }

    /**
     * α·x + β·y, leaf by leaf.
     *
     * @param alpha the coefficient of x
     * @param x     a tree
     * @param beta  the coefficient of y
     * @param y     a tree of x's structure
     * @return the combination, owned by the caller's scope
     */
    public static TensorTree combine(double alpha, TensorTree x, double beta, TensorTree y) {
        TensorTree out;
        try (Scope scope = Scope.open()) {
            out = x.zip(y, (a, b) -> a.mul(alpha).add(b.mul(beta)));
            out.leaves().forEach(scope::keep);
        }
        return out;
    }

    /**
     * α·x, leaf by leaf.
     *
     * @param alpha the factor
     * @param x     a tree
     * @return the scaled tree, owned by the caller's scope
     */
    public static TensorTree scale(double alpha, TensorTree x) {
        return x.map(a -> a.mul(alpha));
    }

    /**
     * Σⱼ cⱼ·xⱼ over a list of trees of one structure.
     *
     * @param c  the coefficients
     * @param xs the trees, as many as coefficients (at least one)
     * @return the combination, owned by the caller's scope
     */
    public static TensorTree linearCombination(double[] c, List<TensorTree> xs) {
        TensorTree out;
        try (Scope scope = Scope.open()) {
            TensorTree acc = scale(c[0], xs.get(0));
            for (int j = 1; j < xs.size(); j++) {
                double cj = c[j];
                acc = acc.zip(xs.get(j), (a, b) -> a.add(b.mul(cj)));
            }
            out = acc;
            out.leaves().forEach(scope::keep);
        }
        return out;
    }

    /**
     * Closes every leaf of {@code tree} (null is ignored).
     *
     * @param tree the tree to close, or null
     */
    public static void close(TensorTree tree) {
        if (tree != null) {
            tree.leaves().forEach(Tensor::close);
        }
    }
}
