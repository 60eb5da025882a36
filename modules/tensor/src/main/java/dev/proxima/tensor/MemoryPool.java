package dev.proxima.tensor;

import dev.proxima.tensor.internal.HostMemory;
import org.apache.arrow.memory.BufferAllocator;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A named share of host memory with its own limit: a child allocator in the tree of Apache Arrow
 * allocators under Proxima's root (Arrow's allocator model). Host tensors created on a thread while
 * {@link #use()} is open there are charged to the pool — and stay charged to it until they are closed,
 * even after the {@code use()} block ends. Every byte charged to a pool is also charged to each pool
 * above it, up to the root ({@link Memory#allocatedBytes()}).
 *
 * {@snippet :
 * try (MemoryPool optimizer = Memory.child("optimizer", 256L << 20)) {   // at most 256 MiB
 *     Tensor moment;
 *     try (MemoryPool.Use use = optimizer.use()) {
 *         moment = Tensor.zeros(DType.F32, 1024, 1024);                 // charged to "optimizer"
 *     }
 *     System.out.println(optimizer.allocatedBytes());                    // 4194304
 *     moment.close();                                                    // the pool must be empty to close
 * }
 * }
 *
 * <p>An allocation that would take a pool (or a pool above it) past its limit throws Arrow's
 * {@link org.apache.arrow.memory.OutOfMemoryException} naming that pool, its limit, the bytes in use
 * and the request, before any memory is taken — as the root does for system property
 * {@code proxima.memory.limit}. Closing a pool that still has bytes charged to it fails with the pool's
 * name and the outstanding bytes, and leaves it open (and listed by {@link Memory#leakReport()}).
 *
 * <p>Only the thread that opened a use is charged to the pool: other threads, including the scratch
 * buffers some kernels allocate on Proxima's worker threads for the length of one operation, are charged
 * to their own current pool (the root unless they opened a use themselves).
 *
 * <p>Thread-safe, except that a {@link Use} belongs to the thread that opened it.
 */
public final class MemoryPool implements AutoCloseable {

    /** The open pools directly under the root. Guarded by itself. */
    private static final List<MemoryPool> TOP = new ArrayList<>();

    private final String name;
    private final MemoryPool parent;
    private final BufferAllocator allocator;
    private final HostMemory.PoolListener listener;
    /** Open child pools. Guarded by {@code this}. */
    private final List<MemoryPool> children = new ArrayList<>();
    private boolean closed;

    private MemoryPool(MemoryPool parent, String name, long limit) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a memory pool needs a name");
        }
        if (limit <= 0) {
            throw new IllegalArgumentException("memory pool '" + name + "' needs a positive limit in bytes, got " + limit
                    + " (Long.MAX_VALUE for no limit of its own)");
        }
        this.parent = parent;
        this.name = name;
        String path = path();
        this.listener = new HostMemory.PoolListener("memory pool '" + path + "' is closed");
        BufferAllocator above = parent == null ? HostMemory.root() : parent.allocator;
        this.allocator = above.newChildAllocator(path, listener, 0, limit);
        listener.bind(allocator);
    }

    /** A new pool directly under the root; see {@link Memory#child(String, long)}. */
    static MemoryPool underRoot(String name, long limit) {
        MemoryPool p = new MemoryPool(null, name, limit);
        synchronized (TOP) {
            TOP.add(p);
        }
        return p;
    }

    /**
     * Creates a pool nested in this one: its bytes count against its own limit and against this pool's.
     *
     * @param name  names the pool in messages and the leak report (as {@code parent/name})
     * @param limit the most bytes it may hold at once; {@code Long.MAX_VALUE} for no limit of its own
     * @return the new pool, to be closed by the caller after everything allocated in it
     * @throws IllegalArgumentException if {@code name} is blank or {@code limit} is not positive
     * @throws IllegalStateException    if this pool is closed
     */
    public MemoryPool child(String name, long limit) {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("memory pool '" + path() + "' is closed");
            }
            MemoryPool p = new MemoryPool(this, name, limit);
            children.add(p);
            return p;
        }
    }

    /** {@return the name given when the pool was created} */
    public String name() {
        return name;
    }

    /** The pool's names from the top, such as {@code optimizer/moments}. */
    String path() {
        return parent == null ? name : parent.path() + "/" + name;
    }

    /** {@return the most bytes this pool may hold at once (not counting what the pools above it allow)} */
    public long limit() {
        return allocator.getLimit();
    }

    /** {@return bytes currently charged to this pool and the pools nested in it} */
    public long allocatedBytes() {
        return allocator.getAllocatedMemory();
    }

    /** {@return the most bytes ever charged to this pool (with its nested pools) at once} */
    public long peakBytes() {
        return allocator.getPeakMemoryAllocation();
    }

    /**
     * The Arrow allocator behind this pool, for building Arrow vectors whose buffers are charged to it.
     *
     * @return the pool's child allocator; do not close it (close the pool)
     */
    public BufferAllocator allocator() {
        return allocator;
    }

    /** {@return true once {@link #close()} succeeded} */
    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Charges the host allocations of this thread to this pool until the returned handle is closed. Uses
     * nest (the innermost open one wins) and must be closed innermost first, by the thread that opened
     * them; try-with-resources does both. Tensors created inside stay charged to the pool after the
     * block ends.
     *
     * @return the handle that ends the use
     * @throws IllegalStateException if the pool is closed
     */
    public Use use() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("memory pool '" + path() + "' is closed");
            }
        }
        return new Use(this, HostMemory.enter(allocator, listener));
    }

    /**
     * Closes the pool. It must be empty: every tensor allocated in it closed and every nested pool closed.
     * Closing twice is harmless.
     *
     * @throws IllegalStateException naming the pool and its outstanding bytes (or its open nested pools) if
     *                               it is not empty; the pool then stays open
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (!children.isEmpty()) {
                List<String> open = children.stream().map(MemoryPool::path).toList();
                throw new IllegalStateException("memory pool '" + path() + "' cannot be closed: nested pool(s) "
                        + open + " are still open");
            }
            listener.markClosed(true);
            long outstanding = allocator.getAllocatedMemory();
            if (outstanding != 0) {
                listener.markClosed(false);
                throw new IllegalStateException("memory pool '" + path() + "' closed with " + outstanding
                        + " bytes outstanding (tensors or buffers allocated in it are still open); it stays open");
            }
            closed = true;
            allocator.close();
        }
        if (parent == null) {
            synchronized (TOP) {
                TOP.remove(this);
            }
        } else {
            synchronized (parent) {
                parent.children.remove(this);
            }
        }
    }

    /** Appends one line per open pool with bytes outstanding, depth first, indented by nesting. */
    static void report(StringBuilder out) {
        List<MemoryPool> top;
        synchronized (TOP) {
            top = List.copyOf(TOP);
        }
        for (MemoryPool p : top) {
            p.report(out, 1);
        }
    }

    private void report(StringBuilder out, int depth) {
        List<MemoryPool> nested;
        synchronized (this) {
            nested = List.copyOf(children);
        }
        long bytes = allocatedBytes();
        if (bytes != 0) {
            out.append("  ".repeat(depth)).append(path()).append(": ").append(bytes).append(" bytes outstanding")
                    .append(limit() == Long.MAX_VALUE ? "" : " (limit " + limit() + ")").append('\n');
        }
        for (MemoryPool c : nested) {
            c.report(out, depth + 1);
        }
    }

    /** Such as {@code MemoryPool[optimizer/moments: 4194304 of 16777216 bytes]}. */
    @Override
    public String toString() {
        return "MemoryPool[" + path() + ": " + allocatedBytes() + (limit() == Long.MAX_VALUE ? "" : " of " + limit()) + " bytes"
                + (isClosed() ? ", closed" : "") + "]";
    }

    /**
     * The handle of one {@link MemoryPool#use()}: closing it charges this thread's host allocations to
     * whatever pool was current before.
     */
    public static final class Use implements AutoCloseable {
        private final MemoryPool pool;
        private final HostMemory.Frame frame;

        private Use(MemoryPool pool, HostMemory.Frame frame) {
            this.pool = pool;
            this.frame = frame;
        }

        /** {@return the pool this use charges} */
        public MemoryPool pool() {
            return pool;
        }

        /**
         * Ends the use. Closing twice is harmless.
         *
         * @throws IllegalStateException if called from another thread than the one that opened it, or while
         *                               a use opened later on this thread is still open
         */
        @Override
        public void close() {
            HostMemory.exit(frame, "MemoryPool.use()");
        }
    }
}
