package dev.proxima.nn;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Tensor;

import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gradient checks of layers with respect to their input and each parameter (F64). */
final class Checks {

    static final double EPS = 1e-6;
    static final double ATOL = 1e-5;
    static final double RTOL = 1e-4;

    private Checks() {
    }

    static void gradcheck(String what, Function<Tensor, Tensor> f, Tensor x) {
        Autodiff.GradcheckResult r = Autodiff.gradcheck(f, x, EPS, ATOL, RTOL);
        assertTrue(r.passed(), what + ": max error " + r.maxAbsError() + " at " + java.util.Arrays.toString(r.worstIndex()));
    }

    /** gradcheck of forward(x) w.r.t. x (if floating) and w.r.t. every parameter. */
    static void layer(String what, Module m, Tensor x) {
        layer(what, m, x, m::forward);
    }

    static void layer(String what, Module m, Tensor x, Function<Tensor, Tensor> forward) {
        if (x.dtype().isFloating()) {
            gradcheck(what + " wrt input", forward, x);
        }
        for (Map.Entry<String, Parameter> e : m.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            gradcheck(what + " wrt " + e.getKey(), w -> {
                Tensor old = p.swapRaw(w);
                try {
                    return forward.apply(x);
                } finally {
                    p.swapRaw(old);
                }
            }, p.value());
        }
    }
}
