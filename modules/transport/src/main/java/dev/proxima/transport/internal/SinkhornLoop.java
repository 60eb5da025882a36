package dev.proxima.transport.internal;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Into;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.transport.Geometry;

import java.util.Arrays;

/**
 * The Sinkhorn iterations on a geometry, in the log domain (the geometry's fused soft-minima) or in the scaling
 * form (products with the Gibbs kernel formed once). One iteration updates g, then f (the order of POT's
 * {@code sinkhorn_log}); the marginal error of the resulting pair is read from the next g update, which the next
 * iteration reuses, so checking every iteration costs O(n + m).
 *
 * <p>With {@code φ = τ/(τ + ε)} (1 on a balanced side) the updates are POT's unbalanced ones in potential form:
 * {@code f = φ_a·smin_rows(g + ε·log b) − (1 − φ_a)·ε·log a} and likewise for g; the error is
 * {@code ‖b ⊙ (exp((g − g')/ε) − 1)‖₂}, g' the next g update, which for balanced problems is the 2-norm of
 * {@code Pᵀ·1 − b} (POT's criterion).
 *
 * <p><b>Absorption</b> (the log-domain stabilisation of Schmitzer, <i>Stabilized sparse scaling algorithms for
 * entropy regularized transport problems</i>, 2019): on a dense cost the potentials (f̂, ĝ) are absorbed into a kernel
 * {@code K̃_ij = exp((f̂_i + ĝ_j − C_ij)/ε)} and the iterations update the scalings {@code u = exp((f − f̂)/ε)},
 * {@code v = exp((g − ĝ)/ε)} by two matrix–vector products ({@code u = 1/K̃(b⊙v)}, {@code v = 1/K̃ᵀ(a⊙u)}; with
 * powers φ when unbalanced) — the same iterates as the soft-min passes, at the cost of a gemv instead of an
 * exponential per entry. The first kernel is formed at the initial potentials, or, where its first g update is not
 * finite (costs beyond the exponent range there), after one iteration of soft-min passes. It is formed again from
 * the current potentials when a scaling leaves {@code [e^−T, e^T]} (T = {@value #DRIFT_F64} in F64,
 * {@value #DRIFT_F32} in F32), so every entry that K̃ rounds to zero or to a subnormal carries a plan weight below
 * {@code e^(−708 + 2T)} (F64) of the largest. An iteration whose scalings are not finite and positive (a row of K̃
 * that underflowed) runs again in soft-min passes, and so does the rest of a solve whose kernel drifts right after
 * forming twice in a row. Absorption is used at the target ε (not while annealing), when the geometry is not
 * online, the iterations are not recorded for autodiff (unrolled gradients run the soft-min passes) and the kernel
 * has at most {@value #ABSORB_MAX_ENTRIES} entries; otherwise every iteration is two soft-min passes, which need no
 * [n, m] memory.
 */
public final class SinkhornLoop {

    /** The largest |log| of a scaling before the kernel is absorbed again, F64. */
    static final int DRIFT_F64 = 200;

    /** The same for F32 (whose exponentials underflow below e^−87). */
    static final int DRIFT_F32 = 25;

    /** The most kernel entries (B·n·m) for which the log domain forms an absorbed kernel. */
    static final long ABSORB_MAX_ENTRIES = 1L << 25;

    private SinkhornLoop() {
    }

    /**
     * The loop's settings.
     *
     * @param epsilon        the target ε
     * @param maxIterations  the iteration budget
     * @param tolerance      the error below which the loop stops
     * @param initialEpsilon the first ε of the annealing (ε itself for none)
     * @param decay          the annealing factor per iteration, in (0, 1]
     * @param logDomain      log domain (else the scaling form)
     */
    public record Settings(double epsilon, int maxIterations, double tolerance, double initialEpsilon, double decay,
                           boolean logDomain) {

        double epsilonAt(int iteration) {
            if (initialEpsilon <= epsilon) {
                return epsilon;
            }
            return Math.max(epsilon, initialEpsilon * Math.pow(decay, iteration));
        }
    }

