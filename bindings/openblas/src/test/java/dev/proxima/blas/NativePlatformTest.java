package dev.proxima.blas;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The platform and file-name rules of the OpenBLAS loader for every platform bytedeco publishes. Only
 * linux-x86_64 loads a real library in this build; the other platforms are covered here, down to extracting
 * the files of a platform jar found on the class path.
 */
class NativePlatformTest {

    @Test
    void javaSystemPropertiesMapToBytedecoClassifiers() {
        assertEquals("linux-x86_64", NativePlatform.of("Linux", "amd64").classifier());
        assertEquals("linux-arm64", NativePlatform.of("Linux", "aarch64").classifier());
        assertEquals("macosx-x86_64", NativePlatform.of("Mac OS X", "x86_64").classifier());
        assertEquals("macosx-arm64", NativePlatform.of("Mac OS X", "aarch64").classifier());
        assertEquals("windows-x86_64", NativePlatform.of("Windows 11", "amd64").classifier());
        assertEquals("windows-x86_64", NativePlatform.of("Windows Server 2022", "AMD64").classifier());
        for (String supported : NativePlatform.SUPPORTED) {
            String[] parts = supported.split("-");
            String os = switch (parts[0]) {
                case "linux" -> "Linux";
                case "macosx" -> "Mac OS X";
                default -> "Windows 10";
            };
            assertTrue(NativePlatform.of(os, parts[1]).isSupported(), supported);
        }
        NativePlatform bsd = NativePlatform.of("FreeBSD", "amd64");
        assertEquals(NativePlatform.Os.OTHER, bsd.os());
        assertEquals("freebsd-x86_64", bsd.classifier());
        assertFalse(bsd.isSupported());
        assertFalse(NativePlatform.of("Linux", "ppc64le").isSupported());
        assertEquals("org/bytedeco/openblas/macosx-arm64/", NativePlatform.of("Mac OS X", "arm64").bytedecoFolder());
    }

    @Test
    void thisMachineIsLinuxX8664() {
        // the only platform the build runs on; the README says so
        assertEquals("linux-x86_64", NativePlatform.current().classifier());
    }

    @Test
    void sharedLibraryNamesPerOperatingSystem() {
        NativePlatform linux = NativePlatform.of("Linux", "amd64");
        NativePlatform mac = NativePlatform.of("Mac OS X", "aarch64");
        NativePlatform windows = NativePlatform.of("Windows 11", "amd64");
        assertTrue(linux.isSharedLibrary("libopenblas.so.0"));
        assertTrue(linux.isSharedLibrary("libopenblas.so"));
        assertTrue(linux.isSharedLibrary("libgcc_s.so.1"));
        assertFalse(linux.isSharedLibrary("libopenblas.0.dylib"));
        assertFalse(linux.isSharedLibrary("openblas.pc"));
        assertTrue(mac.isSharedLibrary("libopenblas.0.dylib"));
        assertTrue(mac.isSharedLibrary("libgcc_s.1.1.dylib"));
        assertFalse(mac.isSharedLibrary("libopenblas.so.0"));
        assertTrue(windows.isSharedLibrary("libopenblas.dll"));
        assertTrue(windows.isSharedLibrary("LIBGFORTRAN-5.DLL"));
        assertFalse(windows.isSharedLibrary("libopenblas.dll.a"));
        assertEquals(List.of("libopenblas.so.0", "libopenblas.so"), linux.systemLibraryNames());
        assertEquals(List.of("libopenblas.0.dylib", "libopenblas.dylib"), mac.systemLibraryNames());
        assertEquals(List.of("libopenblas.dll", "openblas.dll"), windows.systemLibraryNames());
        assertEquals(List.of(), NativePlatform.of("AIX", "ppc64").systemLibraryNames());
    }

