package dev.proxima.optim;

import dev.proxima.nn.Parameter;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.BackwardOptions;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Convergence to known minimisers: a strongly convex quadratic (closed-form solution A⁻¹b), the Rosenbrock
 * function (minimum at (1, 1)) with L-BFGS, and L2-regularised logistic regression (first-order optimality, and
 * Adam agreeing with L-BFGS); and the functional form differentiated through an update.
 */
@ExtendWith(NoLeaks.class)
class ConvergenceTest {

    /** Runs {@code steps} closure steps of {@code loss} on {@code p}. */
    static double train(Optimizer opt, Parameter p, Function<Tensor, Tensor> loss, int steps) {
        double last = Double.NaN;
        for (int i = 0; i < steps; i++) {
            try (Scope s = Scope.open()) {
                Supplier<Tensor> closure = () -> {
                    opt.zeroGrad();
                    Tensor l = loss.apply(p.value());
                    l.backward();
                    return l;
                };
                last = opt.step(closure).item();
            }
        }
        return last;
    }

    @Test
    void everyOptimizerSolvesAStronglyConvexQuadratic() {
        // f(x) = ½ xᵀAx − bᵀx with A = [[3, 1, 0], [1, 2, 0.5], [0, 0.5, 1]], b = (1, −2, 0.5): x* = A⁻¹b
        double[] a = {3, 1, 0, 1, 2, 0.5, 0, 0.5, 1};
        double[] b = {1, -2, 0.5};
        double[] solution;
        try (Scope s = Scope.open()) {
            solution = dev.proxima.tensor.Linalg.solve(Tensor.of(a).reshape(3, 3), Tensor.of(b).reshape(3, 1)).reshape(3).toDoubleArray();
        }
        Function<Tensor, Tensor> f = x -> {
            Tensor am = Tensor.of(a).reshape(3, 3);
            return x.matmul(am.matmul(x)).mul(0.5).sub(x.mul(Tensor.of(b)).sum());
        };
        Map<String, Function<List<Parameter>, Optimizer>> cases = Map.of(
                "sgd momentum nesterov", SGD.builder().lr(0.1).momentum(0.9).nesterov(true)::build,
                "adam", Adam.builder().lr(Schedule.cosine(0.1, 500, 1e-6))::build,
                "adam amsgrad", Adam.builder().lr(Schedule.cosine(0.1, 500, 1e-6)).amsgrad(true)::build,
                "rmsprop centered", RMSprop.builder().lr(Schedule.cosine(0.02, 500, 1e-7)).centered(true)::build,
                "adagrad", Adagrad.builder().lr(0.5)::build,
                "adagrad-norm", AdaGradNorm.builder().lr(0.5).b0(1)::build,
                "lbfgs", LBFGS.builder().lineSearch(LBFGS.LineSearch.STRONG_WOLFE)::build);
        cases.forEach((name, make) -> {
            try (Scope s = Scope.open(); Parameter x = new Parameter(Tensor.zeros(DType.F64, 3), true); Optimizer opt = make.apply(List.of(x))) {
                train(opt, x, f, name.equals("lbfgs") ? 3 : 500);
                assertArrayEquals(solution, x.value().toDoubleArray(), 1e-5, name);
            }
        });
    }

    @Test
    void lbfgsWithStrongWolfeFindsTheRosenbrockMinimum() {
        Function<Tensor, Tensor> rosen = x -> {
            Tensor x0 = x.slice(0, 0, 1, 1);
            Tensor x1 = x.slice(0, 1, 2, 1);
            return x1.sub(x0.square()).square().mul(100).add(x0.neg().add(1).square()).sum();
        };
        try (Scope s = Scope.open(); Parameter x = new Parameter(Tensor.of(-1.5, 2.0), true);
             Optimizer opt = LBFGS.builder().historySize(10).maxIter(50).toleranceChange(1e-15).toleranceGrad(1e-12).lineSearch(LBFGS.LineSearch.STRONG_WOLFE).build(List.of(x))) {
            double loss = train(opt, x, rosen, 5);
            assertArrayEquals(new double[]{1, 1}, x.value().toDoubleArray(), 1e-6);
            assertTrue(loss < 1e-10, "loss " + loss);
        }
    }

    @Test
    void adamAndLbfgsAgreeOnRegularisedLogisticRegression() {
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seed(5);
            Tensor xs = rng.normal(DType.F64, 0, 1, 200, 3);
            Tensor truth = Tensor.of(1.5, -2.0, 0.5);
            Tensor labels = xs.matmul(truth).add(rng.normal(DType.F64, 0, 1, 200)).gt(0.0).cast(DType.F64);
            // mean log-loss + 0.01·‖w‖²: log(1 + e^z) − y·z, z = x·w
            Function<Tensor, Tensor> loss = w -> {
                Tensor z = xs.matmul(w);
                Tensor softplus = z.maximum(0.0).add(z.abs().neg().exp().log1p());
                return softplus.sub(labels.mul(z)).mean().add(w.square().sum().mul(0.01));
            };
            double[] wLbfgs;
            try (Parameter w = new Parameter(Tensor.zeros(DType.F64, 3), true);
                 Optimizer opt = LBFGS.builder().toleranceChange(1e-15).toleranceGrad(1e-10).lineSearch(LBFGS.LineSearch.STRONG_WOLFE)
                         .build(List.of(w))) {
                train(opt, w, loss, 5);
                wLbfgs = w.value().toDoubleArray();
                Tensor grad = Autodiff.grad(loss, w.value().detach());
                assertTrue(grad.abs().max().item() < 1e-9, "first-order optimality: " + grad);
            }
            try (Parameter w = new Parameter(Tensor.zeros(DType.F64, 3), true);
                 Optimizer opt = Adam.builder().lr(Schedule.cosine(0.1, 1500, 1e-5)).build(List.of(w))) {
                train(opt, w, loss, 1500);
                assertArrayEquals(wLbfgs, w.value().toDoubleArray(), 1e-4);
            }
        }
    }

    @Test
    void theFunctionalStepIsDifferentiableThroughTheUpdate() {
        // f(w) = ½ Σ aᵢwᵢ²; one SGD step w₁ = w − lr·a∘w; d(Σ w₁)/dw = 1 − lr·a
        double lr = 0.1;
        GradientTransform sgd = SGD.builder().lr(lr).transform();
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(1.0, 2.0, 4.0);
            Tensor w0 = Tensor.of(0.5, -1.0, 2.0);
            Tensor hyper = Autodiff.grad(w -> {
                Tensor g = Autodiff.gradients(w.square().mul(a).sum().mul(0.5), null, BackwardOptions.creatingGraph(), w)[0];
                TensorTree params = TensorTree.leaf(w);
                GradientTransform.Step step = sgd.step(params, TensorTree.leaf(g), sgd.init(params));
                return step.params().get("").sum();
            }, w0);
            assertArrayEquals(new double[]{0.9, 0.8, 0.6}, hyper.toDoubleArray(), 1e-15);
            assertEquals(3, hyper.size());
        }
    }
}
