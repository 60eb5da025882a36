package dev.proxima.optim.internal;

import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Hutchinson's randomized estimates of the Hessian's diagonal and trace from Hessian–vector products:
 * for a Rademacher probe z (independent ±1 entries), E[z ⊙ Hz] = diag(H) and E[zᵀHz] = tr(H).
 */
public final class Hutchinson {

    private Hutchinson() {
    }

    /**
     * A Rademacher probe of {@code like}'s structure: every leaf holds independent ±1 entries of the leaf's
     * dtype and shape, on the leaf's device.
     *
     * @param rng  the generator (one draw per leaf)
     * @param like the tree whose structure, dtypes, shapes and devices the probe takes
     * @return the probe, owned by the caller's scope
     */
    public static TensorTree rademacherProbe(Rng rng, TensorTree like) {
        return like.map(t -> rng.on(t.device()).rademacher(t.dtype(), t.shape()));
    }

    /**
     * One sample of the diagonal estimate, z ⊙ Hz.
     *
     * @param hvp the Hessian–vector product v ↦ Hv
     * @param z   the probe
     * @return z ⊙ Hz, owned by the caller's scope
     */
    public static TensorTree diagonalSample(UnaryOperator<TensorTree> hvp, TensorTree z) {
        TensorTree product;
        try (Scope scope = Scope.open()) {
            TensorTree hz = hvp.apply(z);
            product = z.zip(hz, Tensor::mul);
            product.leaves().forEach(scope::keep);
        }
        return product;
    }

    /**
     * The mean of {@code samples} diagonal samples z ⊙ Hz over fresh Rademacher probes.
     *
     * @param hvp     the Hessian–vector product v ↦ Hv
     * @param like    the tree of the point (structure, dtypes, shapes, devices)
     * @param rng     the generator of the probes
     * @param samples the number of probes, at least 1
     * @return the estimate of diag(H), owned by the caller's scope
     */
    public static TensorTree diagonal(UnaryOperator<TensorTree> hvp, TensorTree like, Rng rng, int samples) {
        TensorTree sum = null;
        for (int s = 0; s < samples; s++) {
            TensorTree next;
            try (Scope scope = Scope.open()) {
                TensorTree d = diagonalSample(hvp, rademacherProbe(rng, like));
                next = sum == null ? d : sum.zip(d, Tensor::add);
                next.leaves().forEach(scope::keep);
            }
            if (sum != null) {
                sum.leaves().forEach(Tensor::close);
            }
            sum = next;
        }
        if (samples == 1) {
            return sum;
        }
        TensorTree mean;
        try (Scope scope = Scope.open()) {
            mean = sum.map(t -> t.div(samples));
            mean.leaves().forEach(scope::keep);
        }
        sum.leaves().forEach(Tensor::close);
        return mean;
    }

    /**
     * AdaHessian's spatial averaging: the leaves of rank 4 (convolution kernels {@code [out, in, kh, kw]})
     * are replaced by their mean over the two spatial axes, broadcast back to the kernel's shape, so that
     * every kernel position shares one curvature value; other leaves are returned as they are (as new
     * handles owned by the caller's scope).
     *
     * @param diagonal a diagonal estimate
     * @return the averaged estimate, owned by the caller's scope
     */
    public static TensorTree spatialAverage(TensorTree diagonal) {
        List<Tensor> out = new ArrayList<>();
        try (Scope scope = Scope.open()) {
            for (Tensor d : diagonal.leaves()) {
                Tensor r = d.rank() == 4
                        ? d.mean(new int[]{2, 3}, true).broadcastTo(d.shape()).contiguous()
                        : d.copy();
                out.add(scope.keep(r));
            }
        }
        return diagonal.withLeaves(out);
    }
}
