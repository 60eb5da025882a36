package dev.proxima.tensor.cuda;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The caching allocator's bookkeeping over a simulated driver with a fixed capacity. */
class DeviceMemoryPoolTest {

    /** A fake driver: hands out increasing addresses, refuses beyond {@code capacity} live bytes. */
    private static final class FakeDriver {
        final long capacity;
        final Map<Long, Long> live = new HashMap<>();
        final List<Long> freed = new ArrayList<>();
        long next = 0x1000_0000L;
        int allocations;

        FakeDriver(long capacity) {
            this.capacity = capacity;
        }

        long used() {
            return live.values().stream().mapToLong(Long::longValue).sum();
        }

        long alloc(long bytes) {
            if (used() + bytes > capacity) {
                throw new DeviceMemoryPool.OutOfDeviceMemory("full", null);
            }
            allocations++;
            long p = next;
            next += bytes;
            live.put(p, bytes);
            return p;
        }

        void free(long p) {
            if (live.remove(p) == null) {
                throw new IllegalStateException("double or foreign free of " + p);
            }
            freed.add(p);
        }

        DeviceMemoryPool pool() {
            return new DeviceMemoryPool(this::alloc, this::free);
        }
    }

    @Test
    void sizeClassesRoundUpWithBoundedSlack() {
        assertEquals(512, DeviceMemoryPool.sizeClass(1));
        assertEquals(512, DeviceMemoryPool.sizeClass(512));
        assertEquals(1024, DeviceMemoryPool.sizeClass(513));
        assertEquals(4096, DeviceMemoryPool.sizeClass(4096));
        assertEquals(5120, DeviceMemoryPool.sizeClass(4097));     // 4096 + 1024
        assertEquals(1L << 30, DeviceMemoryPool.sizeClass(1L << 30));
        assertEquals((1L << 30) + (1L << 28), DeviceMemoryPool.sizeClass((1L << 30) + 1));
        for (long b = 1; b < (1L << 40); b = b * 3 + 7) {
            long c = DeviceMemoryPool.sizeClass(b);
            assertTrue(c >= b && c % 512 == 0, b + " -> " + c);
            assertTrue(b <= 4096 || c - b <= b / 4, "slack above 25 % for " + b + " -> " + c);
            assertEquals(c, DeviceMemoryPool.sizeClass(c), "a class is its own class");
        }
        assertThrows(IllegalArgumentException.class, () -> DeviceMemoryPool.sizeClass(0));
        assertThrows(IllegalArgumentException.class, () -> DeviceMemoryPool.sizeClass(Long.MAX_VALUE));
    }

    @Test
    void releasedBlocksAreReusedForTheSameClassOnly() {
        FakeDriver d = new FakeDriver(1L << 30);
        DeviceMemoryPool pool = d.pool();
        long a = pool.acquire(1000);
        long b = pool.acquire(100_000);
        assertEquals(2, d.allocations);
        pool.release(a, 1000);
        assertEquals(1024, pool.cachedBytes());
        assertEquals(a, pool.acquire(700), "same class (1024) reuses the block");
        assertEquals(2, d.allocations);
        assertEquals(0, pool.cachedBytes());
        pool.release(b, 100_000);
        long c = pool.acquire(200_000);                // another class: a new block
        assertNotEquals(b, c);
        assertEquals(3, d.allocations);
        assertEquals(1024 + DeviceMemoryPool.sizeClass(100_000) + DeviceMemoryPool.sizeClass(200_000), pool.reservedBytes());
        pool.release(a, 700);
        pool.release(c, 200_000);
        pool.trim();
        assertEquals(0, pool.cachedBytes());
        assertEquals(0, pool.reservedBytes());
        assertTrue(d.live.isEmpty(), "every block went back to the driver: " + d.live);
    }

    @Test
    void outOfMemoryFreesTheCacheAndRetriesOnce() {
        FakeDriver d = new FakeDriver(10 * 1024);
        DeviceMemoryPool pool = d.pool();
        long a = pool.acquire(4096);
        long b = pool.acquire(4096);
        pool.release(a, 4096);
        pool.release(b, 4096);
        assertEquals(8192, pool.cachedBytes());
        long c = pool.acquire(6000);                    // 6144: fits only after the cache is freed
        assertEquals(2, d.freed.size());
        assertEquals(0, pool.cachedBytes());
        assertEquals(6144, pool.reservedBytes());
        assertThrows(DeviceMemoryPool.OutOfDeviceMemory.class, () -> pool.acquire(8192), "nothing cached: the error surfaces");
        pool.release(c, 6000);
        pool.trim();
        assertTrue(d.live.isEmpty());
    }

    @Test
    void otherDriverErrorsPassThroughWithoutTrimming() {
        FakeDriver d = new FakeDriver(1 << 20);
        DeviceMemoryPool ok = d.pool();
        ok.release(ok.acquire(512), 512);
        DeviceMemoryPool failing = new DeviceMemoryPool(bytes -> {
            throw new IllegalStateException("CUDA_ERROR_ILLEGAL_ADDRESS");
        }, d::free);
        assertThrows(IllegalStateException.class, () -> failing.acquire(512));
        assertEquals(512, ok.cachedBytes());
        ok.trim();
    }
}
