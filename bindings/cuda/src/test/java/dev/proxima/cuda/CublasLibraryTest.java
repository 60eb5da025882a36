package dev.proxima.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks {@link Cublas} against a real libcublas (e.g. {@code PROXIMA_CUBLAS=/path/to/libcublas.so.11});
 * skipped, with the reason printed, where none loads. Needs no GPU: symbol presence, the version
 * through {@code cublasGetProperty}, status names, and {@code cublasCreate}'s error without a device.
 */
class CublasLibraryTest {

    /** Each test is reported skipped, with the reason, where no library loads (an assumption per test, not per class). */
    @BeforeEach
    void cublasOrSkip() {
        Assumptions.assumeTrue(Cuda.hasCublas(), () -> "no cuBLAS: " + Cuda.cublasProblem());
    }

    @Test
    void everyBoundEntryPointIsExportedAndTheVersionReadsBack() {
        NativeLibrary lib = Cublas.loaded().library();
        assertEquals(List.of(), Cublas.SYMBOLS.stream().filter(s -> !lib.has(s)).toList(), lib.path() + " lacks bound entry points");
        int major = Cublas.property(Cublas.MAJOR_VERSION);
        int minor = Cublas.property(Cublas.MINOR_VERSION);
        int patch = Cublas.property(Cublas.PATCH_LEVEL);
        System.out.println("[cuda] cuBLAS " + major + "." + minor + "." + patch + " (" + lib.path() + "), all " + Cublas.SYMBOLS.size()
                + " bound entry points present; optional "
                + Cublas.OPTIONAL_SYMBOLS.stream().map(s -> s + (lib.has(s) ? " present" : " absent")).toList());
        assertTrue(major >= 11 && minor >= 0 && patch >= 0, major + "." + minor + "." + patch);
        Matcher m = Pattern.compile("libcublas\\.so\\.(\\d+)").matcher(Path.of(lib.path()).getFileName().toString());
        if (m.lookingAt()) {
            assertEquals(Integer.parseInt(m.group(1)), major, "soname major vs cublasGetProperty");
        }
        assertThrows(IllegalArgumentException.class, () -> Cublas.property(3));
    }

    @Test
    void statusNamesComeFromTheLibrary() {
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", Cublas.statusName(7));
        assertEquals("CUBLAS_STATUS_NOT_INITIALIZED", Cublas.statusName(1));
        assertEquals("CUBLAS_STATUS_NOT_SUPPORTED", Cublas.statusName(15));
    }

    @Test
    void createWithoutADeviceFailsWithAStatus() {
        if (Cuda.availability().available()) {
            System.out.println("[cuda] SKIPPED cublasCreate-without-device check: this machine has a device");
        }
        Assumptions.assumeFalse(Cuda.availability().available(), "this machine has a device");
        CudaException e = assertThrows(CudaException.class, Cublas::create);
        System.out.println("[cuda] cublasCreate without a device: " + e.getMessage());
        assertEquals("cublasCreate_v2", e.call());
        assertEquals("CUBLAS_STATUS_NOT_INITIALIZED", e.errorName());
    }
}
