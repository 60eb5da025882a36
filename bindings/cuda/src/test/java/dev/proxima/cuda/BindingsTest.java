package dev.proxima.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Everything that runs without a GPU: lookup, validation, launch configs, options, cache, sources. */
class BindingsTest {

    @Test
    void availabilityNeverThrowsAndGivesAOneLineReason() {
        Cuda.Availability a = Cuda.availability();
        System.out.println("[cuda] availability: " + a);
        assertFalse(a.reason().isBlank());
        assertFalse(a.reason().contains("\n"));
        if (!a.available()) {
            assertTrue(Cuda.devices().isEmpty());
        }
    }

    @Test
    void driverCandidatesEndWithTheBareSonames(@TempDir Path dir) {
        List<String> c = LibraryLocator.candidates(LibraryLocator.DRIVER, Map.of(), dir.toString());
        assertEquals(List.of("libcuda.so.1", "libcuda.so"), c.subList(c.size() - 2, c.size()));
    }

    @Test
    void wheelFoldersUnderSitePackagesAreSearched(@TempDir Path home) throws Exception {
        Path lib = Files.createDirectories(home.resolve(".local/lib/python3.12/site-packages/nvidia/cublas/lib"));
        Files.writeString(lib.resolve("libcublas.so.13"), "not really");
        List<String> c = LibraryLocator.candidates(LibraryLocator.CUBLAS, Map.of(), home.toString());
        assertTrue(c.contains(lib.resolve("libcublas.so.13").toString()), c.toString());
        Path venv = Files.createDirectories(home.resolve("venv/lib/python3.11/site-packages/nvidia/cuda_nvrtc/lib"));
        Files.writeString(venv.resolve("libnvrtc.so.12"), "x");
        List<String> n = LibraryLocator.candidates(LibraryLocator.NVRTC, Map.of("VIRTUAL_ENV", home.resolve("venv").toString()), home.toString());
        assertTrue(n.contains(venv.resolve("libnvrtc.so.12").toString()), n.toString());
    }

    @Test
    void pythonOnPathLeadsToItsWheels(@TempDir Path home) throws Exception {
        // /opt/torch-env/bin/python3 -> /opt/base/bin/python3.12: both prefixes' site-packages are searched
        Path base = Files.createDirectories(home.resolve("base/bin"));
        Path real = Files.writeString(base.resolve("python3.12"), "#!/bin/sh\n");
        real.toFile().setExecutable(true);
        Path envBin = Files.createDirectories(home.resolve("torch-env/bin"));
        Files.createSymbolicLink(envBin.resolve("python3"), real);
        Path wheel = Files.createDirectories(home.resolve("torch-env/lib/python3.12/site-packages/nvidia/cu13/lib"));
        Files.writeString(wheel.resolve("libnvrtc.so.13"), "x");
        String path = home.resolve("nowhere") + ":" + envBin;
        assertEquals(List.of(home.resolve("torch-env"), home.resolve("base")), LibraryLocator.pythonPrefixesOnPath(path));
        List<String> n = LibraryLocator.candidates(LibraryLocator.NVRTC, Map.of("PATH", path), home.toString());
        assertTrue(n.contains(wheel.resolve("libnvrtc.so.13").toString()), n.toString());
        assertEquals(List.of(), LibraryLocator.pythonPrefixesOnPath(null));
    }

    @Test
    void explicitSettingWinsAndFoldersExpandToSonames(@TempDir Path dir) {
        List<Path> c = LibraryLocator.explicitCandidates(LibraryLocator.NVRTC, dir.toString());
        assertEquals(dir.resolve("libnvrtc.so.13"), c.getFirst());
        assertEquals(List.of(Path.of("/x/libcuda.so.1")), LibraryLocator.explicitCandidates(LibraryLocator.DRIVER, "/x/libcuda.so.1"));
        List<String> viaEnv = LibraryLocator.candidates(LibraryLocator.DRIVER, Map.of("PROXIMA_CUDA_DRIVER", "/nowhere/libcuda.so.1"), dir.toString());
        assertEquals(List.of("/nowhere/libcuda.so.1"), viaEnv);
    }

