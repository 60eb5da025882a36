package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One leaf shared by several threads: backward passes accumulate exactly, and nothing leaks. */
@ExtendWith(NoLeaks.class)
class AutodiffConcurrencyTest {

    @Test
    void eightThreadsAccumulateIntoOneLeaf() throws Exception {
        int threads = 8;
        int rounds = 300;
        long before = Memory.allocatedBytes();
        Tensor w = Tensor.of(1.0, 2.0, 3.0).requiresGrad(true);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < rounds; i++) {
                        try (Scope scope = Scope.open()) {
                            w.mul(2).sum().backward();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
        }
        double expected = 2.0 * threads * rounds;   // ∂Σ2w/∂w = 2 per pass
        assertArrayEquals(new double[]{expected, expected, expected}, w.grad().toDoubleArray());
        w.close();
        assertEquals(before, Memory.allocatedBytes(), "the graphs and the gradient were freed");
    }

    @Test
    void concurrentReadersGetTheSingleThreadedResults() throws Exception {
        try (Scope outer = Scope.open()) {
            Tensor x = Rng.seed(3).normal(DType.F32, 0, 1, 257, 129);
            double[] want = x.exp().sum(new int[]{1}, false).toDoubleArray();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<double[]>> results = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    results.add(pool.submit(() -> {
                        try (Scope scope = Scope.open()) {
                            return x.exp().sum(new int[]{1}, false).toDoubleArray();
                        }
                    }));
                }
                for (Future<double[]> f : results) {
                    assertArrayEquals(want, f.get(2, TimeUnit.MINUTES));
                }
            } finally {
                pool.shutdown();
                assertTrue(pool.awaitTermination(1, TimeUnit.MINUTES));
            }
        }
    }
}
