package dev.proxima.testkit;

import dev.proxima.tensor.Memory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.function.Executable;
import org.opentest4j.AssertionFailedError;

import java.util.Objects;

/**
 * A JUnit 5 extension that fails every test after which {@link Memory#allocatedBytes()} (the host memory
 * of all live tensors) differs from its value before the test: every tensor the test, or the code under
 * test, allocated must have been released by then. The failure names the test and the number of bytes
 * leaked.
 *
 * <p>Proxima frees tensor memory deterministically (by {@link dev.proxima.tensor.Tensor#close()} and
 * {@link dev.proxima.tensor.Scope}), never through the garbage collector, so this extension neither calls
 * {@link System#gc()} nor waits for finalizers or cleaners: memory that only a collection would free is a
 * leak. Memory a test class holds from before the test (allocated in {@code @BeforeAll}, say) is not
 * counted, since the comparison is with the value before each test; memory other threads allocate
 * concurrently is, so do not combine this extension with parallel test execution.
 *
 * {@snippet :
 * @ExtendWith(NoLeaks.class)
 * class MyOpTest {
 *     @Test
 *     void addsRows() {
 *         try (Scope scope = Scope.open()) {               // frees everything made inside
 *             Tensor x = Tensor.of(1.0, 2.0).add(1);
 *             assertEquals(5, x.sum().item());
 *         }
 *     }
 * }
 * }
 *
 * <p>{@link #assertFreed(String, Executable)} makes the same check around any piece of code, e.g. one
 * dynamic test of a {@code @TestFactory} (JUnit runs the {@code beforeEach}/{@code afterEach} callbacks
 * once around a whole factory, not around each dynamic test).
 */
public final class NoLeaks implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoLeaks.class);
    private static final String BEFORE = "allocatedBytesBefore";

    /** Creates the extension (JUnit instantiates it for {@code @ExtendWith(NoLeaks.class)}). */
    public NoLeaks() {
    }

    /**
     * Records {@link Memory#allocatedBytes()} before the test.
     *
     * @param context the test's context, where the value is stored
     */
    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put(BEFORE, Memory.allocatedBytes());
    }

    /**
     * Compares {@link Memory#allocatedBytes()} with its value before the test.
     *
     * @param context the test's context
     * @throws AssertionFailedError naming the test and the bytes leaked, if the values differ
     */
    @Override
    public void afterEach(ExtensionContext context) {
        Long before = context.getStore(NAMESPACE).remove(BEFORE, Long.class);
        if (before != null) {
            check(testName(context), before, Memory.allocatedBytes());
        }
    }

    /**
     * Runs {@code body} and asserts that it left {@link Memory#allocatedBytes()} at the value it had before,
     * like the extension does around a test. If {@code body} throws, that exception propagates and no
     * memory check is made (a failure's own message matters more).
     *
     * {@snippet :
     * NoLeaks.assertFreed("case 3", () -> {
     *     try (Scope scope = Scope.open()) {
     *         assertEquals(6, Tensor.of(1.0, 2.0, 3.0).sum().item());
     *     }
     * });
     * }
     *
     * @param what names the code in the failure message, e.g. a test or case name
     * @param body the code to run
     * @throws AssertionFailedError if host tensor memory differs after {@code body}
     * @throws Throwable            whatever {@code body} throws
     */
    public static void assertFreed(String what, Executable body) throws Throwable {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(body, "body");
        long before = Memory.allocatedBytes();
        body.execute();
        check(what, before, Memory.allocatedBytes());
    }

    private static void check(String what, long before, long after) {
        if (after == before) {
            return;
        }
        String change = after > before
                ? "leaked " + (after - before) + " bytes of host tensor memory"
                : "freed " + (before - after) + " bytes of host tensor memory it did not allocate";
        throw new AssertionFailedError(what + " " + change + " (" + before + " bytes allocated before it, "
                + after + " after)", before, after);
    }

    /** {@code Class.method(…)} with JUnit's display name for parameterized and repeated tests. */
    private static String testName(ExtensionContext context) {
        String cls = context.getTestClass().map(Class::getSimpleName).orElse("");
        String method = context.getTestMethod().map(m -> m.getName() + "()").orElse(context.getDisplayName());
        String display = context.getDisplayName();
        String name = cls.isEmpty() ? method : cls + "." + method;
        return display.equals(method) ? name : name + " [" + display + "]";
    }
}
