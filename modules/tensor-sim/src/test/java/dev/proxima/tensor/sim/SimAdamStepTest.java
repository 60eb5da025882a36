package dev.proxima.tensor.sim;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Into;
import dev.proxima.tensor.Proxima;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused Adam step ({@link Into#adamStep}) on the simulated device: the backend has no such kernel, so the
 * dispatcher stages it through the host (inputs and the read-and-written outputs copied over, results copied
 * back), and the device tensors end up exactly as the same step on the CPU leaves them.
 */
@ExtendWith(NoLeaks.class)
class SimAdamStepTest {

    static final Device SIM = SimBackend.SIM;

    @AfterEach
    void simMemoryFreed() {
        assertEquals(0, SimBackend.allocatedBytes(), "sim bytes still allocated after the test");
    }

    @Test
    void aStagedStepOnTheDeviceEqualsTheCpuStep() {
        try (Scope s = Scope.open(); var off = Autodiff.noGrad()) {
            Rng rng = Rng.seed(3);
            Tensor p = rng.normal(DType.F32, 0, 1, 64, 3);
            Tensor g = rng.normal(DType.F32, 0, 1, 64, 3);
            Tensor m = rng.normal(DType.F32, 0, 0.1, 64, 3);
            Tensor v = rng.uniform(DType.F32, 0, 0.1, 64, 3);
            Tensor pd = p.to(SIM);
            Tensor gd = g.to(SIM);
            Tensor md = m.to(SIM);
            Tensor vd = v.to(SIM);
            Into.adamStep(p, g, m, v, 5, 1e-2, 0.9, 0.999, 1e-8, 0.01, true);
            long before = Proxima.hostStagings();
            Into.adamStep(pd, gd, md, vd, 5, 1e-2, 0.9, 0.999, 1e-8, 0.01, true);
            assertTrue(Proxima.hostStagings() > before, "the step is staged through the host");
            assertEquals(SIM, pd.device());
            assertArrayEquals(p.toFloatArray(), pd.to(Device.CPU).toFloatArray(), 0f);
            assertArrayEquals(m.toFloatArray(), md.to(Device.CPU).toFloatArray(), 0f);
            assertArrayEquals(v.toFloatArray(), vd.to(Device.CPU).toFloatArray(), 0f);
        }
    }

    @Test
    void tensorsOnTwoDevicesAreRefused() {
        try (Scope s = Scope.open(); var off = Autodiff.noGrad()) {
            Tensor p = Tensor.zeros(DType.F64, 4).to(SIM);
            Tensor g = Tensor.ones(DType.F64, 4);
            Tensor m = Tensor.zeros(DType.F64, 4).to(SIM);
            Tensor v = Tensor.zeros(DType.F64, 4).to(SIM);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Into.adamStep(p, g, m, v, 1, 1e-3, 0.9, 0.999, 1e-8, 0, false));
            assertTrue(e.getMessage().contains("device"), e.getMessage());
        }
    }
}
