package dev.proxima.blas;

import dev.proxima.blas.Cblas.Diag;
import dev.proxima.blas.Cblas.Layout;
import dev.proxima.blas.Cblas.Side;
import dev.proxima.blas.Cblas.Transpose;
import dev.proxima.blas.Cblas.UpLo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static dev.proxima.blas.Cblas.Layout.COL_MAJOR;
import static dev.proxima.blas.Cblas.Layout.ROW_MAJOR;
import static dev.proxima.blas.Cblas.Transpose.NO_TRANS;
import static dev.proxima.blas.Cblas.Transpose.TRANS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CBLAS bindings: hand-computed results for every routine in both precisions, and the Java-side
 * argument validation that must reject bad input before any native call.
 */
class CblasTest {

    private Arena arena;

    @BeforeEach
    void openArena() {
        arena = Arena.ofConfined();
    }

    @AfterEach
    void closeArena() {
        arena.close();
    }

    private MemorySegment f(float... v) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_FLOAT, Math.max(1, v.length));
        MemorySegment.copy(v, 0, s, ValueLayout.JAVA_FLOAT, 0, v.length);
        return v.length == 0 ? s.asSlice(0, 0) : s;
    }

    private MemorySegment d(double... v) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_DOUBLE, Math.max(1, v.length));
        MemorySegment.copy(v, 0, s, ValueLayout.JAVA_DOUBLE, 0, v.length);
        return v.length == 0 ? s.asSlice(0, 0) : s;
    }

    private static float[] f(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_FLOAT);
    }

    private static double[] d(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_DOUBLE);
    }

    // A = [[1,2,3],[4,5,6]] (2x3), B = [[7,8],[9,10],[11,12]] (3x2), A·B = [[58,64],[139,154]]
    private static final double[] A_ROW = {1, 2, 3, 4, 5, 6};
    private static final double[] B_ROW = {7, 8, 9, 10, 11, 12};
    private static final double[] AB_ROW = {58, 64, 139, 154};

    private static float[] toF(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    @Nested
    class Gemm {

        @Test
        void sgemmRowMajor() {
            MemorySegment c = f(new float[4]);
            Cblas.sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 3, 1f, f(toF(A_ROW)), 3, f(toF(B_ROW)), 2, 0f, c, 2);
            assertArrayEquals(toF(AB_ROW), f(c));
        }

        @Test
        void dgemmRowMajor() {
            MemorySegment c = d(new double[4]);
            Cblas.dgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 3, 1, d(A_ROW), 3, d(B_ROW), 2, 0, c, 2);
            assertArrayEquals(AB_ROW, d(c));
        }

        @Test
        void dgemmTransposeFlags() {
            // Aᵀ stored row-major 3x2, Bᵀ stored row-major 2x3: op(A)·op(B) is still A·B
            double[] at = {1, 4, 2, 5, 3, 6};
            double[] bt = {7, 9, 11, 8, 10, 12};
            MemorySegment c1 = d(new double[4]);
            Cblas.dgemm(ROW_MAJOR, TRANS, NO_TRANS, 2, 2, 3, 1, d(at), 2, d(B_ROW), 2, 0, c1, 2);
            assertArrayEquals(AB_ROW, d(c1));
            MemorySegment c2 = d(new double[4]);
            Cblas.dgemm(ROW_MAJOR, NO_TRANS, TRANS, 2, 2, 3, 1, d(A_ROW), 3, d(bt), 3, 0, c2, 2);
            assertArrayEquals(AB_ROW, d(c2));
            MemorySegment c3 = d(new double[4]);
            Cblas.dgemm(ROW_MAJOR, TRANS, TRANS, 2, 2, 3, 1, d(at), 2, d(bt), 3, 0, c3, 2);
            assertArrayEquals(AB_ROW, d(c3));
        }

        @Test
        void sgemmTransposeFlags() {
            float[] at = {1, 4, 2, 5, 3, 6};
            float[] bt = {7, 9, 11, 8, 10, 12};
            MemorySegment c = f(new float[4]);
            Cblas.sgemm(ROW_MAJOR, TRANS, TRANS, 2, 2, 3, 1f, f(at), 2, f(bt), 3, 0f, c, 2);
            assertArrayEquals(toF(AB_ROW), f(c));
        }

        @Test
        void dgemmColumnMajor() {
            // the same matrices in Fortran order
            double[] aCol = {1, 4, 2, 5, 3, 6};
            double[] bCol = {7, 9, 11, 8, 10, 12};
            MemorySegment c = d(new double[4]);
            Cblas.dgemm(COL_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 3, 1, d(aCol), 2, d(bCol), 3, 0, c, 2);
            assertArrayEquals(new double[]{58, 139, 64, 154}, d(c));
        }

        @Test
        void sgemmColumnMajorTransposed() {
            // A stored column-major as 3x2 (that is Aᵀ), used with TRANS
            float[] atCol = {1, 2, 3, 4, 5, 6};
            float[] bCol = {7, 9, 11, 8, 10, 12};
            MemorySegment c = f(new float[4]);
            Cblas.sgemm(COL_MAJOR, TRANS, NO_TRANS, 2, 2, 3, 1f, f(atCol), 3, f(bCol), 3, 0f, c, 2);
            assertArrayEquals(new float[]{58, 139, 64, 154}, f(c));
        }

        @Test
        void leadingDimensionsLargerThanColumns() {
            double pad = 999;
            // A 2x3 with lda 4, B 3x2 with ldb 3, C 2x2 with ldc 3: padding must be ignored and kept
            double[] a = {1, 2, 3, pad, 4, 5, 6};
            double[] b = {7, 8, pad, 9, 10, pad, 11, 12};
            MemorySegment c = d(-1, -1, pad, -1, -1);
            Cblas.dgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 3, 1, d(a), 4, d(b), 3, 0, c, 3);
            assertArrayEquals(new double[]{58, 64, pad, 139, 154}, d(c));
        }

        @Test
        void sgemmLeadingDimensionColumnMajor() {
            float pad = 999;
            // column-major A 2x3 with lda 3: columns [1,4,pad] [2,5,pad] [3,6]
            float[] a = {1, 4, pad, 2, 5, pad, 3, 6};
            float[] b = {7, 9, 11, 8, 10, 12};
            MemorySegment c = f(new float[4]);
            Cblas.sgemm(COL_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 3, 1f, f(a), 3, f(b), 3, 0f, c, 2);
            assertArrayEquals(new float[]{58, 139, 64, 154}, f(c));
        }

        @Test
        void alphaAndBeta() {
            MemorySegment c = d(1, 2, 3, 4);
            Cblas.dgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 3, 2, d(A_ROW), 3, d(B_ROW), 2, -1, c, 2);
            assertArrayEquals(new double[]{2 * 58 - 1, 2 * 64 - 2, 2 * 139 - 3, 2 * 154 - 4}, d(c));
        }

        @Test
        void zeroInnerDimensionScalesC() {
            MemorySegment c = f(1, 2, 3, 4);
            Cblas.sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 0, 1f, f(), 1, f(), 2, 3f, c, 2);
            assertArrayEquals(new float[]{3, 6, 9, 12}, f(c));
        }

        @Test
        void randomMatricesAgainstNaiveLoop() {
            Random rnd = new Random(7);
            int m = 17, n = 13, k = 11;
            for (Transpose ta : Transpose.values()) {
                for (Transpose tb : Transpose.values()) {
                    for (Layout layout : Layout.values()) {
                        double[][] a = random(rnd, m, k);
                        double[][] b = random(rnd, k, n);
                        MemorySegment sa = d(store(ta == TRANS ? transpose(a) : a, layout));
                        MemorySegment sb = d(store(tb == TRANS ? transpose(b) : b, layout));
                        int lda = ld(ta == TRANS ? k : m, ta == TRANS ? m : k, layout);
                        int ldb = ld(tb == TRANS ? n : k, tb == TRANS ? k : n, layout);
                        MemorySegment sc = d(new double[m * n]);
                        Cblas.dgemm(layout, ta, tb, m, n, k, 1, sa, lda, sb, ldb, 0, sc, ld(m, n, layout));
                        assertArrayEquals(store(naive(a, b), layout), d(sc), 1e-12, layout + " " + ta + " " + tb);

                        MemorySegment fa = f(toF(store(ta == TRANS ? transpose(a) : a, layout)));
                        MemorySegment fb = f(toF(store(tb == TRANS ? transpose(b) : b, layout)));
                        MemorySegment fc = f(new float[m * n]);
                        Cblas.sgemm(layout, ta, tb, m, n, k, 1f, fa, lda, fb, ldb, 0f, fc, ld(m, n, layout));
                        assertArrayEquals(toF(store(naive(a, b), layout)), f(fc), 1e-5f, layout + " " + ta + " " + tb);
                    }
                }
            }
        }

        private static int ld(int rows, int cols, Layout layout) {
            return layout == ROW_MAJOR ? cols : rows;
        }

        private static double[][] random(Random rnd, int r, int c) {
            double[][] x = new double[r][c];
            for (double[] row : x) {
                for (int j = 0; j < c; j++) {
                    row[j] = rnd.nextDouble() * 2 - 1;
                }
            }
            return x;
        }

        private static double[][] transpose(double[][] x) {
            double[][] t = new double[x[0].length][x.length];
            for (int i = 0; i < x.length; i++) {
                for (int j = 0; j < x[0].length; j++) {
                    t[j][i] = x[i][j];
                }
            }
            return t;
        }

        private static double[] store(double[][] x, Layout layout) {
            int r = x.length, c = x[0].length;
            double[] out = new double[r * c];
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < c; j++) {
                    out[layout == ROW_MAJOR ? i * c + j : j * r + i] = x[i][j];
                }
            }
            return out;
        }

        private static double[][] naive(double[][] a, double[][] b) {
            double[][] c = new double[a.length][b[0].length];
            for (int i = 0; i < a.length; i++) {
                for (int j = 0; j < b[0].length; j++) {
                    double s = 0;
                    for (int p = 0; p < b.length; p++) {
                        s += a[i][p] * b[p][j];
                    }
                    c[i][j] = s;
                }
            }
            return c;
        }
    }

    @Nested
    class Gemv {

        @Test
        void dgemvNoTrans() {
            MemorySegment y = d(10, 20);
            Cblas.dgemv(ROW_MAJOR, NO_TRANS, 2, 3, 1, d(A_ROW), 3, d(1, 1, 1), 1, 1, y, 1);
            assertArrayEquals(new double[]{16, 35}, d(y));
        }

        @Test
        void sgemvTrans() {
            MemorySegment y = f(0, 0, 0);
            Cblas.sgemv(ROW_MAJOR, TRANS, 2, 3, 1f, f(toF(A_ROW)), 3, f(1, 2), 1, 0f, y, 1);
            assertArrayEquals(new float[]{9, 12, 15}, f(y));
        }

        @Test
        void stridedVectorsAndAlphaBeta() {
            // x = [1, 2, 3] read with incx 2, y written with incy 2
            MemorySegment x = d(1, -7, 2, -7, 3);
            MemorySegment y = d(1, 5, 1);
            Cblas.dgemv(ROW_MAJOR, NO_TRANS, 2, 3, 2, d(A_ROW), 3, x, 2, 3, y, 2);
            // A·x = [14, 32]; 2·A·x + 3·y
            assertArrayEquals(new double[]{31, 5, 67}, d(y));
        }

        @Test
        void columnMajor() {
            MemorySegment y = f(0, 0);
            Cblas.sgemv(COL_MAJOR, NO_TRANS, 2, 3, 1f, f(1, 4, 2, 5, 3, 6), 2, f(1, 0, -1), 1, 0f, y, 1);
            assertArrayEquals(new float[]{-2, -2}, f(y));
        }
    }

    @Nested
    class Level1 {

        @Test
        void axpy() {
            MemorySegment y = d(10, 20, 30);
            Cblas.daxpy(3, 2, d(1, 2, 3), 1, y, 1);
            assertArrayEquals(new double[]{12, 24, 36}, d(y));
            MemorySegment fy = f(10, 20, 30);
            Cblas.saxpy(3, -1f, f(1, 2, 3), 1, fy, 1);
            assertArrayEquals(new float[]{9, 18, 27}, f(fy));
        }

        @Test
        void axpyStridedAndNegativeIncrement() {
            MemorySegment y = d(10, 20, 30);
            // x = [1, 2, 3] with incx 2; y walked backwards (incy -1): y[2] += x0, y[1] += x1, y[0] += x2
            Cblas.daxpy(3, 1, d(1, 0, 2, 0, 3), 2, y, -1);
            assertArrayEquals(new double[]{13, 22, 31}, d(y));
        }

        @Test
        void dot() {
            assertEquals(32.0, Cblas.ddot(3, d(1, 2, 3), 1, d(4, 5, 6), 1));
            assertEquals(32f, Cblas.sdot(3, f(1, 2, 3), 1, f(4, 5, 6), 1));
            // x strided: [1, 3] · [4, 5] = 19
            assertEquals(19.0, Cblas.ddot(2, d(1, 2, 3), 2, d(4, 5), 1));
            assertEquals(0.0, Cblas.ddot(0, d(), 1, d(), 1));
        }

        @Test
        void nrm2() {
            assertEquals(5.0, Cblas.dnrm2(2, d(3, 4), 1), 1e-15);
            assertEquals(5f, Cblas.snrm2(2, f(3, 4), 1), 1e-6f);
            assertEquals(13.0, Cblas.dnrm2(2, d(5, 99, 12), 2), 1e-14);
            // squares would overflow a float
            assertEquals(5e30f, Cblas.snrm2(2, f(3e30f, 4e30f), 1), 5e30f * 1e-6f);
            assertEquals(0.0, Cblas.dnrm2(0, d(), 1));
        }

        @Test
        void scal() {
            MemorySegment x = d(1, 2, 3);
            Cblas.dscal(3, 3, x, 1);
            assertArrayEquals(new double[]{3, 6, 9}, d(x));
            MemorySegment fx = f(1, 2, 3, 4);
            Cblas.sscal(2, -2f, fx, 2);
            assertArrayEquals(new float[]{-2, 2, -6, 4}, f(fx));
        }
    }

    @Nested
    class Level3 {

        @Test
        void syrkUpperAndLower() {
            double s = -1; // sentinel: the other triangle must not be written
            MemorySegment upper = d(0, 0, s, 0);
            Cblas.dsyrk(ROW_MAJOR, UpLo.UPPER, NO_TRANS, 2, 3, 1, d(A_ROW), 3, 0, upper, 2);
            assertArrayEquals(new double[]{14, 32, s, 77}, d(upper));
            MemorySegment lower = f(0, (float) s, 0, 0);
            Cblas.ssyrk(ROW_MAJOR, UpLo.LOWER, NO_TRANS, 2, 3, 1f, f(toF(A_ROW)), 3, 0f, lower, 2);
            assertArrayEquals(new float[]{14, (float) s, 32, 77}, f(lower));
        }

        @Test
        void syrkTransAndBeta() {
            // A stored as 3x2 (Aᵀ of A_ROW), TRANS: C = Aᵀ·A of the stored matrix = A_ROW·A_ROWᵀ
            MemorySegment c = d(1, 1, 1, 1);
            Cblas.dsyrk(ROW_MAJOR, UpLo.UPPER, TRANS, 2, 3, 2, d(1, 4, 2, 5, 3, 6), 2, 1, c, 2);
            assertArrayEquals(new double[]{29, 65, 1, 155}, d(c));
        }

        @Test
        void trsmLeftLower() {
            // [[2,0],[1,4]] X = [[2,4],[5,10]]  ->  X = [[1,2],[1,2]]
            MemorySegment b = d(2, 4, 5, 10);
            Cblas.dtrsm(ROW_MAJOR, Side.LEFT, UpLo.LOWER, NO_TRANS, Diag.NON_UNIT, 2, 2, 1, d(2, 0, 1, 4), 2, b, 2);
            assertArrayEquals(new double[]{1, 2, 1, 2}, d(b), 1e-15);
        }

        @Test
        void trsmTransposedAndAlpha() {
            // A lower [[2,0],[1,4]], Aᵀ = [[2,1],[0,4]]; Aᵀ X = 2 B with X = [[1,2],[3,4]] -> B = [[2.5,4],[6,8]]
            MemorySegment b = f(2.5f, 4, 6, 8);
            Cblas.strsm(ROW_MAJOR, Side.LEFT, UpLo.LOWER, TRANS, Diag.NON_UNIT, 2, 2, 2f, f(2, 0, 1, 4), 2, b, 2);
            assertArrayEquals(new float[]{1, 2, 3, 4}, f(b), 1e-6f);
        }

        @Test
        void trsmUnitDiagonal() {
            // the diagonal (7, 9) is not read: A = [[1,0],[3,1]]; X = [[1,2],[3,4]] -> B = [[1,2],[6,10]]
            MemorySegment b = d(1, 2, 6, 10);
            Cblas.dtrsm(ROW_MAJOR, Side.LEFT, UpLo.LOWER, NO_TRANS, Diag.UNIT, 2, 2, 1, d(7, 0, 3, 9), 2, b, 2);
            assertArrayEquals(new double[]{1, 2, 3, 4}, d(b), 1e-15);
        }

        @Test
        void trsmRightUpper() {
            // X A = B with A upper [[2,1],[0,4]], X = [[1,2]] (1x2) -> B = [[2, 9]]
            MemorySegment b = d(2, 9);
            Cblas.dtrsm(ROW_MAJOR, Side.RIGHT, UpLo.UPPER, NO_TRANS, Diag.NON_UNIT, 1, 2, 1, d(2, 1, 0, 4), 2, b, 2);
            assertArrayEquals(new double[]{1, 2}, d(b), 1e-15);
        }

        @Test
        void trsmColumnMajor() {
            // column-major lower A = [[2,0],[1,4]] stored as [2,1,0,4]; B = [[2,4],[5,10]] stored [2,5,4,10]
            MemorySegment b = d(2, 5, 4, 10);
            Cblas.dtrsm(COL_MAJOR, Side.LEFT, UpLo.LOWER, NO_TRANS, Diag.NON_UNIT, 2, 2, 1, d(2, 1, 0, 4), 2, b, 2);
            assertArrayEquals(new double[]{1, 1, 2, 2}, d(b), 1e-15);
        }
    }

    @Nested
    class Validation {

        private void rejects(Executable call, String... fragments) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
            for (String fragment : fragments) {
                assertTrue(e.getMessage().contains(fragment), () -> "message '" + e.getMessage() + "' lacks '" + fragment + "'");
            }
        }

        @Test
        void negativeDimensions() {
            MemorySegment a = d(A_ROW), b = d(B_ROW), c = d(new double[4]);
            rejects(() -> Cblas.dgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, -1, 2, 3, 1, a, 3, b, 2, 0, c, 2), "m must be >= 0", "-1");
            rejects(() -> Cblas.dgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, 2, -2, 3, 1, a, 3, b, 2, 0, c, 2), "n must be >= 0", "-2");
            rejects(() -> Cblas.sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, 2, 2, -3, 1, f(1), 3, f(1), 2, 0, f(1, 2, 3, 4), 2),
                    "k must be >= 0", "-3");
            rejects(() -> Cblas.ddot(-1, a, 1, b, 1), "n must be >= 0");
            rejects(() -> Cblas.dgemv(ROW_MAJOR, NO_TRANS, 2, -1, 1, a, 3, b, 1, 0, c, 1), "n must be >= 0");
            rejects(() -> Cblas.dsyrk(ROW_MAJOR, UpLo.UPPER, NO_TRANS, 2, -5, 1, a, 3, 0, c, 2), "k must be >= 0", "-5");
            rejects(() -> Cblas.dtrsm(ROW_MAJOR, Side.LEFT, UpLo.LOWER, NO_TRANS, Diag.UNIT, -1, 2, 1, a, 2, b, 2),
                    "m must be >= 0");
        }

        @Test
        void leadingDimensionTooSmall() {
            MemorySegment a = d(A_ROW), b = d(B_ROW), c = d(new double[4]);
            rejects(() -> Cblas.dgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 3, 1, a, 2, b, 2, 0, c, 2),
                    "lda = 2", "2x3", "ROW_MAJOR", "expected >= 3");
            rejects(() -> Cblas.dgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 3, 1, a, 3, b, 1, 0, c, 2), "ldb = 1", "expected >= 2");
            rejects(() -> Cblas.dgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 3, 1, a, 3, b, 2, 0, c, 1), "ldc = 1", "expected >= 2");
            // column-major: ld counts rows
            rejects(() -> Cblas.dgemm(COL_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 3, 1, a, 1, b, 3, 0, c, 2), "lda = 1", "COL_MAJOR",
                    "expected >= 2");
            // transposed A is stored 3x2: ld must be >= 2 (row-major), so 2 passes and 1 fails
            rejects(() -> Cblas.dgemm(ROW_MAJOR, TRANS, NO_TRANS, 2, 2, 3, 1, a, 1, b, 2, 0, c, 2), "lda = 1", "3x2");
            rejects(() -> Cblas.sgemv(ROW_MAJOR, NO_TRANS, 2, 3, 1, f(1, 2, 3, 4, 5, 6), 2, f(1, 1, 1), 1, 0, f(0, 0), 1),
                    "lda = 2");
        }

        @Test
        void segmentTooSmall() {
            MemorySegment b = d(B_ROW), c = d(new double[4]);
            rejects(() -> Cblas.dgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 3, 1, d(1, 2, 3, 4, 5), 3, b, 2, 0, c, 2),
                    "A holds 5 elements (40 bytes)", "reads up to 6 elements");
            rejects(() -> Cblas.dgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 3, 1, d(A_ROW), 3, b, 2, 0, d(1, 2, 3), 2),
                    "C holds 3 elements", "reads up to 4");
            // lda 4 needs (2-1)*4 + 3 = 7 elements
            rejects(() -> Cblas.dgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 3, 1, d(A_ROW), 4, b, 2, 0, c, 2),
                    "A holds 6", "reads up to 7");
            // incx 2 over 3 elements needs 5
            rejects(() -> Cblas.daxpy(3, 1, d(1, 2, 3, 4), 2, d(1, 2, 3), 1), "x holds 4", "reads up to 5");
            rejects(() -> Cblas.snrm2(4, f(1, 2, 3), 1), "x holds 3 elements (12 bytes)", "reads up to 4");
            rejects(() -> Cblas.dgemv(ROW_MAJOR, TRANS, 2, 3, 1, d(A_ROW), 3, d(1, 2), 1, 0, d(0, 0), 1), "y holds 2",
                    "reads up to 3");
            rejects(() -> Cblas.dsyrk(ROW_MAJOR, UpLo.UPPER, NO_TRANS, 2, 3, 1, d(A_ROW), 3, 0, d(1, 2, 3), 2),
                    "C holds 3");
            rejects(() -> Cblas.dtrsm(ROW_MAJOR, Side.RIGHT, UpLo.UPPER, NO_TRANS, Diag.UNIT, 1, 3, 1, d(1, 2, 3, 4), 3,
                    d(1, 2, 3), 3), "A holds 4", "reads up to 9");
        }

        @Test
        void heapSegment() {
            MemorySegment heap = MemorySegment.ofArray(new double[6]);
            rejects(() -> Cblas.dgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, 2, 2, 3, 1, heap, 3, d(B_ROW), 2, 0, d(new double[4]), 2),
                    "A must be a native (off-heap) segment");
            rejects(() -> Cblas.sscal(2, 1, MemorySegment.ofArray(new float[2]), 1), "x must be a native");
            rejects(() -> Cblas.ddot(2, d(1, 2), 1, MemorySegment.ofArray(new double[2]), 1), "y must be a native");
        }

        @Test
        void nullSegment() {
            rejects(() -> Cblas.dscal(1, 1, null, 1), "x must not be null");
        }

        @Test
        void zeroIncrement() {
            rejects(() -> Cblas.daxpy(2, 1, d(1, 2), 0, d(1, 2), 1), "incx must not be 0");
            rejects(() -> Cblas.saxpy(2, 1, f(1, 2), 1, f(1, 2), 0), "incy must not be 0");
            rejects(() -> Cblas.ddot(2, d(1, 2), 0, d(1, 2), 1), "incx must not be 0");
            rejects(() -> Cblas.dgemv(ROW_MAJOR, NO_TRANS, 2, 3, 1, d(A_ROW), 3, d(1, 1, 1), 0, 0, d(0, 0), 1),
                    "incx must not be 0");
        }

        @Test
        void misaligned() {
            MemorySegment base = d(1, 2, 3);
            rejects(() -> Cblas.dnrm2(2, base.asSlice(4), 1), "not aligned", "8-byte");
        }
    }
}
