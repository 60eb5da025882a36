package dev.proxima.nn;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * A multilayer perceptron: Linear(sizes[0], sizes[1]), act, …, Linear(sizes[n−2], sizes[n−1]) with no
 * activation after the last layer. Children are named as in {@link Sequential}: "0" (Linear), "1"
 * (activation), "2" (Linear), ….
 */
public final class MLP extends Sequential {

    /**
     * A chain of {@link Linear} layers with {@code activation} between them (none after the last).
     *
     * @param sizes      layer widths, input first, at least two
     * @param activation applied between layers
     * @param dtype      the element type of the parameters
     * @param rng        initialisation (split per layer)
     * @throws IllegalArgumentException if {@code sizes} has fewer than two entries
     */
    public MLP(long[] sizes, Activation activation, DType dtype, Rng rng) {
        super(layers(sizes, activation, dtype, rng));
    }

    private static List<Module> layers(long[] sizes, Activation act, DType dtype, Rng rng) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("an MLP needs at least input and output sizes, got " + sizes.length);
        }
        List<Module> out = new ArrayList<>();
        for (int i = 0; i + 1 < sizes.length; i++) {
            out.add(new Linear(sizes[i], sizes[i + 1], true, dtype, rng.split()));
            if (i + 2 < sizes.length) {
                out.add(act.module());
            }
        }
        return out;
    }
}
