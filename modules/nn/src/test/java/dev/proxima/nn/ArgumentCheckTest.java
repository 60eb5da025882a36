package dev.proxima.nn;

import dev.proxima.nn.Losses.Reduction;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.DTypeMismatchException;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Each argument check of the layers and losses, one violated condition at a time, with shapes that the tensor
 * core would otherwise broadcast or accept: the exact exception and message show that the layer's own check
 * fired, and the accepted boundary cases show it is not too strict.
 */
@ExtendWith(NoLeaks.class)
class ArgumentCheckTest {

    private static final DType F = DType.F64;

    private static <T extends Throwable> void fails(Class<T> type, String message, Executable e) {
        assertEquals(message, assertThrows(type, e).getMessage());
    }

    @Test
    void lossesNeedEqualShapes() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.zeros(F, 2, 3);
            Tensor row = Tensor.ones(F, 1, 3); // broadcastable against a
            String shapes = " needs equal shapes, got [2, 3] and [1, 3]";
            fails(ShapeMismatchException.class, "mse" + shapes, () -> Losses.mse(a, row, Reduction.MEAN));
            fails(ShapeMismatchException.class, "l1" + shapes, () -> Losses.l1(a, row, Reduction.MEAN));
            fails(ShapeMismatchException.class, "huber" + shapes, () -> Losses.huber(a, row, 1, Reduction.MEAN));
            fails(ShapeMismatchException.class, "crossEntropySoft" + shapes, () -> Losses.crossEntropySoft(a, row, 0, Reduction.MEAN));
            fails(ShapeMismatchException.class, "bceWithLogits" + shapes, () -> Losses.bceWithLogits(a, row, Reduction.MEAN));
            fails(ShapeMismatchException.class, "klDiv" + shapes, () -> Losses.klDiv(a, row, false, Reduction.MEAN));
            fails(ShapeMismatchException.class, "cosineEmbedding" + shapes,
                    () -> Losses.cosineEmbedding(a, row, Tensor.of(1.0, -1.0), 0, Reduction.MEAN));
            Tensor r3 = Tensor.zeros(F, 2, 3, 1);
            fails(ShapeMismatchException.class, "crossEntropySoft needs [N, C] logits, got [2, 3, 1]",
                    () -> Losses.crossEntropySoft(r3, r3, 0, Reduction.MEAN));
        }
    }

    @Test
    void crossEntropyChecksTargetsAndSmoothing() {
        try (Scope s = Scope.open()) {
            Tensor logits = Tensor.zeros(F, 2, 3);
            fails(DTypeMismatchException.class, "class targets must be I32 or I64, got F64 (use crossEntropySoft for probabilities)",
                    () -> Losses.crossEntropy(logits, Tensor.of(0.0, 1.0), Reduction.MEAN));
            String need = "crossEntropy needs logits [N, C] and targets [N], got ";
            fails(ShapeMismatchException.class, need + "[6] and [2]", () -> Losses.crossEntropy(logits.reshape(6), Tensor.of(0L, 1L), Reduction.MEAN));
            fails(ShapeMismatchException.class, need + "[2, 3] and [2, 1]",
                    () -> Losses.crossEntropy(logits, Tensor.of(0L, 1L).reshape(2, 1), Reduction.MEAN));
            fails(ShapeMismatchException.class, need + "[2, 3] and [1]", () -> Losses.crossEntropy(logits, Tensor.of(0), Reduction.MEAN));
            for (double bad : new double[]{-0.01, 1.01, Double.NaN}) {
                fails(IllegalArgumentException.class, "label smoothing must be in [0, 1], got " + bad,
                        () -> Losses.crossEntropy(logits, Tensor.of(0, 1), bad, Reduction.MEAN));
                fails(IllegalArgumentException.class, "label smoothing must be in [0, 1], got " + bad,
                        () -> Losses.crossEntropySoft(logits, logits, bad, Reduction.MEAN));
            }
            // the bounds themselves are allowed: ε = 1 is the uniform target, log C for equal logits
            assertEquals(Math.log(3), Losses.crossEntropy(logits, Tensor.of(0, 1), 1, Reduction.MEAN).item(), 1e-12);
            assertEquals(Math.log(3), Losses.crossEntropySoft(logits, Tensor.full(1 / 3.0, F, 2, 3), 0, Reduction.MEAN).item(), 1e-12);
            for (double bad : new double[]{0, -1, Double.NaN}) {
                fails(IllegalArgumentException.class, "huber delta must be positive, got " + bad,
                        () -> Losses.huber(logits, logits, bad, Reduction.MEAN));
            }
        }
    }

    @Test
    void batchMeanDividesByTheFirstDimensionOnly() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0).reshape(3, 2);
            Tensor z = Tensor.zeros(F, 3, 2);
            assertEquals(91 / 3.0, Losses.mse(a, z, Reduction.BATCH_MEAN).item(), 1e-12);
            assertEquals(91 / 6.0, Losses.mse(a, z, Reduction.MEAN).item(), 1e-12);
            assertEquals(91, Losses.mse(a, z, Reduction.SUM).item(), 1e-12);
            assertEquals(7.5, Losses.reduce(Tensor.scalar(7.5, F), Reduction.BATCH_MEAN).item(), 0); // a scalar is its own batch
        }
    }

    @Test
    void attentionChecksEveryDimension() {
        try (Scope s = Scope.open(); MultiheadAttention mha = new MultiheadAttention(4, 2, false, F, Rng.seed(1));
             LinearAttention lin = new LinearAttention(4, 2, true, LinearAttention.Kernel.ELU, F, Rng.seed(2))) {
            Tensor q = Tensor.zeros(F, 2, 3, 4);
            Tensor kv = Tensor.zeros(F, 2, 5, 4);
            // each violated condition alone; every one of these would broadcast or index without the check
            Tensor[][] bad = {
                    {Tensor.zeros(F, 3, 4), kv, kv},
                    {q, Tensor.zeros(F, 5, 4), kv},
                    {q, kv, Tensor.zeros(F, 5, 4)},
                    {Tensor.zeros(F, 2, 3, 2), kv, kv},
                    {q, Tensor.zeros(F, 2, 5, 2), kv},
                    {q, kv, Tensor.zeros(F, 2, 5, 2)},
                    {q, kv, Tensor.zeros(F, 2, 1, 4)},
                    {Tensor.zeros(F, 1, 3, 4), kv, kv},
                    {q, Tensor.zeros(F, 1, 5, 4), Tensor.zeros(F, 1, 5, 4)},
                    {q, kv, Tensor.zeros(F, 1, 5, 4)},
            };
            for (Tensor[] c : bad) {
                String message = "attention needs q [B, T, 4], k and v [B, S, 4]; got " + java.util.Arrays.toString(c[0].shape()) + ", "
                        + java.util.Arrays.toString(c[1].shape()) + ", " + java.util.Arrays.toString(c[2].shape());
                fails(ShapeMismatchException.class, message, () -> mha.forward(c[0], c[1], c[2]));
                fails(ShapeMismatchException.class, message, () -> lin.forward(c[0], c[1], c[2]));
            }
            assertArrayEquals(new long[]{2, 3, 4}, mha.forward(q, kv, kv).shape());
            fails(IllegalArgumentException.class, "causal linear attention needs equal query and key lengths, got 3 and 5",
                    () -> lin.forward(q, kv, kv));
            assertArrayEquals(new long[]{2, 3, 4}, lin.forward(q).shape());
        }
        fails(IllegalArgumentException.class, "embedDim 6 is not divisible by 4 heads", () -> new MultiheadAttention(6, 4, false, F, Rng.seed(0)));
        fails(IllegalArgumentException.class, "embedDim 6 is not divisible by 0 heads", () -> new MultiheadAttention(6, 0, false, F, Rng.seed(0)));
        fails(IllegalArgumentException.class, "embedDim 6 is not divisible by 4 heads",
                () -> new LinearAttention(6, 4, false, LinearAttention.Kernel.ELU, F, Rng.seed(0)));
        fails(IllegalArgumentException.class, "embedDim 6 is not divisible by 0 heads",
                () -> new LinearAttention(6, 0, false, LinearAttention.Kernel.ELU, F, Rng.seed(0)));
        fails(IllegalArgumentException.class, "embedDim 6 is not divisible by -2 heads",
                () -> LinearAttention.normAware(6, -2, false, F, Rng.seed(0)));
    }

    /** A module registering whatever names it is given. */
    private static final class Named extends Module {
        Named(String param, String buffer, String child) {
            try (Scope s = Scope.open()) {
                registerParameter(param, Tensor.zeros(F, 1));
                registerBuffer(buffer, Tensor.zeros(F, 1));
                registerModule(child, new ReLU());
            } catch (IllegalArgumentException e) {
                close(); // what was registered before the refused name
                throw e;
            }
        }

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    @Test
    void moduleNamesAreNonEmptyDotFreeAndUnique() {
        try (Named ok = new Named("w", "b", "c")) {
            assertEquals(java.util.List.of("w", "b"), java.util.List.copyOf(ok.stateDict().keySet()));
        }
        fails(IllegalArgumentException.class, "invalid name '' (non-empty, no dots)", () -> new Named("", "b", "c"));
        fails(IllegalArgumentException.class, "invalid name 'a.b' (non-empty, no dots)", () -> new Named("w", "a.b", "c"));
        fails(IllegalArgumentException.class, "invalid name '.' (non-empty, no dots)", () -> new Named("w", "b", "."));
        fails(IllegalArgumentException.class, "name 'w' is already registered", () -> new Named("w", "w", "c"));
        fails(IllegalArgumentException.class, "name 'b' is already registered", () -> new Named("w", "b", "b"));
        fails(IllegalArgumentException.class, "name 'w' is already registered", () -> new Named("w", "b", "w"));
    }

    @Test
    void normalizationChecks() {
        try (Scope s = Scope.open(); BatchNorm bn = new BatchNorm(3, F); GroupNorm gn = new GroupNorm(2, 4, F);
             LayerNorm ln = new LayerNorm(F, 2, 3)) {
            fails(ShapeMismatchException.class, "BatchNorm(3) needs [N, 3, ...], got [3]", () -> bn.forward(Tensor.zeros(F, 3)));
            fails(ShapeMismatchException.class, "BatchNorm(3) needs [N, 3, ...], got [2, 1]", () -> bn.forward(Tensor.zeros(F, 2, 1)));
            fails(IllegalArgumentException.class, "BatchNorm in training needs more than one value per channel, got input [1, 3]",
                    () -> bn.forward(Tensor.zeros(F, 1, 3)));
            assertDoesNotThrow(() -> bn.forward(Tensor.zeros(F, 1, 3, 2))); // two values per channel suffice
            bn.eval();
            assertArrayEquals(new double[]{0, 0, 0}, bn.forward(Tensor.zeros(F, 1, 3)).toDoubleArray(), 1e-12);
            fails(ShapeMismatchException.class, "GroupNorm(2, 4) needs [N, 4, ...], got [4]", () -> gn.forward(Tensor.zeros(F, 4)));
            fails(ShapeMismatchException.class, "GroupNorm(2, 4) needs [N, 4, ...], got [1, 2, 2]", () -> gn.forward(Tensor.zeros(F, 1, 2, 2)));
            fails(ShapeMismatchException.class, "LayerNorm over [2, 3] got input [4, 3, 2]", () -> ln.forward(Tensor.zeros(F, 4, 3, 2)));
            fails(ShapeMismatchException.class, "LayerNorm over [2, 3] got input [1, 3]", () -> ln.forward(Tensor.zeros(F, 1, 3)));
        }
        fails(IllegalArgumentException.class, "4 channels cannot be split into 3 groups", () -> new GroupNorm(3, 4, F));
        fails(IllegalArgumentException.class, "4 channels cannot be split into 0 groups", () -> new GroupNorm(0, 4, F));
        fails(IllegalArgumentException.class, "4 channels cannot be split into -2 groups", () -> new GroupNorm(-2, 4, F));
    }

    @Test
    void constructorChecks() {
        fails(IllegalArgumentException.class, "dropout probability must be in [0, 1), got 1.0", () -> new Dropout(1, Rng.seed(0)));
        fails(IllegalArgumentException.class, "dropout probability must be in [0, 1), got -0.1", () -> new Dropout(-0.1, Rng.seed(0)));
        fails(IllegalArgumentException.class, "dropout probability must be in [0, 1), got NaN", () -> new Dropout(Double.NaN, Rng.seed(0)));
        try (Scope s = Scope.open(); Dropout none = new Dropout(0, Rng.seed(0))) {
            Tensor x = Tensor.of(1.0, 2.0);
            assertArrayEquals(new double[]{1, 2}, none.forward(x).toDoubleArray(), 0); // p = 0 is allowed: the identity
        }
        fails(IllegalArgumentException.class, "an MLP needs at least input and output sizes, got 1",
                () -> new MLP(new long[]{3}, Activation.RELU, F, Rng.seed(0)));
        fails(IllegalArgumentException.class, "an ICNN needs a convex non-decreasing activation (SOFTPLUS or RELU), got TANH",
                () -> new ICNN(2, new long[]{3}, Activation.TANH, F, Rng.seed(0)));
        fails(IllegalArgumentException.class, "an ICNN needs at least one hidden layer", () -> new ICNN(2, new long[0], Activation.RELU, F, Rng.seed(0)));
        // the smallest accepted sizes: one Linear, 1×1 convolutions of one channel
        try (MLP one = new MLP(new long[]{3, 2}, Activation.RELU, F, Rng.seed(0)); Conv2d c = conv2d(1, 1, 1, 1, 1);
             ConvTranspose2d t = convT(1, 1, 1, 1, 1)) {
            assertEquals(1, one.size());
            assertArrayEquals(new long[]{1, 1, 1, 1}, c.weight().value().shape());
            assertArrayEquals(new long[]{1, 1, 1, 1}, t.weight().value().shape());
        }
        String conv = " = 4 channels must be positive multiples of groups = ";
        fails(IllegalArgumentException.class, "Conv2d: in = 3 and out" + conv + "2", () -> conv2d(3, 4, 2, 3, 3));
        fails(IllegalArgumentException.class, "Conv2d: in = 4 and out = 6 channels must be positive multiples of groups = 4",
                () -> conv2d(4, 6, 4, 3, 3));
        fails(IllegalArgumentException.class, "Conv2d: in = 4 and out" + conv + "0", () -> conv2d(4, 4, 0, 3, 3));
        fails(IllegalArgumentException.class, "Conv2d: in = 0 and out = 4 channels must be positive multiples of groups = 1", () -> conv2d(0, 4, 1, 3, 3));
        fails(IllegalArgumentException.class, "Conv2d: in = 4 and out = 0 channels must be positive multiples of groups = 1", () -> conv2d(4, 0, 1, 3, 3));
        fails(IllegalArgumentException.class, "Conv2d: kernel must be two positive sizes, got [0, 3]", () -> conv2d(4, 4, 1, 0, 3));
        fails(IllegalArgumentException.class, "Conv2d: kernel must be two positive sizes, got [3, 0]", () -> conv2d(4, 4, 1, 3, 0));
        fails(IllegalArgumentException.class, "ConvTranspose2d: in = 3 and out" + conv + "2", () -> convT(3, 4, 2, 3, 3));
        fails(IllegalArgumentException.class, "ConvTranspose2d: in = 4 and out = 6 channels must be positive multiples of groups = 4",
                () -> convT(4, 6, 4, 3, 3));
        fails(IllegalArgumentException.class, "ConvTranspose2d: in = 4 and out" + conv + "0", () -> convT(4, 4, 0, 3, 3));
        fails(IllegalArgumentException.class, "ConvTranspose2d: in = 0 and out = 4 channels must be positive multiples of groups = 1",
                () -> convT(0, 4, 1, 3, 3));
        fails(IllegalArgumentException.class, "ConvTranspose2d: in = 4 and out = 0 channels must be positive multiples of groups = 1",
                () -> convT(4, 0, 1, 3, 3));
        fails(IllegalArgumentException.class, "ConvTranspose2d: kernel must be two positive sizes, got [0, 3]", () -> convT(4, 4, 1, 0, 3));
        fails(IllegalArgumentException.class, "ConvTranspose2d: kernel must be two positive sizes, got [3, 0]", () -> convT(4, 4, 1, 3, 0));
    }

    private static Conv2d conv2d(long in, long out, int groups, int kh, int kw) {
        return new Conv2d(in, out, new int[]{kh, kw}, new int[]{1, 1}, new int[]{0, 0}, new int[]{1, 1}, groups, true, F, Rng.seed(0));
    }

    private static ConvTranspose2d convT(long in, long out, int groups, int kh, int kw) {
        return new ConvTranspose2d(in, out, new int[]{kh, kw}, new int[]{1, 1}, new int[]{0, 0}, new int[]{0, 0}, new int[]{1, 1}, groups, true, F,
                Rng.seed(0));
    }
}
