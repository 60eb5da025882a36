package dev.proxima.tensor.spi;

import java.util.Map;

/**
 * Elementwise functions of two arguments of one dtype; comparisons write BOOL outputs.
 *
 * <p>Each constant has a fixed {@linkplain #code() code}, the number native kernels select it by (the CUDA
 * kernels read it as {@code PX_BINARY_<NAME>} from the generated {@code native/cuda/opcodes.cuh}). Codes are
 * stable: a code is never renumbered or reused, and a new constant takes a new code (the next unused one),
 * wherever it is declared. Never pass {@link #ordinal()} to native code.
 */
public enum BinaryOp {
    /** a + b. */ ADD(0),
    /** a − b. */ SUB(1),
    /** a · b. */ MUL(2),
    /** a / b (floating types only). */ DIV(3),
    /** aᵇ. */ POW(4),
    /** min(a, b), NaN if either is NaN. */ MIN(5),
    /** max(a, b), NaN if either is NaN. */ MAX(6),
    /** a == b. */ EQ(7),
    /** a != b. */ NE(8),
    /** a &lt; b. */ LT(9),
    /** a &lt;= b. */ LE(10),
    /** a &gt; b. */ GT(11),
    /** a &gt;= b. */ GE(12),
    /** a ∧ b (as truth values). */ AND(13),
    /** a ∨ b (as truth values). */ OR(14),
    /** a ⊕ b (as truth values). */ XOR(15),
    /** max(a, b) ignoring a NaN operand (NaN only if both are NaN), as C's {@code fmax}. */ FMAX(16),
    /** min(a, b) ignoring a NaN operand (NaN only if both are NaN), as C's {@code fmin}. */ FMIN(17),
    /** The angle of the point (b, a): atan2(a, b) in [−π, π], as C's {@code atan2}. */ ATAN2(18),
    /** √(a² + b²) without undue overflow or underflow, as C's {@code hypot}. */ HYPOT(19),
    /** a − b·⌊a / b⌋: the remainder with the sign of the divisor b (Python's and NumPy's {@code %}). */ REMAINDER(20),
    /** ⌊a / b⌋ (Python's and NumPy's {@code //}). */ FLOOR_DIVIDE(21),
    /** |a| with the sign (bit) of b, as C's {@code copysign}. */ COPYSIGN(22);

    private static final Map<Integer, BinaryOp> BY_CODE = OpCodes.index(values(), BinaryOp::code);

    private final int code;

    BinaryOp(int code) {
        this.code = code;
    }

    /**
     * True if the output is BOOL whatever the input dtype: the comparisons and the logical ops.
     *
     * @return whether this op writes BOOL
     */
    public boolean isComparison() {
        return switch (this) {
            case EQ, NE, LT, LE, GT, GE, AND, OR, XOR -> true;
            default -> false;
        };
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
     * BinaryOp lt = BinaryOp.fromCode(9); // BinaryOp.LT
     * }
     *
     * @param code a code as returned by {@link #code()}
     * @return the constant with that code
     * @throws IllegalArgumentException if no constant has {@code code}
     */
    public static BinaryOp fromCode(int code) {
        return OpCodes.lookup(BY_CODE, code, "BinaryOp");
    }
}
