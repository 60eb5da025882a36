package dev.proxima.tensor;

import dev.proxima.tensor.internal.HostMemory;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Accounting of host tensor memory. All host tensors are allocated from one Apache Arrow root
 * allocator or from the named child pools under it ({@link #child(String, long)}), so
 * {@link #allocatedBytes()} is exact (sizes rounded up to 64 bytes; 2 MiB from 4 MiB up).
 *
 * <p>System properties, read when host memory is first used:
 * <ul>
 *   <li>{@code proxima.memory.limit}: the most bytes of live host memory (a whole number of bytes;
 *       default unlimited). An allocation past it fails with Arrow's
 *       {@link org.apache.arrow.memory.OutOfMemoryException} before any memory is taken.</li>
 *   <li>{@code proxima.memory.cache}: the most bytes the cache of freed large blocks may hold (default
 *       268435456, 256 MiB; 0 turns the cache off).</li>
 * </ul>
 * A malformed value makes every use of host memory throw the same {@link IllegalArgumentException},
 * naming the property.
 *
 * <p><b>The cache of freed blocks.</b> A freed block of 1 MiB or more is kept (up to the cache's bound,
 * oldest evicted first) and handed to the next allocation of exactly the same size, whose pages are then
 * already mapped — a fresh 40 MB result otherwise pays for thousands of page faults. Cached blocks are
 * not allocated memory: {@link #allocatedBytes()} and every pool's count leave them out, and the limit
 * counts live bytes only. Before a fresh allocation would make live plus cached bytes exceed the limit,
 * and before an allocation the operating system refused is retried, cached blocks are freed.
 *
 * {@snippet :
 * try (Tensor t = Tensor.zeros(DType.F32, 10_000_000)) {   // 40 MB, fresh pages
 *     System.out.println(Memory.allocatedBytes());        // 41943040 (rounded to 2 MiB)
 * }
 * System.out.println(Memory.allocatedBytes());            // 0
 * System.out.println(Memory.cachedBytes());               // 41943040, kept for the next 40 MB tensor
 * Memory.emptyCache();                                    // given back to the operating system
 * }
 */
public final class Memory {

    private Memory() {
    }

    /**
     * Bytes currently allocated for host memory: tensors and Arrow buffers, in every pool; blocks held by
     * the cache of freed blocks are not counted.
     *
     * @return live bytes
     * @throws IllegalArgumentException if a memory system property is malformed
     */
    public static long allocatedBytes() {
        return HostMemory.root().getAllocatedMemory();
    }

    /**
     * The most bytes ever allocated at once.
     *
     * @return the peak of {@link #allocatedBytes()}
     * @throws IllegalArgumentException if a memory system property is malformed
     */
    public static long peakBytes() {
        return HostMemory.root().getPeakMemoryAllocation();
    }

    /**
     * The limit on live host memory, from system property {@code proxima.memory.limit}.
     *
     * @return bytes; {@code Long.MAX_VALUE} when no limit is set
     * @throws IllegalArgumentException if a memory system property is malformed
     */
    public static long limit() {
        return HostMemory.root().getLimit();
    }

    /**
     * Bytes held by the cache of recently freed large blocks (not counted by {@link #allocatedBytes()}).
     *
     * @return cached bytes
     * @throws IllegalArgumentException if a memory system property is malformed
     */
    public static long cachedBytes() {
        return HostMemory.cachedBytes();
    }

    /**
     * Gives every block held by the cache of freed blocks back to the operating system.
     *
     * @throws IllegalArgumentException if a memory system property is malformed
     */
    public static void emptyCache() {
        HostMemory.emptyCache();
    }

    /**
     * Creates a named pool of host memory with its own limit, directly under the root; see
     * {@link MemoryPool}. {@link MemoryPool#child(String, long)} nests pools.
     *
     * {@snippet :
     * try (MemoryPool pool = Memory.child("activations", 1L << 30);
     *      MemoryPool.Use use = pool.use();
     *      Tensor x = Tensor.zeros(DType.F32, 256, 256)) {
     *     // x is charged to "activations"
     * }
     * }
     *
     * @param name  names the pool in messages and in {@link #leakReport()}
     * @param limit the most bytes the pool may hold at once; {@code Long.MAX_VALUE} for no limit of its own
     * @return the new pool, to be closed by the caller once everything allocated in it is closed
     * @throws IllegalArgumentException if {@code name} is blank, {@code limit} is not positive, or a memory
     *                                  system property is malformed
     */
    public static MemoryPool child(String name, long limit) {
        return MemoryPool.underRoot(name, limit);
    }

    /**
     * Lists every open pool that has bytes outstanding, one line each, nested pools indented under their
     * parent, after a first line with the root's total: for example
     * <pre>
     * root: 6291456 bytes outstanding
     *   optimizer: 6291456 bytes outstanding (limit 16777216)
     *     optimizer/moments: 2097152 bytes outstanding
     * </pre>
     * A pool's bytes include those of the pools nested in it.
     *
     * <p>With the system property {@code proxima.leaks=report} (read at start-up), every tensor handle
     * records where it was created, and the report goes on with each tensor not yet closed, oldest first, and
     * the stack of its creation without the tensor core's own frames, for example
     * <pre>
     * 1 tensor not closed (proxima.leaks=report):
     *   tensor F32[2, 3], created on thread main
     *     at com.example.Train.step(Train.java:42)
     *     at com.example.Train.main(Train.java:17)
     * </pre>
     * and the same list is printed to standard error when the JVM exits with tensors still open. Without
     * the property nothing is recorded (no stack is captured) and the report lists pools only.
     *
     * @return the report; the empty string when no host memory is allocated and no tracked tensor is open
     * @throws IllegalArgumentException if a memory system property is malformed
     */
    public static String leakReport() {
        long total = allocatedBytes();
        StringBuilder out = new StringBuilder();
        MemoryPool.report(out);
        String tensors = Leaks.report();
        if (total == 0 && out.isEmpty() && tensors.isEmpty()) {
            return "";
        }
        return "root: " + total + " bytes outstanding\n" + out + tensors;
    }

    /**
     * The Arrow allocator this thread's host allocations are charged to: the pool of the innermost open
     * {@link MemoryPool#use()}, else the root. For building Arrow vectors and for zero-copy interchange
     * with them.
     *
     * @return the allocator; do not close it
     * @throws IllegalArgumentException if a memory system property is malformed
     * @throws IllegalStateException    if the pool of the innermost open use has been closed
     */
    public static BufferAllocator allocator() {
        return HostMemory.current();
    }
}
