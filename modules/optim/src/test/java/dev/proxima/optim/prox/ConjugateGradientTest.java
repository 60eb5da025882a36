package dev.proxima.optim.prox;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.sim.SimBackend;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CG and preconditioned CG on symmetric positive definite systems. */
@ExtendWith(NoLeaks.class)
class ConjugateGradientTest {

    @AfterEach
    void simMemoryFreed() {
        assertEquals(0, SimBackend.allocatedBytes(), "sim bytes still allocated after the test");
    }

    /** Q·diag(eigenvalues)·Qᵀ with a random orthogonal Q. */
    static Tensor spd(long seed, double... eigenvalues) {
        int n = eigenvalues.length;
        Tensor q = Linalg.qr(Rng.seed(seed).normal(DType.F64, 0, 1, n, n), false).q();
        return q.mul(Tensor.of(eigenvalues).unsqueeze(0)).matmul(q.transpose());
    }

    @Test
    void solvesAnSpdSystemToToleranceInAtMostNStepsWithAFallingObjective() {
        try (Scope s = Scope.open()) {
            int n = 20;
            double[] eig = new double[n];
            for (int i = 0; i < n; i++) {
                eig[i] = 1 + i * 0.5;
            }
            Tensor a = spd(1, eig);
            Tensor b = Rng.seed(2).normal(DType.F64, 0, 1, n);
            SolverResult r = ConjugateGradient.builder().tolerance(1e-10).build()
                    .solve(v -> a.matmul(v), b, Tensor.zeros(DType.F64, n));
            assertTrue(r.converged());
            assertTrue(r.iterations() <= n, "iterations " + r.iterations());
            assertTrue(a.matmul(r.solution()).sub(b).norm().item() <= 1e-10 * b.norm().item());
            assertArrayEquals(Linalg.solve(a, b.unsqueeze(1)).reshape(n).toDoubleArray(), r.solution().toDoubleArray(), 1e-9);
            double[] h = r.objectiveHistory();
            for (int i = 1; i < h.length; i++) {
                assertTrue(h[i] <= h[i - 1] + 1e-12, "objective rose at step " + i);
            }
            // the minimum of ½xᵀAx − bᵀx is −½bᵀA⁻¹b
            assertEquals(-0.5 * b.mul(r.solution()).sum().item(), r.objective(), 1e-9);
        }
    }

    @Test
    void endsInAsManyStepsAsTheMatrixHasDistinctEigenvalues() {
        try (Scope s = Scope.open()) {
            Tensor a = spd(3, 1, 1, 1, 4, 4, 4, 4, 9, 9, 9);
            Tensor b = Rng.seed(4).normal(DType.F64, 0, 1, 10);
            SolverResult r = ConjugateGradient.builder().tolerance(1e-10).build()
                    .solve(v -> a.matmul(v), b, Tensor.zeros(DType.F64, 10));
            assertTrue(r.converged());
            assertEquals(3, r.iterations());
        }
    }

    @Test
    void aJacobiPreconditionerCutsTheIterationsOnABadlyScaledSystem() {
        try (Scope s = Scope.open()) {
            int n = 40;
            double[] scale = new double[n];
            for (int i = 0; i < n; i++) {
                scale[i] = Math.pow(10, 3.0 * i / (n - 1));
            }
            Tensor d = Tensor.of(scale).sqrt();
            Tensor core = spd(5, new double[] {1, 1.2, 1.5, 1.7, 2, 1.1, 1.3, 1.9, 1.4, 1.6, 1.05, 1.15, 1.25, 1.35, 1.45,
                    1.55, 1.65, 1.75, 1.85, 1.95, 1.02, 1.12, 1.22, 1.32, 1.42, 1.52, 1.62, 1.72, 1.82, 1.92, 1.04, 1.14, 1.24,
                    1.34, 1.44, 1.54, 1.64, 1.74, 1.84, 1.94});
            Tensor a = d.unsqueeze(1).mul(core).mul(d.unsqueeze(0));
            Tensor diagonal = a.diagonal(0, 0, 1);
            Tensor b = Rng.seed(6).normal(DType.F64, 0, 1, n);
            SolverResult plain = ConjugateGradient.builder().tolerance(1e-10).maxIterations(2000).build()
                    .solve(v -> a.matmul(v), b, Tensor.zeros(DType.F64, n));
            SolverResult jacobi = ConjugateGradient.builder().tolerance(1e-10).maxIterations(2000)
                    .preconditioner(r -> r.div(diagonal)).build()
                    .solve(v -> a.matmul(v), b, Tensor.zeros(DType.F64, n));
            assertTrue(jacobi.converged());
            assertTrue(a.matmul(jacobi.solution()).sub(b).norm().item() <= 1e-9 * b.norm().item());
            assertTrue(jacobi.iterations() < plain.iterations(),
                    "Jacobi " + jacobi.iterations() + " vs plain " + plain.iterations());
        }
    }

    @Test
    void runsOnTheSimulatedDeviceAndStopsOnANegativeCurvature() {
        try (Scope s = Scope.open()) {
            Tensor a = spd(7, 2, 3, 5, 7).to(SimBackend.SIM);
            Tensor b = Tensor.of(1.0, 2.0, 3.0, 4.0).to(SimBackend.SIM);
            SolverResult r = ConjugateGradient.builder().build().solve(v -> a.matmul(v), b, Tensor.zerosLike(b));
            assertEquals(SimBackend.SIM, r.solution().device());
            assertTrue(r.converged());
            Tensor indefinite = Tensor.of(1.0, 0, 0, -1.0).reshape(2, 2);
            SolverResult bad = ConjugateGradient.builder().build()
                    .solve(v -> indefinite.matmul(v), Tensor.of(0.0, 1.0), Tensor.zeros(DType.F64, 2));
            assertFalse(bad.converged());
            assertThrows(ShapeMismatchException.class, () -> ConjugateGradient.builder().build()
                    .solve(v -> v, Tensor.of(1.0, 2.0), Tensor.zeros(DType.F64, 3)));
            assertThrows(IllegalArgumentException.class, () -> ConjugateGradient.builder().tolerance(Double.NaN));
        }
    }
}