    /**
     * What the loop found.
     *
     * @param f          the source potential
     * @param g          the target potential
     * @param nextG      the g update from f (for the objective's dual formula)
     * @param iterations iterations run
     * @param errors     the error history
     * @param converged  whether the tolerance was met
     * @param kernels    how many absorbed kernels the log domain formed (0: soft-min passes only)
     */
    public record Result(Tensor f, Tensor g, Tensor nextG, int iterations, double[] errors, boolean converged, int kernels) {
    }

    /**
     * Runs the loop. The tensors it returns are owned by the current scope; intermediates are freed as it goes.
     *
     * @param geometry the geometry
     * @param a        source weights
     * @param b        target weights
     * @param tauA     source KL weight (∞: balanced)
     * @param tauB     target KL weight (∞: balanced)
     * @param settings the settings
     * @param f0       the initial f, {@code [..., n]}
     * @param g0       the initial g, {@code [..., m]}
     * @return the result
     */
    public static Result run(Geometry geometry, Tensor a, Tensor b, double tauA, double tauB, Settings settings,
                             Tensor f0, Tensor g0) {
        return run(geometry, a, b, tauA, tauB, settings, f0, g0, true);
    }

    /** {@link #run}, with absorption allowed or not (tests compare the two). */
    static Result run(Geometry geometry, Tensor a, Tensor b, double tauA, double tauB, Settings settings,
                      Tensor f0, Tensor g0, boolean allowAbsorption) {
        return settings.logDomain()
                ? logDomain(geometry, a, b, tauA, tauB, settings, f0, g0, allowAbsorption)
                : scaling(geometry, a, b, tauA, tauB, settings, f0, g0);
    }

    private static double phi(double tau, double epsilon) {
        return tau == Double.POSITIVE_INFINITY ? 1 : tau / (tau + epsilon);
    }

    /** {@code φ·smin − (1 − φ)·ε·log w} with log w taken as 0 where w = 0 (a dead row or column). */
    private static Tensor relax(Tensor smin, double phi, double epsilon, Tensor safeLogW) {
        return phi == 1 ? smin : smin.mul(phi).sub(safeLogW.mul((1 - phi) * epsilon));
    }

    private static Tensor safeLog(Tensor w) {
        return Tensor.where(w.gt(0.0), w.log(), Tensor.zerosLike(w));
    }

    private static double[] record(double[] errors, int k, double error) {
        double[] out = k < errors.length ? errors : Arrays.copyOf(errors, Math.max(8, errors.length * 2));
        out[k] = error;
        return out;
    }

    /**
     * {@code max over the batch of ‖b ⊙ (exp((g − g')/ε) − 1)‖₂}, on the host from two vector copies (cheaper than
     * the seven small tensor ops it replaces, on any device).
     */
    private static double error(double[] b, Tensor g, Tensor nextG, double epsilon) {
        double[] gv = g.toDoubleArray();
        double[] nv = nextG.toDoubleArray();
        double[] relative = new double[gv.length];
        for (int j = 0; j < gv.length; j++) {
            relative[j] = Math.expm1((gv[j] - nv[j]) / epsilon);
        }
        return maxNorm(b, relative, (int) g.shape()[g.rank() - 1]);
    }

    /**
     * {@code max over the batch of ‖b ⊙ r‖₂}, the batch being the runs of m entries of b (repeated over the batch)
     * and r; NaN if any norm is NaN.
     */
    private static double maxNorm(double[] b, double[] r, int m) {
        double max = 0;
        for (int start = 0; start < r.length; start += m) {
            double sum = 0;
            for (int j = start; j < start + m; j++) {
                double e = b[j] * r[j];
                sum += e * e;
            }
            double norm = Math.sqrt(sum);
            max = Double.isNaN(norm) || Double.isNaN(max) ? Double.NaN : Math.max(max, norm);
        }
        return max;
    }

    /** The weights b on the host, repeated over the batch of the potentials g when b itself is unbatched. */
    private static double[] hostWeights(Tensor b, Tensor g) {
        double[] bv = b.toDoubleArray();
        long total = g.size();
        if (bv.length == total) {
            return bv;
        }
        double[] out = new double[(int) total];
        for (int i = 0; i < out.length; i++) {
            out[i] = bv[i % bv.length];
        }
        return out;
    }

