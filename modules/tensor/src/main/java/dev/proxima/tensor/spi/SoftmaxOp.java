package dev.proxima.tensor.spi;

/**
 * The softmax family along one axis, computed per lane (all elements along the axis for fixed other
 * indices) with the maximum shift {@code m}: {@code lse = m + log Σ exp(x − m)}, where a lane whose
 * maximum is ±∞ or NaN uses the shift 0 so that no ∞ − ∞ arises.
 */
public enum SoftmaxOp {
    /** {@code exp(x − lse)}: each lane sums to 1 (NaN for a lane of only −∞, as 0/0). */ SOFTMAX,
    /** {@code x − lse}. */ LOG_SOFTMAX,
    /** {@code lse} itself, one value per lane; an empty lane gives −∞. */ LOGSUMEXP
}
