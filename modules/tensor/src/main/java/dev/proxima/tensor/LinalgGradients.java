package dev.proxima.tensor;

/**
 * Reverse-mode derivatives of {@link Linalg}'s functions (first order). The rules are the standard
 * matrix-calculus results (e.g. Giles 2008, "Extended collection of matrix derivative results";
 * Murray 2016 for Cholesky; Townsend 2016 for the SVD). Eigen- and singular-vector gradients assume
 * distinct eigen/singular values, as every such rule does. solve, inv, slogdet/det, cholesky and
 * solveTriangular differentiate again (their rules recompute the forward output when the backward pass is
 * recorded); eigh and svd are first order only, and differentiating their rules again is refused with a
 * clear message rather than silently wrong.
 */
final class LinalgGradients {

    private LinalgGradients() {
    }

    private static void firstOrderOnly(String fn) {
        if (Autodiff.isGradEnabled()) {
            throw new UnsupportedOperationException("second derivatives through Linalg." + fn
                    + " are not supported; differentiate it once (createGraph = false)");
        }
    }

    /**
     * The forward output a rule needs: the saved (detached) one for a first-order backward pass, or — when the
     * backward pass is itself being recorded — the output recomputed from the saved inputs, so that the rule
     * stays differentiable (saving the output with its graph links would make the node keep itself alive).
     */
    private static Tensor output(Tensor saved, java.util.function.Supplier<Tensor> recompute) {
        return Autodiff.isGradEnabled() ? recompute.get() : saved;
    }

    private static Tensor mT(Tensor t) {
        return t.transpose(-1, -2);
    }

    /** x = A⁻¹b: ∂b = A⁻ᵀ·ḡ, ∂A = −∂b·xᵀ. */
    static Tensor solve(Tensor x, Tensor a, Tensor b) {
        boolean vector = b.rank() == 1;
        long[] as = a.shape();
        long[] bs = b.shape();
        try (Tensor xd = x.detach()) {
            return GradNode.record(x, "solve", new Tensor[]{a, b}, new Tensor[]{a, b, xd}, (g, s, needs) -> {
                Tensor gb = Linalg.solve(mT(s[0]), g);
                Tensor gbm = vector ? gb.unsqueeze(-1) : gb;
                Tensor xv = output(s[2], () -> Linalg.solve(s[0], s[1]));
                Tensor xm = vector ? xv.unsqueeze(-1) : xv;
                Tensor ga = needs[0] ? ElementwiseOps.sumTo(gbm.matmul(mT(xm)).neg(), as) : null;
                return new Tensor[]{ga, needs[1] ? ElementwiseOps.sumTo(gb, bs) : null};
            });
        }
    }

    /** B = A⁻¹: ∂A = −Bᵀ·ḡ·Bᵀ. */
    static Tensor inv(Tensor inverse, Tensor a) {
        try (Tensor bd = inverse.detach()) {
            return GradNode.record(inverse, "inv", new Tensor[]{a}, new Tensor[]{a, bd}, (g, s, needs) -> {
                Tensor bt = mT(output(s[1], () -> Linalg.inv(s[0])));
                return new Tensor[]{bt.matmul(g).matmul(bt).neg()};
            });
        }
    }

    /** log|det A|: ∂A = ḡ·A⁻ᵀ. */
    static Tensor logAbsDet(Tensor logAbs, Tensor a) {
        return GradNode.record(logAbs, "slogdet", new Tensor[]{a}, new Tensor[]{a}, (g, s, needs) -> {
            Tensor invT = mT(Linalg.inv(s[0]));
            return new Tensor[]{invT.mul(g.unsqueeze(-1).unsqueeze(-1))};
        });
    }

    /** Φ(M): the lower triangle with the diagonal halved. */
    private static Tensor phi(Tensor m) {
        return m.tril(-1).add(m.triu(0).tril(0).mul(0.5));
    }

