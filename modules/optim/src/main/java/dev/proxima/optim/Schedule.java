package dev.proxima.optim;

/**
 * A learning-rate (or any hyper-parameter) schedule: the value to use at a step, counted from 0. Schedules are
 * pure functions of the step, so that an optimizer's state needs only its step count to resume exactly.
 *
 * {@snippet :
 * Schedule lr = Schedule.constant(1e-3);
 * double first = lr.valueAt(0);   // 1e-3
 * }
 */
@FunctionalInterface
public interface Schedule {

    /**
     * The value at {@code step}.
     *
     * @param step the step, counted from 0
     * @return the value at that step
     * @throws IllegalArgumentException if {@code step} is negative
     */
    double valueAt(long step);

    /**
     * A schedule that is {@code value} at every step.
     *
     * @param value the value; finite
     * @return the constant schedule
     * @throws IllegalArgumentException if {@code value} is NaN or infinite
     */
    static Schedule constant(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("a constant schedule's value must be finite, got " + value);
        }
        return step -> {
            if (step < 0) {
                throw new IllegalArgumentException("a schedule's step must be ≥ 0, got " + step);
            }
            return value;
        };
    }
}
