package dev.proxima.nn;

import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.DTypeMismatchException;
import dev.proxima.tensor.Tensor;

import java.util.Arrays;

/**
 * A named, swappable slot holding one tensor of a {@link Module}: a trainable parameter (a leaf that
 * requires grad) or a buffer (state such as BatchNorm's running statistics, no gradient).
 *
 * <h2>Why a holder</h2>
 * Tensors are immutable, so training cannot update a weight in place. Instead an optimizer computes the new
 * value (with recording off) and {@link #set swaps} it in; layers read {@link #value()} on every forward
 * pass, so they see the new weights at once:
 * {@snippet :
 * try (var off = Autodiff.noGrad(); Scope step = Scope.open()) {
 *     for (Parameter p : model.parameters()) {
 *         p.set(p.value().sub(p.grad().mul(lr)));   // the old value is closed, the new one is a fresh leaf
 *     }
 * }
 * }
 *
 * <h2>Ownership</h2>
 * The parameter owns its value: {@link #set} and the constructor take the tensor out of whatever
 * {@link Scope} owns it ({@link Scope#release}), so values survive the scope of a training step; the
 * previous value is closed. The value is closed by {@link #close()} (which {@link Module#close()} calls).
 * Callers must not close {@link #value()} or {@link #grad()} themselves.
 */
public final class Parameter implements AutoCloseable {

    private final boolean trainable;
    private Tensor value;

    /**
     * A slot holding {@code initial}, which it takes ownership of.
     *
     * @param initial the value, not the output of a recorded operation
     * @param trainable true for a parameter (the value is marked {@code requiresGrad}), false for a buffer
     * @throws IllegalArgumentException if {@code initial} was produced by a recorded operation, or is not
     *                                  floating point while {@code trainable}
     */
    public Parameter(Tensor initial, boolean trainable) {
        this.trainable = trainable;
        this.value = adopt(initial);
    }

    /** {@return true for a trainable parameter, false for a buffer} */
    public boolean trainable() {
        return trainable;
    }

    /** {@return the current value (owned by this slot: do not close it)} */
    public Tensor value() {
        if (value == null) {
            throw new IllegalStateException("parameter is closed");
        }
        return value;
    }

    /** {@return the gradient accumulated into the current value by {@code backward()}, or null} */
    public Tensor grad() {
        return value().grad();
    }

    /** Discards the accumulated gradient. */
    public void zeroGrad() {
        if (value != null) {
            value.clearGrad();
        }
    }

    /**
     * Replaces the value with {@code next} (of the same dtype and shape), taking ownership of it and closing
     * the previous value. Compute {@code next} with recording off ({@code Autodiff.noGrad()}) or pass a
     * {@code detach()}ed tensor: a trainable slot marks it as a fresh leaf that requires grad.
     *
     * @param next the new value, of the current dtype and shape
     * @throws ShapeMismatchException  if the shape differs
     * @throws DTypeMismatchException  if the dtype differs
     * @throws IllegalArgumentException if {@code next} is the output of a recorded operation
     */
    public void set(Tensor next) {
        Tensor old = value();
        if (next == old) {
            return;
        }
        if (!Arrays.equals(next.shape(), old.shape())) {
            throw new ShapeMismatchException("parameter shape " + Arrays.toString(old.shape()) + " cannot take a value of shape "
                    + Arrays.toString(next.shape()));
        }
        if (next.dtype() != old.dtype()) {
            throw new DTypeMismatchException("parameter dtype " + old.dtype() + " cannot take a value of dtype " + next.dtype());
        }
        value = adopt(next);
        old.close();
    }

    private Tensor adopt(Tensor t) {
        if (t.isClosed()) {
            throw new IllegalStateException("cannot adopt a closed tensor");
        }
        if (t.requiresGrad()) {
            try {
                t.requiresGrad(false);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("a parameter value must be a leaf; compute it under Autodiff.noGrad() or detach() it", e);
            }
        }
        Scope.release(t);
        if (trainable) {
            t.requiresGrad(true);
        }
        return t;
    }

    /**
     * For {@link Module#forwardWith} and gradient checks with respect to a parameter: puts {@code t} in the
     * slot as is, without taking ownership or checks, and returns the previous value, which the caller must
     * swap back.
     */
    Tensor swapRaw(Tensor t) {
        Tensor old = value;
        value = t;
        return old;
    }

    /** Closes the value (and its gradient). Closing twice is harmless. */
    @Override
    public void close() {
        if (value != null) {
            value.close();
            value = null;
        }
    }

    @Override
    public String toString() {
        return (trainable ? "Parameter(" : "Buffer(") + (value == null ? "closed" : value.dtype() + Arrays.toString(value.shape())) + ")";
    }
}
