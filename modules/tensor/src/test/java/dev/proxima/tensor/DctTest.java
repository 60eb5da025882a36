package dev.proxima.tensor;

import dev.proxima.tensor.Fft.Norm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Fft#dct}: SciPy's {@code scipy.fft.dct(type=2)} numbers, the orthonormal basis, derivatives, bad input. */
class DctTest {

    private static final String FIXTURES = "/fixtures/fft/dct_fixtures.txt";

    @AfterEach
    void allocatorBackToZero() {
        assertEquals(0, Memory.allocatedBytes(), "every tensor, including the DCT's temporaries, must be freed");
    }

    @Test
    void matchesScipyOnEveryFixture() throws IOException {
        InputStream in = DctTest.class.getResourceAsStream(FIXTURES);
        assertNotNull(in, FIXTURES);
        int cases = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.startsWith("case ")) {
                    continue;
                }
                String[] head = line.split(" ");
                Norm norm = Norm.valueOf(head[2].toUpperCase(Locale.ROOT));
                int axis = Integer.parseInt(head[3].substring("axis=".length()));
                long[] inShape = shape(r.readLine());
                double[] input = values(r.readLine());
                long[] outShape = shape(r.readLine());
                double[] expected = values(r.readLine());
                try (Scope scope = Scope.open()) {
                    Tensor y = Fft.dct(Tensor.of(input).reshape(inShape), axis, norm);
                    assertArrayEquals(outShape, y.shape(), line);
                    double[] actual = y.toDoubleArray();
                    double scale = Arrays.stream(expected).map(Math::abs).max().orElse(1);
                    for (int i = 0; i < expected.length; i++) {
                        assertEquals(expected[i], actual[i], 1e-13 * Math.max(1, scale), line + " at " + i);
                    }
                }
                cases++;
            }
        }
        assertEquals(24, cases, "fixture cases read");
    }

    @Test
    void handExample() {
        try (Scope scope = Scope.open()) {
            double[] y = Fft.dct(Tensor.of(1.0, 2.0, 3.0, 4.0), 0, Norm.ORTHO).toDoubleArray();
            // y_0 = (1 + 2 + 3 + 4) / 2; y_2 = 0 by symmetry of the ramp about its centre
            assertEquals(5.0, y[0], 1e-14);
            assertEquals(-2.230442497387663, y[1], 1e-14);
            assertEquals(0.0, y[2], 1e-14);
            assertEquals(-0.15851266778110726, y[3], 1e-14);
            // BACKWARD has no scale: y_0 = 2 Σ x_j
            assertEquals(20.0, Fft.dct(Tensor.of(1.0, 2.0, 3.0, 4.0)).toDoubleArray()[0], 1e-13);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 16, 33})
    void orthoBasisMatrixIsOrthogonalWithCosineRows(int n) {
        try (Scope scope = Scope.open()) {
            Tensor c = Fft.dct(Tensor.eye(n, DType.F64), 0, Norm.ORTHO);
            Tensor gram = c.matmul(c.transpose());
            assertTrue(gram.allClose(Tensor.eye(n, DType.F64), 0, 1e-13), "C·Cᵀ = I for n = " + n);
            for (int k = 0; k < n; k++) {
                double s = k == 0 ? Math.sqrt(1.0 / n) : Math.sqrt(2.0 / n);
                for (int j = 0; j < n; j++) {
                    assertEquals(s * Math.cos(Math.PI * k * (2 * j + 1) / (2.0 * n)), c.getDouble(k, j), 1e-14);
                }
            }
        }
    }

    @Test
    void f32IsRoundedOnceAndOtherAxesAreBatches() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.arange(0, 24, 1, DType.F64).sin().reshape(4, 6);
            Tensor wide = Fft.dct(x, 1, Norm.ORTHO);
            Tensor narrow = Fft.dct(x.cast(DType.F32), -1, Norm.ORTHO);
            assertEquals(DType.F32, narrow.dtype());
            assertTrue(narrow.cast(DType.F64).allClose(wide, 1e-6, 1e-6));
            for (int i = 0; i < 4; i++) {
                Tensor row = Fft.dct(x.select(0, i), 0, Norm.ORTHO);
                assertTrue(row.allClose(wide.select(0, i), 0, 1e-14), "row " + i);
            }
            // a transposed (strided) view gives the transform along the other axis
            assertTrue(Fft.dct(x.transpose(), 0, Norm.ORTHO).allClose(wide.transpose(), 0, 1e-14));
        }
    }

    @Test
    void gradientIsTheTransposedTransform() {
        try (Scope scope = Scope.open()) {
            int n = 6;
            Tensor x = Tensor.arange(0, n, 1, DType.F64).mul(0.3).cos().requiresGrad(true);
            Tensor w = Tensor.arange(0, n, 1, DType.F64).add(1.0).reciprocal();
            Fft.dct(x, 0, Norm.ORTHO).mul(w).sum().backward();
            // y = C x, so d(w·y)/dx = Cᵀ w
            Tensor c = Fft.dct(Tensor.eye(n, DType.F64), 0, Norm.ORTHO);
            Tensor expected = c.transpose().matmul(w.reshape(n, 1)).reshape(n);
            assertTrue(x.grad().allClose(expected, 0, 1e-13), x.grad() + " vs " + expected);
        }
    }

    @Test
    void badInputIsRefusedWithItsReason() {
        try (Scope scope = Scope.open()) {
            Tensor ints = Tensor.of(1, 2, 3);
            assertThrows(DTypeMismatchException.class, () -> Fft.dct(ints));
            IllegalArgumentException scalar = assertThrows(IllegalArgumentException.class,
                    () -> Fft.dct(Tensor.scalar(1.0, DType.F64)));
            assertTrue(scalar.getMessage().contains("scalar"), scalar.getMessage());
            IllegalArgumentException axis = assertThrows(IllegalArgumentException.class,
                    () -> Fft.dct(Tensor.zeros(DType.F64, 3, 4), 2, Norm.ORTHO));
            assertTrue(axis.getMessage().contains("axis 2"), axis.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Fft.dct(Tensor.zeros(DType.F64, 3, 0), 1, Norm.ORTHO));
            assertThrows(NullPointerException.class, () -> Fft.dct(Tensor.of(1.0), 0, null));
        }
    }

    private static long[] shape(String line) {
        String[] parts = line.trim().split(" ");
        return Arrays.stream(parts, 1, parts.length).mapToLong(Long::parseLong).toArray();
    }

    private static double[] values(String line) {
        return Arrays.stream(line.trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
    }
}
