package dev.proxima.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The softmax and Philox kernels as CudaBackend assembles them (softmax.cu for float and double,
 * philox.cu), compiled by nvcc (sm_80, sm_90) and by NVRTC (compute_80, compute_90) where those are
 * present; each part is skipped with the reason printed otherwise.
 */
class FusedKernelsCompileTest {

    private static final List<String> SOFTMAX_KERNELS = List.of("softmax_last", "log_softmax_last", "logsumexp_last");
    private static final List<String> PHILOX_KERNELS = List.of("uniform_f32", "uniform_f64", "normal_f32", "normal_f64",
            "bernoulli_u8", "philox_blocks");

    /** The assembled sources, by a file-name-safe label. */
    private static Map<String, KernelSource> sources() {
        return Map.of(
                "softmax-float", KernelSource.of("softmax.cu", KernelSource.elementDefines("float")),
                "softmax-double", KernelSource.of("softmax.cu", KernelSource.elementDefines("double")),
                "philox", KernelSource.of("philox.cu", Map.of()));
    }

    private static List<String> kernels(String label) {
        return label.startsWith("softmax") ? SOFTMAX_KERNELS : PHILOX_KERNELS;
    }

    private static Path nvcc() {
        String path = System.getenv("PATH");
        List<Path> candidates = new ArrayList<>();
        if (path != null) {
            for (String d : path.split(":")) {
                candidates.add(Path.of(d, "nvcc"));
            }
        }
        candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
        candidates.add(Path.of("/usr/local/cuda-13.0/bin/nvcc"));
        return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
    }

    /** The entries of a PTX module, checked to be exactly the expected kernels, and the PTX itself. */
    private static void checkPtx(String label, String ptx) {
        for (String k : kernels(label)) {
            assertTrue(ptx.contains(".entry " + k + "("), label + ": no entry " + k);
        }
        if (label.equals("philox")) {
            // the Box-Muller affine map and the uniform map are rounded step by step (no FMA contraction)
            assertTrue(ptx.contains("mul.rn.f64") && ptx.contains("add.rn.f64"), "philox: expected mul.rn.f64/add.rn.f64");
        }
    }

    @Test
    void nvccCompilesTheSpecialisations(@TempDir Path dir) throws Exception {
        Path nvcc = nvcc();
        if (nvcc == null) {
            System.out.println("[cuda] SKIPPED softmax/philox nvcc compile: nvcc not found");
        }
        Assumptions.assumeTrue(nvcc != null, "nvcc not found");
        for (Map.Entry<String, KernelSource> e : sources().entrySet()) {
            Path src = dir.resolve(e.getKey() + ".cu");
            Files.writeString(src, e.getValue().text());
            for (String arch : List.of("sm_80", "sm_90")) {
                Path out = dir.resolve(e.getKey() + "." + arch + ".ptx");
                List<String> cmd = List.of(nvcc.toString(), "-ptx", "-arch=" + arch, src.toString(), "-o", out.toString());
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nvcc timed out");
                assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + log);
                checkPtx(e.getKey(), Files.readString(out));
            }
        }
        System.out.println("[cuda] nvcc compiled softmax (float, double) and philox for sm_80 and sm_90");
    }

    @Test
    void nvrtcCompilesTheSpecialisations() {
        boolean has;
        String why;
        try {
            has = Cuda.hasNvrtc();
            why = has ? null : Cuda.nvrtcProblem();
        } catch (RuntimeException | LinkageError e) {
            has = false;
            why = e.toString();
        }
        if (!has) {
            System.out.println("[cuda] SKIPPED softmax/philox NVRTC compile: " + why);
        }
        Assumptions.assumeTrue(has, "NVRTC not found");
        for (Map.Entry<String, KernelSource> e : sources().entrySet()) {
            for (int major : new int[]{8, 9}) {
                List<String> options = CompileOptions.forDevice(major, 0, Nvrtc.Output.PTX, false);
                byte[] ptx = Nvrtc.compile(e.getValue().text(), e.getValue().name(), options, Nvrtc.Output.PTX);
                checkPtx(e.getKey(), new String(ptx, StandardCharsets.UTF_8));
            }
        }
        System.out.println("[cuda] NVRTC " + java.util.Arrays.toString(Nvrtc.version())
                + " compiled softmax (float, double) and philox for compute_80 and compute_90");
    }
}
