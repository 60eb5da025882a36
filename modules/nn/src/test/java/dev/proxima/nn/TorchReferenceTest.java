package dev.proxima.nn;

import dev.proxima.nn.Losses.Reduction;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import dev.proxima.testkit.ReferenceTable;
import dev.proxima.testkit.TensorAssertions;
import dev.proxima.testkit.Tolerance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Forward values of every layer and loss against PyTorch (float64), and of ICNN and LinearAttention against
 * NumPy evaluations of their documented formulas. The fixture {@code torch_layers.txt} and the parameters
 * in it come from {@code src/test/interop/torch_layers.py}: non-default hyper-parameters everywhere (several
 * heads, bias on, batches of several samples, strides, padding, dilation, groups, ε, momentum, slopes, δ).
 * Each layer gets the script's parameters through {@code loadStateDict} under its own parameter names.
 */
@ExtendWith(NoLeaks.class)
class TorchReferenceTest {

    private static final DType F = DType.F64;
    /** Float64 on both sides; 1e-9 leaves room for differently ordered sums and erf/tanh implementations. */
    private static final Tolerance TOL = Tolerance.of(F).scaled(1000);

    private static ReferenceTable table;

    @BeforeAll
    static void readFixture() throws IOException {
        try (InputStream in = TorchReferenceTest.class.getResourceAsStream("torch_layers.txt")) {
            assertNotNull(in, "torch_layers.txt is missing from the test resources");
            table = ReferenceTable.read(in);
        }
    }

    private static Rng rng() {
        return Rng.seed(99); // overwritten by the fixture's state
    }

    /** Loads case {@code name}'s state into {@code m}, runs it on the case's input and compares with {@code output}. */
    private static void layer(String name, Module m, String output) {
        try (Scope s = Scope.open(); m) {
            m.loadStateDict(table.state(name));
            expect(name + "/" + output, m.forward(table.tensor(name + "/input")));
        }
    }

    private static void expect(String name, Tensor actual) {
        TensorAssertions.assertClose(table.tensor(name), actual, TOL, name);
    }

    @Test
    void linear() {
        layer("linear", new Linear(5, 3, true, F, rng()), "output");
    }

    @Test
    void conv2dWithStridePaddingDilationGroupsAndBias() {
        layer("conv2d", new Conv2d(4, 6, new int[]{3, 2}, new int[]{2, 1}, new int[]{1, 2}, new int[]{1, 2}, 2, true, F, rng()),
                "output");
    }

    @Test
    void convTranspose2dWithStridePaddingOutputPaddingDilationGroupsAndBias() {
        layer("convTranspose2d", new ConvTranspose2d(4, 6, new int[]{3, 2}, new int[]{2, 3}, new int[]{1, 0}, new int[]{1, 0},
                new int[]{2, 1}, 2, true, F, rng()), "output");
    }

    @Test
    void multiheadCrossAttentionWithTwoHeads() {
        try (Scope s = Scope.open(); MultiheadAttention m = new MultiheadAttention(8, 2, false, F, rng())) {
            m.loadStateDict(table.state("mha"));
            expect("mha/output", m.forward(table.tensor("mha/query"), table.tensor("mha/key"), table.tensor("mha/value")));
        }
    }

    @Test
    void causalSelfAttentionWithFourHeads() {
        layer("mhaCausal", new MultiheadAttention(12, 4, true, F, rng()), "output");
    }

    @Test
    void layerNormOverTwoAxes() {
        layer("layerNorm", new LayerNorm(new long[]{3, 4}, 1e-3, true, F), "output");
    }

    @Test
    void groupNorm() {
        layer("groupNorm", new GroupNorm(2, 6, 1e-2, true, F), "output");
    }

    @Test
    void normsWithoutAffineParametersAtTheirSmallestRank() {
        try (Scope s = Scope.open(); GroupNorm gn = new GroupNorm(3, 6, 1e-5, false, F); LayerNorm ln = new LayerNorm(new long[]{2, 3}, 1e-5, false, F)) {
            expect("groupNormPlain/output", gn.forward(table.tensor("groupNormPlain/input")));
            expect("layerNormPlain/output", ln.forward(table.tensor("layerNormPlain/input")));
        }
    }

    @Test
    void batchNorm2dTrainingStepRunningStatisticsAndEvaluation() {
        try (Scope s = Scope.open(); BatchNorm bn = new BatchNorm(4, 1e-3, 0.3, true, F)) {
            bn.loadStateDict(table.state("batchNorm"));
            bn.train();
            expect("batchNorm/trainOutput", bn.forward(table.tensor("batchNorm/input")));
            expect("batchNorm/runningMean", bn.runningMean());
            expect("batchNorm/runningVar", bn.runningVar());
            bn.eval();
            expect("batchNorm/evalOutput", bn.forward(table.tensor("batchNorm/evalInput")));
        }
    }

    @Test
    void batchNorm1dWithoutAffine() {
        try (Scope s = Scope.open(); BatchNorm bn = new BatchNorm(3, 1e-4, 0.6, false, F)) {
            bn.loadStateDict(table.state("batchNorm1d"));
            expect("batchNorm1d/trainOutput", bn.forward(table.tensor("batchNorm1d/input")));
            expect("batchNorm1d/runningMean", bn.runningMean());
            expect("batchNorm1d/runningVar", bn.runningVar());
        }
    }

    @Test
    void embedding() {
        try (Scope s = Scope.open(); Embedding e = new Embedding(7, 4, F, rng())) {
            e.loadStateDict(table.state("embedding"));
            expect("embedding/output", e.forward(table.tensor("embedding/indices")));
        }
    }

