package dev.proxima.nn;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.LinkedHashMap;
import java.util.SequencedMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Accessors, fluent returns, descriptions and the initial values that no forward value depends on. */
@ExtendWith(NoLeaks.class)
class ModuleBasicsTest {

    private static final DType F = DType.F64;

    @Test
    void accessorsAndFluentModes() {
        try (Scope s = Scope.open(); BatchNorm bn = new BatchNorm(2, F);
             Sequential seq = new Sequential(new Linear(3, 2, true, F, Rng.seed(1)), new ReLU());
             Embedding emb = new Embedding(5, 3, F, Rng.seed(2))) {
            assertSame(bn, bn.eval());
            assertFalse(bn.isTraining());
            assertSame(bn, bn.train());
            assertTrue(bn.isTraining());
            assertTrue(bn.namedParameters().get("weight").trainable());
            assertFalse(bn.namedBuffers().get("running_var").trainable());
            assertEquals("Parameter(F64[2])", bn.namedParameters().get("weight").toString());
            assertEquals("Buffer(F64[2])", bn.namedBuffers().get("running_mean").toString());
            assertEquals(2, seq.size());
            assertTrue(seq.get(1) instanceof ReLU);
            assertArrayEquals(new long[]{5, 3}, emb.weight().value().shape());
            assertSame(emb.namedParameters().get("weight"), emb.weight());
            assertEquals("GELU_TANH()", Activation.GELU_TANH.module().toString()); // a leaf module prints as torch's do: its name and ()
        }
        Parameter p;
        try (Scope s = Scope.open()) {
            p = new Parameter(Tensor.zeros(F, 1), true);
        }
        p.close();
        assertEquals("Parameter(closed)", p.toString());
    }

    @Test
    void fansOfVectorsAndEmbeddingInitialisation() {
        assertEquals(7, Init.fanIn(7));
        assertEquals(7, Init.fanOut(7));
        try (Scope s = Scope.open(); Embedding emb = new Embedding(400, 50, F, Rng.seed(3))) {
            double[] w = emb.weight().value().toDoubleArray();
            double mean = 0;
            double sq = 0;
            for (double v : w) {
                mean += v;
                sq += v * v;
            }
            mean /= w.length;
            double std = Math.sqrt(sq / w.length - mean * mean);
            assertEquals(0, mean, 5 / Math.sqrt(w.length), "N(0, 1) mean");
            assertEquals(1, std, 5 / Math.sqrt(2.0 * w.length), "N(0, 1) standard deviation");
        }
    }

    @Test
    void icnnStartsWithHiddenWeightsNearOneOverWidth() {
        try (Scope s = Scope.open(); ICNN net = new ICNN(3, new long[]{40, 25}, Activation.SOFTPLUS, F, Rng.seed(4))) {
            // W_k = softplus(softplus⁻¹(1/h) + N(0, 0.1²)) ≈ (1/h)·e^(N(0, 0.1²)·(1 − 1/h)): mean within 1 % of 1/h
            for (int k = 1; k <= 2; k++) {
                double h = k == 1 ? 40 : 25;
                double[] w = net.wz(k).toDoubleArray();
                double mean = java.util.Arrays.stream(w).average().orElseThrow();
                assertEquals(1 / h, mean, 0.02 / h, "mean of W_" + k);
                assertTrue(java.util.Arrays.stream(w).allMatch(v -> v > 0), "W_" + k + " is positive");
            }
        }
    }

    @Test
    void forwardWithNamesTheFirstMismatchingLeaf() {
        try (MLP net = new MLP(new long[]{3, 4, 2}, Activation.TANH, F, Rng.seed(11)); Scope s = Scope.open()) {
            Tensor x = Rng.seed(5).normal(F, 0, 1, 2, 3);
            TensorTree params = net.parameterTree();
            String prefix = "the parameter tree does not match the module's parameters [0.weight, 0.bias, 2.weight, 2.bias]: leaf ";
            SequencedMap<String, Tensor> extra = new LinkedHashMap<>(params.flatten());
            extra.put("3.scale", params.get("2.bias"));
            assertEquals(prefix + "4 is an unexpected value '3.scale'",
                    assertThrows(IllegalArgumentException.class, () -> net.forwardWith(TensorTree.fromPaths(extra), x)).getMessage());
            SequencedMap<String, Tensor> fewer = new LinkedHashMap<>(params.flatten());
            fewer.remove("2.bias");
            assertEquals(prefix + "3 is no value for '2.bias'",
                    assertThrows(IllegalArgumentException.class, () -> net.forwardWith(TensorTree.fromPaths(fewer), x)).getMessage());
            SequencedMap<String, Tensor> renamed = new LinkedHashMap<>();
            params.flatten().forEach((k, v) -> renamed.put(k.equals("0.bias") ? "0.shift" : k, v));
            assertEquals(prefix + "1 is '0.shift' where '0.bias' was expected",
                    assertThrows(IllegalArgumentException.class, () -> net.forwardWith(TensorTree.fromPaths(renamed), x)).getMessage());
        }
    }
}
