package dev.proxima.tensor;

import dev.proxima.tensor.internal.Philox;
import dev.proxima.tensor.internal.RandomKernels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RngTest {

    private static final int N = 1_000_000;

    @AfterEach
    void noLeaks() {
        assertEquals(0, Memory.allocatedBytes(), "every tensor must be freed");
    }

    // =================================================================== Philox

    @Test
    void philoxMatchesRandom123KnownAnswers() {
        assertBlock(new int[]{0, 0, 0, 0}, new int[]{0, 0},
                new int[]{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
        assertBlock(new int[]{-1, -1, -1, -1}, new int[]{-1, -1},
                new int[]{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
        assertBlock(new int[]{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, new int[]{0xa4093822, 0x299f31d0},
                new int[]{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
    }

    private static void assertBlock(int[] ctr, int[] key, int[] expected) {
        int[] out = new int[4];
        Philox.block(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out);
        assertArrayEquals(expected, out, () -> "Philox-4x32-10 of " + Arrays.toString(ctr) + " got " + hex(out));
    }

    private static String hex(int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int x : w) {
            sb.append(String.format("0x%08x ", x));
        }
        return sb.toString();
    }

    @Test
    void counterLayoutIsTheDocumentedOne() {
        long seed = 0x1234_5678_9abc_def0L;
        Rng rng = Rng.seed(seed);
        rng.split(0); // draw 0
        try (Scope scope = Scope.open()) {
            float[] u = rng.uniform(DType.F32, 0, 1, 6).toFloatArray(); // draw 1
            int[] w = new int[4];
            // element 5 = word 1 of block 1 at counter (1, 0, draw 1, round 0), key (lo, hi) of the seed
            Philox.block(1, 0, 1, 0, (int) seed, (int) (seed >>> 32), w);
            assertEquals((w[1] >>> 8) * 0x1.0p-24f, u[5]);
            assertEquals(2, rng.draws());
        }
    }

    // =================================================================== reproducibility

    @Test
    void sameSeedGivesSameValuesAndDrawsAdvance() {
        try (Scope scope = Scope.open()) {
            Rng a = Rng.seed(42);
            Rng b = Rng.seed(42);
            assertArrayEquals(a.normal(DType.F64, 0, 1, 100).toDoubleArray(), b.normal(DType.F64, 0, 1, 100).toDoubleArray());
            assertArrayEquals(a.randint(0, 1000, DType.I64, 50).toLongArray(), b.randint(0, 1000, DType.I64, 50).toLongArray());
            assertEquals(2, a.draws());
            // a second call never repeats the first
            Rng c = Rng.seed(42);
            assertFalse(Arrays.equals(c.uniform(DType.F32, 0, 1, 64).toFloatArray(), c.uniform(DType.F32, 0, 1, 64).toFloatArray()));
            // neighbouring seeds differ
            assertFalse(Arrays.equals(Rng.seed(1).uniform(DType.F64, 0, 1, 64).toDoubleArray(),
                    Rng.seed(2).uniform(DType.F64, 0, 1, 64).toDoubleArray()));
        }
    }

    @Test
    void splitIsDeterministicAndChildrenDiffer() {
        Rng[] x = Rng.seed(7).split(3);
        Rng[] y = Rng.seed(7).split(3);
        Set<Long> keys = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            assertEquals(x[i].key(), y[i].key());
            assertEquals(0, x[i].draws());
            keys.add(x[i].key());
        }
        keys.add(7L);
        assertEquals(4, keys.size(), "children and parent have distinct keys");
        // split() is the first child of split(1); a split consumes one draw
        Rng p = Rng.seed(7);
        assertEquals(x[0].key(), p.split().key());
        assertEquals(1, p.draws());
        assertNotEquals(x[0].key(), p.split().key(), "a second split gives new children");
        try (Scope scope = Scope.open()) {
            assertFalse(Arrays.equals(x[0].uniform(DType.F64, 0, 1, 32).toDoubleArray(), x[1].uniform(DType.F64, 0, 1, 32).toDoubleArray()));
        }
    }

    @Test
    void restoreContinuesTheStreamAndValuesDependOnlyOnTheFlatIndex() {
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(3);
            rng.normal(DType.F32, 0, 1, 10);
            long key = rng.key();
            long draws = rng.draws();
            float[] next = rng.uniform(DType.F32, 0, 1, 2, 3).toFloatArray();
            assertArrayEquals(next, Rng.restore(key, draws).uniform(DType.F32, 0, 1, 6).toFloatArray(), "shape does not matter");
            float[] longer = Rng.restore(key, draws).uniform(DType.F32, 0, 1, 100).toFloatArray();
            assertArrayEquals(next, Arrays.copyOf(longer, 6), "a shorter request is a prefix");
            assertEquals("Rng[key=0x0000000000000003, draws=2]", rng.toString());
        }
    }

    // =================================================================== moments

    /** Asserts sample mean and variance within 5 standard errors (var SE from the excess kurtosis). */
    private static void assertMoments(double[] x, double mean, double var, double excessKurtosis) {
        int n = x.length;
        double m = 0;
        for (double v : x) {
            m += v;
        }
        m /= n;
        double s2 = 0;
        for (double v : x) {
            s2 += (v - m) * (v - m);
        }
        s2 /= n - 1;
        double seMean = Math.sqrt(var / n);
        double seVar = var * Math.sqrt((2 + excessKurtosis) / n);
        assertTrue(Math.abs(m - mean) < 5 * seMean, "mean " + m + " vs " + mean + " (SE " + seMean + ")");
        assertTrue(Math.abs(s2 - var) < 5 * seVar, "variance " + s2 + " vs " + var + " (SE " + seVar + ")");
    }

    private static double[] toDoubles(Tensor t) {
        return t.dtype() == DType.F64 ? t.toDoubleArray() : t.cast(DType.F64).toDoubleArray();
    }

    @Test
    void uniformMomentsAndBounds() {
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(11);
            for (DType dt : new DType[]{DType.F32, DType.F64}) {
                double[] x = toDoubles(rng.uniform(dt, -2, 3, N));
                for (double v : x) {
                    assertTrue(v >= -2 && v < 3, "out of [-2, 3): " + v);
                }
                assertMoments(x, 0.5, 25.0 / 12, -1.2);
            }
            // the clamp keeps a rounding-prone F32 interval half-open
            for (float v : rng.uniform(DType.F32, 1, Math.nextUp(1f), 1000).toFloatArray()) {
                assertEquals(1f, v);
            }
        }
    }

    @Test
    void normalMoments() {
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(12);
            for (DType dt : new DType[]{DType.F32, DType.F64}) {
                assertMoments(toDoubles(rng.normal(dt, 1.5, 2, N)), 1.5, 4, 0);
            }
            double[] z = toDoubles(rng.normal(DType.F64, 0, 1, N));
            long within1 = Arrays.stream(z).filter(v -> Math.abs(v) < 1).count();
            double p = 0.6826894921370859; // P(|Z| < 1)
            assertTrue(Math.abs(within1 - N * p) < 5 * Math.sqrt(N * p * (1 - p)), "P(|Z| < 1) off: " + within1);
            assertArrayEquals(new double[]{3, 3, 3}, rng.normal(DType.F64, 3, 0, 3).toDoubleArray());
        }
    }

    @Test
    void gammaMoments() {
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(13);
            for (double alpha : new double[]{0.3, 1, 4.5}) {
                double scale = 2;
                double[] x = toDoubles(rng.gamma(DType.F64, alpha, scale, N));
                assertTrue(Arrays.stream(x).allMatch(v -> v >= 0), "gamma must be non-negative");
                assertMoments(x, alpha * scale, alpha * scale * scale, 6 / alpha);
            }
            assertMoments(toDoubles(rng.gamma(DType.F32, 2, 1, N)), 2, 2, 3);
        }
    }

    @Test
    void betaMoments() {
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(14);
            double[][] params = {{2, 5}, {0.5, 0.5}, {0.2, 3}};
            for (double[] ab : params) {
                double a = ab[0];
                double b = ab[1];
                double[] x = toDoubles(rng.beta(DType.F64, a, b, N));
                assertTrue(Arrays.stream(x).allMatch(v -> v >= 0 && v <= 1), "beta must be in [0, 1]");
                double mean = a / (a + b);
                double var = a * b / ((a + b) * (a + b) * (a + b + 1));
                double kurt = 6 * ((a - b) * (a - b) * (a + b + 1) - a * b * (a + b + 2)) / (a * b * (a + b + 2) * (a + b + 3));
                assertMoments(x, mean, var, kurt);
            }
            assertFalse(Arrays.stream(toDoubles(rng.beta(DType.F32, 1e-3, 1e-3, 10_000))).anyMatch(Double::isNaN),
                    "tiny shapes must not give 0/0");
        }
    }

    // =================================================================== discrete

    @Test
    void bernoulliFrequency() {
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(15);
            double p = 0.3;
            Tensor b = rng.bernoulli(p, 1000, 1000);
            assertEquals(DType.BOOL, b.dtype());
            double ones = b.cast(DType.F64).sum().item();
            assertTrue(Math.abs(ones - N * p) < 5 * Math.sqrt(N * p * (1 - p)), "ones: " + ones);
            assertEquals(0, rng.bernoulli(0, 10_000).cast(DType.I64).sum().item());
            assertEquals(10_000, rng.bernoulli(1, 10_000).cast(DType.I64).sum().item());
        }
    }

    @Test
    void rademacherSigns() {
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(16);
            for (DType dt : new DType[]{DType.I8, DType.I32, DType.I64, DType.F32, DType.F64}) {
                double[] x = toDoubles(rng.rademacher(dt, N));
                assertTrue(Arrays.stream(x).allMatch(v -> v == 1 || v == -1), dt + " must hold only +-1");
                double mean = Arrays.stream(x).average().orElseThrow();
                assertTrue(Math.abs(mean) < 5 / Math.sqrt(N), dt + " mean " + mean);
            }
        }
    }

    @Test
    void randintRangeAndChiSquare() {
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(17);
            int[] x = rng.randint(-3, 7, DType.I32, N).toIntArray();
            long[] counts = new long[10];
            for (int v : x) {
                assertTrue(v >= -3 && v < 7, "out of range: " + v);
                counts[v + 3]++;
            }
            double expected = N / 10.0;
            double chi2 = 0;
            for (long c : counts) {
                chi2 += (c - expected) * (c - expected) / expected;
            }
            assertTrue(chi2 < 44.81, "chi-square with 9 dof = " + chi2 + " (p < 1e-6)");
        }
    }

    @Test
    void randintHasNoModuloBias() {
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(18);
            // with x mod 3*2^30 on 32-bit words, values below 2^30 would have probability 1/2 instead of 1/3
            long[] x = rng.randint(0, 3L << 30, DType.I64, N).toLongArray();
            long low = Arrays.stream(x).filter(v -> v < (1L << 30)).count();
            assertTrue(Math.abs(low - N / 3.0) < 5 * Math.sqrt(N * (1 / 3.0) * (2 / 3.0)), "values below 2^30: " + low);
            // the same on the 64-bit path: range 3*2^62 (more than 2^63, an unsigned range)
            long[] y = rng.randint(Long.MIN_VALUE, Long.MIN_VALUE + (3L << 62), DType.I64, N).toLongArray();
            long below = Arrays.stream(y).filter(v -> v < Long.MIN_VALUE + (1L << 62)).count();
            assertTrue(Math.abs(below - N / 3.0) < 5 * Math.sqrt(N * (1 / 3.0) * (2 / 3.0)), "64-bit path: " + below);
            // full I32 range and extreme bounds
            int[] full = rng.randint(Integer.MIN_VALUE, 1L << 31, DType.I32, 1000).toIntArray();
            assertTrue(Arrays.stream(full).anyMatch(v -> v < 0) && Arrays.stream(full).anyMatch(v -> v > 0));
            assertTrue(Arrays.stream(rng.randint(5, 6, DType.I64, 100).toLongArray()).allMatch(v -> v == 5));
        }
    }

    @Test
    void permutationIsAUniformPermutation() {
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(19);
            long[] p = rng.permutation(100_000).toLongArray();
            long[] sorted = p.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < sorted.length; i++) {
                assertEquals(i, sorted[i]);
            }
            assertEquals(0, rng.permutation(0).size());
            // all 6 orders of 3 elements equally likely
            int trials = 30_000;
            int[] counts = new int[6];
            for (int t = 0; t < trials; t++) {
                try (Tensor q = rng.permutation(3)) {
                    long[] v = q.toLongArray();
                    counts[(int) (v[0] * 2 + (v[1] > v[2] ? 1 : 0))]++;
                }
            }
            double expected = trials / 6.0;
            double chi2 = Arrays.stream(counts).mapToDouble(c -> (c - expected) * (c - expected) / expected).sum();
            assertTrue(chi2 < 35.89, "chi-square with 5 dof = " + chi2 + " " + Arrays.toString(counts));
        }
    }

    @Test
    void choiceWithoutReplacementIsDistinctAndAPrefixOfThePermutation() {
        try (Scope scope = Scope.open()) {
            long key = 20;
            long[] perm = Rng.restore(key, 5).permutation(1000).toLongArray();
            long[] sparse = Rng.restore(key, 5).choice(1000, 10, false, null).toLongArray();  // hash-map variant
            long[] dense = Rng.restore(key, 5).choice(1000, 600, false, null).toLongArray();  // scratch-array variant
            assertArrayEquals(Arrays.copyOf(perm, 10), sparse);
            assertArrayEquals(Arrays.copyOf(perm, 600), dense);
            assertEquals(600, Arrays.stream(dense).distinct().count());
            // a huge population costs O(k)
            long[] big = Rng.seed(21).choice(1L << 50, 1000, false, null).toLongArray();
            assertEquals(1000, Arrays.stream(big).distinct().count());
            assertTrue(Arrays.stream(big).allMatch(v -> v >= 0 && v < (1L << 50)));
            // with replacement, no weights: values in range, repeats happen
            long[] rep = Rng.seed(22).choice(5, 1000, true, null).toLongArray();
            assertTrue(Arrays.stream(rep).allMatch(v -> v >= 0 && v < 5));
        }
    }

    @Test
    void weightedChoiceWithReplacementFollowsTheWeights() {
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(23);
            double[] w = {1, 0, 2, 3, 4};
            long[] x = rng.choice(5, N, true, Tensor.of(w)).toLongArray();
            long[] counts = new long[5];
            for (long v : x) {
                counts[(int) v]++;
            }
            assertEquals(0, counts[1], "zero weight never chosen");
            for (int i = 0; i < 5; i++) {
                double p = w[i] / 10;
                assertTrue(Math.abs(counts[i] - N * p) <= 5 * Math.sqrt(N * p * (1 - p)), "index " + i + ": " + counts[i]);
            }
            // F32 weights and a strided (non-contiguous) weight view
            Tensor w32 = Tensor.of(new float[]{5, 9, 0, 9, 5, 9}).slice(0, 0, 6, 2); // [5, 0, 5]
            long[] y = rng.choice(3, 10_000, true, w32).toLongArray();
            assertTrue(Arrays.stream(y).noneMatch(v -> v == 1));
        }
    }

    @Test
    void weightedChoiceWithoutReplacementFollowsSuccessiveDraws() {
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(24);
            Tensor w = Tensor.of(1.0, 0.0, 2.0, 3.0, 4.0);
            long[] all = rng.choice(5, 4, false, w).toLongArray();
            assertEquals(4, Arrays.stream(all).distinct().count());
            assertTrue(Arrays.stream(all).noneMatch(v -> v == 1));
            int trials = 20_000;
            int[] first = new int[5];
            int[] second = new int[5];
            for (int t = 0; t < trials; t++) {
                try (Tensor c = rng.choice(5, 2, false, w)) {
                    long[] v = c.toLongArray();
                    assertNotEquals(v[0], v[1]);
                    first[(int) v[0]]++;
                    second[(int) v[1]]++;
                }
            }
            double[] wv = {1, 0, 2, 3, 4};
            for (int i = 0; i < 5; i++) {
                double p1 = wv[i] / 10;
                // P(second = i) = sum over j != i of w_j/10 * w_i/(10 - w_j)
                double p2 = 0;
                for (int j = 0; j < 5; j++) {
                    if (j != i) {
                        p2 += wv[j] / 10 * wv[i] / (10 - wv[j]);
                    }
                }
                assertTrue(Math.abs(first[i] - trials * p1) <= 5 * Math.sqrt(trials * p1 * (1 - p1)) + 1e-9, "first " + i + ": " + first[i]);
                assertTrue(Math.abs(second[i] - trials * p2) <= 5 * Math.sqrt(trials * p2 * (1 - p2)) + 1e-9, "second " + i + ": " + second[i]);
            }
        }
    }

    @Test
    void emptyAndScalarShapes() {
        try (Scope scope = Scope.open()) {
            Rng rng = Rng.seed(25);
            assertEquals(0, rng.uniform(DType.F32, 0, 1, 0, 5).size());
            assertEquals(0, rng.choice(0, 0, false, null).size());
            Tensor s = rng.normal(DType.F64, 0, 1);
            assertEquals(0, s.rank());
            assertTrue(Double.isFinite(s.item()));
            assertEquals(3, rng.draws(), "every call takes one draw, even an empty one");
        }
    }

    // =================================================================== arguments

    @Test
    void badArgumentsThrowBeforeTakingADraw() {
        Rng rng = Rng.seed(26);
        try (Scope scope = Scope.open()) {
            Tensor w = Tensor.of(1.0, 2.0);
            Executable[] bad = {
                () -> rng.uniform(DType.I32, 0, 1, 3),
                () -> rng.uniform(DType.F32, 1, 1, 3),
                () -> rng.uniform(DType.F32, 2, 1, 3),
                () -> rng.uniform(DType.F64, 0, Double.POSITIVE_INFINITY, 3),
                () -> rng.uniform(DType.F64, Double.NaN, 1, 3),
                () -> rng.uniform(DType.F64, -Double.MAX_VALUE, Double.MAX_VALUE, 3),
                () -> rng.uniform(DType.F32, 1 + 0x1p-40, 1 + 0x1p-39, 3), // no float in between
                () -> rng.uniform(DType.F32, 0, 1, -1),
                () -> rng.normal(DType.F32, 0, -1, 3),
                () -> rng.normal(DType.F32, 0, Double.NaN, 3),
                () -> rng.normal(DType.BOOL, 0, 1, 3),
                () -> rng.bernoulli(-0.1, 3),
                () -> rng.bernoulli(1.5, 3),
                () -> rng.bernoulli(Double.NaN, 3),
                () -> rng.randint(5, 5, DType.I32, 3),
                () -> rng.randint(5, 4, DType.I64, 3),
                () -> rng.randint(0, 1L << 32, DType.I32, 3),
                () -> rng.randint(0, 10, DType.F32, 3),
                () -> rng.rademacher(DType.BOOL, 3),
                () -> rng.rademacher(DType.U8, 3),
                () -> rng.gamma(DType.F64, 0, 1, 3),
                () -> rng.gamma(DType.F64, 1, -2, 3),
                () -> rng.gamma(DType.I64, 1, 1, 3),
                () -> rng.beta(DType.F64, 1, 0, 3),
                () -> rng.beta(DType.F64, Double.POSITIVE_INFINITY, 1, 3),
                () -> rng.permutation(-1),
                () -> rng.choice(-1, 0, true, null),
                () -> rng.choice(3, -1, true, null),
                () -> rng.choice(0, 1, true, null),
                () -> rng.choice(3, 4, false, null),
                () -> rng.choice(3, 1, true, w),
                () -> rng.choice(2, 1, true, Tensor.of(1, 2)),
                () -> rng.choice(2, 1, true, Tensor.of(-1.0, 2.0)),
                () -> rng.choice(2, 1, true, Tensor.of(Double.NaN, 2.0)),
                () -> rng.choice(2, 1, true, Tensor.of(Double.POSITIVE_INFINITY, 2.0)),
                () -> rng.choice(2, 1, true, Tensor.of(0.0, 0.0)),
                () -> rng.choice(2, 1, true, Tensor.of(Double.MAX_VALUE, Double.MAX_VALUE)),
                () -> rng.choice(2, 2, false, Tensor.of(0.0, 1.0)),
                () -> rng.split(-1),
                () -> Rng.restore(1, -1),
                () -> Rng.restore(1, (1L << 48) + 1),
            };
            for (int i = 0; i < bad.length; i++) {
                int at = i;
                assertThrows(IllegalArgumentException.class, bad[i], () -> "case " + at);
            }
            assertEquals(0, rng.draws(), "failed calls take no draw");
            assertEquals(8, scope.size(), "failed calls leave no tensors behind (only the 8 weight tensors)");
        }
        Rng spent = Rng.restore(1, 1L << 48);
        assertThrows(IllegalStateException.class, spent::split);
    }

    // =================================================================== threads

    /** The kernel of one draw over a range, as the Rng calls it. */
    private interface RangeKernel {
        void fill(MemorySegment out, long start, long end, long draw);
    }

    /**
     * Checks that the tensor a generator produced on Proxima's threads equals the kernel run on one thread
     * over the whole range and over irregular chunks (as any other thread count would split it).
     */
    private static void assertThreadIndependent(Tensor produced, long draw, RangeKernel kernel) {
        long n = produced.size();
        long bytes = n * produced.dtype().byteSize();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment whole = arena.allocate(bytes, 8);
            kernel.fill(whole, 0, n, draw);
            assertEquals(-1, produced.segment().mismatch(whole), produced.dtype() + " differs from the one-thread reference");
            MemorySegment chunked = arena.allocate(bytes, 8);
            long[] cuts = {0, 1, 6, 129, 1000, n / 3, n / 2 + 1, n - 3, n};
            for (int c = 0; c + 1 < cuts.length; c++) {
                kernel.fill(chunked, cuts[c], cuts[c + 1], draw);
            }
            assertEquals(-1, whole.mismatch(chunked), produced.dtype() + " depends on the chunking");
        }
    }

    @Test
    void resultsDoNotDependOnThreadsOrChunks() {
        long n = (1 << 19) + 3; // large enough for Parallel.forRange to split over the workers
        Rng rng = Rng.seed(27);
        int k0 = (int) rng.key();
        int k1 = (int) (rng.key() >>> 32);
        try (Scope scope = Scope.open()) {
            long d = rng.draws();
            assertThreadIndependent(rng.uniform(DType.F32, -1, 2, n), d, (o, s, e, dr) -> RandomKernels.uniformF32(o, s, e, k0, k1, dr, -1, 2));
            assertThreadIndependent(rng.uniform(DType.F64, -1, 2, n), d + 1, (o, s, e, dr) -> RandomKernels.uniformF64(o, s, e, k0, k1, dr, -1, 2));
            assertThreadIndependent(rng.normal(DType.F32, 1, 2, n), d + 2, (o, s, e, dr) -> RandomKernels.normal(o, DType.F32, s, e, k0, k1, dr, 1, 2));
            assertThreadIndependent(rng.normal(DType.F64, 1, 2, n), d + 3, (o, s, e, dr) -> RandomKernels.normal(o, DType.F64, s, e, k0, k1, dr, 1, 2));
            assertThreadIndependent(rng.bernoulli(0.25, n), d + 4, (o, s, e, dr) -> RandomKernels.bernoulli(o, s, e, k0, k1, dr, 0.25));
            assertThreadIndependent(rng.rademacher(DType.F32, n), d + 5, (o, s, e, dr) -> RandomKernels.rademacher(o, DType.F32, s, e, k0, k1, dr));
            long r32 = 3L << 30;
            assertThreadIndependent(rng.randint(0, r32, DType.I64, n), d + 6, (o, s, e, dr) -> RandomKernels.randint(o, DType.I64, s, e, k0, k1, dr, 0, r32));
            long r64 = 3L << 62;
            assertThreadIndependent(rng.randint(Long.MIN_VALUE, Long.MIN_VALUE + r64, DType.I64, n), d + 7,
                    (o, s, e, dr) -> RandomKernels.randint(o, DType.I64, s, e, k0, k1, dr, Long.MIN_VALUE, r64));
            assertThreadIndependent(rng.gamma(DType.F64, 0.7, 1.5, n), d + 8, (o, s, e, dr) -> RandomKernels.gamma(o, DType.F64, s, e, k0, k1, dr, 0.7, 1.5));
            assertThreadIndependent(rng.beta(DType.F32, 2, 0.5, n), d + 9, (o, s, e, dr) -> RandomKernels.beta(o, DType.F32, s, e, k0, k1, dr, 2, 0.5));
            double[] w = {1, 0, 2, 3, 4};
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment cdf = arena.allocate(8L * w.length, 8);
                double sum = 0;
                for (int i = 0; i < w.length; i++) {
                    sum += w[i];
                    cdf.setAtIndex(java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED, i, sum);
                }
                assertThreadIndependent(rng.choice(5, n, true, Tensor.of(w)), d + 10,
                        (o, s, e, dr) -> RandomKernels.weightedWithReplacement(o, s, e, k0, k1, dr, cdf, 5, 4));
            }
        }
    }
}
