package dev.proxima.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static dev.proxima.tensor.TensorIndexingTest.assertTensor;
import static dev.proxima.tensor.TensorIndexingTest.m23;
import static dev.proxima.tensor.TensorIndexingTest.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sort, argsort, topk, searchsorted, cumsum, cumprod, clamp. */
class TensorSortingTest {

    private static final double NAN = Double.NaN;

    @AfterEach
    void noLeaks() {
        assertEquals(0, Memory.allocatedBytes(), "every tensor must be freed");
    }

    @Test
    void sortAscendingAndDescending() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(3.0, -1.0, 2.0, 0.5);
            assertTensor(x.sort(0, false), shape(4), -1, 0.5, 2, 3);
            assertTensor(x.sort(-1, true), shape(4), 3, 2, 0.5, -1);
            Tensor m = Tensor.fromArray(new int[][]{{3, 1, 2}, {0, 5, 4}});
            assertTensor(m.sort(1, false), shape(2, 3), 1, 2, 3, 0, 4, 5);
            assertTensor(m.sort(0, true), shape(2, 3), 3, 5, 4, 0, 1, 2);
            assertEquals(DType.I32, m.sort(0, false).dtype());
            // non-contiguous input: sorting the columns of the transpose
            assertTensor(m.transpose().sort(0, false), shape(3, 2), 1, 0, 2, 4, 3, 5);
            assertTensor(Tensor.zeros(DType.F32, 0).sort(0, false), shape(0));
            assertTensor(Tensor.zeros(DType.F32, 2, 0).sort(1, false), shape(2, 0));
            assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(1, DType.F32).sort(0, false));
        }
    }

    @Test
    void argsortIsStableWithTies() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(3.0, 1.0, 2.0, 1.0, 3.0, 1.0);
            assertTensor(x.argsort(0, false), shape(6), 1, 3, 5, 2, 0, 4);
            // descending keeps ties in their original order too (not the reverse of ascending)
            assertTensor(x.argsort(0, true), shape(6), 0, 4, 2, 1, 3, 5);
            assertEquals(DType.I64, x.argsort(0, false).dtype());
            // -0.0 and 0.0 are equal
            assertTensor(Tensor.of(0.0, -0.0, 0.0).argsort(0, false), shape(3), 0, 1, 2);
            // a long lane exercises the merge path: many ties, positions in order within each value
            int n = 200;
            long[] vals = new long[n];
            for (int i = 0; i < n; i++) {
                vals[i] = (i * 7L) % 5;
            }
            long[] order = Tensor.of(vals).argsort(0, false).toLongArray();
            for (int i = 1; i < n; i++) {
                long a = vals[(int) order[i - 1]];
                long b = vals[(int) order[i]];
                assertTrue(a < b || (a == b && order[i - 1] < order[i]), "stable at " + i);
            }
        }
    }

    @Test
    void nanSortsLast() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(2.0, NAN, -1.0, NAN, 5.0);
            assertTensor(x.sort(0, false), shape(5), -1, 2, 5, NAN, NAN);
            assertTensor(x.argsort(0, false), shape(5), 2, 0, 4, 1, 3);
            assertTensor(x.sort(0, true), shape(5), 5, 2, -1, NAN, NAN);
            assertTensor(x.argsort(0, true), shape(5), 4, 0, 2, 1, 3);
            Tensor f = Tensor.of(Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0f);
            assertTensor(f.sort(0, false), shape(4), Double.NEGATIVE_INFINITY, 0, Double.POSITIVE_INFINITY, NAN);
        }
    }

    @Test
    void largeIntegersSortExactly() {
        try (Scope s = Scope.open()) {
            long big = 1L << 60;
            Tensor x = Tensor.of(big + 1, big, big + 3, big + 2);
            assertEquals(big, x.sort(0, false).getLong(0));
            assertTensor(x.argsort(0, false), shape(4), 1, 0, 3, 2);
        }
    }

    @Test
    void topkSelectsSorted() {
        try (Scope s = Scope.open()) {
            try (TopK top = Tensor.of(1.0, 5.0, 3.0, 5.0).topk(2, 0, true)) {
                assertTensor(top.values(), shape(2), 5, 5);
                assertTensor(top.indices(), shape(2), 1, 3);
                assertEquals(DType.I64, top.indices().dtype());
            }
            TopK small = m23().transpose().topk(1, 0, false);   // columns of [[0, 3], [1, 4], [2, 5]]
            assertTensor(small.values(), shape(1, 2), 0, 3);
            assertTensor(small.indices(), shape(1, 2), 0, 0);
            TopK rows = m23().topk(2, -1, true);
            assertTensor(rows.values(), shape(2, 2), 2, 1, 5, 4);
            assertTensor(rows.indices(), shape(2, 2), 2, 1, 2, 1);
            TopK nan = Tensor.of(NAN, 1.0, 2.0).topk(3, 0, true);
            assertTensor(nan.values(), shape(3), 2, 1, NAN);
            TopK none = Tensor.of(1.0, 2.0).topk(0, 0, true);
            assertTensor(none.values(), shape(0));
            assertThrows(IllegalArgumentException.class, () -> Tensor.of(1.0).topk(2, 0, true));
            assertThrows(IllegalArgumentException.class, () -> Tensor.of(1.0).topk(-1, 0, true));
        }
    }

    /**
     * topk selects before it sorts; it must give exactly the first k of the stable sort — the same values and the
     * same positions among ties, NaNs last, −0.0 equal to 0.0 — for every k, both directions, floats and integers.
     */
    @Test
    void topkEqualsTheFirstKOfTheStableSort() {
        Random r = new Random(21);
        try (Scope s = Scope.open()) {
            for (int n : new int[]{1, 2, 5, 17, 64, 333, 20_000}) {
                double[] v = new double[n];
                long[] w = new long[n];
                for (int i = 0; i < n; i++) {
                    int kind = r.nextInt(10);
                    v[i] = kind == 0 ? NAN : kind == 1 ? -0.0 : kind == 2 ? 0.0 : r.nextInt(Math.max(2, n / 4)) - n / 8.0;
                    w[i] = r.nextInt(Math.max(2, n / 3)) - n / 6;
                }
                for (Tensor x : new Tensor[]{Tensor.of(v), Tensor.of(w)}) {
                    for (boolean largest : new boolean[]{true, false}) {
                        Tensor order = x.argsort(0, largest);
                        Tensor sorted = x.sort(0, largest);
                        for (long k : new long[]{1, n / 3, n / 2, n - 1, n}) {
                            if (k < 1) {
                                continue;
                            }
                            TopK top = x.topk(k, 0, largest);
                            String what = x.dtype() + " n " + n + " k " + k + (largest ? " largest" : " smallest");
                            assertArrayEquals(order.slice(0, 0, k, 1).toLongArray(), top.indices().toLongArray(), what);
                            assertArrayEquals(sorted.slice(0, 0, k, 1).toDoubleArray(), top.values().toDoubleArray(), 0, what);
                            // kthvalue: the k-th of the same order, by selection alone
                            TopK kth = x.kthvalue(k, 0, largest);
                            assertArrayEquals(new long[]{1}, kth.values().shape(), what);
                            assertEquals(order.getLong(k - 1), kth.indices().getLong(0), what);
                            assertEquals(sorted.getDouble(k - 1), kth.values().getDouble(0), 0, what);
                        }
                    }
                }
            }
            // already sorted and reversed lanes (the classic bad cases for naive pivots), and all equal
            for (Tensor x : new Tensor[]{Tensor.arange(50_000).cast(DType.F64), Tensor.arange(50_000).cast(DType.F64).neg(),
                    Tensor.zeros(DType.F64, 50_000)}) {
                TopK top = x.topk(1000, 0, true);
                assertArrayEquals(x.argsort(0, true).slice(0, 0, 1000, 1).toLongArray(), top.indices().toLongArray());
            }
        }
    }

    @Test
    void kthvalueAlongAnAxisWithItsGradientAndErrors() {
        try (Scope s = Scope.open()) {
            Tensor m = Tensor.fromArray(new double[][]{{3, 1, 2}, {9, 7, 8}});
            TopK rows = m.kthvalue(2, 1, false);                      // second smallest of each row
            assertTensor(rows.values(), shape(2, 1), 2, 8);
            assertTensor(rows.indices(), shape(2, 1), 2, 2);
            TopK columns = m.kthvalue(1, 0, true);                    // largest of each column, a strided lane
            assertTensor(columns.values(), shape(1, 3), 9, 7, 8);
            assertTensor(columns.indices(), shape(1, 3), 1, 1, 1);
            TopK nan = Tensor.of(NAN, 1.0, 2.0).kthvalue(3, 0, true);  // NaN ranks last in both directions
            assertTrue(Double.isNaN(nan.values().getDouble(0)));
            assertEquals(0, nan.indices().getLong(0));
            // the gradient goes to the selected position
            Tensor x = Tensor.of(4.0, -1.0, 6.0, 0.5).requiresGrad(true);
            Tensor picked = x.kthvalue(2, 0, true).values();           // 4.0, at position 0
            picked.mul(3.0).sum().backward();
            assertTensor(x.grad(), shape(4), 3, 0, 0, 0);
            // other dtypes keep theirs; an empty batch of lanes gives an empty result
            TopK half = Tensor.of(0.5, -2.0, 8.0).cast(DType.F16).kthvalue(1, 0, false);
            assertEquals(DType.F16, half.values().dtype());
            assertEquals(-2.0, half.values().getDouble(0));
            TopK ints = Tensor.of(7L, -3, 7, 1).cast(DType.I32).kthvalue(2, 0, true);
            assertEquals(DType.I32, ints.values().dtype());
            assertEquals(7, ints.values().getLong(0));
            assertEquals(2, ints.indices().getLong(0));             // the later of the tied 7s
            TopK empty = Tensor.zeros(DType.F64, 0, 3).kthvalue(2, 1, true);
            assertArrayEquals(new long[]{0, 1}, empty.values().shape());
            assertThrows(IllegalArgumentException.class, () -> Tensor.of(1.0, 2.0).kthvalue(0, 0, true));
            assertThrows(IllegalArgumentException.class, () -> Tensor.of(1.0, 2.0).kthvalue(3, 0, true));
            assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.F64, 0).kthvalue(1, 0, true));
        }
    }

    @Test
    void searchsortedLeftAndRight() {
        try (Scope s = Scope.open()) {
            Tensor edges = Tensor.of(1.0, 2.0, 2.0, 3.0);
            assertTensor(edges.searchsorted(Tensor.of(2.0, 0.5, 9.0, 3.0), false), shape(4), 1, 0, 4, 3);
            assertTensor(edges.searchsorted(Tensor.of(2.0, 0.5, 9.0, 3.0), true), shape(4), 3, 0, 4, 4);
            // values of any shape and dtype; an int array with float values
            Tensor ints = Tensor.of(10L, 20, 30);
            assertTensor(ints.searchsorted(Tensor.fromArray(new double[][]{{15.5, 30}, {-1, 31}}).transpose(), false),
                    shape(2, 2), 1, 0, 2, 3);
            assertTensor(ints.searchsorted(Tensor.of(20L), true), shape(1), 2);
            // exact for large integers
            long big = 1L << 60;
            assertTensor(Tensor.of(big, big + 1, big + 2).searchsorted(Tensor.of(big + 1), false), shape(1), 1);
            // NaN goes last; a NaN value lands after every number
            Tensor withNan = Tensor.of(1.0, 2.0, NAN);
            assertTensor(withNan.searchsorted(Tensor.of(NAN, 5.0), false), shape(2), 2, 2);
            assertTensor(withNan.searchsorted(Tensor.of(NAN), true), shape(1), 3);
            assertTensor(Tensor.of(new double[0]).searchsorted(Tensor.of(1.0), false), shape(1), 0);
            assertTensor(edges.searchsorted(Tensor.scalar(2.5, DType.F64), false), shape(), 3);
            // a strided sorted view
            assertTensor(Tensor.of(1.0, 99, 2, 99, 3).slice(0, 0, 5, 2).searchsorted(Tensor.of(2.5), false), shape(1), 2);
            ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> m23().searchsorted(Tensor.of(1.0), false));
            assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
        }
    }

    @Test
    void cumsumAndCumprod() {
        try (Scope s = Scope.open()) {
            Tensor x = m23();
            assertTensor(x.cumsum(1), shape(2, 3), 0, 1, 3, 3, 7, 12);
            assertTensor(x.cumsum(0), shape(2, 3), 0, 1, 2, 3, 5, 7);
            assertTensor(x.transpose().cumsum(-1), shape(3, 2), 0, 3, 1, 5, 2, 7);
            assertTensor(x.add(1).cumprod(1), shape(2, 3), 1, 2, 6, 4, 20, 120);
            // integers accumulate in I64, like NumPy
            Tensor big = Tensor.of(Integer.MAX_VALUE, Integer.MAX_VALUE);
            Tensor c = big.cumsum(0);
            assertEquals(DType.I64, c.dtype());
            assertEquals(2L * Integer.MAX_VALUE, c.getLong(1));
            assertEquals(DType.I64, Tensor.of(true, true).cumsum(0).dtype());
            assertTensor(Tensor.of(true, false, true).cumsum(0), shape(3), 1, 1, 2);
            assertEquals(DType.F32, Tensor.of(1f, 2f).cumprod(0).dtype());
            assertTensor(Tensor.of(1.0, NAN, 2.0).cumsum(0), shape(3), 1, NAN, NAN);
            assertTensor(Tensor.zeros(DType.F64, 0, 3).cumsum(0), shape(0, 3));
            assertThrows(IllegalArgumentException.class, () -> x.cumsum(2));
        }
    }

    @Test
    void clampKeepsNaN() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(-2.0, 0.5, 3.0, NAN);
            assertTensor(x.clamp(0, 1), shape(4), 0, 0.5, 1, NAN);
            assertTensor(x.clamp(Double.NEGATIVE_INFINITY, 1), shape(4), -2, 0.5, 1, NAN);
            assertTensor(x.clamp(0, Double.POSITIVE_INFINITY), shape(4), 0, 0.5, 3, NAN);
            assertTensor(x.clamp(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY), shape(4), -2, 0.5, 3, NAN);
            // min > max: everything becomes max (NumPy)
            assertTensor(x.clamp(2, 1), shape(4), 1, 1, 1, NAN);
            Tensor ints = Tensor.of(-5, 0, 5);
            Tensor ci = ints.clamp(-1, 1);
            assertEquals(DType.I32, ci.dtype());
            assertTensor(ci, shape(3), -1, 0, 1);
            assertEquals(DType.F64, ints.clamp(-1, 2.5).dtype());
            assertTensor(m23().transpose().clamp(1, 4), shape(3, 2), 1, 3, 1, 4, 2, 4);
        }
    }

    @Test
    void largeInputsSplitOverWorkers() {
        // big enough that the kernels split their lanes over worker threads
        int rows = 400;
        int cols = 300;
        Random random = new Random(7);
        double[] values = new double[rows * cols];
        long[] index = new long[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextInt(50);
            index[i] = random.nextInt(cols);
        }
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(values).reshape(rows, cols);
            Tensor idx = Tensor.of(index).reshape(rows, cols);
            double[] sorted = x.sort(1, false).toDoubleArray();
            long[] order = x.argsort(1, false).toLongArray();
            double[] gathered = x.gather(1, idx).toDoubleArray();
            double[] added = Tensor.zeros(DType.F64, rows, cols).scatterAdd(1, idx, x).toDoubleArray();
            double[] sums = x.cumsum(1).toDoubleArray();
            for (int r = 0; r < rows; r++) {
                double[] row = Arrays.copyOfRange(values, r * cols, (r + 1) * cols);
                double[] expect = row.clone();
                Arrays.sort(expect);
                double[] expectAdded = new double[cols];
                double run = 0;
                for (int c = 0; c < cols; c++) {
                    int at = r * cols + c;
                    assertEquals(expect[c], sorted[at]);
                    assertEquals(expect[c], row[(int) order[at]]);
                    if (c > 0 && sorted[at] == sorted[at - 1]) {
                        assertTrue(order[at] > order[at - 1], "stable");
                    }
                    assertEquals(row[(int) index[at]], gathered[at]);
                    expectAdded[(int) index[at]] += row[c];
                    run += row[c];
                    assertEquals(run, sums[at]);
                }
                assertArrayEquals(expectAdded, Arrays.copyOfRange(added, r * cols, (r + 1) * cols), 0);
            }
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> x.gather(1, idx.add(cols)));
            assertTrue(e.getMessage().contains("axis 1"), e.getMessage());
        }
    }
}