    private static Result logDomain(Geometry geometry, Tensor a, Tensor b, double tauA, double tauB, Settings settings,
                                    Tensor f0, Tensor g0, boolean allowAbsorption) {
        try (Scope outer = Scope.open()) {
            Tensor logA = a.log();
            Tensor logB = b.log();
            Tensor safeLogA = safeLog(a);
            Tensor safeLogB = safeLog(b);
            Tensor f = f0;
            Tensor g = g0;
            Tensor nextG = null;
            double[] hostB = hostWeights(b, g0);
            // ε·log a and ε·log b at the target ε, formed once (annealed iterations form their own)
            double target = settings.epsilon();
            Tensor epsLogA = logA.mul(target);
            Tensor epsLogB = logB.mul(target);
            // the kernel carries the batch of the potentials (a shared cost with batched weights too): B·n·m entries
            boolean absorb = allowAbsorption && !geometry.isOnline() && !Autodiff.isGradEnabled()
                    && (double) f0.size() * geometry.columns() <= ABSORB_MAX_ENTRIES;
            Absorbed absorbed = null;
            int formedAt = -2;
            int quickDrifts = 0;
            int kernels = 0;
            double[] errors = new double[0];
            int k = 0;
            boolean converged = false;
            if (absorb && settings.epsilonAt(0) == target && settings.epsilonAt(1) == target && settings.maxIterations() > 0) {
                absorbed = Absorbed.start(geometry, a, f0, g0, target, tauA, tauB, safeLogA, safeLogB);
                kernels = absorbed == null ? 0 : 1;
                formedAt = 0;
            }
            while (k < settings.maxIterations() && !converged) {
                if (absorbed != null) {
                    Absorbed.Step step = absorbed.step(a, b, hostB, (int) geometry.columns());
                    if (step != null) {
                        errors = record(errors, k, step.error());
                        converged = step.error() < settings.tolerance();
                        k++;
                        if (converged || !step.drifted()) {
                            continue;
                        }
                        quickDrifts = k - formedAt > 1 ? 0 : quickDrifts + 1;
                        if (quickDrifts < 2) {
                            absorbed = absorbed.reabsorb(geometry, safeLogA, safeLogB);
                            formedAt = k;
                            kernels++;
                            continue;
                        }
                        // drifted right after forming, twice: the potentials move too fast to gain from a kernel
                    }
                    // (or a scaling overflowed where a kernel row underflowed: that iteration runs again)
                    // soft-min passes from the last iterate on
                    Tensor[] p = absorbed.leave();
                    f = p[0];
                    g = p[1];
                    nextG = p[2];
                    absorbed = null;
                    absorb = false;
                    continue;
                }
                double eps = settings.epsilonAt(k);
                double nextEps = settings.epsilonAt(k + 1);
                try (Scope inner = Scope.open()) {
                    Tensor scaledLogA = eps == target ? epsLogA : logA.mul(eps);
                    Tensor scaledLogB = eps == target ? epsLogB : logB.mul(eps);
                    Tensor nextScaledLogA = nextEps == target ? epsLogA : logA.mul(nextEps);
                    boolean fresh = nextG == null;
                    Tensor newG = !fresh ? nextG
                            : relax(geometry.softMinColumns(f.add(scaledLogA), eps), phi(tauB, eps), eps, safeLogB);
                    Tensor newF = relax(geometry.softMinRows(newG.add(scaledLogB), eps), phi(tauA, eps), eps, safeLogA);
                    Tensor following = relax(geometry.softMinColumns(newF.add(nextScaledLogA), nextEps),
                            phi(tauB, nextEps), nextEps, safeLogB);
                    double err = eps == target ? error(hostB, newG, following, eps) : Double.NaN;
                    errors = record(errors, k, err);
                    converged = err < settings.tolerance();
                    Tensor oldF = f;
                    Tensor oldG = g;
                    f = inner.keep(newF);
                    g = fresh ? inner.keep(newG) : newG;
                    nextG = inner.keep(following);
                    // the previous pair is no longer needed (a recorded graph keeps what it saved)
                    if (oldF != f0) {
                        oldF.close();
                    }
                    if (oldG != g0) {
                        oldG.close();
                    }
                }
                k++;
                if (absorb && !converged && eps == target && nextEps == target && k < settings.maxIterations()) {
                    absorbed = Absorbed.form(geometry, f, g, nextG, target, tauA, tauB, safeLogA, safeLogB);
                    formedAt = k;
                    kernels++;
                    f = null;
                    g = null;
                    nextG = null;
                }
            }
            if (absorbed != null) {
                Tensor[] p = absorbed.leave();
                f = p[0];
                g = p[1];
                nextG = p[2];
            }
            if (nextG == null) {
                double eps = settings.epsilon();
                nextG = relax(geometry.softMinColumns(f.add(logA.mul(eps)), eps), phi(tauB, eps), eps, safeLogB);
            }
            return new Result(outer.keep(f == f0 ? f.add(0.0) : f), outer.keep(g == g0 ? g.add(0.0) : g), outer.keep(nextG),
                    k, Arrays.copyOf(errors, k), converged, kernels);
        }
    }

