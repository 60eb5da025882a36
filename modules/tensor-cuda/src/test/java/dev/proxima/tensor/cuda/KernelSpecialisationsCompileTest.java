package dev.proxima.tensor.cuda;

import dev.proxima.cuda.CompileOptions;
import dev.proxima.cuda.Cuda;
import dev.proxima.cuda.KernelSource;
import dev.proxima.cuda.Nvrtc;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.ReduceOp;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel specialisations the backend assembles (its own define maps, not copies of them), compiled
 * without a GPU: with {@code nvcc -ptx} the F16/BF16 set (each distinct conversion path, both element
 * kernels, the reduce variants; sm_90; nvcc is in CI) and, where an NVRTC library is found, with NVRTC every
 * specialisation the backend can request — every dtype, every conversion pair, every reduction it routes to
 * the device, softmax and Philox — as a CUBIN and as PTX for sm_80 and sm_90 (what {@code CudaContext}
 * loads). nvcc and NVRTC are different front ends. Each part is skipped with the reason printed when its
 * compiler is missing.
 */
class KernelSpecialisationsCompileTest {

    private static final DType[] ALL = DType.values();

    /** file → defines, the specialisations compiled by both checks (name → (file, defines)). */
    private static Map<String, Map.Entry<String, Map<String, String>>> halfSet() {
        Map<String, Map.Entry<String, Map<String, String>>> m = new LinkedHashMap<>();
        for (DType t : new DType[] {DType.F16, DType.BF16}) {
            m.put("elementwise-" + t, Map.entry("elementwise.cu", CudaBackend.elementDefines(t)));
        }
        DType[][] pairs = {
            {DType.F16, DType.F16}, {DType.F16, DType.BF16}, {DType.BF16, DType.F16}, {DType.F16, DType.F32}, {DType.BF16, DType.F64},
            {DType.F16, DType.I8}, {DType.BF16, DType.U8}, {DType.F16, DType.I64}, {DType.BF16, DType.BOOL}, {DType.I32, DType.F16},
            {DType.I64, DType.BF16}, {DType.U8, DType.F16}, {DType.BOOL, DType.BF16}, {DType.F32, DType.F16}, {DType.F64, DType.BF16}};
        for (DType[] p : pairs) {
            m.put("convert-" + p[0] + "-" + p[1], Map.entry("convert.cu", CudaBackend.convertDefines(p[0], p[1])));
        }
        Object[][] reductions = {
            {ReduceOp.SUM, DType.F16, DType.F16}, {ReduceOp.SUM, DType.F32, DType.F16}, {ReduceOp.MAX, DType.F32, DType.BF16},
            {ReduceOp.SUM_SQUARES, DType.BF16, DType.F64}, {ReduceOp.COUNT_NONZERO, DType.BF16, DType.I64},
            {ReduceOp.ARGMAX, DType.F16, DType.I64}};
        for (Object[] r : reductions) {
            m.put("reduce-" + r[0] + "-" + r[1] + "-" + r[2],
                    Map.entry("reduce.cu", CudaBackend.reduceDefines((ReduceOp) r[0], (DType) r[1], (DType) r[2])));
        }
        return m;
    }

