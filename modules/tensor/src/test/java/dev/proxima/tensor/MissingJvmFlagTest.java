package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.InaccessibleObjectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM that refuses native access to a Proxima module ({@code --illegal-native-access=deny}, the announced
 * future default, without {@code --enable-native-access} naming it): every use fails with one exception
 * naming the flag, not with an ExceptionInInitializerError and then NoClassDefFoundErrors. Child JVMs.
 */
@ExtendWith(NoLeaks.class)
class MissingJvmFlagTest {

    /** Multiplies two matrices twice; prints the result or what was thrown each time. */
    private static final String PROBE = """
            import dev.proxima.tensor.*;

            public class Probe {
                public static void main(String[] args) {
                    for (int i = 0; i < 2; i++) {
                        try (Tensor a = Tensor.ones(DType.F32, 4, 4); Tensor p = a.matmul(a); Tensor s = p.sum()) {
                            System.out.println("ok " + s.item());
                        } catch (Throwable e) {
                            System.out.println(e.getClass().getName() + ": " + e.getMessage());
                        }
                    }
                }
            }
            """;

    private static List<String> probe(Path dir, String nativeAccess) throws IOException, InterruptedException {
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
        cmd.addAll(List.of("--illegal-native-access=deny", "--add-modules=jdk.incubator.vector", "--sun-misc-unsafe-memory-access=allow"));
        if (!nativeAccess.isEmpty()) {
            cmd.add("--enable-native-access=" + nativeAccess);
        }
        cmd.add(source.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
        return out.lines().filter(l -> !l.startsWith("WARNING")).toList();
    }

    @Test
    void withEveryModuleNamedItWorks(@TempDir Path dir) throws Exception {
        assertEquals(List.of("ok 64.0", "ok 64.0"), probe(dir, "ALL-UNNAMED,dev.proxima.tensor,dev.proxima.blas"));
    }

    @Test
    void theTensorCoreWithoutNativeAccessNamesItsFlagAtEachUse(@TempDir Path dir) throws Exception {
        String expected = "dev.proxima.tensor.MissingJvmFlagException: add --enable-native-access=dev.proxima.tensor to the"
                + " java command line: module dev.proxima.tensor calls native code, and this JVM denies native access to"
                + " modules the flag does not name";
        assertEquals(List.of(expected, expected), probe(dir, "ALL-UNNAMED,dev.proxima.blas"));
    }

    @Test
    void theBlasBindingsWithoutNativeAccessNameTheirFlagAtEachUse(@TempDir Path dir) throws Exception {
        String expected = "dev.proxima.tensor.MissingJvmFlagException: add --enable-native-access=dev.proxima.blas to the"
                + " java command line: module dev.proxima.blas calls native code, and this JVM denies native access to"
                + " modules the flag does not name";
        assertEquals(List.of(expected, expected), probe(dir, "ALL-UNNAMED,dev.proxima.tensor"));
    }

    @Test
    void diagnoseRecognisesEachMissingFlag() {
        IllegalCallerException nativeCall = new IllegalCallerException("Illegal native access from module dev.proxima.io (file:/x.jar)");
        MissingJvmFlagException e = MissingJvmFlagException.diagnose(new ExceptionInInitializerError(nativeCall)).orElseThrow();
        assertEquals("--enable-native-access=dev.proxima.io", e.flag());
        assertSame(nativeCall, e.getCause().getCause());
        assertEquals("--enable-native-access=ALL-UNNAMED", MissingJvmFlagException.diagnose(
                new IllegalCallerException("Illegal native access from unnamed module")).orElseThrow().flag());
        assertEquals("--add-opens=java.base/java.nio=org.apache.arrow.memory.core,ALL-UNNAMED", MissingJvmFlagException.diagnose(
                new UnsupportedOperationException("sun.misc.Unsafe or java.nio.DirectByteBuffer.<init>(long, int) not available"))
                .orElseThrow().flag());
        assertEquals("--add-opens=java.base/java.lang=com.example", MissingJvmFlagException.diagnose(new InaccessibleObjectException(
                "Unable to make field private final byte[] java.lang.String.value accessible: module java.base does not"
                        + " \"opens java.lang\" to module com.example")).orElseThrow().flag());
        assertTrue(MissingJvmFlagException.diagnose(new IllegalStateException("something else")).isEmpty());
        assertTrue(MissingJvmFlagException.diagnose(null).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new MissingJvmFlagException("enable-native-access", "x", null));
        assertThrows(IllegalArgumentException.class, () -> new MissingJvmFlagException("--x", " ", null));
    }
}
