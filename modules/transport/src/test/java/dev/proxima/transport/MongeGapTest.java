package dev.proxima.transport;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class MongeGapTest {

    private static Tensor gaussian(long seed, int n) {
        return Rng.seed(seed).normal(DType.F64, 0, 1, n, 2);
    }

    /** x ↦ x·Aᵀ + b for a 2 × 2 matrix A. */
    private static Function<Tensor, Tensor> affine(Tensor a, Tensor b) {
        return x -> x.matmul(a.transpose()).add(b);
    }

    @Test
    void theIdentityHasAGapBetweenMinusEpsilonLogNAndZero() {
        double epsilon = 0.05;
        int n = 50;
        try (Scope s = Scope.open()) {
            Tensor x = gaussian(1, n);
            double gap = MongeGap.builder(epsilon).build().of(t -> t, x).item();
            assertTrue(gap <= 1e-12 && gap >= -epsilon * Math.log(n), "gap of the identity " + gap);
        }
    }

    @Test
    void aSymmetricPositiveDefiniteLinearMapIsOptimalAndARotationIsNot() {
        // x ↦ Sx with S symmetric positive definite is the gradient of the convex x·Sx/2: a Monge map for the
        // squared Euclidean cost; a quarter turn is not, and x ↦ −x is the worst (it swaps every pair)
        double epsilon = 0.01;
        int n = 40;
        try (Scope s = Scope.open()) {
            Tensor x = gaussian(2, n);
            MongeGap gap = MongeGap.builder(epsilon).build();
            Tensor zero = Tensor.zeros(DType.F64, 2);
            double spd = gap.of(affine(Tensor.fromArray(new double[][] {{2, 0.5}, {0.5, 1}}), zero), x).item();
            double quarterTurn = gap.of(affine(Tensor.fromArray(new double[][] {{0, -1}, {1, 0}}), zero), x).item();
            double flip = gap.of(t -> t.neg(), x).item();
            assertTrue(spd <= 1e-9 && spd >= -epsilon * Math.log(n), "SPD map " + spd);
            assertTrue(quarterTurn > 0.5, "quarter turn " + quarterTurn);
            // x ↦ −x: the displacement term is mean ‖2x‖², the OT term between a cloud and its mirror image is smaller
            double displacement = x.square().sum(1).mean().item() * 4;
            assertTrue(flip > 0.5 * displacement && flip <= displacement, "flip " + flip + " vs displacement " + displacement);
            assertTrue(flip > quarterTurn);
        }
    }

    @Test
    void itsGradientWithRespectToTheMapsMatrixPassesGradcheck() {
        try (Scope s = Scope.open()) {
            Tensor x = gaussian(3, 6);
            MongeGap gap = MongeGap.builder(0.5).tolerance(1e-13).maxIterations(10000).build();
            Tensor a0 = Tensor.fromArray(new double[] {0.3, -1, 1.2, 0.4});
            Autodiff.GradcheckResult r = Autodiff.gradcheck(
                    a -> gap.of(affine(a.reshape(2, 2), Tensor.zeros(DType.F64, 2)), x), a0, 1e-6, 1e-6, 1e-4);
            assertTrue(r.passed(), "max error " + r.maxAbsError());
        }
    }

    @Test
    void fittingAnAffineMapWithTheGapRecoversTheGaussianOtMap() {
        // μ = N(0, I), ν = N(m, Σ): the OT map is x ↦ Σ^{1/2}x + m. Any A with AAᵀ = Σ pushes μ onto ν; the fitting
        // term alone cannot tell them apart, the Monge gap picks the symmetric positive definite one.
        int n = 48;
        double[][] sigma = {{2.0, 0.6}, {0.6, 0.5}};
        double det = sigma[0][0] * sigma[1][1] - sigma[0][1] * sigma[1][0];
        double sq = Math.sqrt(det);
        double t = Math.sqrt(sigma[0][0] + sigma[1][1] + 2 * sq);
        double[] root = {(sigma[0][0] + sq) / t, sigma[0][1] / t, sigma[1][0] / t, (sigma[1][1] + sq) / t};
        double[] mean = {1.0, -0.5};
        try (Scope s = Scope.open()) {
            Tensor raw = gaussian(4, n);
            Tensor x = raw.sub(raw.mean(new int[] {0}, true));      // centred samples of μ
            Tensor rootSigma = Tensor.of(root).reshape(2, 2);
            Tensor y = gaussian(5, n).matmul(rootSigma.transpose()).add(Tensor.of(mean));
            Sinkhorn fit = Sinkhorn.builder(0.1).tolerance(1e-5).build();
            MongeGap gap = MongeGap.builder(0.1).tolerance(1e-5).build();
            double lambda = 1.0;
            // parameters (A row-major, b), from a quarter turn, which is no Monge map
            Tensor params = Tensor.of(0.0, -1, 1, 0, 0, 0);
            double firstGap = Double.NaN;
            double lastGap = Double.NaN;
            for (int step = 0; step < 40; step++) {
                try (Scope iteration = Scope.open()) {
                    double[] gapValue = new double[1];
                    Tensor grad = Autodiff.grad(p -> {
                        Function<Tensor, Tensor> map = affine(p.slice(0, 0, 4, 1).reshape(2, 2), p.slice(0, 4, 6, 1));
                        Tensor images = map.apply(x);
                        Tensor w = fit.solve(LinearProblem.of(PointCloud.of(images, y))).regularizedCost();
                        Tensor g = gap.between(x, images);
                        gapValue[0] = g.item();
                        return w.add(g.mul(lambda));
                    }, params);
                    if (step == 0) {
                        firstGap = gapValue[0];
                    }
                    lastGap = gapValue[0];
                    Tensor next = params.sub(grad.mul(0.5));
                    params.close();
                    params = Scope.release(iteration.keep(next));
                }
            }
            double[] p = params.toDoubleArray();
            params.close();
            assertTrue(firstGap > 0.5, "a quarter turn has a clear gap: " + firstGap);
            assertTrue(lastGap < 0.02 * firstGap && lastGap >= -0.1 * Math.log(n), "gap " + firstGap + " -> " + lastGap);
            // 48 samples and ε = 0.1: the empirical entropic map is Σ^{1/2} up to sampling noise and entropic blur;
            // the quarter turn's antisymmetric part (A01 − A10 = −2 at the start) is gone
            for (int i = 0; i < 4; i++) {
                assertEquals(root[i], p[i], 0.3, "A[" + i / 2 + "][" + i % 2 + "] against Σ^{1/2}");
            }
            assertEquals(0, p[1] - p[2], 0.25, "antisymmetric part of A");
            // the gap does not depend on b; the fitting term puts the images' mean on the targets' mean
            double[] mx = x.mean(0).toDoubleArray();
            double[] my = y.mean(0).toDoubleArray();
            assertEquals(my[0] - p[0] * mx[0] - p[1] * mx[1], p[4], 0.02);
            assertEquals(my[1] - p[2] * mx[0] - p[3] * mx[1], p[5], 0.02);
        }
    }

    @Test
    void badInputIsRefusedBeforeAnyWork() {
        assertThrows(IllegalArgumentException.class, () -> MongeGap.builder(0));
        assertThrows(IllegalArgumentException.class, () -> MongeGap.builder(0.1).maxIterations(0));
        assertThrows(IllegalArgumentException.class, () -> MongeGap.builder(0.1).tolerance(-1));
        assertThrows(NullPointerException.class, () -> MongeGap.builder(0.1).cost(null));
        MongeGap gap = MongeGap.builder(0.1).build();
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(DType.F64, 3, 2);
            Tensor four = Tensor.zeros(DType.F64, 4, 2);
            Tensor flat = Tensor.zeros(DType.F64, 3);
            Tensor ints = Tensor.zeros(DType.I32, 3, 2);
            assertThrows(NullPointerException.class, () -> gap.of(null, x));
            assertThrows(NullPointerException.class, () -> gap.of(t -> null, x));
            assertTrue(assertThrows(ShapeMismatchException.class, () -> gap.between(x, four)).getMessage().contains("[4, 2]"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> gap.of(t -> t, flat)).getMessage().contains("[3]"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> gap.of(t -> t, ints)).getMessage().contains("I32"));
        }
    }
}
