package dev.proxima.optim;

import dev.proxima.nn.Parameter;
import dev.proxima.tensor.Autodiff;
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
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The second-order and sharpness-aware optimizers against the trajectories that
 * {@code src/test/python/second_order_torch.py} computes with torch 1.13 from the papers' equations, on the
 * tiny problem of {@link TorchTrajectoryTest} (F64). Sophia and AdaHessian get the exact Hessian diagonal
 * there and here, so that the update rules are compared exactly.
 */
@ExtendWith(NoLeaks.class)
class SecondOrderTorchTest {

    static ReferenceTable table;

    @BeforeAll
    static void read() throws IOException {
        try (InputStream in = SecondOrderTorchTest.class.getResourceAsStream("second_order_torch.txt")) {
            table = ReferenceTable.read(in);
        }
        try (InputStream in = SecondOrderTorchTest.class.getResourceAsStream("torch_optimizers.txt")) {
            TorchTrajectoryTest.table = ReferenceTable.read(in);
        }
    }

    private static final Function<TensorTree, Tensor> LOSS = p -> TorchTrajectoryTest.loss(p.leaves().get(0), p.leaves().get(1));

    /** The exact diagonal of the Hessian, one Hessian–vector product per coordinate. */
    static final HessianEstimator EXACT_DIAGONAL = (params, grads, step) -> {
        UnaryOperator<TensorTree> hvp = HessianVectorProducts.of(LOSS).at(params, grads);
        List<Tensor> leaves = params.leaves();
        List<double[]> diag = new ArrayList<>();
        for (Tensor t : leaves) {
            diag.add(new double[(int) t.size()]);
        }
        for (int l = 0; l < leaves.size(); l++) {
            for (int i = 0; i < diag.get(l).length; i++) {
                try (Scope s = Scope.open()) {
                    List<Tensor> basis = new ArrayList<>();
                    for (int j = 0; j < leaves.size(); j++) {
                        double[] e = new double[(int) leaves.get(j).size()];
                        if (j == l) {
                            e[i] = 1;
                        }
                        basis.add(Tensor.of(e).reshape(leaves.get(j).shape()));
                    }
                    diag.get(l)[i] = hvp.apply(params.withLeaves(basis)).leaves().get(l).toDoubleArray()[i];
                }
            }
        }
        List<Tensor> out = new ArrayList<>();
        for (int l = 0; l < leaves.size(); l++) {
            out.add(Tensor.of(diag.get(l)).reshape(leaves.get(l).shape()));
        }
        return params.withLeaves(out);
    };

    /** The cases of the script, with the same configurations; a closure that calls backward() or only returns the loss. */
    private record Case(Function<List<Parameter>, Optimizer> make, boolean lossOnly, double tolerance) {
    }

    private static Map<String, Case> cases() {
        Map<String, Case> m = new LinkedHashMap<>();
        m.put("sophia", new Case(Sophia.builder().lr(0.05).betas(0.9, 0.95).rho(0.5).eps(1e-3).updateEvery(2).weightDecay(0.1)
                .estimator(EXACT_DIAGONAL)::build, true, 1e-12));
        m.put("adahessian", new Case(AdaHessian.builder().lr(0.1).betas(0.9, 0.999).eps(1e-4).hessianPower(1).weightDecay(0.01)
                .estimator(EXACT_DIAGONAL)::build, true, 1e-12));
        m.put("adahessian_half_power", new Case(AdaHessian.builder().lr(0.1).betas(0.8, 0.99).eps(1e-3).hessianPower(0.5)
                .estimator(EXACT_DIAGONAL)::build, true, 1e-12));
        m.put("mfac", new Case(MFAC.builder().lr(0.05).historySize(3).damping(0.5).momentum(0.9).weightDecay(0.01)::build, false, 1e-12));
        m.put("regularized_newton", new Case(GradientRegularizedNewton.builder().lr(0.8).lipschitz(2).maxIter(50).tol(1e-15)::build,
                true, 1e-10));
        m.put("sam_sgd", new Case(p -> SAM.builder().rho(0.05).build(SGD.builder().lr(0.05).momentum(0.9).build(p)), false, 1e-12));
        m.put("asam_sgd", new Case(p -> SAM.builder().rho(0.5).adaptive(true).eta(0.01)
                .build(SGD.builder().lr(0.05).momentum(0.9).build(p)), false, 1e-12));
        return m;
    }

