package dev.proxima.tensor.internal;

/**
 * The Philox-4x32-10 counter-based block function (Salmon, Moraes, Dror and Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3", SC'11), written from the published description.
 *
 * <p>A block maps a 128-bit counter {@code (c0, c1, c2, c3)} and a 64-bit key {@code (k0, k1)} to 128
 * random bits. Each of the 10 rounds computes the two 32×32→64-bit products
 * {@code M0·c0 = (hi0, lo0)} and {@code M1·c2 = (hi1, lo1)} and sets
 * <pre>
 *   (c0, c1, c2, c3) ← (hi1 ⊕ c1 ⊕ k0,  lo1,  hi0 ⊕ c3 ⊕ k1,  lo0)
 * </pre>
 * after which the key is bumped by the Weyl constants {@code (k0, k1) += (W0, W1)} (mod 2^32).
 *
 * <h2>Counter layout used by {@link dev.proxima.tensor.Rng}</h2>
 * {@link #block(long, long, int, int, int[])} takes a 64-bit block index (words c0, c1) and a 64-bit
 * stream word (c2, c3). The stream word is {@link #stream(long, int)}: the draw number in its low
 * {@value #DRAW_BITS} bits and a round number (0 to {@value #MAX_ROUND}) in its top 16 bits, so one draw
 * owns 2^16 × 2^64 blocks and two draws never share a counter.
 */
public final class Philox {

    /** Multiplier of the first word pair, 0xD2511F53. */
    public static final int M0 = 0xD2511F53;
    /** Multiplier of the second word pair, 0xCD9E8D57. */
    public static final int M1 = 0xCD9E8D57;
    /** Weyl increment of key word 0 (golden ratio), 0x9E3779B9. */
    public static final int W0 = 0x9E3779B9;
    /** Weyl increment of key word 1 (sqrt(3) − 1), 0xBB67AE85. */
    public static final int W1 = 0xBB67AE85;
    /** Rounds of the block function. */
    public static final int ROUNDS = 10;
    /** Bits of the stream word that hold the draw number. */
    public static final int DRAW_BITS = 48;
    /** Number of distinct draw numbers: 2^48. */
    public static final long DRAW_LIMIT = 1L << DRAW_BITS;
    /** The largest round number a stream word can hold. */
    public static final int MAX_ROUND = 0xFFFF;

    private static final long MASK = 0xFFFF_FFFFL;
    private static final long M0U = M0 & MASK;
    private static final long M1U = M1 & MASK;

    private Philox() {
    }

    /**
     * Computes one Philox-4x32-10 block.
     *
     * @param c0  counter word 0
     * @param c1  counter word 1
     * @param c2  counter word 2
     * @param c3  counter word 3
     * @param k0  key word 0
     * @param k1  key word 1
     * @param out receives the four output words in {@code out[0..3]}
     */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int r = 0; r < ROUNDS; r++) {
            long p0 = (c0 & MASK) * M0U; // unsigned 64-bit product; the wrap-around of the sign bit is harmless
            long p1 = (c2 & MASK) * M1U;
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /**
     * Computes the block at counter {@code (index_lo, index_hi, stream_lo, stream_hi)}.
     *
     * @param index  the 64-bit block index (counter words 0 and 1)
     * @param stream the 64-bit stream word (counter words 2 and 3), usually {@link #stream(long, int)}
     * @param k0     key word 0
     * @param k1     key word 1
     * @param out    receives the four output words
     */
    public static void block(long index, long stream, int k0, int k1, int[] out) {
        block((int) index, (int) (index >>> 32), (int) stream, (int) (stream >>> 32), k0, k1, out);
    }

    /**
     * The stream word of round {@code round} of draw {@code draw}: {@code draw | round << 48}.
     *
     * @param draw  a draw number in {@code [0, 2^48)}
     * @param round a round number in {@code [0, 65535]}
     * @return the value for counter words 2 and 3
     */
    public static long stream(long draw, int round) {
        return draw | ((long) round << DRAW_BITS);
    }
}