    /**
     * The iterations on an absorbed kernel {@code K̃ = exp((f̂ ⊕ ĝ − C)/ε)}: the potentials are {@code f = f̂ + ε·log u},
     * {@code g = ĝ + ε·log v} and the next g update {@code ĝ + ε·log v'}. Owns its tensors (closed by {@link #close}
     * or handed over by {@link #leave}); the ones it returns belong to the scope open when it was called.
     */
    private static final class Absorbed implements AutoCloseable {

        /** What one iteration found: the error, and whether a scaling left the band (the kernel should be formed again). */
        record Step(double error, boolean drifted) {
        }

        private final Tensor fHat;
        private final Tensor gHat;
        private final Tensor kernel;
        private final Tensor weightA;     // e^{−(1−φ_a)(f̂/ε + log a)} for an unbalanced source, else null
        private final Tensor weightB;
        private final double epsilon;
        private final double tauA;
        private final double tauB;
        private final double phiA;
        private final double phiB;
        private final double bound;
        // the last iterate, as scalings (u, v, v') or, right after forming, as the potentials it was formed from
        private Tensor f;
        private Tensor g;
        private Tensor u;
        private Tensor v;
        private Tensor vNext;
        private double[] hostVNext;       // vNext on the host, once a step has copied it (null before)

        private Absorbed(Tensor fHat, Tensor gHat, Tensor kernel, Tensor weightA, Tensor weightB, double epsilon,
                         double tauA, double tauB, Tensor f, Tensor g) {
            this.fHat = fHat;
            this.gHat = gHat;
            this.kernel = kernel;
            this.weightA = weightA;
            this.weightB = weightB;
            this.epsilon = epsilon;
            this.tauA = tauA;
            this.tauB = tauB;
            this.phiA = phi(tauA, epsilon);
            this.phiB = phi(tauB, epsilon);
            this.bound = Math.exp(kernel.dtype() == DType.F32 ? DRIFT_F32 : DRIFT_F64);
            this.f = f;
            this.g = g;
            this.vNext = Tensor.onesLike(gHat);
        }

        /** Absorbs the potentials f and next g (g is the iterate's own g, kept for the output). Takes f, g, ĝ over. */
        static Absorbed form(Geometry geometry, Tensor f, Tensor g, Tensor nextG, double epsilon, double tauA, double tauB,
                             Tensor safeLogA, Tensor safeLogB) {
            double phiA = phi(tauA, epsilon);
            double phiB = phi(tauB, epsilon);
            Tensor kernel;
            Tensor weightA = null;
            Tensor weightB = null;
            try (Scope s = Scope.open()) {
                kernel = s.keep(PlanSums.gibbs(geometry.cost(), f, nextG, epsilon));
                if (phiA != 1) {
                    weightA = s.keep(f.div(epsilon).add(safeLogA).mul(phiA - 1).exp());
                }
                if (phiB != 1) {
                    weightB = s.keep(nextG.div(epsilon).add(safeLogB).mul(phiB - 1).exp());
                }
            }
            return new Absorbed(f, nextG, kernel, weightA, weightB, epsilon, tauA, tauB, f, g);
        }

