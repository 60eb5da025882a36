package dev.proxima.tensor.internal;

import dev.proxima.tensor.MissingJvmFlagException;
import org.apache.arrow.memory.AllocationListener;
import org.apache.arrow.memory.AllocationOutcome;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.rounding.RoundingPolicy;

import java.lang.foreign.MemorySegment;

/**
 * Proxima's root Arrow allocator (created on first use), the cache of freed large blocks that goes with
 * it, and the per-thread stack of allocators that host allocations are charged to.
 *
 * <p>The root is configured from two system properties, read when it is first needed:
 * {@value #LIMIT_PROPERTY} (bytes; default unlimited) and {@value #CACHE_PROPERTY} (bytes the cache of
 * freed blocks may hold; default {@value #DEFAULT_CACHE_BYTES}, 0 turns it off). A malformed value makes
 * every use of host memory throw the same {@link IllegalArgumentException} naming the property, until
 * the property is corrected.
 */
public final class HostMemory {

    static {
        ArrowLogging.quietWithoutProvider(); // before any Arrow class initialises SLF4J
    }

    /** The system property that limits the bytes of live host memory. */
    public static final String LIMIT_PROPERTY = "proxima.memory.limit";
    /** The system property that bounds the bytes the cache of freed large blocks may hold. */
    public static final String CACHE_PROPERTY = "proxima.memory.cache";
    /** The cache bound when {@value #CACHE_PROPERTY} is not set: 256 MiB. */
    public static final long DEFAULT_CACHE_BYTES = 256L << 20;

    private HostMemory() {
    }

    /**
     * Accounts exactly what {@link NativeAllocationManager} allocates (64-byte multiples; 2 MiB multiples
     * from 4 MiB up), not Arrow's default power-of-two rounding.
     */
    private static final RoundingPolicy ALIGNED = NativeAllocationManager::allocationSize;

    private record Root(RootAllocator allocator, BlockCache cache) {
    }

    private static volatile Root root;

    private static Root state() {
        Root r = root;
        return r != null ? r : create();
    }

    private static synchronized Root create() {
        if (root == null) {
            requireNativeAccess();
            // parsed on every attempt: a malformed value fails each use with the same message
            long limit = bytesProperty(LIMIT_PROPERTY, System.getProperty(LIMIT_PROPERTY), Long.MAX_VALUE, false);
            long cacheBytes = bytesProperty(CACHE_PROPERTY, System.getProperty(CACHE_PROPERTY), DEFAULT_CACHE_BYTES, true);
            BlockCache cache = new BlockCache(cacheBytes, NativeAllocationManager::free);
            PoolListener listener = new PoolListener("the root pool is never closed");
            RootAllocator allocator = new RootAllocator(RootAllocator.configBuilder()
                    .allocationManagerFactory(NativeAllocationManager.factory(cache))
                    .roundingPolicy(ALIGNED)
                    .listener(listener)
                    .maxAllocation(limit)
                    .build());
            listener.bind(allocator);
            root = new Root(allocator, cache);
        }
        return root;
    }

