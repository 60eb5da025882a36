package dev.proxima.tensor.spi;

import java.util.Map;

/**
 * The softmax family along one axis, computed per lane (all elements along the axis for fixed other
 * indices) with the maximum shift {@code m}: {@code lse = m + log Σ exp(x − m)}, where a lane whose
 * maximum is ±∞ or NaN uses the shift 0 so that no ∞ − ∞ arises.
 *
 * <p>Each constant has a fixed {@linkplain #code() code}, the number native kernels select it by (the CUDA
 * kernels read it as {@code PX_SOFTMAX_<NAME>} from the generated {@code native/cuda/opcodes.cuh}). Codes are
 * stable: a code is never renumbered or reused, and a new constant takes a new code (the next unused one),
 * wherever it is declared. Never pass {@link #ordinal()} to native code.
 */
public enum SoftmaxOp {
    /** {@code exp(x − lse)}: each lane sums to 1 (NaN for a lane of only −∞, as 0/0). */ SOFTMAX(0),
    /** {@code x − lse}. */ LOG_SOFTMAX(1),
    /** {@code lse} itself, one value per lane; an empty lane gives −∞. */ LOGSUMEXP(2);

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
