package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The opt-in leak report ({@code -Dproxima.leaks=report}) and the message of a tensor used after its scope
 * closed it: in this JVM by switching the report on for one test, and in a child JVM started with and
 * without the property.
 */
@ExtendWith(NoLeaks.class)
class LeakReportTest {

    private static int nextLine() {
        return StackWalker.getInstance().walk(s -> s.skip(1).findFirst().orElseThrow()).getLineNumber() + 1;
    }

    @Test
    void offByDefaultRecordsNothing() {
        assertFalse(Leaks.tracking, "the test JVM runs without -Dproxima.leaks");
        try (Scope s = Scope.open()) {
            Tensor.zeros(DType.F32, 3);
            assertFalse(s.describe().contains("opened at"), "no opening site is recorded: " + s.describe());
            assertFalse(Memory.leakReport().contains("not closed"), Memory.leakReport());
        }
    }

    @Test
    void reportNamesTheCreationSiteOfEachOpenTensor() {
        Leaks.tracking = true;
        Tensor leaked = null;
        Tensor closed = null;
        try {
            int line = nextLine();
            leaked = Tensor.zeros(DType.F32, 2, 3);
            closed = Tensor.ones(DType.I64, 5);
            closed.close();
            String report = Memory.leakReport();
            String site = "tensor F32[2, 3], created on thread " + Thread.currentThread().getName() + "\n"
                    + "    at dev.proxima.tensor.LeakReportTest.reportNamesTheCreationSiteOfEachOpenTensor(LeakReportTest.java:"
                    + line + ")\n";
            assertTrue(report.contains(site), report);
            assertFalse(report.contains("I64[5]"), "a closed tensor is not reported: " + report);
            assertFalse(report.contains("Leaks.") || report.contains("CreationOps.") || report.contains("Tensor.zeros"),
                    "the core's own frames are trimmed: " + report);
            leaked.close();
            assertFalse(Memory.leakReport().contains("F32[2, 3]"), Memory.leakReport());
        } finally {
            Leaks.tracking = false;
            if (leaked != null) {
                leaked.close();
            }
        }
    }

    @Test
    void aTensorUsedAfterItsNamedScopeSaysWhichScopeAndHowToKeepIt() {
        Tensor t;
        try (Scope step = Scope.open("training step")) {
            t = Tensor.ones(DType.F32, 2);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.add(1));
        assertEquals("tensor F32[2] is closed: the scope 'training step' opened on thread " + Thread.currentThread().getName()
                + " closed it; to use a tensor after its scope closes, move it out before: scope.keep(tensor) hands it"
                + " to the enclosing scope (or to you, outside any scope), Scope.release(tensor) makes it yours to close",
                e.getMessage());
    }

    @Test
    void anUnnamedScopeIsNamedByWhereItWasOpenedWhenTheReportIsOn() {
        Tensor t;
        Leaks.tracking = true;
        int line;
        try {
            line = nextLine();
            try (Scope s = Scope.open()) {
                t = Tensor.ones(DType.F32, 2);
            }
        } finally {
            Leaks.tracking = false;
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, t::sum);
        assertTrue(e.getMessage().startsWith("tensor F32[2] is closed: the scope opened at dev.proxima.tensor.LeakReportTest"
                + ".anUnnamedScopeIsNamedByWhereItWasOpenedWhenTheReportIsOn(LeakReportTest.java:" + line + ") closed it;"),
                e.getMessage());
        try (Scope s = Scope.open()) {
            Tensor u = Tensor.ones(DType.F32, 1);
            u.close();
            // closed by close(), not by the scope: no scope to name
            assertEquals("tensor F32[1] is closed", assertThrows(IllegalStateException.class, u::sum).getMessage());
        }
        IllegalStateException unnamed = assertThrows(IllegalStateException.class, () -> {
            Tensor v;
            try (Scope s = Scope.open()) {
                v = Tensor.ones(DType.F32, 1);
            }
            v.sum();
        });
        assertTrue(unnamed.getMessage().contains("(name scopes with Scope.open(name), or run with -Dproxima.leaks=report"
                + " to see where each was opened)"), unnamed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Scope.open(" "));
    }

    /** Leaks one tensor (line 6) and closes another. */
    private static final String PROBE = """
            import dev.proxima.tensor.*;

            public class Probe {
                public static void main(String[] args) {
                    Tensor.ones(DType.F64, 4).close();
                    Tensor leaked = Tensor.zeros(DType.F32, 2, 3);
                    System.out.println("done");
                }
            }
            """;

    private static List<String> probe(Path dir, String... properties) throws IOException, InterruptedException {
        return output(dir, properties).lines().filter(l -> !l.startsWith("WARNING")).toList();
    }

    private static String output(Path dir, String... properties) throws IOException, InterruptedException {
        List<String> flags = new ArrayList<>(List.of(ChildJvm.NATIVE_ACCESS));
        flags.addAll(List.of(properties));
        return ChildJvm.output(dir, PROBE, flags.toArray(String[]::new));
    }

    @Test
    void atExitTheReportListsTheLeakingLine(@TempDir Path dir) throws Exception {
        assertEquals(List.of("done",
                        "Proxima leak report: 1 tensor not closed (proxima.leaks=report):",
                        "  tensor F32[2, 3], created on thread main",
                        "    at Probe.main(Probe.java:6)"),
                probe(dir, "-Dproxima.leaks=report"));
        assertEquals(List.of("done"), probe(dir), "no report without the property");
    }

    @Test
    void aMisspeltValueIsLoggedAndReportsNothing(@TempDir Path dir) throws Exception {
        String out = output(dir, "-Dproxima.leaks=yes");
        assertTrue(out.contains("system property proxima.leaks must be 'report' or 'off', got 'yes'; no leak report"), out);
        assertFalse(out.contains("not closed"), out);
        assertTrue(out.lines().anyMatch("done"::equals), out);
    }
}
