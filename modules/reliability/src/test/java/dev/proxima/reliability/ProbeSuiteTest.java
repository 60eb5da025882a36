package dev.proxima.reliability;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Runs every probe of {@link Probes} in child JVMs and reports each as its own test. The probes run in one child
 * in order; when the child crashes (a SIGSEGV, an abort) or a probe hangs, that probe fails with the exit status,
 * the crash report's location and the child's last lines, and the remaining probes go on in a fresh child. So a
 * crash fails the build naming the probe instead of killing the test run.
 */
class ProbeSuiteTest {

    /** How long one probe may run before it counts as hung (generous: CI machines are small and shared). */
    private static final long PROBE_TIMEOUT_SECONDS = 180;
    private static final Object EOF = new Object();

    @TestFactory
    Stream<DynamicTest> everyProbeEndsCleanlyInAChildJvm() throws Exception {
        List<String> names = new ArrayList<>(Probes.all().keySet());
        Map<String, String> failures = runAll(names, PROBE_TIMEOUT_SECONDS);
        return names.stream().map(n -> dynamicTest(n, () -> {
            String failure = failures.get(n);
            if (failure != null) {
                fail(n + ": " + failure);
            }
        }));
    }

    /** The harness itself: a crash, a hang, a leak and an escaped Error are each reported on their probe, and the probes after them still run. */
    @Test
    void crashesHangsLeaksAndErrorsAreNamedAndTheOtherProbesStillRun() throws Exception {
        List<String> names = List.of("selftest.crash", "misuse.closed.sum", "selftest.hang", "selftest.leak",
                "selftest.error", "misuse.closed.twice");
        Map<String, String> failures = runAll(names, 10);
        assertEquals(List.of("selftest.crash", "selftest.hang", "selftest.leak", "selftest.error"), List.copyOf(failures.keySet()));
        assertTrue(failures.get("selftest.crash").contains("the JVM died"), failures.get("selftest.crash"));
        assertTrue(failures.get("selftest.hang").contains("hung"), failures.get("selftest.hang"));
        assertTrue(failures.get("selftest.leak").startsWith("LEAK: 64 bytes"), failures.get("selftest.leak"));
        assertTrue(failures.get("selftest.error").startsWith("ERROR: an Error escaped: java.lang.StackOverflowError"),
                failures.get("selftest.error"));
    }

    /** @return the failure of each probe that failed, by name */
    static Map<String, String> runAll(List<String> names, long timeoutSeconds) throws IOException, InterruptedException {
        Map<String, String> failures = new LinkedHashMap<>();
        List<String> remaining = names;
        while (!remaining.isEmpty()) {
            remaining = runChild(remaining, failures, timeoutSeconds);
        }
        return failures;
    }

    /** Runs probes in one child until it ends; returns the probes it did not get to. */
    private static List<String> runChild(List<String> names, Map<String, String> failures, long timeoutSeconds)
            throws IOException, InterruptedException {
        Path crashes = Files.createDirectories(Path.of("target", "probe-crashes"));
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector",
                "--sun-misc-unsafe-memory-access=allow", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Xss4m", "-Xmx1g", "-XX:-CreateCoredumpOnCrash",
                "-XX:ErrorFile=" + crashes.toAbsolutePath() + "/hs_err_pid%p.log",
                "-Dproxima.memory.cache=0",
                ProbeRunner.class.getName()));
        cmd.addAll(names);
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BlockingQueue<Object> lines = new LinkedBlockingQueue<>();
        Thread pump = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                lines.add(EOF);
            }
        });
        Deque<String> tail = new ArrayDeque<>();
        StringBuilder probeOutput = new StringBuilder();
        String current = null;
        int next = 0;
        try {
            while (true) {
                Object item = lines.poll(timeoutSeconds, TimeUnit.SECONDS);
                if (item == null) {
                    String hung = current != null ? current : names.get(next);
                    failures.put(hung, "no outcome after " + timeoutSeconds + " s (hung); last output: " + String.join(" | ", tail));
                    int at = names.indexOf(hung);
                    return names.subList(at + 1, names.size());
                }
                if (item == EOF) {
                    int status = child.waitFor();
                    if (current == null) {
                        return names.subList(Math.min(next, names.size()), names.size());
                    }
                    failures.put(current, "the JVM died (exit status " + status + ") during this probe; crash reports in "
                            + crashes.toAbsolutePath() + "; last output: " + String.join(" | ", tail));
                    int at = names.indexOf(current);
                    return names.subList(at + 1, names.size());
                }
                String line = (String) item;
                if (!line.startsWith(ProbeRunner.PREFIX)) {
                    if (line.startsWith("WARNING:")) {
                        continue;
                    }
                    tail.addLast(line);
                    if (tail.size() > 30) {
                        tail.removeFirst();
                    }
                    probeOutput.append(line).append('\n');
                    continue;
                }
                String[] parts = line.substring(ProbeRunner.PREFIX.length()).split(" ", 3);
                String status = parts[0];
                String name = parts[1];
                String detail = parts.length > 2 ? parts[2] : "";
                if (status.equals("BEGIN")) {
                    current = name;
                    probeOutput.setLength(0);
                    continue;
                }
                current = null;
                next = names.indexOf(name) + 1;
                if (!status.equals("PASS")) {
                    failures.put(name, status + ": " + detail);
                } else if (probeOutput.toString().contains("On entry to")) {
                    failures.put(name, "native code printed a diagnostic: " + probeOutput.toString().strip());
                }
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
            pump.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
