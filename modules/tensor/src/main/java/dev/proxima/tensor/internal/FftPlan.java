package dev.proxima.tensor.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A precomputed forward complex DFT of one length {@code n}: {@code X_k = Σ_j x_j e^{−2πi jk/n}},
 * unscaled, computed in double precision.
 *
 * <p>Data layout: a batch of {@code B} lines is interleaved, element {@code j} of line {@code q} at
 * index {@code q + B·j}, with real and imaginary parts in separate arrays. Interleaving lets every
 * radix pass run its innermost loop over lines, which is what the Vector API path needs.
 *
 * <p>Three algorithms, chosen by length:
 * <ul>
 *   <li>{@link MixedRadix}: Stockham autosort Cooley–Tukey with radix-4, 2, 3, 5 passes and a direct
 *       odd-radix pass for other primes; used up to {@link #FOUR_STEP_MIN} points when every prime
 *       factor is cheap enough;</li>
 *   <li>{@link FourStep}: for long lengths, {@code n = n1·n2} with both near √n: {@code n2} column
 *       FFTs of length {@code n1}, twiddles {@code w_n^{j2·k1}}, {@code n1} row FFTs of length
 *       {@code n2}; each sub-FFT works on a cache-sized block of lines and the blocks run in parallel;</li>
 *   <li>{@link Bluestein}: lengths with a large prime factor, as a chirp-z convolution through a
 *       power-of-two FFT of length ≥ 2n − 1.</li>
 * </ul>
 * Plans are immutable and cached per length ({@link #of}); they are shared between threads.
 */
abstract sealed class FftPlan permits FftPlan.MixedRadix, FftPlan.FourStep, FftPlan.Bluestein {

    /** Lengths from here on use the four-step algorithm when they split into two factors ≥ 16. */
    static final int FOUR_STEP_MIN = 1 << 15;

    /** The batch of lines one mixed-radix call aims to transform together, in complex elements. */
    private static final int BATCH_ELEMENTS = 1 << 14;

    private static final int CACHE_LIMIT = 64;
    private static final ConcurrentHashMap<Integer, FftPlan> PLANS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Integer, double[][]> HALF_TWIDDLES = new ConcurrentHashMap<>();

    /** The transform length. */
    final int n;

    FftPlan(int n) {
        this.n = n;
    }

    /** The cached plan for length {@code n} (≥ 1), built on first use. */
    static FftPlan of(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("FFT length must be >= 1, got " + n);
        }
        FftPlan plan = PLANS.get(n);
        if (plan == null) {
            plan = create(n);
            if (PLANS.size() >= CACHE_LIMIT) {
                PLANS.clear();
            }
            FftPlan raced = PLANS.putIfAbsent(n, plan);
            if (raced != null) {
                plan = raced;
            }
        }
        return plan;
    }

    /**
     * {@code e^{−2πi k/n}} for {@code k = 0 … n/2} ({@code [0]} real parts, {@code [1]} imaginary), the
     * twiddles that split a length-{@code n} real FFT into a length-{@code n/2} complex one. Cached.
     */
    static double[][] halfTwiddles(int n) {
        double[][] t = HALF_TWIDDLES.get(n);
        if (t == null) {
            int h = n / 2;
            double[] re = new double[h + 1];
            double[] im = new double[h + 1];
            for (int k = 0; k <= h; k++) {
                re[k] = cosTurn(k, n);
                im[k] = -sinTurn(k, n);
            }
            t = new double[][]{re, im};
            if (HALF_TWIDDLES.size() >= CACHE_LIMIT) {
                HALF_TWIDDLES.clear();
            }
            double[][] raced = HALF_TWIDDLES.putIfAbsent(n, t);
            if (raced != null) {
                t = raced;
            }
        }
        return t;
    }

    private static FftPlan create(int n) {
        List<Integer> factors = factor(n);
        int largest = factors.isEmpty() ? 1 : factors.getLast();
        if (largest > 5 && mixedCost(n, factors) > bluesteinCost(n)) {
            return new Bluestein(n);
        }
        if (n >= FOUR_STEP_MIN) {
            int n1 = splitNearSqrt(n, factors);
            if (n1 >= 16 && n / n1 >= 16) {
                return new FourStep(n, n1);
            }
        }
        return new MixedRadix(n, factors);
    }

    /** How many lines a call should batch: about {@link #BATCH_ELEMENTS} elements, a multiple of the vector length. */
    abstract int batchCap();

    /**
     * Transforms {@code batch} interleaved lines held in {@code re}/{@code im} (forward, unscaled).
     * {@code wre}/{@code wim} are work arrays of at least {@code batch·n} elements.
     *
     * @param parallel whether the transform may split its own work over {@link Parallel} workers
     * @return true if the result ended in the work arrays, false if in {@code re}/{@code im}
     */
    abstract boolean forward(double[] re, double[] im, double[] wre, double[] wim, int batch, boolean parallel);

    // ------------------------------------------------------------------ factoring and costs

    /** Prime factors in the order the passes use them: 4s first, then 2, 3, 5, then larger primes ascending. */
    static List<Integer> factor(int n) {
        List<Integer> out = new ArrayList<>();
        int rest = n;
        while (rest % 4 == 0) {
            out.add(4);
            rest /= 4;
        }
        if (rest % 2 == 0) {
            out.add(2);
            rest /= 2;
        }
        for (int p = 3; (long) p * p <= rest; p += 2) {
            while (rest % p == 0) {
                out.add(p);
                rest /= p;
            }
        }
        if (rest > 1) {
            out.add(rest);
        }
        // the loop above yields odd primes ascending; the remaining factor is the largest
        return out;
    }

    /** Rough operation count of the mixed-radix passes (per element: radix cost plus a load/store). */
    private static double mixedCost(int n, List<Integer> factors) {
        double perElement = 0;
        for (int f : factors) {
            perElement += switch (f) {
                case 2 -> 2;
                case 3 -> 2.5;
                case 4 -> 3;
                case 5 -> 3.5;
                default -> 2 + f; // the direct odd-radix pass is O(f) per element
            };
        }
        return (double) n * perElement;
    }

    private static int bluesteinLength(int n) {
        long m = Long.highestOneBit(2L * n - 1);
        if (m < 2L * n - 1) {
            m <<= 1;
        }
        if (m > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("FFT length " + n + " is too large for the Bluestein algorithm");
        }
        return (int) m;
    }

    private static double bluesteinCost(int n) {
        int m = bluesteinLength(n);
        return 2 * mixedCost(m, factor(m)) + 8.0 * m;
    }

    /** The divisor of {@code n} built from its factors that is closest to √n from below. */
    private static int splitNearSqrt(int n, List<Integer> factors) {
        // subset products of the prime factors (with multiplicity), as a set of divisors
        TreeSet<Integer> divisors = new TreeSet<>();
        divisors.add(1);
        for (int f : factors) {
            List<Integer> next = new ArrayList<>();
            for (int d : divisors) {
                long v = (long) d * f;
                if (v <= n) {
                    next.add((int) v);
                }
            }
            divisors.addAll(next);
        }
        int root = (int) Math.sqrt(n);
        Integer best = divisors.floor(root);
        return best == null ? 1 : best;
    }

    /** {@code cos(2π·t/n)}, reducing {@code t} first so large products keep full accuracy. */
    static double cosTurn(long t, long n) {
        return Math.cos(2 * Math.PI * (double) Math.floorMod(t, n) / n);
    }

    /** {@code sin(2π·t/n)}, reducing {@code t} first. */
    static double sinTurn(long t, long n) {
        return Math.sin(2 * Math.PI * (double) Math.floorMod(t, n) / n);
    }

    // ================================================================== mixed radix

    /** Stockham autosort passes over the prime factors; see {@link FftPasses}. */
    static final class MixedRadix extends FftPlan {

        private final int[] radices;
        private final double[][] twRe;
        private final double[][] twIm;
        private final double[][] oddCos;
        private final double[][] oddSin;

        MixedRadix(int n, List<Integer> factors) {
            super(n);
            int stages = factors.size();
            radices = new int[stages];
            twRe = new double[stages][];
            twIm = new double[stages][];
            oddCos = new double[stages][];
            oddSin = new double[stages][];
            int len = n;
            for (int i = 0; i < stages; i++) {
                int r = factors.get(i);
                int m = len / r;
                radices[i] = r;
                double[] wr = new double[(r - 1) * m];
                double[] wi = new double[(r - 1) * m];
                for (int p = 0; p < m; p++) {
                    for (int j = 1; j < r; j++) {
                        wr[p * (r - 1) + j - 1] = cosTurn((long) j * p, len);
                        wi[p * (r - 1) + j - 1] = -sinTurn((long) j * p, len);
                    }
                }
                twRe[i] = wr;
                twIm[i] = wi;
                if (r > 5) {
                    double[] c = new double[r];
                    double[] s = new double[r];
                    for (int t = 0; t < r; t++) {
                        c[t] = cosTurn(t, r);
                        s[t] = sinTurn(t, r);
                    }
                    oddCos[i] = c;
                    oddSin[i] = s;
                }
                len = m;
            }
        }

        @Override
        int batchCap() {
            int b = Math.clamp(BATCH_ELEMENTS / n, 1, 64);
            return b >= FftPasses.LANES ? b - b % FftPasses.LANES : b;
        }

        @Override
        boolean forward(double[] re, double[] im, double[] wre, double[] wim, int batch, boolean parallel) {
            double[] xr = re;
            double[] xi = im;
            double[] yr = wre;
            double[] yi = wim;
            int s = batch;
            int len = n;
            for (int i = 0; i < radices.length; i++) {
                int r = radices[i];
                int m = len / r;
                switch (r) {
                    case 2 -> FftPasses.radix2(xr, xi, yr, yi, s, m, twRe[i], twIm[i]);
                    case 3 -> FftPasses.radix3(xr, xi, yr, yi, s, m, twRe[i], twIm[i]);
                    case 4 -> FftPasses.radix4(xr, xi, yr, yi, s, m, twRe[i], twIm[i]);
                    case 5 -> FftPasses.radix5(xr, xi, yr, yi, s, m, twRe[i], twIm[i]);
                    default -> FftPasses.radixOdd(xr, xi, yr, yi, s, m, r, twRe[i], twIm[i], oddCos[i], oddSin[i]);
                }
                double[] t = xr;
                xr = yr;
                yr = t;
                t = xi;
                xi = yi;
                yi = t;
                s *= r;
                len = m;
            }
            return radices.length % 2 == 1;
        }
    }

    // ================================================================== four-step

    /**
     * {@code n = n1·n2}; input index {@code j = n2·j1 + j2}, output index {@code k = k1 + n1·k2}:
     * {@code X[k1 + n1·k2] = Σ_{j2} w_{n2}^{j2·k2} · w_n^{j2·k1} · Σ_{j1} x[n2·j1 + j2] · w_{n1}^{j1·k1}}.
     * Step 1 transforms blocks of columns (contiguous runs of {@code j2}) in place with their twiddles;
     * step 2 transforms blocks of rows and writes the transposed result into the work arrays.
     * Twiddles {@code w_n^{k1·j2}} of a column block starting at {@code c0} are
     * {@code w_n^{k1·c0}·w_n^{k1·q}}: the first from two tables ({@code w_n^{t mod T}·w_n^{T·⌊t/T⌋}}), the
     * second from a table of {@code n1 × BLOCK} entries.
     */
    static final class FourStep extends FftPlan {

        private static final int BLOCK = 16;

        private final int n1;
        private final int n2;
        private final FftPlan columns;
        private final FftPlan rows;
        private final int shift;
        private final double[] loRe;
        private final double[] loIm;
        private final double[] hiRe;
        private final double[] hiIm;
        private final double[] stepRe;
        private final double[] stepIm;

        FourStep(int n, int n1) {
            super(n);
            this.n1 = n1;
            this.n2 = n / n1;
            this.columns = FftPlan.of(n1);
            this.rows = FftPlan.of(n2);
            int bits = (32 - Integer.numberOfLeadingZeros(n - 1) + 1) / 2;
            this.shift = bits;
            int t = 1 << bits;
            loRe = new double[t];
            loIm = new double[t];
            for (int i = 0; i < t; i++) {
                loRe[i] = cosTurn(i, n);
                loIm[i] = -sinTurn(i, n);
            }
            int hi = (n >> bits) + 1;
            hiRe = new double[hi];
            hiIm = new double[hi];
            for (int i = 0; i < hi; i++) {
                hiRe[i] = cosTurn((long) i << bits, n);
                hiIm[i] = -sinTurn((long) i << bits, n);
            }
            stepRe = new double[n1 * BLOCK];
            stepIm = new double[n1 * BLOCK];
            for (int k1 = 0; k1 < n1; k1++) {
                for (int q = 0; q < BLOCK; q++) {
                    stepRe[k1 * BLOCK + q] = cosTurn((long) k1 * q, n);
                    stepIm[k1 * BLOCK + q] = -sinTurn((long) k1 * q, n);
                }
            }
        }

        @Override
        int batchCap() {
            return 1;
        }

        @Override
        boolean forward(double[] re, double[] im, double[] wre, double[] wim, int batch, boolean parallel) {
            if (batch != 1) {
                throw new IllegalStateException("four-step plans transform one line at a time");
            }
            int colBlocks = (n2 + BLOCK - 1) / BLOCK;
            run(colBlocks, BLOCK * n1, parallel, (b0, b1) -> columnBlocks(re, im, (int) b0, (int) b1));
            int rowBlocks = (n1 + BLOCK - 1) / BLOCK;
            run(rowBlocks, BLOCK * n2, parallel, (b0, b1) -> rowBlocks(re, im, wre, wim, (int) b0, (int) b1));
            return true;
        }

        private static void run(int blocks, int elementsPerBlock, boolean parallel, Parallel.RangeBody body) {
            if (parallel) {
                Parallel.forRange(blocks, 8 * elementsPerBlock, body);
            } else {
                body.run(0, blocks);
            }
        }

        /** Step 1 for column blocks {@code [b0, b1)}: in place in {@code re}/{@code im}. */
        private void columnBlocks(double[] re, double[] im, int b0, int b1) {
            double[][] scratch = FftScratch.four(FftScratch.Slot.COLUMNS, BLOCK * n1);
            double[] sr = scratch[0];
            double[] si = scratch[1];
            double[] tr = scratch[2];
            double[] ti = scratch[3];
            for (int b = b0; b < b1; b++) {
                int c0 = b * BLOCK;
                int w = Math.min(BLOCK, n2 - c0);
                for (int j1 = 0; j1 < n1; j1++) {
                    System.arraycopy(re, j1 * n2 + c0, sr, j1 * w, w);
                    System.arraycopy(im, j1 * n2 + c0, si, j1 * w, w);
                }
                boolean inWork = columns.forward(sr, si, tr, ti, w, false);
                double[] yr = inWork ? tr : sr;
                double[] yi = inWork ? ti : si;
                int mask = (1 << shift) - 1;
                for (int k1 = 0; k1 < n1; k1++) {
                    // w_n^{k1·(c0+q)} = w_n^{k1·c0} (two-table lookup) · w_n^{k1·q} (per-row table)
                    int t = k1 * c0;
                    int lo = t & mask;
                    int hi = t >>> shift;
                    double br = loRe[lo] * hiRe[hi] - loIm[lo] * hiIm[hi];
                    double bi = loRe[lo] * hiIm[hi] + loIm[lo] * hiRe[hi];
                    twiddleRow(yr, yi, k1 * w, re, im, k1 * n2 + c0, stepRe, stepIm, k1 * BLOCK, w, br, bi);
                }
            }
        }

        /** {@code dst[to + q] = src[from + q] · base · step[at + q]} for {@code q < w}. */
        private static void twiddleRow(double[] sr, double[] si, int from, double[] dr, double[] di, int to,
                                       double[] stRe, double[] stIm, int at, int w, double br, double bi) {
            for (int q = 0; q < w; q++) {
                double sRe = stRe[at + q];
                double sIm = stIm[at + q];
                double wr = br * sRe - bi * sIm;
                double wi = br * sIm + bi * sRe;
                double xr = sr[from + q];
                double xi = si[from + q];
                dr[to + q] = xr * wr - xi * wi;
                di[to + q] = xr * wi + xi * wr;
            }
        }

        /** Step 2 for row blocks {@code [b0, b1)}: reads {@code re}/{@code im}, writes {@code wre}/{@code wim}. */
        private void rowBlocks(double[] re, double[] im, double[] wre, double[] wim, int b0, int b1) {
            double[][] scratch = FftScratch.four(FftScratch.Slot.ROWS, BLOCK * n2);
            double[] sr = scratch[0];
            double[] si = scratch[1];
            double[] tr = scratch[2];
            double[] ti = scratch[3];
            for (int b = b0; b < b1; b++) {
                int r0 = b * BLOCK;
                int h = Math.min(BLOCK, n1 - r0);
                for (int q = 0; q < h; q++) {
                    int row = (r0 + q) * n2;
                    for (int j2 = 0; j2 < n2; j2++) {
                        sr[q + h * j2] = re[row + j2];
                        si[q + h * j2] = im[row + j2];
                    }
                }
                boolean inWork = rows.forward(sr, si, tr, ti, h, false);
                double[] yr = inWork ? tr : sr;
                double[] yi = inWork ? ti : si;
                for (int k2 = 0; k2 < n2; k2++) {
                    System.arraycopy(yr, h * k2, wre, r0 + n1 * k2, h);
                    System.arraycopy(yi, h * k2, wim, r0 + n1 * k2, h);
                }
            }
        }
    }

    // ================================================================== Bluestein

    /**
     * Chirp-z: with {@code c_k = e^{−πi k²/n}}, {@code jk = (j² + k² − (k−j)²)/2} gives
     * {@code X_k = c_k · Σ_j (x_j c_j) · conj(c_{k−j})}, a convolution evaluated with power-of-two FFTs of
     * length {@code m ≥ 2n − 1}. The transform of the conjugate chirp (divided by {@code m}) is precomputed.
     */
    static final class Bluestein extends FftPlan {

        private final int m;
        private final FftPlan inner;
        private final double[] chirpRe;
        private final double[] chirpIm;
        private final double[] kernelRe;
        private final double[] kernelIm;

        Bluestein(int n) {
            super(n);
            m = bluesteinLength(n);
            inner = FftPlan.of(m);
            chirpRe = new double[n];
            chirpIm = new double[n];
            long twoN = 2L * n;
            for (int k = 0; k < n; k++) {
                long t = Math.floorMod((long) k * k, twoN); // e^{−πi k²/n} = e^{−2πi (k² mod 2n)/(2n)}
                chirpRe[k] = cosTurn(t, twoN);
                chirpIm[k] = -sinTurn(t, twoN);
            }
            double[] br = new double[m];
            double[] bi = new double[m];
            br[0] = chirpRe[0];
            bi[0] = -chirpIm[0];
            for (int k = 1; k < n; k++) {
                br[k] = chirpRe[k];
                bi[k] = -chirpIm[k];
                br[m - k] = chirpRe[k];
                bi[m - k] = -chirpIm[k];
            }
            double[] wr = new double[m];
            double[] wi = new double[m];
            boolean inWork = inner.forward(br, bi, wr, wi, 1, false);
            double[] fr = inWork ? wr : br;
            double[] fi = inWork ? wi : bi;
            for (int k = 0; k < m; k++) {
                fr[k] /= m;
                fi[k] /= m;
            }
            kernelRe = fr;
            kernelIm = fi;
        }

        @Override
        int batchCap() {
            return 1;
        }

        @Override
        boolean forward(double[] re, double[] im, double[] wre, double[] wim, int batch, boolean parallel) {
            double[][] scratch = FftScratch.four(FftScratch.Slot.CHIRP, m);
            double[] ar = scratch[0];
            double[] ai = scratch[1];
            double[] tr = scratch[2];
            double[] ti = scratch[3];
            for (int q = 0; q < batch; q++) {
                Arrays.fill(ar, n, m, 0);
                Arrays.fill(ai, n, m, 0);
                for (int k = 0; k < n; k++) {
                    double xr = re[q + batch * k];
                    double xi = im[q + batch * k];
                    ar[k] = xr * chirpRe[k] - xi * chirpIm[k];
                    ai[k] = xr * chirpIm[k] + xi * chirpRe[k];
                }
                boolean inWork = inner.forward(ar, ai, tr, ti, 1, parallel);
                double[] fr = inWork ? tr : ar;
                double[] fi = inWork ? ti : ai;
                double[] gr = inWork ? ar : tr;
                double[] gi = inWork ? ai : ti;
                // product with the kernel, conjugated so that a forward FFT computes the inverse
                for (int k = 0; k < m; k++) {
                    double pr = fr[k] * kernelRe[k] - fi[k] * kernelIm[k];
                    double pi = fr[k] * kernelIm[k] + fi[k] * kernelRe[k];
                    fr[k] = pr;
                    fi[k] = -pi;
                }
                boolean back = inner.forward(fr, fi, gr, gi, 1, parallel);
                double[] cr = back ? gr : fr;
                double[] ci = back ? gi : fi;
                for (int k = 0; k < n; k++) {
                    double vr = cr[k];
                    double vi = -ci[k];
                    re[q + batch * k] = vr * chirpRe[k] - vi * chirpIm[k];
                    im[q + batch * k] = vr * chirpIm[k] + vi * chirpRe[k];
                }
            }
            return false;
        }
    }
}