        /**
         * The kernel at the initial potentials (f0, ĝ = g0: a warm start's kernel is already close to the plan), with
         * the first g update {@code v' = 1/K̃ᵀa} made: the first iteration without soft-min passes. Returns null
         * (nothing left open) where that update is not finite and positive (costs beyond the exponent range at the
         * initial potentials). Leaves f0 and g0 to the caller.
         */
        static Absorbed start(Geometry geometry, Tensor a, Tensor f0, Tensor g0, double epsilon, double tauA, double tauB,
                              Tensor safeLogA, Tensor safeLogB) {
            Absorbed state = form(geometry, f0.add(0.0), g0.add(0.0), g0.add(0.0), epsilon, tauA, tauB,
                    safeLogA, safeLogB);
            Tensor first;
            try (Scope s = Scope.open()) {
                first = s.keep(state.gUpdate(a.mul(Tensor.onesLike(f0))));
            }
            double[] host = first.toDoubleArray();
            if (!positiveAndFinite(host)) {
                first.close();
                state.close();
                return null;
            }
            state.vNext.close();
            state.vNext = first;
            state.hostVNext = host;
            return state;
        }

        /** {@code v' = 1/K̃ᵀ(a⊙u)}, or {@code (K̃ᵀ(a⊙u))^−φ ⊙ w_b} when unbalanced, from {@code a⊙u}. */
        private Tensor gUpdate(Tensor weightedU) {
            Tensor columns = timesKernel(kernel.transpose(kernel.rank() - 2, kernel.rank() - 1), weightedU);
            return phiB == 1 ? columns.reciprocal() : columns.pow(-phiB).mul(weightB);
        }

        private static boolean positiveAndFinite(double[] values) {
            for (double x : values) {
                if (!(x > 0) || x == Double.POSITIVE_INFINITY) {
                    return false;
                }
            }
            return true;
        }

        /** Forms the kernel again at the current potentials (f, and the next g update); closes this one. */
        Absorbed reabsorb(Geometry geometry, Tensor safeLogA, Tensor safeLogB) {
            Tensor[] p = leave();
            return form(geometry, p[0], p[1], p[2], epsilon, tauA, tauB, safeLogA, safeLogB);
        }

        /**
         * One iteration: {@code v ← v'}, {@code u = 1/K̃(b⊙v)}, {@code v' = 1/K̃ᵀ(a⊙u)} (powers φ and weights when
         * unbalanced). Returns null, changing nothing, when a scaling is not finite and positive.
         */
        Step step(Tensor a, Tensor b, double[] hostB, int m) {
            Tensor newU;
            Tensor following;
            try (Scope s = Scope.open()) {
                Tensor rows = timesKernel(kernel, b.mul(vNext));
                Tensor nu = phiA == 1 ? rows.reciprocal() : rows.pow(-phiA).mul(weightA);
                following = s.keep(gUpdate(a.mul(nu)));
                newU = s.keep(nu);
            }
            double[] hu = newU.toDoubleArray();
            double[] hv = hostVNext != null ? hostVNext : vNext.toDoubleArray();
            double[] hn = following.toDoubleArray();
            if (!positiveAndFinite(hu) || !positiveAndFinite(hn)) {
                newU.close();
                following.close();
                return null;
            }
            boolean drifted = outsideBand(hu) || outsideBand(hn);
            // ‖b ⊙ (v/v' − 1)‖₂ per batch, the soft-min loop's ‖b ⊙ (exp((g − g')/ε) − 1)‖₂
            double[] relative = new double[hv.length];
            for (int j = 0; j < hv.length; j++) {
                relative[j] = hv[j] / hn[j] - 1;
            }
            double max = maxNorm(hostB, relative, m);
            closeIterate();
            u = newU;
            v = vNext;
            vNext = following;
            hostVNext = hn;
            return new Step(max, drifted);
        }

        /** Whether a scaling lies outside {@code [1/bound, bound]}. */
        private boolean outsideBand(double[] scalings) {
            for (double x : scalings) {
                if (x > bound || x * bound < 1) {
                    return true;
                }
            }
            return false;
        }

        /** The potentials f, g and the next g update of the last iterate, owned by the current scope; closes this. */
        Tensor[] leave() {
            Tensor[] p = potentials();
            close();
            return p;
        }

        private Tensor[] potentials() {
            try (Scope s = Scope.open()) {
                Tensor pf = f != null ? f.add(0.0) : fHat.add(u.log().mul(epsilon));
                Tensor pg = g != null ? g.add(0.0) : gHat.add(v.log().mul(epsilon));
                Tensor pn = gHat.add(vNext.log().mul(epsilon));
                return new Tensor[]{s.keep(pf), s.keep(pg), s.keep(pn)};
            }
        }

