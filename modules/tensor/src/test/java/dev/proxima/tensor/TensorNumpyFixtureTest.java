package dev.proxima.tensor;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cross-checks against NumPy: {@code fixtures/indexing/numpy_cases.txt} holds inputs and NumPy's results,
 * written by {@code generate.py} next to it (see its header for the format). Each case runs twice: on
 * contiguous operands and on non-contiguous views with the same values.
 */
class TensorNumpyFixtureTest {

    private static final String RESOURCE = "fixtures/indexing/numpy_cases.txt";

    @TestFactory
    List<DynamicTest> numpyCases() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : read().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(" \\| ");
            assertEquals(6, f.length, line);
            String name = f[1];
            for (boolean strided : new boolean[]{false, true}) {
                tests.add(DynamicTest.dynamicTest(name + (strided ? " (strided)" : ""), () -> {
                    try (Scope scope = Scope.open()) {
                        Map<String, String> params = params(f[3]);
                        String[] operandText = f[4].split(" ; ");
                        Tensor[] operands = new Tensor[operandText.length];
                        for (int i = 0; i < operands.length; i++) {
                            Tensor t = parse(operandText[i]);
                            operands[i] = strided ? nonContiguous(t) : t;
                        }
                        Tensor expected = parse(f[5]);
                        Tensor actual = run(f[2], params, operands);
                        assertEquals(expected.dtype(), actual.dtype(), "dtype");
                        assertArrayEquals(expected.shape(), actual.shape(), "shape");
                        double[] e = expected.toDoubleArray();
                        double[] a = actual.toDoubleArray();
                        for (int i = 0; i < e.length; i++) {
                            boolean same = Double.compare(e[i], a[i]) == 0 || Math.abs(e[i] - a[i]) <= 1e-9 * Math.max(1, Math.abs(e[i]));
                            assertTrue(same, "element " + i + ": expected " + e[i] + ", got " + a[i]);
                        }
                    }
                    assertEquals(0, Memory.allocatedBytes(), "every tensor must be freed");
                }));
            }
        }
        assertTrue(tests.size() > 50, "fixture file has too few cases");
        return tests;
    }

    private static Tensor run(String op, Map<String, String> p, Tensor[] x) {
        return switch (op) {
            case "sort" -> x[0].sort(i(p, "axis"), false);
            case "argsort" -> x[0].argsort(i(p, "axis"), false);
            case "takeAlongAxis" -> x[0].takeAlongAxis(x[1], i(p, "axis"));
            case "cumsum" -> x[0].cumsum(i(p, "axis"));
            case "cumprod" -> x[0].cumprod(i(p, "axis"));
            case "pad" -> x[0].pad(longs(p.get("widths")), PadMode.valueOf(p.get("mode")), Double.parseDouble(p.get("value")));
            case "flip" -> x[0].flip(ints(p.get("axes")));
            case "roll" -> x[0].roll(Long.parseLong(p.get("shift")), i(p, "axis"));
            case "tile" -> x[0].tile(longs(p.get("reps")));
            case "repeatInterleave" -> x[0].repeatInterleave(Long.parseLong(p.get("repeats")), i(p, "axis"));
            case "triu" -> x[0].triu(Long.parseLong(p.get("k")));
            case "tril" -> x[0].tril(Long.parseLong(p.get("k")));
            case "diagonal" -> x[0].diagonal(Long.parseLong(p.get("offset")), i(p, "axis1"), i(p, "axis2"));
            case "diag" -> x[0].diag(Long.parseLong(p.get("k")));
            case "searchsorted" -> x[0].searchsorted(x[1], Boolean.parseBoolean(p.get("right")));
            case "einsum" -> Tensor.einsum(p.get("spec"), x);
            case "logsumexp" -> x[0].logsumexp(ints(p.get("axes")), false);
            case "softmax" -> x[0].softmax(i(p, "axis"));
            case "logSoftmax" -> x[0].logSoftmax(i(p, "axis"));
            default -> throw new IllegalArgumentException("unknown fixture op " + op);
        };
    }

    /** The same values as a non-contiguous view. */
    private static Tensor nonContiguous(Tensor t) {
        if (t.rank() >= 2) {
            return t.transpose().copy().transpose();
        }
        if (t.rank() == 1) {
            return t.repeatInterleave(2, 0).slice(0, 0, 2 * t.dim(0), 2);
        }
        return t;
    }

    private static Tensor parse(String text) {
        String[] tok = text.trim().split(" ");
        DType dtype = DType.valueOf(tok[0]);
        long[] shape = tok[1].equals("-") ? new long[0] : Arrays.stream(tok[1].split("x")).mapToLong(Long::parseLong).toArray();
        double[] values = new double[tok.length - 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = Double.parseDouble(tok[i + 2]);
        }
        try (Tensor flat = Tensor.of(values); Tensor typed = flat.cast(dtype)) {
            return typed.reshape(shape).copy();
        }
    }

    private static Map<String, String> params(String text) {
        Map<String, String> p = new HashMap<>();
        if (!text.equals("-")) {
            for (String kv : text.split(" ")) {
                int eq = kv.indexOf('=');
                p.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return p;
    }

    private static int i(Map<String, String> p, String key) {
        return Integer.parseInt(p.get(key));
    }

    private static int[] ints(String csv) {
        return csv.isEmpty() ? new int[0] : Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static long[] longs(String csv) {
        return Arrays.stream(csv.split(",")).mapToLong(Long::parseLong).toArray();
    }

    private static String read() throws IOException {
        try (InputStream in = TensorNumpyFixtureTest.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in != null) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        return Files.readString(Path.of("src/test/resources").resolve(RESOURCE));
    }
}
