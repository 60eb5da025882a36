package dev.proxima.testkit;

import dev.proxima.tensor.Device;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opentest4j.AssertionFailedError;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gradcheck tables: a real table as a test factory, the tests' names, and failures of bad cases. */
@ExtendWith(NoLeaks.class)
class GradcheckTableTest {

    @TestFactory
    Stream<DynamicTest> aTableOfOps() {
        try (Scope scope = Scope.open()) {
            return new GradcheckTable()
                    .add("mul broadcast", x -> x[0].mul(x[1]), new long[]{2, 3}, new long[]{3})
                    .add("log of a positive", x -> x[0].square().add(1).log(), new long[]{4})
                    .add("matmul", x -> x[0].matmul(x[1]), new long[]{2, 3}, new long[]{3, 2})
                    .add("softmax", x -> x[0].softmax(1), new long[]{2, 4})
                    .add("gather with a fixed index", x -> x[0].gather(1, x[1]).mul(x[2]),
                            Tensor.fromArray(new double[][]{{1, 2, 3}, {4, 5, 6}}), Tensor.fromArray(new long[][]{{2, 0}, {1, 1}}),
                            Tensor.of(0.5f, -1.5f))
                    .allChecks();
        }
    }

    private static List<String> names(Stream<DynamicTest> tests) {
        return tests.map(DynamicTest::getDisplayName).toList();
    }

    @Test
    void oneTestPerCaseAndFloatingInput() {
        try (Scope scope = Scope.open()) {
            GradcheckTable table = new GradcheckTable()
                    .add("mul", x -> x[0].mul(x[1]), new long[]{2}, new long[]{2})
                    .add("index", x -> x[1].indexSelect(0, x[0]), Tensor.of(1L, 0L), Tensor.of(3.0, 4.0));
            assertEquals(2, table.size());
            assertEquals(List.of("mul d/d input 0", "mul d/d input 1", "index d/d input 1"), names(table.gradchecks()));
            assertEquals(List.of("mul d²/d input 0²", "mul d²/d input 1²", "index d²/d input 1²"), names(table.gradgradchecks()));
            assertEquals(6, table.allChecks().count());
        }
    }

    @Test
    void tensorInputsAreCopiedWhenAdded() throws Throwable {
        GradcheckTable table = new GradcheckTable();
        try (Scope scope = Scope.open()) {
            table.add("cube", x -> x[0].pow(3).sum(), Tensor.fromArray(new double[][]{{1, -2}, {0.5, 3}}));
        }
        for (DynamicTest t : table.withDevice(Device.CPU).allChecks().toList()) {
            t.getExecutable().execute();
        }
    }

    @Test
    void aWrongGradientFailsNamingTheWorstEntry() {
        // detach() cuts the graph: the analytic Jacobian is 0 where the numeric one is 2x
        List<DynamicTest> tests = new GradcheckTable()
                .add("detached square", x -> x[0].square().detach(), new long[]{3})
                .gradchecks().toList();
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> tests.getFirst().getExecutable().execute());
        assertTrue(e.getMessage().startsWith("detached square d/d input 0: gradcheck failed with Settings[eps=1.0E-6, atol=1.0E-7, "
                + "rtol=1.0E-5]: largest |analytic - numeric| "), e.getMessage());
        assertTrue(e.getMessage().contains("(analytic 0.0, numeric "), e.getMessage());
    }

    @Test
    void theGivenSettingsAreUsed() {
        // central differences of x⁴ are off by 4x·eps²: 0.03 at x = 0.84 with eps = 0.1
        GradcheckTable table = new GradcheckTable()
                .add("fourth power", x -> x[0].pow(4), new long[]{2})
                .withFirstOrder(new GradcheckTable.Settings(0.1, 1e-9, 0));
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> table.gradchecks().toList().getFirst().getExecutable().execute());
        assertTrue(e.getMessage().contains("gradcheck failed with Settings[eps=0.1"), e.getMessage());
        table.withFirstOrder(GradcheckTable.Settings.FIRST_ORDER).withSecondOrder(GradcheckTable.Settings.SECOND_ORDER);
        assertEquals(1, table.gradchecks().count());
    }

    @Test
    void aCaseThatLeaksFails() {
        Tensor[] leaked = new Tensor[1];
        List<DynamicTest> tests = new GradcheckTable()
                .add("leaky", x -> {
                    if (leaked[0] == null) {
                        leaked[0] = Scope.release(Tensor.of(1.0)); // taken out of every scope: never closed
                    }
                    return x[0].sin();
                }, new long[]{2})
                .gradchecks().toList();
        try {
            AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> tests.getFirst().getExecutable().execute());
            assertTrue(e.getMessage().startsWith("leaky d/d input 0 leaked 64 bytes of host tensor memory"), e.getMessage());
        } finally {
            leaked[0].close();
        }
    }

    @Test
    void badTablesAreRejected() {
        GradcheckTable table = new GradcheckTable();
        IllegalStateException empty = assertThrows(IllegalStateException.class, table::gradchecks);
        assertEquals("the gradcheck table has no cases; add some with add(...)", empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> table.add("none", x -> x[0], new long[0][]));
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> table.add("neg", x -> x[0], new long[]{2, -1}));
        assertEquals("case 'neg', input 0: negative dimension in shape [2, -1]", negative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> table.add("huge", x -> x[0], new long[]{2000, 1000}));
        try (Scope scope = Scope.open()) {
            IllegalArgumentException ints = assertThrows(IllegalArgumentException.class,
                    () -> table.add("ints", x -> x[0], Tensor.of(1, 2)));
            assertEquals("case 'ints' has no floating-point input to differentiate; got [I32[2]]", ints.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new GradcheckTable.Settings(0, 1e-7, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> new GradcheckTable.Settings(1e-6, -1, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> new GradcheckTable.Settings(1e-6, 1e-7, Double.NaN));
        assertThrows(NullPointerException.class, () -> table.withDevice(null));
        assertEquals(0, table.size());
    }
}
