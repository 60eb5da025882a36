package dev.proxima.reliability;

import dev.proxima.nn.Linear;
import dev.proxima.nn.Module;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.sim.SimBackend;

import java.util.Map;

import static dev.proxima.reliability.Expect.equal;
import static dev.proxima.reliability.Expect.refused;

/**
 * Misuse on a (simulated) device — closes racing staged kernels, mixed devices, device memory accounting — and
 * of neural-network layers: wrong input shapes, state that does not fit, closed modules.
 */
final class DeviceAndLayerProbes {

    private DeviceAndLayerProbes() {
    }

    private static final Device SIM = SimBackend.SIM;

    static void register(Probes p) {
        p.add("device.mixedDevices", () -> {
            try (Scope ignored = Scope.open()) {
                Tensor host = Tensor.ones(DType.F32, 3);
                Tensor device = Tensor.ones(DType.F32, SIM, 3);
                refused(IllegalArgumentException.class, () -> host.add(device), "sim");
            }
            equal(0L, SimBackend.allocatedBytes(), "sim bytes after the probe");
        });
        p.add("device.transferOfClosed", () -> {
            Tensor t = Tensor.ones(DType.F32, 3);
            t.close();
            refused(IllegalStateException.class, () -> t.to(SIM), "closed");
        });
        p.add("device.closeDuringStagedKernel", () -> {
            // conv and LAPACK have no sim kernels: they are staged through the host, with copies both ways
            Tensor a;
            try (Tensor eye = Tensor.eye(64, DType.F64); Tensor twice = eye.mul(2)) {
                a = twice.to(SIM);
            }
            ConcurrencyProbes.closeWhileReading(a, t -> dev.proxima.tensor.Linalg.inv(t).sum(), 32.0, 20);
            equal(0L, SimBackend.allocatedBytes(), "sim bytes after the probe");
        });
        p.add("device.backwardOnDevice", () -> {
            try (Scope ignored = Scope.open()) {
                Tensor x = Tensor.of(1.0, 2.0, 3.0).to(SIM).requiresGrad(true);
                x.square().sum().backward();
                equal(SIM, x.grad().device(), "device of the gradient");
                equal(new double[]{2, 4, 6}, x.grad().to(Device.CPU).toDoubleArray(), "gradient computed on the device");
            }
            equal(0L, SimBackend.allocatedBytes(), "sim bytes after the probe");
        });
        p.add("nn.linear.wrongFeatures", () -> {
            try (Scope ignored = Scope.open(); Linear layer = new Linear(3, 2, Rng.seed(1))) {
                refused(ShapeMismatchException.class, () -> layer.forward(Tensor.ones(DType.F32, 4, 5)));
            }
        });
        p.add("nn.loadState.wrongShape", () -> {
            try (Scope ignored = Scope.open(); Linear layer = new Linear(3, 2, Rng.seed(1))) {
                Tensor before = layer.stateDict().get("weight").copy();
                refused(IllegalArgumentException.class, () -> layer.loadStateDict(Map.of(
                        "weight", Tensor.zeros(DType.F32, 3, 2), "bias", Tensor.zeros(DType.F32, 2))), "weight");
                equal(true, before.allClose(layer.stateDict().get("weight"), 0, 0), "weights unchanged after a refused load");
            }
        });
        p.add("nn.loadState.missingKey", () -> {
            try (Scope ignored = Scope.open(); Linear layer = new Linear(3, 2, Rng.seed(1))) {
                refused(IllegalArgumentException.class, () -> layer.loadStateDict(Map.of("weight", Tensor.zeros(DType.F32, 2, 3))),
                        "bias");
            }
        });
        p.add("nn.closedModule", () -> {
            Module layer = new Linear(3, 2, Rng.seed(1));
            layer.close();
            try (Scope ignored = Scope.open()) {
                refused(IllegalStateException.class, () -> layer.forward(Tensor.ones(DType.F32, 1, 3)), "closed");
            }
        });
    }
}
