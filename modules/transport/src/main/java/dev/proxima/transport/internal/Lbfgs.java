package dev.proxima.transport.internal;

import java.util.Arrays;
import java.util.function.ToDoubleFunction;

/**
 * A small limited-memory BFGS minimiser (Nocedal and Wright, Algorithm 7.4 with the two-loop recursion of
 * Algorithm 7.5) with a backtracking line search (Armijo's condition, or Hager and Zhang's approximate Wolfe
 * condition once function values stop resolving the decrease), for the smooth concave dual problems of this module.
 * The variables are a {@code double[]} of size O(n + m); the O(nm) work is in the objective, which the solvers
 * write with tensor ops.
 */
public final class Lbfgs {

    /** The function to minimise. */
    @FunctionalInterface
    public interface Objective {
        /**
         * Evaluates the function and its gradient.
         *
         * @param x        the point (not modified)
         * @param gradient where the gradient at {@code x} is written, of {@code x}'s length
         * @return the value at {@code x}; +∞ or NaN for a point outside the domain (the line search backs off)
         */
        double valueAndGradient(double[] x, double[] gradient);
    }

    /**
     * The result of a run.
     *
     * @param x          the last accepted point
     * @param value      the function's value there
     * @param gradient   its gradient there
     * @param iterations the number of accepted steps
     * @param converged  whether the stopping test held at {@code x}
     * @param history    the value at the start and after each accepted step (non-increasing, up to a relative
     *                   1e-6 where the approximate Wolfe condition accepted a step)
     */
    public record Result(double[] x, double value, double[] gradient, int iterations, boolean converged,
                         double[] history) {
    }

    private static final double ARMIJO = 1e-4;
    private static final int MAX_BACKTRACKS = 60;
    private static final double WOLFE_DELTA = 0.1;
    private static final double VALUE_NOISE = 1e-6;

    private Lbfgs() {
    }

    /**
     * Minimises {@code f} from {@code x0}.
     *
     * @param f             the function
     * @param x0            the starting point (not modified)
     * @param memory        the number of curvature pairs kept, ≥ 1
     * @param maxIterations the largest number of steps
     * @param stop          a measure of the gradient (for instance a marginal error), checked before each step
     * @param tolerance     the run stops once {@code stop} is at most this
     * @return the last point and its value, gradient, step count and value history
     */
    public static Result minimize(Objective f, double[] x0, int memory, int maxIterations,
                                  ToDoubleFunction<double[]> stop, double tolerance) {
        int dim = x0.length;
        double[] x = x0.clone();
        double[] g = new double[dim];
        double value = f.valueAndGradient(x, g);
        if (!Double.isFinite(value)) {
            throw new IllegalStateException("L-BFGS: the objective is not finite at the starting point: " + value);
        }
        double[][] s = new double[memory][];
        double[][] y = new double[memory][];
        double[] rho = new double[memory];
        double[] alpha = new double[memory];
        int stored = 0;
        int newest = -1;
        double[] history = new double[Math.min(maxIterations, 1 << 16) + 1];
        history[0] = value;
        int iterations = 0;
        double[] xNew = new double[dim];
        double[] gNew = new double[dim];
        boolean converged = stop.applyAsDouble(g) <= tolerance;
        while (!converged && iterations < maxIterations) {
            // direction d = −H g by the two-loop recursion
            double[] d = g.clone();
            for (int i = 0; i < stored; i++) {
                int j = Math.floorMod(newest - i, memory);
                alpha[j] = rho[j] * dot(s[j], d);
                axpy(-alpha[j], y[j], d);
            }
            double scale;
            if (stored > 0) {
                scale = dot(s[newest], y[newest]) / dot(y[newest], y[newest]);
            } else {
                double norm = Math.sqrt(dot(g, g));
                scale = norm > 0 ? 1.0 / norm : 1.0;
            }
            for (int i = 0; i < dim; i++) {
                d[i] *= scale;
            }
            for (int i = stored - 1; i >= 0; i--) {
                int j = Math.floorMod(newest - i, memory);
                double beta = rho[j] * dot(y[j], d);
                axpy(alpha[j] - beta, s[j], d);
            }
            for (int i = 0; i < dim; i++) {
                d[i] = -d[i];
            }
            double slope = dot(g, d);
            if (!(slope < 0)) {                 // not a descent direction: restart from the gradient
                stored = 0;
                double norm = Math.sqrt(dot(g, g));
                for (int i = 0; i < dim; i++) {
                    d[i] = -g[i] / norm;
                }
                slope = dot(g, d);
            }
            double step = 1.0;
            double valueNew = Double.NaN;
            boolean accepted = false;
            for (int tries = 0; tries < MAX_BACKTRACKS; tries++) {
                for (int i = 0; i < dim; i++) {
                    xNew[i] = x[i] + step * d[i];
                }
                valueNew = f.valueAndGradient(xNew, gNew);
                // Armijo's sufficient decrease, or, where values no longer resolve the decrease (near the
                // optimum, or in single precision), Hager and Zhang's approximate Wolfe condition: the value
                // within its noise and the slope along d gone from φ'(0) to at most (1 − 2δ)|φ'(0)|
                if (!Double.isFinite(valueNew)) {           // outside the domain, or overflow: back off
                    step *= 0.5;
                    continue;
                }
                boolean armijo = valueNew <= value + ARMIJO * step * slope;
                boolean approximateWolfe = valueNew <= value + VALUE_NOISE * Math.abs(value)
                        && dot(gNew, d) <= -(1 - 2 * WOLFE_DELTA) * slope;
                if (armijo || approximateWolfe) {
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted) {
                break;                           // no progress possible at this precision
            }
            double[] sk = new double[dim];
            double[] yk = new double[dim];
            for (int i = 0; i < dim; i++) {
                sk[i] = xNew[i] - x[i];
                yk[i] = gNew[i] - g[i];
            }
            double sy = dot(sk, yk);
            // keep the pair only with clear positive curvature (piecewise-quadratic duals have flat pieces)
            if (sy > 1e-10 * Math.sqrt(dot(sk, sk) * dot(yk, yk)) && sy > 0) {
                newest = (newest + 1) % memory;
                s[newest] = sk;
                y[newest] = yk;
                rho[newest] = 1.0 / sy;
                stored = Math.min(stored + 1, memory);
            }
            System.arraycopy(xNew, 0, x, 0, dim);
            System.arraycopy(gNew, 0, g, 0, dim);
            value = valueNew;
            iterations++;
            if (iterations < history.length) {
                history[iterations] = value;
            }
            converged = stop.applyAsDouble(g) <= tolerance;
        }
        return new Result(x, value, g, iterations, converged,
                Arrays.copyOf(history, Math.min(iterations + 1, history.length)));
    }

    private static double dot(double[] u, double[] v) {
        double sum = 0;
        for (int i = 0; i < u.length; i++) {
            sum += u[i] * v[i];
        }
        return sum;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }
}
