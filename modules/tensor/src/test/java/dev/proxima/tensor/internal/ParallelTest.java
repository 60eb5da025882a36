package dev.proxima.tensor.internal;

import dev.proxima.tensor.AllocatorCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop splitter. */
@ExtendWith(AllocatorCheck.class)
class ParallelTest {

    @Test
    void everyIndexRunsExactlyOnce() {
        for (long total : new long[]{0, 1, 7, Parallel.GRAIN, 2 * Parallel.GRAIN + 1, 10 * Parallel.GRAIN + 7}) {
            AtomicIntegerArray hits = new AtomicIntegerArray((int) total);
            Set<String> threads = ConcurrentHashMap.newKeySet();
            Parallel.forRange(total, 1, (s, e) -> {
                threads.add(Thread.currentThread().getName());
                for (long i = s; i < e; i++) {
                    hits.incrementAndGet((int) i);
                }
            });
            for (int i = 0; i < total; i++) {
                assertEquals(1, hits.get(i), "index " + i + " of " + total);
            }
            if (total >= 4 * Parallel.GRAIN && Parallel.threads() > 1) {
                assertTrue(threads.size() > 1, "large loops are split: " + threads);
            }
        }
    }

    @Test
    void costScalesTheSplit() {
        // few elements, but expensive ones, are still split
        AtomicLong sum = new AtomicLong();
        Parallel.forRange(1000, 1000, (s, e) -> {
            for (long i = s; i < e; i++) {
                sum.addAndGet(i);
            }
        });
        assertEquals(999L * 1000 / 2, sum.get());
    }

    @Test
    void failuresPropagateFromAnyChunk() {
        long total = 8 * Parallel.GRAIN;
        IllegalStateException first = assertThrows(IllegalStateException.class, () -> Parallel.forRange(total, 1, (s, e) -> {
            if (s == 0) {
                throw new IllegalStateException("first chunk");
            }
        }));
        assertEquals("first chunk", first.getMessage());
        IllegalArgumentException last = assertThrows(IllegalArgumentException.class, () -> Parallel.forRange(total, 1, (s, e) -> {
            if (e == total) {
                throw new IllegalArgumentException("last chunk");
            }
        }));
        assertTrue(last.getMessage().contains("last chunk"), last.getMessage());
    }

    @Test
    void nestedLoopsRunInline() {
        AtomicLong count = new AtomicLong();
        Parallel.forRange(4 * Parallel.GRAIN, 1, (s, e) -> Parallel.forRange(4 * Parallel.GRAIN, 1, (s2, e2) -> {
            if (s2 == 0) {
                count.addAndGet(e2 - s2);
            }
        }));
        assertTrue(count.get() >= 4 * Parallel.GRAIN, "an inner loop started on a worker thread runs inline, whole range in one chunk");
    }
}
