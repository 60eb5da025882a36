package dev.proxima.reliability;

import dev.proxima.blas.Cblas;
import dev.proxima.blas.Lapacke;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.proxima.reliability.Expect.equal;
import static dev.proxima.reliability.Expect.refused;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Direct calls of the BLAS/LAPACK bindings with arguments that would make native code read or write out of
 * bounds: each is refused before the call, and what the caller passed is left untouched.
 */
final class NativeBoundaryProbes {

    private NativeBoundaryProbes() {
    }

    private static final Cblas.Layout ROW = Cblas.Layout.ROW_MAJOR;
    private static final Cblas.Transpose N = Cblas.Transpose.NO_TRANS;

    static void register(Probes p) {
        p.add("native.gemm.outputTooSmall", () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment a = arena.allocate(JAVA_DOUBLE, 16);
                MemorySegment c = arena.allocate(JAVA_DOUBLE, 4);
                refused(IllegalArgumentException.class, () -> Cblas.dgemm(ROW, N, N, 4, 4, 4, 1, a, 4, a, 4, 0, c, 4), "C");
            }
        });
        p.add("native.gemm.leadingDimensionTooSmall", () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment a = arena.allocate(JAVA_DOUBLE, 16);
                MemorySegment c = arena.allocate(JAVA_DOUBLE, 16);
                refused(IllegalArgumentException.class, () -> Cblas.dgemm(ROW, N, N, 4, 4, 4, 1, a, 2, a, 4, 0, c, 4), "lda");
            }
        });
        p.add("native.gemm.negativeDimension", () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment a = arena.allocate(JAVA_FLOAT, 16);
                refused(IllegalArgumentException.class, () -> Cblas.sgemm(ROW, N, N, -4, 4, 4, 1, a, 4, a, 4, 0, a, 4), "-4");
            }
        });
        p.add("native.vector.strideBeyondEnd", () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment x = arena.allocateFrom(JAVA_FLOAT, 1, 2, 3, 4);
                MemorySegment y = arena.allocateFrom(JAVA_FLOAT, 0, 0, 0, 0);
                refused(IllegalArgumentException.class, () -> Cblas.saxpy(4, 1, x, 2, y, 1));
                equal(new float[]{0, 0, 0, 0}, y.toArray(JAVA_FLOAT), "y after a refused saxpy");
            }
        });
        p.add("native.vector.negativeStride", () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment x = arena.allocateFrom(JAVA_DOUBLE, 1, 2, 3);
                MemorySegment y = arena.allocateFrom(JAVA_DOUBLE, 10, 20, 30);
                equal(1 * 30 + 2 * 20 + 3 * 10.0, Cblas.ddot(3, x, 1, y, -1), "ddot with a negative stride (BLAS order)");
                refused(IllegalArgumentException.class, () -> Cblas.ddot(3, x, 1, y, -2));
            }
        });
        p.add("native.heapSegment", () -> refused(IllegalArgumentException.class,
                () -> Cblas.dscal(3, 2, MemorySegment.ofArray(new double[3]), 1), "native"));
        p.add("native.nullAddress", () -> refused(IllegalArgumentException.class,
                () -> Cblas.dscal(3, 2, MemorySegment.NULL, 1)));
        p.add("native.misaligned", () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment x = arena.allocate(8 * 4 + 1, 8).asSlice(1);
                refused(IllegalArgumentException.class, () -> Cblas.dscal(4, 2, x, 1), "aligned");
            }
        });
        p.add("native.readOnlyOutput", () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment x = arena.allocateFrom(JAVA_FLOAT, 1, 2, 3).asReadOnly();
                refused(IllegalArgumentException.class, () -> Cblas.sscal(3, 2f, x, 1), "read-only");
            }
        });
        p.add("native.closedArena", () -> {
            Arena arena = Arena.ofShared();
            MemorySegment a = arena.allocateFrom(JAVA_DOUBLE, 4, 1, 1, 3);
            MemorySegment ipiv = arena.allocate(JAVA_INT, 2);
            arena.close();
            refused(IllegalStateException.class, () -> Lapacke.getrf(false, 2, 2, a, 2, ipiv));
        });
        p.add("native.lapack.pivotsTooShort", () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment a = arena.allocateFrom(JAVA_DOUBLE, 4, 1, 1, 3);
                MemorySegment ipiv = arena.allocate(JAVA_INT, 1);
                refused(IllegalArgumentException.class, () -> Lapacke.getrf(false, 2, 2, a, 2, ipiv));
                equal(new double[]{4, 1, 1, 3}, a.toArray(JAVA_DOUBLE), "A after a refused getrf");
            }
        });
        p.add("native.lapack.matrixTooSmall", () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment a = arena.allocateFrom(JAVA_DOUBLE, 4, 1, 1);
                refused(IllegalArgumentException.class, () -> Lapacke.potrf(false, 'L', 2, a, 2));
            }
        });
        p.add("native.lapack.badUplo", () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment a = arena.allocateFrom(JAVA_DOUBLE, 4, 1, 1, 3);
                refused(IllegalArgumentException.class, () -> Lapacke.potrf(false, 'X', 2, a, 2));
            }
        });
        p.add("native.lapack.infiniteInput", () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment a = arena.allocateFrom(JAVA_DOUBLE, Double.POSITIVE_INFINITY, 1, 1, 3);
                MemorySegment s = arena.allocate(JAVA_DOUBLE, 2);
                MemorySegment u = arena.allocate(JAVA_DOUBLE, 4);
                MemorySegment vt = arena.allocate(JAVA_DOUBLE, 4);
                try {
                    int info = Lapacke.gesdd(false, 'A', 2, 2, a, 2, s, u, 2, vt, 2);
                    double s0 = s.getAtIndex(JAVA_DOUBLE, 0);
                    equal(true, info != 0 || !Double.isFinite(s0),
                            "gesdd of an infinite matrix reports it (info " + info + ") or gives a non-finite value (" + s0 + ")");
                } catch (IllegalArgumentException | ArithmeticException clear) {
                    // refusing non-finite input is fine too; LAPACK must not print (the parent checks)
                }
            }
        });
    }
}
