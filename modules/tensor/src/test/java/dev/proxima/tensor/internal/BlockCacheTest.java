package dev.proxima.tensor.internal;

import dev.proxima.tensor.AllocatorCheck;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache of freed large blocks: capacity, eviction order, and how it gives way to the memory limit. */
@ExtendWith(AllocatorCheck.class)
class BlockCacheTest {

    private static final long MIB = 1L << 20;

    /** Book-keeping only: the "addresses" are labels, never memory, and freeing records them. */
    private static final class Recorder {
        final List<Long> freed = new ArrayList<>();
        final BlockCache cache;

        Recorder(long capacity) {
            cache = new BlockCache(capacity, freed::add);
        }
    }

    @Test
    void takesTheNewestBlockOfExactlyTheRequestedSize() {
        Recorder r = new Recorder(16 * MIB);
        assertTrue(r.cache.offer(0x1000, MIB));
        assertTrue(r.cache.offer(0x2000, 2 * MIB));
        assertTrue(r.cache.offer(0x3000, MIB));
        assertEquals(4 * MIB, r.cache.cachedBytes());
        assertEquals(0x3000, r.cache.take(MIB), "the most recently freed block is the warmest");
        assertEquals(0x1000, r.cache.take(MIB));
        assertEquals(0, r.cache.take(MIB), "none left of this size");
        assertEquals(0, r.cache.take(3 * MIB));
        assertEquals(2 * MIB, r.cache.cachedBytes());
        assertEquals(List.of(), r.freed);
    }

    @Test
    void keepsWithinItsCapacityByFreeingTheOldestBlocks() {
        Recorder r = new Recorder(4 * MIB);
        assertTrue(r.cache.offer(0x1000, MIB));
        assertTrue(r.cache.offer(0x2000, 2 * MIB));
        assertTrue(r.cache.offer(0x3000, MIB));
        assertTrue(r.cache.offer(0x4000, 2 * MIB));      // 6 MiB > 4: 0x1000 and 0x2000 go
        assertEquals(List.of(0x1000L, 0x2000L), r.freed);
        assertEquals(3 * MIB, r.cache.cachedBytes());
        assertFalse(r.cache.offer(0x5000, MIB - 64), "below the threshold: the caller frees it");
        assertFalse(r.cache.offer(0x6000, 5 * MIB), "larger than the whole cache");
        assertEquals(3 * MIB, r.cache.cachedBytes());
        r.cache.trimTo(2 * MIB);
        assertEquals(List.of(0x1000L, 0x2000L, 0x3000L), r.freed);
        assertEquals(2 * MIB, r.cache.cachedBytes());
        r.cache.trimTo(-5);
        assertEquals(0, r.cache.cachedBytes());
        assertEquals(List.of(0x1000L, 0x2000L, 0x3000L, 0x4000L), r.freed);
    }

    @Test
    void aZeroCapacityCacheKeepsNothing() {
        Recorder r = new Recorder(0);
        assertFalse(r.cache.offer(0x1000, 4 * MIB));
        assertEquals(0, r.cache.cachedBytes());
        assertThrows(IllegalArgumentException.class, () -> new BlockCache(-1, a -> { }));
    }

    /** A root allocator like Proxima's, with its own limit and cache, over real memory. */
    private static RootAllocator root(long limit, BlockCache cache) {
        return new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(NativeAllocationManager.factory(cache))
                .roundingPolicy(NativeAllocationManager::allocationSize)
                .maxAllocation(limit)
                .build());
    }

    @Test
    void cachedBlocksGiveWayBeforeLiveAndCachedBytesWouldPassTheLimit() {
        BlockCache cache = new BlockCache(64 * MIB, NativeAllocationManager::free);
        try (BufferAllocator root = root(12 * MIB, cache)) {
            ArrowBuf eight = root.buffer(8 * MIB);
            eight.close();
            assertEquals(0, root.getAllocatedMemory());
            assertEquals(8 * MIB, cache.cachedBytes());

            ArrowBuf six = root.buffer(6 * MIB);          // 6 live + 8 cached > 12: the 8 MiB block is freed
            assertEquals(0, cache.cachedBytes());
            long sixAt = six.memoryAddress();
            six.close();
            assertEquals(6 * MIB, cache.cachedBytes());

            ArrowBuf four = root.buffer(4 * MIB);         // 4 live + 6 cached <= 12: the cache stays
            assertEquals(6 * MIB, cache.cachedBytes());
            four.close();
            assertEquals(10 * MIB, cache.cachedBytes());

            ArrowBuf again = root.buffer(6 * MIB);        // from the cache: no fresh memory, nothing evicted
            assertEquals(sixAt, again.memoryAddress());
            assertEquals(4 * MIB, cache.cachedBytes());
            assertEquals(6 * MIB, root.getAllocatedMemory());

            // the limit counts live bytes only: 6 live + 6 more fit although 4 MiB are cached
            ArrowBuf more = root.buffer(6 * MIB);
            assertEquals(0, cache.cachedBytes(), "12 live: the cached 4 MiB block had to go");
            assertEquals(12 * MIB, root.getAllocatedMemory());
            assertThrows(OutOfMemoryException.class, () -> root.buffer(64));
            more.close();
            again.close();
            assertEquals(12 * MIB, cache.cachedBytes());
        } finally {
            cache.clear();
        }
        assertEquals(0, cache.cachedBytes());
    }
}
