package dev.proxima.tensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The NumPy/SciPy reference values of {@code fixtures/linalg/linalg_fixtures.txt} (format documented in
 * {@code make_linalg_fixtures.py} beside it), and the comparisons the linear-algebra tests share.
 */
final class LinalgFixtures {

    private static final String RESOURCE = "/fixtures/linalg/linalg_fixtures.txt";
    private static final Map<String, Map<String, Entry>> CASES = load();

    private LinalgFixtures() {
    }

    /** One array of a case: integer or floating values in row-major order. */
    record Entry(String name, boolean integer, long[] shape, double[] values) {

        /** The array as a new F64 tensor (I64 for integer entries), owned by the current scope. */
        Tensor tensor() {
            Tensor flat;
            if (integer) {
                long[] l = new long[values.length];
                for (int i = 0; i < l.length; i++) {
                    l[i] = (long) values[i];
                }
                flat = Tensor.of(l);
            } else {
                flat = Tensor.of(values);
            }
            return flat.reshape(shape);
        }

        /** The array converted to {@code dtype}. */
        Tensor tensor(DType dtype) {
            return tensor().cast(dtype);
        }

        double scalar() {
            assertEquals(1, values.length, name + " is not a scalar");
            return values[0];
        }
    }

    /** The entries of case {@code name}. */
    static Map<String, Entry> of(String name) {
        Map<String, Entry> c = CASES.get(name);
        assertNotNull(c, "no fixture case " + name);
        return c;
    }

    static Entry get(String caseName, String key) {
        Entry e = of(caseName).get(key);
        assertNotNull(e, "fixture case " + caseName + " has no entry " + key);
        return e;
    }

    private static Map<String, Map<String, Entry>> load() {
        Map<String, Map<String, Entry>> cases = new LinkedHashMap<>();
        try (InputStream in = LinalgFixtures.class.getResourceAsStream(RESOURCE)) {
            assertNotNull(in, RESOURCE + " is missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            Map<String, Entry> current = null;
            String caseName = null;
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                if (f[0].equals("case")) {
                    caseName = f[1];
                    current = new LinkedHashMap<>();
                    cases.put(caseName, current);
                    continue;
                }
                if (current == null || f.length < 3) {
                    throw new IllegalStateException("malformed fixture line: " + line);
                }
                long[] shape = f[2].equals("-") ? new long[0] : Arrays.stream(f[2].split("x")).mapToLong(Long::parseLong).toArray();
                double[] v = new double[f.length - 3];
                for (int i = 0; i < v.length; i++) {
                    v[i] = Double.parseDouble(f[i + 3]);
                }
                long size = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
                if (size != v.length) {
                    throw new IllegalStateException(caseName + "/" + f[0] + ": shape " + f[2] + " but " + v.length + " values");
                }
                current.put(f[0], new Entry(caseName + "/" + f[0], f[1].equals("i64"), shape, v));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    // ------------------------------------------------------------------ comparisons

    /**
     * Asserts that {@code actual} has the shape of {@code expected} and that every element is within
     * {@code tol} relative to the largest finite magnitude of {@code expected} (infinities must match exactly).
     */
    static void assertClose(String what, Entry expected, Tensor actual, double tol) {
        assertClose(what, expected.shape(), expected.values(), actual, tol);
    }

    static void assertClose(String what, long[] shape, double[] expected, Tensor actual, double tol) {
        assertTrue(Arrays.equals(shape, actual.shape()),
                what + ": expected shape " + Arrays.toString(shape) + ", got " + Arrays.toString(actual.shape()));
        assertClose(what, expected, actual.toDoubleArray(), tol);
    }

    static void assertClose(String what, double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length, what + ": number of elements");
        double scale = 0;
        for (double e : expected) {
            if (Double.isFinite(e)) {
                scale = Math.max(scale, Math.abs(e));
            }
        }
        double atol = tol * Math.max(scale, Double.MIN_NORMAL);
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            boolean ok = Double.isFinite(e) ? Math.abs(a - e) <= atol : e == a || (Double.isNaN(e) && Double.isNaN(a));
            if (!ok) {
                fail(what + ": element " + i + " is " + a + ", expected " + e + " (tolerance " + atol + ")\n expected "
                        + Arrays.toString(expected) + "\n   actual " + Arrays.toString(actual));
            }
        }
    }

    /** A stack of {@code batch} n×n identity matrices, row-major. */
    static double[] eyes(long batch, int n) {
        double[] out = new double[(int) batch * n * n];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                out[b * n * n + i * n + i] = 1;
            }
        }
        return out;
    }

    static double[] abs(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.abs(v[i]);
        }
        return out;
    }

    static long[] withLast(long[] shape, long... last) {
        long[] out = Arrays.copyOf(shape, shape.length + last.length);
        System.arraycopy(last, 0, out, shape.length, last.length);
        return out;
    }

    static long[] batchOf(long[] shape) {
        return Arrays.copyOf(shape, shape.length - 2);
    }

    static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
