package dev.proxima.optim;

import dev.proxima.nn.Parameter;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;
import dev.proxima.testkit.NoLeaks;
import dev.proxima.testkit.ReferenceTable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first steps of every optimizer on the fixed problem of {@code src/test/python/torch_optimizers.py}, against
 * torch 1.13's trajectories in F64 (Lion and AdaGrad-Norm against the papers' equations run by the same script),
 * through the stateful optimizer and, for the optimizers that are chains, through the functional form.
 */
@ExtendWith(NoLeaks.class)
class TorchTrajectoryTest {

    static ReferenceTable table;

    @BeforeAll
    static void read() throws IOException {
        try (InputStream in = TorchTrajectoryTest.class.getResourceAsStream("torch_optimizers.txt")) {
            table = ReferenceTable.read(in);
        }
    }

    /** The cases of the script, with the same configurations. */
    static Map<String, OptimizerBuilder<?>> cases() {
        Map<String, OptimizerBuilder<?>> m = new LinkedHashMap<>();
        m.put("sgd_plain", SGD.builder().lr(0.1));
        m.put("sgd_momentum", SGD.builder().lr(0.05).momentum(0.9));
        m.put("sgd_dampening_wd", SGD.builder().lr(0.05).momentum(0.9).dampening(0.3).weightDecay(0.01));
        m.put("sgd_nesterov_wd", SGD.builder().lr(0.05).momentum(0.9).nesterov(true).weightDecay(0.01));
        m.put("sgd_maximize", SGD.builder().lr(0.01).momentum(0.5).maximize(true));
        m.put("adam_default", Adam.builder().lr(0.01));
        m.put("adam_amsgrad_wd", Adam.builder().lr(0.01).betas(0.8, 0.99).eps(1e-6).weightDecay(0.1).amsgrad(true));
        m.put("adam_maximize", Adam.builder().lr(0.01).maximize(true));
        m.put("adamw", AdamW.builder().lr(0.01).weightDecay(0.1));
        m.put("adamw_amsgrad", AdamW.builder().lr(0.02).betas(0.85, 0.98).weightDecay(0.05).amsgrad(true));
        m.put("adagrad", Adagrad.builder().lr(0.1));
        m.put("adagrad_decay_wd", Adagrad.builder().lr(0.1).lrDecay(0.05).weightDecay(0.01).initialAccumulatorValue(0.1).eps(1e-8));
        m.put("rmsprop", RMSprop.builder().lr(0.01));
        m.put("rmsprop_centered_momentum_wd", RMSprop.builder().lr(0.01).alpha(0.9).eps(1e-6).weightDecay(0.01).momentum(0.5).centered(true));
        m.put("lion", Lion.builder().lr(0.01).betas(0.9, 0.99).weightDecay(0.1));
        m.put("adagrad_norm", AdaGradNorm.builder().lr(0.5).b0(0.1));
        return m;
    }

    /** The optimizers that are not chains (no functional form), by fixture case. */
    static Map<String, Function<List<Parameter>, Optimizer>> closureOptimizers() {
        Map<String, Function<List<Parameter>, Optimizer>> m = new LinkedHashMap<>();
        m.put("lbfgs", LBFGS.builder().lr(1).maxIter(5).historySize(10)::build);
        m.put("lbfgs_strong_wolfe", LBFGS.builder().lr(1).maxIter(5).historySize(3).lineSearch(LBFGS.LineSearch.STRONG_WOLFE)::build);
        return m;
    }

    static Tensor loss(Tensor w, Tensor b) {
        Tensor x = table.tensor("problem/X");
        Tensor y = table.tensor("problem/Y");
        return x.matmul(w).add(b).sub(y).square().mean().add(w.square().square().sum().mul(0.05));
    }

    static int steps(String name) {
        int k = 0;
        while (table.contains(name + "/" + (k + 1) + ".w")) {
            k++;
        }
        return k;
    }

    static void assertStep(String name, int k, Tensor w, Tensor b) {
        assertClose(table.values(name + "/" + k + ".w"), w.toDoubleArray(), name + " step " + k + " w");
        assertClose(table.values(name + "/" + k + ".b"), b.toDoubleArray(), name + " step " + k + " b");
    }

    static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-12 * Math.max(1, Math.abs(expected[i]));
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol,
                    what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i] + " (diff " + (actual[i] - expected[i]) + ")");
        }
    }

    /** Runs a stateful optimizer from (w0, b0) and checks every recorded step. */
    static void runStateful(String name, Function<List<Parameter>, Optimizer> make) {
        try (Scope outer = Scope.open();
             Parameter w = new Parameter(table.tensor("problem/w0"), true);
             Parameter b = new Parameter(table.tensor("problem/b0"), true);
             Optimizer opt = make.apply(List.of(w, b))) {
            int n = steps(name);
            assertTrue(n > 0, "no fixture rows for " + name);
            for (int k = 1; k <= n; k++) {
                try (Scope s = Scope.open()) {
                    opt.step(() -> {
                        opt.zeroGrad();
                        Tensor l = loss(w.value(), b.value());
                        l.backward();
                        return l;
                    });
                }
                assertStep(name, k, w.value(), b.value());
            }
            assertEquals(n, opt.stepCount());
        }
    }

    @TestFactory
    List<DynamicTest> statefulOptimizersFollowTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        cases().forEach((name, builder) -> tests.add(DynamicTest.dynamicTest(name,
                () -> NoLeaks.assertFreed(name, () -> runStateful(name, builder::build)))));
        closureOptimizers().forEach((name, make) -> tests.add(DynamicTest.dynamicTest(name,
                () -> NoLeaks.assertFreed(name, () -> runStateful(name, make)))));
        return tests;
    }

    @TestFactory
    List<DynamicTest> functionalChainsFollowTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        cases().forEach((name, builder) -> tests.add(DynamicTest.dynamicTest(name, () -> NoLeaks.assertFreed(name, () -> {
            GradientTransform t = builder.transform();
            try (Scope s = Scope.open()) {
                TensorTree params = TensorTree.sequence(TensorTree.leaf(table.tensor("problem/w0")), TensorTree.leaf(table.tensor("problem/b0")));
                TensorTree state = t.init(params);
                for (int k = 1; k <= steps(name); k++) {
                    TensorTree grads = dev.proxima.tensor.Autodiff.grad(p -> loss(p.get("0"), p.get("1")), params);
                    GradientTransform.Step step = t.step(params, grads, state);
                    params = step.params();
                    state = step.state();
                    assertStep(name, k, params.get("0"), params.get("1"));
                }
            }
        }))));
        return tests;
    }
}
