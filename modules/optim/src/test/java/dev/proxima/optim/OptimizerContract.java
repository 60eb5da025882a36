package dev.proxima.optim;

import dev.proxima.nn.Parameter;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;
import dev.proxima.tensor.sim.SimBackend;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every optimizer and gradient transform of this module keeps; extend it and list yours in
 * {@link #optimizers()} (and {@link #transforms()}): the state saved and loaded into a fresh optimizer resumes
 * bit-identically (safetensors and {@code .npz}); a zero gradient leaves the parameters unchanged where the maths
 * says so ({@link #zeroGradientIsFixedPoint}); the same steps on the simulated device equal the CPU's; a
 * non-finite gradient throws or skips without changing anything; nothing leaks (host and device memory).
 *
 * <p>The problem is a small least-squares fit with a quartic penalty on two parameters {@code w [3, 2]} and
 * {@code b [2]} in F64; optimizers that need the closure (L-BFGS, SAM) get one from every step.
 */
@ExtendWith(NoLeaks.class)
public abstract class OptimizerContract {

    /** {@return the optimizers under test by name: each makes a fresh optimizer over the given parameters} */
    protected abstract Map<String, Function<List<Parameter>, Optimizer>> optimizers();

    /** {@return the gradient transforms under test by name (may be empty)} */
    protected Map<String, GradientTransform> transforms() {
        return Map.of();
    }

    /**
     * Whether a zero gradient must leave the parameters unchanged (false for weight decay, and for momentum
     * methods after nonzero steps — the contract's check starts from fresh state).
     *
     * @param name the optimizer's or transform's name
     * @return true where the maths says the parameters stay put
     */
    protected boolean zeroGradientIsFixedPoint(String name) {
        return true;
    }

    @TempDir
    Path dir;

    @AfterEach
    void deviceMemoryFreed() {
        assertEquals(0, SimBackend.allocatedBytes(), "simulated-device bytes still allocated after the test");
    }

    static final double[] X = {0.5, -1.0, 2.0, 1.5, 0.25, -0.5, -2.0, 1.0, 0.75, 0.1, 0.2, 0.3};
    static final double[] Y = {1.0, -1.0, 0.5, 2.0, -1.5, 0.25, 0.0, 1.0};
    static final double[] W0 = {0.3, -0.2, 0.1, 0.4, -0.5, 0.25};
    static final double[] B0 = {0.05, -0.1};

    /** The problem's loss at (w, b); x and y are made on w's device. */
    static Tensor loss(Tensor w, Tensor b) {
        Tensor x = Tensor.of(X).reshape(4, 3).to(w.device());
        Tensor y = Tensor.of(Y).reshape(4, 2).to(w.device());
        return x.matmul(w).add(b).sub(y).square().mean().add(w.square().square().sum().mul(0.05));
    }

    static List<Parameter> params(Device device) {
        try (Scope s = Scope.open()) {
            return List.of(new Parameter(Tensor.of(W0).reshape(3, 2).to(device), true),
                    new Parameter(Tensor.of(B0).to(device), true));
        }
    }

    /** One closure step: zero the gradients, loss, backward. */
    static void step(Optimizer opt, List<Parameter> ps) {
        try (Scope s = Scope.open()) {
            opt.step(() -> {
                opt.zeroGrad();
                Tensor l = loss(ps.get(0).value(), ps.get(1).value());
                l.backward();
                return l;
            });
        }
    }

    static double[] values(List<Parameter> ps) {
        double[] w = ps.get(0).value().toDoubleArray();
        double[] b = ps.get(1).value().toDoubleArray();
        double[] all = new double[w.length + b.length];
        System.arraycopy(w, 0, all, 0, w.length);
        System.arraycopy(b, 0, all, w.length, b.length);
        return all;
    }

    static void close(List<Parameter> ps) {
        ps.forEach(Parameter::close);
    }

    private List<DynamicTest> each(java.util.function.BiConsumer<String, Function<List<Parameter>, Optimizer>> body) {
        List<DynamicTest> tests = new ArrayList<>();
        optimizers().forEach((name, make) -> tests.add(DynamicTest.dynamicTest(name,
                () -> NoLeaks.assertFreed(name, () -> body.accept(name, make)))));
        return tests;
    }

    @TestFactory
    List<DynamicTest> savedStateResumesBitIdentically() {
        return each((name, make) -> {
            for (String file : List.of("opt.safetensors", "opt.npz")) {
                List<Parameter> a = params(Device.CPU);
                List<Parameter> b = params(Device.CPU);
                try (Optimizer straight = make.apply(a); Optimizer first = make.apply(b)) {
                    for (int i = 0; i < 6; i++) {
                        step(straight, a);
                    }
                    for (int i = 0; i < 3; i++) {
                        step(first, b);
                    }
                    first.save(dir.resolve(file));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                // a fresh optimizer over the (saved) weights resumes from the file
                try (Optimizer resumed = make.apply(b)) {
                    resumed.load(dir.resolve(file));
                    assertEquals(3, resumed.stepCount(), name + ": the step count is part of the state");
                    for (int i = 0; i < 3; i++) {
                        step(resumed, b);
                    }
                    assertArrayEquals(values(a), values(b), name + " resumed from " + file + " must equal the uninterrupted run bit for bit");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } finally {
                    close(a);
                    close(b);
                }
            }
        });
    }

    @TestFactory
    List<DynamicTest> loadingAMismatchedStateIsRefused() {
        return each((name, make) -> {
            List<Parameter> a = params(Device.CPU);
            try (Scope s = Scope.open();
                 Parameter other = new Parameter(Tensor.zeros(DType.F64, 5), true);
                 Optimizer opt = make.apply(a); Optimizer wrong = make.apply(List.of(other))) {
                step(opt, a);
                java.util.Map<String, java.util.List<Long>> shapes = new java.util.HashMap<>();
                opt.state().flatten().forEach((k, t) -> shapes.put(k, java.util.Arrays.stream(t.shape()).boxed().toList()));
                java.util.Map<String, java.util.List<Long>> wrongShapes = new java.util.HashMap<>();
                wrong.state().flatten().forEach((k, t) -> wrongShapes.put(k, java.util.Arrays.stream(t.shape()).boxed().toList()));
                if (shapes.equals(wrongShapes)) {
                    return; // a state without parameter-shaped entries fits any parameters
                }
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wrong.loadState(opt.state()), name);
                assertTrue(e.getMessage().contains("'"), "the message names the entry: " + e.getMessage());
            } finally {
                close(a);
            }
        });
    }

    @TestFactory
    List<DynamicTest> zeroGradientLeavesTheParametersUnchanged() {
        return each((name, make) -> {
            if (!zeroGradientIsFixedPoint(name)) {
                return;
            }
            List<Parameter> ps = params(Device.CPU);
            try (Optimizer opt = make.apply(ps)) {
                double[] before = values(ps);
                for (int i = 0; i < 2; i++) {
                    try (Scope s = Scope.open()) {
                        opt.step(() -> {
                            opt.zeroGrad();
                            Tensor l = ps.get(0).value().mul(0.0).sum().add(ps.get(1).value().mul(0.0).sum());
                            l.backward();
                            return l;
                        });
                    }
                }
                assertArrayEquals(before, values(ps), name);
            } finally {
                close(ps);
            }
        });
    }

    @TestFactory
    List<DynamicTest> stepsOnTheSimulatedDeviceEqualTheCpu() {
        return each((name, make) -> {
            List<Parameter> cpu = params(Device.CPU);
            List<Parameter> sim = params(SimBackend.SIM);
            try (Optimizer a = make.apply(cpu); Optimizer b = make.apply(sim)) {
                for (int i = 0; i < 3; i++) {
                    step(a, cpu);
                    step(b, sim);
                }
                assertEquals(SimBackend.SIM, sim.get(0).value().device());
                assertArrayEquals(values(cpu), values(sim), 1e-12, name);
            } finally {
                close(cpu);
                close(sim);
            }
        });
    }

    @TestFactory
    List<DynamicTest> nonFiniteGradientsThrowOrSkipWithoutChangingAnything() {
        return each((name, make) -> {
            List<Parameter> ps = params(Device.CPU);
            try (Optimizer opt = make.apply(ps)) {
                step(opt, ps);
                double[] before = values(ps);
                long taken = opt.stepCount();
                try (Scope s = Scope.open()) {
                    Runnable bad = () -> opt.step(() -> {
                        opt.zeroGrad();
                        Tensor l = loss(ps.get(0).value(), ps.get(1).value()).mul(Double.NaN);
                        l.backward();
                        return l;
                    });
                    if (opt.nonFinitePolicy() == Optimizer.NonFinitePolicy.THROW) {
                        assertThrows(NonFiniteGradientException.class, bad::run, name);
                    } else {
                        bad.run();
                        assertEquals(1, opt.skippedSteps(), name);
                    }
                }
                assertEquals(taken, opt.stepCount(), name);
                assertArrayEquals(before, values(ps), name + ": the weights must not change");
            } finally {
                close(ps);
            }
        });
    }

    @TestFactory
    List<DynamicTest> transformsKeepTheirStateStructureAndMapZeroToZero() {
        List<DynamicTest> tests = new ArrayList<>();
        transforms().forEach((name, t) -> tests.add(DynamicTest.dynamicTest(name, () -> NoLeaks.assertFreed(name, () -> {
            try (Scope s = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
                TensorTree params = TensorTree.sequence(TensorTree.leaf(Tensor.of(W0).reshape(3, 2)), TensorTree.leaf(Tensor.of(B0)));
                TensorTree state = t.init(params);
                TensorTree grads = params.map(p -> p.mul(0.5).add(0.25));
                GradientTransform.Update u = t.update(grads, state, params);
                assertTrue(u.state().structureEquals(state), name + ": the state keeps its structure");
                assertTrue(u.updates().structureEquals(params), name + ": the updates have the parameters' structure");
                if (zeroGradientIsFixedPoint(name)) {
                    GradientTransform.Update z = t.update(params.zerosLike(), t.init(params), params);
                    for (Tensor leaf : z.updates().leaves()) {
                        assertEquals(0.0, leaf.abs().max().item(), name + ": a zero gradient gives a zero update");
                    }
                }
            }
        }))));
        return tests;
    }
}
