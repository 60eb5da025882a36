package dev.proxima.optim.internal;

import dev.proxima.optim.prox.Groups;
import dev.proxima.optim.prox.ConjugateGradient;
import dev.proxima.optim.prox.Prox;
import dev.proxima.optim.prox.Smooth;
import dev.proxima.optim.prox.SolverResult;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;
import java.util.function.Supplier;

/** The proximal operators behind {@link Prox}'s factories, written with tensor ops. */
public final class ProxOperators {

    private ProxOperators() {
    }

    /** Runs {@code body} in a scope and keeps only its (new) result. */
    static Tensor kept(Supplier<Tensor> body) {
        try (Scope s = Scope.open()) {
            return s.keep(body.get());
        }
    }

    /** Runs {@code body} in a scope and returns its number. */
    static double scalar(java.util.function.DoubleSupplier body) {
        try (Scope s = Scope.open()) {
            return body.getAsDouble();
        }
    }

    /** The relative tolerance of an indicator function's membership test for {@code x}'s dtype. */
    static double slack(Tensor x) {
        return x.dtype() == DType.F64 ? 1e-9 : 1e-4;
    }

    static Tensor checkedPoint(Tensor v, double step) {
        Checks.floating("the prox's point v", v);
        Checks.positive("the prox's step", step);
        return v;
    }

    static Tensor soft(Tensor v, double threshold) {
        return v.sign().mul(v.abs().sub(threshold).clamp(0, Double.POSITIVE_INFINITY));
    }

    /** f = 0. */
    public record Zero() implements Prox {
        @Override
        public Tensor prox(Tensor v, double step) {
            return checkedPoint(v, step).copy();
        }

        @Override
        public double value(Tensor x) {
            Checks.floating("x", x);
            return 0;
        }
    }

    /**
     * λ‖x‖₁.
     *
     * @param lambda λ
     */
    public record L1(double lambda) implements Prox {
        /** Checks λ. */
        public L1 {
            Checks.nonNegative("the l1 weight lambda", lambda);
        }

        @Override
        public Tensor prox(Tensor v, double step) {
            checkedPoint(v, step);
            return kept(() -> soft(v, step * lambda));
        }

        @Override
        public double value(Tensor x) {
            Checks.floating("x", x);
            return scalar(() -> lambda * x.abs().sum().item());
        }
    }

    /**
     * λ‖x‖₂.
     *
     * @param lambda λ
     */
    public record L2(double lambda) implements Prox {
        /** Checks λ. */
        public L2 {
            Checks.nonNegative("the l2 weight lambda", lambda);
        }

        @Override
        public Tensor prox(Tensor v, double step) {
            checkedPoint(v, step);
            return kept(() -> {
                Tensor n = v.norm();
                return v.mul(n.sub(step * lambda).clamp(0, Double.POSITIVE_INFINITY).div(n.maximum(Double.MIN_NORMAL)));
            });
        }

        @Override
        public double value(Tensor x) {
            Checks.floating("x", x);
            return scalar(() -> lambda * x.norm().item());
        }
    }

    /**
     * λ Σ_g ‖x_g‖₂.
     *
     * @param lambda λ
     * @param groups the groups
     */
    public record GroupL2(double lambda, Groups groups) implements Prox {
        /** Checks the parameters. */
        public GroupL2 {
            Checks.nonNegative("the group lasso weight lambda", lambda);
            if (groups == null) {
                throw new IllegalArgumentException("the groups must not be null");
            }
        }

        @Override
        public Tensor prox(Tensor v, double step) {
            checkedPoint(v, step);
            GroupOps.count(groups, v.shape());
            return kept(() -> {
                Tensor n = GroupOps.norms(groups, v);
                Tensor factor = n.sub(step * lambda).clamp(0, Double.POSITIVE_INFINITY).div(n.maximum(Double.MIN_NORMAL));
                return GroupOps.scale(groups, v, factor);
            });
        }

        @Override
        public double value(Tensor x) {
            Checks.floating("x", x);
            return scalar(() -> lambda * GroupOps.norms(groups, x).sum().item());
        }
    }

    static void matrix(Tensor x) {
        if (x.rank() < 2) {
            throw new ShapeMismatchException("the nuclear norm needs a matrix (rank ≥ 2), got shape "
                    + Arrays.toString(x.shape()));
        }
    }

    /**
     * λ Σ σᵢ.
     *
     * @param lambda λ
     */
    public record Nuclear(double lambda) implements Prox {
        /** Checks λ. */
        public Nuclear {
            Checks.nonNegative("the nuclear norm weight lambda", lambda);
        }

