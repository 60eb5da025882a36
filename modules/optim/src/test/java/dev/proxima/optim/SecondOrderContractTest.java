package dev.proxima.optim;

import dev.proxima.nn.Parameter;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;
import dev.proxima.tensor.sim.SimBackend;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The optimizer contract on M-FAC, SAM/ASAM and TRAM (whose closures call {@code backward()} as the
 * contract's do) and on every second-order transform; and the same checks, with a closure that returns
 * the loss, on the stateful optimizers that take Hessian–vector products (Sophia, AdaHessian,
 * gradient-regularized Newton).
 */
class SecondOrderContractTest extends OptimizerContract {

    private static final Function<TensorTree, Tensor> LOSS = p -> loss(p.leaves().get(0), p.leaves().get(1));

    @Override
    protected Map<String, Function<List<Parameter>, Optimizer>> optimizers() {
        Map<String, Function<List<Parameter>, Optimizer>> m = new LinkedHashMap<>();
        m.put("mfac", MFAC.builder().lr(0.05).historySize(3).damping(1.0)::build);
        m.put("mfac momentum wd skip", MFAC.builder().lr(0.05).historySize(2).damping(0.5).momentum(0.9).weightDecay(0.01)
                .nonFinite(Optimizer.NonFinitePolicy.SKIP_STEP)::build);
        m.put("sam sgd", p -> SAM.builder().rho(0.05).build(SGD.builder().lr(0.05).build(p)));
        m.put("asam adam skip", p -> SAM.builder().rho(0.5).adaptive(true)
                .build(Adam.builder().lr(0.01).nonFinite(Optimizer.NonFinitePolicy.SKIP_STEP).build(p)));
        m.put("tram sgd", p -> TRAM.builder().divergence(() -> 0.1).build(SGD.builder().lr(0.05).momentum(0.5).build(p)));
        return m;
    }

    @Override
    protected Map<String, GradientTransform> transforms() {
        Map<String, GradientTransform> m = new LinkedHashMap<>();
        HessianEstimator hutchinson = HessianEstimator.hutchinson(HessianVectorProducts.of(LOSS), Rng.seed(1));
        m.put("scaleBySophia", Sophia.scaleBySophia(0.9, 0.99, 0.04, 1e-12, 1, hutchinson));
        m.put("scaleByAdaHessian", AdaHessian.scaleByAdaHessian(0.9, 0.999, 1e-4, 1, true, hutchinson));
        m.put("scaleByInverseFisher", MFAC.scaleByInverseFisher(3, 0.1));
        m.put("scaleByRegularizedNewton", GradientRegularizedNewton.scaleByRegularizedNewton(1.0, 10, 1e-10, HessianVectorProducts.of(LOSS)));
        return m;
    }

    @Override
    protected boolean zeroGradientIsFixedPoint(String name) {
        return !name.equals("mfac momentum wd skip");
    }

    // ------------------------------------------------------------------ the optimizers that differentiate the loss themselves

    private static Map<String, Function<List<Parameter>, Optimizer>> graphOptimizers() {
        Map<String, Function<List<Parameter>, Optimizer>> m = new LinkedHashMap<>();
        m.put("sophia", Sophia.builder().lr(0.01).updateEvery(2).seed(3)::build);
        m.put("sophia skip", Sophia.builder().lr(0.01).nonFinite(Optimizer.NonFinitePolicy.SKIP_STEP)::build);
        m.put("adahessian", AdaHessian.builder().lr(0.05).seed(4)::build);
        m.put("regularized newton", GradientRegularizedNewton.builder().lr(0.5).lipschitz(2).maxIter(5)::build);
        return m;
    }

    private static void lossStep(Optimizer opt, List<Parameter> ps) {
        try (Scope s = Scope.open()) {
            opt.step(() -> loss(ps.get(0).value(), ps.get(1).value()));
        }
    }

    private static List<DynamicTest> eachGraph(String what, java.util.function.BiConsumer<String, Function<List<Parameter>, Optimizer>> body) {
        List<DynamicTest> tests = new ArrayList<>();
        graphOptimizers().forEach((name, make) -> tests.add(DynamicTest.dynamicTest(name + ": " + what,
                () -> NoLeaks.assertFreed(name, () -> body.accept(name, make)))));
        return tests;
    }

    @TestFactory
    List<DynamicTest> graphOptimizersResumeBitIdenticallyFromTheirStateFile() {
        return eachGraph("state round trip", (name, make) -> {
            List<Parameter> a = params(Device.CPU);
            List<Parameter> b = params(Device.CPU);
            try {
                try (Optimizer straight = make.apply(a); Optimizer first = make.apply(b)) {
                    for (int i = 0; i < 6; i++) {
                        lossStep(straight, a);
                    }
                    for (int i = 0; i < 3; i++) {
                        lossStep(first, b);
                    }
                    first.save(dir.resolve("second.safetensors"));
                }
                try (Optimizer resumed = make.apply(b)) {
                    resumed.load(dir.resolve("second.safetensors"));
                    for (int i = 0; i < 3; i++) {
                        lossStep(resumed, b);
                    }
                }
                assertArrayEquals(values(a), values(b), name + " resumed must equal the uninterrupted run bit for bit");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                close(a);
                close(b);
            }
        });
    }

    @TestFactory
    List<DynamicTest> graphOptimizersGiveTheSameStepsOnTheSimulatedDevice() {
        return eachGraph("simulated device", (name, make) -> {
            List<Parameter> cpu = params(Device.CPU);
            List<Parameter> sim = params(SimBackend.SIM);
            try (Optimizer a = make.apply(cpu); Optimizer b = make.apply(sim)) {
                for (int i = 0; i < 3; i++) {
                    lossStep(a, cpu);
                    lossStep(b, sim);
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
    List<DynamicTest> graphOptimizersRefuseOrSkipNonFiniteGradientsWithoutChangingAnything() {
        return eachGraph("non-finite gradient", (name, make) -> {
            List<Parameter> ps = params(Device.CPU);
            try (Optimizer opt = make.apply(ps)) {
                lossStep(opt, ps);
                double[] before = values(ps);
                try (Scope s = Scope.open()) {
                    Runnable bad = () -> opt.step(() -> loss(ps.get(0).value(), ps.get(1).value()).mul(Double.NaN));
                    if (opt.nonFinitePolicy() == Optimizer.NonFinitePolicy.THROW) {
                        assertThrows(NonFiniteGradientException.class, bad::run, name);
                    } else {
                        bad.run();
                        assertEquals(1, opt.skippedSteps(), name);
                    }
                }
                assertEquals(1, opt.stepCount(), name);
                assertArrayEquals(before, values(ps), name + ": the weights must not change");
            } finally {
                close(ps);
            }
        });
    }

    @TestFactory
    List<DynamicTest> graphOptimizersLeaveTheParametersAloneOnAZeroGradient() {
        return eachGraph("zero gradient", (name, make) -> {
            List<Parameter> ps = params(Device.CPU);
            try (Optimizer opt = make.apply(ps)) {
                double[] before = values(ps);
                for (int i = 0; i < 2; i++) {
                    try (Scope s = Scope.open()) {
                        opt.step(() -> ps.get(0).value().mul(0.0).sum().add(ps.get(1).value().mul(0.0).sum()));
                    }
                }
                if (!Set.of("sophia", "sophia skip").contains(name)) {
                    assertArrayEquals(before, values(ps), name);
                } else {
                    // Sophia's default decoupled weight decay (0.1) shrinks θ by η·λ per step even at a zero gradient
                    double shrink = (1 - 0.01 * 0.1) * (1 - 0.01 * 0.1);
                    double[] expected = before.clone();
                    for (int i = 0; i < expected.length; i++) {
                        expected[i] *= shrink;
                    }
                    assertArrayEquals(expected, values(ps), 1e-15, name);
                }
            } finally {
                close(ps);
            }
        });
    }
}
