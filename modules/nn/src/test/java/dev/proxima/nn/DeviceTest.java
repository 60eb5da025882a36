package dev.proxima.nn;

import dev.proxima.nn.Losses.Reduction;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.sim.SimBackend;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layers on a device: {@link Module#to} moves parameters and buffers to the simulated device {@code sim:0}
 * (memory the front end cannot read, the CPU's kernels), and forward passes, losses, gradients, training
 * steps, dropout masks and state dicts there must equal the same computation on the CPU.
 */
@ExtendWith(NoLeaks.class)
class DeviceTest {

    static final Device SIM = SimBackend.SIM;

    @AfterEach
    void simMemoryFreed() {
        assertEquals(0, SimBackend.allocatedBytes(), "sim bytes still allocated after the test");
    }

    private static Module net(long seed) {
        return new Sequential(
                new MLP(new long[]{4, 16, 16}, Activation.GELU, DType.F64, Rng.seed(seed)),
                new LayerNorm(new long[]{16}, 1e-5, true, DType.F64),
                new Dropout(0.25, Rng.seed(seed + 1)),
                new Linear(16, 3, true, DType.F64, Rng.seed(seed + 2)));
    }

    /** One plain SGD step on cross-entropy; returns the loss before the step. */
    private static double step(Module m, Tensor x, Tensor labels, double lr) {
        try (Scope s = Scope.open()) {
            m.zeroGrad();
            Tensor loss = Losses.crossEntropy(m.forward(x), labels, Reduction.MEAN);
            loss.backward();
            try (var off = Autodiff.noGrad()) {
                for (Parameter p : m.parameters()) {
                    p.set(p.value().sub(p.grad().mul(lr)));
                }
            }
            return loss.item();
        }
    }

    @Test
    void trainingStepsOnTheDeviceMatchTheCpu() {
        try (Module cpu = net(3); Module dev = net(3).to(SIM); Scope s = Scope.open()) {
            assertEquals(Device.CPU, cpu.device());
            assertEquals(SIM, dev.device());
            Tensor x = Rng.seed(9).normal(DType.F64, 0, 1, 32, 4);
            Tensor labels = Rng.seed(10).randint(0, 3, DType.I64, 32);
            Tensor xd = x.to(SIM);
            Tensor ld = labels.to(SIM);
            for (int i = 0; i < 5; i++) {
                double a = step(cpu, x, labels, 0.1);
                double b = step(dev, xd, ld, 0.1);
                assertEquals(a, b, 1e-12, "loss at step " + i + " (dropout masks come from the same Philox stream)");
            }
            List<Parameter> pc = cpu.parameters();
            List<Parameter> pd = dev.parameters();
            for (int i = 0; i < pc.size(); i++) {
                assertEquals(SIM, pd.get(i).value().device());
                assertArrayEquals(pc.get(i).value().toDoubleArray(), pd.get(i).value().toDoubleArray(), 1e-12, "parameter " + i);
            }
            cpu.eval();
            dev.eval();
            assertArrayEquals(cpu.forward(x).toDoubleArray(), dev.forward(xd).toDoubleArray(), 1e-12);
        }
    }

    @Test
    void attentionNormsAndStateDictsOnTheDevice() {
        try (MultiheadAttention cpu = new MultiheadAttention(8, 2, true, DType.F64, Rng.seed(4));
             MultiheadAttention dev = new MultiheadAttention(8, 2, true, DType.F64, Rng.seed(4));
             BatchNorm bnCpu = new BatchNorm(3, DType.F64);
             BatchNorm bnDev = new BatchNorm(3, DType.F64);
             Scope s = Scope.open()) {
            dev.to(SIM);
            Tensor q = Rng.seed(5).normal(DType.F64, 0, 1, 2, 5, 8);
            Tensor yc = cpu.forward(q);
            Tensor yd = dev.forward(q.to(SIM));
            assertEquals(SIM, yd.device());
            assertArrayEquals(yc.toDoubleArray(), yd.toDoubleArray(), 1e-12, "causal attention (mask built on the device)");

            bnDev.to(SIM);
            Tensor img = Rng.seed(6).normal(DType.F64, 1, 2, 4, 3, 5, 5);
            assertArrayEquals(bnCpu.forward(img).toDoubleArray(), bnDev.forward(img.to(SIM)).toDoubleArray(), 1e-12);
            Map<String, Tensor> stateDev = bnDev.stateDict();
            assertEquals(SIM, stateDev.get("running_mean").device(), "buffers moved too");
            assertArrayEquals(bnCpu.stateDict().get("running_var").toDoubleArray(), stateDev.get("running_var").toDoubleArray(), 1e-12);

            // a host state dict loads into a device module and stays on the device
            dev.loadStateDict(cpu.stateDict());
            assertEquals(SIM, dev.device());
            // and back to the host
            dev.to(Device.CPU);
            assertEquals(Device.CPU, dev.device());
            assertArrayEquals(yc.toDoubleArray(), dev.forward(q).toDoubleArray(), 1e-12);
        }
    }

    @Test
    void unavailableDevicesAndSplitModulesAreReported() {
        try (Linear a = new Linear(2, 2, true, DType.F32, Rng.seed(1)); Linear b = new Linear(2, 2, true, DType.F32, Rng.seed(2));
             Sequential both = new Sequential(a, b)) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> a.to(new Device("nosuch", 0)));
            assertTrue(e.getMessage().contains("nosuch"), e.getMessage());
            assertEquals(Device.CPU, a.device(), "a failed move leaves the module where it was");
            b.to(SIM);
            IllegalStateException split = assertThrows(IllegalStateException.class, both::device);
            assertTrue(split.getMessage().contains("several devices") && split.getMessage().contains("sim:0"), split.getMessage());
            both.to(Device.CPU);
        }
    }
}
