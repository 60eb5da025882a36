package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tensor closed by one thread while another thread's kernels read it (this crashed the JVM in the reduce loop
 * before kernel calls pinned their operands' memory): the reader finishes its running call with the right value
 * or fails cleanly with IllegalStateException; the memory is freed once, after the last kernel.
 */
@ExtendWith(NoLeaks.class)
class CloseRaceTest {

    @Test
    void closingWhileAnotherThreadSumsNeverCrashes() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 40; round++) {
                Tensor t = Tensor.ones(DType.F32, 8L << 20);
                CountDownLatch started = new CountDownLatch(1);
                Future<Integer> reader = pool.submit(() -> {
                    int sums = 0;
                    started.countDown();
                    while (true) {
                        try (Tensor s = t.sum()) {
                            assertEquals(8 << 20, s.item(), "a sum that completed saw all of the memory");
                            sums++;
                        } catch (IllegalStateException closed) {
                            assertTrue(closed.getMessage().contains("closed") || closed.getMessage().contains("freed"),
                                    closed.getMessage());
                            return sums;
                        }
                    }
                });
                assertTrue(started.await(1, TimeUnit.MINUTES));
                Thread.sleep(round % 4);
                t.close();
                reader.get(1, TimeUnit.MINUTES);
                assertEquals(0, Memory.allocatedBytes(), "round " + round + ": everything freed once the reader stopped");
            }
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
        }
    }
}
