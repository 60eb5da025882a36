package dev.proxima.tensor.internal;

import dev.proxima.tensor.AllocatorCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The lock-step strided iterator behind every elementwise kernel. */
@ExtendWith(AllocatorCheck.class)
class StridedLoopTest {

    @Test
    void denseOperandsBecomeOneRow() {
        assertEquals("StridedLoop[]x24", StridedLoop.of(new long[]{2, 3, 4}, new long[]{12, 4, 1}, new long[]{12, 4, 1}).toString());
        // size-1 dimensions are dropped whatever their stride
        assertEquals("StridedLoop[]x6", StridedLoop.of(new long[]{2, 1, 3}, new long[]{3, 99, 1}).toString());
        // a transposed operand prevents merging
        assertEquals("StridedLoop[4]x6", StridedLoop.of(new long[]{4, 6}, new long[]{6, 1}, new long[]{1, 4}).toString());
        // a broadcast operand (stride 0 on both dimensions) merges
        assertEquals("StridedLoop[]x12", StridedLoop.of(new long[]{3, 4}, new long[]{4, 1}, new long[]{0, 0}).toString());
        assertEquals(1, StridedLoop.of(new long[0], new long[0]).total());
        assertEquals(0, StridedLoop.of(new long[]{3, 0, 2}, new long[]{0, 2, 1}).total());
    }

    @Test
    void emptyRangesAndLoopsRunNothing() {
        List<Long> seen = new ArrayList<>();
        StridedLoop empty = StridedLoop.of(new long[]{0, 3}, new long[]{3, 1});
        empty.run(new long[]{0}, 1, (off, inner, n) -> seen.add(n));
        empty.runRange(new long[]{0}, 0, 0, (off, inner, n) -> seen.add(n));
        StridedLoop.of(new long[]{5}, new long[]{1}).runRange(new long[]{0}, 3, 3, (off, inner, n) -> seen.add(n));
        assertEquals(List.of(), seen);
    }

    /** Every flat range of random shapes and strides visits exactly the offsets of a naive index walk. */
    @Test
    void rangesVisitTheRightOffsets() {
        Random rnd = new Random(9);
        for (int trial = 0; trial < 500; trial++) {
            int rank = rnd.nextInt(5);
            long[] shape = new long[rank];
            long[][] strides = new long[2][rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = 1 + rnd.nextInt(4);
                strides[0][d] = rnd.nextInt(4) * (rnd.nextInt(3) == 0 ? 0 : 1);
                strides[1][d] = rnd.nextInt(30);
            }
            // make operand 0 dense row-major half of the time, so that merging happens
            if (rnd.nextBoolean()) {
                long s = 1;
                for (int d = rank - 1; d >= 0; d--) {
                    strides[0][d] = s;
                    s *= shape[d];
                }
            }
            long[] base = {rnd.nextInt(5), rnd.nextInt(5)};
            long total = 1;
            for (long d : shape) {
                total *= d;
            }
            long[][] expected = naive(shape, strides, base, total);
            StridedLoop loop = StridedLoop.of(shape, strides[0], strides[1]);
            assertEquals(total, loop.total());
            long start = total == 0 ? 0 : rnd.nextLong(total);
            long end = start + (total == start ? 0 : rnd.nextLong(total - start) + 1);
            List<long[]> got = new ArrayList<>();
            loop.runRange(base, start, end, (off, inner, n) -> {
                for (long j = 0; j < n; j++) {
                    got.add(new long[]{off[0] + j * inner[0], off[1] + j * inner[1]});
                }
            });
            assertEquals(end - start, got.size());
            for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(expected[(int) start + i], got.get(i), "trial " + trial + " element " + (start + i));
            }
        }
    }

    private static long[][] naive(long[] shape, long[][] strides, long[] base, long total) {
        long[][] out = new long[(int) total][2];
        long[] idx = new long[shape.length];
        for (int i = 0; i < total; i++) {
            for (int o = 0; o < 2; o++) {
                long off = base[o];
                for (int d = 0; d < shape.length; d++) {
                    off += idx[d] * strides[o][d];
                }
                out[i][o] = off;
            }
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