        @Override
        public Tensor prox(Tensor v, double step) {
            checkedPoint(v, step);
            matrix(v);
            return kept(() -> {
                Linalg.SVD svd = Linalg.svd(v, false);
                Tensor s = svd.s().sub(step * lambda).clamp(0, Double.POSITIVE_INFINITY);
                return svd.u().mul(s.unsqueeze(-2)).matmul(svd.vt());
            });
        }

        @Override
        public double value(Tensor x) {
            Checks.floating("x", x);
            matrix(x);
            return scalar(() -> lambda * Linalg.svdvals(x).sum().item());
        }
    }

    /**
     * The indicator of [lower, upper].
     *
     * @param lower the lower bound
     * @param upper the upper bound
     */
    public record Box(double lower, double upper) implements Prox {
        /** Checks the bounds. */
        public Box {
            if (Double.isNaN(lower) || Double.isNaN(upper) || lower > upper) {
                throw new IllegalArgumentException("a box needs bounds lower ≤ upper (neither NaN), got [" + lower + ", "
                        + upper + "]");
            }
        }

        @Override
        public Tensor prox(Tensor v, double step) {
            checkedPoint(v, step);
            return v.clamp(lower, upper);
        }

        @Override
        public double value(Tensor x) {
            Checks.floating("x", x);
            double tol = slack(x) * Math.max(1, Math.max(Math.abs(lower) < Double.MAX_VALUE ? Math.abs(lower) : 0,
                    Math.abs(upper) < Double.MAX_VALUE ? Math.abs(upper) : 0));
            return scalar(() -> x.lt(lower - tol).logicalOr(x.gt(upper + tol)).sum().item() > 0
                    ? Double.POSITIVE_INFINITY : 0);
        }
    }

    /**
     * The indicator of the Euclidean ball of radius r.
     *
     * @param radius r
     */
    public record L2Ball(double radius) implements Prox {
        /** Checks r. */
        public L2Ball {
            Checks.positive("the l2 ball's radius", radius);
        }

        @Override
        public Tensor prox(Tensor v, double step) {
            checkedPoint(v, step);
            return kept(() -> v.mul(v.norm().maximum(radius).reciprocal().mul(radius)));
        }

        @Override
        public double value(Tensor x) {
            Checks.floating("x", x);
            return scalar(() -> x.norm().item() <= radius * (1 + slack(x)) ? 0 : Double.POSITIVE_INFINITY);
        }
    }

    /** θ = max_j (Σ_{i≤j} u_i − r)/j over u = sort(values, decreasing), as a 0-d tensor. */
    static Tensor simplexThreshold(Tensor values, double radius) {
        Tensor u = values.reshape(-1).sort(0, true);
        Tensor j = Tensor.arange(1, u.size() + 1, 1, u.dtype());
        Tensor jd = j.device().equals(u.device()) ? j : j.to(u.device());
        return u.cumsum(0).sub(radius).div(jd).max();
    }

    /**
     * The indicator of {x ≥ 0, Σx = r}.
     *
     * @param radius r
     */
    public record Simplex(double radius) implements Prox {
        /** Checks r. */
        public Simplex {
            Checks.positive("the simplex's radius", radius);
        }

        @Override
        public Tensor prox(Tensor v, double step) {
            checkedPoint(v, step);
            return kept(() -> v.sub(simplexThreshold(v, radius)).clamp(0, Double.POSITIVE_INFINITY));
        }

        @Override
        public double value(Tensor x) {
            Checks.floating("x", x);
            double tol = slack(x) * Math.max(1, radius);
            return scalar(() -> x.min().item() >= -tol && Math.abs(x.sum().item() - radius) <= tol * Math.max(1, x.size())
                    ? 0 : Double.POSITIVE_INFINITY);
        }
    }

    /**
     * The indicator of ‖x‖₁ ≤ r.
     *
     * @param radius r
     */
    public record L1Ball(double radius) implements Prox {
        /** Checks r. */
        public L1Ball {
            Checks.positive("the l1 ball's radius", radius);
        }

        @Override
        public Tensor prox(Tensor v, double step) {
            checkedPoint(v, step);
            return kept(() -> {
                Tensor a = v.abs();
                Tensor theta = simplexThreshold(a, radius).clamp(0, Double.POSITIVE_INFINITY);
                return v.sign().mul(a.sub(theta).clamp(0, Double.POSITIVE_INFINITY));
            });
        }

