package dev.proxima.tensor;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Asserts that the host allocator is back to zero bytes after each test: every tensor a test (or the
 * code under test) allocated has been released.
 *
 * <p>Every other module uses {@code dev.proxima.testkit.NoLeaks} (modules/testkit). This module keeps its
 * own copy because the testkit depends on proxima-tensor: a test dependency on it from here would be a
 * cycle (tensor → testkit → tensor) that Maven rejects.
 */
final class NoLeaks implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoLeaks.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("before", Memory.allocatedBytes());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        long before = context.getStore(NS).get("before", Long.class);
        long after = Memory.allocatedBytes();
        assertEquals(0, after, context.getDisplayName() + " left " + after + " bytes allocated (" + before + " before it started)");
    }
}
