package dev.proxima.nn;

import dev.proxima.tensor.Memory;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Asserts that the host allocator is back to zero bytes after each test: every tensor a test (or the
 * code under test) allocated has been released.
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
