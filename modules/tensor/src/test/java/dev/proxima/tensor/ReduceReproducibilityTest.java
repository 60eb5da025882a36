package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every reduction gives bit-identical results whatever the thread count ({@code proxima.threads} 1, 2, 4), the JIT
 * tier (interpreted with {@code -Xint}, and compiled after a warm-up loop) and the data's offset in memory.
 */
@ExtendWith(AllocatorCheck.class)
class ReduceReproducibilityTest {

    /** More than one chunk of the one-output split (Reduce.CHUNK, 2^16 elements). */
    private static final int CHUNK = 1 << 16;

    /**
     * Prints the bits of every reduction of two dtypes' data as lines {@code name bits...}, for each size given after
     * the offset (a large one: several chunks of the one-output split and enough work for four threads; a small one
     * for the slow interpreter); with a last argument {@code warm}, first checks that 12 repetitions at other offsets
     * (which get the loops compiled) give the same lines.
     */
    private static final String PROBE = """
            import dev.proxima.tensor.*;
            import java.util.*;
            import java.util.function.Function;

            public class Probe {
                static int N;

                static Tensor data(DType t, int n, int offset, boolean nan) {
                    double[] v = new double[n + offset];
                    for (int i = 0; i < n; i++) {
                        long r = (i + 1) * 0x9E3779B97F4A7C15L;
                        r = (r ^ (r >>> 29)) * 0xBF58476D1CE4E5B9L;
                        r ^= r >>> 32;
                        v[offset + i] = nan && i % 97 == 5 ? Double.NaN : (r >>> 11) * 0x1p-52 - 1;
                    }
                    return Tensor.of(v).cast(t).slice(0, offset, offset + n, 1);
                }

                static String bits(Tensor r) {
                    StringBuilder b = new StringBuilder();
                    for (double d : r.toDoubleArray()) {
                        b.append(' ').append(Long.toHexString(Double.doubleToRawLongBits(d)));
                    }
                    return b.toString();
                }

                static List<String> run(int offset) {
                    List<String> out = new ArrayList<>();
                    out.add("N " + N);
                    try (Scope s = Scope.open()) {
                        for (DType t : new DType[]{DType.F32, DType.F64}) {
                            Tensor x = data(t, N, offset, false);
                            Tensor y = data(t, N, offset, true);
                            Map<String, Function<Tensor, Tensor>> ops = new LinkedHashMap<>();
                            ops.put("sum", a -> a.sum());
                            ops.put("mean", a -> a.mean());
                            ops.put("norm2", a -> a.norm());
                            ops.put("norm1", a -> a.norm(1, new int[0], false));
                            ops.put("norm3", a -> a.norm(3, new int[0], false));
                            ops.put("prod", a -> a.mul(1e-3).add(1).prod());
                            ops.put("max", a -> a.max());
                            ops.put("argmin", a -> a.argmin());
                            ops.put("strided", a -> a.slice(0, 1, N, 3).sum());
                            ops.put("rows", a -> a.reshape(2, N / 2).sum(1));
                            ops.put("columns", a -> a.reshape(N / 2, 2).sum(0));
                            ops.put("columnMeans", a -> a.reshape(N / 2, 2).mean(0));
                            for (var e : ops.entrySet()) {
                                out.add(t + " " + e.getKey() + bits(e.getValue().apply(x)));
                            }
                            out.add(t + " nansum" + bits(y.nansum()));
                            out.add(t + " nanmean" + bits(y.nanmean()));
                            out.add(t + " nanmax" + bits(y.nanmax()));
                            out.add(t + " nansumRows" + bits(y.reshape(2, N / 2).nansum(1)));
                        }
                        Tensor ints = data(DType.F64, N, offset, false).mul(1e15).cast(DType.I64);
                        out.add("I64 sum" + bits(ints.sum()) + " mean" + bits(ints.mean()));
                    }
                    return out;
                }

                public static void main(String[] args) {
                    boolean warm = args[args.length - 1].equals("warm");
                    for (int k = 1; k < args.length - (warm ? 1 : 0); k++) {
                        N = Integer.parseInt(args[k]);
                        List<String> first = run(Integer.parseInt(args[0]));
                        for (int i = 0; warm && i < 12; i++) {
                            if (!run(i % 8).equals(first)) {
                                System.out.println("changed after " + i + " warm-up runs");
                            }
                        }
                        first.forEach(System.out::println);
                    }
                }
            }
            """;

    private static List<String> probe(Path dir, String... args) throws IOException, InterruptedException {
        List<String> flags = new ArrayList<>(List.of(ChildJvm.NATIVE_ACCESS));
        List<String> programArgs = new ArrayList<>();
        for (String a : args) {
            (a.startsWith("-") ? flags : programArgs).add(a);
        }
        ChildJvm.Result r = ChildJvm.run(dir, PROBE, flags, programArgs, 120);
        List<String> lines = r.lines();
        assertEquals(0, r.exitStatus(), String.join("\n", lines));
        return lines;
    }

    @Test
    void threadCountTierAndOffsetChangeNoBit(@TempDir Path dir) throws Exception {
        String large = String.valueOf((1 << 17) + 1234);
        String small = String.valueOf(CHUNK + 4322);
        List<String> compiled = probe(dir, "-Dproxima.threads=1", "0", large, small, "warm");
        int lines = 2 * 16 + 2;
        assertEquals(2 * lines, compiled.size(), String.join("\n", compiled));
        assertEquals(compiled, probe(dir, "-Dproxima.threads=2", "3", large, small), "2 threads, offset 3");
        assertEquals(compiled, probe(dir, "-Dproxima.threads=4", "1", large, small), "4 threads, offset 1");
        assertEquals(compiled.subList(lines, 2 * lines), probe(dir, "-Dproxima.threads=2", "-Xint", "5", small),
                "interpreted, 2 threads, offset 5");
    }
}
