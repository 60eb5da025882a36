package dev.proxima.tensor.internal;

import dev.proxima.tensor.DType;

import java.lang.foreign.MemorySegment;

import static dev.proxima.tensor.internal.ElementAccess.F32;
import static dev.proxima.tensor.internal.ElementAccess.F64;
import static dev.proxima.tensor.internal.ElementAccess.I32;
import static dev.proxima.tensor.internal.ElementAccess.I64;
import static dev.proxima.tensor.internal.ElementAccess.I8;

/**
 * Sampling kernels behind {@link dev.proxima.tensor.Rng}. Every range kernel fills elements
 * {@code [start, end)} of a dense output segment (element {@code i} at index {@code i}) and computes
 * element {@code i} from {@code (key, draw, i)} alone, so any split of {@code [0, n)} into ranges, on any
 * number of threads, gives the same bits. Arguments are assumed valid ({@code Rng} checks them).
 *
 * <h2>Bit layouts (draw {@code d}, Philox stream word {@code stream(d, 0)} unless stated)</h2>
 * <ul>
 *   <li>32-bit layouts (F32 uniform, randint with a range up to 2^32): element {@code i} takes word
 *       {@code i mod 4} of block {@code i / 4}.</li>
 *   <li>64-bit layouts (F64 uniform, bernoulli, randint with a larger range, weighted choice): element
 *       {@code i} takes words {@code 2(i mod 2)} (high half) and {@code 2(i mod 2) + 1} of block
 *       {@code i / 2}.</li>
 *   <li>Box–Muller pairs: F64 element pair {@code (2b, 2b+1)} uses the two 64-bit words of block
 *       {@code b}; F32 pairs {@code (4b, 4b+1)} and {@code (4b+2, 4b+3)} use words (0, 1) and (2, 3).</li>
 *   <li>Rademacher: bit {@code i mod 32} of word {@code (i / 32) mod 4} of block {@code i / 128}.</li>
 *   <li>Lanes (rejection samplers): element {@code i} owns blocks {@code (i, stream(d, r))} for rounds
 *       {@code r = 0, 1, …}, read word by word. Randint retries and Fisher–Yates retries use the lanes
 *       from round 1 on, after their first attempt in the packed round-0 layout.</li>
 * </ul>
 */
public final class RandomKernels {

    /** A kernel body over element indices {@code [start, end)}. */
    @FunctionalInterface
    public interface Range {
        /**
         * Processes elements {@code [start, end)}.
         *
         * @param start first element
         * @param end   one past the last element
         */
        void run(long start, long end);
    }

    private static final long MASK = 0xFFFF_FFFFL;
    private static final double TWO_PI = 2 * Math.PI;
    private static final double TWO_M24 = 0x1.0p-24;
    private static final double TWO_M32 = 0x1.0p-32;
    private static final double TWO_M53 = 0x1.0p-53;

    private RandomKernels() {
    }

    /**
     * Runs {@code body} over {@code [0, n)} on Proxima's worker threads (see {@code proxima.threads}).
     *
     * @param n    number of elements
     * @param cost rough cost of one element relative to a copy
     * @param body the range kernel
     */
    public static void parallel(long n, int cost, Range body) {
        Parallel.forRange(n, cost, body::run);
    }

    private static long bits64(int[] w, int q) {
        return ((long) w[2 * q] << 32) | (w[2 * q + 1] & MASK);
    }

    /** The smallest float that is {@code >= x}. */
    public static float floatAtLeast(double x) {
        float f = (float) x;
        return f < x ? Math.nextUp(f) : f;
    }

    /** The largest float that is {@code < x}. */
    public static float floatBelow(double x) {
        float f = (float) x;
        return f >= x ? Math.nextDown(f) : f;
    }

    // ------------------------------------------------------------------ uniform