    private static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol * Math.max(1, Math.abs(expected[i])),
                    what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]);
        }
    }

    @TestFactory
    List<DynamicTest> statefulOptimizersFollowTheTorchEquations() {
        List<DynamicTest> tests = new ArrayList<>();
        cases().forEach((name, c) -> tests.add(DynamicTest.dynamicTest(name, () -> NoLeaks.assertFreed(name, () -> {
            try (Scope outer = Scope.open();
                 Parameter w = new Parameter(TorchTrajectoryTest.table.tensor("problem/w0"), true);
                 Parameter b = new Parameter(TorchTrajectoryTest.table.tensor("problem/b0"), true);
                 Optimizer opt = c.make().apply(List.of(w, b))) {
                int k = 1;
                while (table.contains(name + "/" + k + ".w")) {
                    try (Scope s = Scope.open()) {
                        opt.step(() -> {
                            opt.zeroGrad();
                            Tensor l = TorchTrajectoryTest.loss(w.value(), b.value());
                            if (!c.lossOnly()) {
                                l.backward();
                            }
                            return l;
                        });
                    }
                    assertClose(table.values(name + "/" + k + ".w"), w.value().toDoubleArray(), c.tolerance(), name + " step " + k + " w");
                    assertClose(table.values(name + "/" + k + ".b"), b.value().toDoubleArray(), c.tolerance(), name + " step " + k + " b");
                    k++;
                }
                assertEquals(6, k, name + ": five fixture steps");
            }
        }))));
        return tests;
    }

    @TestFactory
    List<DynamicTest> functionalTransformsFollowTheTorchEquations() {
        Map<String, GradientTransform> m = new LinkedHashMap<>();
        m.put("sophia", GradientTransform.chain(Sophia.scaleBySophia(0.9, 0.95, 0.5, 1e-3, 2, EXACT_DIAGONAL),
                Transforms.addDecayedWeights(0.1), Transforms.scaleByLearningRate(0.05)));
        m.put("adahessian", GradientTransform.chain(AdaHessian.scaleByAdaHessian(0.9, 0.999, 1e-4, 1, true, EXACT_DIAGONAL),
                Transforms.addDecayedWeights(0.01), Transforms.scaleByLearningRate(0.1)));
        m.put("mfac", GradientTransform.chain(Transforms.addDecayedWeights(0.01), MFAC.scaleByInverseFisher(3, 0.5),
                Transforms.momentum(0.9, 0, false), Transforms.scaleByLearningRate(0.05)));
        List<DynamicTest> tests = new ArrayList<>();
        m.forEach((name, t) -> tests.add(DynamicTest.dynamicTest(name, () -> NoLeaks.assertFreed(name, () -> {
            try (Scope s = Scope.open()) {
                TensorTree params = TensorTree.sequence(TensorTree.leaf(TorchTrajectoryTest.table.tensor("problem/w0")),
                        TensorTree.leaf(TorchTrajectoryTest.table.tensor("problem/b0")));
                TensorTree state = t.init(params);
                for (int k = 1; k <= 5; k++) {
                    GradientTransform.Step step = t.step(params, Autodiff.grad(LOSS, params), state);
                    params = step.params();
                    state = step.state();
                    assertClose(table.values(name + "/" + k + ".w"), params.get("0").toDoubleArray(), 1e-12, name + " step " + k);
                    assertClose(table.values(name + "/" + k + ".b"), params.get("1").toDoubleArray(), 1e-12, name + " step " + k);
                }
            }
        }))));
        return tests;
    }
}
