package dev.proxima.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.DTypeMismatchException;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.transport.internal.Inputs;
import dev.proxima.transport.internal.Quantiles;

import java.util.Arrays;
import java.util.Objects;

/**
 * Exact optimal transport on the line: the p-Wasserstein loss {@code W_p^p(μ, ν) = ∫₀¹ |F_μ⁻¹(q) − F_ν⁻¹(q)|^p dq}
 * between two weighted point sets, as POT's {@code ot.wasserstein_1d}, computed exactly by sorting both sets
 * and merging their quantile functions (O((n + m) log(n + m)) per column).
 *
 * <p>Batched like POT: values of shape [n, k] and [m, k] are k independent 1-D problems, one per column,
 * and give k losses. The loss is differentiable with respect to both sets of positions (the gradient flows
 * through the sort to the points; the weights only decide which points meet), so it can be minimised or
 * used inside {@link SlicedWasserstein}. Ties between positions are fine; the loss is not differentiable
 * where two positions of one set cross.
 *
 * {@snippet :
 * Tensor u = Tensor.of(0.0, 1.0, 3.0);
 * Tensor v = Tensor.of(5.0, 6.0);
 * Tensor empty = Tensor.of(new double[0]);            // uniform weights
 * Tensor w1 = Wasserstein1d.cost(u, v, empty, empty, 1.0);   // W_1 = ∫|F⁻¹_u − F⁻¹_v|, here 14/3
 * }
 *
 * <p>Reference: Peyré and Cuturi, "Computational Optimal Transport", 2019, remark 2.30.
 */
public final class Wasserstein1d {

    private Wasserstein1d() {
    }

    /**
     * The loss {@code W_p^p} between the points {@code u} (weights {@code wu}) and {@code v} (weights
     * {@code wv}), per column.
     *
     * @param u  positions, shape [n] or [n, k], floating point, finite, n ≥ 1
     * @param v  positions, shape [m] or [m, k] (the same rank and k as u, the same dtype)
     * @param wu weights of u: empty for uniform 1/n, shape [n] (shared by all columns) or u's shape; finite,
     *           ≥ 0, a positive sum per column
     * @param wv weights of v, likewise; each column must carry the same mass as u's (relative 1e-9)
     * @param p  the order, ≥ 1
     * @return a 0-d tensor for 1-D inputs, else shape [k]; of u's dtype and device; differentiable in u and v
     * @throws NullPointerException     if an argument is null
     * @throws ShapeMismatchException   if the shapes do not match as described
     * @throws DTypeMismatchException   if u and v differ in dtype
     * @throws IllegalArgumentException if a tensor is empty or not floating point, a value is NaN or infinite,
     *                                  a weight is negative, masses differ, or p &lt; 1
     */
    public static Tensor cost(Tensor u, Tensor v, Tensor wu, Tensor wv, double p) {
        return cost("wasserstein1d", u, v, wu, wv, p);
    }

