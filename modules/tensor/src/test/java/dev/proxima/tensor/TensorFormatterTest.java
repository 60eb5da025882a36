package dev.proxima.tensor;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Printing: {@link Tensor#format(PrintOptions)} against NumPy's repr of the same arrays (fixture made by
 * {@code fixtures/printing/generate.py}), and the cases NumPy has no counterpart for.
 */
@ExtendWith(NoLeaks.class)
class TensorFormatterTest {

    private static final String RESOURCE = "fixtures/printing/print_cases.txt";

    @TestFactory
    List<DynamicTest> matchesNumpyRepr() throws IOException {
        List<String> lines = List.of(read().split("\n"));
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < lines.size(); ) {
            String name = field(lines.get(i++), "case");
            DType dtype = DType.valueOf(field(lines.get(i++), "dtype"));
            String shapeText = field(lines.get(i++), "shape");
            long[] shape = shapeText.isEmpty() ? new long[0] : Arrays.stream(shapeText.split(" ")).mapToLong(Long::parseLong).toArray();
            String[] o = field(lines.get(i++), "options").split(" ");
            PrintOptions options = new PrintOptions(Integer.parseInt(o[0]), Long.parseLong(o[1]), Integer.parseInt(o[2]),
                    Integer.parseInt(o[3]), Boolean.parseBoolean(o[4]), sign(o[5]));
            String values = field(lines.get(i++), "values");
            int n = Integer.parseInt(field(lines.get(i++), "lines"));
            String expected = String.join("\n", lines.subList(i, i + n));
            i += n;
            tests.add(DynamicTest.dynamicTest(name, () -> {
                try (Scope s = Scope.open()) {
                    Tensor t = tensor(dtype, shape, values);
                    assertEquals(expected, t.format(options), name);
                    if (options.equals(PrintOptions.defaults())) {
                        assertEquals(expected, t.toString(), name);
                    }
                }
            }));
        }
        assertTrue(tests.size() >= 60, "fixture cases: " + tests.size());
        return tests;
    }

    @Test
    void stridedViewsPrintTheirOwnElements() {
        try (Scope s = Scope.open()) {
            Tensor m = Tensor.arange(0, 12, 1, DType.F32).reshape(3, 4);
            assertEquals("""
                    tensor([[ 0.,  4.,  8.],
                            [ 1.,  5.,  9.],
                            [ 2.,  6., 10.],
                            [ 3.,  7., 11.]], dtype=F32)""", m.transpose().toString());
            assertEquals("tensor([ 9., 10., 11.], dtype=F32)", m.select(0, 2).slice(0, 1, 4, 1).toString());
            assertEquals("tensor([[ 1.,  3.],\n        [ 9., 11.]], dtype=F32)", m.slice(0, 0, 3, 2).slice(1, 1, 4, 2).toString());
        }
    }

    @Test
    void theJavadocExamplesHold() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(1.0, 2.5, -10.125);
            assertEquals("tensor([  1.   ,   2.5  , -10.125], dtype=F64)", x.toString());
            assertEquals("tensor([  1. ,   2.5, -10.1], dtype=F64)", x.format(PrintOptions.defaults().withPrecision(1)));
            assertEquals("tensor([0.000e+00, 3.333e-01, ..., 6.660e+02, 6.663e+02],\n       shape=[2000], dtype=F64)",
                    Tensor.arange(0, 2000, 1, DType.F64).div(3).format(PrintOptions.defaults().withPrecision(3).withEdgeItems(2)));
        }
    }

    @Test
    void bf16UsesItsOwnShortestDigits() {
        try (Scope s = Scope.open()) {
            // 0.1 in BF16 is 0.10009765625; "0.1" reads back as it, and so do 1/3 -> 0.333984375 as "0.334".
            assertEquals("tensor([0.1  , 0.334, 3.   ], dtype=BF16)", Tensor.of(0.1, 1.0 / 3, 3).cast(DType.BF16).toString());
        }
    }

    @Test
    void gradientsAndDevicesAreShownWhenNotDefault() {
        try (Scope s = Scope.open()) {
            Tensor leaf = Tensor.of(1.0, 2.0).requiresGrad(true);
            assertEquals("tensor([1., 2.], dtype=F64, requiresGrad=true)", leaf.toString());
            assertEquals("tensor([2., 4.], dtype=F64, requiresGrad=true)", leaf.mul(2).toString());
            assertEquals("tensor([2., 4.], dtype=F64)", leaf.mul(2).detach().toString());
        }
    }

    @Test
    void closedTensorsPrintNoMemory() {
        Tensor t = Tensor.ones(DType.F32, 2, 3);
        t.close();
        assertEquals("tensor(<closed>, shape=[2, 3], dtype=F32)", t.toString());
        assertEquals("tensor(<closed>, shape=[2, 3], dtype=F32)", t.format(PrintOptions.defaults().withPrecision(2)));
    }

    @Test
    void summarisingFollowsTheThreshold() {
        try (Scope s = Scope.open()) {
            assertFalse(Tensor.zeros(DType.I32, 1000).toString().contains("..."), "1000 elements are printed in full");
            assertTrue(Tensor.zeros(DType.I32, 1001).toString().contains("..."));
            assertFalse(Tensor.zeros(DType.I32, 1001).format(PrintOptions.defaults().withThreshold(Long.MAX_VALUE)).contains("..."));
            assertEquals("tensor([0, 1, ..., 8, 9], shape=[10], dtype=I64)",
                    Tensor.arange(10).format(PrintOptions.defaults().withThreshold(5).withEdgeItems(2)));
        }
    }

    @Test
    void badOptionsAreRefusedByName() {
        assertThrows(IllegalArgumentException.class, () -> PrintOptions.defaults().withPrecision(-1));
        assertThrows(IllegalArgumentException.class, () -> PrintOptions.defaults().withThreshold(-1));
        assertThrows(IllegalArgumentException.class, () -> PrintOptions.defaults().withEdgeItems(0));
        assertThrows(IllegalArgumentException.class, () -> PrintOptions.defaults().withLineWidth(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrintOptions.defaults().withSign(null));
        assertTrue(e.getMessage().contains("sign"), e.getMessage());
        try (Tensor t = Tensor.of(1.0)) {
            assertThrows(IllegalArgumentException.class, () -> t.format(null));
        }
        assertEquals(new PrintOptions(8, 1000, 3, 75, false, PrintOptions.Sign.MINUS), PrintOptions.defaults());
    }

    private static Tensor tensor(DType dtype, long[] shape, String values) {
        String[] v = values.isEmpty() ? new String[0] : values.split(" ");
        Tensor flat;
        if (v.length > 0 && v[0].equals("ramp")) {
            int n = Integer.parseInt(v[1]);
            double start = Double.parseDouble(v[2]);
            double step = Double.parseDouble(v[3]);
            double[] d = new double[n];
            for (int i = 0; i < n; i++) {
                d[i] = i * step + start;
            }
            flat = Tensor.of(d).cast(dtype);
        } else if (dtype == DType.BOOL) {
            boolean[] b = new boolean[v.length];
            for (int i = 0; i < v.length; i++) {
                b[i] = v[i].equals("1");
            }
            flat = Tensor.of(b);
        } else if (dtype.isFloating()) {
            flat = Tensor.of(Arrays.stream(v).mapToDouble(TensorFormatterTest::parse).toArray()).cast(dtype);
        } else {
            flat = Tensor.of(Arrays.stream(v).mapToLong(Long::parseLong).toArray()).cast(dtype);
        }
        return flat.reshape(shape);
    }

    private static double parse(String s) {
        return switch (s) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    private static PrintOptions.Sign sign(String s) {
        return switch (s) {
            case "+" -> PrintOptions.Sign.PLUS;
            case "_" -> PrintOptions.Sign.SPACE;
            default -> PrintOptions.Sign.MINUS;
        };
    }

    private static String field(String line, String key) {
        if (!line.startsWith(key)) {
            throw new IllegalStateException("fixture line '" + line + "' should start with " + key);
        }
        return line.substring(key.length()).strip();
    }

    private static String read() throws IOException {
        try (InputStream in = TensorFormatterTest.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in != null) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        return Files.readString(Path.of("src/test/resources").resolve(RESOURCE));
    }
}
