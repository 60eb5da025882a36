package dev.proxima.optim.internal;

import dev.proxima.optim.prox.Groups;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;

/** Group norms and group-wise scaling with tensor ops, for the group penalties. */
public final class GroupOps {

    private GroupOps() {
    }

    /**
     * The axis of fibre groups, normalised for a tensor of {@code rank} dimensions.
     *
     * @param groups fibre groups
     * @param rank   the tensor's rank
     * @return the axis in {@code [0, rank)}
     */
    static int axis(Groups groups, int rank) {
        int a = groups.axis() < 0 ? groups.axis() + rank : groups.axis();
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("the group axis " + groups.axis() + " is out of range for a tensor of rank "
                    + rank + "; expected an axis in [" + (-rank) + ", " + rank + ")");
        }
        return a;
    }

    /**
     * The number of groups of a tensor of shape {@code shape}, checking that the grouping fits it.
     *
     * @param groups the grouping
     * @param shape  the tensor's shape
     * @return the number of groups
     */
    public static long count(Groups groups, long[] shape) {
        long size = 1;
        for (long d : shape) {
            size *= d;
        }
        if (groups.isAxis()) {
            int a = axis(groups, shape.length);
            return shape[a] == 0 ? 0 : size / shape[a];
        }
        long[][] idx = groups.indices();
        for (int g = 0; g < idx.length; g++) {
            for (long i : idx[g]) {
                if (i >= size) {
                    throw new IllegalArgumentException("group " + g + " has position " + i + ", past the end of a tensor of "
                            + size + " elements (shape " + Arrays.toString(shape) + ")");
                }
            }
        }
        return idx.length;
    }

    /** The group id of each flattened element (the group count for elements in no group), on {@code x}'s device. */
    private static Tensor ids(Groups groups, Tensor x) {
        long[][] idx = groups.indices();
        long[] id = new long[Math.toIntExact(x.size())];
        Arrays.fill(id, idx.length);
        for (int g = 0; g < idx.length; g++) {
            for (long i : idx[g]) {
                id[(int) i] = g;
            }
        }
        Tensor host = Tensor.of(id);
        if (x.device().equals(host.device())) {
            return host;
        }
        Tensor moved = host.to(x.device());
        host.close();
        return moved;
    }

    /**
     * The Euclidean norm of each group of {@code x}.
     *
     * @param groups the grouping
     * @param x      the tensor
     * @return a new 1-D tensor of the group norms
     */
    public static Tensor norms(Groups groups, Tensor x) {
        Checks.floating("the grouped tensor", x);
        long count = count(groups, x.shape());
        try (Scope s = Scope.open()) {
            Tensor out;
            if (groups.isAxis()) {
                out = x.norm(2, new int[] {axis(groups, x.rank())}, false).reshape(count);
            } else {
                Tensor ids = ids(groups, x);
                Tensor sums = Tensor.zeros(x.dtype(), x.device(), count + 1).scatterAdd(0, ids, x.reshape(-1).square());
                out = sums.slice(0, 0, count, 1).sqrt().contiguous();
            }
            return s.keep(out);
        }
    }

    /**
     * {@code x} with each group multiplied by its factor (elements in no group unchanged).
     *
     * @param groups  the grouping
     * @param x       the tensor
     * @param factors one factor per group, 1-D
     * @return a new tensor of {@code x}'s shape
     */
    public static Tensor scale(Groups groups, Tensor x, Tensor factors) {
        try (Scope s = Scope.open()) {
            Tensor out;
            if (groups.isAxis()) {
                long[] kept = x.shape().clone();
                kept[axis(groups, x.rank())] = 1;
                out = x.mul(factors.reshape(kept));
            } else {
                Tensor ids = ids(groups, x);
                Tensor all = Tensor.concat(0, factors, Tensor.ones(factors.dtype(), factors.device(), 1));
                out = x.mul(all.gather(0, ids).reshape(x.shape()));
            }
            return s.keep(out);
        }
    }
}
