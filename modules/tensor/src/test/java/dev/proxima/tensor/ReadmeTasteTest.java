package dev.proxima.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The code of README.md's "A taste" section, run and checked, so the README cannot drift from the API. */
class ReadmeTasteTest {

    @AfterEach
    void allocatorBackToZero() {
        assertEquals(0, Memory.allocatedBytes(), "leaked bytes");
    }

    @Test
    void theTasteRunsAndComputesWhatItSays() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.arange(0, 12, 1, DType.F32).reshape(3, 4);
            Tensor centered = x.sub(x.mean(new int[]{0}, true));
            Tensor gram = x.matmul(x.transpose());
            Tensor norms = x.norm(2, new int[]{1}, false);
            Tensor mask = x.gt(5.5);
            Tensor picked = Tensor.where(mask, x, Tensor.scalar(0, DType.F32));
            assertArrayEquals(new float[]{14, 38, 62}, gram.select(0, 0).toFloatArray());
            assertArrayEquals(new float[]{-4, -4, -4, -4}, centered.select(0, 0).toFloatArray());
            assertEquals(Math.sqrt(14), norms.getDouble(0), 1e-6);
            Tensor kept = scope.keep(picked.sum());
            assertEquals(6 + 7 + 8 + 9 + 10 + 11, kept.item());
            kept.close();

            Tensor w = Tensor.of(1.0, 2.0, 3.0);
            Tensor g = Autodiff.grad(t -> t.pow(3).sum(), w);
            Tensor hv = Autodiff.hvp(t -> t.pow(3).sum(), w, Tensor.of(1.0, 0, 0));
            Linalg.SVD svd = Linalg.svd(x, false);
            assertArrayEquals(new double[]{3, 12, 27}, g.toDoubleArray(), 1e-12);
            assertArrayEquals(new double[]{6, 0, 0}, hv.toDoubleArray(), 1e-12);
            assertEquals(3, svd.s().size());
        }
    }
}
