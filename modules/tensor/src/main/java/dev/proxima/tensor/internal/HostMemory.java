package dev.proxima.tensor.internal;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.rounding.RoundingPolicy;

/** Proxima's root Arrow allocator (created on first use). */
public final class HostMemory {

    private HostMemory() {
    }

    /**
     * Accounts exactly what {@link NativeAllocationManager} allocates (64-byte multiples; 2 MiB multiples
     * from 4 MiB up), not Arrow's default power-of-two rounding.
     */
    private static final RoundingPolicy ALIGNED = NativeAllocationManager::allocationSize;

    private static final class Holder {
        static final RootAllocator ROOT = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(NativeAllocationManager.FACTORY)
                .roundingPolicy(ALIGNED)
                .maxAllocation(limitFromProperty())
                .build());
    }

    private static long limitFromProperty() {
        String v = System.getProperty("proxima.memory.limit");
        if (v == null || v.isBlank()) {
            return Long.MAX_VALUE;
        }
        try {
            long limit = Long.parseLong(v.trim());
            if (limit > 0) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("system property proxima.memory.limit must be a positive number of bytes, got '" + v + "'");
    }

    /** The root allocator every host tensor is allocated from. */
    public static BufferAllocator root() {
        return Holder.ROOT;
    }
}