    @Test
    void activationLayers() {
        activation("relu", new ReLU());
        activation("leakyRelu", new LeakyReLU());
        activation("leakyRelu0.2", new LeakyReLU(0.2));
        activation("gelu", GELU.exact());
        activation("geluTanh", GELU.tanhApproximation());
        activation("silu", new SiLU());
        activation("softplus", new Softplus());
        activation("sigmoid", new Sigmoid());
        activation("tanh", new Tanh());
    }

    private static void activation(String name, Module m) {
        try (Scope s = Scope.open(); m) {
            expect("activations/" + name, m.forward(table.tensor("activations/input")));
        }
    }

    @Test
    void activationEnumAndFunctional() {
        Map<Activation, String> names = Map.of(Activation.RELU, "relu", Activation.LEAKY_RELU, "leakyRelu", Activation.GELU, "gelu",
                Activation.GELU_TANH, "geluTanh", Activation.SILU, "silu", Activation.SOFTPLUS, "softplus",
                Activation.TANH, "tanh", Activation.SIGMOID, "sigmoid");
        for (Map.Entry<Activation, String> e : names.entrySet()) {
            try (Scope s = Scope.open(); Module m = e.getKey().module()) {
                Tensor x = table.tensor("activations/input");
                expect("activations/" + e.getValue(), e.getKey().apply(x));
                expect("activations/" + e.getValue(), m.forward(x));
            }
        }
        try (Scope s = Scope.open()) {
            Tensor x = table.tensor("activations/input");
            TensorAssertions.assertClose(x, Activation.IDENTITY.apply(x), Tolerance.EXACT);
            expect("activations/elu0.7", Functional.elu(x, 0.7));
            expect("activations/leakyRelu0.2", Functional.leakyRelu(x, 0.2));
        }
    }

    @Test
    void mlpWithTanhGelu() {
        layer("mlp", new MLP(new long[]{4, 6, 5, 2}, Activation.GELU_TANH, F, rng()), "output");
    }

    @Test
    void sequentialOfLinearLeakyReluLayerNormSilu() {
        layer("sequential", new Sequential(new Linear(5, 6, true, F, rng()), new LeakyReLU(0.2), new LayerNorm(new long[]{6}, 1e-4, true, F),
                new SiLU()), "output");
    }

    @Test
    void residualAroundASequential() {
        layer("residual", new Residual(new Sequential(new Linear(6, 6, true, F, rng()), new Tanh(), new Linear(6, 6, true, F, rng()),
                new Softplus())), "output");
    }

    @Test
    void inputConvexNetworksByTheirFormula() {
        layer("icnnSoftplus", new ICNN(3, new long[]{5, 4}, Activation.SOFTPLUS, F, rng()), "output");
        layer("icnnRelu", new ICNN(2, new long[]{4}, Activation.RELU, F, rng()), "output");
    }

    @Test
    void linearAttentionByItsFormula() {
        layer("linearAttentionElu", new LinearAttention(8, 2, false, LinearAttention.Kernel.ELU, F, rng()), "output");
        layer("linearAttentionEluCausal", new LinearAttention(8, 2, true, LinearAttention.Kernel.ELU, F, rng()), "output");
        layer("linearAttentionNormAware", LinearAttention.normAware(6, 3, false, F, rng()), "output");
        layer("linearAttentionNormAwareCausal", LinearAttention.normAware(6, 2, true, F, rng()), "output");
    }

    @Test
    void lossesWithEveryReduction() {
        try (Scope s = Scope.open()) {
            Tensor a = table.tensor("losses/a");
            Tensor b = table.tensor("losses/b");
            Tensor labels = table.tensor("losses/labels");
            Tensor probs = table.tensor("losses/probs");
            Tensor bits = table.tensor("losses/bits");
            Tensor logq = table.tensor("losses/logq");
            Tensor pm = table.tensor("losses/pm");
            Map<String, Function<Reduction, Tensor>> losses = Map.ofEntries(
                    Map.entry("mse", r -> Losses.mse(a, b, r)),
                    Map.entry("l1", r -> Losses.l1(a, b, r)),
                    Map.entry("huber0.7", r -> Losses.huber(a, b, 0.7, r)),
                    Map.entry("huber1.8", r -> Losses.huber(a, b, 1.8, r)),
                    Map.entry("crossEntropy", r -> Losses.crossEntropy(a, labels, r)),
                    Map.entry("crossEntropy0.15", r -> Losses.crossEntropy(a, labels, 0.15, r)),
                    Map.entry("crossEntropySoft0.2", r -> Losses.crossEntropySoft(a, probs, 0.2, r)),
                    Map.entry("bceWithLogits", r -> Losses.bceWithLogits(a, bits, r)),
                    Map.entry("klDiv", r -> Losses.klDiv(logq, probs, false, r)),
                    Map.entry("klDivLog", r -> Losses.klDiv(logq, probs.log(), true, r)),
                    Map.entry("cosineEmbedding-0.3", r -> Losses.cosineEmbedding(a, b, pm, -0.3, r)),
                    Map.entry("cosineEmbedding0.2", r -> Losses.cosineEmbedding(a, b, pm, 0.2, r)));
            for (Map.Entry<String, Function<Reduction, Tensor>> e : losses.entrySet()) {
                for (Reduction r : Reduction.values()) {
                    expect("losses/" + e.getKey() + "." + r, e.getValue().apply(r));
                }
            }
            expect("losses/cosineSimilarity0", Losses.cosineSimilarity(a, b, 0, 1e-8));
        }
    }
}
