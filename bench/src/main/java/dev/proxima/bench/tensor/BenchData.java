package dev.proxima.bench.tensor;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Tensor;

/** Deterministic benchmark inputs, and the end-of-trial leak check. */
final class BenchData {

    private BenchData() {
    }

    /** {@code sin(i + phase)} for i = 0 … count−1: values in [−1, 1], the same on every run. */
    static Tensor sinVector(long count, DType dtype, double phase) {
        try (Tensor idx = Tensor.arange(phase, phase + count, 1.0, dtype)) {
            Tensor v = idx.sin();
            if (v.size() != count) {
                v.close();
                throw new IllegalStateException("arange gave " + v.size() + " elements, expected " + count);
            }
            return v;
        }
    }

    /** An n×n row-major matrix of {@code sin(i + phase)}. */
    static Tensor sinMatrix(int n, DType dtype, double phase) {
        try (Tensor v = sinVector((long) n * n, dtype, phase)) {
            return v.reshape(n, n);
        }
    }

    /** Closes the tensors, then fails the trial if any tensor memory is still allocated (a leak per call). */
    static void closeAndCheck(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null) {
                t.close();
            }
        }
        long left = Memory.allocatedBytes();
        if (left != 0) {
            throw new IllegalStateException(left + " bytes of tensor memory still allocated after the trial: a benchmark leaks");
        }
    }
}
