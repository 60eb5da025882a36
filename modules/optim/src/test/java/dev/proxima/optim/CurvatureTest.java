package dev.proxima.optim;

import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class CurvatureTest {

    private static final double[] THETA = {0.3, -1.2, 0.7, 2.0, -0.4};

    @Test
    void hutchinsonTraceIsExactForADiagonalHessianAndUnbiasedOtherwise() {
        try (Scope scope = Scope.open()) {
            double[] diag = {4.0, -2.0, 1.5, 3.0, 0.25};
            Tensor d = Tensor.of(diag);
            Function<TensorTree, Tensor> diagonal = p -> {
                Tensor t = Tensor.concat(0, p.get("a"), p.get("b"));
                return t.square().mul(d).sum().mul(0.5);
            };
            TensorTree params = Quadratics.params(THETA);
            assertEquals(6.75, Curvature.hessianTrace(diagonal, params, Rng.seed(1), 1), 1e-12);

            Tensor h = Quadratics.hessianTensor(Quadratics.EIGENVALUES);
            Function<TensorTree, Tensor> loss = Quadratics.loss(h, Tensor.of(1.0, 0, 0, 0, -1.0));
            int n = 400;
            double estimate = Curvature.hessianTrace(loss, params, Rng.seed(2), n);
            double[][] hd = Quadratics.hessian(Quadratics.EIGENVALUES);
            double offDiagonal = 0;
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < 5; j++) {
                    if (i != j) {
                        offDiagonal += hd[i][j] * hd[i][j];
                    }
                }
            }
            double sigma = Math.sqrt(2 * offDiagonal / n);
            assertEquals(9.5, estimate, 4 * sigma, "trace = Σλ = 9.5, within 4σ of Hutchinson's sampling error");
        }
    }

    @Test
    void powerIterationFindsTheEigenvalueOfLargestMagnitudeAndItsVector() {
        try (Scope scope = Scope.open()) {
            Tensor h = Quadratics.hessianTensor(Quadratics.EIGENVALUES);
            Function<TensorTree, Tensor> loss = Quadratics.loss(h, Tensor.of(0.0, 1, 0, 0, 0));
            Curvature.Eigenpair top = Curvature.topEigenvalue(loss, Quadratics.params(THETA), Rng.seed(3), 500, 1e-13);
            assertTrue(top.converged());
            assertEquals(5.0, top.value(), 1e-9);
            // the eigenvector of 5 is Q's first column: e₁ − 2u₁u/uᵀu, up to sign
            double[] v = Quadratics.flat(top.vector());
            double uu = 0;
            for (double x : Quadratics.U) {
                uu += x * x;
            }
            double dot = 0;
            for (int i = 0; i < 5; i++) {
                dot += v[i] * ((i == 0 ? 1 : 0) - 2 * Quadratics.U[0] * Quadratics.U[i] / uu);
            }
            assertEquals(1.0, Math.abs(dot), 1e-6);
            top.vector().leaves().forEach(Tensor::close);

            Tensor hNeg = Quadratics.hessianTensor(new double[]{1, 2, -7, 3, 0.5});
            Curvature.Eigenpair neg = Curvature.topEigenvalue(Quadratics.loss(hNeg, Tensor.of(0.0, 0, 0, 0, 0)),
                    Quadratics.params(THETA), Rng.seed(4), 500, 1e-13);
            assertEquals(-7.0, neg.value(), 1e-9, "the largest magnitude is negative: its sign is kept");
        }
    }

    @Test
    void lanczosGivesTheWholeSpectrumOfASmallHessianExactly() {
        try (Scope scope = Scope.open()) {
            Tensor h = Quadratics.hessianTensor(Quadratics.EIGENVALUES);
            Function<TensorTree, Tensor> loss = Quadratics.loss(h, Tensor.of(0.0, 0, 1, 0, 0));
            double[] ritz = Curvature.lanczos(loss, Quadratics.params(THETA), Rng.seed(5), 5);
            assertArrayEquals(new double[]{5.0, 3.0, 2.0, 0.5, -1.0}, ritz, 1e-10);
            double[] three = Curvature.lanczos(loss, Quadratics.params(THETA), Rng.seed(5), 3);
            assertEquals(3, three.length);
            assertTrue(three[0] <= 5.0 + 1e-12 && three[0] > 4.0, "the top Ritz value approaches 5 from below: " + three[0]);
            assertTrue(three[2] >= -1.0 - 1e-12, "Ritz values interlace the spectrum");
        }
    }

    @Test
    void directionalSharpnessIsTheRayleighQuotient() {
        try (Scope scope = Scope.open()) {
            Tensor h = Quadratics.hessianTensor(Quadratics.EIGENVALUES);
            Function<TensorTree, Tensor> loss = Quadratics.loss(h, Tensor.of(0.0, 0, 0, 0, 0));
            double[] v = {1.0, 2.0, 0.0, -1.0, 0.5};
            double[][] hd = Quadratics.hessian(Quadratics.EIGENVALUES);
            double vhv = 0;
            double vv = 0;
            for (int i = 0; i < 5; i++) {
                vv += v[i] * v[i];
                for (int j = 0; j < 5; j++) {
                    vhv += v[i] * hd[i][j] * v[j];
                }
            }
            assertEquals(vhv / vv, Curvature.directionalSharpness(loss, Quadratics.params(THETA), Quadratics.params(v)), 1e-12);
            IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                    () -> Curvature.directionalSharpness(loss, Quadratics.params(THETA), Quadratics.params(0, 0, 0, 0, 0)));
            assertTrue(zero.getMessage().contains("non-zero"), zero.getMessage());
        }
    }

    @Test
    void gradientNoiseScaleByHandAndOnSampledBatches() {
        try (Scope scope = Scope.open()) {
            // g₁ = [3, 0], g₂ = [1, 0]: ḡ = [2, 0], S = 2, ‖G‖² ≈ 4 − 2/2 = 3, B_simple = 10·2/3
            List<TensorTree> two = List.of(TensorTree.leaf(Tensor.of(3.0, 0.0)), TensorTree.leaf(Tensor.of(1.0, 0.0)));
            assertEquals(20.0 / 3.0, Curvature.gradientNoiseScale(two, 10), 1e-12);
            List<TensorTree> noisy = List.of(TensorTree.leaf(Tensor.of(1.0, 0.0)), TensorTree.leaf(Tensor.of(0.0, 1.0)));
            assertEquals(Double.POSITIVE_INFINITY, Curvature.gradientNoiseScale(noisy, 4));

            // true gradient G = 1 (d = 10, ‖G‖² = 10), per-example covariance 4·I (tr Σ = 40): B_simple = 4
            int batches = 2000;
            long batch = 8;
            Tensor draws = Rng.seed(9).normal(dev.proxima.tensor.DType.F64, 1.0, Math.sqrt(4.0 / batch), batches, 10);
            List<TensorTree> grads = new ArrayList<>();
            for (int i = 0; i < batches; i++) {
                grads.add(TensorTree.leaf(draws.select(0, i)));
            }
            assertEquals(4.0, Curvature.gradientNoiseScale(grads, batch), 0.2);
            assertThrows(IllegalArgumentException.class, () -> Curvature.gradientNoiseScale(List.of(two.get(0)), 10));
            assertThrows(IllegalArgumentException.class, () -> Curvature.gradientNoiseScale(two, 0));
        }
    }

    @Test
    void onAnNnModelTheDiagnosticsMatchTheLeastSquaresHessian() {
        try (Scope scope = Scope.open();
             dev.proxima.nn.Linear model = new dev.proxima.nn.Linear(3, 1, true, dev.proxima.tensor.DType.F64, Rng.seed(12))) {
            // mean squared error of a linear model: H = (2/N)·[XᵀX, Xᵀ1; 1ᵀX, N] over (weight, bias), whatever the weights
            Tensor x = Tensor.of(1.0, 0.0, 2.0, 0.0, 1.0, -1.0, 3.0, 1.0, 0.0, -1.0, 2.0, 1.0).reshape(4, 3);
            Tensor y = Tensor.of(1.0, 2.0, 0.0, -1.0).reshape(4, 1);
            Function<TensorTree, Tensor> loss = p -> dev.proxima.nn.Losses.mse(model.forwardWith(p, x), y,
                    dev.proxima.nn.Losses.Reduction.MEAN);
            Tensor ones = Tensor.ones(dev.proxima.tensor.DType.F64, 4, 1);
            Tensor design = Tensor.concat(1, x, ones);
            Tensor h = design.transpose(0, 1).matmul(design).mul(0.5);
            double[] eig = dev.proxima.tensor.Linalg.eigvalsh(h).toDoubleArray();
            java.util.Arrays.sort(eig);
            TensorTree params = model.parameterTree();
            double[] ritz = Curvature.lanczos(loss, params, Rng.seed(13), 4);
            assertArrayEquals(new double[]{eig[3], eig[2], eig[1], eig[0]}, ritz, 1e-9);
            assertEquals(eig[3], Curvature.topEigenvalue(loss, params, Rng.seed(14), 1000, 1e-14).value(), 1e-8);
            double trace = 0.5 * (x.square().sum().item() + 4);
            assertEquals(trace, Curvature.hessianTrace(loss, params, Rng.seed(15), 300), 0.15 * trace);
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheirValue() {
        try (Scope scope = Scope.open()) {
            Tensor h = Quadratics.hessianTensor(Quadratics.EIGENVALUES);
            Function<TensorTree, Tensor> loss = Quadratics.loss(h, Tensor.of(0.0, 0, 0, 0, 0));
            TensorTree p = Quadratics.params(THETA);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Curvature.hessianTrace(loss, p, Rng.seed(1), 0))
                    .getMessage().contains("samples = 0"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Curvature.topEigenvalue(loss, p, Rng.seed(1), 0, 1e-6))
                    .getMessage().contains("got 0"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Curvature.topEigenvalue(loss, p, Rng.seed(1), 5, -1))
                    .getMessage().contains("-1"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Curvature.lanczos(loss, p, Rng.seed(1), 0))
                    .getMessage().contains("steps = 0"));
            assertThrows(IllegalArgumentException.class, () -> Curvature.hessianTrace(loss, TensorTree.leaf(Tensor.of(1, 2)), Rng.seed(1), 1));
        }
    }
}
