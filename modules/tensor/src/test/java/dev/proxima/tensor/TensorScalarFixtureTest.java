package dev.proxima.tensor;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Python-style scalars against NumPy 2 (NEP 50): {@code fixtures/scalars/scalar_cases.txt} holds, for every dtype,
 * scalars at and beyond its limits and every scalar op, NumPy's result (or its OverflowError), written by
 * {@code generate.py} next to it (see its header for the format and the two deliberate differences). A Java
 * {@code long} plays a Python int, a {@code double} a Python float. Each dtype's cases run on a contiguous tensor
 * and on a strided view with the same values; results must match exactly (pow with a double exponent: 2 ulp,
 * Java's {@code Math.pow} against C's).
 */
@ExtendWith(NoLeaks.class)
class TensorScalarFixtureTest {

    private static final String RESOURCE = "fixtures/scalars/scalar_cases.txt";

    @TestFactory
    List<DynamicTest> numpyScalarCases() throws IOException {
        String[] lines = read().split("\n");
        List<DynamicTest> tests = new ArrayList<>();
        for (boolean strided : new boolean[]{false, true}) {
            // one dynamic test per tensor dtype and layout, each running its few hundred cases
            for (String dtype : new String[]{"I8", "U8", "I32", "I64", "BOOL", "F16", "BF16", "F32", "F64"}) {
                tests.add(DynamicTest.dynamicTest(dtype + (strided ? " strided" : " contiguous"), () -> {
                    int n = 0;
                    for (String line : lines) {
                        if (line.startsWith(dtype + " |")) {
                            runCase(line, strided);
                            n++;
                        }
                    }
                    assertTrue(n > 50, "the fixture has cases for " + dtype);
                }));
            }
        }
        return tests;
    }

    private static void runCase(String line, boolean strided) {
        String[] f = line.split(" \\| ");
        assertEquals(5, f.length, line);
        DType dtype = DType.valueOf(f[0]);
        String op = f[2];
        boolean isLong = f[3].startsWith("L ");
        String scalarText = f[3].substring(2);
        String expected = f[4];
        try (Scope scope = Scope.open()) {
            if (expected.equals("overflow")) {
                assertThrows(ScalarOutOfRangeException.class, () -> run(dtype, f[1], op, isLong, scalarText, strided), line);
                return;
            }
            if (expected.equals("error")) {
                assertThrows(IllegalArgumentException.class, () -> run(dtype, f[1], op, isLong, scalarText, strided), line);
                return;
            }
            Tensor actual = run(dtype, f[1], op, isLong, scalarText, strided);
            String[] tok = expected.split(" ");
            assertEquals(DType.valueOf(tok[0]), actual.dtype(), line);
            String[] values = Arrays.copyOfRange(tok, 1, tok.length);
            assertEquals(values.length, actual.size(), line);
            if (actual.dtype().isFloating()) {
                double[] a = actual.toDoubleArray();
                for (int i = 0; i < values.length; i++) {
                    double e = Double.parseDouble(values[i]);
                    boolean same = Double.compare(e, a[i]) == 0
                            || (op.equals("pow") && Math.abs(e - a[i]) <= 2 * Math.ulp(e));
                    assertTrue(same, line + "\n  element " + i + ": expected " + e + ", got " + a[i]);
                }
            } else {
                long[] e = Arrays.stream(values).mapToLong(Long::parseLong).toArray();
                assertArrayEquals(e, actual.toLongArray(), line);
            }
        }
    }

    /** The case's result: {@code tensor op scalar}, or {@code full(scalar, dtype, 2)}. */
    private static Tensor run(DType dtype, String valueText, String op, boolean isLong, String scalarText, boolean strided) {
        if (op.equals("full")) {
            return isLong ? Tensor.full(Long.parseLong(scalarText), dtype, 2) : Tensor.full(Double.parseDouble(scalarText), dtype, 2);
        }
        Tensor x = tensor(dtype, valueText, strided);
        return isLong ? ScalarOverloads.apply(op, x, Long.parseLong(scalarText))
                : ScalarOverloads.apply(op, x, Double.parseDouble(scalarText));
    }

    /** The case's tensor (its values are exact in its dtype), optionally as a strided view (every other element). */
    private static Tensor tensor(DType dtype, String valueText, boolean strided) {
        String[] tok = valueText.split(" ");
        Tensor t = dtype.isFloating()
                ? Tensor.fromArray(Arrays.stream(tok).mapToDouble(Double::parseDouble).toArray()).cast(dtype)
                : Tensor.fromArray(Arrays.stream(tok).mapToLong(Long::parseLong).toArray()).cast(dtype);
        return strided ? t.repeatInterleave(2, 0).slice(0, 0, 2 * t.dim(0), 2) : t;
    }

    private static String read() throws IOException {
        try (InputStream in = TensorScalarFixtureTest.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException(RESOURCE + " is missing from the test resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
