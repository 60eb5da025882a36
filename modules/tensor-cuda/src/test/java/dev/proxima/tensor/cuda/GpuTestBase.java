package dev.proxima.tensor.cuda;

import dev.proxima.tensor.Device;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What every GPU test class shares: the {@code gpu} tag, skipping each test (reported as skipped, with the
 * reason) where no CUDA device is present ({@link RequiresCudaDevice}), and the checks that device memory held by tensors is back where it was before each test
 * and host memory where it was before ({@link NoLeaks}). Device storage is reference counted and freed
 * when the last tensor on it closes, so neither check waits for the garbage collector.
 */
@Tag("gpu")
@ExtendWith({RequiresCudaDevice.class, NoLeaks.class})
abstract class GpuTestBase {

    static final Device GPU = new Device("cuda", 0);

    private long deviceBytesBefore;

    @BeforeEach
    void recordDeviceBytes() {
        deviceBytesBefore = CudaBackend.allocatedBytes(0);
    }

    /** Device bytes held by tensors are where they were before the test (so one leak fails one test, not every later one). */
    @AfterEach
    void memoryReturnsToZero() {
        assertEquals(deviceBytesBefore, CudaBackend.allocatedBytes(0), "device bytes still allocated after the test");
    }
}
