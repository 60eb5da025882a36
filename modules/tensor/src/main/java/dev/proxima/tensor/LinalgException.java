package dev.proxima.tensor;

/**
 * A numerical failure of a linear-algebra routine: a singular matrix, a matrix that is not positive
 * definite, or an iteration that did not converge. The message decodes LAPACK's {@code info} result
 * (which routine, which pivot or minor, which batch element).
 */
public class LinalgException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a decoded message.
     *
     * @param message what failed: the routine, the decoded {@code info} and the batch element
     */
    public LinalgException(String message) {
        super(message);
    }
}
