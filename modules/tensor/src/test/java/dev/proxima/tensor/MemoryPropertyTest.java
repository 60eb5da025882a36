package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * System properties read when host memory is first used, in a fresh JVM each (the test JVM's root
 * allocator already exists): a malformed value must fail every use with the same clear exception, not
 * once with ExceptionInInitializerError and then with NoClassDefFoundError.
 */
@ExtendWith(AllocatorCheck.class)
class MemoryPropertyTest {

    /** Uses host memory three times (the last asks for 2 MiB) and prints what each use threw or gave. */
    private static final String PROBE = """
            import dev.proxima.tensor.*;

            public class Probe {
                public static void main(String[] args) {
                    for (int i = 0; i < 3; i++) {
                        try {
                            if (i == 0) {
                                System.out.println("ok " + Memory.limit() + " " + Memory.cachedBytes());
                            } else {
                                try (Tensor t = Tensor.zeros(DType.F32, i == 1 ? 4 : 512 * 1024)) {
                                    System.out.println("ok " + Memory.allocatedBytes());
                                }
                            }
                        } catch (Throwable e) {
                            System.out.println(e.getClass().getName() + ": " + e.getMessage());
                        }
                    }
                }
            }
            """;

    private static List<String> probe(Path dir, String... properties) throws IOException, InterruptedException {
        Path source = dir.resolve("Probe.java");
        Files.writeString(source, PROBE);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isBlank()) {
            cmd.addAll(List.of("--module-path", modulePath, "--add-modules", "dev.proxima.tensor"));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
        }
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED,dev.proxima.tensor,dev.proxima.blas",
                "--add-modules=jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow"));
        cmd.addAll(List.of(properties));
        cmd.add(source.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
        return out.lines().filter(l -> !l.startsWith("WARNING")).toList();
    }

    @Test
    void aMalformedLimitFailsEveryUseWithTheSameClearException(@TempDir Path dir) throws Exception {
        String expected = "java.lang.IllegalArgumentException: system property proxima.memory.limit must be a positive"
                + " whole number of bytes (such as 1073741824), got '12x'";
        assertEquals(List.of(expected, expected, expected), probe(dir, "-Dproxima.memory.limit=12x"));
    }

    @Test
    void wellFormedPropertiesConfigureTheRoot(@TempDir Path dir) throws Exception {
        assertEquals(List.of("ok 1048576 0", "ok 64", "org.apache.arrow.memory.OutOfMemoryException: memory pool 'root'"
                        + " cannot allocate 2097152 bytes: its limit is 1048576 bytes (system property proxima.memory.limit)"
                        + " and 0 bytes of it are in use"),
                probe(dir, "-Dproxima.memory.limit=1048576", "-Dproxima.memory.cache=0"));
    }
}
