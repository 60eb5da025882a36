package dev.proxima.tensor;

import dev.proxima.tensor.internal.HostMemory;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Accounting of host tensor memory. All host tensors are allocated from one Apache Arrow root
 * allocator, so {@link #allocatedBytes()} is exact (sizes rounded up to 64 bytes) and a limit set with
 * system property {@code proxima.memory.limit} (bytes) makes over-large allocations fail with Arrow's
 * {@code OutOfMemoryException} before any memory is taken.
 */
public final class Memory {

    private Memory() {
    }

    /** Bytes currently allocated for host tensors. */
    public static long allocatedBytes() {
        return HostMemory.root().getAllocatedMemory();
    }

    /** The most bytes ever allocated at once. */
    public static long peakBytes() {
        return HostMemory.root().getPeakMemoryAllocation();
    }

    /** The Arrow allocator host tensors come from (for zero-copy interchange with Arrow vectors). */
    public static BufferAllocator allocator() {
        return HostMemory.root();
    }
}
