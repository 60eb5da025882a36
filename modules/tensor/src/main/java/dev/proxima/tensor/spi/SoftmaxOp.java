package dev.proxima.tensor.spi;

import java.util.Map;

/**
 * The softmax family along one axis, computed per lane (all elements along the axis for fixed other
 * indices) with the lane maximum {@code m} as the shift: {@code lse = m + log Σ exp(x − m)}.
 *
 * <p>Special values follow SciPy ({@code scipy.special.softmax}, {@code logsumexp}) and PyTorch: a lane
 * holding NaN gives NaN for all three. Otherwise a lane holding +∞, or of only −∞, gives NaN throughout
 * for {@link #SOFTMAX} and {@link #LOG_SOFTMAX} (both are shifted by {@code m} itself, so ∞ − ∞ enters the
 * sum), while {@link #LOGSUMEXP} shifts such a lane by 0 and gives +∞ or −∞. −∞ entries beside a finite
 * maximum are ordinary: softmax 0, log-softmax −∞.
 *
 * <p>Each constant has a fixed {@linkplain #code() code}, the number native kernels select it by (the CUDA
 * kernels read it as {@code PX_SOFTMAX_<NAME>} from the generated {@code native/cuda/opcodes.cuh}). Codes are
 * stable: a code is never renumbered or reused, and a new constant takes a new code (the next unused one),
 * wherever it is declared. Never pass {@link #ordinal()} to native code.
 */
public enum SoftmaxOp {
    /** {@code exp(x − m) / Σ exp(x − m)}: each lane sums to 1 (NaN throughout a lane holding +∞ or NaN, or of only −∞). */
    SOFTMAX(0),
    /** {@code (x − m) − log Σ exp(x − m)}, the logarithm of {@link #SOFTMAX} (NaN where it is NaN). */
    LOG_SOFTMAX(1),
    /** {@code lse} itself, one value per lane: +∞ for a lane holding +∞, −∞ for an empty lane or one of only −∞. */
    LOGSUMEXP(2);

    private static final Map<Integer, SoftmaxOp> BY_CODE = OpCodes.index(values(), SoftmaxOp::code);

    private final int code;

    SoftmaxOp(int code) {
        this.code = code;
    }

    /**
     * The stable code of this op, shared with native kernels.
     *
     * @return the code, non-negative and distinct from every other constant's
     */
    public int code() {
        return code;
    }

    /**
     * The op with a code.
     *
     * {@snippet :
     * SoftmaxOp lse = SoftmaxOp.fromCode(2); // SoftmaxOp.LOGSUMEXP
     * }
     *
     * @param code a code as returned by {@link #code()}
     * @return the constant with that code
     * @throws IllegalArgumentException if no constant has {@code code}
     */
    public static SoftmaxOp fromCode(int code) {
        return OpCodes.lookup(BY_CODE, code, "SoftmaxOp");
    }
}
