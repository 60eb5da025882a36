package dev.proxima.optim;

import dev.proxima.nn.Linear;
import dev.proxima.nn.Losses;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Linalg;
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
class MfacAndNewtonTest {

    @Test
    void mfacDirectionIsTheDenseDampedFisherInverseTimesTheGradientAsTheWindowSlides() {
        try (Scope scope = Scope.open()) {
            int m = 4;
            double lambda = 0.1;
            GradientTransform mfac = MFAC.scaleByInverseFisher(m, lambda);
            Tensor g = Rng.seed(11).normal(DType.F64, 0, 1, 7, 5);   // 7 gradients: the window keeps the last 4
            TensorTree params = Quadratics.params(0, 0, 0, 0, 0);
            TensorTree state = mfac.init(params);
            for (int i = 0; i < 7; i++) {
                try (Scope step = Scope.open()) {
                    GradientTransform.Update u = mfac.update(Quadratics.params(g.select(0, i).toDoubleArray()), state, params);
                    // F = λI + (1/m)·Σ gⱼgⱼᵀ over the held gradients, this one included
                    Tensor held = g.slice(0, Math.max(0, i - m + 1), i + 1, 1);
                    Tensor f = Tensor.eye(5, DType.F64).mul(lambda).add(held.transpose(0, 1).matmul(held).div(m));
                    double[] expected = Linalg.solve(f, g.select(0, i).reshape(5, 1)).reshape(5).toDoubleArray();
                    assertArrayEquals(expected, Quadratics.flat(u.updates()), 1e-9, "after " + (i + 1) + " gradients");
                    state = u.state();
                    state.leaves().forEach(step::keep);
                }
            }
            assertEquals(7, ((TensorTree.Dict) state).entries().get("count").get("").getLong());
            assertTrue(assertThrows(IllegalArgumentException.class, () -> MFAC.scaleByInverseFisher(0, 1)).getMessage().contains("got 0"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> MFAC.builder().damping(-1e-3)).getMessage().contains("-0.001"));
        }
    }

    @Test
    void mfacFitsALeastSquaresModel() {
        try (Scope scope = Scope.open(); Linear model = new Linear(3, 1, true, DType.F64, Rng.seed(4));
             Optimizer opt = MFAC.builder().lr(0.5).historySize(8).damping(1.0).build(model.parameters())) {
            Tensor x = Rng.seed(6).normal(DType.F64, 0, 1, 32, 3);
            Tensor y = x.matmul(Tensor.of(1.0, -2.0, 0.5).reshape(3, 1)).add(0.3);
            double first = Double.NaN;
            double last = Double.NaN;
            for (int i = 0; i < 100; i++) {
                try (Scope step = Scope.open()) {
                    opt.zeroGrad();
                    Tensor loss = Losses.mse(model.forward(x), y, Losses.Reduction.MEAN);
                    loss.backward();
                    opt.step();
                    first = i == 0 ? loss.item() : first;
                    last = loss.item();
                }
            }
            assertTrue(last < 1e-8 * first, "loss " + first + " → " + last);
        }
    }

    @Test
    void regularizedNewtonDirectionSolvesTheShiftedSystem() {
        try (Scope scope = Scope.open()) {
            double[] eig = {5.0, 3.0, 2.0, 1.0, 0.5};
            Tensor h = Quadratics.hessianTensor(eig);
            Tensor c = Tensor.of(1.0, -1.0, 2.0, 0.0, 0.5);
            Function<TensorTree, Tensor> loss = Quadratics.loss(h, c);
            TensorTree theta = Quadratics.params(0.3, -1.2, 0.7, 2.0, -0.4);
            double lipschitz = 0.8;
            GradientTransform newton = GradientRegularizedNewton.scaleByRegularizedNewton(lipschitz, 50, 1e-13,
                    HessianVectorProducts.of(loss));
            TensorTree grads = Autodiff.grad(loss, theta);
            GradientTransform.Update u = newton.update(grads, newton.init(theta), theta);
            double[] g = Quadratics.flat(grads);
            double norm = 0;
            for (double v : g) {
                norm += v * v;
            }
            double shift = Math.sqrt(lipschitz * Math.sqrt(norm));
            Tensor shifted = h.add(Tensor.eye(5, DType.F64).mul(shift));
            double[] expected = Linalg.solve(shifted, Tensor.of(g).reshape(5, 1)).reshape(5).toDoubleArray();
            assertArrayEquals(expected, Quadratics.flat(u.updates()), 1e-9);
        }
    }

    @Test
    void regularizedNewtonConvergesSuperlinearlyOnLogisticRegression() {
        try (Scope scope = Scope.open(); Linear model = new Linear(2, 2, true, DType.F64, Rng.seed(8));
             Optimizer opt = GradientRegularizedNewton.builder().lipschitz(0.1).maxIter(20).tol(1e-10).build(model.parameters())) {
            // overlapping classes: a unique, finite minimizer
            Tensor x = Rng.seed(9).normal(DType.F64, 0, 1, 64, 2);
            Tensor noise = Rng.seed(10).normal(DType.F64, 0, 1.5, 64);
            Tensor y = x.select(1, 0).sub(x.select(1, 1).mul(0.5)).add(noise).gt(0.0).cast(DType.I64);
            double[] losses = new double[12];
            for (int i = 0; i < losses.length; i++) {
                try (Scope step = Scope.open()) {
                    losses[i] = opt.step(() -> Losses.crossEntropy(model.forward(x), y, Losses.Reduction.MEAN)).item();
                }
            }
            for (int i = 1; i < losses.length; i++) {
                assertTrue(losses[i] <= losses[i - 1] + 1e-12, "monotone decrease: " + java.util.Arrays.toString(losses));
            }
            // the gradient at the end is tiny
            try (Scope s = Scope.open()) {
                TensorTree p = model.parameterTree();
                TensorTree grads = Autodiff.grad(q -> Losses.crossEntropy(model.forwardWith(q, x), y, Losses.Reduction.MEAN), p);
                assertTrue(grads.l2Norm().item() < 1e-8, "‖∇L‖ = " + grads.l2Norm().item());
            }
        }
    }
}
