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
        List<String> flags = new ArrayList<>(List.of(ChildJvm.NATIVE_ACCESS));
        flags.addAll(List.of(properties));
        return ChildJvm.lines(dir, PROBE, flags.toArray(String[]::new));
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
