package dev.proxima.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles the kernels through {@link Nvrtc} with a real NVRTC (any found by {@link LibraryLocator}, e.g.
 * {@code PROXIMA_NVRTC=/path/to/libnvrtc.so.13}); every test is skipped, with the reason printed, when no
 * NVRTC loads. No GPU is needed.
 */
class NvrtcCompileTest {


    /** Each test is reported skipped, with the reason, where no library loads (an assumption per test, not per class). */
    @BeforeEach
    void nvrtcOrSkip() {
        Assumptions.assumeTrue(Cuda.hasNvrtc(), () -> "no NVRTC: " + Cuda.nvrtcProblem());
    }

    /**
     * One specialisation per kernel file (float for the typed files), enough to exercise the binding on every
     * source; every define combination the backend requests is compiled by tensor-cuda's
     * KernelSpecialisationsCompileTest from the backend's own define maps.
     */
    static List<KernelSource> onePerFile() {
        List<KernelSource> out = new ArrayList<>();
        for (String f : KernelSource.FILES) {
            out.add(KernelSource.of(f, f.equals("philox.cu") ? Map.of() : KernelSource.elementDefines("float")));
        }
        return out;
    }

    @Test
    void versionAndSupportedArchitectures() {
        int[] v = Nvrtc.version();
        int[] archs = Nvrtc.supportedArchs();
        System.out.println("[cuda] NVRTC " + v[0] + "." + v[1] + " (" + Nvrtc.libraryPath() + "), preloaded " + Nvrtc.preloaded()
                + ", supported archs " + Arrays.toString(archs));
        assertEquals(2, v.length);
        assertTrue(v[0] >= 11 && v[0] < 100 && v[1] >= 0 && v[1] < 100, Arrays.toString(v));
        assertTrue(archs.length > 0);
        int[] sorted = archs.clone();
        Arrays.sort(sorted);
        assertArrayEquals(sorted, archs, "ascending");
        assertTrue(Arrays.stream(archs).allMatch(a -> a >= 30 && a < 200), Arrays.toString(archs));
        if (v[0] >= 12) {
            assertTrue(Arrays.stream(archs).anyMatch(a -> a == 80) && Arrays.stream(archs).anyMatch(a -> a == 90),
                    "NVRTC 12+ supports sm_80 and sm_90: " + Arrays.toString(archs));
        }
        // the backend's choice for an H100 with this NVRTC: a CUBIN for sm_90
        assertEquals(new CompileOptions.Target(Nvrtc.Output.CUBIN, 90), CompileOptions.target(archs, 9, 0));
    }

    @Test
    void builtinsArePreloadedFromBesideTheLibrary() {
        Path lib = Path.of(Nvrtc.libraryPath());
        List<Path> beside = LibraryLocator.companions(LibraryLocator.NVRTC, lib.toString());
        System.out.println("[cuda] libnvrtc-builtins beside " + lib + ": " + beside + "; preloaded " + Nvrtc.preloaded());
        if (lib.isAbsolute() && !beside.isEmpty()) {
            assertEquals(beside.stream().map(Path::toString).toList(), Nvrtc.preloaded());
        }
        int[] v = Nvrtc.version();
        String hint = Nvrtc.builtinsHint();
        assertTrue(hint.contains("libnvrtc-builtins.so." + v[0] + "." + v[1]), hint);
        assertTrue(hint.contains(Nvrtc.libraryPath()), hint);
        // and a compile works, which needs the builtins (run without LD_LIBRARY_PATH to prove the preload)
        byte[] ptx = Nvrtc.compile("extern \"C\" __global__ void twice(float* x) { x[threadIdx.x] *= 2.0f; }", "twice.cu",
                List.of("--gpu-architecture=compute_80"), Nvrtc.Output.PTX);
        assertTrue(new String(ptx, StandardCharsets.US_ASCII).contains(".entry twice("));
    }

