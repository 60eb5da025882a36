package dev.proxima.tensor.cuda;

import dev.proxima.cuda.Cuda;
import dev.proxima.tensor.Device;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What every GPU test class shares: the {@code gpu} tag, skipping (with the reason printed) where no CUDA
 * device is present, and the checks that device memory held by tensors is back to zero after each test
 * and host memory where it was before ({@link NoLeaks}). Device storage is reference counted and freed
 * when the last tensor on it closes, so neither check waits for the garbage collector.
 */
@Tag("gpu")
@ExtendWith(NoLeaks.class)
abstract class GpuTestBase {

    static final Device GPU = new Device("cuda", 0);

    @BeforeAll
    static void requireDevice() {
        Cuda.Availability a = Cuda.availability();
        if (!a.available()) {
            System.out.println("[cuda] SKIPPED gpu tests: " + a.reason());
        }
        Assumptions.assumeTrue(a.available(), a.reason());
        System.out.println("[cuda] " + a.reason());
    }

    @AfterEach
    void memoryReturnsToZero() {
        assertEquals(0, CudaBackend.allocatedBytes(0), "device bytes still allocated after the test");
    }
}
