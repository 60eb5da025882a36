package dev.proxima.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by the tensor front end. */
final class Shapes {

    private Shapes() {
    }

    static String str(long[] shape) {
        return Arrays.toString(shape);
    }

    static long size(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * {@code a + b} for an extent of {@code op}'s result.
     *
     * @throws IllegalArgumentException naming the op if the sum does not fit in a long
     */
    static long extentSum(String op, long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(op + ": an extent of the result (" + a + " + " + b + ") is too large (above 2^63 - 1)");
        }
    }

    /**
     * {@code a × b} for an extent of {@code op}'s result.
     *
     * @throws IllegalArgumentException naming the op if the product does not fit in a long
     */
    static long extentProduct(String op, long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(op + ": an extent of the result (" + a + " × " + b + ") is too large (above 2^63 - 1)");
        }
    }

    static long[] contiguousStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= Math.max(1, shape[d]);
        }
        return strides;
    }

    static long[] checkShape(long[] shape) {
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("dimensions must be >= 0, got shape " + str(shape));
            }
        }
        try {
            size(shape);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^63 elements");
        }
        return shape.clone();
    }

    /** NumPy broadcasting of two shapes. */
    static long[] broadcast(String op, long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long da = i < r - a.length ? 1 : a[i - (r - a.length)];
            long db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new ShapeMismatchException(op + ": shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast together (dimension " + i + " of the result: " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Normalises a possibly negative axis. */
    static int axis(int axis, int rank) {
        if (axis < -rank || axis >= rank) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for a tensor of rank " + rank
                    + " (expected " + (-rank) + " .. " + (rank - 1) + ")");
        }
        return axis < 0 ? axis + rank : axis;
    }

    /** Normalised, sorted, distinct axes; an empty array means every axis. */
    static int[] axes(int[] axes, int rank) {
        if (axes == null || axes.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = axis(axes[i], rank);
        }
        Arrays.sort(out);
        for (int i = 1; i < out.length; i++) {
            if (out[i] == out[i - 1]) {
                throw new IllegalArgumentException("axis " + out[i] + " is repeated in " + Arrays.toString(axes));
            }
        }
        return out;
    }

    /**
     * Strides for viewing (shape, strides) as newShape without copying, or null if impossible.
     * Dimensions are grouped into runs that are contiguous among themselves; each run of the old shape
     * must be split or merged exactly by a run of the new shape.
     */
    static long[] viewStrides(long[] shape, long[] strides, long[] newShape) {
        long[] out = new long[newShape.length];
        if (size(shape) == 0 || shape.length == 0) {
            return contiguousStrides(newShape);
        }
        int v = newShape.length - 1;
        long chunkStride = strides[shape.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            tensorNumel *= shape[d];
            boolean runEnds = d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkStride);
            if (runEnds) {
                while (v >= 0 && (viewNumel < tensorNumel || newShape[v] == 1)) {
                    out[v] = viewNumel * chunkStride;
                    viewNumel *= newShape[v];
                    v--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (d > 0) {
                    chunkStride = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return v == -1 ? out : null;
    }

    static long[] insert(long[] a, int at, long value) {
        long[] out = new long[a.length + 1];
        System.arraycopy(a, 0, out, 0, at);
        out[at] = value;
        System.arraycopy(a, at, out, at + 1, a.length - at);
        return out;
    }

    static long[] remove(long[] a, int at) {
        long[] out = new long[a.length - 1];
        System.arraycopy(a, 0, out, 0, at);
        System.arraycopy(a, at + 1, out, at, a.length - at - 1);
        return out;
    }
}
