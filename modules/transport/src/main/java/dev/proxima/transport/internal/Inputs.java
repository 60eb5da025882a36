package dev.proxima.transport.internal;

import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * Argument checks and conversions shared by the exact solvers: each throws before any work, naming the
 * operation, the argument and what was wrong with it.
 */
public final class Inputs {

    /** Relative tolerance on the difference of the two total masses of a balanced problem. */
    public static final double MASS_RTOL = 1e-9;

    private Inputs() {
    }

    /**
     * Checks a cost matrix: rank 2, at least one row and one column, floating point, finite.
     *
     * @param op   the operation, for messages
     * @param name the argument's name
     * @param cost the tensor
     * @return its elements in row-major order, as doubles (a fresh array)
     */
    public static double[] costMatrix(String op, String name, Tensor cost) {
        Objects.requireNonNull(cost, op + ": " + name + " must be a tensor, got null");
        if (cost.rank() != 2 || cost.shape()[0] == 0 || cost.shape()[1] == 0) {
            throw new IllegalArgumentException(op + ": " + name + " must be a cost matrix of shape [n, m] with n, m ≥ 1, got shape "
                    + Arrays.toString(cost.shape()));
        }
        floating(op, name, cost);
        if (cost.size() > Integer.MAX_VALUE - 2 * (cost.shape()[0] + cost.shape()[1]) - 8) {
            throw new IllegalArgumentException(op + ": " + name + " has " + cost.size()
                    + " entries, more than a dense exact solver can index (2^31)");
        }
        double[] c = cost.toDoubleArray();
        for (int k = 0; k < c.length; k++) {
            if (!Double.isFinite(c[k])) {
                long cols = cost.shape()[1];
                throw new IllegalArgumentException(op + ": " + name + " must be finite, got " + c[k] + " at ["
                        + (k / cols) + ", " + (k % cols) + "]");
            }
        }
        return c;
    }

    /**
     * Checks a weight vector of expected length {@code length} (an empty tensor means uniform weights 1/length).
     *
     * @param op     the operation, for messages
     * @param name   the argument's name
     * @param w      the tensor
     * @param length the expected length
     * @param what   what fixes the length, for messages (e.g. "the rows of M [3, 4]")
     * @return the weights, finite and non-negative, with a positive sum
     */
    public static double[] weights(String op, String name, Tensor w, int length, String what) {
        Objects.requireNonNull(w, op + ": " + name + " must be a tensor (an empty one for uniform weights), got null");
        if (w.size() == 0) {
            double[] u = new double[length];
            Arrays.fill(u, 1.0 / length);
            return u;
        }
        if (w.rank() != 1 || w.shape()[0] != length) {
            throw new ShapeMismatchException(op + ": " + name + " must have shape [" + length + "] to match " + what
                    + " (or be empty for uniform weights), got shape " + Arrays.toString(w.shape()));
        }
        floating(op, name, w);
        double[] v = w.toDoubleArray();
        double sum = 0;
        for (int k = 0; k < v.length; k++) {
            if (!Double.isFinite(v[k]) || v[k] < 0) {
                throw new IllegalArgumentException(op + ": " + name + " must be finite and non-negative, got "
                        + v[k] + " at [" + k + "]");
            }
            sum += v[k];
        }
        if (!(sum > 0)) {
            throw new IllegalArgumentException(op + ": " + name + " must have a positive total mass, got all zeros");
        }
        return v;
    }

    /**
     * Checks that two weight vectors carry the same mass to a relative {@link #MASS_RTOL}.
     *
     * @param op the operation, for messages
     * @param a  the first weights
     * @param b  the second weights
     * @return the two sums {@code {Σa, Σb}}
     */
    public static double[] sameMass(String op, double[] a, double[] b) {
        double sa = sum(a);
        double sb = sum(b);
        if (Math.abs(sa - sb) > MASS_RTOL * Math.max(sa, sb)) {
            throw new IllegalArgumentException(op + ": a and b must carry the same total mass (relative difference ≤ "
                    + MASS_RTOL + "), got sum(a) = " + sa + " and sum(b) = " + sb);
        }
        return new double[] {sa, sb};
    }

    /**
     * Checks a Wasserstein order p: finite and at least 1.
     *
     * @param op the operation, for messages
     * @param p  the order
     */
    public static void order(String op, double p) {
        if (!(p >= 1) || Double.isInfinite(p)) {
            throw new IllegalArgumentException(op + ": p must be a finite order ≥ 1 (the OT loss is a metric only then), got " + p);
        }
    }

    /**
     * Checks that a tensor is floating point.
     *
     * @param op   the operation, for messages
     * @param name the argument's name
     * @param t    the tensor
     */
    public static void floating(String op, String name, Tensor t) {
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": " + name + " must be floating point, got " + t.dtype());
        }
    }

    /**
     * Checks that a tensor holds only finite values.
     *
     * @param op   the operation, for messages
     * @param name the argument's name
     * @param v    its values
     */
    public static void finite(String op, String name, double[] v) {
        for (int k = 0; k < v.length; k++) {
            if (!Double.isFinite(v[k])) {
                throw new IllegalArgumentException(op + ": " + name + " must be finite, got " + v[k] + " at flat index " + k);
            }
        }
    }

    /**
     * {@return the compensated (Neumaier) sum of the values}
     *
     * @param v the values
     */
    public static double sum(double[] v) {
        double s = 0;
        double c = 0;
        for (double x : v) {
            double t = s + x;
            c += Math.abs(s) >= Math.abs(x) ? (s - t) + x : (x - t) + s;
            s = t;
        }
        return s + c;
    }
}
