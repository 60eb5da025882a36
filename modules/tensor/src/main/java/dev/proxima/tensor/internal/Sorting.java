package dev.proxima.tensor.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.spi.StridedView;

import java.lang.foreign.MemorySegment;

import static dev.proxima.tensor.internal.ElementAccess.I64;

/**
 * Sorting CPU kernels: a stable sort along an axis (values and/or source positions, optionally only the
 * first k, which are selected before they are sorted), the k-th element of that order by selection alone, and
 * binary search into a sorted 1-D array.
 *
 * <p>Order: floating-point values compare numerically with every NaN after every number (in both
 * directions) and −0.0 equal to 0.0; integer values compare as 64-bit integers, so I64 keys above
 * 2⁵³ keep their exact order. Equal keys keep their original order (the sort is stable, also when
 * descending).
 */
public final class Sorting {

    /** Lanes up to this length are sorted by insertion sort. */
    private static final int INSERTION = 16;

    private Sorting() {
    }

    /** Compares the keys at two positions of a lane. */
    @FunctionalInterface
    interface PositionOrder {
        int compare(int i, int j);
    }

    /** Ascending order of doubles with NaNs last and −0.0 == 0.0. */
    static int compareAscending(double a, double b) {
        if (a < b) {
            return -1;
        }
        if (a > b) {
            return 1;
        }
        boolean na = Double.isNaN(a);
        boolean nb = Double.isNaN(b);
        return na == nb ? 0 : na ? 1 : -1;
    }

    /** Descending order of doubles with NaNs last and −0.0 == 0.0. */
    static int compareDescending(double a, double b) {
        if (a > b) {
            return -1;
        }
        if (a < b) {
            return 1;
        }
        boolean na = Double.isNaN(a);
        boolean nb = Double.isNaN(b);
        return na == nb ? 0 : na ? 1 : -1;
    }

    /**
     * Sorts every lane of {@code src} along {@code axis} and writes the first {@code k} entries of the
     * sorted order: the values to {@code values} (src's dtype) and the positions they came from to
     * {@code indices} (I64). Either output may be null; each has src's shape except {@code k} along
     * {@code axis}.
     */
    public static void sort(StridedView src, int axis, boolean descending, long k, StridedView values, StridedView indices) {
        order(src, axis, descending, k, false, values, indices);
    }

    /**
     * Writes the k-th entry (k ≥ 1) of every lane's stable sorted order — what {@link #sort} writes at position
     * k − 1 — to {@code values} and {@code indices}, which have extent 1 along {@code axis}, by selection: O(n) per
     * lane instead of a sort. Either output may be null.
     */
    public static void kthValue(StridedView src, int axis, boolean descending, long k, StridedView values, StridedView indices) {
        order(src, axis, descending, k, true, values, indices);
    }

