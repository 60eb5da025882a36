package dev.proxima.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where the libraries are looked for, and which are skipped for the driver's version (issue 18, items 4 and 5):
 * {@code LD_LIBRARY_PATH} and the active Python environment come before the system folders, and a cuBLAS / NVRTC
 * newer than the driver's CUDA major version is never tried unless chosen explicitly. No library is loaded.
 */
class LibraryLocatorOrderTest {

    @Test
    void librariesNewerThanTheDriverAreSkipped(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("libcublas.so.13"), "x");
        Files.writeString(dir.resolve("libcublas.so.12"), "x");
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", dir.toString());
        String v13 = dir.resolve("libcublas.so.13").toString();
        String v12 = dir.resolve("libcublas.so.12").toString();

        List<String> on12 = LibraryLocator.candidates(LibraryLocator.CUBLAS, env, null, 12);   // an H100 fleet's 12.x driver
        assertFalse(on12.contains(v13), on12.toString());
        assertFalse(on12.contains("libcublas.so.13"), on12.toString());
        assertEquals(v12, on12.getFirst());
        assertTrue(on12.contains("libcublas.so"), "an unversioned name may still be right: " + on12);

        List<String> on13 = LibraryLocator.candidates(LibraryLocator.CUBLAS, env, null, 13);
        assertEquals(List.of(v13, v12), on13.subList(0, 2));
        assertEquals(on13, LibraryLocator.candidates(LibraryLocator.CUBLAS, env, null, 0), "an unknown driver filters nothing");
        assertEquals(on13, LibraryLocator.candidates(LibraryLocator.CUBLAS, env, null));
    }

    @Test
    void anExplicitChoiceIsKeptWhateverTheDriver(@TempDir Path dir) {
        String chosen = dir.resolve("libnvrtc.so.13").toString();
        assertEquals(List.of(chosen), LibraryLocator.candidates(LibraryLocator.NVRTC, Map.of("PROXIMA_NVRTC", chosen), null, 12));
    }

    @Test
    void sonameMajorVersions() {
        assertEquals(13, LibraryLocator.sonameMajor("/x/y/libcublas.so.13"));
        assertEquals(13, LibraryLocator.sonameMajor("libnvrtc.so.13.1"));
        assertEquals(12, LibraryLocator.sonameMajor("libnvrtc.so.12"));
        assertEquals(-1, LibraryLocator.sonameMajor("libcublas.so"));
        assertEquals(-1, LibraryLocator.sonameMajor("/opt/lib/libcublas.so.x"));
    }

    @Test
    void ldLibraryPathAndTheActiveEnvironmentComeBeforeSystemFolders(@TempDir Path home) throws Exception {
        Path ld = Files.createDirectories(home.resolve("ld"));
        Path venv = home.resolve("venv");
        Path wheel = Files.createDirectories(venv.resolve("lib/python3.12/site-packages/nvidia/cublas/lib"));
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", ld.toString(), "VIRTUAL_ENV", venv.toString());
        List<Path> dirs = LibraryLocator.searchFolders(LibraryLocator.CUBLAS, env, home.toString());
        assertEquals(List.of(ld, wheel), dirs.subList(0, 2), dirs.toString());
        for (String system : List.of("/usr/local/cuda/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib64")) {
            int at = dirs.indexOf(Path.of(system));
            assertTrue(at == -1 || at > 1, system + " before LD_LIBRARY_PATH or the environment: " + dirs);
        }
        int compat = dirs.indexOf(Path.of("/usr/local/cuda/compat"));
        int system = dirs.indexOf(Path.of("/usr/lib/x86_64-linux-gnu"));
        assertTrue(compat == -1 || system == -1 || compat < system, "the compat driver must win over the system driver: " + dirs);
    }
}
