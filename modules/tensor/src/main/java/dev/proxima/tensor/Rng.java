package dev.proxima.tensor;

import dev.proxima.tensor.internal.Backends;
import dev.proxima.tensor.internal.Philox;
import dev.proxima.tensor.internal.RandomKernels;
import dev.proxima.tensor.spi.Backend;
import dev.proxima.tensor.spi.RandomOp;
import dev.proxima.tensor.spi.Storage;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A splittable, counter-based random number generator built on Philox-4x32-10 (Salmon et al., SC'11),
 * producing tensors of uniform, normal, Bernoulli, integer, Rademacher, gamma and beta samples, random
 * permutations and (weighted) choices.
 *
 * {@snippet :
 * Rng rng = Rng.seed(42);
 * try (Scope scope = Scope.open()) {
 *     Tensor x = rng.normal(DType.F32, 0, 1, 1024, 64);     // draw 0
 *     Tensor mask = rng.bernoulli(0.9, 1024, 64);           // draw 1: dropout mask
 *     Tensor idx = rng.permutation(1024);                   // draw 2: shuffle rows
 *     Rng[] workers = rng.split(4);                         // draw 3: four independent generators
 * }
 * }
 *
 * <h2>Design</h2>
 * A generator is an immutable 64-bit <em>key</em> plus a counter of <em>draws</em>. Every sampling method
 * and every {@link #split} takes the next draw number {@code d} and consumes exactly that one draw, so two
 * calls on one generator never share a Philox counter. Within draw {@code d}, random words come from the
 * Philox-4x32-10 block function with key {@code (key_lo, key_hi)} at the 128-bit counter
 * {@code (b_lo, b_hi, d_lo, d_hi | r << 16)}: a 64-bit block index {@code b}, the 48-bit draw number and a
 * 16-bit round {@code r} that rejection samplers use to extend an element's stream. Element {@code i}
 * (in row-major order) of the result is computed from {@code (key, d, i)} and the parameters alone, never
 * from a sequential state, which is why large results are generated on all of Proxima's worker threads
 * ({@code proxima.threads}) with bit-identical results for every thread count.
 *
 * <p>{@link #split(int) split(n)} derives child keys with Philox itself: child {@code j} of a split at
 * draw {@code d} has the first two output words of block {@code (j, d)} under the parent key as its key,
 * and starts at draw 0. Children are as independent as Philox outputs under distinct keys; as with any
 * 64-bit key space (JAX's keys are the same size), two of {@code N} derived keys coincide with probability
 * about {@code N²/2^65}.
 *
 * <h2>Stream guarantees</h2>
 * <ul>
 *   <li><b>Reproducible:</b> the same seed and the same sequence of calls (methods, arguments, dtypes) give
 *       bit-identical tensors on every platform, JVM and thread count: the generator uses only integer
 *       arithmetic, IEEE double arithmetic (strict in Java) and {@link StrictMath} for {@code log},
 *       {@code sin}, {@code cos}, {@code exp} and {@code pow}.</li>
 *   <li><b>Shape-independent:</b> a draw's values depend on the flat index, not on the shape:
 *       {@code uniform(F32, 0, 1, 6)} and {@code uniform(F32, 0, 1, 2, 3)} at the same draw hold the same
 *       six numbers, and a smaller request is a prefix of a larger one. The same holds for choices (the
 *       first {@code k} picks do not depend on how many more are asked for).</li>
 *   <li><b>Checkpointable:</b> {@link #key()} and {@link #draws()} are the whole state;
 *       {@link #restore(long, long)} continues the stream exactly.</li>
 *   <li><b>Failed calls are free:</b> a call that throws {@link IllegalArgumentException} (or cannot
 *       allocate its result) consumes no draw.</li>
 *   <li><b>Not promised across Proxima versions:</b> how draws map to values (bit layouts, algorithms,
 *       the seed-to-key mapping) may change in a later version; such a change will be called out in the
 *       release notes. The Philox-4x32-10 block function itself is fixed and checked against the
 *       Random123 known-answer vectors.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Methods may be called from several threads at once: each call atomically takes its own draw number.
 * Which call gets which draw then depends on scheduling, so for reproducible concurrent sampling give
 * each thread its own generator from {@link #split(int)}.
 *
 * <h2>Devices</h2>
 * A generator produces host tensors. {@link #on(Device) on(device)} is a view of the same generator (same
 * key, <em>shared</em> draw counter) whose results live on {@code device}: {@link #uniform},
 * {@link #normal} and {@link #bernoulli} are generated there by the backend's
 * {@linkplain Backend#random random primitive}, every other distribution is generated on the host and
 * copied. The values are those of the host stream for the same key and draw number whatever the device
 * (see the backend's documentation for how exactly it reproduces them; the CUDA backend's normal
 * samples may differ from the host's in the last bits, as its {@code log}, {@code sin} and {@code cos}
 * are not {@link StrictMath}'s).
 *
 * {@snippet :
 * Rng rng = Rng.seed(42);
 * Rng gpu = rng.on(new Device("cuda", 0));
 * Tensor w = gpu.normal(DType.F32, 0, 0.02, 1024, 1024);  // draw 0, generated on the GPU
 * Tensor b = rng.normal(DType.F32, 0, 0.02, 1024);        // draw 1, on the host: the counter is shared
 * }
 *
 * <p>A generator has {@code 2^48} draws; when they are used up, calls throw
 * {@link IllegalStateException} and a fresh generator must be {@linkplain #split() split} off earlier.
 */
public final class Rng {

    private final long key;
    private final AtomicLong draws;
    private final Device device;

    private Rng(long key, long draws) {
        this(key, new AtomicLong(draws), Device.CPU);
    }

    private Rng(long key, AtomicLong draws, Device device) {
        this.key = key;
        this.draws = draws;
        this.device = device;
    }

    /**
     * A generator whose key is {@code seed} (low 32 bits as key word 0, high 32 bits as key word 1),
     * at draw 0. Philox decorrelates even adjacent keys, so seeds 0, 1, 2, … are fine.
     *
     * @param seed any 64-bit value
     * @return a new generator
     */
    public static Rng seed(long seed) {
        return new Rng(seed, 0);
    }

    /**
     * The generator with the given state, as saved from {@link #key()} and {@link #draws()}.
     *
     * @param key   the key
     * @param draws the number of draws already taken, in {@code [0, 2^48]}
     * @return a generator that continues the saved stream
     * @throws IllegalArgumentException if {@code draws} is out of range
     */
    public static Rng restore(long key, long draws) {
        if (draws < 0 || draws > Philox.DRAW_LIMIT) {
            throw new IllegalArgumentException("draws must be in [0, 2^48], got " + draws);
        }
        return new Rng(key, draws);
    }

    /**
     * The 64-bit Philox key (for {@link #restore(long, long)}).
     *
     * @return the key
     */
    public long key() {
        return key;
    }

    /**
     * The number of draws taken so far, which is the draw number the next call will use.
     *
     * @return the draw counter
     */
    public long draws() {
        return draws.get();
    }

    /**
     * A view of this generator that puts its results on {@code device}: the same key and the same draw
     * counter (a call on either takes the next draw of both), so the same sequence of calls gives the
     * same values whichever view makes them. Uniform, normal and Bernoulli samples are generated on the
     * device by its backend; the other distributions are generated on the host and copied there.
     *
     * @param device where results go ({@link Device#CPU} gives a host view)
     * @return a generator sharing this one's state
     * @throws IllegalArgumentException if no backend serves {@code device}
     * @throws IllegalStateException    if its backend is not available here
     */
    public Rng on(Device device) {
        Backends.of(device);
        return device.equals(this.device) ? this : new Rng(key, draws, device);
    }

    /**
     * The device results are put on ({@link Device#CPU} unless this is a view from {@link #on(Device)}).
     *
     * @return the device
     */
    public Device device() {
        return device;
    }

    /**
     * One child generator (consumes one draw); same as {@code split(1)[0]}.
     *
     * @return an independent generator at draw 0
     */
    public Rng split() {
        return split(1)[0];
    }

    /**
     * {@code n} child generators with keys derived from this key and the draw number (consumes one draw,
     * also for {@code n = 0}). Child {@code j}'s key is the first two words of the Philox block
     * {@code (j, draw)} under this generator's key; the children start at draw 0 and put their results
     * on this generator's {@linkplain #device() device}.
     *
     * {@snippet :
     * Rng[] perThread = Rng.seed(7).split(threads);   // one generator per worker thread
     * }
     *
     * @param n the number of children, {@code >= 0}
     * @return the children
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public Rng[] split(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("split needs n >= 0, got " + n);
        }
        long d = nextDraw();
        long stream = Philox.stream(d, 0);
        Rng[] children = new Rng[n];
        int[] w = new int[4];
        for (int j = 0; j < n; j++) {
            Philox.block(j, stream, k0(), k1(), w);
            children[j] = new Rng((w[0] & 0xFFFF_FFFFL) | ((long) w[1] << 32), new AtomicLong(), device);
        }
        return children;
    }

    // =================================================================== continuous

    /**
     * Uniform samples in {@code [low, high)}: {@code low + (high − low)·u} where {@code u} is a multiple of
     * {@code 2^-24} (F32, from 24 random bits) or {@code 2^-53} (F64, from 53 random bits) in {@code [0, 1)}.
     * The affine map is computed in double; results that round up to {@code high} (or, for F32, outside
     * the bounds) are clamped to the nearest representable value inside {@code [low, high)}.
     *
     * {@snippet :
     * Tensor w = rng.uniform(DType.F32, -0.1, 0.1, 256, 128);  // weight initialisation
     * }
     *
     * @param dtype F32 or F64
     * @param low   inclusive lower bound, finite
     * @param high  exclusive upper bound, finite, {@code > low}
     * @param shape the result's shape
     * @return a new tensor
     * @throws IllegalArgumentException if the dtype is not floating point, the bounds are not finite,
     *                                  {@code low >= high}, no value of the dtype lies in {@code [low, high)},
     *                                  or a dimension is negative
     */
    public Tensor uniform(DType dtype, double low, double high, long... shape) {
        requireFloating("uniform", dtype);
        if (!Double.isFinite(low) || !Double.isFinite(high) || !Double.isFinite(high - low)) {
            throw new IllegalArgumentException("uniform needs finite bounds with a finite width, got [" + low + ", " + high + ")");
        }
        if (!(low < high)) {
            throw new IllegalArgumentException("uniform needs low < high, got low = " + low + ", high = " + high);
        }
        if (dtype == DType.F32 && RandomKernels.floatAtLeast(low) > RandomKernels.floatBelow(high)) {
            throw new IllegalArgumentException("no F32 value lies in [" + low + ", " + high + ")");
        }
        return sample(RandomOp.UNIFORM, dtype, shape, low, high);
    }

    /**
     * Normal samples {@code mean + std·z} with {@code z ~ N(0, 1)} by the exact Box–Muller transform:
     * uniforms {@code u1 ∈ (0, 1]}, {@code u2 ∈ [0, 1)} give the pair
     * {@code sqrt(−2 ln u1)·(cos 2πu2, sin 2πu2)} for elements {@code (2m, 2m+1)}. F32 uses 32-bit uniforms
     * (tails reach 6.7σ), F64 53-bit ones (8.6σ); the arithmetic is double.
     *
     * @param dtype F32 or F64
     * @param mean  the mean, finite
     * @param std   the standard deviation, finite and {@code >= 0}
     * @param shape the result's shape
     * @return a new tensor
     * @throws IllegalArgumentException if the dtype is not floating point, {@code mean} is not finite,
     *                                  {@code std} is negative or not finite, or a dimension is negative
     */
    public Tensor normal(DType dtype, double mean, double std, long... shape) {
        requireFloating("normal", dtype);
        if (!Double.isFinite(mean)) {
            throw new IllegalArgumentException("normal needs a finite mean, got " + mean);
        }
        if (!(std >= 0) || !Double.isFinite(std)) {
            throw new IllegalArgumentException("normal needs a finite std >= 0, got " + std);
        }
        return sample(RandomOp.NORMAL, dtype, shape, mean, std);
    }

    /**
     * Gamma samples with shape {@code alpha} and scale {@code scale} (mean {@code alpha·scale}, variance
     * {@code alpha·scale²}), by Marsaglia and Tsang's exact rejection method (acceptance above 95%), with
     * the boost {@code Gamma(alpha) = Gamma(alpha + 1)·U^(1/alpha)} for {@code alpha < 1}. Each element
     * uses its own stream of Philox blocks, so rejections do not shift other elements.
     *
     * <p>Caveat: for very small {@code alpha} many samples underflow to 0 (the distribution puts most of
     * its mass there); in F32 this happens earlier than in F64.
     *
     * @param dtype F32 or F64
     * @param alpha the shape, finite and {@code > 0}
     * @param scale the scale, finite and {@code > 0}
     * @param shape the result's shape
     * @return a new tensor
     * @throws IllegalArgumentException if the dtype is not floating point, a parameter is not a finite
     *                                  positive number, or a dimension is negative
     */
    public Tensor gamma(DType dtype, double alpha, double scale, long... shape) {
        requireFloating("gamma", dtype);
        requirePositive("gamma", "alpha", alpha);
        requirePositive("gamma", "scale", scale);
        if (onDevice()) {
            return toDevice(host().gamma(dtype, alpha, scale, shape));
        }
        int k0 = k0();
        int k1 = k1();
        return generate(dtype, shape, 80, (out, s, e, d) -> RandomKernels.gamma(out, dtype, s, e, k0, k1, d, alpha, scale));
    }

    /**
     * Beta samples {@code X / (X + Y)} with {@code X ~ Gamma(a, 1)} and {@code Y ~ Gamma(b, 1)} (mean
     * {@code a/(a+b)}). When {@code a} or {@code b} is below 1 the two gammas are combined in log space,
     * {@code 1 / (1 + exp(ln Y − ln X))}, so tiny shapes do not produce 0/0.
     *
     * <p>Caveat: the support is (0, 1), but for extreme shapes the rounded result can be exactly 0 or 1.
     *
     * @param dtype F32 or F64
     * @param a     the first shape, finite and {@code > 0}
     * @param b     the second shape, finite and {@code > 0}
     * @param shape the result's shape
     * @return a new tensor
     * @throws IllegalArgumentException if the dtype is not floating point, a shape parameter is not a
     *                                  finite positive number, or a dimension is negative
     */
    public Tensor beta(DType dtype, double a, double b, long... shape) {
        requireFloating("beta", dtype);
        requirePositive("beta", "a", a);
        requirePositive("beta", "b", b);
        if (onDevice()) {
            return toDevice(host().beta(dtype, a, b, shape));
        }
        int k0 = k0();
        int k1 = k1();
        return generate(dtype, shape, 160, (out, s, e, d) -> RandomKernels.beta(out, dtype, s, e, k0, k1, d, a, b));
    }

    // =================================================================== discrete

    /**
     * Bernoulli samples: each element is {@code true} with probability {@code p}, decided by comparing a
     * 53-bit uniform {@code u ∈ [0, 1)} with {@code p} ({@code u < p}), so {@code p = 0} never and
     * {@code p = 1} always gives {@code true}.
     *
     * {@snippet :
     * Tensor keep = rng.bernoulli(0.9, x.shape());               // dropout mask
     * Tensor dropped = Tensor.where(keep, x.div(0.9), Tensor.scalar(0, x.dtype()));
     * }
     *
     * @param p     the probability of {@code true}, in {@code [0, 1]}
     * @param shape the result's shape
     * @return a new BOOL tensor
     * @throws IllegalArgumentException if {@code p} is outside {@code [0, 1]} or NaN, or a dimension is
     *                                  negative
     */
    public Tensor bernoulli(double p, long... shape) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("bernoulli needs p in [0, 1], got " + p);
        }
        return sample(RandomOp.BERNOULLI, DType.BOOL, shape, p, 0);
    }

    /**
     * Rademacher samples: {@code +1} or {@code −1} with probability 1/2 each (one random bit per element),
     * as used by Hutchinson's trace estimator {@code tr(A) ≈ mean(zᵀAz)}.
     *
     * @param dtype I8, I32, I64, F32 or F64 (not U8 or BOOL, which cannot hold −1)
     * @param shape the result's shape
     * @return a new tensor
     * @throws IllegalArgumentException if the dtype cannot hold −1 or a dimension is negative
     */
    public Tensor rademacher(DType dtype, long... shape) {
        if (dtype == DType.BOOL || dtype == DType.U8) {
            throw new IllegalArgumentException("rademacher needs a dtype that holds -1 (I8, I32, I64, F32, F64), got " + dtype);
        }
        if (onDevice()) {
            return toDevice(host().rademacher(dtype, shape));
        }
        int k0 = k0();
        int k1 = k1();
        return generate(dtype, shape, 1, (out, s, e, d) -> RandomKernels.rademacher(out, dtype, s, e, k0, k1, d));
    }

    /**
     * Uniform integers in {@code [low, high)}, without modulo bias: Lemire's multiply-and-reject method
     * maps a 32-bit word (ranges up to 2^32) or a 64-bit word (larger ranges) into the range and rejects
     * the few words that would make some values more likely; rejected elements draw again from their own
     * stream.
     *
     * {@snippet :
     * Tensor labels = rng.randint(0, 10, DType.I32, 1000);  // 1000 values in 0..9
     * }
     *
     * @param low   the smallest value
     * @param high  one more than the largest value; {@code > low}
     * @param dtype I32 (then {@code low >= -2^31} and {@code high <= 2^31}) or I64
     * @param shape the result's shape
     * @return a new tensor
     * @throws IllegalArgumentException if the dtype is not I32 or I64, {@code low >= high}, the bounds do
     *                                  not fit I32, or a dimension is negative
     */
    public Tensor randint(long low, long high, DType dtype, long... shape) {
        if (dtype != DType.I32 && dtype != DType.I64) {
            throw new IllegalArgumentException("randint needs dtype I32 or I64, got " + dtype);
        }
        if (low >= high) {
            throw new IllegalArgumentException("randint needs low < high, got low = " + low + ", high = " + high);
        }
        if (dtype == DType.I32 && (low < Integer.MIN_VALUE || high > 1L + Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("randint with dtype I32 needs -2^31 <= low < high <= 2^31, got ["
                    + low + ", " + high + ")");
        }
        if (onDevice()) {
            return toDevice(host().randint(low, high, dtype, shape));
        }
        long range = high - low; // unsigned, at least 1
        int k0 = k0();
        int k1 = k1();
        return generate(dtype, shape, 3, (out, s, e, d) -> RandomKernels.randint(out, dtype, s, e, k0, k1, d, low, range));
    }

    /**
     * A uniformly random permutation of {@code 0, 1, …, n−1} by the Fisher–Yates shuffle (exact: each swap
     * partner is an unbiased integer). Equal to {@code choice(n, n, false, null)} at the same draw. The
     * shuffle is sequential.
     *
     * {@snippet :
     * Tensor order = rng.permutation(rows);   // I64 row order for one epoch
     * }
     *
     * @param n the number of elements, {@code >= 0}
     * @return a new I64 tensor of shape {@code [n]}
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public Tensor permutation(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("permutation needs n >= 0, got " + n);
        }
        return choice(n, n, false, null);
    }

    /**
     * {@code k} indices drawn from {@code 0, …, n−1}.
     * <ul>
     *   <li>With replacement, no weights: {@code k} independent uniform integers, as
     *       {@code randint(0, n, I64, k)}.</li>
     *   <li>With replacement and weights: inversion, index {@code i} has probability
     *       {@code w_i / Σw}: a 53-bit uniform {@code u} selects the first index whose prefix sum (in
     *       double) exceeds {@code u·Σw}. Zero-weight indices are never chosen.</li>
     *   <li>Without replacement, no weights: the first {@code k} steps of a Fisher–Yates shuffle, i.e. a
     *       uniformly random ordered sample of distinct indices. Memory is O(n) for the shuffle, or O(k)
     *       (a hash map of swapped positions, same result) when {@code k <= n/16}, so samples from huge
     *       populations are cheap.</li>
     *   <li>Without replacement and weights: Efraimidis–Spirakis keys {@code ln(u_i)/w_i} (a monotone form
     *       of {@code u_i^(1/w_i)}), keeping the {@code k} largest in decreasing order; the result is
     *       distributed as {@code k} successive draws each proportional to the remaining weights (the
     *       equivalent of Gumbel-top-k). Zero-weight indices are never chosen.</li>
     * </ul>
     *
     * {@snippet :
     * Tensor w = Tensor.of(0.1, 0.2, 0.7);
     * Tensor picks = rng.choice(3, 1000, true, w);       // index 2 about 70% of the time
     * Tensor batch = rng.choice(60_000, 64, false, null); // 64 distinct indices
     * }
     *
     * @param n       the population size, {@code >= 0}
     * @param k       the number of indices, {@code >= 0}
     * @param replace whether an index may be chosen more than once
     * @param weights null for uniform choice, or a 1-D F32/F64 tensor of {@code n} finite non-negative
     *                weights that are not all zero (they need not sum to 1)
     * @return a new I64 tensor of shape {@code [k]}
     * @throws IllegalArgumentException if {@code n} or {@code k} is negative, {@code k > 0} with
     *                                  {@code n = 0}, {@code k > n} without replacement, or the weights
     *                                  have the wrong dtype or shape, a negative/NaN/infinite value, are all
     *                                  zero, sum to infinity, or (without replacement) have fewer than
     *                                  {@code k} positive entries
     */
    public Tensor choice(long n, long k, boolean replace, Tensor weights) {
        if (n < 0 || k < 0) {
            throw new IllegalArgumentException("choice needs n >= 0 and k >= 0, got n = " + n + ", k = " + k);
        }
        if (k > 0 && n == 0) {
            throw new IllegalArgumentException("choice cannot pick " + k + " indices from an empty population (n = 0)");
        }
        if (!replace && k > n) {
            throw new IllegalArgumentException("choice without replacement needs k <= n, got k = " + k + ", n = " + n);
        }
        if (onDevice()) {
            try (Tensor w = weights == null ? null : weights.to(Device.CPU)) {
                if (w != null) {
                    Tensor.disown(w);
                }
                return toDevice(host().choice(n, k, replace, w));
            }
        }
        if (weights != null) {
            return weightedChoice(n, k, replace, weights);
        }
        int k0 = k0();
        int k1 = k1();
        if (replace) {
            return generate(DType.I64, new long[]{k}, 3, (out, s, e, d) -> RandomKernels.randint(out, DType.I64, s, e, k0, k1, d, 0, n));
        }
        Tensor out = Tensor.zeros(DType.I64, k);
        try {
            MemorySegment seg = out.kernelSegment();
            if (k == n) {
                RandomKernels.shuffle(seg, n, k, k0, k1, nextDraw(), seg);
            } else if (k <= n / 16 && k < (1 << 28)) {
                RandomKernels.shuffle(seg, n, k, k0, k1, nextDraw(), null);
            } else {
                try (Tensor scratch = Tensor.zeros(DType.I64, n)) {
                    RandomKernels.shuffle(seg, n, k, k0, k1, nextDraw(), scratch.kernelSegment());
                }
            }
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    private Tensor weightedChoice(long n, long k, boolean replace, Tensor weights) {
        DType wt = weights.dtype();
        if (!wt.isFloating()) {
            throw new IllegalArgumentException("choice weights must be F32 or F64, got " + weights.describe());
        }
        if (weights.rank() != 1 || weights.size() != n) {
            throw new IllegalArgumentException("choice weights must be a 1-D tensor of length n = " + n + ", got " + weights.describe());
        }
        try (Tensor w = weights.contiguous()) {
            MemorySegment ws = w.kernelSegment();
            long positives = 0;
            long lastPositive = -1;
            double total = 0;
            for (long i = 0; i < n; i++) {
                double v = wt == DType.F32 ? ws.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i)
                        : ws.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i);
                if (!(v >= 0) || v == Double.POSITIVE_INFINITY) {
                    throw new IllegalArgumentException("choice weights must be finite and >= 0, got " + v + " at index " + i);
                }
                if (v > 0) {
                    positives++;
                    lastPositive = i;
                    total += v;
                }
            }
            if (positives == 0) {
                throw new IllegalArgumentException("choice weights are all zero");
            }
            if (total == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("choice weights sum to infinity; scale them down");
            }
            int k0 = k0();
            int k1 = k1();
            if (replace) {
                try (Tensor cdf = Tensor.zeros(DType.F64, n)) {
                    MemorySegment cs = cdf.kernelSegment();
                    double sum = 0;
                    for (long i = 0; i < n; i++) {
                        sum += wt == DType.F32 ? ws.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i)
                                : ws.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i);
                        cs.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, sum);
                    }
                    long lp = lastPositive;
                    return generate(DType.I64, new long[]{k}, 20,
                            (out, s, e, d) -> RandomKernels.weightedWithReplacement(out, s, e, k0, k1, d, cs, n, lp));
                }
            }
            if (k > positives) {
                throw new IllegalArgumentException("choice without replacement needs k <= the number of positive weights, got k = "
                        + k + " with " + positives + " positive weights");
            }
            if (k > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("weighted choice without replacement supports k < 2^31 - 8, got " + k);
            }
            Tensor out = Tensor.zeros(DType.I64, k);
            try {
                RandomKernels.weightedWithoutReplacement(out.kernelSegment(), n, k, k0, k1, nextDraw(), ws, wt);
                return out;
            } catch (RuntimeException | Error e) {
                out.close();
                throw e;
            }
        }
    }

    // =================================================================== plumbing

    /** A range kernel of one draw. */
    @FunctionalInterface
    private interface Kernel {
        void fill(MemorySegment out, long start, long end, long draw);
    }

    /**
     * Allocates the result on this generator's device, takes a draw and has the device's backend fill
     * it (on the host: the same {@link RandomKernels} range kernels as {@link #generate}, in parallel).
     */
    private Tensor sample(RandomOp op, DType dtype, long[] shape, double a, double b) {
        long[] checked = Shapes.checkShape(shape);
        Backend backend = Backends.of(device);
        long bytes = Shapes.extentProduct("random draw of shape " + Shapes.str(checked) + " and dtype " + dtype,
                Shapes.size(checked), dtype.byteSize());
        Storage storage = backend.allocate(device, bytes);
        Tensor out;
        try {
            out = Tensor.wrap(storage, dtype, checked);
        } catch (RuntimeException | Error e) {
            storage.release();
            throw e;
        }
        try {
            backend.random(op, key, nextDraw(), a, b, out.view());
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    private boolean onDevice() {
        return !device.equals(Device.CPU);
    }

    /** The host view of this generator (same key and draw counter). */
    private Rng host() {
        return new Rng(key, draws, Device.CPU);
    }

    /** {@code h} (a host result of {@link #host()}) copied to this generator's device; {@code h} is closed. */
    private Tensor toDevice(Tensor h) {
        try (h) {
            Tensor.disown(h);
            return h.to(device);
        }
    }

    /** Allocates the result, takes a draw and fills the result in parallel. */
    private Tensor generate(DType dtype, long[] shape, int cost, Kernel kernel) {
        Tensor out = Tensor.zeros(dtype, shape);
        try {
            long d = nextDraw();
            MemorySegment seg = out.kernelSegment();
            RandomKernels.parallel(out.size(), cost, (s, e) -> kernel.fill(seg, s, e, d));
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    private long nextDraw() {
        long d = draws.getAndUpdate(x -> x < Philox.DRAW_LIMIT ? x + 1 : x);
        if (d >= Philox.DRAW_LIMIT) {
            throw new IllegalStateException("this generator has used all 2^48 draws; split() a fresh one before that");
        }
        return d;
    }

    private int k0() {
        return (int) key;
    }

    private int k1() {
        return (int) (key >>> 32);
    }

    private static void requireFloating(String op, DType dtype) {
        if (dtype != DType.F32 && dtype != DType.F64) {
            throw new IllegalArgumentException(op + " needs dtype F32 or F64, got " + dtype);
        }
    }

    private static void requirePositive(String op, String name, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(op + " needs a finite " + name + " > 0, got " + v);
        }
    }

    /**
     * The state, e.g. {@code Rng[key=0x000000000000002a, draws=3]} ({@code , device=cuda:0} added for a
     * device view).
     *
     * @return a description of the key and draw counter
     */
    @Override
    public String toString() {
        return String.format("Rng[key=0x%016x, draws=%d%s]", key, draws.get(), onDevice() ? ", device=" + device : "");
    }
}
