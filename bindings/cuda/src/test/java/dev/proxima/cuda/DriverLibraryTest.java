package dev.proxima.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks {@link CudaDriver} against a real {@code libcuda} (e.g. {@code PROXIMA_CUDA_DRIVER=/path/to/libcuda.so.1});
 * skipped, with the reason printed, where none loads. Without a GPU it checks that
 * {@link Cuda#availability()} reports the driver's {@code cuInit} error by name on one line.
 */
class DriverLibraryTest {

    /** Each test is reported skipped, with the reason, where no driver loads (an assumption per test, not per class). */
    @BeforeEach
    void driverOrSkip() {
        LibraryLocator.Loaded l = CudaDriver.loaded();
        Assumptions.assumeTrue(l.library() != null, () -> "no CUDA driver: " + l.failure());
    }

    @Test
    void everyBoundEntryPointIsExported() {
        NativeLibrary lib = CudaDriver.loaded().library();
        List<String> missing = CudaDriver.SYMBOLS.stream().filter(s -> !lib.has(s)).toList();
        assertEquals(List.of(), missing, lib.path() + " lacks bound entry points");
        int v = CudaDriver.driverVersion();
        System.out.println("[cuda] driver " + lib.path() + ": CUDA " + v / 1000 + "." + (v % 1000) / 10 + ", all "
                + CudaDriver.SYMBOLS.size() + " bound entry points present; optional "
                + CudaDriver.OPTIONAL_SYMBOLS.stream().map(s -> s + (lib.has(s) ? " present" : " absent")).toList());
        assertTrue(v >= 11000 && v < 100000, "cuDriverGetVersion: " + v);
    }

    @Test
    void errorNamesAreDecodedByTheDriver() {
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", CudaDriver.errorName(2));
        assertEquals("CUDA_ERROR_NO_DEVICE", CudaDriver.errorName(100));
        assertEquals("CUDA_ERROR_UNSUPPORTED_PTX_VERSION", CudaDriver.errorName(222));
        assertEquals("CUresult 99999", CudaDriver.errorName(99999));
    }

    @Test
    void withoutADeviceAvailabilityIsFalseWithTheDecodedCuInitError() {
        Cuda.Availability a = Cuda.availability();
        System.out.println("[cuda] availability with " + CudaDriver.loaded().library().path() + ": " + a);
        assertFalse(a.reason().isBlank());
        assertFalse(a.reason().contains("\n"), a.reason());
        if (a.available()) {
            System.out.println("[cuda] SKIPPED no-device check: this machine has a device");
            assertFalse(Cuda.devices().isEmpty());
            return;
        }
        assertTrue(Cuda.devices().isEmpty());
        CudaException e = assertThrows(CudaException.class, CudaDriver::init);
        assertEquals("cuInit", e.call());
        assertFalse(e.errorName().startsWith("CUresult"), "not decoded: " + e.errorName());
        assertTrue(a.reason().endsWith("failed to initialise: cuInit returned " + e.errorName() + " (" + e.code() + ")"), a.reason());
        if (e.code() == 100) {
            assertEquals("CUDA_ERROR_NO_DEVICE", e.errorName());
        }
    }
}
