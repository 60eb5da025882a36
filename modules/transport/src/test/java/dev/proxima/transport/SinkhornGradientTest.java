package dev.proxima.transport;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gradients of Sinkhorn values: the envelope theorem and unrolled iterations against finite differences. */
@ExtendWith(NoLeaks.class)
class SinkhornGradientTest {

    private static final Sinkhorn ENVELOPE = Sinkhorn.builder(0.5).tolerance(1e-14).maxIterations(10_000).build();
    private static final Sinkhorn UNROLLED = Sinkhorn.builder(0.5).tolerance(0).maxIterations(40)
            .gradients(Sinkhorn.Gradients.UNROLLED).build();

    private static double[][] random(Random r, int rows, int cols) {
        double[][] v = new double[rows][cols];
        for (double[] row : v) {
            for (int j = 0; j < cols; j++) {
                row[j] = r.nextGaussian();
            }
        }
        return v;
    }

    private static void assertPasses(String what, Autodiff.GradcheckResult result) {
        assertTrue(result.passed(), what + ": max error " + result.maxAbsError());
    }

    @Test
    void envelopeGradientsOfTheRegularisedCost() {
        Random r = new Random(1);
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(random(r, 4, 2));
            Tensor y = Tensor.fromArray(random(r, 5, 2));
            Tensor a = Tensor.of(0.1, 0.2, 0.3, 0.4);
            Tensor b = Tensor.of(0.3, 0.1, 0.2, 0.25, 0.15);
            Tensor cost = Ot.dist(x, y);
            Function<Tensor, Tensor> ofCost = c -> ENVELOPE.solve(LinearProblem.of(CostMatrix.of(c), a, b)).regularizedCost();
            assertPasses("d/dC", Autodiff.gradcheck(ofCost, cost, 1e-6, 1e-8, 1e-5));
            Function<Tensor, Tensor> ofX = t -> ENVELOPE.solve(LinearProblem.of(PointCloud.of(t, y), a, b)).regularizedCost();
            assertPasses("d/dx", Autodiff.gradcheck(ofX, x, 1e-6, 1e-8, 1e-5));
            Function<Tensor, Tensor> ofYOnline = t -> ENVELOPE.solve(LinearProblem.of(PointCloud.online(x, t), a, b)).regularizedCost();
            assertPasses("d/dy, online", Autodiff.gradcheck(ofYOnline, y, 1e-6, 1e-8, 1e-5));
            Function<Tensor, Tensor> ofXOnline = t -> ENVELOPE.solve(LinearProblem.of(PointCloud.online(t, y), a, b)).regularizedCost();
            assertPasses("d/dx, online", Autodiff.gradcheck(ofXOnline, x, 1e-6, 1e-8, 1e-5));
            // weights stay on the simplex: differentiate through the normalisation
            Function<Tensor, Tensor> ofA = v -> ENVELOPE.solve(LinearProblem.of(CostMatrix.of(cost), v.div(v.sum()), b)).regularizedCost();
            assertPasses("d/da", Autodiff.gradcheck(ofA, Tensor.of(1.0, 2.0, 3.0, 4.0), 1e-6, 1e-8, 1e-5));
            Function<Tensor, Tensor> ofB = v -> ENVELOPE.solve(LinearProblem.of(PointCloud.online(x, y), a, v.div(v.sum()))).regularizedCost();
            assertPasses("d/db, online", Autodiff.gradcheck(ofB, Tensor.of(3.0, 1.0, 2.0, 2.5, 1.5), 1e-6, 1e-8, 1e-5));
        }
    }

    @Test
    void envelopeGradientOfTheCostIsThePlanAndOfTheWeightsThePotentials() {
        Random r = new Random(2);
        try (Scope s = Scope.open()) {
            Tensor cost = Tensor.fromArray(random(r, 3, 4)).abs().requiresGrad(true);
            Tensor a = Tensor.of(0.2, 0.5, 0.3).requiresGrad(true);
            Tensor b = Tensor.of(0.25, 0.25, 0.25, 0.25).requiresGrad(true);
            SinkhornOutput out = ENVELOPE.solve(LinearProblem.of(CostMatrix.of(cost), a, b));
            out.regularizedCost().backward();
            assertArrayEquals(out.plan().toDoubleArray(), cost.grad().toDoubleArray(), 1e-12);
            // ∂/∂a = f, ∂/∂b = g at the optimum of a problem of unit mass
            assertArrayEquals(out.f().toDoubleArray(), a.grad().toDoubleArray(), 1e-10);
            assertArrayEquals(out.g().toDoubleArray(), b.grad().toDoubleArray(), 1e-10);
        }
    }

    @Test
    void unrolledGradientsOfEveryValue() {
        Random r = new Random(3);
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(random(r, 3, 2));
            Tensor y = Tensor.fromArray(random(r, 4, 2));
            Tensor a = Tensor.of(0.3, 0.3, 0.4);
            Tensor b = Tensor.of(0.1, 0.2, 0.3, 0.4);
            Tensor cost = Ot.dist(x, y);
            Function<Tensor, Tensor> regularized = c -> UNROLLED.solve(LinearProblem.of(CostMatrix.of(c), a, b)).regularizedCost();
            assertPasses("regularised, d/dC", Autodiff.gradcheck(regularized, cost, 1e-6, 1e-8, 1e-5));
            Function<Tensor, Tensor> transport = t -> UNROLLED.solve(LinearProblem.of(PointCloud.of(t, y), a, b)).cost();
            assertPasses("<P, C>, d/dx", Autodiff.gradcheck(transport, x, 1e-6, 1e-8, 1e-5));
            Function<Tensor, Tensor> online = t -> UNROLLED.solve(LinearProblem.of(PointCloud.online(x, t), a, b)).cost();
            assertPasses("<P, C>, d/dy, online", Autodiff.gradcheck(online, y, 1e-6, 1e-8, 1e-5));
            Function<Tensor, Tensor> unbalanced = c -> UNROLLED.solve(LinearProblem.unbalanced(CostMatrix.of(c), a, b.mul(2.0), 1.0, 2.0))
                    .regularizedCost();
            assertPasses("unbalanced, d/dC", Autodiff.gradcheck(unbalanced, cost, 1e-6, 1e-8, 1e-5));
        }
    }
}