    /**
     * F32 uniform in {@code [low, high)}: {@code low + (high − low)·u} with {@code u = (word >>> 8)·2^-24},
     * computed in double, rounded to float and clamped into {@code [low, high)}.
     *
     * @param out   F32 output
     * @param start first element
     * @param end   one past the last element
     * @param k0    key word 0
     * @param k1    key word 1
     * @param draw  draw number
     * @param low   inclusive lower bound
     * @param high  exclusive upper bound
     */
    public static void uniformF32(MemorySegment out, long start, long end, int k0, int k1, long draw, double low, double high) {
        double span = high - low;
        float lo = floatAtLeast(low);
        float hi = floatBelow(high);
        for (Blocks k = new Blocks(start, end, 2, k0, k1, draw); k.next(); ) {
            int[] w = k.w;
            long base = k.base;
            for (int q = k.from, to = k.to; q < to; q++) {
                float x = (float) (low + span * ((w[q] >>> 8) * TWO_M24));
                out.setAtIndex(F32, base + q, Math.clamp(x, lo, hi));
            }
        }
    }

    /**
     * F64 uniform in {@code [low, high)}: {@code low + (high − low)·u} with {@code u = (bits >>> 11)·2^-53}
     * from 64 bits, clamped below {@code high}.
     *
     * @param out   F64 output
     * @param start first element
     * @param end   one past the last element
     * @param k0    key word 0
     * @param k1    key word 1
     * @param draw  draw number
     * @param low   inclusive lower bound
     * @param high  exclusive upper bound
     */
    public static void uniformF64(MemorySegment out, long start, long end, int k0, int k1, long draw, double low, double high) {
        double span = high - low;
        double hi = Math.nextDown(high);
        for (Blocks k = new Blocks(start, end, 1, k0, k1, draw); k.next(); ) {
            int[] w = k.w;
            long base = k.base;
            for (int q = k.from, to = k.to; q < to; q++) {
                double x = low + span * ((bits64(w, q) >>> 11) * TWO_M53);
                out.setAtIndex(F64, base + q, Math.min(x, hi));
            }
        }
    }

    // ------------------------------------------------------------------ normal

    /**
     * Normal samples by the Box–Muller transform: for uniforms {@code u1 ∈ (0, 1]}, {@code u2 ∈ [0, 1)},
     * {@code r = sqrt(−2 ln u1)}, the pair is {@code (r cos 2πu2, r sin 2πu2)}, then {@code mean + std·z}.
     * F32 uses 32-bit uniforms, F64 53-bit ones; the arithmetic is double with {@link StrictMath}.
     *
     * @param out   output (F32 or F64)
     * @param dtype F32 or F64
     * @param start first element
     * @param end   one past the last element
     * @param k0    key word 0
     * @param k1    key word 1
     * @param draw  draw number
     * @param mean  mean
     * @param std   standard deviation
     */
    public static void normal(MemorySegment out, DType dtype, long start, long end, int k0, int k1, long draw, double mean, double std) {
        boolean f32 = dtype == DType.F32;
        // F32: two pairs per block, words (0, 1) and (2, 3); F64: one pair of 64-bit words
        for (Blocks k = new Blocks(start, end, f32 ? 2 : 1, k0, k1, draw); k.next(); ) {
            int[] w = k.w;
            long base = k.base;
            for (int q = k.from >> 1, pairs = (k.to + 1) >> 1; q < pairs; q++) {   // the pairs that hold an element of the range
                double u1 = f32 ? ((w[2 * q] & MASK) + 1) * TWO_M32 : ((bits64(w, 0) >>> 11) + 1) * TWO_M53;
                double u2 = f32 ? (w[2 * q + 1] & MASK) * TWO_M32 : (bits64(w, 1) >>> 11) * TWO_M53;
                double r = Math.sqrt(-2 * StrictMath.log(u1));
                double t = TWO_PI * u2;
                long i0 = base + 2 * q;
                if (i0 >= start) {
                    store(out, dtype, i0, mean + std * (r * StrictMath.cos(t)));
                }
                if (i0 + 1 < end) {
                    store(out, dtype, i0 + 1, mean + std * (r * StrictMath.sin(t)));
                }
            }
        }
    }

    // ------------------------------------------------------------------ bernoulli, rademacher

