package dev.proxima.optim.internal;

import dev.proxima.tensor.DTypeMismatchException;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;

/** Argument checks shared by the proximal operators and solvers: each names the value and what was expected. */
public final class Checks {

    private Checks() {
    }

    /**
     * Refuses a step that is not a positive finite number.
     *
     * @param what what the step is, for the message
     * @param step the value
     * @return {@code step}
     */
    public static double positive(String what, double step) {
        if (!(step > 0) || Double.isInfinite(step)) {
            throw new IllegalArgumentException(what + " must be a finite number > 0, got " + step);
        }
        return step;
    }

    /**
     * Refuses a value that is negative, NaN or infinite.
     *
     * @param what  the parameter's name
     * @param value the value
     * @return {@code value}
     */
    public static double nonNegative(String what, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be a finite number ≥ 0, got " + value);
        }
        return value;
    }

    /**
     * Refuses a value outside the open interval {@code (low, high)} or NaN.
     *
     * @param what  the parameter's name
     * @param value the value
     * @param low   the lower bound (excluded)
     * @param high  the upper bound (excluded)
     * @return {@code value}
     */
    public static double openInterval(String what, double value, double low, double high) {
        if (!(value > low && value < high)) {
            throw new IllegalArgumentException(what + " must lie in (" + low + ", " + high + "), got " + value);
        }
        return value;
    }

    /**
     * Refuses a count below 1.
     *
     * @param what  the parameter's name
     * @param value the value
     * @return {@code value}
     */
    public static int atLeastOne(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be ≥ 1, got " + value);
        }
        return value;
    }

    /**
     * Refuses a null, closed or non-floating-point tensor.
     *
     * @param what what the tensor is, for the message
     * @param t    the tensor
     * @return {@code t}
     */
    public static Tensor floating(String what, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (t.isClosed()) {
            throw new IllegalArgumentException(what + " is closed");
        }
        if (!t.dtype().isFloating()) {
            throw new DTypeMismatchException(what + " must be floating point, got " + t.dtype());
        }
        return t;
    }

    /**
     * Refuses a tensor whose shape differs from {@code expected}.
     *
     * @param what     what the tensor is, for the message
     * @param t        the tensor
     * @param expected the shape it must have
     * @return {@code t}
     */
    public static Tensor shape(String what, Tensor t, long... expected) {
        if (!Arrays.equals(t.shape(), expected)) {
            throw new ShapeMismatchException(what + " must have shape " + Arrays.toString(expected)
                    + ", got " + Arrays.toString(t.shape()));
        }
        return t;
    }
}
