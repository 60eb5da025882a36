package dev.proxima.io.internal;

/** The rules shared by the readers' decoded-size limits ({@code Png.Limits}, {@code Mesh.Limits}). */
public final class ByteLimits {

    private ByteLimits() {
    }

    /**
     * Checks a limit given in code.
     *
     * @param name  the limit's name, for the message
     * @param bytes the limit
     * @return {@code bytes}
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public static long requirePositive(String name, long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + bytes);
        }
        return bytes;
    }

    /**
     * A limit from a system property, read on every call.
     *
     * @param property the system property (a number of bytes)
     * @param fallback the limit when the property is not set
     * @return the property's value, or {@code fallback}
     * @throws IllegalArgumentException naming the property if it is set but not a positive number of bytes
     */
    public static long fromProperty(String property, long fallback) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return requirePositive(property, Long.parseLong(v.trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("system property " + property + " must be a positive number of bytes, got '"
                    + v + "'", e);
        }
    }
}
