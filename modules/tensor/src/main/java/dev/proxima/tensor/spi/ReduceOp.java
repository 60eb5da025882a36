package dev.proxima.tensor.spi;

import java.util.Map;

/**
 * Reductions over a set of axes.
 *
 * <p>Each constant has a fixed {@linkplain #code() code}, the number native kernels select it by (the CUDA
 * kernels read it as {@code PX_REDUCE_<NAME>} from the generated {@code native/cuda/opcodes.cuh}). Codes are
 * stable: a code is never renumbered or reused, and a new constant takes a new code (the next unused one),
 * wherever it is declared. Never pass {@link #ordinal()} to native code.
 */
public enum ReduceOp {
    /** Σ x. */ SUM(0),
    /** Π x. */ PROD(1),
    /** max x (NaN if any is NaN); empty input is an error. */ MAX(2),
    /** min x (NaN if any is NaN); empty input is an error. */ MIN(3),
    /** Σ |x|. */ SUM_ABS(4),
    /** Σ x². */ SUM_SQUARES(5),
    /** max |x|; empty input gives 0. */ MAX_ABS(6),
    /** min |x|; empty input is an error. */ MIN_ABS(7),
    /** number of non-zero elements. */ COUNT_NONZERO(8),
    /** index of the first maximum along one axis (output I64). */ ARGMAX(9),
    /** index of the first minimum along one axis (output I64). */ ARGMIN(10),
    /** Σ x over the elements that are not NaN (0 if all are NaN). */ NAN_SUM(11),
    /** max x over the elements that are not NaN (NaN if all are); empty input is an error. */ NAN_MAX(12),
    /** min x over the elements that are not NaN (NaN if all are); empty input is an error. */ NAN_MIN(13);

    private static final Map<Integer, ReduceOp> BY_CODE = OpCodes.index(values(), ReduceOp::code);

    private final int code;

    ReduceOp(int code) {
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
     * ReduceOp argmax = ReduceOp.fromCode(9); // ReduceOp.ARGMAX
     * }
     *
     * @param code a code as returned by {@link #code()}
     * @return the constant with that code
     * @throws IllegalArgumentException if no constant has {@code code}
     */
    public static ReduceOp fromCode(int code) {
        return OpCodes.lookup(BY_CODE, code, "ReduceOp");
    }
}