    static Tensor cost(String op, Tensor u, Tensor v, Tensor wu, Tensor wv, double p) {
        Objects.requireNonNull(u, op + ": u must be a tensor, got null");
        Objects.requireNonNull(v, op + ": v must be a tensor, got null");
        Objects.requireNonNull(wu, op + ": u's weights must be a tensor (an empty one for uniform weights), got null");
        Objects.requireNonNull(wv, op + ": v's weights must be a tensor (an empty one for uniform weights), got null");
        Inputs.order(op, p);
        checkValues(op, "u", u);
        checkValues(op, "v", v);
        if (u.rank() != v.rank() || (u.rank() == 2 && u.shape()[1] != v.shape()[1])) {
            throw new ShapeMismatchException(op + ": u and v must both be [n] and [m], or [n, k] and [m, k], got "
                    + Arrays.toString(u.shape()) + " and " + Arrays.toString(v.shape()));
        }
        if (u.dtype() != v.dtype()) {
            throw new DTypeMismatchException(op + ": u and v must have the same dtype, got " + u.dtype() + " and " + v.dtype());
        }
        Inputs.finite(op, "u", u.toDoubleArray());
        Inputs.finite(op, "v", v.toDoubleArray());
        int n = (int) u.shape()[0];
        int m = (int) v.shape()[0];
        int k = u.rank() == 2 ? (int) u.shape()[1] : 1;
        double[] au = columnWeights(op, "u's weights", wu, n, k, u.shape());
        double[] av = columnWeights(op, "v's weights", wv, m, k, v.shape());
        for (int c = 0; c < k; c++) {
            double su = 0;
            double sv = 0;
            for (int r = 0; r < n; r++) {
                su += au[r * k + c];
            }
            for (int r = 0; r < m; r++) {
                sv += av[r * k + c];
            }
            if (Math.abs(su - sv) > Inputs.MASS_RTOL * Math.max(su, sv)) {
                throw new IllegalArgumentException(op + ": the weights of u and v must carry the same mass (relative "
                        + "difference ≤ " + Inputs.MASS_RTOL + "), got " + su + " and " + sv
                        + (k > 1 ? " in column " + c : ""));
            }
        }

        try (Scope scope = Scope.open()) {
            Tensor u2 = u.rank() == 2 ? u : u.reshape(n, 1);
            Tensor v2 = v.rank() == 2 ? v : v.reshape(m, 1);
            Tensor orderU = u2.argsort(0, false);
            Tensor orderV = v2.argsort(0, false);
            Quantiles q = Quantiles.merge(au, orderU.toLongArray(), n, av, orderV.toLongArray(), m, k);
            DType dtype = u.dtype();
            Tensor idxU = NetworkSimplex.tensorOfLongs(q.indexU(), u.device(), q.count(), k);
            Tensor idxV = NetworkSimplex.tensorOfLongs(q.indexV(), u.device(), q.count(), k);
            Tensor delta = NetworkSimplex.tensor(q.delta(), dtype, u.device(), q.count(), k);
            Tensor us = u2.takeAlongAxis(orderU, 0);
            Tensor vs = v2.takeAlongAxis(orderV, 0);
            Tensor diff = us.takeAlongAxis(idxU, 0).sub(vs.takeAlongAxis(idxV, 0)).abs();
            Tensor powered = p == 1 ? diff : diff.pow(p);
            Tensor loss = powered.mul(delta).sum(0);          // [k]
            return scope.keep(u.rank() == 2 ? loss : loss.reshape());
        }
    }

    private static void checkValues(String op, String name, Tensor t) {
        if ((t.rank() != 1 && t.rank() != 2) || t.size() == 0) {
            throw new IllegalArgumentException(op + ": " + name + " must hold positions of shape [n] or [n, k] with n, k ≥ 1, got shape "
                    + Arrays.toString(t.shape()));
        }
        Inputs.floating(op, name, t);
    }

    /** The weights as a row-major [rows, k] array: uniform, one column broadcast to k, or as given. */
    private static double[] columnWeights(String op, String name, Tensor w, int rows, int k, long[] valuesShape) {
        double[] out = new double[rows * k];
        if (w.size() == 0) {
            Arrays.fill(out, 1.0 / rows);
            return out;
        }
        Inputs.floating(op, name, w);
        boolean shared = w.rank() == 1 && w.shape()[0] == rows;
        boolean full = Arrays.equals(w.shape(), valuesShape);
        if (!shared && !full) {
            throw new ShapeMismatchException(op + ": " + name + " must be empty (uniform), of shape [" + rows + "] or "
                    + Arrays.toString(valuesShape) + ", got " + Arrays.toString(w.shape()));
        }
        double[] given = w.toDoubleArray();
        for (int i = 0; i < given.length; i++) {
            if (!Double.isFinite(given[i]) || given[i] < 0) {
                throw new IllegalArgumentException(op + ": " + name + " must be finite and non-negative, got " + given[i]
                        + " at flat index " + i);
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < k; c++) {
                out[r * k + c] = shared ? given[r] : given[r * k + c];
            }
        }
        for (int c = 0; c < k; c++) {
            double s = 0;
            for (int r = 0; r < rows; r++) {
                s += out[r * k + c];
            }
            if (!(s > 0)) {
                throw new IllegalArgumentException(op + ": " + name + " must have a positive total mass"
                        + (k > 1 ? " in every column, column " + c + " is all zeros" : ", got all zeros"));
            }
        }
        return out;
    }
}
