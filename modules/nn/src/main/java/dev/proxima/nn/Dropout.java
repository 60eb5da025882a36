package dev.proxima.nn;

import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Tensor;

/**
 * Inverted dropout: in training mode each element is zeroed with probability p and the survivors are
 * scaled by 1/(1 − p), so the expectation is unchanged; in evaluation mode (and for p = 0) the identity.
 * Masks come from successive {@link Rng#split()}s of the given generator, so a seeded run is reproducible.
 */
public final class Dropout extends Module {

    private final double p;
    private final Rng rng;

    /**
     * Drop probability {@code p} in [0, 1).
     *
     * @param p   the probability of zeroing each element in training, in [0, 1)
     * @param rng the random source of the masks
     * @throws IllegalArgumentException if {@code p} is outside [0, 1)
     */
    public Dropout(double p, Rng rng) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
        this.rng = rng;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) {
            return x;
        }
        Tensor keep = rng.split().on(x.device()).bernoulli(1 - p, x.shape()); // drawn where x lives
        return x.mul(keep.cast(x.dtype())).mul(1 / (1 - p));
    }
}
