package dev.proxima.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Matrices large enough for OpenBLAS's LAPACK to need more native stack than a Java thread's default:
 * getrf of 200×200 and above crashed the JVM before LAPACK calls moved to big-stack threads.
 */
class LinalgLargeTest {

    @AfterEach
    void allocatorBackToZero() {
        assertEquals(0, Memory.allocatedBytes(), "leaked bytes");
    }

    @Test
    void factorizationsOfA300x300MatrixRunAndAreAccurate() {
        try (Scope s = Scope.open()) {
            int n = 300;
            Tensor a = Tensor.arange(0, (long) n * n, 1, DType.F64).sin().reshape(n, n).add(Tensor.eye(n, DType.F64).mul(32));
            Tensor b = Tensor.arange(0, n, 1, DType.F64).cos();
            Tensor x = Linalg.solve(a, b);
            assertTrue(a.matmul(x).sub(b).abs().max().item() < 1e-10, "solve residual");
            Tensor inv = Linalg.inv(a);
            assertTrue(inv.matmul(a).sub(Tensor.eye(n, DType.F64)).abs().max().item() < 1e-10, "inv");
            Linalg.SlogDet sd = Linalg.slogdet(a);
            Tensor spd = a.matmul(a.transpose());
            Tensor l = Linalg.cholesky(spd, false);
            assertTrue(l.matmul(l.transpose()).sub(spd).abs().max().item() < 1e-7 * spd.abs().max().item(), "cholesky");
            Linalg.Eigh e = Linalg.eigh(spd);
            // log|det A| = ½ Σ log λ(AAᵀ)
            assertEquals(0.5 * e.values().log().sum().item(), sd.logAbsDet().item(), 1e-8);
        }
    }
}