    /**
     * Bernoulli samples into a BOOL output: element {@code i} is 1 iff {@code (bits >>> 11)·2^-53 < p}.
     *
     * @param out   BOOL output
     * @param start first element
     * @param end   one past the last element
     * @param k0    key word 0
     * @param k1    key word 1
     * @param draw  draw number
     * @param p     probability of 1
     */
    public static void bernoulli(MemorySegment out, long start, long end, int k0, int k1, long draw, double p) {
        for (Blocks k = new Blocks(start, end, 1, k0, k1, draw); k.next(); ) {
            int[] w = k.w;
            long base = k.base;
            for (int q = k.from, to = k.to; q < to; q++) {
                boolean one = (bits64(w, q) >>> 11) * TWO_M53 < p;
                out.setAtIndex(I8, base + q, (byte) (one ? 1 : 0));
            }
        }
    }

    /**
     * Rademacher signs: element {@code i} is +1 if its bit is 1, else −1.
     *
     * @param out   output of any dtype that holds −1 (I8, I32, I64, F32, F64)
     * @param dtype the output dtype
     * @param start first element
     * @param end   one past the last element
     * @param k0    key word 0
     * @param k1    key word 1
     * @param draw  draw number
     */
    public static void rademacher(MemorySegment out, DType dtype, long start, long end, int k0, int k1, long draw) {
        for (Blocks k = new Blocks(start, end, 7, k0, k1, draw); k.next(); ) {
            int[] w = k.w;
            long base = k.base;
            for (int q = k.from, to = k.to; q < to; q++) {
                int sign = ((w[q >>> 5] >>> (q & 31)) & 1) * 2 - 1;
                long i = base + q;
                switch (dtype) {
                    case F32 -> out.setAtIndex(F32, i, sign);
                    case F64 -> out.setAtIndex(F64, i, sign);
                    case I32 -> out.setAtIndex(I32, i, sign);
                    case I64 -> out.setAtIndex(I64, i, sign);
                    default -> out.setAtIndex(I8, i, (byte) sign);
                }
            }
        }
    }

    // ------------------------------------------------------------------ integers

    /**
     * Uniform integers in {@code [low, low + range)} without bias, by Lemire's multiply-and-reject
     * method: a w-bit word {@code x} gives {@code m = x·range}; it is rejected while the low w bits of
     * {@code m} are below {@code 2^w mod range}, else the result is {@code low + (m >> w)}. Ranges up to
     * 2^32 use 32-bit words, larger ones 64-bit words; retries read element {@code i}'s lane from round 1.
     *
     * @param out   output (I32 or I64)
     * @param dtype I32 or I64
     * @param start first element
     * @param end   one past the last element
     * @param k0    key word 0
     * @param k1    key word 1
     * @param draw  draw number
     * @param low   smallest value
     * @param range number of values, as an unsigned 64-bit integer (at least 1)
     */
    public static void randint(MemorySegment out, DType dtype, long start, long end, int k0, int k1, long draw, long low, long range) {
        Lane lane = new Lane(k0, k1, draw);
        boolean i32 = dtype == DType.I32;
        if (Long.compareUnsigned(range, 1L << 32) <= 0) {
            long threshold = ((1L << 32) - range) % range;
            for (Blocks k = new Blocks(start, end, 2, k0, k1, draw); k.next(); ) {
                int[] w = k.w;
                long base = k.base;
                for (int q = k.from, to = k.to; q < to; q++) {
                    long m = (w[q] & MASK) * range;
                    if ((m & MASK) < threshold) {
                        lane.reset(base + q, 1);
                        do {
                            m = (lane.next32() & MASK) * range;
                        } while ((m & MASK) < threshold);
                    }
                    long v = low + (m >>> 32);
                    if (i32) {
                        out.setAtIndex(I32, base + q, (int) v);
                    } else {
                        out.setAtIndex(I64, base + q, v);
                    }
                }
            }
        } else {
            long threshold = Long.remainderUnsigned(-range, range);
            for (Blocks k = new Blocks(start, end, 1, k0, k1, draw); k.next(); ) {
                int[] w = k.w;
                long base = k.base;
                for (int q = k.from, to = k.to; q < to; q++) {
                    long x = bits64(w, q);
                    if (Long.compareUnsigned(x * range, threshold) < 0) {
                        lane.reset(base + q, 1);
                        do {
                            x = lane.next64();
                        } while (Long.compareUnsigned(x * range, threshold) < 0);
                    }
                    out.setAtIndex(I64, base + q, low + Math.unsignedMultiplyHigh(x, range));
                }
            }
        }
    }

