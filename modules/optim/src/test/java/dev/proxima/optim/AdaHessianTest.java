package dev.proxima.optim;

import dev.proxima.nn.Linear;
import dev.proxima.nn.Losses;
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

import java.util.LinkedHashMap;
import java.util.SequencedMap;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class AdaHessianTest {

    private static final double[] D = {2.0, -1.0, 0.5};
    private static final Function<TensorTree, Tensor> DIAGONAL = p -> p.get("").square().mul(Tensor.of(D)).sum().mul(0.5);

    @Test
    void firstTwoStepsByHandOnADiagonalQuadratic() {
        try (Scope scope = Scope.open()) {
            // |z ⊙ Hz| = |d| exactly; with k = 1 the bias-corrected denominator is |d| + ε at every step
            double b1 = 0.9;
            double eps = 1e-4;
            double lr = 0.5;
            HessianEstimator exact = HessianEstimator.hutchinson(HessianVectorProducts.of(DIAGONAL), Rng.seed(1));
            GradientTransform ada = GradientTransform.chain(AdaHessian.scaleByAdaHessian(b1, 0.999, eps, 1, true, exact),
                    Transforms.scaleByLearningRate(lr));
            double[] theta0 = {1.0, 1.0, 4.0};
            TensorTree theta = TensorTree.leaf(Tensor.of(theta0));
            TensorTree state = ada.init(theta);
            // step 1: m̂ = g = dθ, so θ₁ = θ₀ − η·dθ₀/(|d| + ε): a damped Newton step where d > 0
            double[] theta1 = new double[3];
            double[] g1 = new double[3];
            for (int i = 0; i < 3; i++) {
                g1[i] = D[i] * theta0[i];
                theta1[i] = theta0[i] - lr * g1[i] / (Math.abs(D[i]) + eps);
            }
            GradientTransform.Step s1 = ada.step(theta, Autodiff.grad(DIAGONAL, theta), state);
            assertArrayEquals(theta1, s1.params().get("").toDoubleArray(), 1e-12);
            // step 2: m̂ = (β₁(1 − β₁)g₁ + (1 − β₁)g₂)/(1 − β₁²)
            double[] theta2 = new double[3];
            for (int i = 0; i < 3; i++) {
                double g2 = D[i] * theta1[i];
                double mHat = (b1 * (1 - b1) * g1[i] + (1 - b1) * g2) / (1 - b1 * b1);
                theta2[i] = theta1[i] - lr * mHat / (Math.abs(D[i]) + eps);
            }
            GradientTransform.Step s2 = ada.step(s1.params(), Autodiff.grad(DIAGONAL, s1.params()), s1.state());
            assertArrayEquals(theta2, s2.params().get("").toDoubleArray(), 1e-12);
        }
    }

    @Test
    void hessianPowerZeroIsBiasCorrectedMomentum() {
        try (Scope scope = Scope.open()) {
            HessianEstimator exact = HessianEstimator.hutchinson(HessianVectorProducts.of(DIAGONAL), Rng.seed(2));
            GradientTransform ada = AdaHessian.scaleByAdaHessian(0.9, 0.999, 0.25, 0, true, exact);
            TensorTree theta = TensorTree.leaf(Tensor.of(1.0, 1.0, 4.0));
            GradientTransform.Update u = ada.update(Autodiff.grad(DIAGONAL, theta), ada.init(theta), theta);
            // (√v)⁰ = 1: the direction is m̂/(1 + ε) = g/1.25
            assertArrayEquals(new double[]{2 / 1.25, -1 / 1.25, 2 / 1.25}, u.updates().get("").toDoubleArray(), 1e-15);
        }
    }

    @Test
    void convolutionKernelsShareOneCurvaturePerKernelPosition() {
        try (Scope scope = Scope.open()) {
            // L = ½·Σ c·k² over a [2, 1, 2, 2] kernel with per-entry curvatures c: v gets the mean of |c|² per (out, in)
            double[] c = {1, 2, 3, 4, 5, 6, 7, 8};
            Tensor curv = Tensor.of(c).reshape(2, 1, 2, 2);
            Function<TensorTree, Tensor> loss = p -> p.get("k").square().mul(curv).sum().mul(0.5);
            SequencedMap<String, Tensor> m = new LinkedHashMap<>();
            m.put("k", Tensor.ones(DType.F64, 2, 1, 2, 2));
            TensorTree params = TensorTree.ofTensors(m);
            HessianEstimator exact = HessianEstimator.hutchinson(HessianVectorProducts.of(loss), Rng.seed(3));
            GradientTransform ada = AdaHessian.scaleByAdaHessian(0.5, 0.5, 1e-12, 1, true, exact);
            GradientTransform.Update u = ada.update(Autodiff.grad(loss, params), ada.init(params), params);
            TensorTree.Dict s = (TensorTree.Dict) u.state();
            double[] v = s.entries().get("v").get("k").toDoubleArray();
            assertArrayEquals(new double[]{3.125, 3.125, 3.125, 3.125, 21.125, 21.125, 21.125, 21.125}, v, 1e-12,
                    "v = (1 − β₂)·mean(|c|)² = 0.5·2.5² and 0.5·6.5²");
        }
    }

    @Test
    void theStatefulOptimizerFitsALeastSquaresModelWithPyTorchsClosureRecipe() {
        try (Scope scope = Scope.open(); Linear model = new Linear(3, 1, true, DType.F64, Rng.seed(4));
             Optimizer opt = AdaHessian.builder().lr(0.3).seed(5).build(model.parameters())) {
            Tensor x = Rng.seed(6).normal(DType.F64, 0, 1, 32, 3);
            Tensor y = x.matmul(Tensor.of(1.0, -2.0, 0.5).reshape(3, 1)).add(0.3);
            double first = Double.NaN;
            double last = Double.NaN;
            for (int i = 0; i < 150; i++) {
                try (Scope step = Scope.open()) {
                    double l = opt.step(() -> {
                        opt.zeroGrad();
                        Tensor loss = Losses.mse(model.forward(x), y, Losses.Reduction.MEAN);
                        loss.backward(null, BackwardOptions.creatingGraph());   // torch's AdaHessian recipe
                        return loss;
                    }).item();
                    first = i == 0 ? l : first;
                    last = l;
                }
            }
            assertTrue(last < 1e-6 * first, "loss " + first + " → " + last);
        }
    }

    @Test
    void badHyperParametersAreRefusedWithTheirValue() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AdaHessian.builder().hessianPower(1.5))
                .getMessage().contains("1.5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AdaHessian.builder().eps(-1))
                .getMessage().contains("eps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AdaHessian.builder().betas(1, 0.9))
                .getMessage().contains("beta1"));
    }
}
