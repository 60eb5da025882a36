package dev.proxima.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.sim.SimBackend;
import dev.proxima.testkit.NoLeaks;
import dev.proxima.testkit.TensorAssertions;
import dev.proxima.testkit.Tolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class SinkhornNewtonSparseTest {

    /** n uniform points of [0,1]² against n points of a shifted Gaussian (the benchmark problem). */
    private static LinearProblem problem(int n, long seed) {
        Tensor x = Rng.seed(seed).uniform(DType.F64, 0, 1, n, 2);
        Tensor y = Rng.seed(seed + 1).normal(DType.F64, 0, 1, n, 2).mul(0.15).add(0.5);
        return LinearProblem.of(PointCloud.of(x, y));
    }

    @Test
    void reachesSinkhornsSolution() {
        try (Scope s = Scope.open()) {
            LinearProblem problem = problem(80, 3);
            SinkhornOutput reference = Sinkhorn.builder(0.02).tolerance(1e-12).maxIterations(20000).build().solve(problem);
            assertTrue(reference.converged());
            SinkhornNewtonSparseOutput out = SinkhornNewtonSparse.builder(0.02).tolerance(1e-12).build().solve(problem);
            assertTrue(out.converged(), "error " + out.error());
            assertTrue(out.newtonIterations() >= 1);
            TensorAssertions.assertClose(reference.plan(), out.plan(), new Tolerance(1e-8, 1e-13));
            assertEquals(reference.regularizedCost().item(), out.regularizedCost().item(), 1e-12);
            assertEquals(reference.cost().item(), out.cost().item(), 1e-12);
            // potentials are unique up to f + c, g − c: compare them shifted to f[0] = 0
            double shiftRef = reference.f().getDouble(0);
            double shiftOut = out.f().getDouble(0);
            TensorAssertions.assertClose(reference.f().sub(shiftRef), out.f().sub(shiftOut), new Tolerance(0, 1e-10));
            TensorAssertions.assertClose(reference.g().add(shiftRef), out.g().add(shiftOut), new Tolerance(0, 1e-10));
            // the marginals of the plan
            TensorAssertions.assertClose(problem.a(), out.plan().sum(1), new Tolerance(0, 1e-12));
            TensorAssertions.assertClose(problem.b(), out.plan().sum(0), new Tolerance(0, 1e-12));
        }
    }

    @Test
    void needsFarFewerIterationsThanSinkhornAtSmallEpsilon() {
        try (Scope s = Scope.open()) {
            LinearProblem problem = problem(200, 5);
            SinkhornOutput sinkhorn = Sinkhorn.builder(0.01).tolerance(1e-8).maxIterations(100000).build().solve(problem);
            SinkhornNewtonSparseOutput sns = SinkhornNewtonSparse.builder(0.01).tolerance(1e-8).build().solve(problem);
            assertTrue(sinkhorn.converged());
            assertTrue(sns.converged());
            assertTrue(sns.error() < 1e-8);
            int outer = sns.sinkhornIterations() + sns.newtonIterations();
            assertTrue(3 * outer < sinkhorn.iterations(), "SNS: " + sns.sinkhornIterations() + " Sinkhorn + "
                    + sns.newtonIterations() + " Newton steps (" + sns.conjugateGradientIterations()
                    + " CG iterations) vs " + sinkhorn.iterations() + " Sinkhorn iterations");
            // the error history: the warm-up's, then each Newton step's, then the last Sinkhorn iteration's
            assertEquals(sns.sinkhornIterations() + sns.newtonIterations(), sns.errors().length);
            TensorAssertions.assertClose(sinkhorn.plan(), sns.plan(), new Tolerance(1e-5, 1e-12));
        }
    }

    @Test
    void withTheExactHessianNewtonConvergesQuadratically() {
        try (Scope s = Scope.open()) {
            SinkhornNewtonSparseOutput out = SinkhornNewtonSparse.builder(0.01).keepFraction(1).tolerance(1e-10).build()
                    .solve(problem(100, 7));
            double[] e = out.errors();
            int first = out.sinkhornIterations() - 2;     // the last warm-up error, then the Newton steps' errors
            assertTrue(out.newtonIterations() <= 5, out.newtonIterations() + " Newton steps");
            // the last two Newton steps: error_{k+1} ≤ C·error_k² (here about 1e-6 -> 4e-12), a quadratic rate
            double before = e[first + out.newtonIterations() - 1];
            double after = e[first + out.newtonIterations()];
            assertTrue(after < 1e-10 && after <= 100 * before * before, before + " -> " + after);
        }
    }

    @Test
    void onTheSimulatedDeviceItGivesTheCpuSolution() {
        try (Scope s = Scope.open()) {
            LinearProblem cpu = problem(40, 9);
            Tensor cost = cpu.geometry().cost();
            LinearProblem sim = LinearProblem.of(CostMatrix.of(cost.to(SimBackend.SIM)), cpu.a().to(SimBackend.SIM),
                    cpu.b().to(SimBackend.SIM));
            SinkhornNewtonSparse solver = SinkhornNewtonSparse.builder(0.02).tolerance(1e-10).build();
            SinkhornNewtonSparseOutput onCpu = solver.solve(LinearProblem.of(CostMatrix.of(cost), cpu.a(), cpu.b()));
            SinkhornNewtonSparseOutput onSim = solver.solve(sim);
            assertEquals(SimBackend.SIM, onSim.f().device());
            assertEquals(onCpu.newtonIterations(), onSim.newtonIterations());
            TensorAssertions.assertClose(onCpu.plan(), onSim.plan().to(dev.proxima.tensor.Device.CPU), new Tolerance(1e-9, 1e-14));
        }
        assertEquals(0, SimBackend.allocatedBytes(), "sim bytes still allocated after the test");
    }

    @Test
    void badInputIsRefusedBeforeAnyWork() {
        assertThrows(IllegalArgumentException.class, () -> SinkhornNewtonSparse.builder(0));
        assertThrows(IllegalArgumentException.class, () -> SinkhornNewtonSparse.builder(Double.NaN));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SinkhornNewtonSparse.builder(0.1).keepFraction(0))
                .getMessage().contains("got 0.0"));
        assertThrows(IllegalArgumentException.class, () -> SinkhornNewtonSparse.builder(0.1).keepFraction(1.5));
        assertThrows(IllegalArgumentException.class, () -> SinkhornNewtonSparse.builder(0.1).warmupIterations(0));
        assertThrows(IllegalArgumentException.class, () -> SinkhornNewtonSparse.builder(0.1).tolerance(0));
        assertThrows(IllegalArgumentException.class, () -> SinkhornNewtonSparse.builder(0.1).maxConjugateGradientIterations(0));
        SinkhornNewtonSparse solver = SinkhornNewtonSparse.builder(0.1).build();
        assertThrows(NullPointerException.class, () -> solver.solve(null));
        try (Scope s = Scope.open()) {
            Tensor cost = Tensor.fromArray(new double[][] {{0, 1}, {1, 0}});
            Tensor half = Tensor.of(0.5, 0.5);
            Tensor zero = Tensor.of(1.0, 0.0);
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> solver.solve(LinearProblem.unbalanced(CostMatrix.of(cost), half, half, 1.0, 1.0)))
                    .getMessage().contains("balanced"));
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> solver.solve(LinearProblem.of(CostMatrix.of(cost), half, zero)))
                    .getMessage().contains("positive weights b"));
            Tensor batched = Tensor.stack(0, cost, cost);
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> solver.solve(LinearProblem.of(CostMatrix.of(batched))))
                    .getMessage().contains("batch"));
        }
    }
}
