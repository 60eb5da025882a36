package dev.proxima.tensor.internal;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quickselect under topk and kthvalue: what it selects, and that it gives up (for a sort) when told to. */
class SortingSelectTest {

    /** Positions 0..n−1 ordered by key, ties by position: the order topk's selection uses. */
    private static Sorting.PositionOrder byKey(int[] keys) {
        return (x, y) -> {
            int c = Integer.compare(keys[x], keys[y]);
            return c != 0 ? c : Integer.compare(x, y);
        };
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    @Test
    void selectsTheKLeastWithTheKthInPlace() {
        Random r = new Random(5);
        for (int n : new int[]{2, 3, 10, 101, 5000}) {
            int[] keys = new int[n];
            for (int i = 0; i < n; i++) {
                keys[i] = r.nextInt(Math.max(2, n / 5));       // many ties
            }
            Sorting.PositionOrder order = byKey(keys);
            Integer[] sorted = Arrays.stream(identity(n)).boxed().sorted(order::compare).toArray(Integer[]::new);
            for (int k : new int[]{1, n / 2, n - 1, n}) {
                if (k < 1) {
                    continue;
                }
                int[] a = identity(n);
                assertTrue(Sorting.select(a, k, order, 64));
                assertEquals(sorted[k - 1], a[k - 1], "n " + n + " k " + k);
                int[] first = Arrays.copyOf(a, k);
                Arrays.sort(first);
                int[] want = new int[k];
                for (int i = 0; i < k; i++) {
                    want[i] = sorted[i];
                }
                Arrays.sort(want);
                assertArrayEquals(want, first, "n " + n + " k " + k);
            }
        }
    }

    @Test
    void givesUpWhenItsRoundsRunOut() {
        int n = 1000;
        int[] keys = new int[n];
        for (int i = 0; i < n; i++) {
            keys[i] = (i * 7919) % n;
        }
        int[] a = identity(n);
        assertFalse(Sorting.select(a, n / 2, byKey(keys), 1));
        // and what it leaves is a permutation of the lane (the caller sorts it by key and position)
        int[] copy = a.clone();
        Arrays.sort(copy);
        assertArrayEquals(identity(n), copy);
    }
}
