package dev.proxima.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gather/scatter, selection, joining and splitting, padding, reordering, masks, diagonals, one-hot. */
class TensorIndexingTest {

    @AfterEach
    void noLeaks() {
        assertEquals(0, Memory.allocatedBytes(), "every tensor must be freed");
    }

    static void assertTensor(Tensor t, long[] shape, double... values) {
        assertArrayEquals(shape, t.shape(), "shape");
        assertArrayEquals(values, t.toDoubleArray(), 0, "values");
    }

    static long[] shape(long... s) {
        return s;
    }

    /** [[0, 1, 2], [3, 4, 5]] as F64. */
    static Tensor m23() {
        return Tensor.arange(0, 6, 1, DType.F64).reshape(2, 3);
    }

    // ------------------------------------------------------------------ gather / takeAlongAxis / indexSelect

    @Test
    void gatherAlongColumnsAndRows() {
        try (Scope s = Scope.open()) {
            Tensor x = m23();
            Tensor cols = x.gather(1, Tensor.fromArray(new long[][]{{2, 0}, {1, 1}}));
            assertTensor(cols, shape(2, 2), 2, 0, 4, 4);
            assertEquals(DType.F64, cols.dtype());
            Tensor rows = x.gather(0, Tensor.fromArray(new int[][]{{1, 0, 1}}));
            assertTensor(rows, shape(1, 3), 3, 1, 5);
            // negative axis and negative indices wrap
            assertTensor(x.gather(-1, Tensor.fromArray(new long[][]{{-1}, {-3}})), shape(2, 1), 2, 3);
        }
    }

    @Test
    void gatherOnTransposedAndSlicedInputs() {
        try (Scope s = Scope.open()) {
            Tensor xt = m23().transpose();                 // [[0, 3], [1, 4], [2, 5]], non-contiguous
            assertFalse(xt.isContiguous());
            assertTensor(xt.gather(1, Tensor.fromArray(new long[][]{{1}, {0}, {1}})), shape(3, 1), 3, 1, 5);
            Tensor idx = Tensor.fromArray(new long[][]{{0, 1}, {1, 0}, {5, 5}}).slice(1, 0, 2, 1).transpose();
            // idx is [[0, 1, 5], [1, 0, 5]] as a transposed view
            Tensor wide = Tensor.arange(0, 12, 1, DType.I32).reshape(2, 6);
            assertTensor(wide.gather(1, idx), shape(2, 3), 0, 1, 5, 7, 6, 11);
        }
    }

