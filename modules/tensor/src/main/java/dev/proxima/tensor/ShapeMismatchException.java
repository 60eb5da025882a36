package dev.proxima.tensor;

/** Thrown when tensor shapes are incompatible with an operation; the message names every shape involved. */
public class ShapeMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message that names the shapes.
     *
     * @param message what was expected and what was given, naming the shapes
     */
    public ShapeMismatchException(String message) {
        super(message);
    }
}
