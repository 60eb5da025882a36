package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** User-defined primitives: gradients, higher derivatives, several outputs, lifetimes and misuse. */
@ExtendWith(NoLeaks.class)
class CustomOpTest {

    /** x ↦ x³ with the rule 3x²·g written in tensor operations of the saved input: twice differentiable. */
    static final class Cube implements CustomOp {
        final AtomicInteger backwardCalls = new AtomicInteger();

        @Override
        public Tensor[] forward(Context ctx, Tensor... in) {
            ctx.saveForBackward(in[0]);
            return new Tensor[]{in[0].pow(3)};
        }

        @Override
        public Tensor[] backward(Context ctx, Tensor... g) {
            backwardCalls.incrementAndGet();
            Tensor x = ctx.saved(0);
            return new Tensor[]{x.square().mul(3).mul(g[0])};
        }
    }

    /**
     * Two outputs of one vector x: its squared norm s = Σx² (0-d) and its direction u = x/‖x‖. The rule
     * recomputes ‖x‖ from the saved input, so it is differentiable again:
     * ∂L/∂x = 2x·g_s + (g_u − u·⟨u, g_u⟩)/‖x‖.
     */
    static final class NormAndDirection implements CustomOp {
        @Override
        public Tensor[] forward(Context ctx, Tensor... in) {
            Tensor x = in[0];
            ctx.saveForBackward(x);
            Tensor s = x.square().sum();
            return new Tensor[]{s, x.div(s.sqrt())};
        }

        @Override
        public Tensor[] backward(Context ctx, Tensor... g) {
            Tensor x = ctx.saved(0);
            Tensor r = x.square().sum().sqrt();
            Tensor u = x.div(r);
            Tensor gu = g[1].sub(u.mul(u.mul(g[1]).sum())).div(r);
            return new Tensor[]{x.mul(2).mul(g[0]).add(gu)};
        }
    }

    /** Rounding in the forward pass, the identity in the backward pass (the straight-through estimator). */
    static final class StraightThroughRound implements CustomOp {
        @Override
        public Tensor[] forward(Context ctx, Tensor... in) {
            double[] v = in[0].toDoubleArray();
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.rint(v[i]);
            }
            return new Tensor[]{Tensor.of(v).reshape(in[0].shape()).cast(in[0].dtype())};
        }

