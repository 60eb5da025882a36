package dev.proxima.nn;

import dev.proxima.tensor.Autodiff;
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
class ClosedFormTest {

    private static final DType F = DType.F64;

    @Test
    void linearWithKnownWeights() {
        try (Scope s = Scope.open(); Linear lin = new Linear(2, 3, true, F, Rng.seed(0))) {
            lin.weight().set(Tensor.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0).reshape(3, 2));
            lin.bias().set(Tensor.of(0.5, -1.0, 0.0));
            Tensor y = lin.forward(Tensor.of(1.0, -1.0, 2.0, 0.5).reshape(2, 2));
            assertArrayEquals(new double[]{-0.5, -2.0, -1.0, 3.5, 7.0, 13.0}, y.toDoubleArray(), 1e-12);
        }
    }

    @Test
    void reluKeepsTheDtype() {
        try (Scope s = Scope.open()) {
            Tensor ints = Functional.relu(Tensor.of(-2, 0, 3));
            assertEquals(DType.I32, ints.dtype(), "max(x, 0) with a long zero keeps an integer tensor integer");
            assertArrayEquals(new long[]{0, 0, 3}, ints.toLongArray());
            assertEquals(DType.F32, Functional.relu(Tensor.of(-1f, 2f)).dtype());
        }
    }

    @Test
    void layerNormStandardizes() {
        try (Scope s = Scope.open(); LayerNorm ln = new LayerNorm(F, 8)) {
            Tensor y = ln.forward(Rng.seed(1).normal(F, 3, 5, 4, 8));
            double[] mean = y.mean(1).toDoubleArray();
            double[] var = y.square().mean(1).toDoubleArray();
            for (int i = 0; i < 4; i++) {
                assertEquals(0, mean[i], 1e-12);
                assertEquals(1, var[i], 1e-4); // ε = 1e-5 against variances ~25
            }
        }
    }

    @Test
    void batchNormTrainVersusEval() {
        try (Scope s = Scope.open(); BatchNorm bn = new BatchNorm(2, F)) {
            Tensor x = Tensor.of(1.0, 10.0, 2.0, 20.0, 3.0, 30.0, 6.0, 40.0).reshape(4, 2);
            Tensor y = bn.forward(x);
            // batch stats: col0 mean 3, biased var 3.5; col1 mean 25, biased var 125
            assertEquals((1 - 3) / Math.sqrt(3.5 + 1e-5), y.getDouble(0, 0), 1e-12);
            assertEquals((40 - 25) / Math.sqrt(125 + 1e-5), y.getDouble(3, 1), 1e-12);
            // running: 0.9·init + 0.1·stat, unbiased variance (n/(n−1) = 4/3)
            assertArrayEquals(new double[]{0.3, 2.5}, bn.runningMean().toDoubleArray(), 1e-12);
            assertArrayEquals(new double[]{0.9 + 0.1 * 3.5 * 4 / 3, 0.9 + 0.1 * 125 * 4 / 3}, bn.runningVar().toDoubleArray(), 1e-12);
            bn.eval();
            Tensor e = bn.forward(x);
            assertEquals((1 - 0.3) / Math.sqrt(0.9 + 0.1 * 3.5 * 4 / 3 + 1e-5), e.getDouble(0, 0), 1e-12);
            assertArrayEquals(new double[]{0.3, 2.5}, bn.runningMean().toDoubleArray(), 1e-12); // eval leaves them
            // 2-D: statistics over N, H, W per channel
            try (BatchNorm bn2 = new BatchNorm(3, F)) {
                Tensor y2 = bn2.forward(Rng.seed(2).normal(F, 2, 3, 4, 3, 5, 5));
                Tensor m = y2.mean(0, 2, 3);
                Tensor v = y2.square().mean(0, 2, 3);
                assertTrue(m.allClose(Tensor.zeros(F, 3), 0, 1e-12), m.toString());
                assertTrue(v.allClose(Tensor.ones(F, 3), 0, 1e-4), v.toString());
            }
        }
    }

    @Test
    void dropoutRateAndScaling() {
        try (Scope s = Scope.open(); Dropout d = new Dropout(0.3, Rng.seed(4))) {
            Tensor y = d.forward(Tensor.ones(F, 200, 100));
            double[] v = y.toDoubleArray();
            int zeros = 0;
            for (double e : v) {
                if (e == 0) {
                    zeros++;
                } else {
                    assertEquals(1 / 0.7, e, 1e-12);
                }
            }
            assertEquals(0.3, zeros / 20000.0, 0.015); // 4.6 σ
            Tensor y2 = d.forward(Tensor.ones(F, 200, 100));
            assertTrue(!y.allClose(y2, 0, 0), "a fresh mask per call");
            d.eval();
            assertArrayEquals(new double[]{1, 1}, d.forward(Tensor.ones(F, 2)).toDoubleArray());
        }
    }

    @Test
    void activationValuesAndSoftplusStability() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(-100.0, -1.0, 0.0, 1.0, 100.0).requiresGrad(true);
            Tensor sp = Functional.softplus(x);
            double[] v = sp.toDoubleArray();
            assertEquals(Math.exp(-100), v[0], 1e-50);
            assertEquals(Math.log1p(Math.exp(-1)), v[1], 1e-15);
            assertEquals(Math.log(2), v[2], 1e-15);
            assertEquals(100, v[4], 1e-12);
            sp.sum().backward();
            double[] g = x.grad().toDoubleArray(); // σ(x)
            assertEquals(0, g[0], 1e-40);
            assertEquals(1, g[4], 1e-15);
            assertEquals(0.5, g[2], 1e-15);
            // GELU (tanh) and SiLU reference values
            assertEquals(0.8411919906082768, Functional.geluTanh(Tensor.of(1.0)).item(), 1e-12);
            assertEquals(-0.04540230591222, Functional.geluTanh(Tensor.of(-2.0)).item(), 1e-12);
            assertEquals(1 / (1 + Math.exp(-1)), Functional.silu(Tensor.of(1.0)).item(), 1e-15);
            assertArrayEquals(new double[]{-0.2, 3}, Functional.leakyRelu(Tensor.of(-2.0, 3.0), 0.1).toDoubleArray(), 1e-15);
            assertArrayEquals(new double[]{Math.expm1(-2), 3}, Functional.elu(Tensor.of(-2.0, 3.0), 1).toDoubleArray(), 1e-15);
        }
    }

    @Test
    void causalAttentionIgnoresTheFuture() {
        try (Scope s = Scope.open();
             MultiheadAttention mha = new MultiheadAttention(4, 2, true, F, Rng.seed(5));
             LinearAttention lin = new LinearAttention(4, 2, true, LinearAttention.Kernel.ELU, F, Rng.seed(6));
             LinearAttention na = LinearAttention.normAware(4, 2, true, F, Rng.seed(7))) {
            Tensor x = Rng.seed(8).normal(F, 0, 1, 2, 5, 4);
            Tensor x2 = Tensor.concat(1, x.slice(1, 0, 3, 1), Rng.seed(9).normal(F, 0, 1, 2, 2, 4));
            for (Module m : new Module[]{mha, lin, na}) {
                Tensor a = m.forward(x).slice(1, 0, 3, 1);
                Tensor b = m.forward(x2).slice(1, 0, 3, 1);
                assertTrue(a.allClose(b, 0, 1e-12), m.getClass().getSimpleName());
                assertTrue(!m.forward(x).allClose(m.forward(x2), 0, 1e-6), "later positions do change");
            }
        }
    }

    @Test
    void linearAttentionMatchesTheQuadraticForm() {
        try (Scope s = Scope.open();
             LinearAttention lin = new LinearAttention(4, 1, false, LinearAttention.Kernel.ELU, F, Rng.seed(10));
             LinearAttention causal = new LinearAttention(4, 1, true, LinearAttention.Kernel.ELU, F, Rng.seed(10))) {
            Tensor x = Rng.seed(11).normal(F, 0, 1, 1, 4, 4);
            Linear q = (Linear) lin.children().get("q_proj");
            Linear k = (Linear) lin.children().get("k_proj");
            Linear v = (Linear) lin.children().get("v_proj");
            Linear o = (Linear) lin.children().get("out_proj");
            Tensor fq = Functional.elu(q.forward(x), 1).add(1.0);
            Tensor fk = Functional.elu(k.forward(x), 1).add(1.0);
            Tensor a = fq.matmul(fk.transpose(1, 2));                    // [1, T, T] similarities
            Tensor full = o.forward(a.div(a.sum(new int[]{2}, true)).matmul(v.forward(x)));
            assertTrue(lin.forward(x).allClose(full, 1e-10, 1e-12));
            Tensor am = a.tril(0);
            Tensor masked = o.forward(am.div(am.sum(new int[]{2}, true)).matmul(v.forward(x)));
            assertTrue(causal.forward(x).allClose(masked, 1e-10, 1e-12));
        }
    }

    @Test
    void mhaWithOneHeadMatchesTheFormula() {
        try (Scope s = Scope.open(); MultiheadAttention mha = new MultiheadAttention(3, 1, false, F, Rng.seed(12))) {
            Tensor x = Rng.seed(13).normal(F, 0, 1, 1, 4, 3);
            Tensor q = mha.children().get("q_proj").forward(x);
            Tensor k = mha.children().get("k_proj").forward(x);
            Tensor v = mha.children().get("v_proj").forward(x);
            Tensor want = mha.children().get("out_proj").forward(q.matmul(k.transpose(1, 2)).div(Math.sqrt(3)).softmax(2).matmul(v));
            assertTrue(mha.forward(x).allClose(want, 1e-10, 1e-12));
        }
    }

    @Test
    void icnnIsConvexAlongRandomSegments() {
        for (Activation act : new Activation[]{Activation.SOFTPLUS, Activation.RELU}) {
            try (Scope s = Scope.open(); ICNN f = new ICNN(3, new long[]{16, 16}, act, F, Rng.seed(14))) {
                // random training-like perturbation of all parameters, W^z stays non-negative by construction
                try (var off = Autodiff.noGrad()) {
                    Rng rng = Rng.seed(15);
                    for (Parameter p : f.parameters()) {
                        p.set(p.value().add(rng.split().normal(F, 0, 1, p.value().shape())));
                    }
                }
                assertTrue(f.wz(1).min().item() > 0 && f.wz(2).min().item() > 0);
                int n = 64;
                Tensor a = Rng.seed(16).normal(F, 0, 2, n, 3);
                Tensor b = Rng.seed(17).normal(F, 0, 2, n, 3);
                Tensor fa = f.forward(a);
                Tensor fb = f.forward(b);
                for (double t : new double[]{0.1, 0.3, 0.5, 0.8}) {
                    Tensor mid = f.forward(a.mul(1 - t).add(b.mul(t)));
                    Tensor chord = fa.mul(1 - t).add(fb.mul(t));
                    double worst = mid.sub(chord).max().item();
                    assertTrue(worst <= 1e-9, act + " violates convexity by " + worst);
                }
            }
        }
    }
}
