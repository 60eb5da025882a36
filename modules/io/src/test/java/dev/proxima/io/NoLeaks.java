package dev.proxima.io;

import dev.proxima.tensor.Memory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Asserts that Proxima's host allocator is back to zero bytes after each test. */
final class NoLeaks implements AfterEachCallback {

    @Override
    public void afterEach(ExtensionContext context) {
        long after = Memory.allocatedBytes();
        assertEquals(0, after, context.getDisplayName() + " left " + after + " bytes allocated");
    }
}