        @Override
        public Tensor[] backward(Context ctx, Tensor... g) {
            return new Tensor[]{g[0]};
        }
    }

    /** The documented example (the class comment of CustomOp): z* = tanh(W·z* + x), differentiated implicitly. */
    static final class FixedPoint implements CustomOp {
        @Override
        public Tensor[] forward(Context ctx, Tensor... in) {
            Tensor w = in[0], x = in[1];
            Tensor z = Tensor.zeros(x.dtype(), x.shape());
            for (int k = 0; k < 200; k++) {
                Tensor next = w.matmul(z).add(x).tanh();
                double change = next.sub(z).abs().max().item();
                z = next;
                if (change < 1e-15) {
                    break;
                }
            }
            ctx.saveForBackward(w, z);
            return new Tensor[]{z};
        }

        @Override
        public Tensor[] backward(Context ctx, Tensor... gradOutputs) {
            Tensor w = ctx.saved(0), z = ctx.saved(1), g = gradOutputs[0];
            Tensor d = z.square().neg().add(1);                                        // tanh' at the fixed point
            Tensor a = Tensor.eye(z.dim(0), z.dtype()).sub(w.transpose().mul(d));      // I − Jᵀ = I − Wᵀ·diag(d)
            Tensor du = Linalg.solve(a, g).mul(d);                                     // d ⊙ u
            return new Tensor[]{du.unsqueeze(1).mul(z.unsqueeze(0)), du};              // ∂L/∂W, ∂L/∂x
        }
    }

    /** A custom op built from two lambdas, for the misuse tests. */
    private static CustomOp op(String name, Function<Tensor[], Tensor[]> forward, Function<Tensor[], Tensor[]> backward) {
        return new CustomOp() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Tensor[] forward(Context ctx, Tensor... in) {
                return forward.apply(in);
            }

            @Override
            public Tensor[] backward(Context ctx, Tensor... g) {
                return backward.apply(g);
            }
        };
    }

    private static void assertPasses(String what, Autodiff.GradcheckResult r) {
        assertTrue(r.passed(), what + ": max error " + r.maxAbsError() + " at " + Arrays.toString(r.worstIndex()));
    }

    @Test
    void cubeMatchesClosedFormsAndChecksToSecondOrder() {
        Cube cube = new Cube();
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(1.0, -2.0, 0.5);
            Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(t -> cube.apply(t)[0].sum(), x);
            assertEquals(1 - 8 + 0.125, vg.value().item(), 1e-15);
            assertArrayEquals(new double[]{3, 12, 0.75}, vg.grad().toDoubleArray(), 1e-15);
            assertEquals(1, cube.backwardCalls.get());
            // Hessian of Σx³ is diag(6x): the rule's own operations are differentiated
            assertArrayEquals(new double[]{6, 0, 3}, Autodiff.hvp(t -> cube.apply(t)[0].sum(), x, Tensor.of(1.0, 0, 1.0)).toDoubleArray(), 1e-14);
            Tensor m = Tensor.fromArray(new double[][]{{0.3, -0.7}, {1.1, 0.4}});
            assertPasses("cube", Autodiff.gradcheck(t -> cube.apply(t)[0].mul(t.exp()), m, 1e-6, 1e-8, 1e-6));
            assertPasses("cube, second order", Autodiff.gradgradcheck(t -> cube.apply(t.sin())[0], m, 1e-5, 1e-7, 1e-5));
        }
    }

    @Test
    void twoOutputsMeetInOneBackwardCall() {
        NormAndDirection op = new NormAndDirection();
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(3.0, -4.0, 12.0);                           // ‖x‖ = 13
            Tensor[] out = op.apply(x.requiresGrad(true));
            assertEquals(169, out[0].item(), 1e-12);
            assertArrayEquals(new long[0], out[0].shape());
            assertArrayEquals(new double[]{3 / 13.0, -4 / 13.0, 12 / 13.0}, out[1].toDoubleArray(), 1e-15);
            assertTrue(out[0].requiresGrad() && out[1].requiresGrad());
            // only the first output used: ∂s/∂x = 2x, the direction's gradient is zero
            Tensor g = Autodiff.gradients(out[0].mul(0.5), null, BackwardOptions.retainingGraph(), x)[0];
            assertArrayEquals(new double[]{3, -4, 12}, g.toDoubleArray(), 1e-12);
            // only the second: ∂⟨u, e₀⟩/∂x = (e₀ − u·u₀)/‖x‖
            Tensor g2 = Autodiff.gradients(out[1].select(0, 0), null, BackwardOptions.defaults(), x)[0];
            double[] u = {3 / 13.0, -4 / 13.0, 12 / 13.0};
            assertArrayEquals(new double[]{(1 - u[0] * u[0]) / 13, -u[1] * u[0] / 13, -u[2] * u[0] / 13}, g2.toDoubleArray(), 1e-15);
            Function<Tensor, Tensor> both = t -> {
                Tensor[] o = op.apply(t);
                return Tensor.concat(0, o[0].reshape(1), o[1]);
            };
            Tensor v = Tensor.of(0.4, -0.9, 1.3, 0.2);
            assertPasses("both outputs", Autodiff.gradcheck(both, v, 1e-6, 1e-8, 1e-6));
            assertPasses("both outputs, second order", Autodiff.gradgradcheck(both, v, 1e-5, 1e-7, 1e-5));
        }
    }

    @Test
    void outputsKeepTheirDtypesAndNonFloatingOnesAreNotDifferentiable() {
        CustomOp mixed = new CustomOp() {
            @Override
            public Tensor[] forward(Context ctx, Tensor... in) {
                Tensor x = in[0];
                return new Tensor[]{x.mul(2), x.cast(DType.F32).mul(3), x.argmax()};
            }

            @Override
            public Tensor[] backward(Context ctx, Tensor... g) {
                assertEquals(DType.F64, g[0].dtype());
                assertEquals(DType.F32, g[1].dtype());
                assertNull(g[2], "a non-floating output has no gradient");
                return new Tensor[]{g[0].mul(2).add(g[1].cast(DType.F64).mul(3))};
            }
        };
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(1.0, 5.0, 2.0).requiresGrad(true);
            Tensor[] out = mixed.apply(x);
            assertEquals(DType.F64, out[0].dtype());
            assertEquals(DType.F32, out[1].dtype());
            assertEquals(DType.I64, out[2].dtype());
            assertEquals(1, out[2].item());
            assertFalse(out[2].requiresGrad());
            assertArrayEquals(new float[]{3, 15, 6}, out[1].toFloatArray());
            out[0].sum().add(out[1].mul(Tensor.of(1f, 10f, 100f)).sum()).backward();
            assertArrayEquals(new double[]{2 + 3, 2 + 30, 2 + 300}, x.grad().toDoubleArray(), 1e-12);
        }
    }

    @Test
    void nonFloatingInputsGetNoGradient() {
        CustomOp pick = new CustomOp() {
            @Override
            public Tensor[] forward(Context ctx, Tensor... in) {
                assertTrue(ctx.needsInputGrad(0));
                assertFalse(ctx.needsInputGrad(1));
                ctx.saveForBackward(in[1]);
                ctx.put("n", in[0].dim(0));
                return new Tensor[]{in[0].indexSelect(0, in[1])};
            }

            @Override
            public Tensor[] backward(Context ctx, Tensor... g) {
                assertFalse(ctx.needsInputGrad(1));
                Tensor index = ctx.saved(0);
                Tensor grad = Tensor.zeros(g[0].dtype(), ctx.get("n", Long.class)).scatterAdd(0, index, g[0]);
                return new Tensor[]{grad, null};
            }
        };
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(10.0, 20.0, 30.0).requiresGrad(true);
            Tensor y = pick.apply(x, Tensor.of(2L, 0L, 2L))[0];
            assertArrayEquals(new double[]{30, 10, 30}, y.toDoubleArray());
            y.mul(Tensor.of(1.0, 2.0, 4.0)).sum().backward();
            assertArrayEquals(new double[]{2, 0, 5}, x.grad().toDoubleArray());
        }
    }

    @Test
    void straightThroughEstimatorRoundsForwardAndPassesGradientsThrough() {
        StraightThroughRound round = new StraightThroughRound();
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.of(0.4, 1.6, -2.7).requiresGrad(true);
            Tensor q = round.apply(w)[0];
            assertArrayEquals(new double[]{0, 2, -3}, q.toDoubleArray());
            // quantization-aware loss (q·x − y)²: d/dw = 2(q·x − y)·x, as if round were the identity
            Tensor x = Tensor.of(1.0, 2.0, 3.0);
            Tensor loss = q.mul(x).sum().sub(1.0).square();
            loss.backward();
            double r = 0 + 4 - 9 - 1.0;
            assertArrayEquals(new double[]{2 * r, 4 * r, 6 * r}, w.grad().toDoubleArray(), 1e-12);
            // the same chain through a real rounding would have a zero gradient; through STE it is the identity
            assertArrayEquals(new double[]{1, 1, 1}, Autodiff.grad(t -> round.apply(t)[0].sum(), w).toDoubleArray());
        }
    }

    @Test
    void fixedPointByImplicitDifferentiationMatchesFiniteDifferencesAndTheUnrolledIteration() {
        FixedPoint op = new FixedPoint();
        int n = 3;
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.fromArray(new double[][]{{0.3, -0.2, 0.1}, {0.25, 0.4, -0.15}, {-0.1, 0.2, 0.35}});
            Tensor x = Tensor.of(0.5, -1.0, 0.8);
            Tensor c = Tensor.of(1.0, -2.0, 0.5);
            Tensor z = op.apply(w, x)[0];
            assertTrue(w.matmul(z).add(x).tanh().allClose(z, 0, 1e-14), "z is the fixed point");
            // L = ⟨c, z*⟩ + ‖z*‖² as a function of p = (W, x) packed in one vector
            Function<Tensor, Tensor> loss = p -> {
                Tensor zp = op.apply(p.slice(0, 0, n * n, 1).reshape(n, n), p.slice(0, n * n, n * n + n, 1))[0];
                return zp.mul(c).sum().add(zp.square().sum());
            };
            Tensor p = Tensor.concat(0, w.reshape(-1), x);
            assertPasses("fixed point vs finite differences", Autodiff.gradcheck(loss, p, 1e-6, 1e-8, 1e-6));
            // against differentiating through 100 unrolled iterations (contraction: the error shrinks geometrically)
            Function<Tensor, Tensor> unrolled = q -> {
                Tensor wq = q.slice(0, 0, n * n, 1).reshape(n, n);
                Tensor xq = q.slice(0, n * n, n * n + n, 1);
                Tensor zq = Tensor.zeros(DType.F64, n);
                for (int k = 0; k < 100; k++) {
                    zq = wq.matmul(zq).add(xq).tanh();
                }
                return zq.mul(c).sum().add(zq.square().sum());
            };
            Autodiff.ValueAndGrad implicit = Autodiff.valueAndGrad(loss, p);
            Autodiff.ValueAndGrad unroll = Autodiff.valueAndGrad(unrolled, p);
            assertEquals(unroll.value().item(), implicit.value().item(), 1e-14);
            assertArrayEquals(unroll.grad().toDoubleArray(), implicit.grad().toDoubleArray(), 1e-12);
        }
    }

    @Test
    void noRecordingWithoutGradientsOrUnderNoGrad() {
        Cube cube = new Cube();
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(2.0);
            Tensor y = cube.apply(x)[0];
            assertFalse(y.requiresGrad());
            assertEquals(8, y.item());
            Tensor w = Tensor.of(2.0).requiresGrad(true);
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                assertFalse(cube.apply(w)[0].requiresGrad());
            }
            assertTrue(cube.apply(w)[0].requiresGrad());
            assertEquals(0, cube.backwardCalls.get());
        }
    }

    @Test
    void inputsReturnedByTheForwardBecomeNewNodesAndTheGraphCanBeRetained() {
        CustomOp identity = op("identity", in -> new Tensor[]{in[0]}, g -> new Tensor[]{g[0].mul(2)});
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
            Tensor y = identity.apply(x)[0];
            assertTrue(x.grad() == null && y != x);
            Tensor loss = y.sum();
            loss.backward(null, BackwardOptions.retainingGraph());
            loss.backward();
            assertArrayEquals(new double[]{4, 4}, x.grad().toDoubleArray(), "2 + 2 over two passes");
            IllegalStateException freed = assertThrows(IllegalStateException.class, loss::backward);
            assertTrue(freed.getMessage().contains("retainGraph"), freed.getMessage());
        }
    }

    @Test
    void aRuleMayReturnTheSameTensorTwiceOrATensorItDidNotCreate() {
        CustomOp fork = op("fork", in -> new Tensor[]{in[0].add(in[1])}, g -> new Tensor[]{g[0], g[0]});
        CustomOp sumOfOnes = new CustomOp() {
            @Override
            public Tensor[] forward(Context ctx, Tensor... in) {
                ctx.saveForBackward(Tensor.ones(DType.F64, in[0].shape()));
                return new Tensor[]{in[0].sum()};
            }

            @Override
            public Tensor[] backward(Context ctx, Tensor... g) {
                return new Tensor[]{ctx.saved(0)}; // the saved tensor itself: valid for the seed 1 used below
            }
        };
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(1.0, 2.0).requiresGrad(true);
            Tensor b = Tensor.of(3.0, 4.0).requiresGrad(true);
            fork.apply(a, b)[0].backward(Tensor.of(5.0, 7.0), BackwardOptions.defaults());
            a.close();
            assertArrayEquals(new double[]{5, 7}, b.grad().toDoubleArray(), "b's gradient does not share a's handle");
            Tensor c = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
            sumOfOnes.apply(c)[0].backward();                                   // the graph (and the saved tensor) is freed
            assertArrayEquals(new double[]{1, 1, 1}, c.grad().toDoubleArray());
        }
    }

    @Test
    void whatTheBackwardReturnsIsChecked() {
        Tensor[][] returned = new Tensor[1][];
        CustomOp bad = op("bad", in -> new Tensor[]{in[0].mul(in[1].cast(DType.F64).sum())}, g -> returned[0]);
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
            Tensor k = Tensor.of(3);
            Tensor loss = bad.apply(x, k)[0].sum();
            returned[0] = new Tensor[]{Tensor.ones(DType.F64, 2)};
            IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                    () -> Autodiff.gradients(loss, null, BackwardOptions.retainingGraph(), x));
            assertTrue(count.getMessage().startsWith("bad:") && count.getMessage().contains("1 gradients for 2 inputs"), count.getMessage());
            returned[0] = new Tensor[]{Tensor.ones(DType.F64, 2, 1), null};
            ShapeMismatchException shape = assertThrows(ShapeMismatchException.class,
                    () -> Autodiff.gradients(loss, null, BackwardOptions.retainingGraph(), x));
            assertTrue(shape.getMessage().contains("bad") && shape.getMessage().contains("[2, 1]") && shape.getMessage().contains("[2]"), shape.getMessage());
            returned[0] = new Tensor[]{Tensor.ones(DType.F32, 2), null};
            DTypeMismatchException dtype = assertThrows(DTypeMismatchException.class,
                    () -> Autodiff.gradients(loss, null, BackwardOptions.retainingGraph(), x));
            assertTrue(dtype.getMessage().contains("F32") && dtype.getMessage().contains("F64"), dtype.getMessage());
            returned[0] = new Tensor[]{Tensor.ones(DType.F64, 2), Tensor.ones(DType.F64, 1)};
            IllegalArgumentException integer = assertThrows(IllegalArgumentException.class,
                    () -> Autodiff.gradients(loss, null, BackwardOptions.retainingGraph(), x));
            assertTrue(integer.getMessage().contains("input 1") && integer.getMessage().contains("I32"), integer.getMessage());
            returned[0] = null;
            assertThrows(NullPointerException.class, () -> Autodiff.gradients(loss, null, BackwardOptions.retainingGraph(), x));
            returned[0] = new Tensor[]{Tensor.ones(DType.F64, 2).mul(3), null};
            assertArrayEquals(new double[]{3, 3}, Autodiff.gradients(loss, null, BackwardOptions.defaults(), x)[0].toDoubleArray());
        }
    }

    @Test
    void whatTheForwardReturnsAndHowTheContextIsUsedAreChecked() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(1.0).requiresGrad(true);
            assertThrows(IllegalArgumentException.class, () -> op("none", in -> new Tensor[0], g -> g).apply(x));
            assertThrows(NullPointerException.class, () -> op("nulls", in -> new Tensor[]{null}, g -> g).apply(x));
            NullPointerException nullInput = assertThrows(NullPointerException.class, () -> new Cube().apply(x, null));
            assertTrue(nullInput.getMessage().contains("input 1"), nullInput.getMessage());
            Tensor closed = Tensor.of(1.0);
            closed.close();
            assertThrows(IllegalStateException.class, () -> new Cube().apply(closed));
            CustomOp misuse = new CustomOp() {
                @Override
                public Tensor[] forward(Context ctx, Tensor... in) {
                    assertThrows(IllegalStateException.class, () -> ctx.saved(0));
                    IllegalArgumentException tensorValue = assertThrows(IllegalArgumentException.class, () -> ctx.put("t", in[0]));
                    assertTrue(tensorValue.getMessage().contains("saveForBackward"), tensorValue.getMessage());
                    ctx.put("scale", 2.5);
                    assertEquals(1, ctx.inputCount());
                    return new Tensor[]{in[0].mul(2.5)};
                }

                @Override
                public Tensor[] backward(Context ctx, Tensor... g) {
                    assertThrows(IllegalStateException.class, ctx::saveForBackward);
                    assertThrows(IndexOutOfBoundsException.class, () -> ctx.saved(0));
                    assertThrows(IllegalArgumentException.class, () -> ctx.get("missing", Double.class));
                    assertThrows(IllegalArgumentException.class, () -> ctx.get("scale", Integer.class));
                    return new Tensor[]{g[0].mul(ctx.get("scale", Double.class))};
                }
            };
            assertArrayEquals(new double[]{2.5}, Autodiff.grad(t -> misuse.apply(t)[0].sum(), x).toDoubleArray());
            IllegalStateException closedSave = assertThrows(IllegalStateException.class, () -> new CustomOp() {
                @Override
                public Tensor[] forward(Context ctx, Tensor... in) {
                    Tensor t = in[0].mul(2);
                    ctx.saveForBackward(t);
                    t.close();
                    return new Tensor[]{in[0].mul(2)};
                }

                @Override
                public Tensor[] backward(Context ctx, Tensor... g) {
                    return g;
                }
            }.apply(x));
            assertTrue(closedSave.getMessage().contains("saved tensor 0"), closedSave.getMessage());
        }
    }

    @Test
    void forwardTemporariesAreFreedAndSavedTensorsLiveAsLongAsTheGraph() {
        Cube cube = new Cube();
        Tensor x = Tensor.of(1.0, 2.0).requiresGrad(true);
        long before = Memory.allocatedBytes();
        Tensor y = cube.apply(x)[0];
        assertEquals(before + 64, Memory.allocatedBytes(), "only the output remains (the saved input is x itself)");
        y.close();
        assertEquals(before, Memory.allocatedBytes());
        x.close();
    }
}
