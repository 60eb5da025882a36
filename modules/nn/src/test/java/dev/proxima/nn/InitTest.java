package dev.proxima.nn;

import dev.proxima.nn.Init.FanMode;
import dev.proxima.nn.Init.Nonlinearity;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class InitTest {

    private static double variance(Tensor t) {
        Tensor c = t.cast(DType.F64);
        return c.sub(c.mean()).square().mean().item();
    }

    @Test
    void fansAndGains() {
        assertEquals(30, Init.fanIn(20, 10, 3));
        assertEquals(60, Init.fanOut(20, 10, 3));
        assertEquals(5.0 / 3, Init.gain(Nonlinearity.TANH, 0), 0);
        assertEquals(Math.sqrt(2), Init.gain(Nonlinearity.RELU, 0), 0);
        assertEquals(Math.sqrt(2 / 1.0001), Init.gain(Nonlinearity.LEAKY_RELU, 0.01), 1e-15);
        assertEquals(1, Init.gain(Nonlinearity.LINEAR, 0), 0);
    }

    @Test
    void variancesMatchTheFormulas() {
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seed(1);
            long out = 200;
            long in = 300;
            double tol = 0.03; // relative; n = 60000 samples give ~0.6% (normal) to ~0.4% (uniform) standard error
            assertEquals(2.0 / (in + out), variance(Init.xavierUniform(rng.split(), DType.F32, 1, out, in)), tol * 2.0 / (in + out));
            assertEquals(4.0 * 2 / (in + out), variance(Init.xavierNormal(rng.split(), DType.F64, 2, out, in)), tol * 8.0 / (in + out));
            assertEquals(2.0 / in, variance(Init.kaimingUniform(rng.split(), DType.F32, 0, FanMode.FAN_IN, Nonlinearity.RELU, out, in)),
                    tol * 2.0 / in);
            assertEquals(2.0 / out, variance(Init.kaimingNormal(rng.split(), DType.F64, 0, FanMode.FAN_OUT, Nonlinearity.RELU, out, in)),
                    tol * 2.0 / out);
            double leaky = 2 / (1 + 0.2 * 0.2) / in;
            assertEquals(leaky, variance(Init.kaimingNormal(rng.split(), DType.F64, 0.2, FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, out, in)),
                    tol * leaky);
            Tensor u = Init.xavierUniform(rng.split(), DType.F64, 1, out, in);
            double bound = Math.sqrt(6.0 / (in + out));
            assertTrue(u.abs().max().item() <= bound);
            assertArrayEquals(new double[]{2.5, 2.5}, Init.constant(2.5, DType.F64, 2).toDoubleArray());
            assertEquals(0, Init.zeros(DType.F32, 3).abs().sum().item());
            assertEquals(3, Init.ones(DType.F32, 3).sum().item());
        }
    }

    @Test
    void reproducible() {
        try (Scope s = Scope.open()) {
            Tensor a = Init.kaimingUniform(Rng.seed(7), DType.F32, 0, FanMode.FAN_IN, Nonlinearity.RELU, 5, 4);
            Tensor b = Init.kaimingUniform(Rng.seed(7), DType.F32, 0, FanMode.FAN_IN, Nonlinearity.RELU, 5, 4);
            assertTrue(a.allClose(b, 0, 0));
        }
    }

    @Test
    void orthogonal() {
        try (Scope s = Scope.open()) {
            Tensor tall = Init.orthogonal(Rng.seed(2), DType.F64, 1, 6, 4);     // orthonormal columns
            assertTrue(tall.transpose().matmul(tall).allClose(Tensor.eye(4, DType.F64), 0, 1e-12));
            Tensor wide = Init.orthogonal(Rng.seed(3), DType.F64, 1, 3, 2, 4);  // flattened 3×8: orthonormal rows
            assertArrayEquals(new long[]{3, 2, 4}, wide.shape());
            Tensor w = wide.reshape(3, 8);
            assertTrue(w.matmul(w.transpose()).allClose(Tensor.eye(3, DType.F64), 0, 1e-12));
            Tensor g = Init.orthogonal(Rng.seed(4), DType.F32, 2, 5, 5);
            assertTrue(g.transpose().matmul(g).allClose(Tensor.eye(5, DType.F32).mul(4), 0, 1e-5));
        }
    }
}
