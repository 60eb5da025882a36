package dev.proxima.transport.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;

/**
 * The Newton phase of Sinkhorn–Newton–Sparse (Tang, Shavlovsky, Rahmanian, Tardini, Thekumparampil, Xiao and
 * Ying, "Accelerating Sinkhorn Algorithm with Sparse Newton Iterations", ICLR 2024), written with tensor ops.
 *
 * <p>It maximises the concave Lyapunov potential of entropic OT in the potentials (f, g),
 * <pre>
 *   L(f, g) = ⟨f, a⟩ + ⟨g, b⟩ − ε Σ_ij P_ij,   P_ij = exp((f_i + g_j − C_ij)/ε),
 * </pre>
 * whose gradient is the marginal residual (a − P1, b − Pᵀ1) and whose Hessian is −(1/ε)H with
 * H = [[diag(P1), P], [Pᵀ, diag(Pᵀ1)]]. Each step keeps only the largest entries of P in the off-diagonal
 * blocks of H (a fraction ρ of them: the paper's sparsification; the diagonal stays exact, so the sparsified H
 * is diagonally dominant), solves H̃Δ = ε∇L by conjugate gradient with the diagonal as preconditioner (to the
 * relative residual min(0.1, marginal error), an inexact Newton step), and backtracks from the full step until
 * L increases enough (Armijo) or, where values no longer resolve the change, the slope along Δ has not
 * turned (approximate Wolfe). It stops when ‖P1 − a‖₂ + ‖Pᵀ1 − b‖₂ ≤ tolerance.
 */
public final class SparseNewton {

    /**
     * The result of the Newton phase.
     *
     * @param f                the row potentials [n]
     * @param g                the column potentials [m]
     * @param newtonIterations the Newton steps taken
     * @param cgIterations     the conjugate-gradient iterations of all steps together
     * @param marginalError    ‖P1 − a‖₂ + ‖Pᵀ1 − b‖₂ at (f, g)
     * @param converged        whether the marginal error reached the tolerance
     * @param errors           the marginal error at the start and after each step
     */
    public record Result(Tensor f, Tensor g, int newtonIterations, int cgIterations, double marginalError,
                         boolean converged, double[] errors) {
    }

    private static final double ARMIJO = 1e-4;
    private static final double WOLFE_DELTA = 0.1;
    private static final int MAX_BACKTRACKS = 40;

    private SparseNewton() {
    }

    /**
     * Runs Newton steps from (f0, g0). The potentials of the result belong to the scope current on entry. Call it
     * with autodiff recording off ({@code Autodiff.noGrad()}): plans are formed in place.
     *
     * @param cost          C [n, m]
     * @param a             row weights [n], positive
     * @param b             column weights [m], positive, of a's mass
     * @param epsilon       ε &gt; 0
     * @param f0            starting row potentials [n]
     * @param g0            starting column potentials [m]
     * @param keepFraction  ρ ∈ (0, 1]: the fraction of P's entries kept in the Hessian's off-diagonal blocks
     * @param maxIterations the largest number of Newton steps
     * @param maxCg         the largest number of CG iterations per step
     * @param tolerance     the marginal error at which the phase stops
     * @return the potentials and the phase's statistics
     */
    public static Result run(Tensor cost, Tensor a, Tensor b, double epsilon, Tensor f0, Tensor g0,
                             double keepFraction, int maxIterations, int maxCg, double tolerance) {
        long n = cost.dim(0);
        long m = cost.dim(1);
        long keep = Math.max(1, Math.min(n * m, (long) Math.ceil(keepFraction * n * m)));
        double noise = cost.dtype() == DType.F64 ? 1e-10 : 1e-4;
        Tensor f;
        Tensor g;
        State state;
        try (Scope outer = Scope.open()) {
            f = f0.add(0.0);
            g = g0.add(0.0);
            state = State.at(f, g, cost, a, b, epsilon);
            double[] errors = new double[maxIterations + 1];
            errors[0] = state.error;
            int steps = 0;
            int cgTotal = 0;
            while (state.error > tolerance && steps < maxIterations) {
                try (Scope step = Scope.open()) {
                    Tensor ga = a.sub(state.rows);
                    Tensor gb = b.sub(state.cols);
                    Tensor sparse = sparsify(state.plan, keep);
                    Cg cg = conjugateGradient(sparse, state.rows, state.cols, ga.mul(epsilon), gb.mul(epsilon),
                            Math.min(0.1, state.error), maxCg);
                    cgTotal += cg.iterations;
                    double slope = dot(ga, cg.x) + dot(gb, cg.y);            // φ'(0) > 0 for an ascent direction
                    double t = 1.0;
                    State next = null;
                    for (int tries = 0; tries < MAX_BACKTRACKS; tries++) {
                        Tensor fNew = f.add(cg.x.mul(t));
                        Tensor gNew = g.add(cg.y.mul(t));
                        State candidate = State.at(fNew, gNew, cost, a, b, epsilon);
                        if (Double.isFinite(candidate.value)) {
                            boolean armijo = candidate.value >= state.value + ARMIJO * t * slope;
                            double slopeNew = dot(a.sub(candidate.rows), cg.x) + dot(b.sub(candidate.cols), cg.y);
                            boolean approximateWolfe = candidate.value >= state.value - noise * Math.abs(state.value)
                                    && slopeNew >= -(1 - 2 * WOLFE_DELTA) * slope;
                            if (armijo || approximateWolfe) {
                                next = candidate;
                                break;
                            }
                        }
                        t *= 0.5;
                    }
                    if (next == null) {
                        break;                                   // no ascent at this precision
                    }
                    Tensor oldF = f;
                    Tensor oldG = g;
                    State old = state;
                    f = step.keep(next.f);
                    g = step.keep(next.g);
                    state = next.keepIn(step);
                    oldF.close();
                    oldG.close();
                    old.close();
                }
                steps++;
                errors[steps] = state.error;
            }
            Result result = new Result(outer.keep(f), outer.keep(g), steps, cgTotal, state.error,
                    state.error <= tolerance, Arrays.copyOf(errors, steps + 1));
            state.close();
            return result;
        }
    }