        @Override
        public double value(Tensor x) {
            Checks.floating("x", x);
            return scalar(() -> x.abs().sum().item() <= radius * (1 + slack(x)) ? 0 : Double.POSITIVE_INFINITY);
        }
    }

    /**
     * The SCAD penalty.
     *
     * @param lambda λ
     * @param a      a
     */
    public record Scad(double lambda, double a) implements Prox {
        /** Checks λ and a. */
        public Scad {
            Checks.nonNegative("SCAD's lambda", lambda);
            if (!(a > 2) || Double.isInfinite(a)) {
                throw new IllegalArgumentException("SCAD's a must be a finite number > 2, got " + a);
            }
        }

        @Override
        public Tensor prox(Tensor v, double step) {
            checkedPoint(v, step);
            if (!(step < a - 1)) {
                throw new IllegalArgumentException("SCAD's prox needs a step < a − 1 = " + (a - 1)
                        + " (else its objective is not convex), got " + step);
            }
            return kept(() -> {
                Tensor abs = v.abs();
                Tensor small = soft(v, step * lambda);
                Tensor middle = v.mul(a - 1).sub(v.sign().mul(step * a * lambda)).div(a - 1 - step);
                Tensor outer = Tensor.where(abs.le(a * lambda), middle, v);
                return Tensor.where(abs.le((1 + step) * lambda), small, outer);
            });
        }

        @Override
        public double value(Tensor x) {
            Checks.floating("x", x);
            return scalar(() -> {
                Tensor abs = x.abs();
                Tensor linear = abs.mul(lambda);
                Tensor quadratic = abs.mul(2 * a * lambda).sub(abs.square()).sub(lambda * lambda).div(2 * (a - 1));
                Tensor flat = Tensor.full(lambda * lambda * (a + 1) / 2, x.dtype(), x.device(), x.shape());
                return Tensor.where(abs.le(lambda), linear, Tensor.where(abs.le(a * lambda), quadratic, flat)).sum().item();
            });
        }
    }

    /**
     * The minimax concave penalty.
     *
     * @param lambda λ
     * @param gamma  γ
     */
    public record Mcp(double lambda, double gamma) implements Prox {
        /** Checks λ and γ. */
        public Mcp {
            Checks.nonNegative("MCP's lambda", lambda);
            Checks.positive("MCP's gamma", gamma);
        }

        @Override
        public Tensor prox(Tensor v, double step) {
            checkedPoint(v, step);
            if (!(step < gamma)) {
                throw new IllegalArgumentException("MCP's prox needs a step < gamma = " + gamma
                        + " (else its objective is not convex), got " + step);
            }
            return kept(() -> {
                Tensor abs = v.abs();
                Tensor firm = soft(v, step * lambda).div(1 - step / gamma);
                return Tensor.where(abs.le(gamma * lambda), firm, v);
            });
        }

        @Override
        public double value(Tensor x) {
            Checks.floating("x", x);
            return scalar(() -> {
                Tensor abs = x.abs();
                Tensor inner = abs.mul(lambda).sub(abs.square().div(2 * gamma));
                Tensor flat = Tensor.full(gamma * lambda * lambda / 2, x.dtype(), x.device(), x.shape());
                return Tensor.where(abs.le(gamma * lambda), inner, flat).sum().item();
            });
        }
    }

    /**
     * The weighted group sparse envelope function.
     *
     * @param k       the sparsity level
     * @param groups  the groups
     * @param weights the group weights, or null for all 1
     */
    public record GroupSparseEnvelope(int k, Groups groups, double[] weights) implements Prox {
        /** Checks the parameters and copies the weights. */
        public GroupSparseEnvelope {
            Checks.atLeastOne("the sparsity level k", k);
            if (groups == null) {
                throw new IllegalArgumentException("the groups must not be null");
            }
            if (weights != null) {
                weights = weights.clone();
                for (int g = 0; g < weights.length; g++) {
                    Checks.positive("the weight of group " + g, weights[g]);
                }
            }
        }

        @Override
        public double[] weights() {
            return weights == null ? null : weights.clone();
        }

        /** The number of groups of {@code x}, checked against k and the weights. */
        private int count(Tensor x) {
            long count = GroupOps.count(groups, x.shape());
            if (k > count) {
                throw new IllegalArgumentException("the sparsity level k = " + k + " is out of range: the tensor of shape "
                        + Arrays.toString(x.shape()) + " has " + count + " groups; expected 1 ≤ k ≤ " + count);
            }
            if (weights != null && weights.length != count) {
                throw new IllegalArgumentException("got " + weights.length + " group weights for " + count
                        + " groups (tensor of shape " + Arrays.toString(x.shape()) + ")");
            }
            return Math.toIntExact(count);
        }