    /**
     * The forward Fisher–Yates shuffle, stopped after {@code k} steps: step {@code s} swaps position
     * {@code s} with position {@code s + j}, {@code j} uniform in {@code [0, n − s)} (Lemire's method on
     * 64-bit words: step {@code s} first uses the 64-bit layout at element {@code s}, then its lane from
     * round 1). The first {@code k} positions are a uniform ordered sample without replacement, and for
     * {@code k = n} a uniform permutation.
     *
     * <p>With a {@code scratch} segment of {@code n} I64 elements (which may be {@code out} itself when
     * {@code k = n}) the shuffle is done in place there; without one, a hash map records only the swapped
     * positions (memory O(k), for {@code k ≪ n}). Both give the same result.
     *
     * @param out     I64 output of {@code k} elements
     * @param n       population size
     * @param k       sample size, at most {@code n}
     * @param k0      key word 0
     * @param k1      key word 1
     * @param draw    draw number
     * @param scratch I64 segment of {@code n} elements, or null for the sparse variant
     */
    public static void shuffle(MemorySegment out, long n, long k, int k0, int k1, long draw, MemorySegment scratch) {
        if (k == 0) {
            return;
        }
        int[] w = new int[4];
        long stream = Philox.stream(draw, 0);
        Lane lane = new Lane(k0, k1, draw);
        LongMap map = null;
        if (scratch != null) {
            for (long i = 0; i < n; i++) {
                scratch.setAtIndex(I64, i, i);
            }
        } else {
            map = new LongMap(k);
        }
        for (long s = 0; s < k; s++) {
            if ((s & 1) == 0) {
                Philox.block(s >>> 1, stream, k0, k1, w);
            }
            long range = n - s;
            long x = bits64(w, (int) (s & 1));
            long lo = x * range;
            if (Long.compareUnsigned(lo, range) < 0) {
                long threshold = Long.remainderUnsigned(-range, range);
                if (Long.compareUnsigned(lo, threshold) < 0) {
                    lane.reset(s, 1);
                    do {
                        x = lane.next64();
                        lo = x * range;
                    } while (Long.compareUnsigned(lo, threshold) < 0);
                }
            }
            long j = s + Math.unsignedMultiplyHigh(x, range);
            if (scratch != null) {
                long vs = scratch.getAtIndex(I64, s);
                scratch.setAtIndex(I64, s, scratch.getAtIndex(I64, j));
                scratch.setAtIndex(I64, j, vs);
            } else {
                long vs = map.get(s);
                long vj = map.get(j);
                out.setAtIndex(I64, s, vj);
                map.put(j, vs);
            }
        }
        if (scratch != null && !scratch.equals(out)) {
            MemorySegment.copy(scratch, 0, out, 0, k * 8);
        }
    }

    // ------------------------------------------------------------------ weighted choice