    @Test
    void baseNamesDropPrefixVersionAndSuffix() {
        assertEquals("gfortran", NativePlatform.baseName("libgfortran.so.5"));
        assertEquals("gfortran", NativePlatform.baseName("libgfortran.5.dylib"));
        assertEquals("gfortran", NativePlatform.baseName("libgfortran-5.dll"));
        assertEquals("gcc_s", NativePlatform.baseName("libgcc_s.1.1.dylib"));
        assertEquals("gcc_s_seh", NativePlatform.baseName("libgcc_s_seh-1.dll"));
        assertEquals("openblas", NativePlatform.baseName("libopenblas.so"));
        assertEquals("openblas", NativePlatform.baseName("openblas.dll"));
        assertEquals("openblas_nolapack", NativePlatform.baseName("libopenblas_nolapack.so.0"));
    }

    @Test
    void loadOrderPutsTheRuntimeFirstAndLeavesOutWhatIsNotNeeded() {
        // the linux-x86_64 jar's folder, as listed by unzip
        List<String> linuxJar = List.of("libjniopenblas_nolapack.so", "libquadmath.so.0", "libgfortran.so.5",
                "libgcc_s.so.1", "libopenblas_nolapack.so.0", "libopenblas.so.0", "libjniopenblas.so", "include", "lib");
        assertEquals(List.of("libgcc_s.so.1", "libquadmath.so.0", "libgfortran.so.5", "libopenblas.so.0"),
                NativePlatform.of("Linux", "amd64").loadOrder(linuxJar));
        // aarch64 has no libquadmath
        assertEquals(List.of("libgcc_s.so.1", "libgfortran.so.5", "libopenblas.so.0"), NativePlatform.of("Linux", "aarch64")
                .loadOrder(List.of("libopenblas.so.0", "libgfortran.so.5", "libgcc_s.so.1", "libjniopenblas.so")));
        assertEquals(List.of("libgcc_s.1.1.dylib", "libquadmath.0.dylib", "libgfortran.5.dylib", "libopenblas.0.dylib"),
                NativePlatform.of("Mac OS X", "x86_64").loadOrder(List.of("libopenblas.0.dylib", "libjniopenblas.dylib",
                        "libgfortran.5.dylib", "libquadmath.0.dylib", "libgcc_s.1.1.dylib", "libopenblas_nolapack.0.dylib")));
        assertEquals(List.of("libgcc_s_seh-1.dll", "libwinpthread-1.dll", "libquadmath-0.dll", "libgfortran-5.dll",
                        "libopenblas.dll"),
                NativePlatform.of("Windows 10", "amd64").loadOrder(List.of("jniopenblas.dll", "libopenblas.dll",
                        "libgfortran-5.dll", "libwinpthread-1.dll", "libquadmath-0.dll", "libgcc_s_seh-1.dll",
                        "libopenblas_nolapack.dll", "jnijavacpp.dll")));
        assertEquals("libopenblas.dll", NativePlatform.of("Windows 10", "amd64").openBlasFile(List.of("libopenblas.dll")));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> NativePlatform.of("Mac OS X", "arm64").loadOrder(List.of("libopenblas.so.0", "libgfortran.5.dylib")));
        assertTrue(none.getMessage().contains("no OpenBLAS library for macosx-arm64"), none.getMessage());
        assertTrue(none.getMessage().contains("libopenblas.0.dylib"), none.getMessage());
    }

    @Test
    void theBuildThisJarCarriesIsLinuxX8664AndListsItsFiles() {
        LibraryLoader.Bundle bundle = LibraryLoader.findBundle(NativePlatform.of("Linux", "amd64"));
        assertEquals("linux-x86_64", bundle.platform());
        assertEquals(List.of("libgcc_s.so.1", "libquadmath.so.0", "libgfortran.so.5", "libopenblas.so.0"), bundle.files());
        assertEquals("the proxima-blas jar", bundle.source());
    }

    @Test
    void aPlatformJarOnTheClassPathIsFoundListedAndExtracted(@TempDir Path tmp) throws IOException {
        // a stand-in for org.bytedeco:openblas:<v>:macosx-arm64 with bytedeco's layout
        Path jar = tmp.resolve("openblas-0.3.30-1.5.12-macosx-arm64.jar");
        String folder = "org/bytedeco/openblas/macosx-arm64/";
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String dir : List.of("org/", "org/bytedeco/", "org/bytedeco/openblas/", folder, folder + "lib/")) {
                out.putNextEntry(new JarEntry(dir));
                out.closeEntry();
            }
            for (String f : List.of("libopenblas.0.dylib", "libgfortran.5.dylib", "libquadmath.0.dylib",
                    "libgcc_s.1.1.dylib", "libjniopenblas.dylib", "lib/openblas.pc")) {
                write(out, folder + f, "bytes of " + f);
            }
            write(out, "META-INF/maven/org.bytedeco/openblas/pom.properties", "version=9.9.9-test\n");
        }
        NativePlatform mac = NativePlatform.of("Mac OS X", "aarch64");
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        String previousCache = System.getProperty("proxima.native.cache");
        try (URLClassLoader loader = new URLClassLoader(new URL[]{jar.toUri().toURL()}, null)) {
            thread.setContextClassLoader(loader);
            System.setProperty("proxima.native.cache", tmp.resolve("cache").toString());
            LibraryLoader.Bundle bundle = LibraryLoader.findBundle(mac);
            assertEquals("macosx-arm64", bundle.platform());
            assertEquals("9.9.9-test", bundle.version());
            assertEquals(List.of("libgcc_s.1.1.dylib", "libgfortran.5.dylib", "libjniopenblas.dylib", "libopenblas.0.dylib",
                    "libquadmath.0.dylib"), bundle.files());
            assertTrue(bundle.source().startsWith("org.bytedeco:openblas:9.9.9-test:macosx-arm64"), bundle.source());
            Path dir = LibraryLoader.extract(bundle, mac);
            assertEquals(tmp.resolve("cache").resolve("openblas-9.9.9-test-macosx-arm64").toAbsolutePath(), dir);
            for (String f : mac.loadOrder(bundle.files())) {
                assertArrayEquals(("bytes of " + f).getBytes(StandardCharsets.UTF_8), Files.readAllBytes(dir.resolve(f)), f);
            }
            assertFalse(Files.exists(dir.resolve("libjniopenblas.dylib")));
            assertEquals("9.9.9-test\n", Files.readString(dir.resolve(".complete")));
        } finally {
            thread.setContextClassLoader(previous);
            if (previousCache == null) {
                System.clearProperty("proxima.native.cache");
            } else {
                System.setProperty("proxima.native.cache", previousCache);
            }
        }
    }

    @Test
    void withoutABuildTheMessageNamesTheJarToAdd() {
        NativePlatform windows = NativePlatform.of("Windows 11", "amd64");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> LibraryLoader.findBundle(windows));
        String version = LibraryLoader.findBundle(NativePlatform.current()).version();
        assertEquals(LibraryLoader.noBuildMessage(windows, "linux-x86_64", version), e.getMessage());
        assertTrue(e.getMessage().contains("add org.bytedeco:openblas:" + version + ":windows-x86_64 "), e.getMessage());
        assertTrue(e.getMessage().startsWith("no OpenBLAS found: the proxima-blas jar carries a build for linux-x86_64 but "
                + "this is windows-x86_64; add org.bytedeco:openblas:"), e.getMessage());
        assertTrue(e.getMessage().contains(":windows-x86_64 to the class path"), e.getMessage());
        assertTrue(e.getMessage().endsWith("-Dproxima.openblas.path=/path/to/libopenblas.dll"), e.getMessage());
        String other = LibraryLoader.noBuildMessage(NativePlatform.of("FreeBSD", "amd64"), "linux-x86_64", "0.3.30-1.5.12");
        assertTrue(other.endsWith("this is freebsd-x86_64; install OpenBLAS with LAPACKE and set -Dproxima.openblas.path "
                + "to its library file"), other);
    }

    private static void write(JarOutputStream out, String name, String content) throws IOException {
        out.putNextEntry(new JarEntry(name));
        OutputStream o = out;
        o.write(content.getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
    }
}
