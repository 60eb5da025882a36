package dev.proxima.blas;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Calls that used to crash the JVM: read-only outputs, closed arenas, an interrupted caller. */
class MisuseTest {

    @Test
    void readOnlyOutputsAreRefusedBeforeTheNativeCall() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocateFrom(JAVA_FLOAT, 1, 2, 3).asReadOnly();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cblas.sscal(3, 2f, x, 1));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            MemorySegment a = arena.allocateFrom(JAVA_DOUBLE, 4, 1, 1, 3).asReadOnly();
            MemorySegment ipiv = arena.allocate(JAVA_INT, 2);
            e = assertThrows(IllegalArgumentException.class, () -> Lapacke.getrf(false, 2, 2, a, 2, ipiv));
            assertTrue(e.getMessage().contains("A") && e.getMessage().contains("read-only"), e.getMessage());
            MemorySegment c = arena.allocate(JAVA_DOUBLE, 4).asReadOnly();
            MemorySegment m = arena.allocateFrom(JAVA_DOUBLE, 1, 0, 0, 1);
            assertThrows(IllegalArgumentException.class, () -> Cblas.dgemm(Cblas.Layout.ROW_MAJOR, Cblas.Transpose.NO_TRANS,
                    Cblas.Transpose.NO_TRANS, 2, 2, 2, 1, m, 2, m, 2, 0, c, 2));
            assertArrayEquals(new double[]{4, 1, 1, 3}, a.toArray(JAVA_DOUBLE), "nothing was written");
        }
    }

    @Test
    void readOnlyInputsAreFine() {
        try (Arena arena = Arena.ofConfined()) {
            // getrs only reads the LU factors and the pivots
            MemorySegment lu = arena.allocateFrom(JAVA_DOUBLE, 2, 0, 0, 4);
            MemorySegment ipiv = arena.allocateFrom(JAVA_INT, 1, 2);
            MemorySegment b = arena.allocateFrom(JAVA_DOUBLE, 2, 8);
            assertEquals(0, Lapacke.getrs(false, 'N', 2, 1, lu.asReadOnly(), 2, ipiv.asReadOnly(), b, 2));
            assertArrayEquals(new double[]{1, 2}, b.toArray(JAVA_DOUBLE));
        }
    }

    @Test
    void segmentsOfClosedArenasAreRefused() {
        Arena arena = Arena.ofConfined();
        MemorySegment a = arena.allocateFrom(JAVA_DOUBLE, 4, 1, 1, 3);
        MemorySegment ipiv = arena.allocate(JAVA_INT, 2);
        arena.close();
        assertThrows(IllegalStateException.class, () -> Lapacke.getrf(false, 2, 2, a, 2, ipiv));
        Arena shared = Arena.ofShared();
        MemorySegment b = shared.allocateFrom(JAVA_DOUBLE, 4, 1, 1, 3);
        MemorySegment p = shared.allocate(JAVA_INT, 2);
        shared.close();
        assertThrows(IllegalStateException.class, () -> Lapacke.potrf(false, 'L', 2, b, 2));
        assertThrows(IllegalStateException.class, () -> Lapacke.getrf(false, 2, 2, b, 2, p));
    }

    @Test
    void anInterruptedCallerWaitsForLapackAndKeepsItsInterrupt() {
        try (Arena arena = Arena.ofConfined()) {
            int n = 300;   // large enough that getrf runs on the big-stack LAPACK thread for a while
            MemorySegment a = arena.allocate(JAVA_DOUBLE, (long) n * n);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    a.setAtIndex(JAVA_DOUBLE, (long) j * n + i, i == j ? n : 1.0 / (1 + i + j));
                }
            }
            MemorySegment ipiv = arena.allocate(JAVA_INT, n);
            Thread.currentThread().interrupt();
            int info;
            try {
                info = Lapacke.getrf(false, n, n, a, n, ipiv);
            } finally {
                assertTrue(Thread.interrupted(), "the interrupt is kept for the caller (and cleared here)");
            }
            assertEquals(0, info);
            assertEquals(n, a.getAtIndex(JAVA_DOUBLE, 0), 1e-12, "the factorisation completed before the call returned");
        }
    }
}
