package dev.proxima.blas;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Direct calls of {@link Lapacke} on small column-major matrices with known answers, and the Java-side
 * validation that must reject a wrong call with {@link IllegalArgumentException} before LAPACK sees it
 * (LAPACKE itself would return a negative info, or read or write out of bounds).
 */
class LapackeTest {

    private static final double TOL = 1e-13;
    private static final double S2 = Math.sqrt(2);

    private static MemorySegment d(Arena arena, double... columnMajor) {
        return arena.allocateFrom(JAVA_DOUBLE, columnMajor);
    }

    private static MemorySegment f(Arena arena, float... columnMajor) {
        return arena.allocateFrom(JAVA_FLOAT, columnMajor);
    }

    private static double[] d(MemorySegment s) {
        return s.toArray(JAVA_DOUBLE);
    }

    private static void close(String what, double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, what + " element " + i);
        }
    }

    // ================================================================== known answers

    @Test
    void gesvSolvesATwoByTwoSystem() {
        try (Arena arena = Arena.ofConfined()) {
            // A = [[1, 2], [3, 4]], b = [5, 6]: x = [-4, 4.5]
            MemorySegment a = d(arena, 1, 3, 2, 4);
            MemorySegment b = d(arena, 5, 6);
            MemorySegment ipiv = arena.allocate(JAVA_INT, 2);
            assertEquals(0, Lapacke.gesv(false, 2, 1, a, 2, ipiv, b, 2));
            close("x", new double[]{-4, 4.5}, d(b), TOL);
            assertArrayEquals(new int[]{2, 2}, ipiv.toArray(JAVA_INT), "row 2 is the first pivot");
            close("LU of the row-swapped A", new double[]{3, 1 / 3.0, 4, 2 / 3.0}, d(a), TOL);
        }
    }

    @Test
    void sgesvAndTwoRightHandSides() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = f(arena, 1, 3, 2, 4);
            MemorySegment b = f(arena, 5, 6, 1, 0);          // columns [5, 6] and [1, 0]
            assertEquals(0, Lapacke.gesv(true, 2, 2, a, 2, arena.allocate(JAVA_INT, 2), b, 2));
            float[] x = b.toArray(JAVA_FLOAT);
            close("x", new double[]{-4, 4.5, -2, 1.5}, new double[]{x[0], x[1], x[2], x[3]}, 1e-6);
        }
    }

    @Test
    void gesvHonoursALeadingDimensionLargerThanTheRows() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = d(arena, 1, 3, 99, 2, 4, 99);   // lda = 3, the third row is padding
            MemorySegment b = d(arena, 5, 6, -7);              // ldb = 3
            assertEquals(0, Lapacke.gesv(false, 2, 1, a, 3, arena.allocate(JAVA_INT, 2), b, 3));
            close("x", new double[]{-4, 4.5, -7}, d(b), TOL);
            assertEquals(99, a.getAtIndex(JAVA_DOUBLE, 2));
            assertEquals(99, a.getAtIndex(JAVA_DOUBLE, 5));
        }
    }

    @Test
    void gesvAndGetrfReportTheZeroPivot() {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(2, Lapacke.gesv(false, 2, 1, d(arena, 1, 2, 2, 4), 2, arena.allocate(JAVA_INT, 2), d(arena, 1, 1), 2));
            assertEquals(1, Lapacke.getrf(false, 2, 2, d(arena, 0, 0, 1, 2), 2, arena.allocate(JAVA_INT, 2)));
        }
    }

    @Test
    void getrfThenGetriInverts() {
        try (Arena arena = Arena.ofConfined()) {
            // [[4, 7], [2, 6]]^-1 = [[0.6, -0.7], [-0.2, 0.4]]
            MemorySegment a = d(arena, 4, 2, 7, 6);
            MemorySegment ipiv = arena.allocate(JAVA_INT, 2);
            assertEquals(0, Lapacke.getrf(false, 2, 2, a, 2, ipiv));
            assertEquals(0, Lapacke.getri(false, 2, a, 2, ipiv));
            close("inverse", new double[]{0.6, -0.2, -0.7, 0.4}, d(a), TOL);
        }
    }

    @Test
    void potrfLowerUpperAndNotPositiveDefinite() {
        try (Arena arena = Arena.ofConfined()) {
            // [[4, 2], [2, 3]] = L·Lᵀ with L = [[2, 0], [1, √2]]; the other triangle is left alone
            MemorySegment lower = d(arena, 4, 2, 2, 3);
            assertEquals(0, Lapacke.potrf(false, 'L', 2, lower, 2));
            close("L", new double[]{2, 1, 2, S2}, d(lower), TOL);
            MemorySegment upper = d(arena, 4, 2, 2, 3);
            assertEquals(0, Lapacke.potrf(false, 'U', 2, upper, 2));
            close("U", new double[]{2, 2, 1, S2}, d(upper), TOL);
            assertEquals(2, Lapacke.potrf(false, 'L', 2, d(arena, 1, 2, 2, 1), 2), "the minor of order 2 is not positive");
            MemorySegment single = f(arena, 4, 2, 2, 3);
            assertEquals(0, Lapacke.potrf(true, 'L', 2, single, 2));
            assertEquals((float) S2, single.getAtIndex(JAVA_FLOAT, 3), 1e-6);
        }
    }

    @Test
    void trtrsLowerTransposedAndUnitDiagonal() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment l = d(arena, 2, 1, 99, 3);            // L = [[2, 0], [1, 3]]; 99 is never read
            MemorySegment b = d(arena, 4, 11);
            assertEquals(0, Lapacke.trtrs(false, 'L', 'N', 'N', 2, 1, l, 2, b, 2));
            close("L x = b", new double[]{2, 3}, d(b), TOL);
            b = d(arena, 7, 9);
            assertEquals(0, Lapacke.trtrs(false, 'L', 'T', 'N', 2, 1, l, 2, b, 2));
            close("Lᵀ x = b", new double[]{2, 3}, d(b), TOL);
            b = d(arena, 4, 11);
            assertEquals(0, Lapacke.trtrs(false, 'L', 'N', 'U', 2, 1, l, 2, b, 2));
            close("unit L x = b", new double[]{4, 7}, d(b), TOL);
            assertEquals(2, Lapacke.trtrs(false, 'L', 'N', 'N', 2, 1, d(arena, 1, 5, 0, 0), 2, d(arena, 1, 1), 2), "zero on the diagonal");
        }
    }

    @Test
    void geqrfThenOrgqr() {
        try (Arena arena = Arena.ofConfined()) {
            // A = [[3, 1], [4, 2], [0, 5]] (3×2): Q·R = A with orthonormal columns
            double[] a0 = {3, 4, 0, 1, 2, 5};
            MemorySegment a = d(arena, a0);
            MemorySegment tau = arena.allocate(JAVA_DOUBLE, 2);
            assertEquals(0, Lapacke.geqrf(false, 3, 2, a, 3, tau));
            double[] qr = d(a);
            double r00 = qr[0];
            double r01 = qr[3];
            double r11 = qr[4];
            assertEquals(5, Math.abs(r00), TOL);
            assertEquals(0, Lapacke.orgqr(false, 3, 2, 2, a, 3, tau));
            double[] q = d(a);
            for (int i = 0; i < 3; i++) {
                assertEquals(a0[i], q[i] * r00, TOL, "column 0 row " + i);
                assertEquals(a0[3 + i], q[i] * r01 + q[3 + i] * r11, TOL, "column 1 row " + i);
            }
            assertEquals(1, q[0] * q[0] + q[1] * q[1] + q[2] * q[2], TOL);
            assertEquals(0, q[0] * q[3] + q[1] * q[4] + q[2] * q[5], TOL);
        }
    }

    @Test
    void gesddOfDiagThreeTwo() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(JAVA_DOUBLE, 2);
            assertEquals(0, Lapacke.gesdd(false, 'N', 2, 2, d(arena, 3, 0, 0, 2), 2, s, MemorySegment.NULL, 1, MemorySegment.NULL, 1));
            close("values only", new double[]{3, 2}, d(s), TOL);
            assertEquals(0, Lapacke.gesdd(false, 'N', 2, 2, d(arena, 2, 0, 0, 3), 2, s, MemorySegment.NULL, 1, MemorySegment.NULL, 1));
            close("descending", new double[]{3, 2}, d(s), TOL);

            MemorySegment u = arena.allocate(JAVA_DOUBLE, 4);
            MemorySegment vt = arena.allocate(JAVA_DOUBLE, 4);
            assertEquals(0, Lapacke.gesdd(false, 'A', 2, 2, d(arena, 3, 0, 0, 2), 2, s, u, 2, vt, 2));
            close("S", new double[]{3, 2}, d(s), TOL);
            double[] uu = d(u);
            double[] vv = d(vt);
            // U and Vᵀ are diagonal with matching signs: U·diag(S)·Vᵀ = diag(3, 2)
            close("|U|", new double[]{1, 0, 0, 1}, new double[]{Math.abs(uu[0]), uu[1], uu[2], Math.abs(uu[3])}, TOL);
            assertEquals(3, uu[0] * 3 * vv[0], TOL);
            assertEquals(2, uu[3] * 2 * vv[3], TOL);

            MemorySegment sf = arena.allocate(JAVA_FLOAT, 2);
            assertEquals(0, Lapacke.gesdd(true, 'N', 2, 2, f(arena, 3, 0, 0, 2), 2, sf, MemorySegment.NULL, 1, MemorySegment.NULL, 1));
            assertArrayEquals(new float[]{3, 2}, sf.toArray(JAVA_FLOAT));
        }
    }

    @Test
    void gesddThinOfATallMatrix() {
        try (Arena arena = Arena.ofConfined()) {
            // A = [[3], [4], [0]]: one singular value 5, U = ±[0.6, 0.8, 0], Vᵀ = ±[1]
            MemorySegment s = arena.allocate(JAVA_DOUBLE, 1);
            MemorySegment u = arena.allocate(JAVA_DOUBLE, 3);
            MemorySegment vt = arena.allocate(JAVA_DOUBLE, 1);
            assertEquals(0, Lapacke.gesdd(false, 'S', 3, 1, d(arena, 3, 4, 0), 3, s, u, 3, vt, 1));
            assertEquals(5, s.getAtIndex(JAVA_DOUBLE, 0), TOL);
            double sign = vt.getAtIndex(JAVA_DOUBLE, 0);
            close("U", new double[]{0.6, 0.8, 0}, new double[]{d(u)[0] * sign, d(u)[1] * sign, d(u)[2] * sign}, TOL);
        }
    }

    @Test
    void syevdValuesAndVectors() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = d(arena, 2, 1, 1, 2);
            MemorySegment w = arena.allocate(JAVA_DOUBLE, 2);
            assertEquals(0, Lapacke.syevd(false, 'V', 'L', 2, a, 2, w));
            close("ascending values", new double[]{1, 3}, d(w), TOL);
            double[] v = d(a);
            close("|vectors|", new double[]{1 / S2, 1 / S2, 1 / S2, 1 / S2}, new double[]{Math.abs(v[0]), Math.abs(v[1]), Math.abs(v[2]), Math.abs(v[3])}, TOL);
            assertEquals(-1, Math.signum(v[0]) * Math.signum(v[1]), "the vector of 1 is ±[1, -1]/√2");
            assertEquals(1, Math.signum(v[2]) * Math.signum(v[3]), "the vector of 3 is ±[1, 1]/√2");
            MemorySegment upperOnly = d(arena, 2, -50, 1, 2);  // 'U' must not read the -50
            assertEquals(0, Lapacke.syevd(false, 'N', 'U', 2, upperOnly, 2, w));
            close("upper triangle", new double[]{1, 3}, d(w), TOL);
        }
    }

    @Test
    void geevOfARotation() {
        try (Arena arena = Arena.ofConfined()) {
            // [[0, -1], [1, 0]]: eigenvalues ±i, VR holds the real and imaginary parts of the first vector
            MemorySegment wr = arena.allocate(JAVA_DOUBLE, 2);
            MemorySegment wi = arena.allocate(JAVA_DOUBLE, 2);
            MemorySegment vr = arena.allocate(JAVA_DOUBLE, 4);
            assertEquals(0, Lapacke.geev(false, 'N', 'V', 2, d(arena, 0, 1, -1, 0), 2, wr, wi, MemorySegment.NULL, 1, vr, 2));
            close("real parts", new double[]{0, 0}, d(wr), TOL);
            close("imaginary parts", new double[]{1, -1}, d(wi), TOL);
            double[] v = d(vr);
            // A·(x + iy) = i(x + iy)  ⇔  A·x = -y and A·y = x, for x = VR[:, 0], y = VR[:, 1]
            close("A·x = -y", new double[]{-v[2], -v[3]}, new double[]{-v[1], v[0]}, TOL);
            close("A·y = x", new double[]{v[0], v[1]}, new double[]{-v[3], v[2]}, TOL);
            assertEquals(1, v[0] * v[0] + v[1] * v[1] + v[2] * v[2] + v[3] * v[3], TOL);
        }
    }

    @Test
    void gelsdOverdeterminedDoubleAndSingle() {
        try (Arena arena = Arena.ofConfined()) {
            // [[1, 0], [0, 1], [1, 1]] x ≈ [1, 1, 0]: x = [1/3, 1/3], σ = [√3, 1]
            MemorySegment b = d(arena, 1, 1, 0);
            MemorySegment s = arena.allocate(JAVA_DOUBLE, 2);
            MemorySegment rank = arena.allocate(JAVA_INT, 1);
            assertEquals(0, Lapacke.gelsd(false, 3, 2, 1, d(arena, 1, 0, 1, 0, 1, 1), 3, b, 3, s, -1, rank));
            close("x", new double[]{1 / 3.0, 1 / 3.0}, new double[]{d(b)[0], d(b)[1]}, TOL);
            close("σ", new double[]{Math.sqrt(3), 1}, d(s), TOL);
            assertEquals(2, rank.get(JAVA_INT, 0));
            // rcond = 0.9 cuts σ = 1 < 0.9·√3: rank 1
            assertEquals(0, Lapacke.gelsd(false, 3, 2, 1, d(arena, 1, 0, 1, 0, 1, 1), 3, d(arena, 1, 1, 0), 3, s, 0.9, rank));
            assertEquals(1, rank.get(JAVA_INT, 0));

            MemorySegment bf = f(arena, 1, 1, 0);
            MemorySegment sf = arena.allocate(JAVA_FLOAT, 2);
            assertEquals(0, Lapacke.gelsd(true, 3, 2, 1, f(arena, 1, 0, 1, 0, 1, 1), 3, bf, 3, sf, -1, rank));
            assertEquals(1 / 3.0, bf.getAtIndex(JAVA_FLOAT, 0), 1e-6);
            assertEquals(1 / 3.0, bf.getAtIndex(JAVA_FLOAT, 1), 1e-6);
            assertEquals(2, rank.get(JAVA_INT, 0));
        }
    }

    @Test
    void nanInAMatrixIsRejectedByLapackesNanCheck() {
        try (Arena arena = Arena.ofConfined()) {
            // documented: -i names the argument (counting the layout as 1) that holds the NaN
            assertEquals(-4, Lapacke.gesv(false, 2, 1, d(arena, Double.NaN, 1, 1, 2), 2, arena.allocate(JAVA_INT, 2), d(arena, 1, 1), 2));
            assertEquals(-7, Lapacke.gesv(false, 2, 1, d(arena, 2, 1, 1, 2), 2, arena.allocate(JAVA_INT, 2), d(arena, Double.NaN, 1), 2));
        }
    }

    // ================================================================== validation

    /** The call throws IllegalArgumentException mentioning {@code fragment}, and {@code untouched} keeps its contents. */
    private static void rejects(String fragment, MemorySegment untouched, Executable call) {
        double[] before = untouched.toArray(JAVA_DOUBLE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message should mention '" + fragment + "': " + e.getMessage());
        assertArrayEquals(before, untouched.toArray(JAVA_DOUBLE), "the native routine must not have run");
    }

    @Test
    void leadingDimensionTooSmall() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = d(arena, 1, 3, 2, 4);
            MemorySegment b = d(arena, 5, 6);
            MemorySegment ipiv = arena.allocate(JAVA_INT, 2);
            rejects("leading dimension of A is 1", b, () -> Lapacke.gesv(false, 2, 1, a, 1, ipiv, b, 2));
            rejects("leading dimension of B is 1", b, () -> Lapacke.gesv(false, 2, 1, a, 2, ipiv, b, 1));
            rejects("leading dimension of A is 0", a, () -> Lapacke.getrf(false, 0, 2, a, 0, ipiv));
            rejects("leading dimension of A", a, () -> Lapacke.potrf(false, 'L', 2, a, 1));
            rejects("leading dimension of U", a,
                    () -> Lapacke.gesdd(false, 'A', 2, 2, a, 2, arena.allocate(JAVA_DOUBLE, 2), arena.allocate(JAVA_DOUBLE, 4), 1, arena.allocate(JAVA_DOUBLE, 4), 2));
            rejects("leading dimension of VR", a, () -> Lapacke.geev(false, 'N', 'V', 2, a, 2, arena.allocate(JAVA_DOUBLE, 2),
                    arena.allocate(JAVA_DOUBLE, 2), MemorySegment.NULL, 1, arena.allocate(JAVA_DOUBLE, 4), 1));
            MemorySegment bl = d(arena, 1, 1, 0);
            rejects("leading dimension of B is 2", bl, () -> Lapacke.gelsd(false, 2, 3, 1, d(arena, 1, 0, 0, 1, 1, 1), 2, bl, 2,
                    arena.allocate(JAVA_DOUBLE, 2), -1, arena.allocate(JAVA_INT, 1)));
        }
    }

    @Test
    void segmentTooSmall() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = d(arena, 5, 6);
            MemorySegment ipiv = arena.allocate(JAVA_INT, 2);
            rejects("A holds 3 elements but the routine needs 4", b, () -> Lapacke.gesv(false, 2, 1, d(arena, 1, 3, 2), 2, ipiv, b, 2));
            rejects("B holds 2 elements but the routine needs 4", b, () -> Lapacke.gesv(false, 2, 2, d(arena, 1, 3, 2, 4), 2, ipiv, b, 2));
            rejects("ipiv", b, () -> Lapacke.gesv(false, 2, 1, d(arena, 1, 3, 2, 4), 2, arena.allocate(JAVA_INT, 1), b, 2));
            // with lda = 3 a 2×2 matrix spans (2 - 1)·3 + 2 = 5 elements
            rejects("needs 5", b, () -> Lapacke.getrf(false, 2, 2, d(arena, 1, 2, 3, 4), 3, ipiv));
            // F32 counts 4-byte elements: 8 bytes hold only 2 floats
            MemorySegment twoFloats = arena.allocate(JAVA_FLOAT, 2);
            rejects("needs 4", b, () -> Lapacke.potrf(true, 'L', 2, twoFloats, 2));
            rejects("tau", b, () -> Lapacke.geqrf(false, 3, 2, d(arena, 1, 2, 3, 4, 5, 6), 3, arena.allocate(JAVA_DOUBLE, 1)));
            rejects("s holds 1", b, () -> Lapacke.gesdd(false, 'N', 2, 2, d(arena, 1, 0, 0, 1), 2, arena.allocate(JAVA_DOUBLE, 1),
                    MemorySegment.NULL, 1, MemorySegment.NULL, 1));
            rejects("VT", b, () -> Lapacke.gesdd(false, 'S', 3, 2, d(arena, 1, 0, 0, 0, 1, 0), 3, arena.allocate(JAVA_DOUBLE, 2),
                    arena.allocate(JAVA_DOUBLE, 6), 3, arena.allocate(JAVA_DOUBLE, 3), 2));
            rejects("w holds 1", b, () -> Lapacke.syevd(false, 'N', 'L', 2, d(arena, 1, 0, 0, 1), 2, arena.allocate(JAVA_DOUBLE, 1)));
            rejects("wi", b, () -> Lapacke.geev(false, 'N', 'N', 2, d(arena, 1, 0, 0, 1), 2, arena.allocate(JAVA_DOUBLE, 2),
                    arena.allocate(JAVA_DOUBLE, 1), MemorySegment.NULL, 1, MemorySegment.NULL, 1));
            rejects("rank", b, () -> Lapacke.gelsd(false, 2, 2, 1, d(arena, 1, 0, 0, 1), 2, d(arena, 1, 1), 2,
                    arena.allocate(JAVA_DOUBLE, 2), -1, MemorySegment.NULL));
        }
    }

    @Test
    void badJobCharacters() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = d(arena, 4, 2, 2, 3);
            MemorySegment w = arena.allocate(JAVA_DOUBLE, 2);
            rejects("uplo must be one of [L, U], got 'X'", a, () -> Lapacke.potrf(false, 'X', 2, a, 2));
            rejects("uplo", a, () -> Lapacke.potrf(false, 'l', 2, a, 2));
            rejects("trans", a, () -> Lapacke.trtrs(false, 'L', 'Q', 'N', 2, 1, a, 2, d(arena, 1, 1), 2));
            rejects("diag", a, () -> Lapacke.trtrs(false, 'L', 'N', 'X', 2, 1, a, 2, d(arena, 1, 1), 2));
            rejects("jobz", a, () -> Lapacke.gesdd(false, 'O', 2, 2, a, 2, w, arena.allocate(JAVA_DOUBLE, 4), 2, arena.allocate(JAVA_DOUBLE, 4), 2));
            rejects("jobz", a, () -> Lapacke.syevd(false, 'A', 'L', 2, a, 2, w));
            rejects("uplo", a, () -> Lapacke.syevd(false, 'V', 'B', 2, a, 2, w));
            rejects("jobvl", a, () -> Lapacke.geev(false, 'Q', 'N', 2, a, 2, w, arena.allocate(JAVA_DOUBLE, 2), MemorySegment.NULL, 1, MemorySegment.NULL, 1));
            rejects("jobvr", a, () -> Lapacke.geev(false, 'N', 'X', 2, a, 2, w, arena.allocate(JAVA_DOUBLE, 2), MemorySegment.NULL, 1, MemorySegment.NULL, 1));
        }
    }

    @Test
    void negativeDimensionsHeapAndNullSegments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = d(arena, 1, 3, 2, 4);
            MemorySegment b = d(arena, 5, 6);
            MemorySegment ipiv = arena.allocate(JAVA_INT, 2);
            rejects("dimensions must be >= 0", b, () -> Lapacke.gesv(false, -1, 1, a, 2, ipiv, b, 2));
            rejects("dimensions must be >= 0", b, () -> Lapacke.gesv(false, 2, -1, a, 2, ipiv, b, 2));
            rejects("dimensions must be >= 0", a, () -> Lapacke.getrf(false, 2, -2, a, 2, ipiv));
            rejects("native", b, () -> Lapacke.gesv(false, 2, 1, MemorySegment.ofArray(new double[]{1, 3, 2, 4}), 2, ipiv, b, 2));
            rejects("must not be null", b, () -> Lapacke.gesv(false, 2, 1, null, 2, ipiv, b, 2));
            MemorySegment tau = arena.allocate(JAVA_DOUBLE, 2);
            rejects("orgqr needs m >= n >= k", a, () -> Lapacke.orgqr(false, 2, 2, 3, a, 2, tau));
            rejects("orgqr needs m >= n >= k", a, () -> Lapacke.orgqr(false, 1, 2, 1, a, 2, tau));
            rejects("k=-1", a, () -> Lapacke.orgqr(false, 2, 2, -1, a, 2, tau));
        }
    }

    @Test
    void emptyMatricesNeedNoMemory() {
        try (Arena arena = Arena.ofConfined()) {
            // n = 0: nothing to read, a zero-length segment and the minimum leading dimension 1 are fine
            MemorySegment empty = arena.allocate(0);
            assertEquals(0, Lapacke.gesv(false, 0, 0, empty, 1, empty, empty, 1));
            assertEquals(0, Lapacke.getrf(false, 0, 3, empty, 1, empty));
            assertEquals(0, Lapacke.potrf(false, 'U', 0, empty, 1));
        }
    }
}
