package dev.proxima.optim;

import dev.proxima.nn.Parameter;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class SharpnessAwareTest {

    private static final double[] D = {2.0, 0.5, 4.0};
    private static final double[] THETA = {1.0, -2.0, 0.5};

    /** ∇L(θ + ε) for L = ½Σ dᵢθᵢ², with ε = ρ·T²g/‖Tg‖ (T = |θ| + η for ASAM, 1 for SAM). */
    private static double[] byHand(double rho, boolean adaptive, double eta) {
        double[] g = new double[3];
        double[] t = new double[3];
        double norm = 0;
        for (int i = 0; i < 3; i++) {
            g[i] = D[i] * THETA[i];
            t[i] = adaptive ? Math.abs(THETA[i]) + eta : 1;
            norm += t[i] * g[i] * t[i] * g[i];
        }
        norm = Math.sqrt(norm);
        double[] out = new double[3];
        for (int i = 0; i < 3; i++) {
            out[i] = D[i] * (THETA[i] + rho * t[i] * t[i] * g[i] / (norm + 1e-12));
        }
        return out;
    }

    private static Tensor loss(Tensor theta) {
        return theta.square().mul(Tensor.of(D)).sum().mul(0.5);
    }

    @Test
    void perturbedGradientIsTheGradientAtTheAscentPoint() {
        try (Scope scope = Scope.open()) {
            Function<TensorTree, Tensor> l = p -> loss(p.get(""));
            TensorTree theta = TensorTree.leaf(Tensor.of(THETA));
            assertArrayEquals(byHand(0.05, false, 0), SAM.perturbedGradient(l, theta, 0.05, false, 0).get("").toDoubleArray(), 1e-14);
            assertArrayEquals(byHand(0.5, true, 0.01), SAM.perturbedGradient(l, theta, 0.5, true, 0.01).get("").toDoubleArray(), 1e-14);
            assertArrayEquals(new double[]{2.0, -1.0, 2.0}, SAM.perturbedGradient(l, theta, 0, false, 0).get("").toDoubleArray(), 0,
                    "ρ = 0 is the plain gradient");
        }
    }

    private static double[] oneStep(Optimizer opt, Parameter p) {
        try (Scope s = Scope.open()) {
            double l = opt.step(() -> {
                Tensor loss = loss(p.value());
                loss.backward();
                return loss;
            }).item();
            assertEquals(0.5 * (2 * 1 + 0.5 * 4 + 4 * 0.25), l, 1e-15, "the step returns the first pass's loss");
        }
        return p.value().toDoubleArray();
    }

    @Test
    void aStatefulSamStepIsTheBaseStepWithTheSecondGradientFromTheRestoredPoint() {
        try (Scope scope = Scope.open(); Parameter p = new Parameter(Tensor.of(THETA), true);
             Optimizer opt = SAM.builder().rho(0.05).build(SGD.builder().lr(0.1).build(List.of(p)))) {
            double[] g = byHand(0.05, false, 0);
            double[] after = oneStep(opt, p);
            for (int i = 0; i < 3; i++) {
                assertEquals(THETA[i] - 0.1 * g[i], after[i], 1e-15);
            }
            assertEquals(1, opt.stepCount());
            assertTrue(assertThrows(IllegalArgumentException.class, opt::step).getMessage().contains("closure"));
        }
        try (Scope scope = Scope.open(); Parameter p = new Parameter(Tensor.of(THETA), true);
             Optimizer opt = SAM.builder().rho(0.5).adaptive(true).eta(0.01).build(SGD.builder().lr(0.1).build(List.of(p)))) {
            double[] g = byHand(0.5, true, 0.01);
            double[] after = oneStep(opt, p);
            for (int i = 0; i < 3; i++) {
                assertEquals(THETA[i] - 0.1 * g[i], after[i], 1e-15, "ASAM");
            }
        }
    }

    @Test
    void tramTakesItsRadiusFromTheTrustRegionDivergenceOfEachStep() {
        try (Scope scope = Scope.open(); Parameter p = new Parameter(Tensor.of(THETA), true)) {
            double[] divergence = {0.3};
            try (Optimizer opt = TRAM.builder().divergence(() -> divergence[0]).build(SGD.builder().lr(0.1).build(List.of(p)))) {
                double[] g = byHand(0.3, false, 0);
                double[] after = oneStep(opt, p);
                for (int i = 0; i < 3; i++) {
                    assertEquals(THETA[i] - 0.1 * g[i], after[i], 1e-15);
                }
                divergence[0] = Double.NaN;
                assertThrows(IllegalArgumentException.class, () -> oneStep(opt, p));
                assertArrayEquals(after, p.value().toDoubleArray(), 0, "a refused radius leaves the weights as they were");
            }
            try (Optimizer base = SGD.builder().build(List.of(p))) {
                assertThrows(IllegalStateException.class, () -> TRAM.builder().build(base));
            }
        }
    }

    @Test
    void logitDivergenceIsTheMeanKlOfTheSoftmaxes() {
        try (Scope scope = Scope.open()) {
            Tensor a = Tensor.of(0.0, 0.0, 1.0, 2.0).reshape(2, 2);
            Tensor b = Tensor.of(1.0, 0.0, 1.0, 2.0).reshape(2, 2);
            double p = 0.5;
            double q = Math.exp(1) / (Math.exp(1) + 1);
            double kl = p * Math.log(p / q) + (1 - p) * Math.log((1 - p) / (1 - q));
            assertEquals(kl / 2, TRAM.logitDivergence(a, b), 1e-15, "the second rows agree and add nothing");
            assertEquals(0.0, TRAM.logitDivergence(a, a), 0);
            assertThrows(IllegalArgumentException.class, () -> TRAM.logitDivergence(a, Tensor.zeros(DType.F64, 2, 3)));
        }
    }

    @Test
    void safTrajectoryLossComparesWithTheOutputsOfEpochLagEpochsAgo() {
        try (Scope scope = Scope.open()) {
            SAF saf = SAF.builder(4, 2).lambda(0.5).temperature(2).epochLag(2).build();
            Tensor idx = Tensor.of(0L, 3L);
            Tensor old = Tensor.of(1.0, -1.0, 0.0, 2.0).reshape(2, 2);
            assertEquals(0.0, saf.trajectoryLoss(idx, old, 0).item(), "nothing recorded yet");
            assertEquals(0.0, saf.trajectoryLoss(Tensor.of(1L), Tensor.of(5.0, 5.0).reshape(1, 2), 1).item());
            Tensor now = Tensor.of(0.0, 0.0).reshape(1, 2).requiresGrad(true);
            // epoch 2 sees example 0 (recorded at epoch 0) and example 1 (recorded at epoch 1, not 0: masked)
            Tensor logits = Tensor.concat(0, now, Tensor.of(7.0, 7.0).reshape(1, 2));
            Tensor l = saf.trajectoryLoss(Tensor.of(0L, 1L), logits.reshape(2, 2).slice(0, 0, 2, 1), 2);
            double p0 = Math.exp(0.5) / (Math.exp(0.5) + Math.exp(-0.5));
            double kl = p0 * Math.log(p0 / 0.5) + (1 - p0) * Math.log((1 - p0) / 0.5);
            assertEquals(0.5 / 2 * kl, l.item(), 1e-15);
            l.backward();
            assertTrue(now.grad() != null, "the trajectory loss is differentiable in the current logits");
            assertThrows(IllegalArgumentException.class, () -> saf.trajectoryLoss(Tensor.of(4L), Tensor.zeros(DType.F64, 1, 2), 3));
            assertThrows(IllegalArgumentException.class, () -> saf.trajectoryLoss(Tensor.of(0L), Tensor.zeros(DType.F64, 1, 3), 3));
            assertThrows(IllegalArgumentException.class, () -> SAF.builder(0, 2));
        }
    }
}
