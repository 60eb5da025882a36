package dev.proxima.testkit;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.opentest4j.AssertionFailedError;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The extension fails tests that leave host tensor memory allocated, naming the test and the bytes. */
class NoLeaksTest {

    /** True while {@link #theExtensionFailsLeakingTestsOnly()} runs the fixture. */
    private static volatile boolean runningFixture;

    /** Fails on purpose; run through the launcher by {@link #theExtensionFailsLeakingTestsOnly()}, skipped otherwise. */
    @ExtendWith(NoLeaks.class)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class Fixture {
        static Tensor kept;

        @BeforeAll
        static void onlyFromNoLeaksTest() {
            Assumptions.assumeTrue(runningFixture, "a fixture of NoLeaksTest, meant to fail");
        }

        @Test
        @Order(1)
        void leaks() {
            kept = Tensor.of(1.0, 2.0, 3.0);
        }

        @Test
        @Order(2)
        void cleansUp() {
            try (Scope scope = Scope.open()) {
                Tensor.of(1.0, 2.0).exp().sum();
            }
        }

        @Test
        @Order(3)
        void freesWhatItDidNotAllocate() {
            kept.close();
        }
    }

    @Test
    void theExtensionFailsLeakingTestsOnly() {
        long before = Memory.allocatedBytes();
        Map<String, TestExecutionResult> results = new LinkedHashMap<>();
        runningFixture = true;
        try {
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(Fixture.class)).build(),
                    new TestExecutionListener() {
                        @Override
                        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                            if (id.isTest()) {
                                results.put(id.getDisplayName(), result);
                            }
                        }
                    });
        } finally {
            runningFixture = false;
        }
        assertEquals(before, Memory.allocatedBytes(), "the fixture's last test freed what the first leaked");
        assertEquals(3, results.size(), results::toString);
        TestExecutionResult leaks = results.get("leaks()");
        assertEquals(TestExecutionResult.Status.FAILED, leaks.getStatus());
        AssertionFailedError e = assertInstanceOf(AssertionFailedError.class, leaks.getThrowable().orElseThrow());
        assertEquals("Fixture.leaks() leaked 64 bytes of host tensor memory (" + before + " bytes allocated before it, "
                + (before + 64) + " after)", e.getMessage());
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, results.get("cleansUp()").getStatus(),
                "memory allocated before a test does not count against it");
        TestExecutionResult frees = results.get("freesWhatItDidNotAllocate()");
        assertEquals(TestExecutionResult.Status.FAILED, frees.getStatus());
        assertTrue(frees.getThrowable().orElseThrow().getMessage().startsWith(
                "Fixture.freesWhatItDidNotAllocate() freed 64 bytes of host tensor memory it did not allocate"));
    }

    @Test
    void assertFreedChecksAnyBlockOfCode() throws Throwable {
        NoLeaks.assertFreed("scoped", () -> {
            try (Scope scope = Scope.open()) {
                Tensor.ones(DType.F32, 100).sum();
            }
        });
        Tensor[] leaked = new Tensor[1];
        long before = Memory.allocatedBytes();
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> NoLeaks.assertFreed("case 3", () -> leaked[0] = Tensor.zeros(DType.F64, 10)));
        leaked[0].close();
        assertEquals("case 3 leaked 128 bytes of host tensor memory (" + before + " bytes allocated before it, " + (before + 128)
                + " after)", e.getMessage());
        // the body's own failure propagates as it is
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> NoLeaks.assertFreed("failing", () -> {
                    throw new IllegalStateException("boom");
                }));
        assertEquals("boom", thrown.getMessage());
        assertThrows(NullPointerException.class, () -> NoLeaks.assertFreed(null, () -> { }));
    }
}
