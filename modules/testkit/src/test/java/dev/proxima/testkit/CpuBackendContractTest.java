package dev.proxima.testkit;

import dev.proxima.tensor.Device;

/** The backend contract on the CPU backend: every op family against plain-Java reference values. */
class CpuBackendContractTest extends BackendContract {

    @Override
    protected Device device() {
        return Device.CPU;
    }
}
