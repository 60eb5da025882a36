package dev.proxima.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reverse-mode autodiff: gradcheck of every differentiable op (first and second order) and the API's semantics. */
class AutodiffTest {

    @AfterEach
    void allocatorBackToZero() {
        assertEquals(0, Memory.allocatedBytes(), "leaked bytes");
    }

    /** A fixed F64 input of the given shape with distinct, non-zero, well-separated values. */
    private static Tensor input(long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Tensor.arange(1, n + 1, 1, DType.F64).mul(0.7).sin().mul(0.8).add(0.05).reshape(shape);
    }

    private static Tensor positive(long... shape) {
        return input(shape).abs().add(0.3);
    }

    static Stream<Arguments> ops() {
        try (Scope s = Scope.open()) {
            return cases().toList().stream();
        }
    }

    private static Stream<Arguments> cases() {
        return Stream.of(
                op("add broadcast", x -> x.add(x.sum(new int[]{0}, true)), input(3, 2)),
                op("sub scalar", x -> x.sub(2.5).mul(x), input(4)),
                op("mul broadcast row", x -> x.mul(x.select(0, 1)), input(3, 2)),
                op("div", x -> x.div(x.square().add(1)), input(5)),
                op("pow tensor exponent", x -> x.pow(x), positive(4)),
                op("pow scalar", x -> x.pow(3.0), input(4)),
                op("minimum/maximum", x -> x.maximum(x.neg().add(0.3)).add(x.minimum(0.1)), input(5)),
                op("neg abs sign", x -> x.neg().abs().mul(x.sign().add(2)), input(5)),
                op("exp log", x -> x.exp().add(1).log(), input(5)),
                op("sqrt reciprocal", x -> x.sqrt().add(x.reciprocal()), positive(4)),
                op("tanh sigmoid", x -> x.tanh().mul(x.sigmoid()), input(5)),
                op("sin cos square", x -> x.sin().mul(x.cos()).add(x.square()), input(5)),
                op("mulAdd", x -> x.mulAdd(x.exp(), x.select(0, 0)), input(2, 3)),
                op("where", x -> Tensor.where(x.gt(0.2), x.square(), x.neg()), input(6)),
                op("sum axes keepDims", x -> x.sum(new int[]{0, 2}, true).mul(x), input(2, 3, 2)),
                op("mean", x -> x.mean(1).square(), input(3, 4)),
                op("prod with a zero", x -> x.mul(x.ge(x.select(0, 0)).cast(DType.F64)).prod(1), input(2, 3)),
                op("max/min ties-free", x -> x.max(new int[]{1}, false).add(x.min(0).sum()), input(3, 4)),
                op("norm 2 and 1 and inf", x -> x.norm().add(x.norm(1, new int[]{0}, false).sum()).add(x.norm(Double.POSITIVE_INFINITY, new int[0], false)), input(3, 2)),
                op("norm p=3", x -> x.norm(3, new int[]{1}, false), input(2, 3)),
                op("matmul 2-D", x -> x.matmul(x.transpose()), input(3, 2)),
                op("matmul vector cases", x -> x.select(0, 0).matmul(x.reshape(2, 3).transpose()).mul(x.reshape(3, 2).matmul(x.select(0, 1).slice(0, 0, 2, 1)).sum()), input(2, 3)),
                op("batched matmul broadcast", x -> x.reshape(2, 1, 2, 2).matmul(x.reshape(2, 2, 2).transpose(-1, -2)), input(8)),
                op("views", x -> x.reshape(2, 3).transpose().slice(0, 0, 3, 2).unsqueeze(0).squeeze(0).broadcastTo(4, 2, 2).permute(1, 0, 2).contiguous(), input(6)),
                op("select and slice step", x -> x.select(1, 1).add(x.slice(1, 0, 3, 2).sum(1)), input(3, 3)),
                op("gather", x -> x.gather(1, Tensor.fromArray(new long[][]{{2, 0, 2}, {1, 1, 0}})), input(2, 3)),
                op("takeAlongAxis broadcast", x -> x.takeAlongAxis(Tensor.fromArray(new long[][]{{1}, {0}, {1}}), 1), input(3, 2)),
                op("indexSelect repeated", x -> x.indexSelect(0, Tensor.of(2L, 0L, 2L)), input(3, 2)),
                op("scatter and scatterAdd", x -> x.scatter(1, Tensor.fromArray(new long[][]{{0}, {2}}), x.slice(1, 0, 1, 1).exp())
                        .add(x.scatterAdd(0, Tensor.fromArray(new long[][]{{1, 0, 1}}), x.square())), input(2, 3)),
                op("maskedSelect", x -> x.maskedSelect(Tensor.of(true, false, true)), input(2, 3)),
                op("concat and stack", x -> Tensor.concat(1, x, x.square()).add(Tensor.stack(0, x.sum(1), x.max(1)).transpose().sum(new int[]{1}, true)), input(2, 3)),
                op("split and chunk", x -> x.split(1, 1, 2)[1].mul(x.chunk(3, 1)[0]), input(2, 3)),
                op("pad constant/reflect/replicate", x -> x.pad(new long[]{1, 0, 0, 2}, PadMode.CONSTANT, 3.0).sum()
                        .add(x.pad(new long[]{1, 1, 2, 0}, PadMode.REFLECT, 0).square().sum())
                        .add(x.pad(new long[]{0, 2, 1, 1}, PadMode.REPLICATE, 0).exp().sum()), input(2, 3)),
                op("flip roll tile repeatInterleave", x -> x.flip(1).mul(x.roll(1, 0)).tile(2, 1).sum(0).add(x.repeatInterleave(2, 1).sum(1).sum()), input(2, 3)),
                op("sort and topk", x -> x.sort(1, true).mul(Tensor.of(1.0, 2.0, 3.0)).sum().add(x.topk(2, 0, true).values().square().sum()), input(3, 3)),
                op("cumsum cumprod", x -> x.cumsum(1).mul(x.cumprod(0)), input(3, 2)),
                op("clamp", x -> x.clamp(-0.2, 0.4), input(6)),
                op("triu tril diag diagonal", x -> x.triu(0).add(x.tril(-1).mul(2)).add(x.diag(0).diag(1).slice(0, 0, 3, 1).slice(1, 0, 3, 1))
                        .add(x.diagonal(1, 0, 1).sum()), input(3, 3)),
                op("logsumexp softmax logSoftmax", x -> x.logsumexp(new int[]{1}, true).add(x.softmax(0)).add(x.logSoftmax(1)), input(2, 3)),
                op("fft each norm", x -> Fft.fft(x, -1, Fft.Norm.BACKWARD).add(Fft.fft(x, 0, Fft.Norm.ORTHO)).add(Fft.ifft(x, -1, Fft.Norm.FORWARD)), input(3, 4, 2)),
                op("rfft even and odd", x -> Fft.rfft(x, -1, Fft.Norm.BACKWARD).sum().add(Fft.rfft(x.slice(1, 0, 5, 1), -1, Fft.Norm.FORWARD).square().sum())
                        .add(Fft.rfft(x, 0, Fft.Norm.ORTHO).square().sum()), input(2, 6)),
                op("irfft even and odd", x -> Fft.irfft(x, 6, -1, Fft.Norm.BACKWARD).add(Fft.irfft(x, 7, -1, Fft.Norm.ORTHO).sum(new int[]{1}, true)), input(2, 4, 2)),
                op("fft2 ifft2", x -> Fft.fft2(x, Fft.Norm.BACKWARD).add(Fft.ifft2(x, Fft.Norm.ORTHO)), input(3, 4, 2)),
                op("rfft2 irfft2", x -> Fft.irfft2(Fft.rfft2(x, Fft.Norm.BACKWARD).mul(Fft.rfft2(x, Fft.Norm.ORTHO)), 4, Fft.Norm.FORWARD), input(3, 4)),
                op("einsum contraction and trace", x -> Tensor.einsum("ij,jk->ik", x, x.transpose()).add(Tensor.einsum("ii", x.matmul(x.transpose()))), input(2, 3)));
    }

