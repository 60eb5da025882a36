package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.proxima.tensor.TensorMathTest.throwsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Shape arithmetic: broadcasting, axes, and the strides of reshape-as-view. */
@ExtendWith(AllocatorCheck.class)
class ShapesTest {

    @Test
    void broadcasting() {
        assertArrayEquals(new long[]{3, 4}, Shapes.broadcast("t", new long[]{3, 1}, new long[]{1, 4}));
        assertArrayEquals(new long[]{2, 3, 4}, Shapes.broadcast("t", new long[]{2, 3, 4}, new long[]{4}));
        assertArrayEquals(new long[]{2, 3}, Shapes.broadcast("t", new long[0], new long[]{2, 3}));
        assertArrayEquals(new long[]{0, 3}, Shapes.broadcast("t", new long[]{0, 1}, new long[]{3}));
        assertArrayEquals(new long[]{0}, Shapes.broadcast("t", new long[]{1}, new long[]{0}));
        throwsWith(ShapeMismatchException.class, () -> Shapes.broadcast("op", new long[]{0}, new long[]{3}),
                "op: shapes [0] and [3] cannot be broadcast together", "0 vs 3");
    }

    @Test
    void axes() {
        assertArrayEquals(new int[]{0, 1, 2}, Shapes.axes(new int[0], 3));
        assertArrayEquals(new int[]{0, 2}, Shapes.axes(new int[]{-1, 0}, 3));
        assertArrayEquals(new int[0], Shapes.axes(null, 0));
        throwsWith(IllegalArgumentException.class, () -> Shapes.axes(new int[]{1, -2}, 3), "repeated");
        throwsWith(IllegalArgumentException.class, () -> Shapes.axis(3, 3), "expected -3 .. 2");
        throwsWith(IllegalArgumentException.class, () -> Shapes.axis(0, 0), "rank 0");
    }

    @Test
    void viewStridesByHand() {
        // contiguous 2x3x4 to 6x4 and 4x6
        assertArrayEquals(new long[]{4, 1}, Shapes.viewStrides(new long[]{2, 3, 4}, new long[]{12, 4, 1}, new long[]{6, 4}));
        assertArrayEquals(new long[]{6, 1}, Shapes.viewStrides(new long[]{2, 3, 4}, new long[]{12, 4, 1}, new long[]{4, 6}));
        // the transpose of a 4x6 cannot be flattened without a copy, but its dimensions can be split
        assertNull(Shapes.viewStrides(new long[]{6, 4}, new long[]{1, 6}, new long[]{24}));
        assertArrayEquals(new long[]{2, 1, 6}, Shapes.viewStrides(new long[]{6, 4}, new long[]{1, 6}, new long[]{3, 2, 4}));
        // size-1 dimensions anywhere
        assertArrayEquals(new long[]{3, 3, 1, 1},
                Shapes.viewStrides(new long[]{2, 3}, new long[]{3, 1}, new long[]{2, 1, 3, 1}));
        // empty and 0-d
        assertNotNull(Shapes.viewStrides(new long[]{0, 3}, new long[]{3, 1}, new long[]{3, 0}));
        assertArrayEquals(new long[]{1}, Shapes.viewStrides(new long[0], new long[0], new long[]{1}));
        assertArrayEquals(new long[0], Shapes.viewStrides(new long[]{1, 1}, new long[]{5, 7}, new long[0]));
    }

    /**
     * Property: whenever viewStrides gives strides, the view visits exactly the same memory offsets in
     * row-major order as the original; for contiguous sources it always gives strides.
     */
    @Test
    void viewStridesPreserveElementOrder() {
        Random rnd = new Random(11);
        int views = 0;
        for (int trial = 0; trial < 3000; trial++) {
            int rank = 1 + rnd.nextInt(4);
            long[] base = new long[rank];
            for (int d = 0; d < rank; d++) {
                base[d] = 1 + rnd.nextInt(4);
            }
            long[] strides = Shapes.contiguousStrides(base);
            long[] shape = base.clone();
            // a random permutation and an optional stepped slice
            List<Integer> perm = new ArrayList<>();
            for (int d = 0; d < rank; d++) {
                perm.add(d);
            }
            java.util.Collections.shuffle(perm, rnd);
            long[] ps = new long[rank];
            long[] pst = new long[rank];
            for (int d = 0; d < rank; d++) {
                ps[d] = shape[perm.get(d)];
                pst[d] = strides[perm.get(d)];
            }
            if (rnd.nextBoolean()) {
                int d = rnd.nextInt(rank);
                pst[d] *= 2;
                ps[d] = (ps[d] + 1) / 2;
            }
            long n = Shapes.size(ps);
            long[] target = randomFactorisation(rnd, n);
            long[] vs = Shapes.viewStrides(ps, pst, target);
            boolean contiguous = java.util.Arrays.equals(pst, Shapes.contiguousStrides(ps));
            if (contiguous) {
                assertNotNull(vs, "contiguous " + java.util.Arrays.toString(ps) + " -> " + java.util.Arrays.toString(target));
            }
            if (vs != null) {
                views++;
                assertArrayEquals(offsets(ps, pst), offsets(target, vs),
                        java.util.Arrays.toString(ps) + "/" + java.util.Arrays.toString(pst) + " -> "
                                + java.util.Arrays.toString(target) + "/" + java.util.Arrays.toString(vs));
            }
        }
        assertEquals(true, views > 1000, "only " + views + " views");
    }

    private static long[] randomFactorisation(Random rnd, long n) {
        List<Long> dims = new ArrayList<>();
        long rest = n;
        while (rest > 1) {
            long f = 2;
            while (rest % f != 0) {
                f++;
            }
            if (!dims.isEmpty() && rnd.nextBoolean()) {
                dims.set(dims.size() - 1, dims.get(dims.size() - 1) * f);
            } else {
                dims.add(f);
            }
            rest /= f;
        }
        if (rnd.nextInt(3) == 0) {
            dims.add(rnd.nextInt(dims.size() + 1), 1L);
        }
        java.util.Collections.shuffle(dims, rnd);
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static long[] offsets(long[] shape, long[] strides) {
        long n = Shapes.size(shape);
        long[] out = new long[(int) n];
        long[] idx = new long[shape.length];
        for (int i = 0; i < n; i++) {
            long off = 0;
            for (int d = 0; d < shape.length; d++) {
                off += idx[d] * strides[d];
            }
            out[i] = off;
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out;
    }
}