        private void closeIterate() {
            if (f != null && f != fHat) {
                f.close();
            }
            if (g != null) {
                g.close();
            }
            if (u != null) {
                u.close();
            }
            if (v != null) {
                v.close();
            }
            f = null;
            g = null;
            u = null;
            v = null;
        }

        @Override
        public void close() {
            closeIterate();
            vNext.close();
            kernel.close();
            fHat.close();
            gHat.close();
            if (weightA != null) {
                weightA.close();
            }
            if (weightB != null) {
                weightB.close();
            }
        }
    }

    private static Tensor timesKernel(Tensor kernel, Tensor v) {       // K·v over the last axis: [..., n]
        Tensor col = v.unsqueeze(v.rank());
        Tensor out = kernel.matmul(col);
        return out.squeeze(out.rank() - 1);
    }

    private static Result scaling(Geometry geometry, Tensor a, Tensor b, double tauA, double tauB, Settings settings,
                                  Tensor f0, Tensor g0) {
        double eps = settings.epsilon();
        try (Scope outer = Scope.open()) {
            Tensor kernel;
            if (Autodiff.isGradEnabled()) {
                kernel = geometry.kernel(eps);
            } else {                              // exp(−C/ε) in one buffer
                kernel = geometry.cost().div(-eps);
                Into.exp(kernel, kernel);
            }
            // Kᵀ as a view: BLAS gemv reads the transpose in place
            Tensor kernelT = kernel.transpose(kernel.rank() - 2, kernel.rank() - 1);
            double phiA = phi(tauA, eps);
            double phiB = phi(tauB, eps);
            // u = a·exp(f/ε), v = b·exp(g/ε): the plan is diag(u)·K·diag(v)
            Tensor u = a.mul(f0.div(eps).exp());
            Tensor v = b.mul(g0.div(eps).exp());
            // Kᵀ·u, carried from one iteration's error check to the next iteration's v update: two products each
            Tensor columns = timesKernel(kernelT, u);
            double[] errors = new double[0];
            int k = 0;
            boolean converged = false;
            while (k < settings.maxIterations() && !converged) {
                try (Scope inner = Scope.open()) {
                    Tensor newV = b.div(columns);
                    newV = phiB == 1 ? newV : newV.pow(phiB);
                    Tensor newU = a.div(timesKernel(kernel, newV));
                    newU = phiA == 1 ? newU : newU.pow(phiA);
                    Tensor newColumns = timesKernel(kernelT, newU);
                    // b ⊙ (v/v' − 1) with v' the next v update: Pᵀ·1 − b when balanced
                    Tensor e = phiB == 1 ? newV.mul(newColumns).sub(b)
                            : Tensor.where(b.gt(0.0), b.mul(newV.div(b.div(newColumns).pow(phiB)).sub(1.0)), Tensor.zerosLike(b));
                    double[] norms = e.square().sum(e.rank() - 1).sqrt().toDoubleArray();
                    double err = 0;
                    for (double x : norms) {
                        err = Double.isNaN(x) || Double.isNaN(err) ? Double.NaN : Math.max(err, x);
                    }
                    errors = record(errors, k, err);
                    converged = err < settings.tolerance();
                    Tensor oldU = u;
                    Tensor oldV = v;
                    Tensor oldColumns = columns;
                    u = inner.keep(newU);
                    v = inner.keep(newV);
                    columns = inner.keep(newColumns);
                    oldU.close();
                    oldV.close();
                    oldColumns.close();
                }
                k++;
            }
            // back to potentials: f = ε·(log u − log a), 0 where a = 0
            Tensor f = Tensor.where(a.gt(0.0), u.log().sub(a.log()).mul(eps), Tensor.zerosLike(u));
            Tensor g = Tensor.where(b.gt(0.0), v.log().sub(b.log()).mul(eps), Tensor.zerosLike(v));
            // the next g update from the last product: −ε·log Σ_i a_i·e^{(f_i − C_ij)/ε} = −ε·log (Kᵀu)_j
            Tensor nextG = relax(columns.log().mul(-eps), phiB, eps, safeLog(b));
            return new Result(outer.keep(f), outer.keep(g), outer.keep(nextG), k, Arrays.copyOf(errors, k), converged, 0);
        }
    }
}
