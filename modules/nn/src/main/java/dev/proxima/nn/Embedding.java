package dev.proxima.nn;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;

/** A lookup table: integer indices [...] → rows of the weight [num, dim], giving [..., dim]. Weight ~ N(0, 1). */
public final class Embedding extends Module {

    private final Parameter weight;

    /**
     * A table of {@code num} vectors of length {@code dim}.
     *
     * @param num   the number of vectors (the vocabulary size)
     * @param dim   the length of each vector
     * @param dtype the element type of the table
     * @param rng   the random source of the initialisation N(0, 1)
     */
    public Embedding(long num, long dim, DType dtype, Rng rng) {
        try (Scope scope = Scope.open()) {
            weight = registerParameter("weight", rng.normal(dtype, 0, 1, num, dim));
        }
    }

    /** {@return the table [num, dim]} */
    public Parameter weight() {
        return weight;
    }

    /** @param indices I32 or I64 indices in [0, num) */
    @Override
    public Tensor forward(Tensor indices) {
        long[] shape = Arrays.copyOf(indices.shape(), indices.rank() + 1);
        Tensor w = weight.value();
        shape[indices.rank()] = w.dim(1);
        return w.indexSelect(0, indices.reshape(-1)).reshape(shape);
    }
}
