package dev.proxima.reliability;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static dev.proxima.reliability.Expect.equal;
import static dev.proxima.reliability.Expect.that;

/**
 * Closes racing running kernels, and autodiff shared between threads: the only acceptable outcomes are the right
 * value or a clear {@link IllegalStateException}; never a crash, a wrong value or a leak.
 */
final class ConcurrencyProbes {

    private ConcurrencyProbes() {
    }

    static void register(Probes p) {
        p.add("concurrency.closeDuringReduction", () -> closeWhileReading(
                Tensor.ones(DType.F32, 8L << 20), t -> t.sum(), 8 << 20, 30));
        p.add("concurrency.closeDuringElementwise", () -> closeWhileReading(
                Tensor.ones(DType.F64, 4L << 20), t -> t.exp().sum(), Math.E * (4 << 20), 30));
        p.add("concurrency.closeDuringMatmul", () -> closeWhileReading(
                Tensor.ones(DType.F64, 256, 256), t -> t.matmul(t).sum(), 256.0 * 256 * 256, 30));
        p.add("concurrency.closeDuringSolve", () -> {
            Tensor a;
            try (Tensor eye = Tensor.eye(200, DType.F64)) {
                a = eye.mul(2);
            }
            closeWhileReading(a, t -> Linalg.solve(t, Tensor.ones(DType.F64, 200, 1)).sum(), 100.0, 30);
        });
        p.add("concurrency.closeDuringViewRead", () -> {
            Tensor base = Tensor.ones(DType.F32, 4L << 20);
            closeWhileReading(base, t -> t.slice(0, 1, 4L << 20, 3).sum(), ((4L << 20) - 1 + 2) / 3, 30);
        });
        p.add("concurrency.closeDuringSegmentRead", () -> {
            Tensor t = Tensor.ones(DType.F32, 1L << 20);
            MemorySegment s = t.segment();
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    started.countDown();
                    while (true) {
                        double sum = 0;
                        for (long i = 0; i < 1 << 20; i += 64) {
                            sum += s.get(ValueLayout.JAVA_FLOAT, 4 * i);
                        }
                        if (sum != 1 << 14) {
                            throw new AssertionError("read " + sum + " through the segment, expected " + (1 << 14));
                        }
                    }
                } catch (IllegalStateException expected) {
                    // the segment's arena was closed: the only acceptable end
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            started.await();
            Thread.sleep(20);
            t.close();
            reader.join();
            rethrow(failure.get());
        });
        p.add("concurrency.sharedLeafBackward", () -> {
            Tensor w = Tensor.ones(DType.F64, 16).requiresGrad(true);
            try (w) {
                List<Thread> threads = new ArrayList<>();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                for (int k = 0; k < 8; k++) {
                    threads.add(Thread.ofPlatform().start(() -> {
                        try {
                            for (int i = 0; i < 100; i++) {
                                try (Scope ignored = Scope.open()) {
                                    w.mul(2).sum().backward();
                                }
                            }
                        } catch (Throwable e) {
                            failure.set(e);
                        }
                    }));
                }
                for (Thread t : threads) {
                    t.join();
                }
                rethrow(failure.get());
                equal(1600.0, w.grad().getDouble(0), "gradient accumulated by 8 threads x 100 backward passes");
            }
        });
        p.add("concurrency.sharedReadOnlyInputs", () -> {
            try (Scope ignored = Scope.open()) {
                Tensor a = Tensor.arange(0, 4096, 1, DType.F64).reshape(64, 64).div(4096);
                double expected = a.matmul(a).exp().sum().item();
                List<Thread> threads = new ArrayList<>();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                for (int k = 0; k < 8; k++) {
                    threads.add(Thread.ofPlatform().start(() -> {
                        try (Scope inner = Scope.open()) {
                            for (int i = 0; i < 20; i++) {
                                double got = a.matmul(a).exp().sum().item();
                                if (got != expected) {
                                    throw new AssertionError("thread got " + got + ", expected " + expected);
                                }
                            }
                        } catch (Throwable e) {
                            failure.set(e);
                        }
                    }));
                }
                for (Thread t : threads) {
                    t.join();
                }
                rethrow(failure.get());
            }
        });
    }

    /**
     * Runs {@code read} on {@code t} in a loop on another thread and closes {@code t} after {@code delayMillis}: each
     * read gives {@code expected} (relative 1e-9) or an IllegalStateException ends the loop. Used by the other
     * groups' racing-close checks too.
     *
     * @return how many reads completed before the close won
     */
    static int closeWhileReading(Tensor t, Function<Tensor, Tensor> read, double expected, long delayMillis) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int[] reads = new int[1];
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                while (true) {
                    try (Scope ignored = Scope.open()) {
                        started.countDown();
                        double got = read.apply(t).item();
                        if (Math.abs(got - expected) > 1e-9 * Math.abs(expected)) {
                            throw new AssertionError("read " + got + " while the tensor was being closed, expected " + expected);
                        }
                        reads[0]++;
                    }
                }
            } catch (IllegalStateException expectedEnd) {
                // the tensor was closed: the only acceptable end of the loop
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        started.await();
        Thread.sleep(delayMillis);
        t.close();
        reader.join();
        rethrow(failure.get());
        that(t.isClosed(), "closed");
        return reads[0];
    }

    private static void rethrow(Throwable t) throws Exception {
        switch (t) {
            case null -> {
            }
            case Error e -> throw e;
            case Exception e -> throw e;
            default -> throw new AssertionError(t);
        }
    }
}