    @Test
    void versionsCompareNumerically() {
        assertTrue(LibraryLocator.compareVersions("cuda-13.0", "cuda-12.9") > 0);
        assertTrue(LibraryLocator.compareVersions("cuda-12.10", "cuda-12.9") > 0);
        assertTrue(LibraryLocator.compareVersions("python3.9", "python3.12") < 0);
        // digit runs longer than a long (e.g. temporary folder names) compare without overflow
        assertTrue(LibraryLocator.compareVersions("/tmp/junit17997645303473018434/a.so.13.1", "/tmp/junit17997645303473018434/a.so.12.9") > 0);
        assertTrue(LibraryLocator.compareVersions("x99999999999999999999", "x100000000000000000000") < 0);
        assertEquals(0, LibraryLocator.compareVersions("cuda-012.0", "cuda-12.0"));
    }

    @Test
    void argumentsAreValidatedBeforeAnyNativeCall() {
        // These throw IllegalArgumentException whether or not a driver is present: nothing is called.
        assertThrows(IllegalArgumentException.class, () -> CudaDriver.memAlloc(-1));
        assertThrows(IllegalArgumentException.class, () -> CudaDriver.memAlloc(0));
        assertThrows(IllegalArgumentException.class, () -> CudaDriver.memFree(0));
        assertThrows(IllegalArgumentException.class, () -> CudaDriver.memcpyHtoD(16, null, 4));
        assertThrows(IllegalArgumentException.class, () -> CudaDriver.memcpyHtoD(0, MemorySegment.NULL, 4));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment small = a.allocate(8);
            var e = assertThrows(IllegalArgumentException.class, () -> CudaDriver.memcpyDtoH(small, 16, 9));
            assertTrue(e.getMessage().contains("8 bytes"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> CudaDriver.memcpyHtoD(16, MemorySegment.ofArray(new byte[8]), 8));
            assertThrows(IllegalArgumentException.class, () -> CudaDriver.memcpyDtoD(16, 16, -1));
            assertThrows(IllegalArgumentException.class, () -> CudaDriver.launchKernel(a.allocate(8), new int[] {1, 1, 1},
                    new int[] {2048, 1, 1}, 0, MemorySegment.NULL, a.allocate(8)));
            assertThrows(IllegalArgumentException.class, () -> CudaDriver.launchKernel(a.allocate(8), new int[] {0, 1, 1},
                    new int[] {32, 1, 1}, 0, MemorySegment.NULL, a.allocate(8)));
            assertThrows(IllegalArgumentException.class, () -> CudaDriver.launchKernel(null, new int[] {1, 1, 1},
                    new int[] {32, 1, 1}, 0, MemorySegment.NULL, a.allocate(8)));
            assertThrows(IllegalArgumentException.class, () -> CudaDriver.moduleLoadData(new byte[0]));
            assertThrows(IllegalArgumentException.class, () -> CudaDriver.moduleGetFunction(a.allocate(8), ""));
            assertThrows(IllegalArgumentException.class, () -> CudaDriver.memAllocHost(-5));
        }
        assertThrows(IllegalArgumentException.class, () -> CudaDriver.deviceAttribute(0, 0));
        assertThrows(IllegalArgumentException.class, () -> CudaDriver.device(-1));
    }

