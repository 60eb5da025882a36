package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Index-driven and reordering ops copy F16 and BF16 elements whole: each result equals the same op in
 * F64 on values exact in both half types (multiples of 1/8), converted afterwards. (The element copy of
 * gather, scatter, maskedSelect, sort and topk once moved one byte of each two-byte element.)
 */
@ExtendWith(NoLeaks.class)
class HalfIndexingTest {

    private static final DType[] HALVES = {DType.F16, DType.BF16};

    /** f on x in {@code t} equals f on x in F64 converted to {@code t}, bit for bit. */
    private static void same(String what, DType t, Tensor x, Function<Tensor, Tensor> f) {
        Tensor expected = f.apply(x).cast(t);
        Tensor actual = f.apply(x.cast(t));
        assertEquals(t, actual.dtype(), what + " dtype");
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), 0, what + " in " + t);
    }

    @Test
    void halfElementsSurviveIndexingSortingAndReordering() {
        try (Scope s = Scope.open()) {
            double[] values = new double[24];
            for (int i = 0; i < values.length; i++) {
                values[i] = ((i * 37 + 5) % 33 - 16) / 8.0; // k/8 in [-2, 2], with ties
            }
            Tensor x = Tensor.of(values).reshape(4, 6);
            Tensor idx = Tensor.fromArray(new long[][]{{5, 0, 3}, {1, 1, 4}, {2, 0, 5}, {4, 3, 0}});
            for (DType t : HALVES) {
                same("gather", t, x, v -> v.gather(1, idx));
                same("takeAlongAxis", t, x, v -> v.takeAlongAxis(idx, 1));
                same("indexSelect", t, x, v -> v.indexSelect(0, Tensor.of(3L, 0L, 2L)));
                same("scatter", t, x, v -> v.scatter(1, idx, v.slice(1, 0, 3, 1).neg()));
                same("scatterAdd", t, x, v -> v.scatterAdd(1, idx, v.slice(1, 0, 3, 1)));
                same("maskedSelect", t, x, v -> v.maskedSelect(v.gt(0)));
                same("sort", t, x, v -> v.sort(1, false));
                same("sort descending", t, x, v -> v.sort(0, true));
                same("topk values", t, x, v -> v.topk(2, 1, true).values());
                same("concat", t, x, v -> Tensor.concat(0, v, v.slice(0, 1, 3, 1)));
                same("stack", t, x, v -> Tensor.stack(1, v, v.flip(0)));
                same("flip", t, x, v -> v.flip(1));
                same("roll", t, x, v -> v.roll(2, 1));
                same("tile", t, x, v -> v.tile(2, 1));
                same("repeatInterleave", t, x, v -> v.repeatInterleave(2, 0));
                same("pad reflect", t, x, v -> v.pad(new long[]{1, 1, 2, 2}, PadMode.REFLECT, 0));
                same("transpose copy", t, x, v -> v.transpose().contiguous());
            }
        }
    }
}
