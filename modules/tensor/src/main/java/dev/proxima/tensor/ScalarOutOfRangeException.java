package dev.proxima.tensor;

/**
 * Thrown when a Java scalar does not fit the integer dtype it must take: an arithmetic operation of an integer
 * tensor with an out-of-range {@code long} scalar ({@code U8 + 300}, {@code I8.maximum(-129)}), or a value put
 * into an integer tensor ({@code Tensor.full(300, DType.U8, 2)}). NumPy 2 raises {@code OverflowError} in the same
 * cases (NEP 50: a Python scalar is "weak" and takes the array's dtype). Comparisons never throw: they are exact.
 */
public class ScalarOutOfRangeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message that names the operation, the scalar and the dtype.
     *
     * @param message the message
     */
    public ScalarOutOfRangeException(String message) {
        super(message);
    }
}
