package dev.proxima.io.arrow;

import dev.proxima.io.Npy;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
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
 * A JVM started without a flag the io modules need: reading or writing an Arrow IPC file (io-arrow), or reading
 * an .npz archive (io), fails with one exception naming the flag, instead of a FileFormatException that blames the
 * file (or Arrow's bare UnsupportedOperationException). Child JVMs, started with the test JVM's module path and every flag but the
 * one under test.
 */
@ExtendWith(NoLeaks.class)
class JvmFlagsTest {

    /** Reads the Arrow file args[1] twice, writes one, then writes and reads .npz and .npy files; prints each outcome. */
    private static final String PROBE = """
            import dev.proxima.tensor.*;
            import dev.proxima.io.*;
            import dev.proxima.io.arrow.*;
            import java.nio.file.*;

            public class Probe {
                interface Step { String run() throws Exception; }

                static void attempt(Step step) {
                    try {
                        System.out.println(step.run());
                    } catch (Throwable e) {
                        System.out.println(e.getClass().getName() + ": " + e.getMessage());
                    }
                }

                public static void main(String[] args) {
                    Path dir = Path.of(args[0]);
                    for (int i = 0; i < 2; i++) {
                        attempt(() -> {
                            try (Tensor back = ArrowTensors.readBatch(Path.of(args[1]), "x"); Tensor s = back.sum()) {
                                return "read ok " + s.item();
                            }
                        });
                    }
                    attempt(() -> {
                        try (Tensor t = Tensor.of(1.0, 2.0, 3.0); Tensor m = t.reshape(3, 1)) {
                            ArrowTensors.writeBatch(dir.resolve("w.arrow"), "x", m, ArrowTensors.Format.FILE);
                            return "write ok";
                        }
                    });
                    attempt(() -> {
                        try (Tensor t = Tensor.of(1.0, 2.0)) {
                            Npy.writeNpz(dir.resolve("t.npz"), java.util.Map.of("t", t), true);
                            var back = Npy.readNpz(dir.resolve("t.npz"));
                            try (Tensor b = back.get("t"); Tensor s = b.sum()) {
                                return "npz ok " + s.item();
                            }
                        }
                    });
                    attempt(() -> {
                        try (Tensor t = Tensor.of(1.0, 2.0)) {
                            Npy.write(dir.resolve("t.npy"), t);
                            try (Tensor back = Npy.read(dir.resolve("t.npy")); Tensor s = back.sum()) {
                                return "npy ok " + s.item();
                            }
                        }
                    });
                }
            }
            """;

    private static final String NATIVE_ACCESS_ALL = "--enable-native-access=ALL-UNNAMED,dev.proxima.blas,dev.proxima.tensor,dev.proxima.io,dev.proxima.io.arrow";
    private static final String ADD_OPENS = "--add-opens=java.base/java.nio=org.apache.arrow.memory.core,ALL-UNNAMED";

    private static List<String> probe(Path dir, String... flags) throws IOException, InterruptedException {
        Path arrow = dir.resolve("given.arrow");
        try (Tensor t = Tensor.of(1.0, 2.0, 4.0); Tensor m = t.reshape(3, 1)) {
            ArrowTensors.writeBatch(arrow, "x", m, ArrowTensors.Format.FILE);
        }
        Path source = dir.resolve("Probe.java");
        Files.writeString(source, PROBE);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--module-path", System.getProperty("jdk.module.path"), "--add-modules", "dev.proxima.io.arrow",
                "--add-modules=jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of(source.toString(), dir.toString(), arrow.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
        return out.lines().filter(l -> !l.startsWith("WARNING")).toList();
    }

    @Test
    void withEveryFlagEverythingWorks(@TempDir Path dir) throws Exception {
        assertEquals(List.of("read ok 7.0", "read ok 7.0", "write ok", "npz ok 3.0", "npy ok 3.0"),
                probe(dir, "--illegal-native-access=deny", NATIVE_ACCESS_ALL, ADD_OPENS));
    }

    @Test
    void withoutJavaNioOpenedToArrowArrowFilesNameTheFlag(@TempDir Path dir) throws Exception {
        String expected = "dev.proxima.tensor.MissingJvmFlagException: add " + ADD_OPENS + " to the java command line:"
                + " Apache Arrow wraps its buffers as NIO buffers through a private constructor of java.nio";
        assertEquals(List.of(expected, expected, expected, "npz ok 3.0", "npy ok 3.0"), probe(dir, NATIVE_ACCESS_ALL));
    }

    @Test
    void withoutNativeAccessForIoArrowFilesNameTheFlag(@TempDir Path dir) throws Exception {
        String arrow = "dev.proxima.tensor.MissingJvmFlagException: add --enable-native-access=dev.proxima.io.arrow to the"
                + " java command line: module dev.proxima.io.arrow calls native code, and this JVM denies native access to"
                + " modules the flag does not name";
        String io = "dev.proxima.tensor.MissingJvmFlagException: add --enable-native-access=dev.proxima.io to the java"
                + " command line: module dev.proxima.io calls native code, and this JVM denies native access to modules"
                + " the flag does not name";
        // writing a contiguous tensor hands its memory to Arrow without a restricted call
        // an .npz entry is read as a stream into memory allocated as it arrives, through a restricted call;
        // an .npy file is read in place (mapped) without one
        assertEquals(List.of(arrow, arrow, "write ok", io, "npy ok 3.0"), probe(dir, "--illegal-native-access=deny",
                "--enable-native-access=ALL-UNNAMED,dev.proxima.blas,dev.proxima.tensor", ADD_OPENS));
    }
}
