package dev.proxima.cuda;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The kernel names the backend and the compile tests rely on match the sources (no compiler needed). */
class KernelListTest {

    /** The {@code extern "C"} kernels each file must define (what the backend and tests launch). */
    static final Map<String, Set<String>> KERNELS = Map.of(
            "elementwise.cu", Set.of("unary_contig", "unary_strided", "not_strided", "binary_contig", "binary_strided",
                    "compare_strided", "muladd_strided", "where_strided", "fill_strided", "iota_contig"),
            "convert.cu", Set.of("convert_strided", "convert_contig"),
            "reduce.cu", Set.of("reduce_last", "argreduce_last", "reduce_strided", "argreduce_strided"),
            "softmax.cu", Set.of("softmax_last", "log_softmax_last", "logsumexp_last", "softmax_strided"),
            "philox.cu", Set.of("uniform_f32", "uniform_f64", "normal_f32", "normal_f64", "bernoulli_u8", "philox_blocks"));

    private static final Pattern DECLARED = Pattern.compile("extern\\s+\"C\"\\s+__global__\\s+void\\s+(\\w+)\\s*\\(");

    @Test
    void theKernelListMatchesTheSources() {
        for (String f : KernelSource.FILES) {
            Set<String> declared = new LinkedHashSet<>();
            Matcher m = DECLARED.matcher(KernelSource.resource(f));
            while (m.find()) {
                declared.add(m.group(1));
            }
            assertEquals(KERNELS.get(f), declared, f);
        }
        assertEquals(Set.copyOf(KernelSource.FILES), KERNELS.keySet());
    }
}
