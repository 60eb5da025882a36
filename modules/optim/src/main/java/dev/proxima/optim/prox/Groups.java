package dev.proxima.optim.prox;

import dev.proxima.optim.internal.GroupOps;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;

/**
 * A partition of a tensor's elements into groups, for the group penalties ({@link Prox#groupL2},
 * {@link Prox#groupSparseEnvelope}) and their group norms ‖x_g‖₂.
 *
 * <p>Two kinds: the <em>fibres along an axis</em> (each group is the set of elements that differ only in their
 * index along that axis, e.g. the rows of a matrix for axis 1, as in the ℓ2,1 norm Σᵢ‖Xᵢ,:‖₂), and explicit
 * <em>index lists</em> into the row-major flattened tensor (disjoint; elements in no list belong to no group and
 * are left alone by the group penalties).
 *
 * {@snippet :
 * Groups rows = Groups.fibresAlong(1);                          // ‖X‖₂,₁ = Σᵢ ‖Xᵢ,:‖₂
 * Groups lists = Groups.of(new long[] {0, 1}, new long[] {2, 3, 4});
 * Tensor norms = rows.norms(Tensor.of(3.0, 4.0).reshape(1, 2));  // [5]
 * }
 */
public final class Groups {

    private final int axis;
    private final long[][] indices;

    private Groups(int axis, long[][] indices) {
        this.axis = axis;
        this.indices = indices;
    }

    /**
     * The fibres along {@code axis}: one group per index of the other dimensions.
     *
     * @param axis the dimension running inside each group (negative counts from the end)
     * @return the grouping
     */
    public static Groups fibresAlong(int axis) {
        return new Groups(axis, null);
    }

    /**
     * Groups given as lists of positions in the row-major flattened tensor.
     *
     * @param indices one array of positions per group; disjoint, non-empty, each position ≥ 0
     * @return the grouping
     * @throws IllegalArgumentException if there is no group, a group is empty or null, a position is negative
     *                                  or appears twice
     */
    public static Groups of(long[]... indices) {
        if (indices == null || indices.length == 0) {
            throw new IllegalArgumentException("at least one group is needed, got none");
        }
        long[][] copy = new long[indices.length][];
        java.util.HashSet<Long> seen = new java.util.HashSet<>();
        for (int g = 0; g < indices.length; g++) {
            if (indices[g] == null || indices[g].length == 0) {
                throw new IllegalArgumentException("group " + g + " is empty; every group needs at least one position");
            }
            copy[g] = indices[g].clone();
            for (long i : copy[g]) {
                if (i < 0) {
                    throw new IllegalArgumentException("group " + g + " has the negative position " + i);
                }
                if (!seen.add(i)) {
                    throw new IllegalArgumentException("position " + i + " appears in more than one group (group " + g
                            + "); groups must be disjoint");
                }
            }
        }
        return new Groups(0, copy);
    }

    /**
     * Whether the groups are the fibres along an axis (else index lists).
     *
     * @return true for {@link #fibresAlong(int)}
     */
    public boolean isAxis() {
        return indices == null;
    }

    /**
     * The axis of {@link #fibresAlong(int)} groups.
     *
     * @return the axis as given (possibly negative); 0 for index-list groups
     */
    public int axis() {
        return axis;
    }

    /**
     * The index lists of {@link #of(long[]...)} groups.
     *
     * @return a copy of the lists, or null for fibre groups
     */
    public long[][] indices() {
        if (indices == null) {
            return null;
        }
        long[][] copy = new long[indices.length][];
        for (int g = 0; g < indices.length; g++) {
            copy[g] = indices[g].clone();
        }
        return copy;
    }

    /**
     * The number of groups of a tensor of shape {@code shape}.
     *
     * @param shape the tensor's shape
     * @return the number of groups
     * @throws IllegalArgumentException if the axis is out of range or a position is past the tensor's end
     */
    public long count(long[] shape) {
        return GroupOps.count(this, shape);
    }

    /**
     * The Euclidean norm ‖x_g‖₂ of each group, in group order (for fibres: row-major order of the other
     * dimensions).
     *
     * @param x the tensor (floating point)
     * @return a new 1-D tensor of {@link #count(long[])} norms on {@code x}'s device
     * @throws IllegalArgumentException if the grouping does not fit {@code x}'s shape
     */
    public Tensor norms(Tensor x) {
        return GroupOps.norms(this, x);
    }

    @Override
    public String toString() {
        return indices == null ? "Groups.fibresAlong(" + axis + ")" : "Groups.of(" + Arrays.deepToString(indices) + ")";
    }
}
