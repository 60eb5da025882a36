package dev.proxima.tensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a one-file Java program (the source launcher) in a fresh JVM on the test JVM's module path (or class path),
 * for the tests that need what a JVM decides once: system properties read at start-up, flags, exit hooks.
 */
final class ChildJvm {

    /** The flags every probe needs; the tensor core's native access is the caller's choice. */
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED,dev.proxima.tensor,dev.proxima.blas";

    private ChildJvm() {
    }

    /**
     * Writes {@code source} (a public class {@code Probe}) to {@code dir} and runs it.
     *
     * @param flags JVM flags and {@code -D} properties, after the module path and the incubator module
     * @return what it printed, standard output and error merged
     */
    static String output(Path dir, String source, String... flags) throws IOException, InterruptedException {
        return run(dir, source, List.of(flags), List.of(), 60).output();
    }

    /** What a probe JVM printed (standard output and error merged) and its exit status. */
    record Result(String output, int exitStatus) {
        /** The output's lines without the JVM's own WARNING lines. */
        List<String> lines() {
            return output.lines().filter(l -> !l.startsWith("WARNING")).toList();
        }
    }

    /**
     * Writes {@code source} (a public class {@code Probe}) to {@code dir} and runs it with {@code flags} before the
     * source file and {@code args} after it, waiting at most {@code seconds}.
     */
    static Result run(Path dir, String source, List<String> flags, List<String> args, int seconds)
            throws IOException, InterruptedException {
        Path file = dir.resolve("Probe.java");
        Files.writeString(file, source);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isBlank()) {
            cmd.addAll(List.of("--module-path", modulePath, "--add-modules", "dev.proxima.tensor"));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
        }
        cmd.addAll(List.of("--add-modules=jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow"));
        cmd.addAll(flags);
        cmd.add(file.toString());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "probe JVM did not finish");
        return new Result(out, p.exitValue());
    }

    /** {@link #output}'s lines without the JVM's own WARNING lines. */
    static List<String> lines(Path dir, String source, String... flags) throws IOException, InterruptedException {
        return output(dir, source, flags).lines().filter(l -> !l.startsWith("WARNING")).toList();
    }
}
