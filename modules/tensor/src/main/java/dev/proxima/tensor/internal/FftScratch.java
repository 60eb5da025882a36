package dev.proxima.tensor.internal;

import java.lang.ref.SoftReference;

/**
 * Per-thread scratch arrays for the FFT kernels, kept between calls so that repeated transforms do not
 * allocate (and zero) megabytes of heap each time. Held through soft references, so the garbage
 * collector may reclaim them under memory pressure. Each {@link Slot} is used by one kind of caller
 * and never re-entered on the same thread, so a thread's arrays are never shared.
 */
final class FftScratch {

    /** Independent users of scratch space on one thread. */
    enum Slot {
        /** {@link FftKernels}: the lines of one block. */
        LINES,
        /** The column step of {@link FftPlan.FourStep}. */
        COLUMNS,
        /** The row step of {@link FftPlan.FourStep}. */
        ROWS,
        /** The padded convolution of {@link FftPlan.Bluestein}. */
        CHIRP
    }

    private static final ThreadLocal<SoftReference<double[][]>[]> CACHE = ThreadLocal.withInitial(FftScratch::emptySlots);

    private FftScratch() {
    }

    @SuppressWarnings("unchecked")
    private static SoftReference<double[][]>[] emptySlots() {
        return (SoftReference<double[][]>[]) new SoftReference<?>[Slot.values().length];
    }

    /** Four arrays of at least {@code size} elements each; contents are arbitrary. */
    static double[][] four(Slot slot, int size) {
        SoftReference<double[][]>[] slots = CACHE.get();
        SoftReference<double[][]> ref = slots[slot.ordinal()];
        double[][] arrays = ref == null ? null : ref.get();
        if (arrays == null || arrays[0].length < size) {
            arrays = new double[][]{new double[size], new double[size], new double[size], new double[size]};
            slots[slot.ordinal()] = new SoftReference<>(arrays);
        }
        return arrays;
    }
}
