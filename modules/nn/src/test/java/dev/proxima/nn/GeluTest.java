package dev.proxima.nn;

import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exact GELU against x·Φ(x) computed from Python's math.erf, and the tanh approximation's distance from it. */
@ExtendWith(NoLeaks.class)
class GeluTest {

    @Test
    void exactGeluMatchesXTimesPhi() {
        try (Scope s = Scope.open(); GELU exact = GELU.exact(); GELU approx = GELU.tanhApproximation()) {
            Tensor x = Tensor.of(-3.0, -1.0, -0.25, 0.0, 0.5, 1.0, 2.5);
            // python3 -c "import math; print([x*0.5*(1+math.erf(x/math.sqrt(2))) for x in (-3,-1,-0.25,0,0.5,1,2.5)])"
            double[] expected = {-0.00404969409489031, -0.15865525393145707, -0.10032341857926907, 0.0, 0.34573123063700656,
                    0.8413447460685429, 2.4844758366855597};
            assertArrayEquals(expected, exact.forward(x).toDoubleArray(), 1e-14);
            double gap = approx.forward(x).sub(exact.forward(x)).abs().max().item();
            assertTrue(gap < 4.8e-4 && gap > 0, "tanh approximation gap " + gap); // its maximum over the reals is 4.73e-4
        }
    }
}
