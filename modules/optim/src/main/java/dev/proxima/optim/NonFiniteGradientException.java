package dev.proxima.optim;

/**
 * A gradient holds NaN or an infinity, and the optimizer's {@link Optimizer.NonFinitePolicy} is
 * {@link Optimizer.NonFinitePolicy#THROW THROW}: the step was not taken and no parameter or state changed.
 */
public final class NonFiniteGradientException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the parameter whose gradient is not finite
     */
    public NonFiniteGradientException(String message) {
        super(message);
    }
}
