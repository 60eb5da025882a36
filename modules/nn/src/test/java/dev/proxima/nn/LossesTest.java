package dev.proxima.nn;

import dev.proxima.nn.Losses.Reduction;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.proxima.nn.Checks.gradcheck;
import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(NoLeaks.class)
class LossesTest {

    private static final DType F = DType.F64;

    @Test
    void gradients() {
        try (Scope s = Scope.open()) {
            Tensor x = Rng.seed(1).normal(F, 0, 1, 3, 4);
            Tensor y = Rng.seed(2).normal(F, 0, 1, 3, 4);
            Tensor probs = Rng.seed(3).normal(F, 0, 1, 3, 4).softmax(1);
            Tensor labels = Tensor.of(2, 0, 3);
            Tensor bits = Rng.seed(4).uniform(F, 0, 1, 3, 4);
            for (Reduction r : Reduction.values()) {
                gradcheck("mse " + r, t -> Losses.mse(t, y, r), x);
                gradcheck("l1 " + r, t -> Losses.l1(t, y, r), x);
                gradcheck("huber " + r, t -> Losses.huber(t, y, 0.8, r), x);
                gradcheck("ce " + r, t -> Losses.crossEntropy(t, labels, r), x);
                gradcheck("ce smooth " + r, t -> Losses.crossEntropy(t, labels, 0.1, r), x);
                gradcheck("ce soft " + r, t -> Losses.crossEntropySoft(t, probs, 0.2, r), x);
                gradcheck("bce " + r, t -> Losses.bceWithLogits(t, bits, r), x);
                gradcheck("kl " + r, t -> Losses.klDiv(t.logSoftmax(1), probs, false, r), x);
                gradcheck("kl log " + r, t -> Losses.klDiv(t.logSoftmax(1), probs.log(), true, r), x);
                gradcheck("kl wrt target " + r, t -> Losses.klDiv(x.logSoftmax(1), t.softmax(1), false, r), y);
            }
            gradcheck("cosine", t -> Losses.cosineSimilarity(t, y, 1, 1e-8), x);
            Tensor pm = Tensor.of(1.0, -1.0, 1.0);
            gradcheck("cosine embedding", t -> Losses.cosineEmbedding(t, y, pm, -0.5, Reduction.MEAN), x);
        }
    }

    @Test
    void closedForms() {
        try (Scope s = Scope.open()) {
            // uniform logits: cross-entropy = log C, whatever the labels
            Tensor logits = Tensor.full(0.7, F, 4, 5);
            Tensor labels = Tensor.of(0L, 1L, 4L, 2L);
            assertEquals(Math.log(5), Losses.crossEntropy(logits, labels, Reduction.MEAN).item(), 1e-12);
            // label smoothing: (1 − ε)·nll + ε·mean_c(−log p_c)
            Tensor z = Tensor.of(2.0, 0.0, -1.0).reshape(1, 3);
            double lse = Math.log(Math.exp(2) + 1 + Math.exp(-1));
            double nll = lse - 2;
            double meanNeg = lse - (2 + 0 - 1) / 3.0;
            assertEquals(0.9 * nll + 0.1 * meanNeg, Losses.crossEntropy(z, Tensor.of(0), 0.1, Reduction.SUM).item(), 1e-12);
            // the same through soft targets: one-hot smoothed
            assertEquals(0.9 * nll + 0.1 * meanNeg,
                    Losses.crossEntropySoft(z, Tensor.of(1.0, 0, 0).reshape(1, 3), 0.1, Reduction.SUM).item(), 1e-12);
            // BCE with logits vs the hand formula, including extreme logits
            double[] xs = {-100, -2, 0.3, 5, 100};
            double[] ys = {0, 1, 0.25, 1, 0};
            double[] got = Losses.bceWithLogits(Tensor.of(xs), Tensor.of(ys), Reduction.NONE).toDoubleArray();
            for (int i = 0; i < xs.length; i++) {
                double sig = 1 / (1 + Math.exp(-xs[i]));
                double want = Math.abs(xs[i]) > 30 ? Math.max(xs[i], 0) - xs[i] * ys[i] + Math.log1p(Math.exp(-Math.abs(xs[i])))
                        : -(ys[i] * Math.log(sig) + (1 - ys[i]) * Math.log(1 - sig));
                assertEquals(want, got[i], 1e-9 * Math.max(1, Math.abs(want)));
            }
            // KL of equal distributions is 0; of different ones matches the sum
            Tensor p = Tensor.of(0.5, 0.3, 0.2, 0.0).reshape(1, 4);
            Tensor q = Tensor.of(0.25, 0.25, 0.25, 0.25).reshape(1, 4);
            assertEquals(0, Losses.klDiv(Tensor.of(0.5, 0.3, 0.2, 1e-300).reshape(1, 4).log(), p, false, Reduction.SUM).item(), 1e-12);
            double kl = 0.5 * Math.log(2) + 0.3 * Math.log(1.2) + 0.2 * Math.log(0.8);
            assertEquals(kl, Losses.klDiv(q.log(), p, false, Reduction.BATCH_MEAN).item(), 1e-12);
            // mse/l1/huber
            Tensor a = Tensor.of(1.0, 2.0, 5.0);
            Tensor b = Tensor.of(1.5, 2.0, 2.0);
            assertEquals((0.25 + 9) / 3, Losses.mse(a, b, Reduction.MEAN).item(), 1e-12);
            assertEquals(3.5, Losses.l1(a, b, Reduction.SUM).item(), 1e-12);
            assertEquals(0.5 * 0.25 + 1.0 * (3 - 0.5), Losses.huber(a, b, 1.0, Reduction.SUM).item(), 1e-12);
            // cosine
            assertEquals(1, Losses.cosineSimilarity(Tensor.of(1.0, 2.0), Tensor.of(2.0, 4.0), 0, 1e-8).item(), 1e-12);
            assertEquals(0, Losses.cosineSimilarity(Tensor.of(1.0, 0.0), Tensor.of(0.0, 3.0), 0, 1e-8).item(), 1e-12);
        }
    }
}
