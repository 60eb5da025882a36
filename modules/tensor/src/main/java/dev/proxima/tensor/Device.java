package dev.proxima.tensor;

import java.util.Objects;

/**
 * Where a tensor's memory lives: the host ({@link #CPU}) or an accelerator such as {@code cuda:0}.
 *
 * @param kind  the backend family, e.g. {@code "cpu"} or {@code "cuda"}
 * @param index the device ordinal within its family (0 for the CPU)
 */
public record Device(String kind, int index) {

    /** Host memory, computed on by the CPU backend. */
    public static final Device CPU = new Device("cpu", 0);

    /** Validates the fields. */
    public Device {
        Objects.requireNonNull(kind, "kind");
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
    }

    /**
     * Parses {@code "cpu"} or {@code "kind:index"}.
     *
     * @param name a device kind such as {@code "cpu"} or {@code "cuda"}, optionally followed by {@code :index}
     * @return the device; index 0 when none is given
     * @throws NumberFormatException if the text after the colon is not an integer
     * @throws IllegalArgumentException if the index is negative
     */
    public static Device parse(String name) {
        int colon = name.indexOf(':');
        if (colon < 0) {
            return name.equals("cpu") ? CPU : new Device(name, 0);
        }
        return new Device(name.substring(0, colon), Integer.parseInt(name.substring(colon + 1)));
    }

    /** {@code "cpu"} or {@code "kind:index"}. */
    @Override
    public String toString() {
        return kind.equals("cpu") ? "cpu" : kind + ":" + index;
    }
}
