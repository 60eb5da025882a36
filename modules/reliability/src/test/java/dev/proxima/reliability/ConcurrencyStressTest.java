package dev.proxima.reliability;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.BackwardOptions;
import dev.proxima.tensor.Conv;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Fft;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Eight threads run a mix of work at once — elementwise and reduction kernels, matmul, convolution, FFT, LAPACK
 * (solve, QR, symmetric eigenvalues, SVD), sorting, gathers, softmax and backward passes — on private inputs and
 * on shared read-only ones, accumulate gradients into one shared leaf, and race closes against readers. Every
 * result must equal the one the same task gives single-threaded, the shared gradient must be exact, each racing
 * read must give the right value or a clear IllegalStateException, and all memory must be freed.
 */
class ConcurrencyStressTest {

    private static final int THREADS = 8;
    private static final int TASKS = 48;

    @Test
    void mixedWorkOnEightThreadsGivesTheSingleThreadedResults() throws Exception {
        long before = Memory.allocatedBytes();
        try (Scope shared = Scope.open()) {
            Tensor sharedMatrix = Rng.seed(99).normal(DType.F64, 0, 1, 24, 24);
            Tensor sharedLeaf = Tensor.ones(DType.F64, 6).requiresGrad(true);
            double[][] expected = new double[TASKS][];
            for (int t = 0; t < TASKS; t++) {
                expected[t] = task(t, sharedMatrix, null);
            }
            sharedLeaf.clearGrad();

            ConcurrentHashMap<Integer, double[]> results = new ConcurrentHashMap<>();
            AtomicInteger next = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger racingReads = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int k = 0; k < THREADS; k++) {
                threads.add(Thread.ofPlatform().name("stress-" + k).start(() -> {
                    try {
                        start.await();
                        for (int t; (t = next.getAndIncrement()) < 2 * TASKS; ) {
                            // every task twice, by different threads in a different order
                            int task = t < TASKS ? t : 2 * TASKS - 1 - t;
                            double[] got = task(task, sharedMatrix, sharedLeaf);
                            double[] previous = results.putIfAbsent(task, got);
                            if (previous != null && !Arrays.equals(previous, got)) {
                                throw new AssertionError("task " + task + " gave two different results on two threads: "
                                        + Arrays.toString(previous) + " vs " + Arrays.toString(got));
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            // two more threads race closes against readers while the tasks run
            Thread racer = Thread.ofPlatform().name("stress-closes").start(() -> {
                try {
                    start.await();
                    while (!stop.get()) {
                        racingReads.addAndGet(ConcurrencyProbes.closeWhileReading(Tensor.ones(DType.F32, 1 << 18),
                                t -> t.mul(2).sum(), 2.0 * (1 << 18), 2));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            stop.set(true);
            racer.join();
            if (failure.get() != null) {
                throw new AssertionError("a stress thread failed", failure.get());
            }
            for (int t = 0; t < TASKS; t++) {
                assertArrayEquals(expected[t], results.get(t), "task " + t + " on 8 threads vs single-threaded");
            }
            // each of the 2 × TASKS runs added 1 + task index to every gradient element
            double accumulated = 0;
            for (int t = 0; t < TASKS; t++) {
                accumulated += 2 * (1 + t);
            }
            Tensor g = sharedLeaf.grad();
            for (int i = 0; i < 6; i++) {
                assertEquals(accumulated, g.getDouble(i), "shared leaf gradient element " + i);
            }
            assertTrue(racingReads.get() >= 0);
        }
        assertEquals(before, Memory.allocatedBytes(), "bytes left allocated after the stress run");
    }

    /**
     * One deterministic task: a mixed pipeline on inputs drawn from the task's seed; returns a fingerprint of its
     * results. With a shared leaf it also accumulates {@code 1 + task} into each element of its gradient.
     */
    private static double[] task(int task, Tensor sharedMatrix, Tensor sharedLeaf) {
        try (Scope ignored = Scope.open()) {
            Rng rng = Rng.seed(1000 + task);
            Tensor a = rng.normal(DType.F64, 0, 1, 24, 24);
            Tensor spd = a.matmul(a.transpose()).add(Tensor.eye(24, DType.F64).mul(24));
            Tensor b = rng.normal(DType.F64, 0, 1, 24, 3);
            List<Double> out = new ArrayList<>();
            // elementwise, reductions, matmul with a shared read-only input
            Tensor h = a.matmul(sharedMatrix).tanh().mul(0.5).add(a.exp().mul(1e-3));
            out.add(h.sum().item());
            out.add(h.max(1).sum().item());
            out.add(h.softmax(1).mul(a).sum().item());
            // LAPACK
            out.add(Linalg.solve(spd, b).sum().item());
            out.add(Linalg.eigvalsh(spd).sum().item());
            out.add(Linalg.svdvals(a).max().item());
            Linalg.QR qr = Linalg.qr(a, false);
            out.add(qr.r().abs().sum().item());
            // convolution and FFT
            Tensor image = rng.normal(DType.F32, 0, 1, 2, 3, 16, 16);
            Tensor kernel = rng.normal(DType.F32, 0, 1, 4, 3, 3, 3);
            out.add(Conv.conv2d(image, kernel, null, 1, 1, 1).square().sum().item());
            out.add(Fft.rfft(a).abs().sum().item());
            // sorting and indexing
            Tensor sorted = a.sort(1, false);
            out.add(sorted.slice(1, 0, 3, 1).sum().item());
            out.add(a.gather(1, a.argsort(1, true).slice(1, 0, 2, 1)).sum().item());
            // autodiff: a gradient with respect to a private leaf, then accumulation into the shared one
            Tensor w = rng.normal(DType.F64, 0, 1, 24, 3).requiresGrad(true);
            Tensor loss = a.matmul(w).tanh().square().sum();
            Tensor gw = Autodiff.gradients(loss, null, BackwardOptions.defaults(), w)[0];
            out.add(gw.sum().item());
            out.add(gw.square().sum().item());
            if (sharedLeaf != null) {
                sharedLeaf.mul(1 + task).sum().backward();
            }
            return out.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }
}
