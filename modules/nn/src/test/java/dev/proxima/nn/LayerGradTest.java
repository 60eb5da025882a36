package dev.proxima.nn;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.proxima.nn.Checks.gradcheck;
import static dev.proxima.nn.Checks.layer;

@ExtendWith(NoLeaks.class)
class LayerGradTest {

    private static final DType F = DType.F64;

    private static Tensor awayFromZero(long... shape) {
        // values in ±[0.2, 1.7]: no activation kink nearby
        Tensor u = Rng.seed(11).uniform(F, 0.2, 1.7, shape);
        Tensor s = Rng.seed(12).rademacher(F, shape);
        return u.mul(s);
    }

    @Test
    void linearMlpResidual() {
        try (Scope s = Scope.open();
             Linear lin = new Linear(3, 2, true, F, Rng.seed(1));
             MLP mlp = new MLP(new long[]{3, 4, 2}, Activation.TANH, F, Rng.seed(2));
             Residual res = new Residual(new Linear(3, 3, true, F, Rng.seed(3)))) {
            Tensor x = Rng.seed(4).normal(F, 0, 1, 2, 3);
            layer("linear", lin, x);
            layer("mlp", mlp, x);
            layer("residual", res, x);
        }
    }

    @Test
    void activations() {
        try (Scope s = Scope.open()) {
            Tensor x = awayFromZero(2, 3);
            Module[] acts = {new ReLU(), new LeakyReLU(0.1), GELU.tanhApproximation(), GELU.exact(), new SiLU(), new Softplus(), new Tanh(), new Sigmoid()};
            for (Module m : acts) {
                try (m) {
                    layer(m.getClass().getSimpleName(), m, x);
                }
            }
            for (Activation a : Activation.values()) {
                gradcheck(a.name(), a, x);
            }
            gradcheck("elu", t -> Functional.elu(t, 0.7), x);
        }
    }

    @Test
    void dropoutWithAFixedMask() {
        try (Scope s = Scope.open()) {
            Tensor x = Rng.seed(5).normal(F, 0, 1, 3, 4);
            gradcheck("dropout", t -> {
                try (Dropout d = new Dropout(0.4, Rng.seed(6))) {
                    return d.forward(t);
                }
            }, x);
        }
    }

    @Test
    void embedding() {
        try (Scope s = Scope.open(); Embedding e = new Embedding(5, 3, F, Rng.seed(7))) {
            layer("embedding", e, Tensor.of(new long[]{4, 0, 4, 2}).reshape(2, 2));
        }
    }

    @Test
    void norms() {
        try (Scope s = Scope.open();
             LayerNorm ln = new LayerNorm(F, 4);
             BatchNorm bn1 = new BatchNorm(3, F);
             BatchNorm bn2 = new BatchNorm(2, F);
             GroupNorm gn = new GroupNorm(2, 4, F)) {
            perturb(ln, 20);
            perturb(bn1, 21);
            perturb(bn2, 22);
            perturb(gn, 23);
            layer("layernorm", ln, Rng.seed(8).normal(F, 0, 1, 2, 4));
            layer("batchnorm1d", bn1, Rng.seed(9).normal(F, 0, 1, 4, 3));
            layer("batchnorm2d", bn2, Rng.seed(10).normal(F, 0, 1, 2, 2, 2, 2));
            bn1.eval();
            layer("batchnorm1d eval", bn1, Rng.seed(11).normal(F, 0, 1, 4, 3));
            layer("groupnorm", gn, Rng.seed(12).normal(F, 0, 1, 2, 4, 3));
        }
    }

    /** Moves γ, β away from 1 and 0 so their gradients are exercised in general position. */
    private static void perturb(Module m, long seed) {
        try (Scope s = Scope.open(); var off = dev.proxima.tensor.Autodiff.noGrad()) {
            Rng rng = Rng.seed(seed);
            for (Parameter p : m.parameters()) {
                p.set(p.value().add(rng.split().normal(F, 0, 0.3, p.value().shape())));
            }
        }
    }

    @Test
    void attention() {
        try (Scope s = Scope.open();
             MultiheadAttention mha = new MultiheadAttention(4, 2, false, F, Rng.seed(13));
             MultiheadAttention causal = new MultiheadAttention(4, 2, true, F, Rng.seed(14));
             LinearAttention lin = new LinearAttention(4, 2, false, LinearAttention.Kernel.ELU, F, Rng.seed(15));
             LinearAttention linCausal = new LinearAttention(4, 2, true, LinearAttention.Kernel.ELU, F, Rng.seed(16));
             LinearAttention na = LinearAttention.normAware(4, 2, false, F, Rng.seed(17));
             LinearAttention naCausal = LinearAttention.normAware(4, 2, true, F, Rng.seed(18))) {
            Tensor x = Rng.seed(19).normal(F, 0, 1, 1, 3, 4);
            layer("mha", mha, x);
            layer("mha causal", causal, x);
            layer("linear attention", lin, x);
            layer("linear attention causal", linCausal, x);
            layer("norm-aware", na, x);
            layer("norm-aware causal", naCausal, x);
        }
    }

    @Test
    void icnn() {
        try (Scope s = Scope.open(); ICNN f = new ICNN(2, new long[]{3, 3}, Activation.SOFTPLUS, F, Rng.seed(20))) {
            layer("icnn", f, Rng.seed(21).normal(F, 0, 1, 2, 2));
        }
    }
}
