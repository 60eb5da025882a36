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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FftTest {

    private static final String FIXTURES = "/fixtures/fft/fft_fixtures.txt";

    @AfterEach
    void allocatorBackToZero() {
        assertEquals(0, Memory.allocatedBytes(), "every tensor, including FFT temporaries, must be freed");
    }

    // =================================================================== closed forms

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 6, 16, 31, 97, 1 << 16})
    void deltaTransformsToAllOnes(int n) {
        try (Scope scope = Scope.open()) {
            double[] z = new double[2 * n];
            z[0] = 1;
            double[] spectrum = Fft.fft(complex(z, n)).toDoubleArray();
            for (int k = 0; k < n; k++) {
                assertEquals(1, spectrum[2 * k], 1e-12, "re at " + k);
                assertEquals(0, spectrum[2 * k + 1], 1e-12, "im at " + k);
            }
            double[] real = new double[n];
            real[0] = 1;
            double[] half = Fft.rfft(Tensor.of(real)).toDoubleArray();
            for (int k = 0; k <= n / 2; k++) {
                assertEquals(1, half[2 * k], 1e-12);
                assertEquals(0, half[2 * k + 1], 1e-12);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 9, 17, 1000, 1009})
    void constantTransformsToScaledDelta(int n) {
        try (Scope scope = Scope.open()) {
            double c = 2.5;
            double[] spectrum = Fft.rfft(Tensor.full(c, DType.F64, n)).toDoubleArray();
            assertEquals(c * n, spectrum[0], 1e-12 * n);
            assertEquals(0, spectrum[1]);
            for (int i = 2; i < spectrum.length; i++) {
                assertEquals(0, spectrum[i], 1e-12 * n, "index " + i);
            }
            // complex constant c + ci through the complex transform, forward-normalised: exactly a delta of c(1 + i)
            double[] z = new double[2 * n];
            Arrays.fill(z, c);
            double[] cs = Fft.fft(complex(z, n), -1, Norm.FORWARD).toDoubleArray();
            assertEquals(c, cs[0], 1e-14);
            assertEquals(c, cs[1], 1e-14);
            for (int i = 2; i < cs.length; i++) {
                assertEquals(0, cs[i], 1e-13);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 30, 101, 1 << 12})
    void cosineGivesTwoSpikes(int n) {
        try (Scope scope = Scope.open()) {
            int f = 3;
            double amplitude = 1.5;
            double[] x = new double[n];
            for (int j = 0; j < n; j++) {
                x[j] = amplitude * Math.cos(2 * Math.PI * f * (double) j / n);
            }
            // rfft: one spike of n·A/2 at bin f
            double[] half = Fft.rfft(Tensor.of(x)).toDoubleArray();
            for (int k = 0; k <= n / 2; k++) {
                double expected = k == f ? amplitude * n / 2 : 0;
                assertEquals(expected, half[2 * k], 1e-10, "re at " + k);
                assertEquals(0, half[2 * k + 1], 1e-10, "im at " + k);
            }
            // fft of the same signal as complex: spikes at f and n − f
            double[] z = new double[2 * n];
            for (int j = 0; j < n; j++) {
                z[2 * j] = x[j];
            }
            double[] full = Fft.fft(complex(z, n)).toDoubleArray();
            for (int k = 0; k < n; k++) {
                double expected = k == f || k == n - f ? amplitude * n / 2 : 0;
                assertEquals(expected, full[2 * k], 1e-10, "re at " + k);
                assertEquals(0, full[2 * k + 1], 1e-10, "im at " + k);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 64, 243, 1009})
    void parseval(int n) {
        try (Scope scope = Scope.open()) {
            double[] z = random(2 * n, n);
            double energy = 0;
            for (double v : z) {
                energy += v * v;
            }
            double[] unitary = Fft.fft(complex(z, n), -1, Norm.ORTHO).toDoubleArray();
            double spectral = 0;
            for (double v : unitary) {
                spectral += v * v;
            }
            assertEquals(energy, spectral, 1e-12 * energy);
        }
    }

    @Test
    void linearity() {
        try (Scope scope = Scope.open()) {
            int n = 360;
            Tensor a = complex(random(2 * n, 1), n);
            Tensor b = complex(random(2 * n, 2), n);
            Tensor combined = Fft.fft(a.mul(2).add(b.mul(-3)));
            Tensor separate = Fft.fft(a).mul(2).add(Fft.fft(b).mul(-3));
            assertTrue(combined.allClose(separate, 1e-12, 1e-11));
        }
    }

    // =================================================================== against the definition

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 7, 8, 12, 17, 97, 128, 1000, 1009, 1 << 12})
    void fftMatchesDirectSumAndInverts(int n) {
        try (Scope scope = Scope.open()) {
            double[] z = random(2 * n, n);
            Tensor x = complex(z, n);
            Tensor spectrum = Fft.fft(x);
            assertEquals(DType.F64, spectrum.dtype());
            assertArrayEquals(new long[]{n, 2}, spectrum.shape());
            assertClose(dft(z, false), spectrum.toDoubleArray(), 1e-13, "fft, n = " + n);
            assertClose(z, Fft.ifft(spectrum).toDoubleArray(), 1e-13, "ifft(fft(x)), n = " + n);
            for (Norm norm : Norm.values()) {
                Tensor back = Fft.ifft(Fft.fft(x, 0, norm), 0, norm);
                assertClose(z, back.toDoubleArray(), 1e-13, "round trip with " + norm + ", n = " + n);
            }
            double[] inverse = dft(z, true);
            for (int i = 0; i < inverse.length; i++) {
                inverse[i] /= n;
            }
            assertClose(inverse, Fft.ifft(x).toDoubleArray(), 1e-13, "ifft, n = " + n);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 17, 30, 97, 100, 101, 1009, 1024, 2018})
    void rfftMatchesDirectSumAndIrfftInvertsEvenAndOdd(int n) {
        try (Scope scope = Scope.open()) {
            double[] x = random(n, 31L * n);
            Tensor t = Tensor.of(x);
            Tensor spectrum = Fft.rfft(t);
            int bins = n / 2 + 1;
            assertArrayEquals(new long[]{bins, 2}, spectrum.shape());
            double[] z = new double[2 * n];
            for (int j = 0; j < n; j++) {
                z[2 * j] = x[j];
            }
            double[] full = dft(z, false);
            assertClose(Arrays.copyOf(full, 2 * bins), spectrum.toDoubleArray(), 1e-13, "rfft, n = " + n);
            for (Norm norm : Norm.values()) {
                Tensor back = Fft.irfft(Fft.rfft(t, 0, norm), n, 0, norm);
                assertArrayEquals(new long[]{n}, back.shape());
                assertClose(x, back.toDoubleArray(), 1e-13, "irfft(rfft(x), n) with " + norm + ", n = " + n);
            }
            if (n % 2 == 0 && n > 0) {
                assertClose(x, Fft.irfft(spectrum).toDoubleArray(), 1e-13, "default n = 2(m - 1)");
            }
        }
    }

    /**
     * Long lengths run the four-step path (3¹⁰, 2²⁰) and Bluestein through a four-step power of two
     * (the prime 40009); a few bins are checked against compensated direct sums.
     */
    @ParameterizedTest
    @ValueSource(ints = {3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3 * 3, 40009, 1 << 20})
    void longTransformsMatchDirectSums(int n) {
        try (Scope scope = Scope.open()) {
            double[] z = random(2 * n, 7);
            Tensor x = complex(z, n);
            double[] spectrum = Fft.fft(x).toDoubleArray();
            double[] cos = new double[n];
            double[] sin = new double[n];
            for (int t = 0; t < n; t++) {
                cos[t] = Math.cos(2 * Math.PI * t / n);
                sin[t] = Math.sin(2 * Math.PI * t / n);
            }
            double scale = 0; // rms bin magnitude, sqrt(Σ|x|²)
            for (double v : z) {
                scale += v * v;
            }
            scale = Math.sqrt(scale);
            Random r = new Random(n);
            double worst = 0;
            for (int check = 0; check < 8; check++) {
                int k = check == 0 ? 0 : check == 1 ? n - 1 : r.nextInt(n);
                double[] ref = directBin(z, k, cos, sin);
                worst = Math.max(worst, Math.hypot(spectrum[2 * k] - ref[0], spectrum[2 * k + 1] - ref[1]) / scale);
            }
            assertTrue(worst < 1e-12, "relative error " + worst + " at n = " + n);
            double[] back = Fft.ifft(Fft.fft(x)).toDoubleArray();
            assertClose(z, back, 1e-12, "round trip, n = " + n);
            if (n % 2 == 0) {
                double[] real = new double[n];
                for (int j = 0; j < n; j++) {
                    real[j] = z[2 * j];
                }
                Tensor rt = Tensor.of(real);
                double[] half = Fft.rfft(rt).toDoubleArray();
                double[] re = new double[2 * n];
                for (int j = 0; j < n; j++) {
                    re[2 * j] = real[j];
                }
                for (int k : new int[]{0, 1, n / 2, n / 3, n / 2 - 1}) {
                    double[] ref = directBin(re, k, cos, sin);
                    double err = Math.hypot(half[2 * k] - ref[0], half[2 * k + 1] - ref[1]) / scale;
                    assertTrue(err < 1e-12, "rfft relative error " + err + " at bin " + k);
                }
                assertClose(real, Fft.irfft(Fft.rfft(rt), n, 0, Norm.BACKWARD).toDoubleArray(), 1e-12, "irfft(rfft)");
            }
        }
    }

    // =================================================================== NumPy fixtures

    @Test
    void matchesNumpyFixtures() throws IOException {
        List<Fixture> fixtures = readFixtures();
        assertTrue(fixtures.size() > 150, "fixtures loaded: " + fixtures.size());
        for (Fixture f : fixtures) {
            try (Scope scope = Scope.open()) {
                Tensor in = tensor(f.input, f.inShape);
                Norm norm = Norm.valueOf(f.norm.toUpperCase());
                long[] s = f.s;
                Tensor out = switch (f.op) {
                    case "fft" -> Fft.fft(in, f.axis, norm);
                    case "ifft" -> Fft.ifft(in, f.axis, norm);
                    case "rfft" -> Fft.rfft(in, f.axis, norm);
                    case "irfft" -> Fft.irfft(in, f.n, f.axis, norm);
                    case "fft2" -> s == null ? Fft.fft2(in, norm) : Fft.fft2(in, s, norm);
                    case "ifft2" -> s == null ? Fft.ifft2(in, norm) : Fft.ifft2(in, s, norm);
                    case "rfft2" -> s == null ? Fft.rfft2(in, norm) : Fft.rfft2(in, s, norm);
                    case "irfft2" -> s == null ? Fft.irfft2(in, f.n, norm) : Fft.irfft2(in, s, norm);
                    case "fft2_real" -> s == null ? Fft.fft2OfReal(in, norm) : Fft.fft2OfReal(in, s, norm);
                    default -> throw new IllegalStateException("unknown fixture op " + f.op);
                };
                String what = f.op + " " + f.norm + " axis=" + f.axis + " n=" + f.n + " s=" + Arrays.toString(s) + " " + Arrays.toString(f.inShape);
                assertArrayEquals(f.outShape, out.shape(), what);
                assertClose(f.output, out.toDoubleArray(), 1e-13, what);
            }
        }
    }

    // =================================================================== layouts, batches, dtypes

    @Test
    void transposedAndPermutedInputMatchesContiguousCopy() {
        try (Scope scope = Scope.open()) {
            // real input, transposed: lines along the last axis have stride 6
            Tensor real = Tensor.of(random(8 * 6, 3)).reshape(8, 6);
            Tensor t = real.transpose();
            assertFalse(t.isContiguous());
            assertArraysClose(Fft.rfft(t.copy()), Fft.rfft(t), 0);
            assertArraysClose(Fft.rfft(t.copy(), 0, Norm.ORTHO), Fft.rfft(t, 0, Norm.ORTHO), 0);
            // complex input with its first two axes swapped
            Tensor z = Tensor.of(random(5 * 4 * 2, 4)).reshape(5, 4, 2).permute(1, 0, 2);
            assertFalse(z.isContiguous());
            assertArraysClose(Fft.fft(z.copy()), Fft.fft(z), 0);
            assertArraysClose(Fft.ifft(z.copy(), 0, Norm.FORWARD), Fft.ifft(z, 0, Norm.FORWARD), 0);
            // complex input whose (re, im) pairs are not adjacent: the size-2 axis has stride 20
            Tensor planar = Tensor.of(random(2 * 4 * 5, 5)).reshape(2, 4, 5).permute(1, 2, 0);
            assertArrayEquals(new long[]{4, 5, 2}, planar.shape());
            assertArraysClose(Fft.fft(planar.copy()), Fft.fft(planar), 0);
            assertArraysClose(Fft.irfft(planar.copy(), 9, -1, Norm.BACKWARD), Fft.irfft(planar, 9, -1, Norm.BACKWARD), 0);
            assertArraysClose(Fft.fft2(planar.copy()), Fft.fft2(planar), 0);
            // a slice with a step
            Tensor sliced = Tensor.of(random(40, 6)).slice(0, 1, 40, 3);
            assertArraysClose(Fft.rfft(sliced.copy()), Fft.rfft(sliced), 0);
        }
    }

    @Test
    void batchAlongAxisZeroMatchesLineByLine() {
        try (Scope scope = Scope.open()) {
            int n = 24;
            int lines = 37;
            Tensor z = Tensor.of(random(n * lines * 2, 8)).reshape(n, lines, 2);
            Tensor spectrum = Fft.fft(z, 0, Norm.BACKWARD);
            Tensor real = Tensor.of(random(n * lines, 9)).reshape(n, lines);
            Tensor half = Fft.rfft(real, 0, Norm.BACKWARD);
            assertArrayEquals(new long[]{n / 2 + 1, lines, 2}, half.shape());
            Tensor back = Fft.irfft(half, n, 0, Norm.BACKWARD);
            for (int l = 0; l < lines; l++) {
                assertArraysClose(Fft.fft(z.select(1, l)), spectrum.select(1, l), 1e-13);
                assertArraysClose(Fft.rfft(real.select(1, l)), half.select(1, l), 1e-13);
            }
            assertArraysClose(real, back, 1e-13);
            // many short lines along the last axis go through the parallel batch path
            Tensor many = Tensor.of(random(4096 * 8 * 2, 10)).reshape(4096, 8, 2);
            Tensor manySpectrum = Fft.fft(many);
            for (int l : new int[]{0, 1, 2047, 4095}) {
                assertArraysClose(Fft.fft(many.select(0, l)), manySpectrum.select(0, l), 1e-13);
            }
            assertArraysClose(many, Fft.ifft(manySpectrum), 1e-13);
        }
    }

    @Test
    void twoDimensionalTransformsInvert() {
        try (Scope scope = Scope.open()) {
            Tensor z = Tensor.of(random(3 * 6 * 10 * 2, 11)).reshape(3, 6, 10, 2);
            for (Norm norm : Norm.values()) {
                assertArraysClose(z, Fft.ifft2(Fft.fft2(z, norm), norm), 1e-13);
            }
            // fft2 is fft along each of the two axes
            assertArraysClose(Fft.fft(Fft.fft(z, -1, Norm.BACKWARD), -2, Norm.BACKWARD), Fft.fft2(z), 1e-13);
            for (int width : new int[]{8, 9}) {
                Tensor img = Tensor.of(random(5 * 7 * width, width)).reshape(5, 7, width);
                Tensor spectrum = Fft.rfft2(img, Norm.ORTHO);
                assertArrayEquals(new long[]{5, 7, width / 2 + 1, 2}, spectrum.shape());
                assertArraysClose(img, Fft.irfft2(spectrum, width, Norm.ORTHO), 1e-13);
            }
            Tensor even = Tensor.of(random(4 * 6, 12)).reshape(4, 6);
            assertArraysClose(even, Fft.irfft2(Fft.rfft2(even)), 1e-13);
        }
    }

    @Test
    void fullSpectrumOfRealDataIsTheComplexTransformWithZeroImaginaryParts() {
        try (Scope scope = Scope.open()) {
            // closed form: a constant image has all its energy in bin (0, 0)
            double[] ones = Fft.fft2OfReal(Tensor.ones(DType.F64, 4, 6)).toDoubleArray();
            assertEquals(24, ones[0], 1e-13);
            for (int i = 1; i < ones.length; i++) {
                assertEquals(0, ones[i], 1e-13, "bin component " + i);
            }
            // every parity of n₀ and n₁, a batch, a transposed (non-contiguous) view, and one-row / one-column images
            long[][] shapes = {{5, 8}, {6, 7}, {2, 3, 4}, {1, 9}, {7, 1}, {1, 1}, {4, 2}};
            for (long[] shape : shapes) {
                int count = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
                Tensor x = Tensor.of(random(count, count)).reshape(shape);
                Tensor asComplex = Tensor.stack(-1, x, Tensor.zeros(DType.F64, shape));
                for (Norm norm : Norm.values()) {
                    assertArraysClose(Fft.fft2(asComplex, norm), Fft.fft2OfReal(x, norm), 1e-14);
                }
                Tensor t = x.transpose(-1, -2);
                assertArraysClose(Fft.fft2OfReal(t.copy()), Fft.fft2OfReal(t), 0);
                // the inverse of the full spectrum is x again, with zero imaginary parts
                assertArraysClose(asComplex, Fft.ifft2(Fft.fft2OfReal(x, Norm.ORTHO), Norm.ORTHO), 1e-14);
            }
            Tensor x32 = Tensor.of(random(6 * 10, 3)).reshape(6, 10).cast(DType.F32);
            Tensor spectrum32 = Fft.fft2OfReal(x32);
            assertEquals(DType.F32, spectrum32.dtype());
            assertArraysClose(Fft.fft2OfReal(x32.cast(DType.F64)), spectrum32, 1e-6);
        }
    }

    @Test
    void sizesCropOrZeroPadEachAxisLikeNumpy() {
        try (Scope scope = Scope.open()) {
            Tensor img = Tensor.of(random(2 * 5 * 6, 21)).reshape(2, 5, 6);
            Tensor z = Tensor.of(random(5 * 6 * 2, 22)).reshape(5, 6, 2);
            for (long[] s : new long[][]{{5, 6}, {3, 9}, {8, 4}, {1, 1}}) {
                // the same as slicing or padding by hand and transforming
                Tensor realIn = resize(img, 1, s[0], s[1]);
                Tensor complexIn = resize(z, 0, s[0], s[1]);
                for (Norm norm : Norm.values()) {
                    assertArraysClose(Fft.rfft2(realIn, norm), Fft.rfft2(img, s, norm), 0);
                    assertArraysClose(Fft.fft2OfReal(realIn, norm), Fft.fft2OfReal(img, s, norm), 0);
                    assertArraysClose(Fft.fft2(complexIn, norm), Fft.fft2(z, s, norm), 0);
                    assertArraysClose(Fft.ifft2(complexIn, norm), Fft.ifft2(z, s, norm), 0);
                }
                // irfft2 with s inverts rfft2 with the same s, odd widths included
                assertArraysClose(realIn, Fft.irfft2(Fft.rfft2(img, s, Norm.BACKWARD), s, Norm.BACKWARD), 1e-13);
                assertArrayEquals(new long[]{2, s[0], s[1] / 2 + 1, 2}, Fft.rfft2(img, s, Norm.BACKWARD).shape());
            }
            // padding an empty input is allowed with s, as in NumPy: the transform of zeros
            assertArraysClose(Tensor.zeros(DType.F64, 2, 3, 2), Fft.fft2(Tensor.zeros(DType.F64, 0, 3, 2), new long[]{2, 3}, Norm.BACKWARD), 0);
            // irfft2 with s crops or pads the bins of the last axis to s[1]/2 + 1, where irfft2(x, n, norm) insists
            Tensor bins = Fft.rfft2(img);                                     // [2, 5, 4, 2]: a width of 6 or 7
            assertArrayEquals(new long[]{2, 5, 12}, Fft.irfft2(bins, new long[]{5, 12}, Norm.BACKWARD).shape());
            assertThrows(IllegalArgumentException.class, () -> Fft.irfft2(bins, 12, Norm.BACKWARD));
        }
    }

    /** x cropped or zero-padded at the end of dimensions d and d + 1, by hand. */
    private static Tensor resize(Tensor x, int d, long n0, long n1) {
        Tensor out = x;
        long[] target = {n0, n1};
        for (int i = 0; i < 2; i++) {
            long have = out.dim(d + i);
            if (have > target[i]) {
                out = out.slice(d + i, 0, target[i], 1);
            } else if (have < target[i]) {
                long[] widths = new long[2 * out.rank()];
                widths[2 * (d + i) + 1] = target[i] - have;
                out = out.pad(widths, PadMode.CONSTANT, 0);
            }
        }
        return out;
    }

    @Test
    void newTwoDimensionalTransformsDifferentiateTwice() {
        List<Function<Tensor, Tensor>> real = List.of(
                x -> Fft.fft2OfReal(x, Norm.BACKWARD),
                x -> Fft.fft2OfReal(x, Norm.ORTHO).mul(Fft.fft2OfReal(x, Norm.FORWARD)),
                x -> Fft.fft2OfReal(x, new long[]{2, 6}, Norm.ORTHO),
                x -> Fft.rfft2(x, new long[]{5, 3}, Norm.BACKWARD).square(),
                x -> Fft.irfft2(Fft.rfft2(x, new long[]{4, 5}, Norm.FORWARD), new long[]{3, 7}, Norm.FORWARD).mul(x.sum()));
        List<Function<Tensor, Tensor>> complex = List.of(
                x -> Fft.fft2(x, new long[]{2, 6}, Norm.BACKWARD).square(),
                x -> Fft.ifft2(x, new long[]{5, 3}, Norm.ORTHO),
                x -> Fft.irfft2(x, new long[]{4, 5}, Norm.BACKWARD).square());
        for (int i = 0; i < real.size() + complex.size(); i++) {
            try (Scope scope = Scope.open()) {
                boolean isReal = i < real.size();
                Function<Tensor, Tensor> f = isReal ? real.get(i) : complex.get(i - real.size());
                Tensor x = isReal ? Tensor.of(random(3 * 4, 30 + i)).reshape(3, 4) : Tensor.of(random(3 * 4 * 2, 30 + i)).reshape(3, 4, 2);
                Autodiff.GradcheckResult first = Autodiff.gradcheck(f, x, 1e-6, 1e-7, 1e-5);
                assertTrue(first.passed(), "function " + i + " first order: " + first.maxAbsError());
                Autodiff.GradcheckResult second = Autodiff.gradgradcheck(f, x, 1e-5, 1e-6, 1e-4);
                assertTrue(second.passed(), "function " + i + " second order: " + second.maxAbsError());
            }
        }
    }

    @Test
    void f32InputGivesF32CloseToF64() {
        try (Scope scope = Scope.open()) {
            int n = 1000;
            Tensor z64 = Tensor.of(random(2 * n, 13)).reshape(n, 2);
            Tensor z32 = z64.cast(DType.F32);
            Tensor f32 = Fft.fft(z32);
            assertEquals(DType.F32, f32.dtype());
            Tensor f64 = Fft.fft(z32.cast(DType.F64));
            assertArraysClose(f64, f32, 1e-6);
            Tensor r32 = Tensor.of(random(n, 14)).cast(DType.F32);
            Tensor half = Fft.rfft(r32);
            assertEquals(DType.F32, half.dtype());
            assertArraysClose(Fft.rfft(r32.cast(DType.F64)), half, 1e-6);
            Tensor back = Fft.irfft(half, n, 0, Norm.BACKWARD);
            assertEquals(DType.F32, back.dtype());
            assertArraysClose(r32, back, 1e-6);
            assertEquals(DType.F32, Fft.fft2(z32.reshape(10, 100, 2)).dtype());
        }
    }

    @Test
    void emptyBatchGivesEmptyResult() {
        try (Scope scope = Scope.open()) {
            Tensor empty = Tensor.zeros(DType.F64, 0, 8);
            assertArrayEquals(new long[]{0, 5, 2}, Fft.rfft(empty).shape());
            assertArrayEquals(new long[]{0, 8, 2}, Fft.fft(Tensor.zeros(DType.F64, 0, 8, 2)).shape());
        }
    }

    @Test
    void plansAreSharedAcrossThreads() throws InterruptedException {
        int n = 1 << 10;
        double[] z = random(2 * n, 15);
        double[] expected;
        try (Scope scope = Scope.open()) {
            expected = Fft.fft(complex(z, n)).toDoubleArray();
        }
        Thread[] threads = new Thread[4];
        Throwable[] failure = new Throwable[1];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                try (Scope scope = Scope.open()) {
                    for (int rep = 0; rep < 20; rep++) {
                        assertArrayEquals(expected, Fft.fft(complex(z, n)).toDoubleArray());
                    }
                } catch (Throwable t) {
                    synchronized (failure) {
                        failure[0] = t;
                    }
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
    }

    // =================================================================== bad arguments

    @Test
    void badArgumentsAreRejectedBeforeAnyWork() {
        try (Scope scope = Scope.open()) {
            Tensor z = Tensor.zeros(DType.F64, 4, 6, 2);
            Tensor real = Tensor.zeros(DType.F64, 4, 6);
            Tensor pair = Tensor.zeros(DType.F64, 2);
            Tensor line = Tensor.zeros(DType.F64, 6);
            Tensor oneComplexDim = Tensor.zeros(DType.F64, 6, 2);
            Tensor scalar = Tensor.scalar(1, DType.F64);
            Tensor ints = Tensor.of(1, 2, 3, 4);
            Tensor longs = Tensor.zeros(DType.I64, 4, 2);
            Tensor bytes = Tensor.zeros(DType.U8, 4, 4, 2);
            Tensor noPoints = Tensor.zeros(DType.F64, 0, 2);
            Tensor noColumns = Tensor.zeros(DType.F64, 3, 0);
            Tensor noRows = Tensor.zeros(DType.F64, 0, 4, 2);
            Tensor oneBin = Tensor.zeros(DType.F64, 1, 2);
            long before = Memory.allocatedBytes();

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fft.fft(z, 2, Norm.BACKWARD));
            assertTrue(e.getMessage().contains("axis 2"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Fft.fft(z, -3, Norm.BACKWARD));
            assertThrows(IllegalArgumentException.class, () -> Fft.rfft(real, 2, Norm.BACKWARD));
            assertThrows(IllegalArgumentException.class, () -> Fft.rfft(real, -3, Norm.BACKWARD));
            assertThrows(IllegalArgumentException.class, () -> Fft.irfft(z, 10, 2, Norm.BACKWARD));

            // complex operands need a trailing dimension of size 2
            e = assertThrows(IllegalArgumentException.class, () -> Fft.fft(real));
            assertTrue(e.getMessage().contains("size 2"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Fft.ifft(pair));
            assertThrows(IllegalArgumentException.class, () -> Fft.irfft(real));
            assertThrows(IllegalArgumentException.class, () -> Fft.fft2(oneComplexDim));
            assertThrows(IllegalArgumentException.class, () -> Fft.ifft2(oneComplexDim));
            assertThrows(IllegalArgumentException.class, () -> Fft.irfft2(oneComplexDim));
            assertThrows(IllegalArgumentException.class, () -> Fft.rfft2(line));
            assertThrows(IllegalArgumentException.class, () -> Fft.rfft(scalar));

            // only F32 and F64
            e = assertThrows(DTypeMismatchException.class, () -> Fft.rfft(ints));
            assertTrue(e.getMessage().contains("I32"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Fft.fft(longs));
            assertThrows(IllegalArgumentException.class, () -> Fft.fft2(bytes));

            // zero-length transform axis: n < 1
            assertThrows(IllegalArgumentException.class, () -> Fft.fft(noPoints));
            assertThrows(IllegalArgumentException.class, () -> Fft.rfft(noColumns));
            assertThrows(IllegalArgumentException.class, () -> Fft.fft2(noRows));

            // irfft output length: n/2 + 1 must equal the number of bins (6 bins: n = 10 or 11)
            assertThrows(IllegalArgumentException.class, () -> Fft.irfft(z, 0, -1, Norm.BACKWARD));
            assertThrows(IllegalArgumentException.class, () -> Fft.irfft(z, -4, -1, Norm.BACKWARD));
            e = assertThrows(IllegalArgumentException.class, () -> Fft.irfft(z, 12, -1, Norm.BACKWARD));
            assertTrue(e.getMessage().contains("10") && e.getMessage().contains("11"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Fft.irfft(z, 9, -1, Norm.BACKWARD));
            assertThrows(IllegalArgumentException.class, () -> Fft.irfft2(z, 13, Norm.BACKWARD));
            // fft2OfReal: rank >= 2, floating point, no empty transformed axis
            assertThrows(IllegalArgumentException.class, () -> Fft.fft2OfReal(line));
            assertThrows(DTypeMismatchException.class, () -> Fft.fft2OfReal(ints.reshape(2, 2)));
            assertThrows(IllegalArgumentException.class, () -> Fft.fft2OfReal(noColumns));
            // s: two sizes in [1, 2^27]; NumPy's -1 is refused with a hint
            for (long[] bad : new long[][]{{4}, {4, 6, 1}, {0, 6}, {4, -1}, {4, (1L << 27) + 1}}) {
                e = assertThrows(IllegalArgumentException.class, () -> Fft.fft2(z, bad, Norm.BACKWARD));
                assertTrue(e.getMessage().contains("s"), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> Fft.ifft2(z, bad, Norm.BACKWARD));
                assertThrows(IllegalArgumentException.class, () -> Fft.rfft2(real, bad, Norm.BACKWARD));
                assertThrows(IllegalArgumentException.class, () -> Fft.irfft2(z, bad, Norm.BACKWARD));
                assertThrows(IllegalArgumentException.class, () -> Fft.fft2OfReal(real, bad, Norm.BACKWARD));
            }
            e = assertThrows(IllegalArgumentException.class, () -> Fft.fft2(z, new long[]{4, -1}, Norm.BACKWARD));
            assertTrue(e.getMessage().contains("s[1] = -1") && e.getMessage().contains("-1 for the input's extent"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Fft.fft2(oneComplexDim, new long[]{2, 2}, Norm.BACKWARD));
            assertThrows(IllegalArgumentException.class, () -> Fft.irfft2(real, new long[]{2, 2}, Norm.BACKWARD));
            assertThrows(IllegalArgumentException.class, () -> Fft.rfft2(line, new long[]{2, 2}, Norm.BACKWARD));
            assertThrows(DTypeMismatchException.class, () -> Fft.fft2(bytes, new long[]{2, 2}, Norm.BACKWARD));
            assertThrows(NullPointerException.class, () -> Fft.fft2(z, null, Norm.BACKWARD));
            assertThrows(NullPointerException.class, () -> Fft.rfft2(real, new long[]{2, 2}, null));
            // a single bin: the default n = 0 is refused, n = 1 works
            assertThrows(IllegalArgumentException.class, () -> Fft.irfft(oneBin));
            assertEquals(before, Memory.allocatedBytes(), "rejected calls must not allocate");
            assertArrayEquals(new long[]{1}, Fft.irfft(oneBin, 1, 0, Norm.BACKWARD).shape());

            assertThrows(NullPointerException.class, () -> Fft.fft(z, -1, null));
            Tensor closed = Tensor.zeros(DType.F64, 4, 2);
            closed.close();
            assertThrows(IllegalStateException.class, () -> Fft.fft(closed));
        }
    }

    // =================================================================== helpers

    private static Tensor complex(double[] interleaved, int n) {
        return Tensor.of(interleaved).reshape(n, 2);
    }

    private static double[] random(int count, long seed) {
        Random r = new Random(seed);
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = 2 * r.nextDouble() - 1;
        }
        return out;
    }

    /** The DFT by its definition, in double precision with exactly reduced angles. */
    private static double[] dft(double[] z, boolean inverse) {
        int n = z.length / 2;
        double[] cos = new double[n];
        double[] sin = new double[n];
        for (int t = 0; t < n; t++) {
            cos[t] = Math.cos(2 * Math.PI * t / n);
            sin[t] = Math.sin(2 * Math.PI * t / n) * (inverse ? 1 : -1);
        }
        double[] out = new double[2 * n];
        for (int k = 0; k < n; k++) {
            double re = 0;
            double im = 0;
            int t = 0; // j·k mod n
            for (int j = 0; j < n; j++) {
                re += z[2 * j] * cos[t] - z[2 * j + 1] * sin[t];
                im += z[2 * j] * sin[t] + z[2 * j + 1] * cos[t];
                t += k;
                if (t >= n) {
                    t -= n;
                }
            }
            out[2 * k] = re;
            out[2 * k + 1] = im;
        }
        return out;
    }

    /** One forward DFT bin with Kahan-compensated sums, for long reference checks. */
    private static double[] directBin(double[] z, int k, double[] cos, double[] sin) {
        int n = z.length / 2;
        double re = 0;
        double reC = 0;
        double im = 0;
        double imC = 0;
        int t = 0; // j·k mod n
        for (int j = 0; j < n; j++) {
            double c = cos[t];
            double s = -sin[t];
            double tr = z[2 * j] * c - z[2 * j + 1] * s - reC;
            double nr = re + tr;
            reC = (nr - re) - tr;
            re = nr;
            double ti = z[2 * j] * s + z[2 * j + 1] * c - imC;
            double ni = im + ti;
            imC = (ni - im) - ti;
            im = ni;
            t += k;
            if (t >= n) {
                t -= n;
            }
        }
        return new double[]{re, im};
    }

    /** Max-norm error relative to the largest expected magnitude (1 if all are tiny). */
    private static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 1e-300;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        scale = Math.max(scale, 1e-3);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]);
            if (!(err <= worst)) {
                worst = err;
                at = i;
            }
        }
        double relative = worst / scale;
        assertTrue(relative <= tolerance, what + ": relative error " + relative + " at index " + at
                + " (expected " + (at >= 0 ? expected[at] : 0) + ", got " + (at >= 0 ? actual[at] : 0) + ")");
    }

    private static void assertArraysClose(Tensor expected, Tensor actual, double tolerance) {
        assertArrayEquals(expected.shape(), actual.shape());
        assertClose(expected.toDoubleArray(), actual.toDoubleArray(), tolerance, "tensors");
    }

    private static Tensor tensor(double[] values, long[] shape) {
        return Tensor.of(values).reshape(shape);
    }

    /** One case of the fixture file; {@code s} is NumPy's {@code s} of a 2-D transform, or null. */
    private record Fixture(String op, String norm, int axis, long n, long[] s, long[] inShape, double[] input, long[] outShape,
                           double[] output) {
    }

    private static List<Fixture> readFixtures() throws IOException {
        InputStream stream = FftTest.class.getResourceAsStream(FIXTURES);
        assertNotNull(stream, "test resource " + FIXTURES);
        List<Fixture> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] head = line.split(" ");
                if (!head[0].equals("case")) {
                    throw new IOException("expected a case line, got: " + line);
                }
                long[] inShape = longs(r.readLine(), "in");
                double[] input = doubles(r.readLine());
                long[] outShape = longs(r.readLine(), "out");
                double[] output = doubles(r.readLine());
                long[] sizes = head.length > 5 ? Arrays.stream(head[5].substring("s=".length()).split(",")).mapToLong(Long::parseLong).toArray()
                        : null;
                out.add(new Fixture(head[1], head[2], Integer.parseInt(head[3].substring("axis=".length())),
                        Long.parseLong(head[4].substring("n=".length())), sizes, inShape, input, outShape, output));
            }
        }
        return out;
    }

    private static long[] longs(String line, String tag) throws IOException {
        String[] parts = line.split(" ");
        if (!parts[0].equals(tag)) {
            throw new IOException("expected '" + tag + "', got: " + line);
        }
        return Arrays.stream(parts, 1, parts.length).mapToLong(Long::parseLong).toArray();
    }

    private static double[] doubles(String line) {
        return Arrays.stream(line.trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
    }
}