        private Tensor weightTensor(Tensor like, int count) {
            double[] d = weights;
            if (d == null) {
                return Tensor.ones(like.dtype(), like.device(), count);
            }
            Tensor host = Tensor.of(d).cast(like.dtype());
            return host.device().equals(like.device()) ? host : host.to(like.device());
        }

        @Override
        public Tensor prox(Tensor v, double step) {
            checkedPoint(v, step);
            int count = count(v);
            return kept(() -> {
                Tensor d = weightTensor(v, count);
                Tensor r = GroupOps.norms(groups, v);
                long positive = (long) r.gt(0).sum().item();
                Tensor w;
                if (positive <= k) {
                    w = r.gt(0).cast(v.dtype());
                } else {
                    // W(μ) = Σ clip(s_g μ − t d_g, 0, 1) rises linearly between the breakpoints a_g = t d_g / s_g
                    // (a group starts) and b_g = (1 + t d_g) / s_g (it saturates); find μ with W(μ) = k exactly.
                    Tensor s = r.mul(d.sqrt());
                    Tensor alive = s.gt(0);
                    Tensor safe = Tensor.where(alive, s, Tensor.onesLike(s));
                    double far = Double.MAX_VALUE / 4;
                    Tensor start = Tensor.where(alive, d.mul(step).div(safe), Tensor.full(far, s.dtype(), s.device(), s.shape()));
                    Tensor end = Tensor.where(alive, d.mul(step).add(1).div(safe), Tensor.full(far, s.dtype(), s.device(), s.shape()));
                    Tensor zero = Tensor.zerosLike(s);
                    Tensor at = Tensor.concat(0, start, end);
                    Tensor slopes = Tensor.concat(0, Tensor.where(alive, s, zero), Tensor.where(alive, s.neg(), zero));
                    Tensor order = at.argsort(0, false);
                    Tensor mu = at.gather(0, order);
                    Tensor slope = slopes.gather(0, order).cumsum(0);
                    long n = mu.size();
                    Tensor gains = slope.slice(0, 0, n - 1, 1).mul(mu.slice(0, 1, n, 1).sub(mu.slice(0, 0, n - 1, 1)));
                    Tensor level = Tensor.concat(0, Tensor.zeros(v.dtype(), v.device(), 1), gains.cumsum(0));
                    Tensor target = Tensor.full((double) k, v.dtype(), v.device(), 1);
                    Tensor idx = level.searchsorted(target, false).sub(1L).clamp(0L, n - 2);
                    Tensor muStar = mu.gather(0, idx).add(target.sub(level.gather(0, idx)).div(slope.gather(0, idx)));
                    w = s.mul(muStar).sub(d.mul(step)).clamp(0, 1);
                }
                Tensor factor = w.div(w.add(d.mul(step)));
                return GroupOps.scale(groups, v, factor);
            });
        }

        @Override
        public double value(Tensor x) {
            Checks.floating("x", x);
            int count = count(x);
            double[] c;
            try (Scope s = Scope.open()) {
                c = GroupOps.norms(groups, x).toDoubleArray();
            }
            for (int g = 0; g < count; g++) {
                c[g] *= Math.sqrt(weights == null ? 1 : weights[g]);
            }
            return halfSquaredKSupport(c, k);
        }

        /**
         * ½‖c‖²_(k), the half-squared k-support norm of a non-negative vector (Argyriou, Foygel and Srebro 2012).
         *
         * @param c the non-negative values (reordered)
         * @param k the level
         * @return the value
         */
        static double halfSquaredKSupport(double[] c, int k) {
            Arrays.sort(c);
            int n = c.length;
            double[] desc = new double[n];
            for (int i = 0; i < n; i++) {
                desc[i] = c[n - 1 - i];
            }
            double tail = 0;
            for (int i = k - 1; i < n; i++) {
                tail += desc[i];
            }
            // ℓ counts the leading values kept whole: the unique ℓ in [0, k) with desc[ℓ-1] > tail_ℓ/(k-ℓ) ≥ desc[ℓ],
            // tail_ℓ = Σ_{i ≥ ℓ} desc[i] (0-based), desc[-1] = +∞.
            double head = 0;
            for (int l = 0; l < k; l++) {
                double tl = tail;
                for (int i = l; i < k - 1; i++) {
                    tl += desc[i];
                }
                double avg = tl / (k - l);
                boolean above = l == 0 || desc[l - 1] > avg;
                if (above && avg >= (l < n ? desc[l] : 0)) {
                    return 0.5 * (head + tl * tl / (k - l));
                }
                head += desc[l] * desc[l];
            }
            return 0.5 * head;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GroupSparseEnvelope other && other.k == k && other.groups.equals(groups)
                    && Arrays.equals(other.weights, weights);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * k + groups.hashCode()) + Arrays.hashCode(weights);
        }

