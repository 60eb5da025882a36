package dev.proxima.optim.internal;

import dev.proxima.optim.Quadratics;
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

import java.util.LinkedHashMap;
import java.util.SequencedMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class SecondOrderAlgebraTest {

    private static final double[] THETA = {0.3, -1.2, 0.7, 2.0, -0.4};

    @Test
    void hutchinsonDiagonalIsExactOnADiagonalHessianAndUnbiasedOnAFullOne() {
        try (Scope scope = Scope.open()) {
            Tensor d = Tensor.of(4.0, -2.0, 1.5, 3.0, 0.25);
            Function<TensorTree, Tensor> loss = p -> Tensor.concat(0, p.get("a"), p.get("b")).square().mul(d).sum().mul(0.5);
            TensorTree params = Quadratics.params(THETA);
            UnaryOperator<TensorTree> hvp = v -> Autodiff.hvp(loss, params, v);
            assertArrayEquals(d.toDoubleArray(), Quadratics.flat(Hutchinson.diagonal(hvp, params, Rng.seed(1), 1)), 0);

            double[][] h = Quadratics.hessian(Quadratics.EIGENVALUES);
            Function<TensorTree, Tensor> full = Quadratics.loss(Quadratics.hessianTensor(Quadratics.EIGENVALUES), Tensor.of(0.0, 0, 0, 0, 0));
            int n = 200;
            double[] estimate = Quadratics.flat(Hutchinson.diagonal(v -> Autodiff.hvp(full, params, v), params, Rng.seed(2), n));
            for (int i = 0; i < 5; i++) {
                double var = 0;
                for (int j = 0; j < 5; j++) {
                    if (j != i) {
                        var += h[i][j] * h[i][j];
                    }
                }
                assertEquals(h[i][i], estimate[i], 4 * Math.sqrt(var / n) + 1e-12, "diag entry " + i);
            }
        }
    }

    @Test
    void rademacherProbesAreSignsOfTheLeafDtypeAndShape() {
        try (Scope scope = Scope.open()) {
            SequencedMap<String, Tensor> m = new LinkedHashMap<>();
            m.put("w", Tensor.zeros(DType.F32, 3, 4));
            m.put("b", Tensor.zeros(DType.F64, 4));
            TensorTree z = Hutchinson.rademacherProbe(Rng.seed(3), TensorTree.ofTensors(m));
            assertEquals(DType.F32, z.get("w").dtype());
            assertArrayEquals(new long[]{3, 4}, z.get("w").shape());
            for (Tensor t : z.leaves()) {
                for (double x : t.toDoubleArray()) {
                    assertEquals(1.0, Math.abs(x));
                }
            }
        }
    }

    @Test
    void spatialAveragingSharesOneValuePerKernelPositionOnlyForConvKernels() {
        try (Scope scope = Scope.open()) {
            double[] v = new double[2 * 1 * 2 * 2];
            for (int i = 0; i < v.length; i++) {
                v[i] = i + 1;
            }
            SequencedMap<String, Tensor> m = new LinkedHashMap<>();
            m.put("kernel", Tensor.of(v).reshape(2, 1, 2, 2));
            m.put("bias", Tensor.of(1.0, 5.0));
            TensorTree avg = Hutchinson.spatialAverage(TensorTree.ofTensors(m));
            assertArrayEquals(new double[]{2.5, 2.5, 2.5, 2.5, 6.5, 6.5, 6.5, 6.5}, avg.get("kernel").toDoubleArray(), 0);
            assertArrayEquals(new long[]{2, 1, 2, 2}, avg.get("kernel").shape());
            assertArrayEquals(new double[]{1.0, 5.0}, avg.get("bias").toDoubleArray(), 0);
        }
    }

    @Test
    void conjugateGradientSolvesAPositiveDefiniteSystemAndStopsOnNegativeCurvature() {
        try (Scope scope = Scope.open()) {
            double[] eig = {5.0, 3.0, 2.0, 1.0, 0.5};
            Tensor h = Quadratics.hessianTensor(eig);
            UnaryOperator<TensorTree> a = v -> Quadratics.params(h.matmul(Tensor.of(Quadratics.flat(v))).toDoubleArray());
            double[] b = {1.0, -2.0, 0.5, 0.0, 3.0};
            ConjugateGradient.Result r = ConjugateGradient.solve(a, Quadratics.params(b), 50, 1e-12);
            double[] expected = Linalg.solve(h, Tensor.of(b).reshape(5, 1)).reshape(5).toDoubleArray();
            assertArrayEquals(expected, Quadratics.flat(r.solution()), 1e-9);
            assertTrue(r.iterations() <= 6, "CG ends in at most n steps in exact arithmetic: " + r.iterations());
            assertFalse(r.negativeCurvature());

            Tensor indefinite = Tensor.of(-1.0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2).reshape(5, 5);
            UnaryOperator<TensorTree> n = v -> Quadratics.params(indefinite.matmul(Tensor.of(Quadratics.flat(v))).toDoubleArray());
            ConjugateGradient.Result s = ConjugateGradient.solve(n, Quadratics.params(1, 0, 0, 0, 0), 10, 1e-12);
            assertTrue(s.negativeCurvature());
            assertArrayEquals(new double[]{1, 0, 0, 0, 0}, Quadratics.flat(s.solution()), 0,
                    "negative curvature on the first step: the steepest-descent direction b");
        }
    }
}
