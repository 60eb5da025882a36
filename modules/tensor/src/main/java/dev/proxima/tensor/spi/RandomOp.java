package dev.proxima.tensor.spi;

import java.util.Map;

/**
 * The Philox-4x32-10 distributions a backend generates itself (see {@link Backend#random}). Each is
 * defined bit for bit by {@code dev.proxima.tensor.internal.RandomKernels}; each constant says what the
 * parameters {@code a} and {@code b} mean.
 *
 * <p>Each constant has a fixed {@linkplain #code() code} for native code (the generated
 * {@code native/cuda/opcodes.cuh} lists them as {@code PX_RANDOM_<NAME>}; the CUDA backend selects its Philox
 * kernels by name today). Codes are stable: a code is never renumbered or reused, and a new constant takes a new
 * code (the next unused one), wherever it is declared. Never pass {@link #ordinal()} to native code.
 */
public enum RandomOp {
    /** Uniform in {@code [a, b)}, F32 or F64 (clamped into the interval as the CPU does). */ UNIFORM(0),
    /** Normal with mean {@code a} and standard deviation {@code b} by Box–Muller, F32 or F64. */ NORMAL(1),
    /** BOOL, true with probability {@code a} ({@code b} is ignored). */ BERNOULLI(2);

    private static final Map<Integer, RandomOp> BY_CODE = OpCodes.index(values(), RandomOp::code);

    private final int code;

    RandomOp(int code) {
        this.code = code;
    }

    /**
     * The stable code of this op, shared with native code.
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
     * RandomOp normal = RandomOp.fromCode(1); // RandomOp.NORMAL
     * }
     *
     * @param code a code as returned by {@link #code()}
     * @return the constant with that code
     * @throws IllegalArgumentException if no constant has {@code code}
     */
    public static RandomOp fromCode(int code) {
        return OpCodes.lookup(BY_CODE, code, "RandomOp");
    }
}
