package dev.proxima.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Argument checks of the half-precision gemm wrappers, which run before any library is touched. */
class CublasExTest {

    @Test
    void gemmStridedBatchedExValidatesBeforeCalling() {
        MemorySegment h = MemorySegment.ofAddress(1);
        var e = assertThrows(IllegalArgumentException.class, () -> Cublas.gemmStridedBatchedEx(h, Cublas.OP_N, Cublas.OP_N, 4, 4, 4, 1f,
                8, Cublas.R_32F, 4, 16, 8, 4, 16, 0f, 8, Cublas.R_32F, 4, 16, 2));
        assertTrue(e.getMessage().contains("inType"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Cublas.gemmStridedBatchedEx(h, Cublas.OP_N, Cublas.OP_N, 4, 4, 4, 1f,
                8, Cublas.R_16F, 4, 16, 8, 4, 16, 0f, 8, Cublas.R_16BF, 4, 16, 2));
        assertTrue(e.getMessage().contains("outType"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Cublas.gemmStridedBatchedEx(h, Cublas.OP_N, Cublas.OP_N, 4, 4, 4, 1f,
                8, Cublas.R_16BF, 3, 16, 8, 4, 16, 0f, 8, Cublas.R_16BF, 4, 16, 2));
        assertTrue(e.getMessage().contains("lda"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Cublas.gemmStridedBatchedEx(h, Cublas.OP_N, Cublas.OP_N, 4, 4, 4, 1f,
                8, Cublas.R_16F, 4, -16, 8, 4, 16, 0f, 8, Cublas.R_32F, 4, 16, 2));
        assertTrue(e.getMessage().contains("strideA"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Cublas.gemmStridedBatchedEx(h, Cublas.OP_N, Cublas.OP_N, 4, 4, 4, 1f,
                8, Cublas.R_16F, 4, 16, 8, 4, 16, 0f, 8, Cublas.R_16F, 4, 16, -1));
        assertTrue(e.getMessage().contains("batchCount"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Cublas.gemmStridedBatchedEx(null, Cublas.OP_N, Cublas.OP_N, 4, 4, 4, 1f,
                8, Cublas.R_16F, 4, 16, 8, 4, 16, 0f, 8, Cublas.R_16F, 4, 16, 2));
        assertThrows(IllegalArgumentException.class, () -> Cublas.gemmStridedBatchedEx(h, Cublas.OP_N, Cublas.OP_N, 4, 4, 4, 1f,
                0, Cublas.R_16F, 4, 16, 8, 4, 16, 0f, 8, Cublas.R_16F, 4, 16, 2));
        assertThrows(IllegalArgumentException.class, () -> Cublas.gemmEx(h, Cublas.OP_N, Cublas.OP_N, 4, 4, 4, 1f, 8, Cublas.R_16F, 4,
                8, 4, 0f, 8, Cublas.R_64F, 4));
    }
}
