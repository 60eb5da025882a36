package dev.proxima.tensor.spi;

/**
 * The softmax family along one axis, computed per lane (all elements along the axis for fixed other
 * indices) with the lane maximum {@code m} as the shift: {@code lse = m + log Σ exp(x − m)}.
 *
 * <p>Special values follow SciPy ({@code scipy.special.softmax}, {@code logsumexp}) and PyTorch: a lane
 * holding NaN gives NaN for all three. Otherwise a lane holding +∞, or of only −∞, gives NaN throughout
 * for {@link #SOFTMAX} and {@link #LOG_SOFTMAX} (both are shifted by {@code m} itself, so ∞ − ∞ enters the
 * sum), while {@link #LOGSUMEXP} shifts such a lane by 0 and gives +∞ or −∞. −∞ entries beside a finite
 * maximum are ordinary: softmax 0, log-softmax −∞.
 */
public enum SoftmaxOp {
    /** {@code exp(x − m) / Σ exp(x − m)}: each lane sums to 1 (NaN throughout a lane holding +∞ or NaN, or of only −∞). */
    SOFTMAX,
    /** {@code (x − m) − log Σ exp(x − m)}, the logarithm of {@link #SOFTMAX} (NaN where it is NaN). */
    LOG_SOFTMAX,
    /** {@code lse} itself, one value per lane: +∞ for a lane holding +∞, −∞ for an empty lane or one of only −∞. */
    LOGSUMEXP
}