    /**
     * Fails, before any native call, with the flag to add when this module may not call native code: a JVM
     * started with {@code --illegal-native-access=deny} and without {@code --enable-native-access} naming this
     * module. (With the JDK's default, {@code warn}, the calls work and the JDK prints a warning.) Checked
     * on every attempt to create the root, so each use fails the same way.
     */
    private static void requireNativeAccess() {
        Module module = HostMemory.class.getModule();
        if (module.isNativeAccessEnabled()) {
            return;
        }
        try {
            MemorySegment.NULL.reinterpret(0); // a restricted method: refused here exactly when native calls would be
        } catch (IllegalCallerException e) {
            throw MissingJvmFlagException.diagnose(e).orElseGet(() -> new MissingJvmFlagException(
                    "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED"),
                    "Proxima's tensor core calls native code, and this JVM denies native access to modules the flag does not name", e));
        }
    }

    /**
     * Parses a byte count given as a system property.
     *
     * @param property     the property's name, for the message
     * @param value        its value, or null when it is not set
     * @param defaultValue the result for a missing or blank value
     * @param zeroAllowed  whether 0 is a valid value
     * @return the number of bytes
     * @throws IllegalArgumentException if the value is not a decimal integer in range
     */
    static long bytesProperty(String property, String value, long defaultValue, boolean zeroAllowed) {
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            long bytes = Long.parseLong(value.trim());
            if (bytes > 0 || (zeroAllowed && bytes == 0)) {
                return bytes;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("system property " + property + " must be a "
                + (zeroAllowed ? "non-negative" : "positive") + " whole number of bytes (such as 1073741824), got '" + value + "'");
    }

    /**
     * The root allocator: every host buffer is accounted by it or by one of its descendants.
     *
     * @throws IllegalArgumentException if {@value #LIMIT_PROPERTY} or {@value #CACHE_PROPERTY} is malformed
     */
    public static BufferAllocator root() {
        return state().allocator();
    }

    /** Bytes held by the cache of freed large blocks (not counted as allocated). */
    public static long cachedBytes() {
        return state().cache().cachedBytes();
    }

    /** Frees every block held by the cache of freed large blocks. */
    public static void emptyCache() {
        state().cache().clear();
    }

    // ------------------------------------------------------------------ the current thread's allocator

    /** One entry of a thread's stack of allocators; {@link #exit} checks it is the innermost. */
    public static final class Frame {
        private final BufferAllocator allocator;
        private final PoolListener listener;
        private final Frame parent;
        private final Thread thread;
        private boolean exited;

        private Frame(BufferAllocator allocator, PoolListener listener, Frame parent) {
            this.allocator = allocator;
            this.listener = listener;
            this.parent = parent;
            this.thread = Thread.currentThread();
        }
    }

    private static final ThreadLocal<Frame> CURRENT = new ThreadLocal<>();

    /**
     * The allocator this thread's host allocations are charged to: the innermost one {@link #enter}ed,
     * else the root.
     *
     * @throws IllegalStateException if that allocator's pool has been closed
     */
    public static BufferAllocator current() {
        Frame f = CURRENT.get();
        if (f == null) {
            return root();
        }
        f.listener.checkOpen();
        return f.allocator;
    }

    /**
     * Makes {@code allocator} this thread's current one until {@link #exit} is called with the result.
     *
     * @param listener the listener of the allocator's pool, which knows whether it is closed
     */
    public static Frame enter(BufferAllocator allocator, PoolListener listener) {
        Frame f = new Frame(allocator, listener, CURRENT.get());
        CURRENT.set(f);
        return f;
    }

    /**
     * Restores the allocator that was current before {@code frame} was entered. Exiting twice is harmless.
     *
     * @throws IllegalStateException if called from another thread, or while a frame entered later is
     *                               still current
     */
    public static void exit(Frame frame, String what) {
        if (frame.exited) {
            return;
        }
        if (Thread.currentThread() != frame.thread) {
            throw new IllegalStateException(what + " must be closed by the thread that opened it (" + frame.thread.getName() + ")");
        }
        if (CURRENT.get() != frame) {
            throw new IllegalStateException("close the innermost " + what + " first");
        }
        frame.exited = true;
        if (frame.parent == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(frame.parent);
        }
    }

    /**
     * Ends every allocator frame still open on this thread (for test harnesses that recover from a test
     * which left a {@code MemoryPool.use()} open).
     *
     * @return how many were open
     */
    public static int exitAll() {
        int n = 0;
        for (Frame f = CURRENT.get(); f != null; f = f.parent) {
            f.exited = true;
            n++;
        }
        CURRENT.remove();
        return n;
    }

    // ------------------------------------------------------------------ pool checks

    /**
     * The allocation listener of one pool: refuses allocations once the pool is closed and turns Arrow's
     * limit failure into an {@link OutOfMemoryException} that names the pool whose limit was reached, that
     * limit, the bytes in use there and the request.
     */
    public static final class PoolListener implements AllocationListener {
        private final String closedMessage;
        private volatile BufferAllocator allocator;
        private volatile boolean closed;

        /**
         * @param closedMessage the message of the {@link IllegalStateException} that allocations throw
         *                      after {@link #markClosed(boolean) markClosed(true)}
         */
        public PoolListener(String closedMessage) {
            this.closedMessage = closedMessage;
        }

        /** Tells the listener which allocator it serves (for the failure message). */
        public void bind(BufferAllocator allocator) {
            this.allocator = allocator;
        }

        /** Sets whether the pool refuses allocations. */
        public void markClosed(boolean value) {
            closed = value;
        }

        /** @throws IllegalStateException if the pool is closed */
        public void checkOpen() {
            if (closed) {
                throw new IllegalStateException(closedMessage);
            }
        }

        @Override
        public void onPreAllocation(long size) {
            checkOpen();
        }

        @Override
        public boolean onFailedAllocation(long size, AllocationOutcome outcome) {
            throw new OutOfMemoryException(limitMessage(allocator, size), outcome.getDetails());
        }
    }

    /**
     * Names the allocator on the way from {@code allocator} to the root whose limit does not leave room for
     * {@code size} more bytes (allocators are named after their pools).
     */
    static String limitMessage(BufferAllocator allocator, long size) {
        String head = "memory pool '" + poolName(allocator) + "' cannot allocate " + size + " bytes: ";
        for (BufferAllocator a = allocator; a != null; a = a.getParentAllocator()) {
            long used = a.getAllocatedMemory();
            long limit = a.getLimit();
            if (size > limit - used) {
                String whose = a == allocator ? "its limit is " : "the limit of pool '" + poolName(a) + "' above it is ";
                String source = a.getParentAllocator() == null ? " (system property " + LIMIT_PROPERTY + ")" : "";
                return head + whose + limit + " bytes" + source + " and " + used + " bytes of it are in use";
            }
        }
        // the memory was freed again between the failure and this message
        return head + "a limit on the way to the root pool was reached by allocations of other threads";
    }

    /** The name of the pool an allocator serves: "root" for the root, else the allocator's name. */
    public static String poolName(BufferAllocator allocator) {
        return allocator.getParentAllocator() == null ? "root" : allocator.getName();
    }
}