    private static Arguments op(String name, Function<Tensor, Tensor> f, Tensor x) {
        return Arguments.of(name, f, x.toDoubleArray(), x.shape());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void gradcheckFirstOrder(String name, Function<Tensor, Tensor> f, double[] values, long[] shape) {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(values).reshape(shape);
            Autodiff.GradcheckResult r = Autodiff.gradcheck(f, x, 1e-6, 1e-7, 1e-5);
            assertTrue(r.passed(), name + ": max error " + r.maxAbsError() + " at " + java.util.Arrays.toString(r.worstIndex()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void gradcheckSecondOrder(String name, Function<Tensor, Tensor> f, double[] values, long[] shape) {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(values).reshape(shape);
            Autodiff.GradcheckResult r = Autodiff.gradgradcheck(f, x, 1e-5, 1e-6, 1e-4);
            assertTrue(r.passed(), name + ": max error " + r.maxAbsError() + " at " + java.util.Arrays.toString(r.worstIndex()));
        }
    }

    @Test
    void closedFormGradientsAndHessianVectorProducts() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(1.0, 2.0, 3.0);
            assertArrayEquals(new double[]{3, 12, 27}, Autodiff.grad(t -> t.pow(3).sum(), x).toDoubleArray(), 1e-12);
            // Hessian of Σx³ is diag(6x)
            assertArrayEquals(new double[]{6, 0, 36}, Autodiff.hvp(t -> t.pow(3).sum(), x, Tensor.of(1.0, 0, 2.0)).toDoubleArray(), 1e-12);
            // grad of grad: ∇ Σ 3x² = 6x
            assertArrayEquals(new double[]{6, 12, 18}, Autodiff.grad(t -> Autodiff.grad(u -> u.pow(3).sum(), t).sum(), x).toDoubleArray(), 1e-12);
            // J of exp is diag(e^x): jvp with v = 1 gives e^x; vjp likewise
            double[] e = {Math.exp(1), Math.exp(2), Math.exp(3)};
            assertArrayEquals(e, Autodiff.jvp(Tensor::exp, x, Tensor.ones(DType.F64, 3)).product().toDoubleArray(), 1e-12);
            assertArrayEquals(e, Autodiff.vjp(Tensor::exp, x, Tensor.ones(DType.F64, 3)).product().toDoubleArray(), 1e-12);
            // quadratic form ½xᵀAx with symmetric A: gradient Ax, Hessian A
            Tensor a = Tensor.fromArray(new double[][]{{2, 1, 0}, {1, 3, 1}, {0, 1, 4}});
            Function<Tensor, Tensor> q = t -> t.matmul(a).matmul(t).mul(0.5);
            assertArrayEquals(new double[]{4, 10, 14}, Autodiff.grad(q, x).toDoubleArray(), 1e-12);
            assertArrayEquals(new double[]{1, 4, 5}, Autodiff.hvp(q, x, Tensor.of(0.0, 1.0, 1.0)).toDoubleArray(), 1e-12);
            Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(q, x);
            assertEquals(0.5 * (2 + 2 * 2 + 3 * 4 + 2 * 2 * 3 + 4 * 9), vg.value().item(), 1e-12);
        }
    }

    @Test
    void backwardAccumulatesIntoLeavesAndFreesTheGraph() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.of(1.0, -2.0).requiresGrad(true);
            Tensor loss = w.square().sum();
            loss.backward();
            assertArrayEquals(new double[]{2, -4}, w.grad().toDoubleArray());
            IllegalStateException again = assertThrows(IllegalStateException.class, loss::backward);
            assertTrue(again.getMessage().contains("retainGraph"), again.getMessage());
            Tensor loss2 = w.mul(3).sum();
            loss2.backward(null, BackwardOptions.retainingGraph());
            loss2.backward();
            assertArrayEquals(new double[]{8, 2}, w.grad().toDoubleArray(), "2w + 3 + 3 accumulated");
            w.clearGrad();
            assertNull(w.grad());
        }
    }

    /** The functional transforms differentiate f whatever the caller's mode: under noGrad they gave zeros. */
    @Test
    void functionalDerivativesWorkUnderNoGrad() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(1.0, 2.0, 3.0);
            Tensor v = Tensor.of(1.0, 0, 2.0);
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                assertArrayEquals(new double[]{6, 0, 36}, Autodiff.hvp(t -> t.pow(3).sum(), x, v).toDoubleArray(), 1e-12);
                assertArrayEquals(new double[]{3, 0, 54}, Autodiff.jvp(t -> t.pow(3), x, v).product().toDoubleArray(), 1e-12);
                assertArrayEquals(new double[]{3, 12, 27}, Autodiff.grad(t -> t.pow(3).sum(), x).toDoubleArray(), 1e-12);
                assertArrayEquals(new double[]{3, 0, 54}, Autodiff.vjp(t -> t.pow(3), x, v).product().toDoubleArray(), 1e-12);
                TensorTree tree = TensorTree.fromPaths(new java.util.LinkedHashMap<>(java.util.Map.of("a", x)));
                TensorTree hv = Autodiff.hvp(p -> p.get("a").pow(3).sum(), tree,
                        TensorTree.fromPaths(new java.util.LinkedHashMap<>(java.util.Map.of("a", v))));
                assertArrayEquals(new double[]{6, 0, 36}, hv.get("a").toDoubleArray(), 1e-12);
                assertFalse(Autodiff.isGradEnabled(), "the caller's mode is restored");
            }
        }
    }

    @Test
    void noGradDetachAndNonDifferentiableInputs() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.of(1.0, 2.0).requiresGrad(true);
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                assertFalse(w.mul(2).requiresGrad());
                assertFalse(Autodiff.isGradEnabled());
            }
            assertTrue(Autodiff.isGradEnabled());
            assertFalse(w.detach().mul(2).requiresGrad());
            assertFalse(w.gt(1).requiresGrad(), "comparisons are not differentiable");
            assertTrue(w.mul(2).requiresGrad());
            assertThrows(DTypeMismatchException.class, () -> Tensor.of(1, 2).requiresGrad(true));
            assertThrows(IllegalArgumentException.class, () -> w.mul(2).requiresGrad(true));
            IllegalArgumentException notScalar = assertThrows(IllegalArgumentException.class, () -> w.mul(2).backward());
            assertTrue(notScalar.getMessage().contains("scalar"), notScalar.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Tensor.of(1.0).backward());
            // an input the output does not depend on gets a zero gradient
            Tensor v = Tensor.of(5.0).requiresGrad(true);
            Tensor[] g = Autodiff.gradients(w.sum(), null, BackwardOptions.defaults(), w, v);
            assertArrayEquals(new double[]{1, 1}, g[0].toDoubleArray());
            assertArrayEquals(new double[]{0}, g[1].toDoubleArray());
        }
    }

    @Test
    void backwardOptionsRetainAndRecordTheGraph() {
        assertEquals(new BackwardOptions(false, false), BackwardOptions.defaults());
        assertEquals(new BackwardOptions(true, false), BackwardOptions.retainingGraph());
        assertEquals(new BackwardOptions(true, true), BackwardOptions.creatingGraph());
        assertEquals(new BackwardOptions(false, true), BackwardOptions.creatingGraph().withRetainGraph(false));
        assertEquals(BackwardOptions.retainingGraph(), BackwardOptions.defaults().withRetainGraph(true).withCreateGraph(false));
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.of(1.0, 2.0).requiresGrad(true);
            Tensor loss = w.pow(3).sum();
            Tensor g = Autodiff.gradients(loss, null, BackwardOptions.retainingGraph(), w)[0];
            assertFalse(g.requiresGrad());
            Tensor again = Autodiff.gradients(loss, null, BackwardOptions.creatingGraph(), w)[0];
            assertArrayEquals(g.toDoubleArray(), again.toDoubleArray());
            assertTrue(again.requiresGrad(), "recorded: differentiable again");
            assertArrayEquals(new double[]{6, 12}, Autodiff.gradients(again.sum(), null, BackwardOptions.defaults(), w)[0].toDoubleArray());
            Autodiff.gradients(loss, null, BackwardOptions.defaults(), w);
            IllegalStateException freed = assertThrows(IllegalStateException.class,
                    () -> Autodiff.gradients(loss, null, BackwardOptions.defaults(), w));
            assertTrue(freed.getMessage().contains("retainGraph"), freed.getMessage());
            assertThrows(NullPointerException.class, () -> Autodiff.gradients(loss, null, null, w));
        }
    }

    @Test
    void oneGradientTensorPassedToSeveralInputsIsHandedOutAsSeparateHandles() {
        try (Scope s = Scope.open()) {
            // add's rule passes g on to both operands unchanged
            Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
            Tensor y = Tensor.of(3.0, 4.0).requiresGrad(true);
            Tensor[] g = Autodiff.gradients(x.add(y), Tensor.of(5.0, 6.0), BackwardOptions.retainingGraph(), x, y, x);
            assertTrue(g[0] != g[1] && g[0] != g[2]);
            g[0].close();
            assertArrayEquals(new double[]{5, 6}, g[1].toDoubleArray());
            assertArrayEquals(new double[]{5, 6}, g[2].toDoubleArray());
            x.add(y).backward(Tensor.of(1.0, -1.0), BackwardOptions.defaults());
            x.close();
            assertArrayEquals(new double[]{1, -1}, y.grad().toDoubleArray(), "y's gradient outlives x's");
        }
    }

    @Test
    void gradientsReachF32LeavesThroughPromotionAndHalfPrecision() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.of(1f, 2f).requiresGrad(true);
            Tensor loss = w.mul(Tensor.of(0.5, 0.25)).sum();    // F32 × F64 → F64
            loss.backward();
            assertEquals(DType.F32, w.grad().dtype());
            assertArrayEquals(new float[]{0.5f, 0.25f}, w.grad().toFloatArray());
            // through a cast to F32 and back (finite differences are too coarse through F32, so compare to the closed form)
            assertArrayEquals(new double[]{2, 2, 2},
                    Autodiff.grad(x -> x.cast(DType.F32).mul(2).cast(DType.F64).sum(), Tensor.of(0.1, 0.2, 0.3)).toDoubleArray());
            Tensor h = Tensor.of(1f, 2f).cast(DType.BF16).requiresGrad(true);
            h.square().sum().backward();
            assertEquals(DType.BF16, h.grad().dtype());
            assertArrayEquals(new float[]{2f, 4f}, h.grad().toFloatArray());
        }
    }

    @Test
    void closingTensorsReleasesTheGraph() {
        Tensor w = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
        long before = Memory.allocatedBytes();
        try (Scope s = Scope.open()) {
            for (int i = 0; i < 50; i++) {
                try (Scope step = Scope.open()) {
                    w.exp().mul(w).sum().backward();
                }
            }
        }
        assertEquals(before + 64, Memory.allocatedBytes(), "only the accumulated gradient remains");
        w.close();
    }
}