    /**
     * A = L·Lᵀ: ∂A = ½(S + Sᵀ) with S = L⁻ᵀ·Φ(Lᵀ·ḡ)·L⁻¹ (for the upper factor U = Lᵀ, ḡ is transposed first).
     */
    static Tensor cholesky(Tensor factor, Tensor a, boolean upper) {
        try (Tensor fd = factor.detach()) {
            return GradNode.record(factor, "cholesky", new Tensor[]{a}, new Tensor[]{a, fd}, (g, s, needs) -> {
                Tensor f = output(s[1], () -> Linalg.cholesky(s[0], upper));
                Tensor l = upper ? mT(f) : f;
                Tensor gl = upper ? mT(g) : g;
                Tensor p = phi(mT(l).matmul(gl));
                Tensor left = Linalg.solveTriangular(mT(l), p, false, false);               // L⁻ᵀ·P
                Tensor both = mT(Linalg.solveTriangular(mT(l), mT(left), false, false));    // (L⁻ᵀ·(L⁻ᵀP)ᵀ)ᵀ = L⁻ᵀ·P·L⁻¹
                return new Tensor[]{both.add(mT(both)).mul(0.5)};
            });
        }
    }

    /** x = T⁻¹b with T triangular: ∂b = T⁻ᵀ·ḡ, ∂T = −(∂b·xᵀ) restricted to T's triangle. */
    static Tensor solveTriangular(Tensor x, Tensor a, Tensor b, boolean lower, boolean unitDiagonal) {
        boolean vector = b.rank() == 1;
        long[] as = a.shape();
        long[] bs = b.shape();
        try (Tensor xd = x.detach()) {
            return GradNode.record(x, "solveTriangular", new Tensor[]{a, b}, new Tensor[]{a, b, xd}, (g, s, needs) -> {
                Tensor gb = Linalg.solveTriangular(mT(s[0]), g, !lower, unitDiagonal);
                Tensor ga = null;
                if (needs[0]) {
                    Tensor gbm = vector ? gb.unsqueeze(-1) : gb;
                    Tensor xv = output(s[2], () -> Linalg.solveTriangular(s[0], s[1], lower, unitDiagonal));
                    Tensor xm = vector ? xv.unsqueeze(-1) : xv;
                    Tensor full = gbm.matmul(mT(xm)).neg();
                    Tensor tri = lower ? full.tril(unitDiagonal ? -1 : 0) : full.triu(unitDiagonal ? 1 : 0);
                    ga = ElementwiseOps.sumTo(tri, as);
                }
                return new Tensor[]{ga, needs[1] ? ElementwiseOps.sumTo(gb, bs) : null};
            });
        }
    }

    /** F with Fᵢⱼ = 1/(dⱼ − dᵢ) off the diagonal and 0 on it, for a vector d [..., n]. */
    private static Tensor inverseGaps(Tensor d) {
        Tensor gaps = d.unsqueeze(-2).sub(d.unsqueeze(-1));        // [i][j] = dⱼ − dᵢ
        long n = d.dim(-1);
        Tensor eye = Tensor.eye(n, DType.BOOL);
        return Tensor.where(eye, Tensor.scalar(0, d.dtype()), gaps.reciprocal());
    }

    private static Tensor diagEmbed(Tensor v) {
        long n = v.dim(-1);
        return Tensor.eye(n, v.dtype()).mul(v.unsqueeze(-2));
    }

    /** Symmetric eigendecomposition A = V·diag(w)·Vᵀ: ∂A = sym(V·(diag(ḡ_w) + F∘(Vᵀ·ḡ_V))·Vᵀ). */
    static Linalg.Eigh eigh(Tensor values, Tensor vectors, Tensor a, boolean withVectors) {
        try (Tensor vd = vectors.detach(); Tensor wd = values.detach()) {
            // without computed vectors (eigvalsh) the rule recomputes them from the saved input
            GradNode.record(values, "eigh(values)", new Tensor[]{a}, new Tensor[]{withVectors ? vd : a}, (g, s, needs) -> {
                firstOrderOnly("eigh");
                Tensor v = withVectors ? s[0] : Linalg.eigh(s[0]).vectors();
                return new Tensor[]{v.mul(g.unsqueeze(-2)).matmul(mT(v))};
            });
            if (withVectors) {
                GradNode.record(vectors, "eigh(vectors)", new Tensor[]{a}, new Tensor[]{vd, wd}, (g, s, needs) -> {
                    firstOrderOnly("eigh");
                    Tensor v = s[0];
                    Tensor inner = inverseGaps(s[1]).mul(mT(v).matmul(g));
                    Tensor ga = v.matmul(inner).matmul(mT(v));
                    return new Tensor[]{ga.add(mT(ga)).mul(0.5)};
                });
            }
        }
        return new Linalg.Eigh(values, withVectors ? vectors : null);
    }