    /**
     * Weighted sampling with replacement by inversion: element {@code i} takes {@code u ∈ [0, 1)} from the
     * 64-bit layout and returns the first index whose cumulative weight exceeds {@code u·total}.
     *
     * @param out          I64 output
     * @param start        first element
     * @param end          one past the last element
     * @param k0           key word 0
     * @param k1           key word 1
     * @param draw         draw number
     * @param cdf          F64 inclusive prefix sums of the weights ({@code n} elements)
     * @param n            number of weights
     * @param lastPositive the largest index with a positive weight (taken when rounding puts
     *                     {@code u·total} at the total)
     */
    public static void weightedWithReplacement(MemorySegment out, long start, long end, int k0, int k1, long draw,
                                               MemorySegment cdf, long n, long lastPositive) {
        if (start >= end) {
            return;
        }
        double total = cdf.getAtIndex(F64, n - 1);
        for (Blocks k = new Blocks(start, end, 1, k0, k1, draw); k.next(); ) {
            int[] w = k.w;
            long base = k.base;
            for (int q = k.from, to = k.to; q < to; q++) {
                double target = (bits64(w, q) >>> 11) * TWO_M53 * total;
                long lo = 0;
                long hi = n; // first index in [lo, hi) with cdf > target, or n
                while (lo < hi) {
                    long mid = (lo + hi) >>> 1;
                    if (cdf.getAtIndex(F64, mid) > target) {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                out.setAtIndex(I64, base + q, lo < n ? lo : lastPositive);
            }
        }
    }

    /**
     * Weighted sampling without replacement by Efraimidis–Spirakis keys: item {@code i} with weight
     * {@code w_i > 0} gets the key {@code ln(u_i) / w_i} ({@code u_i ∈ (0, 1]} from the 64-bit layout; a
     * monotone transform of {@code u_i^(1/w_i)}), and the sample is the {@code k} items with the largest
     * keys in decreasing key order (ties by smaller index), which is distributed as {@code k} successive
     * draws each proportional to the remaining weights.
     *
     * @param out     I64 output of {@code k} elements
     * @param n       number of weights
     * @param k       sample size, at most the number of positive weights
     * @param k0      key word 0
     * @param k1      key word 1
     * @param draw    draw number
     * @param weights the weights, dense, of type {@code wtype}
     * @param wtype   F32 or F64
     */
    public static void weightedWithoutReplacement(MemorySegment out, long n, long k, int k0, int k1, long draw,
                                                  MemorySegment weights, DType wtype) {
        if (k == 0) {
            return;
        }
        int size = Math.toIntExact(k);
        double[] keys = new double[size];
        long[] items = new long[size];
        int filled = 0;
        int[] w = new int[4];
        long stream = Philox.stream(draw, 0);
        for (long i = 0; i < n; i++) {
            if ((i & 1) == 0) {
                Philox.block(i >>> 1, stream, k0, k1, w);
            }
            double weight = wtype == DType.F32 ? weights.getAtIndex(F32, i) : weights.getAtIndex(F64, i);
            if (weight <= 0) {
                continue;
            }
            double u = ((bits64(w, (int) (i & 1)) >>> 11) + 1) * TWO_M53;
            double key = StrictMath.log(u) / weight;
            if (filled < size) {
                keys[filled] = key;
                items[filled] = i;
                siftUp(keys, items, filled++);
            } else if (key > keys[0]) { // a later item with an equal key loses the tie
                keys[0] = key;
                items[0] = i;
                siftDown(keys, items, 0, size);
            }
        }
        // heap sort: repeatedly move the worst to the end, leaving best-first order
        for (int end = filled - 1; end > 0; end--) {
            swap(keys, items, 0, end);
            siftDown(keys, items, 0, end);
        }
        for (int i = 0; i < filled; i++) {
            out.setAtIndex(I64, i, items[i]);
        }
    }

    /** True if entry a ranks below entry b (smaller key, or equal key and larger index). */
    private static boolean worse(double[] keys, long[] items, int a, int b) {
        return keys[a] < keys[b] || (keys[a] == keys[b] && items[a] > items[b]);
    }

    private static void siftUp(double[] keys, long[] items, int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!worse(keys, items, i, parent)) {
                return;
            }
            swap(keys, items, i, parent);
            i = parent;
        }
    }

