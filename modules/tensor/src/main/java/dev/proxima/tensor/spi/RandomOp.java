package dev.proxima.tensor.spi;

/**
 * The Philox-4x32-10 distributions a backend generates itself (see {@link Backend#random}). Each is
 * defined bit for bit by {@code dev.proxima.tensor.internal.RandomKernels}; the parameters {@code a} and
 * {@code b} mean:
 */
public enum RandomOp {
    /** Uniform in {@code [a, b)}, F32 or F64 (clamped into the interval as the CPU does). */ UNIFORM,
    /** Normal with mean {@code a} and standard deviation {@code b} by Box–Muller, F32 or F64. */ NORMAL,
    /** BOOL, true with probability {@code a} ({@code b} is ignored). */ BERNOULLI
}
