package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Floating sums and means against exact references: {@code math.fsum} of the same data, from
 * {@code fixtures/reduce/reduce_sums.txt} (written by {@code make_reduce_sums.py} beside it, whose docstring gives
 * the data; {@link #data} generates it identically). Every result is within 2 ulp of the exact sum, in the result's
 * dtype: full sums and means, a strided view at an odd offset, rows (the row loop) and columns (the column-sum loop);
 * rows of mixed-sign values, whose sums can cancel to near 0, within the documented bound of {@code ReduceSums}.
 */
@ExtendWith(AllocatorCheck.class)
class ReduceAccuracyTest {

    private static final int N = 1_000_000;
    private static final Map<String, double[]> EXACT = load();

    private static Map<String, double[]> load() {
        try (InputStream in = ReduceAccuracyTest.class.getResourceAsStream("/fixtures/reduce/reduce_sums.txt")) {
            assertNotNull(in, "fixtures/reduce/reduce_sums.txt on the test class path");
            Map<String, double[]> cases = new HashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split(" ");
                double[] v = new double[Integer.parseInt(f[1])];
                for (int i = 0; i < v.length; i++) {
                    v[i] = Double.parseDouble(f[2 + i]);
                }
                cases.put(f[0], v);
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SplitMix64 words from {@code seed}, as in make_reduce_sums.py. */
    static long[] splitMix64(long seed, int n) {
        long[] out = new long[n];
        long state = seed;
        for (int i = 0; i < n; i++) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            out[i] = z ^ (z >>> 31);
        }
        return out;
    }

    /** The test data of make_reduce_sums.py: kind tenth, uniform or mixed, dtype F32 or F64. */
    static Tensor data(String kind, DType t) {
        int seed = switch (kind) {
            case "tenth" -> 0;
            case "uniform" -> 1;
            case "mixed" -> 2;
            default -> throw new IllegalArgumentException(kind);
        } + (t == DType.F64 ? 10 : 0);
        long[] r = kind.equals("tenth") ? null : splitMix64(seed, N);
        if (t == DType.F32) {
            float[] v = new float[N];
            for (int i = 0; i < N; i++) {
                v[i] = r == null ? 0.1f : kind.equals("uniform") ? (float) ((r[i] >>> 40) * 0x1p-24) : (float) ((r[i] >>> 40) * 0x1p-23 - 1);
            }
            return Tensor.of(v);
        }
        double[] v = new double[N];
        for (int i = 0; i < N; i++) {
            v[i] = r == null ? 0.1 : kind.equals("uniform") ? (r[i] >>> 11) * 0x1p-53 : (r[i] >>> 11) * 0x1p-52 - 1;
        }
        return Tensor.of(v);
    }

    /** |actual − exact| in ulps of the exact value rounded to {@code t}. */
    static double ulps(double actual, double exact, DType t) {
        double ulp = t == DType.F32 ? Math.ulp((float) exact) : Math.ulp(exact);
        return Math.abs(actual - exact) / ulp;
    }

    private static void assertWithin(double maxUlps, Tensor actual, double[] exact, String what) {
        double[] got = actual.toDoubleArray();
        assertEquals(exact.length, got.length, what);
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            worst = Math.max(worst, ulps(got[i], exact[i], actual.dtype()));
        }
        assertTrue(worst <= maxUlps, what + ": " + worst + " ulp from the exact sum (at most " + maxUlps + ")");
    }

    /**
     * The documented bound where terms cancel: |error| ≤ 2 ulp of the exact sum + 3 unit roundoffs of Σ|x| (rows of
     * 10⁴ values in [-1, 1) whose sum can come out near 0, far below Σ|x| ≈ 5000). Also asserts that most outputs
     * are within 2 ulp (F32 rows here: 86 of 100; the float pairwise groups make about an ulp of error where the
     * row sum is ~60 and Σ|x| ~5000).
     */
    private static void assertWithinCancellationBound(Tensor actual, double[] exact, Tensor absSums, String what) {
        double[] got = actual.toDoubleArray();
        double[] abs = absSums.toDoubleArray();
        double u = actual.dtype() == DType.F32 ? 0x1p-24 : 0x1p-53;
        int within2 = 0;
        for (int i = 0; i < got.length; i++) {
            double ulp = actual.dtype() == DType.F32 ? Math.ulp((float) exact[i]) : Math.ulp(exact[i]);
            double error = Math.abs(got[i] - exact[i]);
            assertTrue(error <= 2 * ulp + 3 * u * abs[i], what + " output " + i + ": error " + error + " exceeds 2 ulp ("
                    + 2 * ulp + ") + 3u Σ|x| (" + 3 * u * abs[i] + ")");
            within2 += error <= 2 * ulp ? 1 : 0;
        }
        assertTrue(within2 >= 0.8 * got.length, what + ": only " + within2 + " of " + got.length + " within 2 ulp");
    }

    private static void check(String kind, DType t) {
        String name = kind + "_" + t.name().toLowerCase();
        try (Scope s = Scope.open()) {
            Tensor x = data(kind, t);
            Tensor sum = x.sum();
            assertEquals(t, sum.dtype());
            assertWithin(2, sum, EXACT.get(name), name + " sum");
            assertWithin(2, x.mean(), new double[]{EXACT.get(name)[0] / N}, name + " mean");
            assertWithin(2, x.slice(0, 1, N, 3).sum(), EXACT.get(name + "_strided"), name + " sum of [1::3]");
            if (kind.equals("mixed")) {
                Tensor absSums = x.cast(DType.F64).abs().reshape(100, 10000).sum(1);
                assertWithinCancellationBound(x.reshape(100, 10000).sum(1), EXACT.get(name + "_rows"), absSums, name + " rows");
            } else {
                assertWithin(2, x.reshape(100, 10000).sum(1), EXACT.get(name + "_rows"), name + " rows");
            }
            assertWithin(2, x.reshape(10000, 100).sum(0), EXACT.get(name + "_columns"), name + " columns");
            double[] columnMeans = EXACT.get(name + "_columns").clone();
            for (int i = 0; i < columnMeans.length; i++) {
                columnMeans[i] /= 10000;
            }
            assertWithin(2, x.reshape(10000, 100).mean(0), columnMeans, name + " column means");
        }
    }

    @Test
    void aMillionTimesOneTenthSumsWithinTwoUlp() {
        check("tenth", DType.F32);
        check("tenth", DType.F64);
    }

    @Test
    void uniformValuesSumWithinTwoUlp() {
        check("uniform", DType.F32);
        check("uniform", DType.F64);
    }

    @Test
    void mixedSignValuesSumWithinTwoUlpDespiteCancellation() {
        check("mixed", DType.F32);
        check("mixed", DType.F64);
    }
}
