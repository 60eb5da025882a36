package dev.proxima.transport.internal;

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
 */
public final class SinkhornLoop {

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
     */
    public record Result(Tensor f, Tensor g, Tensor nextG, int iterations, double[] errors, boolean converged) {
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
        return settings.logDomain()
                ? logDomain(geometry, a, b, tauA, tauB, settings, f0, g0)
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
        int m = b.length;
        double max = 0;
        for (int start = 0; start < gv.length; start += m) {
            double sum = 0;
            for (int j = 0; j < m; j++) {
                double e = b[j] * Math.expm1((gv[start + j] - nv[start + j]) / epsilon);
                sum += e * e;
            }
            double norm = Math.sqrt(sum);
            if (Double.isNaN(norm) || Double.isNaN(max)) {
                max = Double.NaN;
            } else {
                max = Math.max(max, norm);
            }
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
                                    Tensor f0, Tensor g0) {
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
            double[] errors = new double[0];
            int k = 0;
            boolean converged = false;
            while (k < settings.maxIterations() && !converged) {
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
            }
            if (nextG == null) {
                double eps = settings.epsilon();
                nextG = relax(geometry.softMinColumns(f.add(logA.mul(eps)), eps), phi(tauB, eps), eps, safeLogB);
            }
            return new Result(outer.keep(f == f0 ? f.add(0.0) : f), outer.keep(g == g0 ? g.add(0.0) : g), outer.keep(nextG),
                    k, Arrays.copyOf(errors, k), converged);
        }
    }

    private static Tensor timesKernel(Tensor kernel, Tensor v) {       // K·v over the last axis: [..., n]
        Tensor col = v.unsqueeze(v.rank());
        Tensor out = kernel.matmul(col);
        return out.squeeze(out.rank() - 1);
    }

    private static Tensor kernelTransposedTimes(Tensor kernel, Tensor u) {   // Kᵀ·u: [..., m]
        Tensor row = u.unsqueeze(u.rank() - 1);
        Tensor out = row.matmul(kernel);
        return out.squeeze(out.rank() - 2);
    }

    private static Result scaling(Geometry geometry, Tensor a, Tensor b, double tauA, double tauB, Settings settings,
                                  Tensor f0, Tensor g0) {
        double eps = settings.epsilon();
        try (Scope outer = Scope.open()) {
            Tensor kernel = geometry.kernel(eps);
            double phiA = phi(tauA, eps);
            double phiB = phi(tauB, eps);
            // u = a·exp(f/ε), v = b·exp(g/ε): the plan is diag(u)·K·diag(v)
            Tensor u = a.mul(f0.div(eps).exp());
            Tensor v = b.mul(g0.div(eps).exp());
            double[] errors = new double[0];
            int k = 0;
            boolean converged = false;
            while (k < settings.maxIterations() && !converged) {
                try (Scope inner = Scope.open()) {
                    Tensor newV = b.div(kernelTransposedTimes(kernel, u));
                    newV = phiB == 1 ? newV : newV.pow(phiB);
                    Tensor newU = a.div(timesKernel(kernel, newV));
                    newU = phiA == 1 ? newU : newU.pow(phiA);
                    Tensor columns = kernelTransposedTimes(kernel, newU);
                    // b ⊙ (v/v' − 1) with v' the next v update: Pᵀ·1 − b when balanced
                    Tensor e = phiB == 1 ? newV.mul(columns).sub(b)
                            : Tensor.where(b.gt(0.0), b.mul(newV.div(b.div(columns).pow(phiB)).sub(1.0)), Tensor.zerosLike(b));
                    double[] norms = e.square().sum(e.rank() - 1).sqrt().toDoubleArray();
                    double err = 0;
                    for (double x : norms) {
                        err = Double.isNaN(x) || Double.isNaN(err) ? Double.NaN : Math.max(err, x);
                    }
                    errors = record(errors, k, err);
                    converged = err < settings.tolerance();
                    Tensor oldU = u;
                    Tensor oldV = v;
                    u = inner.keep(newU);
                    v = inner.keep(newV);
                    oldU.close();
                    oldV.close();
                }
                k++;
            }
            // back to potentials: f = ε·(log u − log a), 0 where a = 0
            Tensor f = Tensor.where(a.gt(0.0), u.log().sub(a.log()).mul(eps), Tensor.zerosLike(u));
            Tensor g = Tensor.where(b.gt(0.0), v.log().sub(b.log()).mul(eps), Tensor.zerosLike(v));
            Tensor nextG = relax(geometry.softMinColumns(f.add(a.log().mul(eps)), eps), phiB, eps, safeLog(b));
            return new Result(outer.keep(f), outer.keep(g), outer.keep(nextG), k, Arrays.copyOf(errors, k), converged);
        }
    }
}
