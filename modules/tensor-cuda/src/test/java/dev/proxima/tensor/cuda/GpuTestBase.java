package dev.proxima.tensor.cuda;

import dev.proxima.cuda.Cuda;
import dev.proxima.tensor.Device;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What every GPU test class shares: the {@code gpu} tag, skipping (with the reason printed) where no CUDA
 * device is present, and the check that device memory held by tensors is back to zero after each test.
 */
@Tag("gpu")
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
        System.gc();
        assertEquals(0, CudaBackend.allocatedBytes(0), "device bytes still allocated after the test");
    }
}
