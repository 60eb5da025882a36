package dev.proxima.tensor.spi;

import java.util.Map;

/**
 * Elementwise functions of one argument; the input and output dtypes are chosen by the front end.
 *
 * <p>Each constant has a fixed {@linkplain #code() code}, the number native kernels select it by (the CUDA
 * kernels read it as {@code PX_UNARY_<NAME>} from the generated {@code native/cuda/opcodes.cuh}). Codes are
 * stable: a code is never renumbered or reused, and a new constant takes a new code (the next unused one),
 * wherever it is declared. Never pass {@link #ordinal()} to native code.
 */
public enum UnaryOp {
    /** −x. */ NEG(0),
    /** |x|. */ ABS(1),
    /** −1, 0 or +1 (NaN stays NaN). */ SIGN(2),
    /** eˣ. */ EXP(3),
    /** ln x. */ LOG(4),
    /** √x. */ SQRT(5),
    /** tanh x. */ TANH(6),
    /** sin x. */ SIN(7),
    /** cos x. */ COS(8),
    /** 1 / (1 + e⁻ˣ). */ SIGMOID(9),
    /** x². */ SQUARE(10),
    /** 1 / x. */ RECIPROCAL(11),
    /** Logical not: output BOOL. */ NOT(12),
    /** The error function erf x. */ ERF(13),
    /** ⌊x⌋, the largest integer ≤ x (±0, ±∞ and NaN unchanged). */ FLOOR(14),
    /** ⌈x⌉, the smallest integer ≥ x (±0, ±∞ and NaN unchanged). */ CEIL(15),
    /** x rounded towards zero (±0, ±∞ and NaN unchanged). */ TRUNC(16),
    /** x rounded to the nearest integer, halves to the even one (C's {@code rint}). */ RINT(17),
    /** ln(1 + x), accurate for small x. */ LOG1P(18),
    /** eˣ − 1, accurate for small x. */ EXPM1(19),
    /** log₂ x. */ LOG2(20),
    /** log₁₀ x. */ LOG10(21),
    /** 2ˣ. */ EXP2(22);

    private static final Map<Integer, UnaryOp> BY_CODE = OpCodes.index(values(), UnaryOp::code);

    private final int code;

    UnaryOp(int code) {
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
     * UnaryOp exp = UnaryOp.fromCode(3); // UnaryOp.EXP
     * }
     *
     * @param code a code as returned by {@link #code()}
     * @return the constant with that code
     * @throws IllegalArgumentException if no constant has {@code code}
     */
    public static UnaryOp fromCode(int code) {
        return OpCodes.lookup(BY_CODE, code, "UnaryOp");
    }
}
