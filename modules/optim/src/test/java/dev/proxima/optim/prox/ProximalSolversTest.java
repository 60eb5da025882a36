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

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PGD, FISTA (with and without restart, fixed step and backtracking), ADMM and linearized ADMM reach the LASSO
 * solution scikit-learn's coordinate descent found ({@code src/test/python/lasso_fixture.py}); PGD descends
 * monotonically; ADMM's linear-constraint form and linearized ADMM agree on 1-D total variation denoising with
 * the solution of its dual found by FISTA on a box.
 */
@ExtendWith(NoLeaks.class)
class ProximalSolversTest {

    @AfterEach
    void simMemoryFreed() {
        assertEquals(0, SimBackend.allocatedBytes(), "sim bytes still allocated after the test");
    }

    /** The lasso fixture: shape, lambda, a, b, x, objective. */
    static Map<String, double[]> lasso() {
        Map<String, double[]> out = new HashMap<>();
        try (InputStream in = ProximalSolversTest.class.getResourceAsStream("/fixtures/prox/lasso.txt");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] parts = line.trim().split("\\s+");
                out.put(parts[0], Arrays.stream(parts, 1, parts.length).mapToDouble(Double::parseDouble).toArray());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    record Lasso(Tensor a, Tensor b, double lambda, double[] x, double objective, double lipschitz) {
        Smooth smooth() {
            return Smooth.of(v -> a.matmul(v).sub(b).square().sum().mul(0.5));
        }
    }

    static Lasso load() {
        Map<String, double[]> f = lasso();
        int n = (int) f.get("shape")[0];
        int p = (int) f.get("shape")[1];
        Tensor a = Tensor.of(f.get("a")).reshape(n, p);
        double s = Linalg.svdvals(a).max().item();
        return new Lasso(a, Tensor.of(f.get("b")), f.get("lambda")[0], f.get("x"), f.get("objective")[0], s * s);
    }

    @Test
    void fistaWithAndWithoutRestartReachesTheScikitLearnLassoSolution() {
        try (Scope s = Scope.open()) {
            Lasso l = load();
            Tensor x0 = Tensor.zeros(DType.F64, l.x().length);
            for (boolean restart : new boolean[] {false, true}) {
                SolverResult r = ProximalGradient.builder().step(1 / l.lipschitz()).accelerated(true).adaptiveRestart(restart)
                        .tolerance(1e-13).maxIterations(20000).build().solve(l.smooth(), Prox.l1(l.lambda()), x0);
                assertTrue(r.converged(), "restart " + restart);
                assertArrayEquals(l.x(), r.solution().toDoubleArray(), 1e-9, "restart " + restart);
                assertEquals(l.objective(), r.objective(), 1e-10);
            }
            SolverResult plain = ProximalGradient.builder().step(1 / l.lipschitz()).tolerance(1e-13).maxIterations(20000)
                    .build().solve(l.smooth(), Prox.l1(l.lambda()), x0);
            SolverResult restarted = ProximalGradient.builder().step(1 / l.lipschitz()).accelerated(true).adaptiveRestart(true)
                    .tolerance(1e-13).maxIterations(20000).build().solve(l.smooth(), Prox.l1(l.lambda()), x0);
            assertTrue(restarted.iterations() < plain.iterations(),
                    "FISTA with restart (" + restarted.iterations() + ") is faster than ISTA (" + plain.iterations() + ")");
        }
    }

    @Test
    void proximalGradientWithAFixedStepDescendsMonotonicallyAndBacktrackingFindsTheSolution() {
        try (Scope s = Scope.open()) {
            Lasso l = load();
            Tensor x0 = Rng.seed(3).normal(DType.F64, 0, 1, l.x().length);
            SolverResult r = ProximalGradient.builder().step(1 / l.lipschitz()).tolerance(0).maxIterations(300)
                    .build().solve(l.smooth(), Prox.l1(l.lambda()), x0);
            double[] h = r.objectiveHistory();
            // ISTA's bound F(x_k) − F* ≤ L‖x0 − x*‖²/(2k) (Beck and Teboulle 2009, Thm 3.1), and monotone descent
            double distance = x0.sub(Tensor.of(l.x())).square().sum().item();
            for (int i = 0; i < h.length; i++) {
                if (i > 0) {
                    assertTrue(h[i] <= h[i - 1] + 1e-12, "objective rose at iteration " + i + ": " + h[i - 1] + " → " + h[i]);
                }
                assertTrue(h[i] - l.objective() <= l.lipschitz() * distance / (2 * (i + 1)) + 1e-9, "rate bound at " + i);
            }
            assertTrue(h[h.length - 1] - l.objective() < 1e-6 * l.objective());
            // FISTA with backtracking from a step 100× too long finds the same solution
            SolverResult bt = ProximalGradient.builder().backtracking(100 / l.lipschitz(), 0.5).accelerated(true)
                    .adaptiveRestart(true).tolerance(1e-13).maxIterations(20000).build().solve(l.smooth(), Prox.l1(l.lambda()), x0);
            assertTrue(bt.converged());
            assertArrayEquals(l.x(), bt.solution().toDoubleArray(), 1e-9);
        }
    }

    @Test
    void admmWithOverRelaxationReachesTheScikitLearnLassoSolution() {
        try (Scope s = Scope.open()) {
            Lasso l = load();
            Tensor x0 = Tensor.zeros(DType.F64, l.x().length);
            for (double alpha : new double[] {1.0, 1.6}) {
                SolverResult r = Admm.builder().rho(5).relaxation(alpha).tolerance(1e-12).maxIterations(20000).build()
                        .solve(Prox.leastSquares(l.a(), l.b()), Prox.l1(l.lambda()), x0);
                assertTrue(r.converged(), "alpha " + alpha);
                assertArrayEquals(l.x(), r.solution().toDoubleArray(), 1e-9, "alpha " + alpha);
                assertEquals(l.objective(), r.objective(), 1e-9);
            }
        }
    }

    @Test
    void admmWithASmoothPartAgreesWithFistaOnSparseLogisticRegression() {
        try (Scope s = Scope.open()) {
            Lasso l = load();
            // the prox of the smooth part meets its stationarity condition ∇f(x) + (x − v)/t = 0
            Tensor v = Rng.seed(8).normal(DType.F64, 0, 1, l.x().length);
            Tensor expected = Prox.leastSquares(l.a(), l.b()).prox(v, 0.7);
            assertArrayEquals(expected.toDoubleArray(), Prox.smooth(l.smooth()).prox(v, 0.7).toDoubleArray(), 1e-10);
            // ℓ1-regularised logistic regression on 4 features: Σ log(1 + exp(−yᵢ aᵢᵀx)) + λ‖x‖₁, labels from b's signs
            Tensor labels = l.b().sign();
            Tensor features = l.a().slice(1, 0, 4, 1).contiguous();
            Smooth logistic = Smooth.of(x -> labels.mul(features.matmul(x)).neg().exp().log1p().sum());
            Tensor w = v.slice(0, 0, 4, 1).contiguous();
            Tensor point = Prox.smooth(logistic).prox(w, 0.7);
            assertTrue(logistic.gradient(point).add(point.sub(w).div(0.7)).norm().item() < 1e-10);
            double lambda = 2.0;
            Tensor x0 = Tensor.zeros(DType.F64, 4);
            SolverResult admm = Admm.builder().rho(10).tolerance(1e-9).maxIterations(1000).build()
                    .solve(logistic, Prox.l1(lambda), x0);
            SolverResult fista = ProximalGradient.builder().backtracking(1, 0.5).accelerated(true).adaptiveRestart(true)
                    .tolerance(1e-13).maxIterations(50000).build().solve(logistic, Prox.l1(lambda), x0);
            assertTrue(admm.converged() && fista.converged());
            assertArrayEquals(fista.solution().toDoubleArray(), admm.solution().toDoubleArray(), 1e-6);
            assertEquals(fista.objective(), admm.objective(), 1e-8);
        }
    }

    @Test
    void fistaOnTheSimulatedDeviceMatchesTheCpu() {
        try (Scope s = Scope.open()) {
            Lasso l = load();
            Tensor a = l.a().to(SimBackend.SIM);
            Tensor b = l.b().to(SimBackend.SIM);
            Smooth f = Smooth.of(v -> a.matmul(v).sub(b).square().sum().mul(0.5));
            SolverResult r = ProximalGradient.builder().step(1 / l.lipschitz()).accelerated(true).adaptiveRestart(true)
                    .tolerance(1e-13).maxIterations(20000).build()
                    .solve(f, Prox.l1(l.lambda()), Tensor.zeros(DType.F64, SimBackend.SIM, l.x().length));
            assertEquals(SimBackend.SIM, r.solution().device());
            assertArrayEquals(l.x(), r.solution().toDoubleArray(), 1e-9);
        }
    }

    /** The (n−1) × n forward difference matrix. */
    static Tensor differences(int n) {
        double[] d = new double[(n - 1) * n];
        for (int i = 0; i < n - 1; i++) {
            d[i * n + i] = -1;
            d[i * n + i + 1] = 1;
        }
        return Tensor.of(d).reshape(n - 1, n);
    }

    @Test
    void admmLinearConstraintFormAndLinearizedAdmmSolveTotalVariationDenoising() {
        try (Scope s = Scope.open()) {
            int n = 12;
            double lambda = 0.6;
            double[] signal = new double[n];
            for (int i = 0; i < n; i++) {
                signal[i] = (i < 4 ? 0 : i < 9 ? 2 : -1) + 0.3 * Math.sin(3.1 * i);
            }
            Tensor y = Tensor.of(signal);
            Tensor d = differences(n);
            // reference: the dual min_{‖w‖∞ ≤ λ} ½‖y − Dᵀw‖², x = y − Dᵀw, by FISTA on the box
            Smooth dual = Smooth.of(w -> y.sub(d.transpose().matmul(w)).square().sum().mul(0.5));
            SolverResult w = ProximalGradient.builder().step(0.25).accelerated(true).adaptiveRestart(true).tolerance(1e-14)
                    .maxIterations(100000).build().solve(dual, Prox.box(-lambda, lambda), Tensor.zeros(DType.F64, n - 1));
            double[] expected = y.sub(d.transpose().matmul(w.solution())).toDoubleArray();

            SolverResult admm = Admm.builder().rho(1).relaxation(1.5).tolerance(1e-12).maxIterations(50000).build()
                    .solve(Tensor.eye(n, DType.F64), y.neg(), d, Tensor.zeros(DType.F64, n - 1), Prox.l1(lambda),
                            Tensor.zeros(DType.F64, n));
            assertTrue(admm.converged());
            assertArrayEquals(expected, admm.solution().toDoubleArray(), 1e-8);

            SolverResult linearized = LinearizedAdmm.builder().rho(1).step(1 / (1 + 4.0)).tolerance(1e-12)
                    .maxIterations(100000).build()
                    .solve(Smooth.of(x -> x.sub(y).square().sum().mul(0.5)), Prox.l1(lambda), d, Tensor.zeros(DType.F64, n));
            assertTrue(linearized.converged());
            assertArrayEquals(expected, linearized.solution().toDoubleArray(), 1e-8);
            double objective = 0.5 * admm.solution().sub(y).square().sum().item()
                    + lambda * d.matmul(admm.solution()).abs().sum().item();
            assertEquals(objective, linearized.objective(), 1e-9);
        }
    }

    @Test
    void solversRefuseBadInputBeforeWork() {
        try (Scope s = Scope.open()) {
            Tensor x0 = Tensor.zeros(DType.F64, 3);
            Smooth f = Smooth.of(v -> v.square().sum());
            assertThrows(IllegalArgumentException.class, () -> ProximalGradient.builder().step(0));
            assertThrows(IllegalArgumentException.class, () -> ProximalGradient.builder().step(Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> ProximalGradient.builder().backtracking(1, 1));
            assertThrows(IllegalArgumentException.class, () -> ProximalGradient.builder().maxIterations(0));
            assertThrows(IllegalArgumentException.class, () -> ProximalGradient.builder().tolerance(-1));
            assertThrows(IllegalArgumentException.class, () -> ProximalGradient.builder().build().solve(null, Prox.zero(), x0));
            assertThrows(IllegalArgumentException.class,
                    () -> ProximalGradient.builder().build().solve(f, Prox.zero(), Tensor.of(1, 2)));
            assertThrows(IllegalArgumentException.class, () -> Admm.builder().rho(-1));
            assertThrows(IllegalArgumentException.class, () -> Admm.builder().relaxation(2));
            assertThrows(IllegalArgumentException.class, () -> Admm.builder().relaxation(Double.NaN));
            Tensor p = Tensor.eye(3, DType.F64);
            assertThrows(ShapeMismatchException.class, () -> Admm.builder().build()
                    .solve(p, Tensor.zeros(DType.F64, 2), p, x0, Prox.l1(1), x0));
            assertThrows(ShapeMismatchException.class, () -> Admm.builder().build()
                    .solve(p, x0, differences(3), x0, Prox.l1(1), x0));
            assertThrows(IllegalArgumentException.class, () -> LinearizedAdmm.builder().step(0));
            assertThrows(ShapeMismatchException.class,
                    () -> LinearizedAdmm.builder().build().solve(f, Prox.l1(1), differences(4), x0));
        }
    }

    @Test
    void anUnreachableToleranceEndsNotConvergedWithTheLastIterate() {
        try (Scope s = Scope.open()) {
            Lasso l = load();
            SolverResult r = ProximalGradient.builder().step(1 / l.lipschitz()).tolerance(0).maxIterations(5).build()
                    .solve(l.smooth(), Prox.l1(l.lambda()), Tensor.zeros(DType.F64, l.x().length));
            assertFalse(r.converged());
            assertEquals(5, r.iterations());
            assertEquals(5, r.objectiveHistory().length);
        }
    }
}
