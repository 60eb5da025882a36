package dev.proxima.optim;

import dev.proxima.optim.internal.LowRankProjection;
import dev.proxima.optim.internal.NewtonSchulz;
import dev.proxima.optim.internal.RootCoefficients;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * Gradient transforms that treat parameters as matrices: the orthogonalized updates of Muon and ROOT and the
 * low-rank gradient projection of GaLore, and {@link #splitByRank} to send matrices and the other parameters
 * (biases, norms' scales) through different chains. Compose them with {@link GradientTransform#chain} and
 * {@link Transforms}; {@link Muon}, {@link Root} and {@link GaLore} are such chains.
 *
 * <p>A leaf of rank ≥ 2 is a matrix of {@code shape[0]} rows and the product of the other extents as columns
 * (a convolution's {@code (out, in, kh, kw)} kernel is {@code out × in·kh·kw}, as Muon's reference code flattens
 * it); leaves of rank 0 and 1 pass through {@link #orthogonalize} and {@link #orthogonalizeAdaptive} unchanged.
 *
 * {@snippet :
 * // Muon for the matrices, AdamW for the rest (Muon's reference recipe)
 * GradientTransform muon = MatrixTransforms.splitByRank(
 *         GradientTransform.chain(MatrixTransforms.emaMomentum(0.95, true), MatrixTransforms.orthogonalize(),
 *                 Transforms.scaleByLearningRate(0.02)),
 *         AdamW.builder().lr(3e-4).transform());
 * }
 */
public final class MatrixTransforms {

    private MatrixTransforms() {
    }

    // ------------------------------------------------------------------ state helpers

    private static TensorTree dict(Object... keysAndTrees) {
        LinkedHashMap<String, TensorTree> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndTrees.length; i += 2) {
            Object v = keysAndTrees[i + 1];
            m.put((String) keysAndTrees[i], v instanceof Tensor t ? TensorTree.leaf(t) : (TensorTree) v);
        }
        return TensorTree.dict(m);
    }

    private static TensorTree.Dict state(String transform, TensorTree state, String... keys) {
        if (!(state instanceof TensorTree.Dict d) || !d.entries().keySet().equals(new java.util.LinkedHashSet<>(List.of(keys)))) {
            throw new IllegalArgumentException("the state of " + transform + " is a dict with keys " + List.of(keys) + ", got "
                    + state.structure());
        }
        return d;
    }

    /** A leaf as a matrix: {@code shape[0] × (product of the rest)}; null for rank 0 and 1. */
    private static long[] matrixShape(Tensor t) {
        if (t.rank() < 2) {
            return null;
        }
        return new long[]{t.dim(0), t.size() / Math.max(1, t.dim(0))};
    }

    // ------------------------------------------------------------------ routing

    /**
     * Applies {@code matrices} to the leaves of rank ≥ 2 and {@code others} to the rest (optax's
     * {@code multi_transform} with the rank as the label): each sees only its leaves, in their order, as a
     * sequence. With no leaf of a kind, that transform is not used.
     *
     * @param matrices the transform of the leaves of rank ≥ 2
     * @param others   the transform of the leaves of rank 0 and 1
     * @return the transform; its state is {@code {matrices, others}}
     * @throws NullPointerException if a transform is null
     */
    public static GradientTransform splitByRank(GradientTransform matrices, GradientTransform others) {
        Objects.requireNonNull(matrices, "matrices");
        Objects.requireNonNull(others, "others");
        String name = "splitByRank(" + matrices + ", " + others + ")";
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                List<Tensor> leaves = params.leaves();
                return dict("matrices", matrices.init(select(leaves, leaves, true)), "others", others.init(select(leaves, leaves, false)));
            }

            @Override
            public Update update(TensorTree grads, TensorTree s, TensorTree params) {
                TensorTree.Dict st = state(name, s, "matrices", "others");
                List<Tensor> p = params.leaves();
                List<Tensor> g = grads.leaves();
                if (g.size() != p.size()) {
                    throw new IllegalArgumentException(name + ": " + g.size() + " gradients for " + p.size() + " parameters");
                }
                Update um = matrices.update(select(g, p, true), st.entries().get("matrices"), select(p, p, true));
                Update uo = others.update(select(g, p, false), st.entries().get("others"), select(p, p, false));
                List<Tensor> m = um.updates().leaves();
                List<Tensor> o = uo.updates().leaves();
                List<Tensor> merged = new ArrayList<>(p.size());
                int im = 0;
                int io = 0;
                for (Tensor t : p) {
                    merged.add(t.rank() >= 2 ? m.get(im++) : o.get(io++));
                }
                return new Update(grads.withLeaves(merged), dict("matrices", um.state(), "others", uo.state()));
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** The leaves of {@code from} whose parameter (same position in {@code params}) is (not) a matrix, as a sequence. */
    private static TensorTree select(List<Tensor> from, List<Tensor> params, boolean matrices) {
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < from.size(); i++) {
            if ((params.get(i).rank() >= 2) == matrices) {
                out.add(from.get(i));
            }
        }
        return TensorTree.ofTensors(out);
    }

    // ------------------------------------------------------------------ momentum

    /**
     * The momentum of PyTorch's {@code torch.optim.Muon} and Keller Jordan's reference: an exponential moving
     * average {@code buf := β·buf + (1 − β)·u} from {@code buf = 0}; the update is {@code buf}, or with Nesterov
     * {@code (1 − β)·u + β·buf} (PyTorch's {@code grad.lerp(buf, β)}). Unlike {@link Transforms#momentum} (SGD's),
     * the first step does not copy the update into the buffer and the gradient is weighted by {@code 1 − β}.
     *
     * @param beta     the decay, in [0, 1)
     * @param nesterov whether to look ahead
     * @return the transform; its state is {@code {buf}}
     * @throws IllegalArgumentException if {@code beta} is outside [0, 1)
     */
    public static GradientTransform emaMomentum(double beta, boolean nesterov) {
        Transforms.unitInterval("beta", beta);
        String name = "emaMomentum(" + beta + ", " + nesterov + ")";
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                return dict("buf", params.zerosLike());
            }

            @Override
            public Update update(TensorTree grads, TensorTree s, TensorTree params) {
                TensorTree.Dict st = state(name, s, "buf");
                TensorTree buf = st.entries().get("buf").zip(grads, (b, g) -> b.mul(beta).add(g.mul(1 - beta)));
                TensorTree updates = nesterov ? grads.zip(buf, (g, b) -> g.mul(1 - beta).add(b.mul(beta))) : buf;
                return new Update(updates, dict("buf", buf));
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    // ------------------------------------------------------------------ orthogonalization

    /**
     * How an orthogonalized update of a {@code rows × cols} matrix is scaled (PyTorch's {@code adjust_lr_fn} of
     * {@code torch.optim.Muon}).
     */
    public enum ShapeScale {
        /** No scaling: the orthogonalized matrix itself (ROOT's equations). */
        NONE,
        /** {@code √max(1, rows/cols)}: Keller Jordan's Muon, PyTorch's {@code "original"}. */
        ORIGINAL,
        /** {@code 0.2·√max(rows, cols)}: an update RMS close to AdamW's (Moonlight; PyTorch's {@code "match_rms_adamw"}). */
        MATCH_RMS_ADAMW;

        double factor(long rows, long cols) {
            return switch (this) {
                case NONE -> 1;
                case ORIGINAL -> NewtonSchulz.muonScale(rows, cols);
                case MATCH_RMS_ADAMW -> 0.2 * Math.sqrt(Math.max(rows, cols));
            };
        }
    }

    /**
     * Muon's orthogonalization: five quintic Newton–Schulz steps with coefficients {@code (3.4445, −4.7750,
     * 2.0315)} and the {@link ShapeScale#ORIGINAL} scale; see {@link #orthogonalize(double, double, double, int, ShapeScale)}.
     *
     * @return the transform (stateless)
     */
    public static GradientTransform orthogonalize() {
        double[] c = NewtonSchulz.MUON_COEFFICIENTS;
        return orthogonalize(c[0], c[1], c[2], NewtonSchulz.MUON_STEPS, ShapeScale.ORIGINAL);
    }

    /**
     * Replaces every matrix update {@code U = P Σ Qᵀ} by an approximation of its polar factor {@code P Qᵀ} (all
     * singular values sent towards 1), times a scale for its shape: the quintic Newton–Schulz iteration
     * <pre>
     *   X₀ = U / (‖U‖_F + 1e−7)     (transposed first when U has more rows than columns)
     *   A = X Xᵀ,   X ← a X + (b A + c A²) X     (steps times)
     * </pre>
     * (Jordan et al. 2024, "Muon: An optimizer for hidden layers in neural networks"). Each step maps every
     * singular value by {@code p(σ) = aσ + bσ³ + cσ⁵} and keeps the singular vectors; with Muon's coefficients five
     * steps put every singular value above about {@code 2e−3·‖U‖_F} into roughly {@code [0.7, 1.2]}. Leaves of rank
     * 0 and 1 pass through unchanged (route them elsewhere with {@link #splitByRank}). A zero update stays zero.
     *
     * @param a     the coefficient of {@code σ}
     * @param b     the coefficient of {@code σ³}
     * @param c     the coefficient of {@code σ⁵}
     * @param steps the number of iterations, ≥ 0
     * @param scale the shape scale applied after the iteration
     * @return the transform (stateless)
     * @throws IllegalArgumentException if a coefficient is not finite or {@code steps} is negative
     */
    public static GradientTransform orthogonalize(double a, double b, double c, int steps, ShapeScale scale) {
        double[] coefficients = {Transforms.finite("a", a), Transforms.finite("b", b), Transforms.finite("c", c)};
        checkSteps(steps);
        Objects.requireNonNull(scale, "scale");
        return orthogonalizing("orthogonalize(" + a + ", " + b + ", " + c + ", " + steps + ", " + scale + ")", steps, scale,
                (rows, cols) -> coefficients);
    }

    /**
     * ROOT's dimension-robust orthogonalization (He et al. 2025, "ROOT: Robust Orthogonalized Optimizer for
     * Neural Network Training"): {@link #orthogonalize(double, double, double, int, ShapeScale)} with quintic
     * coefficients chosen per matrix shape, so that the iteration is as precise for a 64 × 4096 matrix as for a
     * square one. The coefficients come from a table by bucket (the smaller dimension rounded up to a power of two
     * in 8 … 4096, the aspect ratio nearest among 1, 2, 4, 8), fitted by the module's committed script
     * {@code src/main/python/fit_root_coefficients.py} to send the singular values of Frobenius-normalised
     * Gaussian and power-law spectra of each shape closest to 1 after five steps.
     *
     * @param steps the number of iterations, ≥ 0 (the table was fitted for 5)
     * @param scale the shape scale applied after the iteration
     * @return the transform (stateless)
     * @throws IllegalArgumentException if {@code steps} is negative
     */
    public static GradientTransform orthogonalizeAdaptive(int steps, ShapeScale scale) {
        checkSteps(steps);
        Objects.requireNonNull(scale, "scale");
        return orthogonalizing("orthogonalizeAdaptive(" + steps + ", " + scale + ")", steps, scale, RootCoefficients::forShape);
    }

    private interface CoefficientsForShape {
        double[] of(long rows, long cols);
    }

    private static void checkSteps(int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("the number of Newton–Schulz steps must be ≥ 0, got " + steps);
        }
    }

    private static GradientTransform orthogonalizing(String name, int steps, ShapeScale scale, CoefficientsForShape coefficients) {
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                return dict();
            }

            @Override
            public Update update(TensorTree grads, TensorTree s, TensorTree params) {
                state(name, s);
                return new Update(grads.map(u -> {
                    long[] m = matrixShape(u);
                    if (m == null) {
                        return u;
                    }
                    Tensor x = NewtonSchulz.orthogonalize(u.reshape(m), coefficients.of(m[0], m[1]), steps);
                    double f = scale.factor(m[0], m[1]);
                    return (f == 1 ? x : x.mul(f)).reshape(u.shape());
                }), dict());
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    // ------------------------------------------------------------------ outlier suppression

    /**
     * ROOT's outlier suppression: the robust part of each update {@code M} is {@code B = M − T_ε(M)}, where
     * {@code T_ε(x) = sign(x)·max(|x| − ε, 0)} is the soft-thresholding operator (the proximal operator of
     * {@code ε‖·‖₁}), i.e. {@code B = clamp(M, −ε, ε)}: entries beyond ε keep only ε of their size, so a few huge
     * entries cannot dominate the orthogonalized direction. The threshold is relative, {@code ε = κ·RMS(M)} per
     * leaf, so that the transform does not depend on the gradients' scale (ROOT states ε as a constant; with
     * {@code κ} the same setting fits every layer).
     *
     * @param kappa the threshold in units of the update's root mean square, finite and &gt; 0
     * @return the transform (stateless)
     * @throws IllegalArgumentException if {@code kappa} is not finite and positive
     */
    public static GradientTransform suppressOutliers(double kappa) {
        Transforms.positive("kappa", kappa);
        String name = "suppressOutliers(" + kappa + ")";
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                return dict();
            }

            @Override
            public Update update(TensorTree grads, TensorTree s, TensorTree params) {
                state(name, s);
                return new Update(grads.map(u -> {
                    if (u.size() == 0) {
                        return u;
                    }
                    Tensor eps = u.square().mean().sqrt().mul(kappa);
                    return u.minimum(eps).maximum(eps.neg());
                }), dict());
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    // ------------------------------------------------------------------ low-rank projection

    /** How {@link #projectLowRank} builds its projector. */
    public enum Projection {
        /** GaLore's: the top-r singular vectors of the gradient's smaller side ({@code Linalg.svd}). */
        SVD,
        /**
         * SVD-free: the r orthonormal DCT-II basis vectors of the smaller side along which the gradient has the most
         * energy, found by one product with the fixed basis and a sort ("SVD-Free Low-Rank Adaptive Gradient
         * Optimization for Large Language Models").
         */
        DCT
    }

    /**
     * GaLore's gradient low-rank projection (Zhao et al. 2024, "GaLore: Memory-Efficient LLM Training by Gradient
     * Low-Rank Projection") around an inner transform. For each {@code m × n} matrix update {@code G} the projector
     * {@code P} ({@code min(m, n) × r}, orthonormal columns) acts on the smaller side: for {@code m ≤ n} the inner
     * transform sees {@code R = Pᵀ G} ({@code r × n}) and its output {@code N} is projected back as {@code α·P N};
     * for {@code m > n}, {@code R = G P} and back {@code α·N Pᵀ}. The projector is rebuilt from the current update
     * every {@code updateGap} steps (at steps 0, T, 2T, …), by SVD or from the DCT basis ({@link Projection}); the
     * inner transform's state (e.g. Adam's moments) lives in the projected space and is kept across refreshes, as in
     * GaLore. The rank is capped at {@code min(m, n)} per matrix.
     *
     * {@snippet :
     * // GaLore-Adam: moments of r × n instead of m × n
     * GradientTransform galore = GradientTransform.chain(
     *         MatrixTransforms.projectLowRank(64, 200, 0.25, MatrixTransforms.Projection.SVD,
     *                 Transforms.scaleByAdam(0.9, 0.999, 1e-8, false)),
     *         Transforms.scaleByLearningRate(1e-2));
     * }
     *
     * @param rank      r, ≥ 1
     * @param updateGap T, the number of steps between projector refreshes, ≥ 1
     * @param scale     α, the factor applied to the projected-back update, finite and &gt; 0
     * @param kind      how the projector is built
     * @param inner     the transform run in the projected space
     * @return the transform; its state is {@code {count, projector, inner}}
     * @throws IllegalArgumentException if a number is out of range, or (at {@code init}) a parameter is not of rank
     *                                  2 ({@link #splitByRank} sends the others elsewhere)
     */
    public static GradientTransform projectLowRank(long rank, long updateGap, double scale, Projection kind, GradientTransform inner) {
        if (rank < 1) {
            throw new IllegalArgumentException("the projection rank must be ≥ 1, got " + rank);
        }
        if (updateGap < 1) {
            throw new IllegalArgumentException("updateGap (steps between projector refreshes) must be ≥ 1, got " + updateGap);
        }
        Transforms.positive("scale", scale);
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(inner, "inner");
        String name = "projectLowRank(" + rank + ", " + updateGap + ", " + scale + ", " + kind + ", " + inner + ")";
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                for (Tensor p : params.leaves()) {
                    if (p.rank() != 2) {
                        throw new IllegalArgumentException("projectLowRank projects matrices, got a parameter of shape "
                                + Arrays.toString(p.shape()) + "; use MatrixTransforms.splitByRank to send the others elsewhere");
                    }
                }
                TensorTree projectors = params.map(p -> Tensor.zeros(p.dtype(), p.device(), side(p), rankFor(p)));
                TensorTree projected = params.map(p -> projectedZeros(p));
                return dict("count", Transforms.count(0), "projector", projectors, "inner", inner.init(projected));
            }

            private long side(Tensor p) {
                return Math.min(p.dim(0), p.dim(1));
            }

            private long rankFor(Tensor p) {
                return Math.min(rank, side(p));
            }

            private Tensor projectedZeros(Tensor p) {
                long r = rankFor(p);
                return LowRankProjection.projectsLeft(p.dim(0), p.dim(1)) ? Tensor.zeros(p.dtype(), p.device(), r, p.dim(1))
                        : Tensor.zeros(p.dtype(), p.device(), p.dim(0), r);
            }

            private Tensor projector(Tensor g) {
                long r = rankFor(g);
                if (kind == Projection.SVD) {
                    return LowRankProjection.svdProjector(g, r);
                }
                Tensor basis = LowRankProjection.dctBasis(side(g), g.dtype());
                return LowRankProjection.columns(basis.to(g.device()), LowRankProjection.dctSelection(g, basis.to(g.device()), r));
            }

            @Override
            public Update update(TensorTree grads, TensorTree s, TensorTree params) {
                TensorTree.Dict st = state(name, s, "count", "projector", "inner");
                long n = Transforms.countOf(st);
                TensorTree projectors = n % updateGap == 0 ? grads.map(this::projector) : st.entries().get("projector");
                TensorTree low = grads.zip(projectors, LowRankProjection::project);
                TensorTree lowParams = params.zip(projectors, LowRankProjection::project);
                Update u = inner.update(low, st.entries().get("inner"), lowParams);
                TensorTree full = TensorTree.zip(List.of(u.updates(), projectors, grads), t -> {
                    Tensor back = LowRankProjection.projectBack(t.get(0), t.get(1), t.get(2).dim(0), t.get(2).dim(1));
                    return scale == 1 ? back : back.mul(scale);
                });
                return new Update(full, dict("count", Transforms.count(n + 1), "projector", projectors, "inner", u.state()));
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