    private static void siftDown(double[] keys, long[] items, int i, int size) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int c = l + 1 < size && worse(keys, items, l + 1, l) ? l + 1 : l;
            if (!worse(keys, items, c, i)) {
                return;
            }
            swap(keys, items, i, c);
            i = c;
        }
    }

    private static void swap(double[] keys, long[] items, int a, int b) {
        double k = keys[a];
        keys[a] = keys[b];
        keys[b] = k;
        long t = items[a];
        items[a] = items[b];
        items[b] = t;
    }

    // ------------------------------------------------------------------ gamma, beta

    /**
     * Gamma samples by Marsaglia and Tsang's method ("A simple method for generating gamma variables",
     * 2000): for {@code a ≥ 1}, {@code d = a − 1/3}, {@code c = 1/sqrt(9d)}; draw {@code x ~ N(0, 1)} until
     * {@code v = (1 + cx)^3 > 0}, accept {@code dv} if {@code u < 1 − 0.0331 x^4} or
     * {@code ln u < x²/2 + d(1 − v + ln v)}. For {@code alpha < 1} the sample of shape {@code alpha + 1} is
     * multiplied by {@code u^(1/alpha)}. Element {@code i} reads its own lane; arithmetic is double with
     * {@link StrictMath}, rounded to F32 at the end when asked.
     *
     * @param out   output (F32 or F64)
     * @param dtype F32 or F64
     * @param start first element
     * @param end   one past the last element
     * @param k0    key word 0
     * @param k1    key word 1
     * @param draw  draw number
     * @param alpha shape, positive
     * @param scale scale, positive
     */
    public static void gamma(MemorySegment out, DType dtype, long start, long end, int k0, int k1, long draw, double alpha, double scale) {
        Lane lane = new Lane(k0, k1, draw);
        GammaShape g = new GammaShape(alpha);
        for (long i = start; i < end; i++) {
            lane.reset(i, 0);
            store(out, dtype, i, scale * g.sample(lane));
        }
    }

    /**
     * Beta samples as {@code X / (X + Y)} with {@code X ~ Gamma(a)} then {@code Y ~ Gamma(b)} from element
     * {@code i}'s lane. When a shape is below 1 the gammas are kept as logarithms and the result is
     * {@code 1 / (1 + exp(ln Y − ln X))}, which does not underflow to 0/0 for tiny shapes.
     *
     * @param out   output (F32 or F64)
     * @param dtype F32 or F64
     * @param start first element
     * @param end   one past the last element
     * @param k0    key word 0
     * @param k1    key word 1
     * @param draw  draw number
     * @param a     first shape, positive
     * @param b     second shape, positive
     */
    public static void beta(MemorySegment out, DType dtype, long start, long end, int k0, int k1, long draw, double a, double b) {
        Lane lane = new Lane(k0, k1, draw);
        GammaShape ga = new GammaShape(a);
        GammaShape gb = new GammaShape(b);
        boolean logs = a < 1 || b < 1;
        for (long i = start; i < end; i++) {
            lane.reset(i, 0);
            double v;
            if (logs) {
                double lx = ga.sampleLog(lane);
                double ly = gb.sampleLog(lane);
                v = 1 / (1 + StrictMath.exp(ly - lx));
            } else {
                double x = ga.sample(lane);
                double y = gb.sample(lane);
                v = x / (x + y);
            }
            store(out, dtype, i, v);
        }
    }

    private static void store(MemorySegment out, DType dtype, long i, double v) {
        if (dtype == DType.F32) {
            out.setAtIndex(F32, i, (float) v);
        } else {
            out.setAtIndex(F64, i, v);
        }
    }

    /** Precomputed constants of Marsaglia–Tsang for one shape parameter. */
    private static final class GammaShape {
        private final double d;
        private final double c;
        private final double invAlpha; // 0 when alpha >= 1 (no boost)

        GammaShape(double alpha) {
            double a = alpha >= 1 ? alpha : alpha + 1;
            d = a - 1.0 / 3.0;
            c = 1 / Math.sqrt(9 * d);
            invAlpha = alpha >= 1 ? 0 : 1 / alpha;
        }

        /** A sample of shape max(alpha, alpha + 1) ≥ 1, always positive. */
        private double core(Lane lane) {
            while (true) {
                double x;
                double v;
                do {
                    x = lane.nextNormal();
                    v = 1 + c * x;
                } while (v <= 0);
                v = v * v * v;
                double u = lane.nextDouble();
                double x2 = x * x;
                if (u < 1 - 0.0331 * x2 * x2) {
                    return d * v;
                }
                if (StrictMath.log(u) < 0.5 * x2 + d * (1 - v + StrictMath.log(v))) {
                    return d * v;
                }
            }
        }

        double sample(Lane lane) {
            double g = core(lane);
            return invAlpha == 0 ? g : g * StrictMath.pow(lane.nextOpenDouble(), invAlpha);
        }

        double sampleLog(Lane lane) {
            double lg = StrictMath.log(core(lane));
            return invAlpha == 0 ? lg : lg + StrictMath.log(lane.nextOpenDouble()) * invAlpha;
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * The Philox blocks of the packed round-0 layouts over elements {@code [start, end)}, {@code 2^shift} elements to
     * a block: each {@link #next} computes block {@code b} of stream {@code stream(draw, 0)} into {@link #w} and sets
     * {@link #base} (its first element, {@code b·2^shift}) and {@code [from, to)}, the offsets from base of the
     * block's elements in the range.
     */
    private static final class Blocks {
        final int[] w = new int[4];
        long base;
        int from;
        int to;
        private final long start;
        private final long end;
        private final int shift;
        private final int k0;
        private final int k1;
        private final long stream;
        private long block;
        private final long last;

        Blocks(long start, long end, int shift, int k0, int k1, long draw) {
            this.start = start;
            this.end = end;
            this.shift = shift;
            this.k0 = k0;
            this.k1 = k1;
            this.stream = Philox.stream(draw, 0);
            this.block = start >>> shift;
            this.last = start < end ? (end - 1) >>> shift : block - 1; // an empty range has no blocks
        }

        /** Moves to the next block; false when the range has no more. */
        boolean next() {
            if (block > last) {
                return false;
            }
            Philox.block(block, stream, k0, k1, w);
            base = block << shift;
            from = (int) Math.max(0, start - base);
            to = (int) Math.min(1L << shift, end - base);
            block++;
            return true;
        }
    }

    /**
     * The word stream of one element: blocks {@code (index, stream(draw, r))} for {@code r = first,
     * first + 1, …}, read word by word.
     */
    static final class Lane {
        private final int k0;
        private final int k1;
        private final long draw;
        private final int[] w = new int[4];
        private long index;
        private int round;
        private int pos;
        private boolean hasSpare;
        private double spare;

        Lane(int k0, int k1, long draw) {
            this.k0 = k0;
            this.k1 = k1;
            this.draw = draw;
        }

        void reset(long index, int firstRound) {
            this.index = index;
            this.round = firstRound;
            this.pos = 4;
            this.hasSpare = false;
        }

        int next32() {
            if (pos == 4) {
                if (round > Philox.MAX_ROUND) {
                    // 2^16 blocks rejected in a row: probability far below 2^-1000 for every sampler here
                    throw new IllegalStateException("random lane of element " + index + " exhausted");
                }
                Philox.block(index, Philox.stream(draw, round++), k0, k1, w);
                pos = 0;
            }
            return w[pos++];
        }

        long next64() {
            long hi = next32();
            return (hi << 32) | (next32() & MASK);
        }

        /** Uniform in [0, 1) from 53 bits. */
        double nextDouble() {
            return (next64() >>> 11) * TWO_M53;
        }

        /** Uniform in (0, 1] from 53 bits. */
        double nextOpenDouble() {
            return ((next64() >>> 11) + 1) * TWO_M53;
        }

        /** Standard normal by Box–Muller; the second value of each pair is kept for the next call. */
        double nextNormal() {
            if (hasSpare) {
                hasSpare = false;
                return spare;
            }
            double r = Math.sqrt(-2 * StrictMath.log(nextOpenDouble()));
            double t = TWO_PI * nextDouble();
            spare = r * StrictMath.sin(t);
            hasSpare = true;
            return r * StrictMath.cos(t);
        }
    }

    /** An open-addressing map from non-negative longs to longs; absent keys map to themselves. */
    static final class LongMap {
        private final long[] keys;
        private final long[] values;
        private final int mask;

        LongMap(long expected) {
            int cap = Integer.highestOneBit((int) Math.min(1 << 30, Math.max(4, 2 * expected + 2)) - 1) << 1;
            keys = new long[cap];
            values = new long[cap];
            mask = cap - 1;
            java.util.Arrays.fill(keys, -1);
        }

        private int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            int i = (int) (h ^ (h >>> 32)) & mask;
            while (keys[i] != -1 && keys[i] != key) {
                i = (i + 1) & mask;
            }
            return i;
        }

        long get(long key) {
            int i = slot(key);
            return keys[i] == -1 ? key : values[i];
        }

        void put(long key, long value) {
            int i = slot(key);
            keys[i] = key;
            values[i] = value;
        }
    }
}
