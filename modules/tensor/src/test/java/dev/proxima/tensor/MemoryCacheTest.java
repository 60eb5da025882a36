package dev.proxima.tensor;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cache of freed large host blocks, seen through tensors: reuse, accounting, pools, threads. (Its
 * capacity and the limit interplay are tested on a private allocator in {@code internal.BlockCacheTest}.)
 */
@ExtendWith(AllocatorCheck.class)
class MemoryCacheTest {

    private static final long MIB = 1L << 20;

    @BeforeEach
    void startEmpty() {
        Memory.emptyCache();
        assertEquals(0, Memory.cachedBytes());
    }

    @Test
    void aFreedLargeBlockIsHandedToTheNextTensorOfItsSize() {
        long address;
        try (Tensor t = Tensor.zeros(DType.F32, 1 << 20)) {            // exactly 4 MiB
            address = t.segment().address();
            assertEquals(4 * MIB, Memory.allocatedBytes());
        }
        assertEquals(0, Memory.allocatedBytes(), "a cached block is not allocated memory");
        assertEquals(4 * MIB, Memory.cachedBytes());
        try (Tensor u = Tensor.full(7, DType.I32, 1 << 20)) {          // the same 4 MiB, another dtype
            assertEquals(address, u.segment().address(), "the cached block comes back");
            assertEquals(0, Memory.cachedBytes());
            assertEquals(4 * MIB, Memory.allocatedBytes());
            assertEquals(7, u.segment().getAtIndex(ValueLayout.JAVA_INT, (1 << 20) - 1), "and is filled like fresh memory");
        }
        assertEquals(4 * MIB, Memory.cachedBytes());
        Memory.emptyCache();
        assertEquals(0, Memory.cachedBytes());
        assertEquals(0, Memory.allocatedBytes());
    }

    @Test
    void onlyTheSameSizeTakesACachedBlock() {
        long address;
        try (Tensor t = Tensor.zeros(DType.U8, 3 * MIB)) {               // 3 MiB: 64-byte granularity below 4 MiB
            address = t.segment().address();
        }
        assertEquals(3 * MIB, Memory.cachedBytes());
        try (Tensor bigger = Tensor.zeros(DType.U8, 3 * MIB + 64)) {
            assertNotEquals(address, bigger.segment().address());
            assertEquals(3 * MIB, Memory.cachedBytes(), "a block of another size stays cached");
        }
        assertEquals(6 * MIB + 64, Memory.cachedBytes());
        try (Tensor same = Tensor.zeros(DType.U8, 3 * MIB - 63)) {       // rounds up to the same 3 MiB
            assertEquals(address, same.segment().address());
        }
    }

    @Test
    void smallBlocksAreFreedAtOnce() {
        try (Tensor t = Tensor.zeros(DType.F32, 1000)) {
            assertEquals(4032, Memory.allocatedBytes());
        }
        try (Tensor t = Tensor.zeros(DType.U8, MIB - 64)) {
            assertEquals(MIB - 64, Memory.allocatedBytes());
        }
        assertEquals(0, Memory.cachedBytes());
        try (Tensor t = Tensor.zeros(DType.U8, MIB)) {
            assertEquals(MIB, Memory.allocatedBytes());
        }
        assertEquals(MIB, Memory.cachedBytes(), "1 MiB is the threshold");
    }

    @Test
    void aBlockFreedInOnePoolIsChargedToTheNextOneThatTakesIt() {
        long address;
        try (MemoryPool a = Memory.child("a", 8 * MIB); MemoryPool b = Memory.child("b", 8 * MIB)) {
            try (MemoryPool.Use use = a.use(); Tensor t = Tensor.zeros(DType.F32, 1 << 20)) {
                address = t.segment().address();
                assertEquals(4 * MIB, a.allocatedBytes());
            }
            assertEquals(0, a.allocatedBytes());
            try (MemoryPool.Use use = b.use(); Tensor t = Tensor.zeros(DType.F32, 1 << 20)) {
                assertEquals(address, t.segment().address());
                assertEquals(0, a.allocatedBytes());
                assertEquals(4 * MIB, b.allocatedBytes());
            }
        }
    }

    @Test
    void unfusedTemporariesReuseEachOthersBlocks() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.full(2, DType.F32, 1 << 20);
            Tensor b = Tensor.full(3, DType.F32, 1 << 20);
            Tensor c = Tensor.full(1, DType.F32, 1 << 20);
            for (int i = 0; i < 3; i++) {
                try (Tensor t = a.mul(b); Tensor r = t.add(c)) {
                    assertEquals(7f, r.segment().getAtIndex(ValueLayout.JAVA_FLOAT, 12345));
                    assertEquals(5 * 4 * MIB, Memory.allocatedBytes());
                }
                assertEquals(2 * 4 * MIB, Memory.cachedBytes(), "the temporary and the result wait for the next round");
            }
        }
    }

    @Test
    void threadsAllocatingAndFreeingConcurrentlyNeverShareABlock() throws Exception {
        int threads = 4;
        int rounds = 150;
        long[] sizes = {MIB, 2 * MIB, 4 * MIB, 6 * MIB, 4096};
        Set<Long> live = ConcurrentHashMap.newKeySet();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int id = 0; id < threads; id++) {
                int me = id + 1;
                results.add(pool.submit(() -> {
                    start.await();
                    int checked = 0;
                    for (int r = 0; r < rounds; r++) {
                        long bytes = sizes[(r + me) % sizes.length];
                        try (Tensor t = Tensor.full(me, DType.I32, bytes / 4)) {
                            long address = t.segment().address();
                            assertTrue(live.add(address), "block " + address + " handed out twice");
                            Thread.yield();
                            var seg = t.segment();
                            for (long i = 0; i < bytes / 4; i += 4099) {
                                assertEquals(me, seg.getAtIndex(ValueLayout.JAVA_INT, i), "another thread wrote into my block");
                            }
                            assertEquals(me, seg.getAtIndex(ValueLayout.JAVA_INT, bytes / 4 - 1));
                            live.remove(address);
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            start.countDown();
            for (Future<Integer> f : results) {
                assertEquals(rounds, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, Memory.allocatedBytes());
        assertTrue(Memory.cachedBytes() <= dev.proxima.tensor.internal.HostMemory.DEFAULT_CACHE_BYTES);
        assertTrue(Memory.cachedBytes() >= 6 * MIB, "the last large blocks were kept");
        Memory.emptyCache();
    }
}
