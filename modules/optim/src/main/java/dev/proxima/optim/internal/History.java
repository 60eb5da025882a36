package dev.proxima.optim.internal;

import java.util.Arrays;

/** A growing list of doubles: a solver's objective or residual history. */
public final class History {

    private double[] values = new double[16];
    private int size;

    /**
     * Appends a value.
     *
     * @param value the value
     */
    public void add(double value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, 2 * size);
        }
        values[size++] = value;
    }

    /**
     * The values so far.
     *
     * @return a new array
     */
    public double[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
