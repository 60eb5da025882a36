package dev.proxima.optim;

import dev.proxima.nn.Linear;
import dev.proxima.nn.Losses;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class SophiaTest {

    /** L = ½·Σ dᵢθᵢ² with d = [2, −1, 0.5]: a diagonal Hessian (so Hutchinson's estimate is exact), one negative direction. */
    private static final Function<TensorTree, Tensor> DIAGONAL = p -> p.get("").square().mul(Tensor.of(2.0, -1.0, 0.5)).sum().mul(0.5);

    @Test
    void firstThreeStepsMatchThePapersEquationsByHand() {
        try (Scope scope = Scope.open()) {
            // β₁ = β₂ = 0.5, ρ = 4, ε = 1e-3, k = 2, η = 0.1
            HessianEstimator exact = HessianEstimator.hutchinson(HessianVectorProducts.of(DIAGONAL), Rng.seed(1));
            GradientTransform sophia = GradientTransform.chain(Sophia.scaleBySophia(0.5, 0.5, 4, 1e-3, 2, exact),
                    Transforms.scaleByLearningRate(0.1));
            TensorTree theta = TensorTree.leaf(Tensor.of(1.0, 1.0, 4.0));
            TensorTree state = sophia.init(theta);
            double[][] expected = {
                    // step 1 (refresh): g = [2, −1, 2], m = [1, −0.5, 1], h = [1, −0.5, 0.25]; max(ρh, ε) = [4, ε, 1]
                    // ratio = [0.25, −500, 1] → clip → [0.25, −1, 1]
                    {0.975, 1.1, 3.9},
                    // step 2 (no refresh): g = [1.95, −1.1, 1.95], m = [1.475, −0.8, 1.475]; ratio = [0.36875, −1, 1]
                    {0.938125, 1.2, 3.8},
                    // step 3 (refresh): g = [1.87625, −1.2, 1.9], m = [1.675625, −1, 1.6875], h = [1.5, −0.75, 0.375]
                    // max(ρh, ε) = [6, ε, 1.5]; ratio = [0.27927083…, −1, 1.125 → 1]
                    {0.938125 - 0.1 * 1.675625 / 6, 1.3, 3.7},
            };
            for (double[] want : expected) {
                TensorTree grads = Autodiff(theta);
                GradientTransform.Step step = sophia.step(theta, grads, state);
                theta = step.params();
                state = step.state();
                assertArrayEquals(want, theta.get("").toDoubleArray(), 1e-14);
            }
            // the negative-curvature coordinate moved away from the saddle (|θ₂| grew), by exactly η per step
            assertEquals(1.3, theta.get("").getDouble(1), 1e-14);
        }
    }

    private static TensorTree Autodiff(TensorTree theta) {
        return dev.proxima.tensor.Autodiff.grad(DIAGONAL, theta);
    }

    @Test
    void clippingBoundsEveryCoordinatesStepByTheLearningRate() {
        try (Scope scope = Scope.open()) {
            // a tiny curvature makes m/(ρh) huge: every coordinate moves by exactly η·sign(m)
            Function<TensorTree, Tensor> flat = p -> p.get("").square().mul(1e-9).sum().add(p.get("").mul(Tensor.of(3.0, -7.0)).sum());
            HessianEstimator est = HessianEstimator.hutchinson(HessianVectorProducts.of(flat), Rng.seed(2));
            GradientTransform sophia = GradientTransform.chain(Sophia.scaleBySophia(0.9, 0.99, 0.04, 1e-12, 10, est),
                    Transforms.scaleByLearningRate(0.01));
            TensorTree theta = TensorTree.leaf(Tensor.of(0.5, 0.5));
            TensorTree state = sophia.init(theta);
            GradientTransform.Step step = sophia.step(theta, dev.proxima.tensor.Autodiff.grad(flat, theta), state);
            assertArrayEquals(new double[]{0.49, 0.51}, step.params().get("").toDoubleArray(), 1e-15);
        }
    }

    @Test
    void badHyperParametersAreRefusedWithTheirValue() {
        HessianEstimator none = (p, g, t) -> p;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sophia.scaleBySophia(1.0, 0.99, 0.04, 1e-12, 10, none))
                .getMessage().contains("beta1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sophia.scaleBySophia(0.9, 0.99, -1, 1e-12, 10, none))
                .getMessage().contains("rho"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sophia.scaleBySophia(0.9, 0.99, 0.04, 0, 10, none))
                .getMessage().contains("eps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sophia.builder().updateEvery(0))
                .getMessage().contains("got 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sophia.builder().betas(0.9, -0.1))
                .getMessage().contains("-0.1"));
        assertThrows(IllegalArgumentException.class, () -> Sophia.builder().lr(0));
    }

    @Test
    void gaussNewtonBartlettIsUnbiasedForTheFisherOfASoftmaxRegression() {
        try (Scope scope = Scope.open()) {
            // one example x, logits z = W·x (W: 2×2): E[B·ĝ⊙ĝ] = diag of the Gauss–Newton matrix, xⱼ²·pₖ(1 − pₖ) for Wₖⱼ
            Tensor x = Tensor.of(1.0, -2.0).reshape(1, 2);
            Function<TensorTree, Tensor> logits = p -> x.matmul(p.get("").transpose());
            TensorTree w = TensorTree.leaf(Tensor.of(0.3, -0.2, 0.1, 0.4).reshape(2, 2));
            double z0 = 0.3 + 0.4;
            double z1 = 0.1 - 0.8;
            double p0 = Math.exp(z0) / (Math.exp(z0) + Math.exp(z1));
            // with B = 1 the estimate is xⱼ²·(pₖ − 1[ŷ = k])²: every entry xⱼ²·(1 − p₀)² when ŷ = 0, xⱼ²·p₀² when ŷ = 1,
            // so its mean is xⱼ²·p₀(1 − p₀), the Gauss–Newton diagonal, exactly when ŷ = 0 has probability p₀
            HessianEstimator gnb = HessianEstimator.gaussNewtonBartlett(logits, Rng.seed(3));
            int n = 200;
            int zeros = 0;
            for (int i = 0; i < n; i++) {
                try (Scope s = Scope.open()) {
                    double[] e = gnb.estimate(w, w, i).get("").toDoubleArray();
                    double q = Math.abs(e[0] - (1 - p0) * (1 - p0)) < 1e-12 ? 1 - p0 : p0;
                    zeros += q == 1 - p0 ? 1 : 0;
                    assertArrayEquals(new double[]{q * q, 4 * q * q, q * q, 4 * q * q}, e, 1e-12);
                }
            }
            assertEquals(p0, zeros / (double) n, 4 * Math.sqrt(p0 * (1 - p0) / n), "labels are drawn from softmax(z)");
        }
    }

    @Test
    void theStatefulOptimizerFitsALeastSquaresModelThroughItsClosure() {
        try (Scope scope = Scope.open(); Linear model = new Linear(3, 1, true, DType.F64, Rng.seed(4));
             Optimizer opt = Sophia.builder().lr(0.5).betas(0.9, 0.99).rho(1).weightDecay(0).updateEvery(1).seed(5).build(model.parameters())) {
            Tensor x = Rng.seed(6).normal(DType.F64, 0, 1, 32, 3);
            Tensor y = x.matmul(Tensor.of(1.0, -2.0, 0.5).reshape(3, 1)).add(0.3);
            double first = Double.NaN;
            double last = Double.NaN;
            for (int i = 0; i < 150; i++) {
                try (Scope step = Scope.open()) {
                    double l = opt.step(() -> Losses.mse(model.forward(x), y, Losses.Reduction.MEAN)).item();
                    if (i == 0) {
                        first = l;
                    }
                    last = l;
                }
            }
            assertTrue(last < 1e-6 * first, "loss " + first + " → " + last);
            assertArrayEquals(new double[]{1.0, -2.0, 0.5}, model.namedParameters().get("weight").value().toDoubleArray(), 3e-3);
            assertEquals(150, opt.stepCount());
            assertTrue(model.namedParameters().get("weight").grad() != null, "the step leaves the gradient in grad()");
        }
    }

    @Test
    void theStatefulStepNeedsAClosureReturningALossWithItsGraph() {
        try (Scope scope = Scope.open(); Linear model = new Linear(2, 1, true, DType.F64, Rng.seed(7));
             Optimizer opt = Sophia.builder().build(model.parameters())) {
            assertTrue(assertThrows(IllegalArgumentException.class, opt::step).getMessage().contains("step(closure)"));
            Tensor x = Tensor.of(1.0, 2.0).reshape(1, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.step(() -> {
                Tensor l = model.forward(x).sum();
                l.backward();
                return l.detach();
            }));
            assertTrue(e.getMessage().contains("freed the graph"), e.getMessage());
        }
    }
}
