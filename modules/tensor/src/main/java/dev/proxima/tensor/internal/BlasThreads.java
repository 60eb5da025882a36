package dev.proxima.tensor.internal;

import dev.proxima.blas.OpenBlas;

/**
 * Runs a region whose worker threads each call BLAS on their own share of the work, with OpenBLAS's
 * own threading switched off meanwhile.
 *
 * <p>OpenBLAS (pthreads build) has no per-thread thread count: {@code openblas_set_num_threads} is
 * global. Letting every worker's gemm fan out again over OpenBLAS's pool oversubscribes the cores,
 * which measured 2–4× slower for batched convolutions on a 2-core machine, far worse under load.
 * So the first region to enter sets OpenBLAS to 1 thread and the last to leave restores the count it
 * found. While a region runs, BLAS calls from other threads also run single-threaded (slower, never
 * wrong); a count set with {@link OpenBlas#setThreads} during a region is overwritten when it ends.
 */
final class BlasThreads {

    private static final Object LOCK = new Object();
    private static int active;
    private static int saved;

    private BlasThreads() {
    }

    static void singleThreaded(Runnable region) {
        synchronized (LOCK) {
            if (active++ == 0) {
                saved = OpenBlas.threads();
                if (saved != 1) {
                    OpenBlas.setThreads(1);
                }
            }
        }
        try {
            region.run();
        } finally {
            synchronized (LOCK) {
                if (--active == 0 && saved != 1) {
                    OpenBlas.setThreads(saved);
                }
            }
        }
    }
}
