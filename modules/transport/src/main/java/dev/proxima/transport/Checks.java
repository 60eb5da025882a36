package dev.proxima.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.DTypeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;
import java.util.Objects;

/** The argument checks this package's entry points share; each names the argument and its value or shape. */
final class Checks {

    private Checks() {
    }

    static void epsilon(double epsilon) {
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be positive and finite, got " + epsilon);
        }
    }

    static Tensor floating(String name, Tensor t) {
        Objects.requireNonNull(t, () -> name + " must be a tensor, got null");
        if (t.dtype() != DType.F32 && t.dtype() != DType.F64) {
            throw new IllegalArgumentException(name + " must be F32 or F64, got " + t.dtype());
        }
        return t;
    }

    static void sameDtype(String what, Tensor first, Tensor second) {
        if (first.dtype() != second.dtype()) {
            throw new DTypeMismatchException(what + " must have one dtype, got " + first.dtype() + " and " + second.dtype());
        }
    }

    static String shape(Tensor t) {
        return Arrays.toString(t.shape());
    }
}