    /** {@link #sort} (the first k of each lane's order) or, for {@code kthOnly}, {@link #kthValue} (its k-th). */
    private static void order(StridedView src, int axis, boolean descending, long k, boolean kthOnly, StridedView values,
                              StridedView indices) {
        long n = src.shape()[axis];
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cannot sort lanes of " + n + " elements (at most 2^31 - 9)");
        }
        int len = (int) n;
        MemorySegment s = src.storage().segment();
        MemorySegment vs = values == null ? null : values.storage().segment();
        MemorySegment is = indices == null ? null : indices.storage().segment();
        DType t = src.dtype();
        boolean floating = t.isFloating();
        int size = t.byteSize();
        long ss = src.strides()[axis];
        long vst = values == null ? 0 : values.strides()[axis];
        long ist = indices == null ? 0 : indices.strides()[axis];
        StridedView[] operands = values == null ? new StridedView[]{src, indices}
                : indices == null ? new StridedView[]{src, values} : new StridedView[]{src, values, indices};
        int vi = values == null ? -1 : 1;
        int ii = indices == null ? -1 : operands.length - 1;
        long cost = Math.max(1, n * (64 - Long.numberOfLeadingZeros(Math.max(1, n))));
        Indexing.lanes(axis, (int) Math.min(Integer.MAX_VALUE, cost), b -> {
            int[] order = new int[len];
            for (int i = 0; i < len; i++) {
                order[i] = i;
            }
            PositionOrder cmp;
            if (floating) {
                double[] keys = new double[len];
                for (int i = 0; i < len; i++) {
                    keys[i] = ElementAccess.getDouble(s, t, b[0] + i * ss);
                }
                cmp = descending ? (x, y) -> compareDescending(keys[x], keys[y]) : (x, y) -> compareAscending(keys[x], keys[y]);
            } else {
                long[] keys = new long[len];
                for (int i = 0; i < len; i++) {
                    keys[i] = ElementAccess.getLong(s, t, b[0] + i * ss);
                }
                cmp = descending ? (x, y) -> Long.compare(keys[y], keys[x]) : (x, y) -> Long.compare(keys[x], keys[y]);
            }
            // the first k of the stable order are the k least under (key, position): select them in O(n), then sort
            // only those (or, for the k-th alone, none) — equal to sorting the whole lane
            PositionOrder total = (x, y) -> {
                int c = cmp.compare(x, y);
                return c != 0 ? c : Integer.compare(x, y);
            };
            boolean selected = k > 0 && k < len && select(order, (int) k, total, 2 * (32 - Integer.numberOfLeadingZeros(len)) + 8);
            if (selected && !kthOnly) {
                mergeSort(order, new int[(int) k], 0, (int) k, total);
            } else if (!selected && k > 0) {
                // all of the lane, or pivots kept failing — after which order is permuted, so ties go by position
                mergeSort(order, new int[len], 0, len, total);
            }
            for (int r = kthOnly ? (int) k - 1 : 0; r < k; r++) {
                int out = kthOnly ? 0 : r;
                if (vi >= 0) {
                    Indexing.copyElement(s, b[0] + order[r] * ss, vs, b[vi] + out * vst, size);
                }
                if (ii >= 0) {
                    is.setAtIndex(I64, b[ii] + out * ist, order[r]);
                }
            }
        }, operands);
    }

    /**
     * Rearranges {@code a} so that its first {@code k} entries are its k least under {@code total} (a strict total
     * order: no two distinct entries compare equal), in no particular order except that {@code a[k − 1]} is the
     * k-th least: quickselect with median-of-three pivots. Returns false, with {@code a} permuted but not selected,
     * if it needs more partitioning rounds than {@code rounds} (the caller gives 2·log₂ n + 8 and sorts instead of
     * spending quadratic time on lopsided partitions).
     */
    static boolean select(int[] a, int k, PositionOrder total, int rounds) {
        int lo = 0;
        int hi = a.length - 1;
        int target = k - 1;
        while (hi > lo) {
            if (rounds-- == 0) {
                return false;
            }
            int mid = (lo + hi) >>> 1;
            if (total.compare(a[mid], a[lo]) < 0) {
                swap(a, lo, mid);
            }
            if (total.compare(a[hi], a[lo]) < 0) {
                swap(a, lo, hi);
            }
            if (total.compare(a[hi], a[mid]) < 0) {
                swap(a, mid, hi);
            }
            int pivot = a[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (total.compare(a[i], pivot) < 0) {
                    i++;
                }
                while (total.compare(a[j], pivot) > 0) {
                    j--;
                }
                if (i <= j) {
                    swap(a, i, j);
                    i++;
                    j--;
                }
            }
            // [lo, j] precede the pivot, [i, hi] follow it, anything between is the pivot itself
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                return true;
            }
        }
        return true;
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    /** Stable sort of {@code a[from, to)} by {@code cmp}, using {@code tmp} (same length) as scratch. */
    private static void mergeSort(int[] a, int[] tmp, int from, int to, PositionOrder cmp) {
        if (to - from <= INSERTION) {
            for (int i = from + 1; i < to; i++) {
                int x = a[i];
                int j = i - 1;
                while (j >= from && cmp.compare(a[j], x) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = x;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, tmp, from, mid, cmp);
        mergeSort(a, tmp, mid, to, cmp);
        if (cmp.compare(a[mid - 1], a[mid]) <= 0) {
            return;
        }
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from;
        int j = mid;
        for (int o = from; o < to; o++) {
            // take from the right run only when strictly smaller: equal keys keep their order
            if (j >= to || (i < mid && cmp.compare(tmp[i], tmp[j]) <= 0)) {
                a[o] = tmp[i++];
            } else {
                a[o] = tmp[j++];
            }
        }
    }

    /**
     * For every element v of {@code values}, writes to {@code dst} (I64, values' shape) the insertion
     * point of v into the sorted 1-D {@code sorted}: the first position i with {@code sorted[i] >= v}
     * (or {@code > v} if {@code right}), in the order described on this class. Integer pairs compare
     * as 64-bit integers, anything else as doubles.
     */
    public static void searchSorted(StridedView sorted, StridedView values, boolean right, StridedView dst) {
        MemorySegment a = sorted.storage().segment();
        MemorySegment v = values.storage().segment();
        MemorySegment d = dst.storage().segment();
        DType at = sorted.dtype();
        DType vt = values.dtype();
        boolean floating = at.isFloating() || vt.isFloating();
        long n = sorted.shape()[0];
        long as = sorted.strides()[0];
        long ao = sorted.offset();
        int cost = 1 + 2 * (64 - Long.numberOfLeadingZeros(Math.max(1, n)));
        long[] base = {dst.offset(), values.offset()};
        StridedLoop.of(dst.shape(), dst.strides(), values.strides()).run(base, cost, (off, inner, len) -> {
            for (long j = 0; j < len; j++) {
                long lo = 0;
                long hi = n;
                if (floating) {
                    double x = ElementAccess.getDouble(v, vt, off[1] + j * inner[1]);
                    while (lo < hi) {
                        long mid = (lo + hi) >>> 1;
                        int c = compareAscending(ElementAccess.getDouble(a, at, ao + mid * as), x);
                        if (right ? c <= 0 : c < 0) {
                            lo = mid + 1;
                        } else {
                            hi = mid;
                        }
                    }
                } else {
                    long x = ElementAccess.getLong(v, vt, off[1] + j * inner[1]);
                    while (lo < hi) {
                        long mid = (lo + hi) >>> 1;
                        long y = ElementAccess.getLong(a, at, ao + mid * as);
                        if (right ? y <= x : y < x) {
                            lo = mid + 1;
                        } else {
                            hi = mid;
                        }
                    }
                }
                d.setAtIndex(I64, off[0] + j * inner[0], lo);
            }
        });
    }
}
