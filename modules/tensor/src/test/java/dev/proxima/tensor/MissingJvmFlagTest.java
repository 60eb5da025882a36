package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.InaccessibleObjectException;
import java.nio.file.Path;
import java.util.List;

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
        return nativeAccess.isEmpty() ? ChildJvm.lines(dir, PROBE, "--illegal-native-access=deny")
                : ChildJvm.lines(dir, PROBE, "--illegal-native-access=deny", "--enable-native-access=" + nativeAccess);
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
