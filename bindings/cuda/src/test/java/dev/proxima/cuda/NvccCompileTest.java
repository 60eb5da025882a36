package dev.proxima.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles every kernel file with {@code nvcc -ptx} for sm_80 and sm_90, once as written (nvcc defaults)
 * and once as the backend assembles it for each dtype (F16/BF16 element kernels included). Skipped, with the reason printed, without nvcc.
 */
class NvccCompileTest {

    /**
     * The CUDA tool {@code name} (nvcc, ptxas): on {@code PATH}, else in {@code /usr/local/cuda/bin} or the
     * newest {@code /usr/local/cuda-*}{@code /bin}; null if none.
     */
    static Path cudaTool(String name) {
        java.util.List<Path> dirs = new java.util.ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                dirs.add(Path.of(dir));
            }
        }
        dirs.add(Path.of("/usr/local/cuda/bin"));
        dirs.addAll(LibraryLocator.globNewestFirst(Path.of("/usr/local"), "cuda-", "bin"));
        return dirs.stream().map(dir -> dir.resolve(name)).filter(Files::isExecutable).findFirst().orElse(null);
    }

    private static void compile(Path nvcc, Path src, String arch, Path out) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(nvcc.toString(), "-ptx", "-arch=" + arch, src.toString(), "-o", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nvcc timed out");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + log);
        assertTrue(Files.readString(out).contains(".entry"), "no kernel entry in " + out);
    }

    @Test
    void assembledKernelsCompileWithNvcc(@TempDir Path dir) throws Exception {
        Path nvcc = cudaTool("nvcc");
        if (nvcc == null) {
            System.out.println("[cuda] SKIPPED nvcc compile check: no nvcc on PATH or in /usr/local/cuda*/bin");
        }
        Assumptions.assumeTrue(nvcc != null, "no nvcc");
        List<Path> sources = new ArrayList<>();
        for (String f : KernelSource.FILES) {
            Path p = dir.resolve("plain-" + f);
            Files.writeString(p, KernelSource.of(f, java.util.Map.of()).text());
            sources.add(p);
        }
        // the dtype specialisations the backend uses for the element kernels, and softmax in double
        for (String t : List.of("double", "int", "long long", "signed char", "unsigned char")) {
            Path p = dir.resolve("elementwise-" + t.replace(' ', '_') + ".cu");
            Files.writeString(p, KernelSource.of("elementwise.cu", KernelSource.elementDefines(t)).text());
            sources.add(p);
        }
        Path softmaxDouble = dir.resolve("softmax-double.cu");
        Files.writeString(softmaxDouble, KernelSource.of("softmax.cu", KernelSource.elementDefines("double")).text());
        sources.add(softmaxDouble);
        // F16 / BF16: 16-bit storage, float compute (the backend's defines; modules/tensor-cuda compiles the rest)
        for (int half = 1; half <= 2; half++) {
            Path p = dir.resolve("elementwise-half" + half + ".cu");
            Files.writeString(p, KernelSource.of("elementwise.cu", java.util.Map.of("PX_T", "unsigned short", "PX_IS_FLOAT", "1",
                    "PX_HALF", Integer.toString(half))).text());
            sources.add(p);
        }
        for (Path s : sources) {
            for (String arch : List.of("sm_90", "sm_80")) {
                compile(nvcc, s, arch, dir.resolve(s.getFileName() + "." + arch + ".ptx"));
            }
        }
        // Philox's uniform and Box-Muller affine maps are rounded step by step (__dmul_rn/__dadd_rn), never
        // contracted into an FMA, or the GPU stream would differ from the CPU's in the last bit
        String philox = Files.readString(dir.resolve("plain-philox.cu.sm_90.ptx"));
        assertTrue(philox.contains("mul.rn.f64") && philox.contains("add.rn.f64"), "philox: expected mul.rn.f64/add.rn.f64");
        System.out.println("[cuda] nvcc compiled " + sources.size() + " kernel sources for sm_80 and sm_90");
    }
}
