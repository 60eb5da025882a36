package dev.proxima.tensor;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fails a test that leaves host tensor memory allocated ({@link Memory#allocatedBytes()} must be 0
 * after every test) or leaves a {@link Scope} or a {@link MemoryPool#use()} open on its thread.
 * Register it on every tensor test class with {@code @ExtendWith(AllocatorCheck.class)}.
 *
 * <p>A scope left open is closed here (innermost first), so one faulty test does not break the
 * thread's scope stack for the tests after it.
 */
public final class AllocatorCheck implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(AllocatorCheck.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("before", Memory.allocatedBytes());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        int openScopes = 0;
        for (Scope s = Scope.current(); s != null; s = Scope.current()) {
            openScopes++;
            s.close();
        }
        int openUses = dev.proxima.tensor.internal.HostMemory.exitAll();
        long after = Memory.allocatedBytes();
        Long before = context.getStore(NS).get("before", Long.class);
        if (openUses > 0) {
            fail(context.getDisplayName() + " left " + openUses + " MemoryPool.use() block(s) open (now ended)");
        }
        if (openScopes > 0) {
            fail(context.getDisplayName() + " left " + openScopes + " Scope(s) open (now closed); "
                    + after + " bytes allocated after closing them");
        }
        if (after != 0) {
            fail(context.getDisplayName() + " leaked tensor memory: Memory.allocatedBytes() = " + after
                    + " bytes after the test (" + before + " before it)");
        }
    }
}