    /** Singular values σ of A = U·diag(σ)·Vᵀ: ∂A = U·diag(ḡ)·Vᵀ (the vectors are recomputed, not differentiated). */
    static Tensor svdvals(Tensor s, Tensor a) {
        return GradNode.record(s, "svdvals", new Tensor[]{a}, new Tensor[]{a}, (g, sv, needs) -> {
            firstOrderOnly("svdvals");
            Linalg.SVD d = Linalg.svd(sv[0], false);
            return new Tensor[]{d.u().mul(g.unsqueeze(-2)).matmul(d.vt())};
        });
    }

    /**
     * Thin SVD (Townsend 2016): with F the inverse gaps of σ², J = F∘(Uᵀ·Ū − Ūᵀ·U), K = F∘(Vᵀ·V̄ − V̄ᵀ·V),
     * ∂A = U·(J·S + diag(σ̄) + S·K)·Vᵀ + (I − UUᵀ)·Ū·S⁻¹·Vᵀ + U·S⁻¹·V̄ᵀ·(I − VVᵀ); V̄ = (∂Vᵀ)ᵀ.
     */
    static Linalg.SVD svd(Linalg.SVD d, Tensor a) {
        try (Tensor ud = d.u().detach(); Tensor sd = d.s().detach(); Tensor vtd = d.vt().detach()) {
            GradNode.record(d.s(), "svd(s)", new Tensor[]{a}, new Tensor[]{ud, vtd}, (g, s, needs) -> {
                firstOrderOnly("svd");
                return new Tensor[]{s[0].mul(g.unsqueeze(-2)).matmul(s[1])};
            });
            GradNode.record(d.u(), "svd(u)", new Tensor[]{a}, new Tensor[]{ud, sd, vtd}, (g, s, needs) -> {
                firstOrderOnly("svd");
                Tensor u = s[0];
                Tensor sigma = s[1];
                Tensor v = mT(s[2]);
                Tensor f = inverseGaps(sigma.square());
                Tensor utg = mT(u).matmul(g);
                Tensor j = f.mul(utg.sub(mT(utg)));
                Tensor core = j.mul(sigma.unsqueeze(-2));                       // J·S
                Tensor inPlane = u.matmul(core).matmul(mT(v));
                Tensor outside = g.sub(u.matmul(utg)).div(sigma.unsqueeze(-2)).matmul(mT(v));  // (I − UUᵀ)·Ū·S⁻¹·Vᵀ
                return new Tensor[]{inPlane.add(outside)};
            });
            GradNode.record(d.vt(), "svd(vt)", new Tensor[]{a}, new Tensor[]{ud, sd, vtd}, (g, s, needs) -> {
                firstOrderOnly("svd");
                Tensor u = s[0];
                Tensor sigma = s[1];
                Tensor v = mT(s[2]);
                Tensor gv = mT(g);
                Tensor f = inverseGaps(sigma.square());
                Tensor vtg = mT(v).matmul(gv);
                Tensor k = f.mul(vtg.sub(mT(vtg)));
                Tensor core = k.mul(sigma.unsqueeze(-1));                       // S·K
                Tensor inPlane = u.matmul(core).matmul(mT(v));
                Tensor outside = u.matmul(mT(gv.sub(v.matmul(vtg))).div(sigma.unsqueeze(-1)));   // U·S⁻¹·V̄ᵀ·(I − VVᵀ)
                return new Tensor[]{inPlane.add(outside)};
            });
        }
        return d;
    }
}
