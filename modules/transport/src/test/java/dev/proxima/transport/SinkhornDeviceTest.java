package dev.proxima.transport;

import dev.proxima.tensor.Device;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.sim.SimBackend;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The solvers on the simulated device: the fused soft-min is staged through the host, results stay on the device. */
@ExtendWith(NoLeaks.class)
class SinkhornDeviceTest {

    static final Device SIM = SimBackend.SIM;

    @AfterEach
    void simMemoryFreed() {
        assertEquals(0, SimBackend.allocatedBytes(), "sim bytes still allocated after the test");
    }

    @Test
    void logDomainScalingAndOnlineSolveOnTheDevice() throws IOException {
        var pot = SinkhornTest.readPot();
        try (Scope s = Scope.open()) {
            Tensor a = pot.tensor("random/a").to(SIM);
            Tensor b = pot.tensor("random/b").to(SIM);
            double[] want = pot.values("random/cases/1/plan");
            Geometry[] geometries = {
                    CostMatrix.of(pot.tensor("random/M").to(SIM)),
                    PointCloud.online(pot.tensor("random/x").to(SIM), pot.tensor("random/y").to(SIM))};
            for (Geometry geometry : geometries) {
                SinkhornOutput out = Sinkhorn.builder(0.05).tolerance(1e-12).maxIterations(100_000).build()
                        .solve(LinearProblem.of(geometry, a, b));
                assertTrue(out.converged());
                assertEquals(SIM, out.f().device());
                Tensor plan = out.plan();
                assertEquals(SIM, plan.device());
                assertArrayEquals(want, plan.toDoubleArray(), 1e-11, geometry.toString());
            }
            SinkhornOutput scaling = Sinkhorn.builder(0.05).logDomain(false).tolerance(1e-12).maxIterations(100_000).build()
                    .solve(LinearProblem.of(geometries[0], a, b));
            assertArrayEquals(want, scaling.plan().toDoubleArray(), 1e-11);
            Tensor grad = dev.proxima.tensor.Autodiff.grad(
                    c -> Sinkhorn.builder(0.05).tolerance(1e-12).maxIterations(100_000).build()
                            .solve(LinearProblem.of(CostMatrix.of(c), a, b)).regularizedCost(),
                    pot.tensor("random/M").to(SIM));
            assertEquals(SIM, grad.device());
            assertArrayEquals(want, grad.toDoubleArray(), 1e-11, "the envelope gradient ∂OT_ε/∂C is the plan");
        }
    }
}
