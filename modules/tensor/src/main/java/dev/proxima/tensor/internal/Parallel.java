package dev.proxima.tensor.internal;

import dev.proxima.blas.OpenBlas;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/** Splits loops over worker threads; the thread count follows {@code proxima.threads}. */
public final class Parallel {

    /** Work below this many elements runs on the calling thread. */
    static final long GRAIN = 1 << 15;

    private static final int THREADS = OpenBlas.configuredThreads();

    private static final ForkJoinPool POOL = new ForkJoinPool(THREADS, pool -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setName("proxima-worker-" + t.getPoolIndex());
        t.setDaemon(true);
        return t;
    }, null, false);

    private Parallel() {
    }

    /** The number of threads loops are split over. */
    public static int threads() {
        return THREADS;
    }

    /** A range body: processes elements {@code [start, end)}. */
    @FunctionalInterface
    interface RangeBody {
        void run(long start, long end);
    }

    /**
     * Runs {@code body} over {@code [0, total)}, in parallel chunks when {@code total * costPerElement}
     * is large enough to pay for the hand-off.
     */
    static void forRange(long total, int costPerElement, RangeBody body) {
        long work = total * Math.max(1, costPerElement);
        int chunks = (int) Math.min(THREADS, work / GRAIN);
        if (chunks <= 1 || ForkJoinTask.inForkJoinPool()) {
            body.run(0, total);
            return;
        }
        long step = (total + chunks - 1) / chunks;
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            long s = Math.min(total, c * step);
            long e = Math.min(total, s + step);
            tasks[c - 1] = POOL.submit(() -> body.run(s, e));
        }
        RuntimeException failure = null;
        try {
            body.run(0, Math.min(total, step));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (ForkJoinTask<?> t : tasks) {
            try {
                t.join();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