        @Override
        public String toString() {
            return "GroupSparseEnvelope[k=" + k + ", groups=" + groups + ", weights=" + Arrays.toString(weights) + "]";
        }
    }

    /**
     * ½‖Ax − b‖².
     *
     * @param a the matrix A
     * @param b the vector b
     */
    public record LeastSquares(Tensor a, Tensor b) implements Prox {
        /** Checks the shapes. */
        public LeastSquares {
            Checks.floating("the least-squares matrix A", a);
            Checks.floating("the least-squares vector b", b);
            if (a.rank() != 2) {
                throw new ShapeMismatchException("the least-squares matrix A must be 2-D, got shape " + Arrays.toString(a.shape()));
            }
            Checks.shape("the least-squares vector b", b, a.dim(0));
        }

        @Override
        public Tensor prox(Tensor v, double step) {
            checkedPoint(v, step);
            Checks.shape("the prox's point v", v, a.dim(1));
            return kept(() -> {
                Tensor at = a.transpose();
                Tensor system = at.matmul(a).add(Tensor.eye(a.dim(1), a.dtype()).to(a.device()).div(step));
                Tensor rhs = at.matmul(b).add(v.div(step));
                return Linalg.solve(system, rhs.unsqueeze(1)).reshape(a.dim(1));
            });
        }

        @Override
        public double value(Tensor x) {
            Checks.floating("x", x);
            Checks.shape("x", x, a.dim(1));
            return scalar(() -> 0.5 * a.matmul(x).sub(b).square().sum().item());
        }
    }

    /**
     * The prox of a smooth convex function by Newton–CG.
     *
     * @param f the function
     */
    public record SmoothProx(Smooth f) implements Prox {
        /** Checks f. */
        public SmoothProx {
            if (f == null) {
                throw new IllegalArgumentException("the smooth function must not be null");
            }
        }

        @Override
        public Tensor prox(Tensor v, double step) {
            checkedPoint(v, step);
            Tensor x = v.copy();
            try {
                double scale = Math.max(1, scalar(() -> v.norm().item()) / step);
                for (int newton = 0; newton < 20; newton++) {
                    Tensor next;
                    try (Scope s = Scope.open()) {
                        Tensor current = x;
                        Tensor gradient = f.gradient(current).add(current.sub(v).div(step));
                        if (gradient.norm().item() <= 1e-11 * scale) {
                            break;
                        }
                        SolverResult cg = ConjugateGradient.builder().tolerance(1e-10).maxIterations((int) Math.min(
                                        Integer.MAX_VALUE, 2 * Math.max(1, v.size()))).build()
                                .solve(d -> f.hessianVectorProduct(current, d).add(d.div(step)), gradient.neg(),
                                        Tensor.zerosLike(gradient));
                        Tensor direction = cg.solution();
                        double slope = gradient.mul(direction).sum().item();
                        if (!(slope < 0)) {
                            break;   // no descent left at this precision
                        }
                        double base = f.value(current) + current.sub(v).square().sum().item() / (2 * step);
                        double alpha = 1;
                        Tensor candidate = current.add(direction);
                        while (alpha > 1e-10 && f.value(candidate) + candidate.sub(v).square().sum().item() / (2 * step)
                                > base + 1e-4 * alpha * slope + 1e-15 * Math.abs(base)) {
                            alpha /= 2;
                            candidate = current.add(direction.mul(alpha));
                        }
                        boolean stalled = alpha <= 1e-10;
                        next = s.keep(candidate);
                        if (stalled) {
                            x.close();
                            x = next;
                            break;
                        }
                    }
                    x.close();
                    x = next;
                }
            } catch (RuntimeException e) {
                x.close();
                throw e;
            }
            return x;
        }

        @Override
        public double value(Tensor x) {
            Checks.floating("x", x);
            return f.value(x);
        }
    }
}