    @Test
    void cublasArgumentsAreValidated() {
        MemorySegment h = MemorySegment.ofAddress(1);
        var e = assertThrows(IllegalArgumentException.class, () -> Cublas.sgemm(h, Cublas.OP_N, Cublas.OP_N, 4, 4, 4, 1f, 8, 3, 8, 4, 0f, 8, 4));
        assertTrue(e.getMessage().contains("lda"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Cublas.dgemm(h, 2, Cublas.OP_N, 4, 4, 4, 1, 8, 4, 8, 4, 0, 8, 4));
        assertThrows(IllegalArgumentException.class, () -> Cublas.dgemm(h, Cublas.OP_N, Cublas.OP_N, -1, 4, 4, 1, 8, 4, 8, 4, 0, 8, 4));
        assertThrows(IllegalArgumentException.class, () -> Cublas.sgemm(h, Cublas.OP_N, Cublas.OP_N, 4, 4, 4, 1f, 0, 4, 8, 4, 0f, 8, 4));
        assertThrows(IllegalArgumentException.class, () -> Cublas.sgemm(null, Cublas.OP_N, Cublas.OP_N, 4, 4, 4, 1f, 8, 4, 8, 4, 0f, 8, 4));
        assertThrows(IllegalArgumentException.class, () -> Cublas.sgemmStridedBatched(h, Cublas.OP_N, Cublas.OP_N, 4, 4, 4, 1f,
                8, 4, 16, 8, 4, 16, 0f, 8, 4, 16, -1));
        assertThrows(IllegalArgumentException.class, () -> Cublas.gemmEx(h, 0, 0, 4, 4, 4, 1f, 8, Cublas.R_32F, 4, 8, 4, 0f, 8, Cublas.R_32F, 4));
        // transposed A: stored rows are k, so lda = k is enough even if m > k
        assertThrows(IllegalArgumentException.class, () -> Cublas.checkGemm(Cublas.OP_T, Cublas.OP_N, 8, 2, 3, 8, 2, 8, 3, 8, 8));
        Cublas.checkGemm(Cublas.OP_T, Cublas.OP_N, 8, 2, 3, 8, 3, 8, 3, 8, 8);
    }

    @Test
    void nvrtcArgumentsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> Nvrtc.compile("", "x.cu", List.of(), Nvrtc.Output.PTX));
        assertThrows(IllegalArgumentException.class, () -> Nvrtc.compile("int x;", "x.cu", List.of(" "), Nvrtc.Output.PTX));
        assertThrows(IllegalArgumentException.class, () -> Nvrtc.compile("int x;", "", List.of(), Nvrtc.Output.PTX));
    }

    @Test
    void launchConfigs() {
        assertEquals(new LaunchConfig(1, 256), LaunchConfig.gridStride(0, 132));
        assertEquals(new LaunchConfig(4, 256), LaunchConfig.gridStride(1000, 132));
        assertEquals(new LaunchConfig(132 * LaunchConfig.BLOCKS_PER_SM, 256), LaunchConfig.gridStride(1L << 40, 132));
        assertEquals(new LaunchConfig(1, 256), LaunchConfig.gridStride(1024, 132, 256, 4));
        assertEquals(new LaunchConfig(2, 256), LaunchConfig.gridStride(1025, 132, 256, 4));
        assertEquals(new LaunchConfig(10, 32), LaunchConfig.perRow(10, 5, 1024));
        assertEquals(new LaunchConfig(3, 128), LaunchConfig.perRow(3, 100, 1024));
        assertEquals(new LaunchConfig(65535, 512), LaunchConfig.perRow(1_000_000, 1 << 20, 512));
        assertThrows(IllegalArgumentException.class, () -> LaunchConfig.gridStride(-1, 132));
        assertThrows(IllegalArgumentException.class, () -> LaunchConfig.gridStride(10, 0));
        assertThrows(IllegalArgumentException.class, () -> LaunchConfig.perRow(1, 1, 100));
    }

    @Test
    void compileOptions() {
        assertEquals(List.of("--gpu-architecture=compute_90", "-std=c++17", "-default-device"),
                CompileOptions.forDevice(9, 0, Nvrtc.Output.PTX, false));
        assertEquals("--gpu-architecture=sm_80", CompileOptions.forDevice(8, 0, Nvrtc.Output.CUBIN, true).getFirst());
        assertTrue(CompileOptions.forDevice(8, 6, Nvrtc.Output.CUBIN, true).contains("-lineinfo"));
        assertThrows(IllegalArgumentException.class, () -> CompileOptions.forDevice(1, 0, Nvrtc.Output.PTX, false));
    }

    @Test
    void compileTargetIsACubinForTheExactArchElsePtxForTheNearestOlderOne() {
        int[] nvrtc131 = {75, 80, 86, 87, 88, 89, 90, 100, 103, 110, 120, 121};
        assertEquals(new CompileOptions.Target(Nvrtc.Output.CUBIN, 90), CompileOptions.target(nvrtc131, 9, 0));
        assertEquals(new CompileOptions.Target(Nvrtc.Output.CUBIN, 80), CompileOptions.target(nvrtc131, 8, 0));
        assertEquals(new CompileOptions.Target(Nvrtc.Output.CUBIN, 120), CompileOptions.target(nvrtc131, 12, 0));
        // a GPU newer than the compiler: PTX for the highest architecture below it, JIT-compiled by the driver
        assertEquals(new CompileOptions.Target(Nvrtc.Output.PTX, 121), CompileOptions.target(nvrtc131, 13, 0));
        int[] nvrtc122 = {50, 52, 53, 60, 61, 62, 70, 72, 75, 80, 86, 87, 89, 90};
        assertEquals(new CompileOptions.Target(Nvrtc.Output.PTX, 90), CompileOptions.target(nvrtc122, 10, 0));
        assertEquals(new CompileOptions.Target(Nvrtc.Output.PTX, 87), CompileOptions.target(nvrtc122, 8, 8));
        assertEquals(new CompileOptions.Target(Nvrtc.Output.CUBIN, 70), CompileOptions.target(nvrtc122, 7, 0));
        // the order NVRTC lists them in does not matter
        assertEquals(new CompileOptions.Target(Nvrtc.Output.PTX, 90), CompileOptions.target(new int[] {90, 75, 80}, 10, 0));
        // older than everything NVRTC 13 supports (it dropped sm_50..sm_72)
        var old = assertThrows(IllegalArgumentException.class, () -> CompileOptions.target(nvrtc131, 7, 0));
        assertTrue(old.getMessage().contains("sm_70") && old.getMessage().contains("75"), old.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CompileOptions.target(new int[0], 9, 0));
        assertThrows(IllegalArgumentException.class, () -> CompileOptions.target(null, 9, 0));
        assertThrows(IllegalArgumentException.class, () -> CompileOptions.target(nvrtc131, 9, 12));
        assertEquals("--gpu-architecture=sm_90", new CompileOptions.Target(Nvrtc.Output.CUBIN, 90).option());
        assertEquals("--gpu-architecture=compute_121", new CompileOptions.Target(Nvrtc.Output.PTX, 121).option());
        assertEquals(List.of("--gpu-architecture=sm_100", "-std=c++17", "-default-device"),
                CompileOptions.forTarget(CompileOptions.target(nvrtc131, 10, 0), false));
        assertThrows(IllegalArgumentException.class, () -> new CompileOptions.Target(Nvrtc.Output.PTX, 9));
        assertThrows(IllegalArgumentException.class, () -> new CompileOptions.Target(null, 90));
    }

    @Test
    void nvrtcBuiltinsBesideTheLibraryArePreloadCandidates(@TempDir Path dir) throws Exception {
        Path nvrtc = Files.writeString(dir.resolve("libnvrtc.so.13"), "x");
        Path builtins = Files.writeString(dir.resolve("libnvrtc-builtins.so.13.1"), "x");
        Files.createSymbolicLink(dir.resolve("libnvrtc-builtins.so"), builtins.getFileName());
        Files.writeString(dir.resolve("libnvrtc-builtins.so.12.9"), "x");
        assertEquals(List.of(builtins, dir.resolve("libnvrtc-builtins.so.12.9")), LibraryLocator.companions(LibraryLocator.NVRTC, nvrtc.toString()));
        // a symlinked libnvrtc (e.g. in a venv's bin folder) also looks beside the file it links to
        Path other = Files.createDirectories(dir.resolve("other"));
        Path link = Files.createSymbolicLink(other.resolve("libnvrtc.so.13"), nvrtc);
        assertEquals(List.of(builtins, dir.resolve("libnvrtc-builtins.so.12.9")), LibraryLocator.companions(LibraryLocator.NVRTC, link.toString()));
        assertEquals(List.of(), LibraryLocator.companions(LibraryLocator.NVRTC, "libnvrtc.so.13"));
        assertEquals(List.of(), LibraryLocator.companions(LibraryLocator.CUBLAS, dir.resolve("libcublas.so.13").toString()));
    }

    @Test
    void aLibraryLackingABoundSymbolIsRejectedWithTheNameInTheReason() {
        // libc is loadable everywhere and exports none of these
        String libc = Files.exists(Path.of("/lib/x86_64-linux-gnu/libc.so.6")) ? "/lib/x86_64-linux-gnu/libc.so.6" : null;
        Assumptions.assumeTrue(libc != null, "no /lib/x86_64-linux-gnu/libc.so.6");
        String prop = LibraryLocator.CUBLAS.property();
        String before = System.getProperty(prop);
        System.setProperty(prop, libc);
        try {
            LibraryLocator.Loaded l = LibraryLocator.load(LibraryLocator.CUBLAS, List.of("malloc", "cublasGemmEx"));
            assertEquals(null, l.library());
            assertTrue(l.failure().contains(libc + " lacks cublasGemmEx"), l.failure());
            assertFalse(l.failure().contains("malloc"), l.failure());
        } finally {
            if (before == null) {
                System.clearProperty(prop);
            } else {
                System.setProperty(prop, before);
            }
        }
    }

    /**
     * The symbol lists are the single record of what each binding calls: every entry-point name quoted in
     * the binding's source must be in its list (or its optional list), and every listed name must be used.
     */
    @Test
    void symbolListsCoverEveryEntryPointTheSourcesCall() throws Exception {
        Path src = Path.of("src/main/java/dev/proxima/cuda");
        if (!Files.isDirectory(src)) {
            System.out.println("[cuda] SKIPPED symbol-list source check: " + src.toAbsolutePath() + " not found");
        }
        Assumptions.assumeTrue(Files.isDirectory(src), "sources not found");
        record Binding(String file, String prefix, List<String> symbols, List<String> optional) {
        }
        for (Binding b : List.of(new Binding("CudaDriver.java", "cu", CudaDriver.SYMBOLS, CudaDriver.OPTIONAL_SYMBOLS),
                new Binding("Cublas.java", "cublas", Cublas.SYMBOLS, Cublas.OPTIONAL_SYMBOLS),
                new Binding("Nvrtc.java", "nvrtc", Nvrtc.SYMBOLS, List.of()))) {
            String text = Files.readString(src.resolve(b.file()));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"(" + b.prefix() + "[A-Z]\\w*)[\"(]").matcher(text);
            Map<String, Integer> quoted = new java.util.TreeMap<>();
            while (m.find()) {
                quoted.merge(m.group(1), 1, Integer::sum);
            }
            for (String name : quoted.keySet()) {
                assertTrue(b.symbols().contains(name) || b.optional().contains(name), b.file() + " calls " + name + " but its SYMBOLS list lacks it");
            }
            for (String name : b.symbols()) {
                assertTrue(quoted.getOrDefault(name, 0) >= 2, b.file() + " lists " + name + " but never calls it");
            }
            assertEquals(b.symbols().size(), Set.copyOf(b.symbols()).size(), b.file() + ": duplicates in SYMBOLS");
        }
    }

    @Test
    void cacheKeysSeparateEveryInput() {
        List<String> o = List.of("--gpu-architecture=compute_90");
        String k = KernelCache.key("src", o, "13.0", Nvrtc.Output.PTX);
        assertEquals(64, k.length());
        assertEquals(k, KernelCache.key("src", o, "13.0", Nvrtc.Output.PTX));
        assertNotEquals(k, KernelCache.key("src2", o, "13.0", Nvrtc.Output.PTX));
        assertNotEquals(k, KernelCache.key("src", List.of("--gpu-architecture=compute_80"), "13.0", Nvrtc.Output.PTX));
        assertNotEquals(k, KernelCache.key("src", o, "12.9", Nvrtc.Output.PTX));
        assertNotEquals(k, KernelCache.key("src", o, "13.0", Nvrtc.Output.CUBIN));
        // option boundaries matter: ["a b"] is not ["a", "b"]
        assertNotEquals(KernelCache.key("s", List.of("a", "b"), "v", Nvrtc.Output.PTX), KernelCache.key("s", List.of("ab"), "v", Nvrtc.Output.PTX));
    }

    @Test
    void cacheCompilesOncePerProcessAndReadsBackFromDisk(@TempDir Path dir) throws Exception {
        AtomicInteger compiles = new AtomicInteger();
        KernelCache c1 = new KernelCache(dir);
        byte[] img = c1.get("abc", Nvrtc.Output.PTX, () -> { compiles.incrementAndGet(); return "ptx".getBytes(); });
        c1.get("abc", Nvrtc.Output.PTX, () -> { compiles.incrementAndGet(); return "other".getBytes(); });
        assertEquals(1, compiles.get());
        assertEquals("ptx", new String(Files.readAllBytes(dir.resolve("abc.ptx"))));
        KernelCache c2 = new KernelCache(dir); // a new process
        assertEquals("ptx", new String(c2.get("abc", Nvrtc.Output.PTX, () -> { throw new AssertionError("recompiled"); })));
        assertEquals("ptx", new String(img));
        KernelCache none = new KernelCache(null);
        none.get("k", Nvrtc.Output.CUBIN, () -> new byte[] {1});
        assertEquals(1, none.size());
    }

    @Test
    void sourcesAreAssembledWithDefinesAndInlinedIncludes() {
        KernelSource s = KernelSource.of("elementwise.cu", KernelSource.elementDefines("double"));
        assertTrue(s.text().startsWith("// assembled"), s.text().substring(0, 40));
        assertTrue(s.text().contains("#define PX_T double\n#define PX_IS_FLOAT 1\n"));
        assertFalse(s.text().lines().anyMatch(l -> l.strip().startsWith("#include")), "an #include was left");
        assertTrue(s.text().contains("struct PxShape"));
        assertTrue(s.text().contains("unary_contig"));
        for (String f : KernelSource.FILES) {
            assertTrue(KernelSource.of(f, Map.of()).text().contains("__global__"), f);
        }
        Map<String, String> files = Map.of("a.cu", "#include \"b.cuh\"\nA", "b.cuh", "#include \"a.cu\"\nB");
        assertThrows(IllegalArgumentException.class, () -> KernelSource.assemble("a.cu", Map.of(), files::get));
        assertThrows(IllegalArgumentException.class, () -> KernelSource.of("x.cu", Map.of("1BAD", "v")));
        assertThrows(IllegalArgumentException.class, () -> KernelSource.of("elementwise.cu", Map.of("PX_T", "a\nb")));
        assertThrows(IllegalArgumentException.class, () -> KernelSource.resource("../etc/passwd"));
    }

    @Test
    void exceptionsCarryCallAndName() {
        CudaException e = new CudaException("cuMemAlloc_v2", 2, "CUDA_ERROR_OUT_OF_MEMORY", null);
        assertEquals("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2)", e.getMessage());
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", e.errorName());
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", Cublas.statusName(7));
    }
}
