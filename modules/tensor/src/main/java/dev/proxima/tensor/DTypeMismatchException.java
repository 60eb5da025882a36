package dev.proxima.tensor;

/** Thrown when an operation does not support a tensor's dtype, or operands' dtypes conflict. */
public class DTypeMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message that names the dtypes.
     *
     * @param message what was expected and what was given, naming the dtypes
     */
    public DTypeMismatchException(String message) {
        super(message);
    }
}