    /** P with all but its {@code keep} largest entries set to zero (ties at the threshold are all kept). */
    private static Tensor sparsify(Tensor plan, long keep) {
        if (keep >= plan.size()) {
            return plan;
        }
        try (Scope s = Scope.open()) {
            double threshold = plan.reshape(plan.size()).kthvalue(keep, 0, true).values().item();
            return s.keep(Tensor.where(plan.ge(threshold), plan, Tensor.zerosLike(plan)));
        }
    }

    private record Cg(Tensor x, Tensor y, int iterations) {
    }

    /**
     * Preconditioned CG on [[diag(r), S], [Sᵀ, diag(c)]] [x; y] = [u; v] with the diagonal as preconditioner,
     * from zero, to ‖residual‖ ≤ relTol·‖[u; v]‖.
     */
    private static Cg conjugateGradient(Tensor s, Tensor r, Tensor c, Tensor u, Tensor v, double relTol, int maxCg) {
        long n = r.dim(0);
        long m = c.dim(0);
        Tensor x = Tensor.zerosLike(u);
        Tensor y = Tensor.zerosLike(v);
        Tensor ru = u;
        Tensor rv = v;
        Tensor zu = ru.div(r);
        Tensor zv = rv.div(c);
        Tensor pu = zu;
        Tensor pv = zv;
        double rz = dot(ru, zu) + dot(rv, zv);
        double stop = relTol * Math.sqrt(dot(u, u) + dot(v, v));
        int it = 0;
        while (it < maxCg && Math.sqrt(dot(ru, ru) + dot(rv, rv)) > stop) {
            Tensor qu = r.mul(pu).add(s.matmul(pv.reshape(m, 1)).reshape(n));
            Tensor qv = s.transpose().matmul(pu.reshape(n, 1)).reshape(m).add(c.mul(pv));
            double pq = dot(pu, qu) + dot(pv, qv);
            if (!(pq > 0)) {
                break;
            }
            double alpha = rz / pq;
            x = x.add(pu.mul(alpha));
            y = y.add(pv.mul(alpha));
            ru = ru.sub(qu.mul(alpha));
            rv = rv.sub(qv.mul(alpha));
            zu = ru.div(r);
            zv = rv.div(c);
            double rzNew = dot(ru, zu) + dot(rv, zv);
            pu = zu.add(pu.mul(rzNew / rz));
            pv = zv.add(pv.mul(rzNew / rz));
            rz = rzNew;
            it++;
        }
        return new Cg(x, y, it);
    }

    private static double dot(Tensor u, Tensor v) {
        try (Scope s = Scope.open()) {
            return u.mul(v).sum().item();
        }
    }

    /** The plan, its marginals, the potential L and the marginal error at (f, g). */
    private record State(Tensor f, Tensor g, Tensor plan, Tensor rows, Tensor cols, double value, double error)
            implements AutoCloseable {

        static State at(Tensor f, Tensor g, Tensor cost, Tensor a, Tensor b, double epsilon) {
            Tensor plan = PlanSums.gibbs(cost, f, g, epsilon);     // the Newton phase runs with recording off
            Tensor rows = plan.sum(1);
            Tensor cols = plan.sum(0);
            double value;
            double error;
            try (Scope s = Scope.open()) {
                value = f.mul(a).sum().item() + g.mul(b).sum().item() - epsilon * rows.sum().item();
                error = Math.sqrt(rows.sub(a).square().sum().item()) + Math.sqrt(cols.sub(b).square().sum().item());
            }
            return new State(f, g, plan, rows, cols, value, error);
        }

        State keepIn(Scope scope) {
            scope.keep(plan);
            scope.keep(rows);
            scope.keep(cols);
            return this;
        }

        @Override
        public void close() {
            plan.close();
            rows.close();
            cols.close();
        }
    }
}