    /** Every specialisation the backend can ask for: all element types, all conversion pairs, all reductions it routes to the device. */
    private static Map<String, Map.Entry<String, Map<String, String>>> everything() {
        Map<String, Map.Entry<String, Map<String, String>>> m = new LinkedHashMap<>();
        for (DType t : ALL) {
            m.put("elementwise-" + t, Map.entry("elementwise.cu", CudaBackend.elementDefines(t)));
            for (DType u : ALL) {
                m.put("convert-" + t + "-" + u, Map.entry("convert.cu", CudaBackend.convertDefines(t, u)));
            }
        }
        for (DType src : ALL) {
            for (DType dst : ALL) {
                for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.ARGMAX}) {
                    if (CudaBackend.reduceOnDevice(op, src, dst)) {
                        // all non-arg ops share one kernel per (src, dst); the arg kernel depends on src only
                        m.putIfAbsent("reduce-" + (op == ReduceOp.ARGMAX ? "arg-" + src : src + "-" + dst),
                                Map.entry("reduce.cu", CudaBackend.reduceDefines(op, src, dst)));
                    }
                }
            }
        }
        m.put("softmax-F32", Map.entry("softmax.cu", CudaBackend.elementDefines(DType.F32)));
        m.put("softmax-F64", Map.entry("softmax.cu", CudaBackend.elementDefines(DType.F64)));
        m.put("philox", Map.entry("philox.cu", Map.of()));
        return m;
    }

    @Test
    void halfSpecialisationsCompileWithNvcc(@TempDir Path dir) throws Exception {
        Path nvcc = KernelEmulation.executable(List.of("nvcc"), "/usr/local/cuda/bin");
        if (nvcc == null) {
            System.out.println("[cuda] SKIPPED nvcc compile of the F16/BF16 specialisations: nvcc not on PATH");
        }
        Assumptions.assumeTrue(nvcc != null, "nvcc not on PATH");
        var set = halfSet();
        List<String> cmd = new ArrayList<>(List.of(nvcc.toString(), "-ptx", "-arch=sm_90", "--output-directory", dir.toString()));
        for (var e : set.entrySet()) {
            Path src = dir.resolve(e.getKey() + ".cu");
            Files.writeString(src, KernelSource.of(e.getValue().getKey(), e.getValue().getValue()).text());
            cmd.add(src.toString());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "nvcc timed out");
        assertEquals(0, p.exitValue(), "nvcc failed:\n" + log);
        for (String name : set.keySet()) {
            String ptx = Files.readString(dir.resolve(name + ".ptx"));
            assertTrue(ptx.contains(".entry"), "no kernel entry in " + name);
        }
        System.out.println("[cuda] nvcc compiled " + set.size() + " F16/BF16 kernel specialisations (sm_90)");
    }

    @Test
    void everySpecialisationCompilesWithNvrtc() {
        boolean has;
        String why;
        try {
            has = Cuda.hasNvrtc();
            why = has ? null : Cuda.nvrtcProblem();
        } catch (RuntimeException | LinkageError e) {
            has = false;
            why = e.toString();
        }
        if (has && Nvrtc.version()[0] == 0) {                 // native/cuda-shim reports NVRTC 0.1
            has = false;
            why = "the NVRTC found is the CUDA shim's (" + Nvrtc.libraryPath() + "), which builds host code, not PTX or CUBIN";
        }
        if (!has) {
            System.out.println("[cuda] SKIPPED NVRTC compile of every specialisation: " + why);
        }
        Assumptions.assumeTrue(has, why);
        var all = everything();
        long t0 = System.nanoTime();
        int images = 0;
        for (var e : all.entrySet()) {
            KernelSource src = KernelSource.of(e.getValue().getKey(), e.getValue().getValue());
            for (int arch : new int[] {80, 90}) {
                for (Nvrtc.Output out : Nvrtc.Output.values()) {
                    var options = CompileOptions.forTarget(new CompileOptions.Target(out, arch), false);
                    byte[] img = Nvrtc.compile(src.text(), e.getKey() + ".cu", options, out);
                    String what = e.getKey() + " " + out + " sm_" + arch;
                    if (out == Nvrtc.Output.PTX) {
                        String ptx = new String(img, StandardCharsets.US_ASCII);
                        assertTrue(ptx.contains(".target sm_" + arch) && ptx.contains(".entry"), "no kernel entry in " + what);
                    } else {
                        assertTrue(img.length > 64 && img[0] == 0x7f && img[1] == 'E' && img[2] == 'L' && img[3] == 'F', what + ": not an ELF image");
                    }
                    images++;
                }
            }
        }
        System.out.printf("[cuda] NVRTC %s compiled %d kernel specialisations x {sm_80, sm_90} x {PTX, CUBIN} = %d images in %.1f s%n",
                String.join(".", java.util.Arrays.stream(Nvrtc.version()).mapToObj(Integer::toString).toList()), all.size(), images,
                (System.nanoTime() - t0) / 1e9);
    }
}
