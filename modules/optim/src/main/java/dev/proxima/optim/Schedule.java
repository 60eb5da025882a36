package dev.proxima.optim;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A learning-rate (or any hyper-parameter) schedule: the value to use at a step, counted from 0. Schedules are
 * pure functions of the step, so that an optimizer's state needs only its step count to resume exactly.
 * Give one to an optimizer builder ({@code SGD.builder().lr(schedule)}) or to
 * {@link Transforms#scaleByLearningRate(Schedule)}; the optimizer evaluates it at its own step count (PyTorch's
 * schedulers, stepped once per optimizer step).
 *
 * {@snippet :
 * Schedule lr = Schedule.join(List.of(
 *         Schedule.linear(0.0, 1e-3, 100),               // 100 warmup steps from 0 to the peak
 *         Schedule.cosine(1e-3, 900, 1e-5)),             // then cosine annealing to 1e-5
 *         100);
 * double first = lr.valueAt(0);   // 0.0
 * double peak = lr.valueAt(100);  // 1e-3
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
            checkStep(step);
            return value;
        };
    }

    /**
     * PyTorch's {@code StepLR}: {@code initial · gamma^⌊step / stepSize⌋}.
     *
     * @param initial  the value at step 0, finite
     * @param stepSize how many steps between decays, ≥ 1
     * @param gamma    the factor per decay, finite and ≥ 0
     * @return the schedule
     * @throws IllegalArgumentException if a value is out of range (the message names it)
     */
    static Schedule step(double initial, long stepSize, double gamma) {
        finite("initial", initial);
        if (stepSize < 1) {
            throw new IllegalArgumentException("stepSize must be ≥ 1, got " + stepSize);
        }
        Transforms.nonNegative("gamma", gamma);
        return step -> {
            checkStep(step);
            return initial * Math.pow(gamma, (double) (step / stepSize));
        };
    }

    /**
     * PyTorch's {@code ExponentialLR}: {@code initial · gamma^step}.
     *
     * @param initial the value at step 0, finite
     * @param gamma   the factor per step, finite and ≥ 0
     * @return the schedule
     * @throws IllegalArgumentException if a value is out of range
     */
    static Schedule exponential(double initial, double gamma) {
        finite("initial", initial);
        Transforms.nonNegative("gamma", gamma);
        return step -> {
            checkStep(step);
            return initial * Math.pow(gamma, (double) step);
        };
    }

    /**
     * Cosine annealing (PyTorch's {@code CosineAnnealingLR} in closed form, optax's
     * {@code cosine_decay_schedule}): {@code min + (initial − min)(1 + cos(π·step/steps))/2} for
     * {@code step ≤ steps}, then {@code min}.
     *
     * @param initial the value at step 0, finite
     * @param steps   the length of the decay, ≥ 1
     * @param min     the final value ({@code eta_min}), finite
     * @return the schedule
     * @throws IllegalArgumentException if a value is out of range
     */
    static Schedule cosine(double initial, long steps, double min) {
        finite("initial", initial);
        finite("min", min);
        if (steps < 1) {
            throw new IllegalArgumentException("the cosine schedule's steps must be ≥ 1, got " + steps);
        }
        return step -> {
            checkStep(step);
            if (step >= steps) {
                return min;
            }
            return min + (initial - min) * (1 + Math.cos(Math.PI * step / steps)) / 2;
        };
    }

    /**
     * Linear interpolation from {@code from} at step 0 to {@code to} at step {@code steps}, then {@code to}:
     * a linear warmup ({@code linear(0, peak, n)}) or a linear decay ({@code linear(peak, 0, n)}, the schedule
     * "When, Why and How Much?" recommends by default). PyTorch's {@code LinearLR} is
     * {@code linear(lr·startFactor, lr·endFactor, totalIters)}.
     *
     * @param from  the value at step 0, finite
     * @param to    the value from step {@code steps} on, finite
     * @param steps the length of the ramp, ≥ 1
     * @return the schedule
     * @throws IllegalArgumentException if a value is out of range
     */
    static Schedule linear(double from, double to, long steps) {
        finite("from", from);
        finite("to", to);
        if (steps < 1) {
            throw new IllegalArgumentException("the linear schedule's steps must be ≥ 1, got " + steps);
        }
        return step -> {
            checkStep(step);
            if (step >= steps) {
                return to;
            }
            return from + (to - from) * ((double) step / steps);
        };
    }

    /**
     * A linear warmup from 0 to {@code peak} over {@code warmupSteps}, then cosine annealing to {@code min} over
     * the remaining {@code totalSteps − warmupSteps} (optax's {@code warmup_cosine_decay_schedule} with init 0).
     *
     * @param peak        the value reached after the warmup, finite
     * @param warmupSteps the warmup length, ≥ 1
     * @param totalSteps  the total length, &gt; {@code warmupSteps}
     * @param min         the final value, finite
     * @return the schedule
     * @throws IllegalArgumentException if a value is out of range
     */
    static Schedule warmupCosine(double peak, long warmupSteps, long totalSteps, double min) {
        if (totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("totalSteps (" + totalSteps + ") must exceed warmupSteps (" + warmupSteps + ")");
        }
        return join(List.of(linear(0, peak, warmupSteps), cosine(peak, totalSteps - warmupSteps, min)), warmupSteps);
    }

    /**
     * PyTorch's {@code Adagrad} learning-rate decay: {@code initial / (1 + step·decay)}.
     *
     * @param initial the value at step 0, finite
     * @param decay   the decay, finite and ≥ 0 ({@code lr_decay})
     * @return the schedule
     * @throws IllegalArgumentException if a value is out of range
     */
    static Schedule inverseTimeDecay(double initial, double decay) {
        finite("initial", initial);
        Transforms.nonNegative("lrDecay", decay);
        return step -> {
            checkStep(step);
            return initial / (1 + step * decay);
        };
    }

    /**
     * Schedules one after the other (optax's {@code join_schedules}, PyTorch's {@code SequentialLR}): schedule
     * {@code i} runs from {@code boundaries[i−1]} (0 for the first) and sees the steps counted from there.
     *
     * @param schedules  the schedules, at least one
     * @param boundaries the steps where the next schedule takes over, strictly increasing, ≥ 1, one fewer than
     *                   the schedules
     * @return the joined schedule
     * @throws IllegalArgumentException if the counts do not match or the boundaries do not increase
     */
    static Schedule join(List<Schedule> schedules, long... boundaries) {
        List<Schedule> parts = List.copyOf(schedules);
        long[] at = boundaries.clone();
        if (parts.isEmpty() || at.length != parts.size() - 1) {
            throw new IllegalArgumentException("join needs one boundary fewer than schedules, got " + parts.size()
                    + " schedules and " + at.length + " boundaries");
        }
        for (int i = 0; i < at.length; i++) {
            if (at[i] < 1 || (i > 0 && at[i] <= at[i - 1])) {
                throw new IllegalArgumentException("join's boundaries must be ≥ 1 and strictly increasing, got " + Arrays.toString(at));
            }
        }
        return step -> {
            checkStep(step);
            int i = 0;
            while (i < at.length && step >= at[i]) {
                i++;
            }
            return parts.get(i).valueAt(i == 0 ? step : step - at[i - 1]);
        };
    }

    /**
     * This schedule multiplied by {@code factor} at every step.
     *
     * @param factor the factor, finite
     * @return the scaled schedule
     * @throws IllegalArgumentException if {@code factor} is not finite
     */
    default Schedule times(double factor) {
        finite("factor", factor);
        return step -> valueAt(step) * factor;
    }

    /**
     * The refined schedule of Defazio et al., "When, Why and How Much? Adaptive Learning Rate Scheduling by
     * Refinement" (2023), Algorithm 1, from the gradient norms {@code ‖g_t‖} observed in a previous run of
     * {@code T} steps: smooth them with a median filter, weight each step by {@code w_t = ĝ_t^{−2}}, and set
     * {@code η_t = peak · w_t Σ_{p>t} w_p / max_s(w_s Σ_{p>s} w_p)}. The result shows warmup and an annealing
     * near the end, shaped by the problem. After step {@code T − 1} the value is 0.
     *
     * @param peak          the largest value (the tuned learning rate), finite and &gt; 0
     * @param gradientNorms the norms of the previous run, one per step, finite and &gt; 0, at least 2
     * @param medianWindow  the width of the median filter, odd and ≥ 1 (1: no smoothing; the paper uses
     *                      about 1 % of the steps)
     * @return the schedule, of length {@code gradientNorms.length}
     * @throws IllegalArgumentException if a norm is not finite and positive, or a value is out of range
     */
    static Schedule refined(double peak, double[] gradientNorms, int medianWindow) {
        Transforms.positive("peak", peak);
        int t = gradientNorms.length;
        if (t < 2) {
            throw new IllegalArgumentException("the refined schedule needs at least 2 gradient norms, got " + t);
        }
        if (medianWindow < 1 || medianWindow % 2 == 0) {
            throw new IllegalArgumentException("medianWindow must be odd and ≥ 1, got " + medianWindow);
        }
        for (int i = 0; i < t; i++) {
            if (!(gradientNorms[i] > 0) || Double.isInfinite(gradientNorms[i])) {
                throw new IllegalArgumentException("gradient norm " + i + " must be finite and > 0, got " + gradientNorms[i]);
            }
        }
        double[] w = new double[t];
        int half = medianWindow / 2;
        for (int i = 0; i < t; i++) {
            double[] window = Arrays.copyOfRange(gradientNorms, Math.max(0, i - half), Math.min(t, i + half + 1));
            Arrays.sort(window);
            int n = window.length;
            double median = n % 2 == 1 ? window[n / 2] : (window[n / 2 - 1] + window[n / 2]) / 2;
            w[i] = 1 / (median * median);
        }
        double[] eta = new double[t];
        double tail = 0;
        double max = 0;
        for (int i = t - 1; i >= 0; i--) {
            eta[i] = w[i] * tail;
            tail += w[i];
            max = Math.max(max, eta[i]);
        }
        double[] values = new double[t];
        for (int i = 0; i < t; i++) {
            values[i] = peak * eta[i] / max;
        }
        return step -> {
            checkStep(step);
            return step < t ? values[(int) step] : 0.0;
        };
    }

    private static void checkStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("a schedule's step must be ≥ 0, got " + step);
        }
    }

    private static void finite(String name, double value) {
        Objects.requireNonNull(name);
        Transforms.finite(name, value);
    }
}
