package dev.proxima.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CUDA library names per operating system (only Linux runs here) and the Windows toolkit folder. */
class LibraryLocatorNamesTest {

    @Test
    void linuxUsesTheSonames() {
        assertEquals(List.of("libcuda.so.1", "libcuda.so"), LibraryLocator.fileNames(LibraryLocator.DRIVER, "Linux"));
        assertEquals(LibraryLocator.CUBLAS.sonames(), LibraryLocator.fileNames(LibraryLocator.CUBLAS, "Linux"));
        assertEquals(LibraryLocator.NVRTC.sonames(), LibraryLocator.fileNames(LibraryLocator.NVRTC, "Linux"));
    }

    @Test
    void windowsUsesNvidiasDllNamesNewestFirst() {
        assertEquals(List.of("nvcuda.dll"), LibraryLocator.fileNames(LibraryLocator.DRIVER, "Windows 11"));
        assertEquals(List.of("cublas64_13.dll", "cublas64_12.dll"), LibraryLocator.fileNames(LibraryLocator.CUBLAS, "Windows 10"));
        assertEquals(List.of("nvrtc64_130_0.dll", "nvrtc64_120_0.dll"),
                LibraryLocator.fileNames(LibraryLocator.NVRTC, "Windows Server 2022"));
    }

    @Test
    void macosHasNoCuda() {
        assertEquals(List.of(), LibraryLocator.fileNames(LibraryLocator.DRIVER, "Mac OS X"));
        assertEquals(List.of(), LibraryLocator.fileNames(LibraryLocator.NVRTC, "Mac OS X"));
    }

    @Test
    void theToolkitFolderNamedByCudaPathIsSearched(@TempDir Path tmp) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("CUDA/v13.0/bin"));
        Path x64 = Files.createDirectories(bin.resolve("x64"));
        List<Path> dirs = LibraryLocator.searchFolders(LibraryLocator.CUBLAS,
                Map.of("CUDA_PATH", tmp.resolve("CUDA/v13.0").toString()), tmp.toString());
        assertTrue(dirs.indexOf(x64) >= 0 && dirs.indexOf(x64) < dirs.indexOf(bin), dirs.toString());
    }
}