    @Test
    void gatherValidates() {
        try (Scope s = Scope.open()) {
            Tensor x = m23();
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> x.gather(1, Tensor.fromArray(new long[][]{{0, 3}})));
            assertTrue(e.getMessage().contains("index 3") && e.getMessage().contains("axis 1") && e.getMessage().contains("[2, 3]"),
                    e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> x.gather(1, Tensor.fromArray(new long[][]{{-4}})));
            assertThrows(DTypeMismatchException.class, () -> x.gather(1, Tensor.zeros(DType.F32, 2, 1)));
            assertThrows(ShapeMismatchException.class, () -> x.gather(1, Tensor.of(0L)));
            assertThrows(ShapeMismatchException.class, () -> x.gather(1, Tensor.zeros(DType.I64, 3, 1)));
            assertThrows(IllegalArgumentException.class, () -> x.gather(2, Tensor.zeros(DType.I64, 2, 1)));
        }
    }

    @Test
    void gatherWithEmptyIndex() {
        try (Scope s = Scope.open()) {
            Tensor out = m23().gather(1, Tensor.zeros(DType.I64, 2, 0));
            assertTensor(out, shape(2, 0));
        }
    }

    @Test
    void takeAlongAxisBroadcasts() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.fromArray(new double[][]{{10, 30, 20}, {60, 40, 50}});
            Tensor order = x.argsort(1, false);
            assertTensor(order, shape(2, 3), 0, 2, 1, 1, 2, 0);
            assertTensor(x.takeAlongAxis(order, 1), shape(2, 3), 10, 20, 30, 40, 50, 60);
            // indices [1, 1] broadcast along axis 0: the same column for every row
            assertTensor(x.takeAlongAxis(Tensor.fromArray(new long[][]{{2, -3}}), 1).reshape(2, 2), shape(2, 2),
                    20, 10, 50, 60);
            // the array broadcasts too: x row [1, 3] against indices of 2 rows
            Tensor row = Tensor.fromArray(new double[][]{{1, 2, 3}});
            assertTensor(row.takeAlongAxis(Tensor.fromArray(new long[][]{{2}, {0}}), 1), shape(2, 1), 3, 1);
            // argmax with kept dims picks the maxima
            assertTensor(x.takeAlongAxis(x.argmax(1, true), 1), shape(2, 1), 30, 60);
            assertThrows(ShapeMismatchException.class, () -> x.takeAlongAxis(Tensor.zeros(DType.I64, 3, 1), 1));
            assertThrows(ShapeMismatchException.class, () -> x.takeAlongAxis(Tensor.of(0L), 1));
            assertThrows(IndexOutOfBoundsException.class, () -> x.takeAlongAxis(Tensor.fromArray(new long[][]{{3}}), 1));
        }
    }

    @Test
    void indexSelectRepeatsAndWraps() {
        try (Scope s = Scope.open()) {
            Tensor x = m23();
            assertTensor(x.indexSelect(1, Tensor.of(2, 0, 2)), shape(2, 3), 2, 0, 2, 5, 3, 5);
            assertTensor(x.indexSelect(0, Tensor.of(-1L)), shape(1, 3), 3, 4, 5);
            assertTensor(x.transpose().indexSelect(-1, Tensor.of(1L)), shape(3, 1), 3, 4, 5);
            assertTensor(x.indexSelect(0, Tensor.scalar(1, DType.I64)), shape(1, 3), 3, 4, 5);
            // a strided index view
            assertTensor(x.indexSelect(1, Tensor.of(0L, 9, 1, 9).slice(0, 0, 4, 2)), shape(2, 2), 0, 1, 3, 4);
            assertTensor(x.indexSelect(1, Tensor.of(new long[0])), shape(2, 0));
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> x.indexSelect(0, Tensor.of(2L)));
            assertTrue(e.getMessage().contains("index 2") && e.getMessage().contains("axis 0"), e.getMessage());
            assertThrows(ShapeMismatchException.class, () -> x.indexSelect(0, Tensor.zeros(DType.I64, 1, 1)));
            assertThrows(DTypeMismatchException.class, () -> x.indexSelect(0, Tensor.of(0.0)));
        }
    }

    // ------------------------------------------------------------------ scatter / scatterAdd

    @Test
    void scatterWritesACopy() {
        try (Scope s = Scope.open()) {
            Tensor z = Tensor.zeros(DType.F64, 2, 3);
            Tensor y = z.scatter(1, Tensor.fromArray(new long[][]{{2}, {0}}), Tensor.fromArray(new double[][]{{7}, {9}}));
            assertTensor(y, shape(2, 3), 0, 0, 7, 9, 0, 0);
            assertTensor(z, shape(2, 3), 0, 0, 0, 0, 0, 0);
            // src larger than index: only its leading part is used; I32 src converts to F64
            Tensor src = Tensor.arange(1, 7, 1, DType.I32).reshape(2, 3);
            Tensor w = z.scatter(0, Tensor.fromArray(new long[][]{{1, 0, 1}}), src);
            assertTensor(w, shape(2, 3), 0, 2, 0, 1, 0, 3);
            // repeated index: the last write wins
            Tensor v = Tensor.zeros(DType.I64, 3).scatter(0, Tensor.of(1L, 1, -1), Tensor.of(5L, 6, 7));
            assertTensor(v, shape(3), 0, 6, 7);
        }
    }

    @Test
    void scatterAddAccumulates() {
        try (Scope s = Scope.open()) {
            Tensor counts = Tensor.zeros(DType.I64, 3).scatterAdd(0, Tensor.of(0L, 2, 2, 2), Tensor.ones(DType.I64, 4));
            assertTensor(counts, shape(3), 1, 0, 3);
            Tensor base = Tensor.ones(DType.F32, 2, 2);
            Tensor idx = Tensor.fromArray(new long[][]{{0, 0}, {1, 0}}).transpose(); // [[0, 1], [0, 0]]
            Tensor sum = base.scatterAdd(0, idx, Tensor.fromArray(new float[][]{{1, 2}, {3, 4}}));
            // out[idx[i][j]][j] += src[i][j]: column 0 gets 1 and 3 in row 0; column 1 gets 2 in row 1 and 4 in row 0
            assertTensor(sum, shape(2, 2), 5, 5, 1, 3);
            assertThrows(DTypeMismatchException.class,
                    () -> Tensor.zeros(DType.BOOL, 2).scatterAdd(0, Tensor.of(0L), Tensor.of(true)));
        }
    }

    @Test
    void scatterValidates() {
        try (Scope s = Scope.open()) {
            Tensor z = Tensor.zeros(DType.I32, 2, 3);
            assertThrows(DTypeMismatchException.class,
                    () -> z.scatter(1, Tensor.fromArray(new long[][]{{0}}), Tensor.fromArray(new double[][]{{1}})));
            assertThrows(ShapeMismatchException.class,
                    () -> z.scatter(1, Tensor.zeros(DType.I64, 1, 2), Tensor.zeros(DType.I32, 1, 1)));
            assertThrows(ShapeMismatchException.class,
                    () -> z.scatter(1, Tensor.zeros(DType.I64, 3, 1), Tensor.zeros(DType.I32, 3, 1)));
            assertThrows(ShapeMismatchException.class, () -> z.scatter(1, Tensor.of(0L), Tensor.of(1)));
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> z.scatter(1, Tensor.fromArray(new long[][]{{3}}), Tensor.fromArray(new int[][]{{1}})));
            assertTrue(e.getMessage().contains("index 3") && e.getMessage().contains("axis 1") && e.getMessage().contains("[2, 3]"),
                    e.getMessage());
        }
    }

    // ------------------------------------------------------------------ maskedSelect

    @Test
    void maskedSelectKeepsRowMajorOrder() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(1.0, -2.0, 3.0, -4.0);
            assertTensor(x.maskedSelect(x.gt(0)), shape(2), 1, 3);
            Tensor xt = m23().transpose();                 // [[0, 3], [1, 4], [2, 5]]
            assertTensor(xt.maskedSelect(xt.ge(2)), shape(4), 3, 4, 2, 5);
            // the mask broadcasts: one row mask for every row
            assertTensor(m23().maskedSelect(Tensor.of(true, false, true)), shape(4), 0, 2, 3, 5);
            assertTensor(x.maskedSelect(Tensor.zeros(DType.BOOL, 4)), shape(0));
            assertTensor(Tensor.zeros(DType.F32, 0).maskedSelect(Tensor.zeros(DType.BOOL, 0)), shape(0));
            assertThrows(DTypeMismatchException.class, () -> x.maskedSelect(Tensor.ones(DType.I32, 4)));
            assertThrows(ShapeMismatchException.class, () -> x.maskedSelect(Tensor.zeros(DType.BOOL, 3)));
        }
    }

    // ------------------------------------------------------------------ concat / stack / split / chunk

    @Test
    void concatJoinsAndPromotes() {
        try (Scope s = Scope.open()) {
            Tensor a = m23();
            Tensor b = Tensor.fromArray(new int[][]{{9, 9, 9}});
            assertTensor(Tensor.concat(0, a, b), shape(3, 3), 0, 1, 2, 3, 4, 5, 9, 9, 9);
            assertEquals(DType.F64, Tensor.concat(0, a, b).dtype());
            assertTensor(Tensor.concat(-1, a, a.transpose().transpose(), Tensor.zeros(DType.F64, 2, 0)), shape(2, 6),
                    0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5);
            assertTensor(Tensor.concat(1, a.transpose().slice(0, 1, 3, 1).transpose(), Tensor.ones(DType.F64, 2, 1)), shape(2, 3),
                    1, 2, 1, 4, 5, 1);
            assertEquals(DType.I32, Tensor.concat(0, Tensor.of(1), Tensor.of(2, 3)).dtype());
            ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> Tensor.concat(0, a, Tensor.zeros(DType.F64, 1, 2)));
            assertTrue(e.getMessage().contains("[1, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
            assertThrows(ShapeMismatchException.class, () -> Tensor.concat(0, a, Tensor.of(1.0)));
            assertThrows(ShapeMismatchException.class, () -> Tensor.concat(0, Tensor.scalar(1, DType.F64)));
            assertThrows(IllegalArgumentException.class, () -> Tensor.concat(0));
        }
    }

    @Test
    void stackAddsAnAxis() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(1.0, 2.0);
            Tensor b = Tensor.of(3.0, 4.0);
            assertTensor(Tensor.stack(0, a, b), shape(2, 2), 1, 2, 3, 4);
            assertTensor(Tensor.stack(1, a, b), shape(2, 2), 1, 3, 2, 4);
            assertTensor(Tensor.stack(-1, a, b), shape(2, 2), 1, 3, 2, 4);
            Tensor t = m23().transpose();
            assertTensor(Tensor.stack(1, t, t), shape(3, 2, 2), 0, 3, 0, 3, 1, 4, 1, 4, 2, 5, 2, 5);
            assertTensor(Tensor.stack(0, Tensor.scalar(1, DType.I32), Tensor.scalar(2, DType.I32)), shape(2), 1, 2);
            assertThrows(ShapeMismatchException.class, () -> Tensor.stack(0, a, Tensor.of(1.0)));
            assertThrows(IllegalArgumentException.class, () -> Tensor.stack(2, a, b));
        }
    }

    @Test
    void splitAndChunkReturnViews() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.arange(10);
            Tensor[] parts = x.split(0, 3, 3, 4);
            assertEquals(3, parts.length);
            assertTensor(parts[0], shape(3), 0, 1, 2);
            assertTensor(parts[2], shape(4), 6, 7, 8, 9);
            Tensor[] withEmpty = x.split(0, 0, 10, 0);
            assertTensor(withEmpty[0], shape(0));
            assertTensor(withEmpty[2], shape(0));
            Tensor[] cols = m23().split(-1, 1, 2);
            assertTensor(cols[1], shape(2, 2), 1, 2, 4, 5);
            assertFalse(cols[1].isContiguous());
            ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> x.split(0, 3, 3));
            assertTrue(e.getMessage().contains("[10]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> x.split(0, -1, 11));

            Tensor[] chunks = Tensor.arange(7).chunk(4, 0);
            assertEquals(4, chunks.length);
            assertTensor(chunks[3], shape(1), 6);
            assertEquals(3, Tensor.arange(6).chunk(4, 0).length);   // 2, 2, 2 as in PyTorch
            assertEquals(3, Tensor.zeros(DType.F32, 0).chunk(3, 0).length);
            Tensor[] rows = m23().chunk(2, 0);
            assertTensor(rows[1], shape(1, 3), 3, 4, 5);
            assertThrows(IllegalArgumentException.class, () -> x.chunk(0, 0));
        }
    }

    @Test
    void splitViewsShareMemoryAndOutliveTheSource() {
        Tensor[] parts;
        try (Tensor x = Tensor.arange(4)) {
            parts = x.split(0, 2, 2);
        }
        assertTensor(parts[1], shape(2), 2, 3);
        for (Tensor p : parts) {
            p.close();
        }
    }

    // ------------------------------------------------------------------ pad

    @Test
    void padModes() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(1.0, 2.0, 3.0);
            assertTensor(x.pad(new long[]{2, 1}, PadMode.CONSTANT, 0), shape(6), 0, 0, 1, 2, 3, 0);
            assertTensor(x.pad(new long[]{2, 1}, PadMode.CONSTANT, -1.5), shape(6), -1.5, -1.5, 1, 2, 3, -1.5);
            assertTensor(x.pad(new long[]{2, 1}, PadMode.REFLECT, 0), shape(6), 3, 2, 1, 2, 3, 2);
            assertTensor(x.pad(new long[]{2, 1}, PadMode.REPLICATE, 0), shape(6), 1, 1, 1, 2, 3, 3);
            // reflection wider than the dimension keeps bouncing (NumPy)
            assertTensor(x.pad(new long[]{5, 5}, PadMode.REFLECT, 0), shape(13), 2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2);
            assertTensor(Tensor.of(7.0).pad(new long[]{2, 1}, PadMode.REFLECT, 0), shape(4), 7, 7, 7, 7);
        }
    }

    @Test
    void pad2dOnTransposedInput() {
        try (Scope s = Scope.open()) {
            Tensor xt = m23().transpose();                 // [[0, 3], [1, 4], [2, 5]]
            assertTensor(xt.pad(new long[]{0, 1, 1, 0}, PadMode.CONSTANT, 9), shape(4, 3),
                    9, 0, 3, 9, 1, 4, 9, 2, 5, 9, 9, 9);
            assertTensor(xt.pad(new long[]{1, 0, 0, 1}, PadMode.REPLICATE, 0), shape(4, 3),
                    0, 3, 3, 0, 3, 3, 1, 4, 4, 2, 5, 5);
            assertTensor(xt.pad(new long[]{1, 1, 1, 1}, PadMode.REFLECT, 0), shape(5, 4),
                    4, 1, 4, 1, 3, 0, 3, 0, 4, 1, 4, 1, 5, 2, 5, 2, 4, 1, 4, 1);
            assertTensor(xt.pad(new long[]{0, 0, 0, 0}, PadMode.REFLECT, 0), shape(3, 2), 0, 3, 1, 4, 2, 5);
            assertTensor(Tensor.zeros(DType.I32, 0, 2).pad(new long[]{1, 0, 0, 0}, PadMode.CONSTANT, 4), shape(1, 2), 4, 4);
            assertThrows(IllegalArgumentException.class, () -> xt.pad(new long[]{1, 1}, PadMode.CONSTANT, 0));
            assertThrows(IllegalArgumentException.class, () -> xt.pad(new long[]{-1, 0, 0, 0}, PadMode.CONSTANT, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> Tensor.zeros(DType.F32, 0).pad(new long[]{1, 0}, PadMode.REFLECT, 0));
        }
    }

    // ------------------------------------------------------------------ flip / roll / tile / repeatInterleave

    @Test
    void flipCopies() {
        try (Scope s = Scope.open()) {
            Tensor x = m23();
            assertTensor(x.flip(0), shape(2, 3), 3, 4, 5, 0, 1, 2);
            assertTensor(x.flip(-1), shape(2, 3), 2, 1, 0, 5, 4, 3);
            assertTensor(x.flip(), shape(2, 3), 5, 4, 3, 2, 1, 0);
            assertTensor(x.flip(0, 1), shape(2, 3), 5, 4, 3, 2, 1, 0);
            assertTensor(x.transpose().flip(1), shape(3, 2), 3, 0, 4, 1, 5, 2);
            assertTensor(Tensor.zeros(DType.F32, 0, 2).flip(0), shape(0, 2));
            Tensor f = x.flip(0);
            assertTrue(f.isContiguous());
            assertThrows(IllegalArgumentException.class, () -> x.flip(0, 0));
        }
    }

    @Test
    void rollShiftsCyclically() {
        try (Scope s = Scope.open()) {
            assertTensor(Tensor.arange(5).roll(2, 0), shape(5), 3, 4, 0, 1, 2);
            assertTensor(Tensor.arange(5).roll(-1, 0), shape(5), 1, 2, 3, 4, 0);
            assertTensor(Tensor.arange(5).roll(12, -1), shape(5), 3, 4, 0, 1, 2);
            assertTensor(Tensor.arange(5).roll(0, 0), shape(5), 0, 1, 2, 3, 4);
            assertTensor(m23().transpose().roll(1, 0), shape(3, 2), 2, 5, 0, 3, 1, 4);
            assertTensor(Tensor.zeros(DType.F32, 0).roll(3, 0), shape(0));
        }
    }

    @Test
    void tileAndRepeatInterleave() {
        try (Scope s = Scope.open()) {
            assertTensor(Tensor.of(1, 2).tile(2, 3), shape(2, 6), 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2);
            assertTensor(Tensor.of(1, 2).tile(2), shape(4), 1, 2, 1, 2);
            assertTensor(m23().transpose().tile(2), shape(3, 4), 0, 3, 0, 3, 1, 4, 1, 4, 2, 5, 2, 5);
            assertTensor(m23().tile(2, 1), shape(4, 3), 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5);
            assertTensor(m23().tile(0, 1), shape(0, 3));
            assertThrows(IllegalArgumentException.class, () -> m23().tile(-1));

            assertTensor(Tensor.of(1, 2).repeatInterleave(2, 0), shape(4), 1, 1, 2, 2);
            assertTensor(m23().repeatInterleave(2, 0), shape(4, 3), 0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5);
            assertTensor(m23().transpose().repeatInterleave(2, -1), shape(3, 4), 0, 0, 3, 3, 1, 1, 4, 4, 2, 2, 5, 5);
            assertTensor(m23().repeatInterleave(0, 1), shape(2, 0));
            assertThrows(IllegalArgumentException.class, () -> m23().repeatInterleave(-1, 0));
        }
    }

    // ------------------------------------------------------------------ triangles and diagonals

    @Test
    void triuAndTril() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.arange(1, 10, 1, DType.I32).reshape(3, 3);
            assertTensor(x.triu(0), shape(3, 3), 1, 2, 3, 0, 5, 6, 0, 0, 9);
            assertTensor(x.triu(1), shape(3, 3), 0, 2, 3, 0, 0, 6, 0, 0, 0);
            assertTensor(x.tril(0), shape(3, 3), 1, 0, 0, 4, 5, 0, 7, 8, 9);
            assertTensor(x.tril(-1), shape(3, 3), 0, 0, 0, 4, 0, 0, 7, 8, 0);
            assertEquals(DType.I32, x.triu(0).dtype());
            // batched, non-square, transposed
            Tensor b = Tensor.ones(DType.F32, 2, 2, 3);
            assertTensor(b.tril(0), shape(2, 2, 3), 1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0);
            assertTensor(m23().transpose().triu(0), shape(3, 2), 0, 3, 0, 4, 0, 0);
            assertThrows(ShapeMismatchException.class, () -> Tensor.of(1.0).triu(0));
        }
    }

    @Test
    void diagBuildsAndExtracts() {
        try (Scope s = Scope.open()) {
            assertTensor(Tensor.of(1.0, 2.0).diag(0), shape(2, 2), 1, 0, 0, 2);
            assertTensor(Tensor.of(1.0, 2.0).diag(1), shape(3, 3), 0, 1, 0, 0, 0, 2, 0, 0, 0);
            assertTensor(Tensor.of(1.0, 2.0).diag(-1), shape(3, 3), 0, 0, 0, 1, 0, 0, 0, 2, 0);
            Tensor m = Tensor.arange(0, 9, 1, DType.F64).reshape(3, 3);
            assertTensor(m.diag(0), shape(3), 0, 4, 8);
            assertTensor(m.diag(2), shape(1), 2);
            assertTensor(m.diag(-3), shape(0));
            assertTensor(m23().transpose().diag(-1), shape(2), 1, 5);
            assertTensor(Tensor.of(new double[0]).diag(0), shape(0, 0));
            assertThrows(ShapeMismatchException.class, () -> Tensor.zeros(DType.F32, 1, 1, 1).diag(0));
        }
    }

    @Test
    void diagonalIsAView() {
        try (Scope s = Scope.open()) {
            Tensor m = Tensor.arange(0, 9, 1, DType.F64).reshape(3, 3);
            Tensor d = m.diagonal(0, 0, 1);
            assertTensor(d, shape(3), 0, 4, 8);
            assertArrayEquals(new long[]{4}, d.strides());
            assertEquals(m.segment().address(), d.segment().address());
            assertTensor(m.diagonal(1, 0, 1), shape(2), 1, 5);
            assertTensor(m.diagonal(-1, 1, 0), shape(2), 1, 5);
            assertTensor(m.diagonal(-1, 0, 1), shape(2), 3, 7);
            assertTensor(m.diagonal(5, 0, 1), shape(0));
            // 3-D: the diagonal becomes the last dimension
            Tensor c = Tensor.arange(0, 12, 1, DType.F64).reshape(2, 2, 3);
            assertTensor(c.diagonal(0, 1, 2), shape(2, 2), 0, 4, 6, 10);
            assertTensor(c.diagonal(0, 0, 2), shape(2, 2), 0, 7, 3, 10);
            assertThrows(IllegalArgumentException.class, () -> m.diagonal(0, 1, -1));
        }
    }

    // ------------------------------------------------------------------ oneHot

    @Test
    void oneHotEncodes() {
        try (Scope s = Scope.open()) {
            Tensor h = Tensor.of(0L, 2, 1).oneHot(3);
            assertEquals(DType.I64, h.dtype());
            assertTensor(h, shape(3, 3), 1, 0, 0, 0, 0, 1, 0, 1, 0);
            Tensor f = Tensor.fromArray(new int[][]{{1, 0}, {2, 2}}).transpose().oneHot(3, DType.F32);
            assertEquals(DType.F32, f.dtype());
            assertTensor(f, shape(2, 2, 3), 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1);
            assertTensor(Tensor.of(new long[0]).oneHot(4), shape(0, 4));
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> Tensor.of(0L, 3).oneHot(3));
            assertTrue(e.getMessage().contains("index 3"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> Tensor.of(-1L).oneHot(3));
            assertThrows(DTypeMismatchException.class, () -> Tensor.of(0.0).oneHot(3));
            assertThrows(IllegalArgumentException.class, () -> Tensor.of(0L).oneHot(-1));
        }
    }

    // ------------------------------------------------------------------ lifetimes

    @Test
    void resultsBelongToTheCallersScope() {
        Tensor kept;
        try (Scope outer = Scope.open()) {
            Tensor x = m23();
            int before = outer.size();
            Tensor p = x.pad(new long[]{1, 1, 0, 0}, PadMode.REFLECT, 0);
            assertEquals(before + 1, outer.size(), "temporaries stay out of the caller's scope");
            kept = outer.keep(p);
        }
        assertFalse(kept.isClosed());
        assertTensor(kept, shape(4, 3), 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1, 2);
        kept.close();
    }
}
