package dev.proxima.tensor.cuda;

import dev.proxima.cuda.KernelSource;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The kernels' F16/BF16 conversion code ({@code native/cuda/half.cuh}, plain C apart from its CUDA
 * qualifiers) compiled with the host's C compiler and compared bit for bit with the CPU backend's own
 * conversions (a host tensor cast between F32 and F16/BF16): every one of the 65 536 bit patterns of each
 * half type to F32, and about two million F32 patterns to each half type (every upper 16 bits with lower
 * 16 bits at and around the rounding ties of both formats, plus pseudo-random ones). No GPU needed; skipped,
 * with the reason printed, where no {@code cc}/{@code gcc} is installed.
 */
class HalfConversionGccTest {

    private static final String HARNESS = """
            #include <stdio.h>
            #include <stdlib.h>
            #include "half.cuh"
            /* args: in16 out16to32_f16 out16to32_bf16 in32 out32to16_f16 out32to16_bf16 */
            static void* slurp(const char* p, long* n) {
                FILE* f = fopen(p, "rb"); if (!f) exit(2);
                fseek(f, 0, SEEK_END); *n = ftell(f); fseek(f, 0, SEEK_SET);
                void* b = malloc(*n > 0 ? *n : 1); if (fread(b, 1, *n, f) != (size_t) *n) exit(3); fclose(f); return b;
            }
            static void spit(const char* p, const void* b, long n) {
                FILE* f = fopen(p, "wb"); if (!f || fwrite(b, 1, n, f) != (size_t) n) exit(4); fclose(f);
            }
            int main(int argc, char** argv) {
                long n16, n32;
                if (argc != 7) return 1;
                unsigned short* h = (unsigned short*) slurp(argv[1], &n16); n16 /= 2;
                unsigned int* a = (unsigned int*) malloc(n16 * 4), * b = (unsigned int*) malloc(n16 * 4);
                for (long i = 0; i < n16; i++) { a[i] = px_f2u(px_f16_to_f32(h[i])); b[i] = px_f2u(px_bf16_to_f32(h[i])); }
                spit(argv[2], a, n16 * 4); spit(argv[3], b, n16 * 4);
                unsigned int* f = (unsigned int*) slurp(argv[4], &n32); n32 /= 4;
                unsigned short* c = (unsigned short*) malloc(n32 * 2), * d = (unsigned short*) malloc(n32 * 2);
                for (long i = 0; i < n32; i++) { c[i] = px_f32_to_f16(px_u2f(f[i])); d[i] = px_f32_to_bf16(px_u2f(f[i])); }
                spit(argv[5], c, n32 * 2); spit(argv[6], d, n32 * 2);
                return 0;
            }
            """;

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + log);
    }

    /** The F32 inputs: every upper half with lower halves at and around the F16 and BF16 rounding points. */
    static int[] floatPatterns() {
        int[] lows = {0x0000, 0x0001, 0x0fff, 0x1000, 0x1001, 0x1fff, 0x2000, 0x2001, 0x2fff, 0x3000, 0x3001, 0x7fff, 0x8000,
            0x8001, 0xbfff, 0xc000, 0xe000, 0xffff};
        int extra = 14;
        int[] out = new int[65536 * (lows.length + extra)];
        SplittableRandom r = new SplittableRandom(42);
        int k = 0;
        for (int hi = 0; hi < 65536; hi++) {
            for (int lo : lows) {
                out[k++] = hi << 16 | lo;
            }
            for (int e = 0; e < extra; e++) {
                out[k++] = hi << 16 | r.nextInt(65536);
            }
        }
        return out;
    }

    @Test
    void deviceConversionCodeMatchesTheCpuBitForBit(@TempDir Path dir) throws Exception {
        Path cc = KernelEmulation.executable(List.of("cc", "gcc", "clang"));
        if (cc == null) {
            System.out.println("[cuda] SKIPPED half.cuh host check: no cc/gcc/clang on PATH");
        }
        Assumptions.assumeTrue(cc != null, "no C compiler on PATH");
        Files.writeString(dir.resolve("half.cuh"), KernelSource.resource("half.cuh"));
        Files.writeString(dir.resolve("harness.c"), HARNESS);
        Path exe = dir.resolve("harness");
        // -O2 -ffp-contract=off: no float arithmetic is involved, but keep the compiler from being clever
        run(List.of(cc.toString(), "-O2", "-std=c99", "-Wall", "-Werror", "-I", dir.toString(), dir.resolve("harness.c").toString(),
                "-o", exe.toString()));

        int[] floats = floatPatterns();
        ByteBuffer in16 = ByteBuffer.allocate(65536 * 2).order(ByteOrder.nativeOrder());
        for (int h = 0; h < 65536; h++) {
            in16.putShort((short) h);
        }
        ByteBuffer in32 = ByteBuffer.allocate(floats.length * 4).order(ByteOrder.nativeOrder());
        for (int f : floats) {
            in32.putInt(f);
        }
        Files.write(dir.resolve("in16"), in16.array());
        Files.write(dir.resolve("in32"), in32.array());
        List<String> cmd = new ArrayList<>(List.of(exe.toString()));
        for (String f : List.of("in16", "f16to32", "bf16to32", "in32", "f32to16", "f32tobf16")) {
            cmd.add(dir.resolve(f).toString());
        }
        run(cmd);
        ByteBuffer f16to32 = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("f16to32"))).order(ByteOrder.nativeOrder());
        ByteBuffer bf16to32 = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("bf16to32"))).order(ByteOrder.nativeOrder());
        ByteBuffer f32to16 = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("f32to16"))).order(ByteOrder.nativeOrder());
        ByteBuffer f32tobf16 = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("f32tobf16"))).order(ByteOrder.nativeOrder());

        for (DType half : new DType[] {DType.F16, DType.BF16}) {
            ByteBuffer widened = half == DType.F16 ? f16to32 : bf16to32;
            try (Tensor h = Tensor.zeros(half, 65536)) {
                MemorySegment s = h.segment();
                for (int i = 0; i < 65536; i++) {
                    s.setAtIndex(JAVA_SHORT_UNALIGNED, i, (short) i);
                }
                try (Tensor w = h.cast(DType.F32)) {
                    MemorySegment ws = w.segment();
                    int bad = 0;
                    StringBuilder first = new StringBuilder();
                    for (int i = 0; i < 65536; i++) {
                        int cpu = ws.getAtIndex(JAVA_INT_UNALIGNED, i);
                        int dev = widened.getInt(i * 4);
                        if (cpu != dev && bad++ < 8) {
                            first.append(String.format(" %04x: cpu %08x, half.cuh %08x;", i, cpu, dev));
                        }
                    }
                    if (bad > 0) {
                        fail(half + " -> F32: " + bad + " of 65536 differ:" + first);
                    }
                }
            }
            ByteBuffer narrowed = half == DType.F16 ? f32to16 : f32tobf16;
            try (Tensor f = Tensor.zeros(DType.F32, floats.length)) {
                MemorySegment s = f.segment();
                for (int i = 0; i < floats.length; i++) {
                    s.setAtIndex(JAVA_INT_UNALIGNED, i, floats[i]);
                }
                try (Tensor n = f.cast(half)) {
                    MemorySegment ns = n.segment();
                    int bad = 0;
                    StringBuilder first = new StringBuilder();
                    for (int i = 0; i < floats.length; i++) {
                        short cpu = ns.getAtIndex(JAVA_SHORT_UNALIGNED, i);
                        short dev = narrowed.getShort(i * 2);
                        if (cpu != dev && bad++ < 8) {
                            first.append(String.format(" %08x: cpu %04x, half.cuh %04x;", floats[i], cpu & 0xffff, dev & 0xffff));
                        }
                    }
                    if (bad > 0) {
                        fail("F32 -> " + half + ": " + bad + " of " + floats.length + " differ:" + first);
                    }
                }
            }
        }
        System.out.println("[cuda] half.cuh (gcc build) matches the CPU backend bit for bit: 2 x 65536 half -> F32, 2 x "
                + floats.length + " F32 -> half");
    }
}
