package dev.proxima.tensor.cuda;

import dev.proxima.tensor.Device;
import dev.proxima.testkit.BackendContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The backend contract on {@code cuda:0}: every op family on the GPU against plain-Java reference values,
 * device memory back to zero after each test. Tagged {@code gpu} and each test skipped, with the reason ({@link RequiresCudaDevice}),
 * where no CUDA device is present (like {@link GpuTestBase}, which it cannot extend).
 */
@Tag("gpu")
@ExtendWith(RequiresCudaDevice.class)
class CudaBackendContractTest extends BackendContract {

    @Override
    protected Device device() {
        return GpuTestBase.GPU;
    }

    @AfterEach
    void deviceMemoryFreed() {
        assertEquals(0, CudaBackend.allocatedBytes(0), "device bytes still allocated after the test");
    }
}