    private static String probe(Path nvrtc) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                Path.of("target/classes").toAbsolutePath() + ":" + Path.of("target/test-classes").toAbsolutePath(),
                NvrtcBuiltinsProbe.class.getName()).redirectErrorStream(true);
        pb.environment().remove("LD_LIBRARY_PATH");
        pb.environment().put("PROXIMA_NVRTC", nvrtc.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe timed out");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /**
     * In fresh JVMs without {@code LD_LIBRARY_PATH}: NVRTC in its own folder compiles (the builtins beside it
     * are preloaded); the same NVRTC alone in a folder (a hard link) fails with code 7 and the hint.
     */
    @Test
    void withoutLdLibraryPathThePreloadIsWhatMakesCompilesWork(@TempDir Path dir) throws Exception {
        boolean runnable = ProcessHandle.current().info().command().isPresent() && Files.isDirectory(Path.of("target/classes"))
                && Files.isRegularFile(Path.of("target/test-classes/dev/proxima/cuda/NvrtcBuiltinsProbe.class"));
        if (!runnable) {
            System.out.println("[cuda] SKIPPED builtins probe: no java command or no target/classes here");
        }
        Assumptions.assumeTrue(runnable, "cannot start a probe JVM");
        Path lib = Path.of(Nvrtc.libraryPath()).toRealPath();
        String ok = probe(lib);
        System.out.println("[cuda] probe JVM, no LD_LIBRARY_PATH, " + lib + ": " + ok.strip().replace('\n', '|'));
        assertTrue(ok.strip().endsWith("compiled"), ok);
        Path alone = dir.resolve(lib.getFileName());
        try {
            Files.createLink(alone, lib);
        } catch (java.io.IOException | UnsupportedOperationException e) {
            System.out.println("[cuda] SKIPPED missing-builtins probe: cannot hard-link " + lib + " into " + dir + ": " + e);
            Assumptions.abort("no hard link");
        }
        String fail = probe(alone);
        System.out.println("[cuda] probe JVM, NVRTC without builtins beside it: " + fail.strip().replace('\n', '|'));
        if (fail.strip().endsWith("compiled")) {
            System.out.println("[cuda] SKIPPED missing-builtins check: the system loader finds libnvrtc-builtins without the preload");
            Assumptions.abort("libnvrtc-builtins is on the system loader path");
        }
        assertTrue(fail.contains("code 7: nvrtcCompileProgram(k.cu) failed: NVRTC_ERROR_BUILTIN_OPERATION_FAILURE (7)"), fail);
        assertTrue(fail.contains("NVRTC could not load libnvrtc-builtins.so.") && fail.contains(alone.toString()), fail);
    }

    @Test
    void compileErrorsCarryNvrtcsLog() {
        String src = "extern \"C\" __global__ void broken(float* x) {\n    x[0] = 1.0f;\n    x[1] = not_declared_anywhere;\n}\n";
        CudaException e = assertThrows(CudaException.class, () -> Nvrtc.compile(src, "broken.cu",
                List.of("--gpu-architecture=compute_90", "-std=c++17"), Nvrtc.Output.PTX));
        System.out.println("[cuda] NVRTC compile error message: " + e.getMessage().replace('\n', '|'));
        assertEquals(Nvrtc.ERROR_COMPILATION, e.code());
        assertEquals("NVRTC_ERROR_COMPILATION", e.errorName());
        assertTrue(e.getMessage().startsWith("nvrtcCompileProgram(broken.cu) failed: NVRTC_ERROR_COMPILATION (6)\n"), e.getMessage());
        assertTrue(e.getMessage().contains("broken.cu(3): error"), e.getMessage());
        assertTrue(e.getMessage().contains("not_declared_anywhere"), e.getMessage());
        CudaException bad = assertThrows(CudaException.class, () -> Nvrtc.compile("extern \"C\" __global__ void k() {}", "k.cu",
                List.of("--no-such-option"), Nvrtc.Output.PTX));
        assertEquals("NVRTC_ERROR_INVALID_OPTION", bad.errorName());
        CudaException virtualCubin = assertThrows(CudaException.class, () -> Nvrtc.compile("extern \"C\" __global__ void k() {}",
                "k.cu", List.of("--gpu-architecture=compute_90"), Nvrtc.Output.CUBIN));
        assertTrue(virtualCubin.getMessage().contains("sm_XY"), virtualCubin.getMessage());
    }

    /** PTX must name the kernels as {@code .entry}, for the requested {@code .target}. */
    static void assertPtx(byte[] img, int arch, Set<String> kernels, String what) {
        String ptx = new String(img, StandardCharsets.US_ASCII);
        assertFalse(ptx.indexOf('\0') >= 0, what + ": NUL inside the PTX text");
        assertTrue(Pattern.compile("(?m)^\\.target sm_" + arch + "\\b").matcher(ptx).find(), what + ": no .target sm_" + arch);
        for (String k : kernels) {
            assertTrue(Pattern.compile("\\.entry\\s+" + k + "\\s*\\(").matcher(ptx).find(), what + ": no .entry " + k);
        }
    }

    /** A CUBIN is a 64-bit little-endian ELF for EM_CUDA (190) whose string table holds the kernel names. */
    static void assertCubin(byte[] img, Set<String> kernels, String what) {
        assertTrue(img.length > 64, what + ": " + img.length + " bytes");
        assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F', 2, 1}, Arrays.copyOf(img, 6), what + ": not an ELF64 LE image");
        assertEquals(190, (img[18] & 0xff) | (img[19] & 0xff) << 8, what + ": e_machine is not EM_CUDA");
        String bytes = new String(img, StandardCharsets.ISO_8859_1);
        for (String k : kernels) {
            assertTrue(bytes.contains("\0" + k + "\0"), what + ": no symbol " + k);
        }
    }

    @Test
    void everyKernelFileCompilesToPtxAndCubinForSm80AndSm90() throws Exception {
        List<KernelSource> sources = onePerFile();
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        List<Future<?>> jobs = new ArrayList<>();
        try {
            for (KernelSource s : sources) {
                for (int arch : new int[] {80, 90}) {
                    for (Nvrtc.Output out : Nvrtc.Output.values()) {
                        jobs.add(pool.submit(() -> {
                            var options = CompileOptions.forTarget(new CompileOptions.Target(out, arch), false);
                            String what = s.name() + " " + s.defines() + " " + out + " " + arch;
                            byte[] img = Nvrtc.compile(s.text(), s.name(), options, out);
                            if (out == Nvrtc.Output.PTX) {
                                assertPtx(img, arch, KernelListTest.KERNELS.get(s.name()), what);
                            } else {
                                assertCubin(img, KernelListTest.KERNELS.get(s.name()), what);
                            }
                            return null;
                        }));
                    }
                }
            }
            for (Future<?> f : jobs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
        System.out.printf("[cuda] NVRTC compiled %d kernel files x {sm_80, sm_90} x {PTX, CUBIN} = %d images in %.1f s (%d threads)%n",
                sources.size(), jobs.size(), (System.nanoTime() - t0) / 1e9, threads);
        assertEquals(4 * sources.size(), jobs.size());
    }

    private static final Pattern PTX_VERSION = Pattern.compile("(?m)^\\.version (\\d+)\\.(\\d+)");
    private static final Pattern PTXAS_MAX = Pattern.compile("current version is '(\\d+)\\.(\\d+)'");

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
        return p.exitValue() == 0 ? null : log.strip();
    }

    /**
     * Assembles NVRTC's PTX with the local ptxas. A ptxas older than NVRTC rejects the newer PTX ISA
     * {@code .version} (just as an older driver's JIT does, which is why the backend loads CUBINs); then the
     * test lowers the {@code .version} line to what that ptxas accepts and requires the rest to assemble.
     */
    @Test
    void nvrtcPtxAssemblesWithTheLocalPtxas(@TempDir Path dir) throws Exception {
        Path ptxas = NvccCompileTest.cudaTool("ptxas");
        if (ptxas == null) {
            System.out.println("[cuda] SKIPPED ptxas check: no ptxas on PATH or in /usr/local/cuda*/bin");
        }
        Assumptions.assumeTrue(ptxas != null, "no ptxas");
        for (String f : KernelSource.FILES) {
            KernelSource s = KernelSource.of(f, f.equals("philox.cu") ? Map.of() : KernelSource.elementDefines("float"));
            String ptx = new String(Nvrtc.compile(s.text(), f, CompileOptions.forDevice(9, 0, Nvrtc.Output.PTX, false),
                    Nvrtc.Output.PTX), StandardCharsets.US_ASCII);
            Matcher v = PTX_VERSION.matcher(ptx);
            assertTrue(v.find(), f + ": no .version line");
            Path in = dir.resolve(f + ".ptx");
            Files.writeString(in, ptx);
            String err = run(List.of(ptxas.toString(), "-arch=sm_90", in.toString(), "-o", dir.resolve(f + ".cubin").toString()));
            if (err == null) {
                System.out.println("[cuda] ptxas " + ptxas + " assembled NVRTC's " + f + " PTX (.version " + v.group(1) + "." + v.group(2) + ")");
                continue;
            }
            Matcher max = PTXAS_MAX.matcher(err);
            assertTrue(err.contains("Unsupported .version") && max.find(), f + ": ptxas failed for another reason than the PTX ISA version:\n" + err);
            System.out.println("[cuda] ptxas " + ptxas + " rejects NVRTC's " + f + " PTX: " + err.lines().findFirst().orElse("")
                    + " -> retrying as .version " + max.group(1) + "." + max.group(2));
            Files.writeString(in, v.replaceFirst(".version " + max.group(1) + "." + max.group(2)));
            String again = run(List.of(ptxas.toString(), "-arch=sm_90", in.toString(), "-o", dir.resolve(f + ".cubin").toString()));
            assertEquals(null, again, f + ": ptxas rejects the PTX even at its own .version");
        }
    }
}
