package dev.proxima.tensor;

import java.lang.reflect.InvocationTargetException;

/**
 * Calls a binary op's scalar overload by the op's method name, for the fixture tests whose cases name the op:
 * {@code apply("fmax", x, 2L)} is {@code x.fmax(2L)} (a Python int), {@code apply("fmax", x, 2.5)} is
 * {@code x.fmax(2.5)} (a Python float).
 */
final class ScalarOverloads {

    private ScalarOverloads() {
    }

    /** {@code x.op(scalar)} with the {@code long} overload. */
    static Tensor apply(String op, Tensor x, long scalar) {
        return invoke(op, long.class, x, scalar);
    }

    /** {@code x.op(scalar)} with the {@code double} overload. */
    static Tensor apply(String op, Tensor x, double scalar) {
        return invoke(op, double.class, x, scalar);
    }

    private static Tensor invoke(String op, Class<?> type, Tensor x, Object scalar) {
        try {
            return (Tensor) Tensor.class.getMethod(op, type).invoke(x, scalar);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("Tensor has no scalar overload " + op + "(" + type + ")", e);
        }
    }
}
