package dev.proxima.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ConvTest {

    @AfterEach
    void allocatorIsBackToZero() {
        assertEquals(0, Memory.allocatedBytes(), "host memory still allocated after the test");
    }

    // =================================================================== hand-computed cases

    @Test
    void identityKernelReturnsTheInput() {
        for (DType t : new DType[]{DType.F32, DType.F64}) {
            try (Scope scope = Scope.open()) {
                Tensor x = Tensor.arange(0, 2 * 3 * 4 * 5, 1, t).reshape(2, 3, 4, 5);
                Tensor eye = Tensor.fromArray(new double[][]{{0, 0, 0}, {0, 1, 0}, {0, 0, 0}});
                double[] wv = new double[3 * 3 * 9];
                for (int o = 0; o < 3; o++) {
                    wv[(o * 3 + o) * 9 + 4] = 1;
                }
                Tensor w = Tensor.of(wv).cast(t).reshape(3, 3, 3, 3);
                Tensor y = Conv.conv2d(x, w, null, 1, 1, 1);
                assertEquals(t, y.dtype());
                assertArrayEquals(x.shape(), y.shape());
                assertArrayEquals(x.toDoubleArray(), y.toDoubleArray(), 0);
                // correlate2d with the 3×3 identity too, under every boundary rule
                for (Conv.Boundary b : Conv.Boundary.values()) {
                    assertArrayEquals(x.toDoubleArray(), Conv.correlate2d(x, eye, b).toDoubleArray(), 0, b.name());
                }
            }
        }
    }

    @Test
    void boxBlurOfOnesByHand() {
        try (Scope scope = Scope.open()) {
            Tensor ones = Tensor.ones(DType.F64, 1, 1, 4, 4);
            Tensor box = Tensor.full(1.0 / 9, DType.F64, 1, 1, 3, 3);
            // zero padding: corners see 4 ones, edges 6, the inside 9
            double c = 4.0 / 9, e = 6.0 / 9;
            double[] expected = {c, e, e, c, e, 1, 1, e, e, 1, 1, e, c, e, e, c};
            assertArrayEquals(expected, Conv.conv2d(ones, box, null, 1, 1, 1).toDoubleArray(), 1e-15);
            Tensor kernel = box.reshape(3, 3);
            assertArrayEquals(expected, Conv.correlate2d(ones, kernel, Conv.Boundary.ZERO).toDoubleArray(), 1e-15);
            for (Conv.Boundary b : List.of(Conv.Boundary.REFLECT, Conv.Boundary.REPLICATE, Conv.Boundary.CIRCULAR)) {
                double[] all = Conv.correlate2d(ones.reshape(4, 4), kernel, b).toDoubleArray();
                for (double v : all) {
                    assertEquals(1, v, 1e-15, b.name());
                }
            }
            // a 3×3 blur of a small ramp image, checked at the centre and a corner
            Tensor ramp = Tensor.arange(0, 9, 1, DType.F64).reshape(1, 1, 3, 3); // 0..8
            Tensor blurred = Conv.conv2d(ramp, box, null, 1, 1, 1);
            assertEquals(4.0, blurred.getDouble(0, 0, 1, 1), 1e-15);                 // mean of 0..8
            assertEquals((0 + 1 + 3 + 4) / 9.0, blurred.getDouble(0, 0, 0, 0), 1e-15);
            // REFLECT (mirror) at the top-left corner reads rows/cols 1,0,1
            Tensor mirrored = Conv.correlate2d(ramp.reshape(3, 3), kernel, Conv.Boundary.REFLECT);
            assertEquals((4 + 3 + 4 + 1 + 0 + 1 + 4 + 3 + 4) / 9.0, mirrored.getDouble(0, 0), 1e-15);
        }
    }

    @Test
    void strideDilationAndPaddingByHand() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.arange(0, 16, 1, DType.F64).reshape(1, 1, 4, 4);
            Tensor ones2 = Tensor.ones(DType.F64, 1, 1, 2, 2);
            // stride 2: sums of the four 2×2 blocks
            assertArrayEquals(new double[]{10, 18, 42, 50}, Conv.conv2d(x, ones2, null, 2, 0, 1).toDoubleArray(), 0);
            // dilation 2 on a 5×5 ramp x[i,j] = 5i + j: x[i,j] + x[i,j+2] + x[i+2,j] + x[i+2,j+2] = 4·x[i,j] + 24
            Tensor r = Tensor.arange(0, 25, 1, DType.F64).reshape(1, 1, 5, 5);
            Tensor y = Conv.conv2d(r, ones2, null, 1, 0, 2);
            assertArrayEquals(new long[]{1, 1, 3, 3}, y.shape());
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(4 * (5 * i + j) + 24, y.getDouble(0, 0, i, j), 0);
                }
            }
            // padding 1, stride 2 on the 4×4 ramp with a single tap at the kernel's top-left: reads x[2i-1, 2j-1]
            Tensor tap = Tensor.fromArray(new double[][][][]{{{{1, 0}, {0, 0}}}});
            Tensor z = Conv.conv2d(x, tap, null, 2, 1, 1);
            assertArrayEquals(new long[]{1, 1, 3, 3}, z.shape());
            assertArrayEquals(new double[]{0, 0, 0, 0, 5, 7, 0, 13, 15}, z.toDoubleArray(), 0);
            // asymmetric stride/padding/dilation arrays
            Tensor a = Conv.conv2d(x, ones2, Tensor.of(100.0), new int[]{1, 3}, new int[]{0, 1}, new int[]{2, 1}, 1);
            assertArrayEquals(new long[]{1, 1, 2, 2}, a.shape());
            // out[0,0]: rows 0,2 cols -1,0 → x[0,0] + x[2,0] = 0 + 8; out[0,1]: cols 2,3 → 2+3+10+11
            assertArrayEquals(new double[]{108, 126, 116, 142}, a.toDoubleArray(), 0);
        }
    }

    @Test
    void groupsAndDepthwiseByHand() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.arange(0, 2 * 2 * 2, 1, DType.F32).reshape(1, 2, 2, 2); // channel 0: 0..3, channel 1: 4..7
            // depthwise (groups = C = 2), two 1×1 filters per channel: O = 4
            Tensor w = Tensor.of(2f, -1f, 3f, 10f).reshape(4, 1, 1, 1);
            Tensor b = Tensor.of(0.5f, 0f, 0f, 1f);
            Tensor y = Conv.conv2d(x, w, b, new int[]{1, 1}, new int[]{0, 0}, new int[]{1, 1}, 2);
            assertArrayEquals(new double[]{0.5, 2.5, 4.5, 6.5, 0, -1, -2, -3, 12, 15, 18, 21, 41, 51, 61, 71},
                    y.toDoubleArray(), 0);
            // groups = 2 with a 2×2 kernel of ones: each output channel sums its own input channel only
            Tensor ones = Tensor.ones(DType.F32, 2, 1, 2, 2);
            Tensor s = Conv.conv2d(x, ones, null, new int[]{1, 1}, new int[]{0, 0}, new int[]{1, 1}, 2);
            assertArrayEquals(new double[]{6, 22}, s.toDoubleArray(), 0);
            // groups = 1 mixes both: 6 + 22
            Tensor mixed = Conv.conv2d(x, Tensor.ones(DType.F32, 1, 2, 2, 2), null, 1, 0, 1);
            assertArrayEquals(new double[]{28}, mixed.toDoubleArray(), 0);
        }
    }

    @Test
    void conv1dByHand() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(1.0, 2, 3, 4, 5).reshape(1, 1, 5);
            Tensor diff = Tensor.of(1.0, 0, -1).reshape(1, 1, 3);
            assertArrayEquals(new double[]{-2, -2, -2, -2, 4}, Conv.conv1d(x, diff, null, 1, 1, 1, 1).toDoubleArray(), 0);
            // stride 2, dilation 2, padding 1, bias: out[l] = x[2l − 1] + 10·x[2l + 3] + 0.5 (zeros outside)
            Tensor y = Conv.conv1d(x, Tensor.of(1.0, 0, 10).reshape(1, 1, 3), Tensor.of(0.5), 2, 1, 2, 1);
            assertArrayEquals(new long[]{1, 1, 2}, y.shape());
            assertArrayEquals(new double[]{0 + 40 + 0.5, 2 + 0 + 0.5}, y.toDoubleArray(), 0);
        }
    }

    @Test
    void poolingByHandIncludingNaNAndNegativePadding() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.arange(0, 16, 1, DType.F32).neg().reshape(1, 1, 4, 4); // all <= 0
            // padding counts as −∞ for max: the corner window of a padded pool is the real corner value
            Tensor m = Conv.maxPool2d(x, 3, 2, 1);
            assertArrayEquals(new double[]{0, -1, -4, -5}, m.toDoubleArray(), 0);
            Tensor incl = Conv.avgPool2d(x, 2, 2, 1, true);   // windows hold 1, 2 or 4 real values, divisor 4
            Tensor excl = Conv.avgPool2d(x, 2, 2, 1, false);  // divisor = real values
            assertEquals(0.0 / 4, incl.getDouble(0, 0, 0, 0), 0);
            assertEquals(-(1 + 2) / 4.0, incl.getDouble(0, 0, 0, 1), 0);
            assertEquals(-(1 + 2) / 2.0, excl.getDouble(0, 0, 0, 1), 0);
            assertEquals(-(5 + 6 + 9 + 10) / 4.0, excl.getDouble(0, 0, 1, 1), 0);
            Tensor withNaN = Tensor.of(1f, Float.NaN, 3f, 4f).reshape(1, 1, 2, 2);
            assertTrue(Double.isNaN(Conv.maxPool2d(withNaN, 2, 2, 0).item()));
            assertTrue(Double.isNaN(Conv.avgPool2d(withNaN, 2, 2, 0, true).item()));
            // integer input computes in F64
            Tensor ints = Tensor.of(1, 5, 3, 2).reshape(1, 1, 2, 2);
            Tensor pooled = Conv.maxPool2d(ints, 2, 2, 0);
            assertEquals(DType.F64, pooled.dtype());
            assertEquals(5, pooled.item(), 0);
            assertEquals(2.75, Conv.avgPool2d(ints, 2, 2, 0, true).item(), 0);
        }
    }

    @Test
    void resizeByHand() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(1.0, 2, 3, 4).reshape(1, 1, 2, 2);
            Tensor up = Conv.resize(x, 4, 4, Conv.Mode.NEAREST, false);
            assertArrayEquals(new double[]{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, up.toDoubleArray(), 0);
            // bilinear with half-pixel centres: the single output row reads source row (0 + 0.5)·2 − 0.5 = 0.5,
            // the mean of both rows [2, 3]; output columns read 0 (clamped from −0.25), 0.25, 0.75, 1 (1.25, clamped)
            Tensor lin = Conv.resize(x, 1, 4, Conv.Mode.BILINEAR, false);
            assertArrayEquals(new double[]{2, 2.25, 2.75, 3}, lin.toDoubleArray(), 1e-15);
            Tensor corners = Conv.resize(x, 3, 3, Conv.Mode.BILINEAR, true);
            assertArrayEquals(new double[]{1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4}, corners.toDoubleArray(), 1e-15);
            assertArrayEquals(x.toDoubleArray(), Conv.resize(x, 2, 2, Conv.Mode.BILINEAR, false).toDoubleArray(), 0);
        }
    }

    @Test
    void transposedConvolutionIsTheAdjointOfConvolution() {
        Random rnd = new Random(7);
        try (Scope scope = Scope.open()) {
            int[] s = {2, 1}, p = {1, 2}, d = {1, 2};
            int groups = 2;
            Tensor x = random(rnd, 2, 4, 9, 8);
            Tensor w = random(rnd, 6, 2, 3, 2);
            Tensor y = Conv.conv2d(x, w, null, s, p, d, groups);
            Tensor u = random(rnd, y.shape());
            // <conv(x), u> = <x, convT(u)>, with outputPadding chosen to recover x's size
            long[] ys = y.shape();
            int[] op = new int[2];
            for (int i = 0; i < 2; i++) {
                long plain = (ys[2 + i] - 1) * s[i] - 2L * p[i] + (long) d[i] * (w.dim(2 + i) - 1) + 1;
                op[i] = (int) (x.dim(2 + i) - plain);
            }
            Tensor xt = Conv.convTranspose2d(u, w, null, s, p, op, d, groups);
            assertArrayEquals(x.shape(), xt.shape());
            double lhs = y.mul(u).sum().item();
            double rhs = x.mul(xt).sum().item();
            assertEquals(lhs, rhs, 1e-9 * Math.abs(lhs) + 1e-9);
        }
    }

    // =================================================================== references

    @Test
    void matchesADirectLoopOnBatchesLargeEnoughToSplit() {
        Random rnd = new Random(11);
        int[][] configs = {
                // n, c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw, groups
                {5, 8, 12, 11, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1},
                {4, 6, 10, 13, 9, 3, 2, 2, 1, 0, 2, 1, 2, 3},
                {3, 8, 9, 9, 16, 1, 1, 1, 1, 0, 0, 1, 1, 2},   // pointwise path
                {4, 8, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8},    // depthwise
        };
        int blasThreads = dev.proxima.blas.OpenBlas.threads();
        for (int[] c : configs) {
            try (Scope scope = Scope.open()) {
                Tensor x = random(rnd, c[0], c[1], c[2], c[3]);
                Tensor w = random(rnd, c[4], c[1] / c[13], c[5], c[6]);
                Tensor b = random(rnd, c[4]);
                int[] s = {c[7], c[8]}, p = {c[9], c[10]}, d = {c[11], c[12]};
                Tensor y = Conv.conv2d(x, w, b, s, p, d, c[13]);
                double[] ref = directConv(x, w, b, s, p, d, c[13], y.shape());
                assertArrayEquals(ref, y.toDoubleArray(), 1e-12, Arrays.toString(c));
                Tensor y32 = Conv.conv2d(x.cast(DType.F32), w.cast(DType.F32), b.cast(DType.F32), s, p, d, c[13]);
                assertEquals(DType.F32, y32.dtype());
                assertArrayEquals(ref, y32.toDoubleArray(), 1e-4, Arrays.toString(c));
            }
        }
        // batches split over the workers run OpenBLAS single-threaded meanwhile; the count is restored
        assertEquals(blasThreads, dev.proxima.blas.OpenBlas.threads());
    }

    @Test
    void matchesTorchAndScipyFixtures() throws IOException {
        Map<String, Fixture> fixtures = Fixture.load();
        assertTrue(fixtures.size() >= 20, "fixtures: " + fixtures.keySet());
        for (Fixture f : fixtures.values()) {
            for (DType t : new DType[]{DType.F64, DType.F32}) {
                double tol = t == DType.F64 ? 1e-10 : 2e-5;
                try (Scope scope = Scope.open()) {
                    Map<String, Tensor> results = run(f, t);
                    assertEquals(f.expectedKeys(), results.keySet(), f.name);
                    for (Map.Entry<String, Tensor> e : results.entrySet()) {
                        Tensor got = e.getValue();
                        String what = f.name + " " + e.getKey() + " " + t;
                        assertEquals(t, got.dtype(), what);
                        assertClose(f.tensor(e.getKey()), got, tol, what);
                    }
                }
            }
        }
    }

    /** Runs the fixture's op in type {@code t}; results by expected key. */
    private static Map<String, Tensor> run(Fixture f, DType t) {
        Tensor x = f.tensor("input").cast(t);
        Map<String, Tensor> out = new LinkedHashMap<>();
        switch (f.op) {
            case "conv2d" -> out.put("expected", Conv.conv2d(x, f.tensor("weight").cast(t), f.optional("bias", t),
                    f.ints("stride"), f.ints("padding"), f.ints("dilation"), f.ints("groups")[0]));
            case "conv1d" -> out.put("expected", Conv.conv1d(x, f.tensor("weight").cast(t), f.optional("bias", t),
                    f.ints("stride")[0], f.ints("padding")[0], f.ints("dilation")[0], f.ints("groups")[0]));
            case "conv_transpose2d" -> out.put("expected", Conv.convTranspose2d(x, f.tensor("weight").cast(t),
                    f.optional("bias", t), f.ints("stride"), f.ints("padding"), f.ints("output_padding"),
                    f.ints("dilation"), f.ints("groups")[0]));
            case "pool2d" -> {
                int[] k = f.ints("kernel"), s = f.ints("stride"), p = f.ints("padding");
                out.put("expected_max", Conv.maxPool2d(x, k, s, p));
                out.put("expected_avg_incl", Conv.avgPool2d(x, k, s, p, true));
                out.put("expected_avg_excl", Conv.avgPool2d(x, k, s, p, false));
            }
            case "interpolate" -> {
                int[] size = f.ints("size");
                out.put("expected_nearest", Conv.resize(x, size[0], size[1], Conv.Mode.NEAREST, false));
                out.put("expected_bilinear", Conv.resize(x, size[0], size[1], Conv.Mode.BILINEAR, false));
                out.put("expected_bilinear_align_corners", Conv.resize(x, size[0], size[1], Conv.Mode.BILINEAR, true));
            }
            case "correlate2d" -> {
                for (Conv.Boundary b : Conv.Boundary.values()) {
                    out.put("expected_" + b.name(), Conv.correlate2d(x, f.tensor("kernel").cast(t), b));
                }
            }
            default -> fail("unknown fixture op " + f.op);
        }
        return out;
    }

    // =================================================================== views, types, validation

    @Test
    void winogradPathMatchesF64() {
        // F32, 3×3, stride 1, padding ≤ 1, one group, ≥ 16 channels: the Winograd F(2×2, 3×3) path; odd and
        // even output sizes (a last tile partly outside), bias, batches of one and several images.
        Random rnd = new Random(11);
        long[][] shapes = {{3, 16, 7, 9}, {1, 20, 8, 8}, {5, 16, 5, 4}, {2, 17, 3, 3}};
        for (long[] sh : shapes) {
            for (int pad = 0; pad <= 1; pad++) {
                try (Scope scope = Scope.open()) {
                    Tensor x = random(rnd, sh);
                    Tensor w = random(rnd, 18, sh[1], 3, 3);
                    Tensor b = random(rnd, 18);
                    double[] ref = Conv.conv2d(x, w, b, 1, pad, 1).toDoubleArray();
                    Tensor y32 = Conv.conv2d(x.cast(DType.F32), w.cast(DType.F32), b.cast(DType.F32), 1, pad, 1);
                    assertArrayEquals(ref, y32.toDoubleArray(), 1e-4, Arrays.toString(sh) + " pad " + pad);
                    double[] noBias = Conv.conv2d(x, w, null, 1, pad, 1).toDoubleArray();
                    double[] noBias32 = Conv.conv2d(x.cast(DType.F32), w.cast(DType.F32), null, 1, pad, 1).toDoubleArray();
                    assertArrayEquals(noBias, noBias32, 1e-4, Arrays.toString(sh) + " pad " + pad + " no bias");
                }
            }
        }
    }

    @Test
    void nonContiguousOperandsGiveTheSameResult() {
        Random rnd = new Random(3);
        try (Scope scope = Scope.open()) {
            Tensor nhwc = random(rnd, 2, 7, 6, 4);
            Tensor x = nhwc.permute(0, 3, 1, 2);              // a [2, 4, 7, 6] view, not contiguous
            Tensor dense = x.contiguous().copy();
            Tensor w = random(rnd, 3, 3, 4, 6).permute(3, 2, 0, 1); // [6, 4, 3, 3] view
            Tensor wd = w.copy();
            assertTrue(!x.isContiguous() && !w.isContiguous());
            assertArrayEquals(Conv.conv2d(dense, wd, null, 1, 1, 1).toDoubleArray(),
                    Conv.conv2d(x, w, null, 1, 1, 1).toDoubleArray(), 0);
            Tensor wt = random(rnd, 4, 2, 3, 3);
            assertArrayEquals(Conv.convTranspose2d(dense, wt, null, new int[]{2, 2}, new int[]{1, 1}, new int[]{1, 0},
                            new int[]{1, 1}, 1).toDoubleArray(),
                    Conv.convTranspose2d(x, wt, null, new int[]{2, 2}, new int[]{1, 1}, new int[]{1, 0},
                            new int[]{1, 1}, 1).toDoubleArray(), 0);
            assertArrayEquals(Conv.maxPool2d(dense, 3, 2, 1).toDoubleArray(), Conv.maxPool2d(x, 3, 2, 1).toDoubleArray(), 0);
            assertArrayEquals(Conv.avgPool2d(dense, 2, 1, 1, false).toDoubleArray(),
                    Conv.avgPool2d(x, 2, 1, 1, false).toDoubleArray(), 0);
            assertArrayEquals(Conv.resize(dense, 9, 5, Conv.Mode.BILINEAR, true).toDoubleArray(),
                    Conv.resize(x, 9, 5, Conv.Mode.BILINEAR, true).toDoubleArray(), 0);
            Tensor k = random(rnd, 3, 3).transpose();
            assertArrayEquals(Conv.correlate2d(dense, k.copy(), Conv.Boundary.REFLECT).toDoubleArray(),
                    Conv.correlate2d(x, k, Conv.Boundary.REFLECT).toDoubleArray(), 0);
            // a strided slice of a signal for conv1d
            Tensor sig = random(rnd, 2, 3, 20);
            Tensor every2 = sig.slice(2, 0, 20, 2);
            Tensor w1 = random(rnd, 4, 3, 3);
            assertArrayEquals(Conv.conv1d(every2.copy(), w1, null, 1, 1, 1, 1).toDoubleArray(),
                    Conv.conv1d(every2, w1, null, 1, 1, 1, 1).toDoubleArray(), 0);
        }
    }

    @Test
    void typesPromoteAndIntegersAreRejectedForConvolutions() {
        try (Scope scope = Scope.open()) {
            Tensor x32 = Tensor.ones(DType.F32, 1, 2, 4, 4);
            Tensor w64 = Tensor.ones(DType.F64, 3, 2, 3, 3);
            Tensor y = Conv.conv2d(x32, w64, null, 1, 1, 1);
            assertEquals(DType.F64, y.dtype());
            assertEquals(18, y.getDouble(0, 0, 1, 1), 0);
            Tensor xi = Tensor.ones(DType.I32, 1, 2, 4, 4);
            assertThrows(DTypeMismatchException.class, () -> Conv.conv2d(xi, w64, null, 1, 1, 1));
            assertThrows(DTypeMismatchException.class,
                    () -> Conv.conv2d(x32, Tensor.ones(DType.F32, 3, 2, 3, 3), Tensor.ones(DType.I64, 3), 1, 1, 1));
            assertEquals(DType.F64, Conv.resize(Tensor.ones(DType.U8, 1, 1, 2, 2), 3, 3, Conv.Mode.NEAREST, false).dtype());
            assertEquals(DType.F64, Conv.correlate2d(Tensor.ones(DType.I32, 3, 3), Tensor.ones(DType.F32, 1, 1),
                    Conv.Boundary.ZERO).dtype());
            assertEquals(DType.F32, Conv.correlate2d(Tensor.ones(DType.F32, 3, 3), Tensor.ones(DType.I32, 1, 1),
                    Conv.Boundary.ZERO).dtype());
            // half-precision operands have no kernels: rejected before any work, naming the type
            Tensor half = Tensor.ones(DType.F16, 1, 2, 4, 4);
            for (Executable call : new Executable[]{
                    () -> Conv.conv2d(half, w64, null, 1, 1, 1),
                    () -> Conv.convTranspose2d(x32, Tensor.ones(DType.BF16, 2, 1, 3, 3), null, new int[]{1, 1}, new int[]{0, 0},
                            new int[]{0, 0}, new int[]{1, 1}, 1),
                    () -> Conv.maxPool2d(half, 2, 2, 0),
                    () -> Conv.avgPool2d(half, 2, 2, 0, true),
                    () -> Conv.resize(half, 8, 8, Conv.Mode.BILINEAR, false),
                    () -> Conv.correlate2d(half, Tensor.ones(DType.F32, 3, 3), Conv.Boundary.ZERO)}) {
                DTypeMismatchException e = assertThrows(DTypeMismatchException.class, call);
                assertTrue(e.getMessage().contains("F16") || e.getMessage().contains("BF16"), e.getMessage());
            }
            // an empty batch gives an empty result of the right shape
            Tensor empty = Conv.conv2d(Tensor.zeros(DType.F32, 0, 2, 5, 5), Tensor.ones(DType.F32, 4, 2, 3, 3), null, 2, 1, 1);
            assertArrayEquals(new long[]{0, 4, 3, 3}, empty.shape());
        }
    }

    @Test
    void badShapesAndParametersThrowBeforeAnyWork() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.ones(DType.F32, 2, 4, 8, 8);
            Tensor w = Tensor.ones(DType.F32, 6, 2, 3, 3);
            int[] one = {1, 1}, zero = {0, 0};
            ShapeMismatchException e;
            e = assertThrows(ShapeMismatchException.class, () -> Conv.conv2d(x.reshape(8, 8, 8), w, null, 1, 0, 1));
            assertTrue(e.getMessage().contains("[8, 8, 8]") && e.getMessage().contains("input"), e.getMessage());
            e = assertThrows(ShapeMismatchException.class, () -> Conv.conv2d(x, w, null, 1, 0, 1)); // C/groups 2 vs 4
            assertTrue(e.getMessage().contains("[2, 4, 8, 8]") && e.getMessage().contains("[6, 2, 3, 3]"), e.getMessage());
            e = assertThrows(ShapeMismatchException.class, () -> Conv.conv2d(x, w, null, one, zero, one, 3));
            assertTrue(e.getMessage().contains("groups"), e.getMessage());
            assertThrows(ShapeMismatchException.class,
                    () -> Conv.conv2d(x, Tensor.ones(DType.F32, 5, 2, 3, 3), null, one, zero, one, 2)); // O % groups
            e = assertThrows(ShapeMismatchException.class,
                    () -> Conv.conv2d(x, w, Tensor.ones(DType.F32, 5), one, zero, one, 2));
            assertTrue(e.getMessage().contains("bias"), e.getMessage());
            e = assertThrows(ShapeMismatchException.class,
                    () -> Conv.conv2d(x, Tensor.ones(DType.F32, 6, 2, 9, 3), null, one, zero, one, 2));
            assertTrue(e.getMessage().contains("height"), e.getMessage());
            assertThrows(ShapeMismatchException.class,
                    () -> Conv.conv2d(x, w, null, one, zero, new int[]{4, 1}, 2)); // dilated kernel spans 9 > 8
            IllegalArgumentException a;
            a = assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(x, w, null, new int[]{0, 1}, zero, one, 2));
            assertTrue(a.getMessage().contains("stride"), a.getMessage());
            a = assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(x, w, null, one, new int[]{-1, 0}, one, 2));
            assertTrue(a.getMessage().contains("padding"), a.getMessage());
            a = assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(x, w, null, one, zero, new int[]{1, 0}, 2));
            assertTrue(a.getMessage().contains("dilation"), a.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(x, w, null, one, zero, one, 0));
            assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(x, w, null, new int[]{1}, zero, one, 2));
            // conv1d
            assertThrows(ShapeMismatchException.class,
                    () -> Conv.conv1d(x, Tensor.ones(DType.F32, 2, 4, 3), null, 1, 0, 1, 1));
            assertThrows(ShapeMismatchException.class, () -> Conv.conv1d(Tensor.ones(DType.F32, 1, 4, 5),
                    Tensor.ones(DType.F32, 2, 4, 3), null, 1, 0, 3, 1)); // span 7 > 5
            // convTranspose2d
            Tensor wt = Tensor.ones(DType.F32, 4, 3, 3, 3);
            a = assertThrows(IllegalArgumentException.class,
                    () -> Conv.convTranspose2d(x, wt, null, new int[]{2, 2}, one, new int[]{2, 0}, one, 1));
            assertTrue(a.getMessage().contains("outputPadding"), a.getMessage());
            assertThrows(ShapeMismatchException.class,
                    () -> Conv.convTranspose2d(x, Tensor.ones(DType.F32, 3, 3, 3, 3), null, one, zero, zero, one, 1));
            assertThrows(ShapeMismatchException.class,
                    () -> Conv.convTranspose2d(x, wt, Tensor.ones(DType.F32, 4), one, zero, zero, one, 1));
            assertThrows(ShapeMismatchException.class, () -> Conv.convTranspose2d(Tensor.ones(DType.F32, 1, 4, 1, 1),
                    Tensor.ones(DType.F32, 4, 1, 1, 1), null, one, one, zero, one, 1)); // 1 − 2 < 1
            // pooling
            assertThrows(IllegalArgumentException.class, () -> Conv.maxPool2d(x, 3, 1, 2));   // padding > kernel/2
            assertThrows(IllegalArgumentException.class, () -> Conv.avgPool2d(x, 2, 0, 0, true));
            assertThrows(ShapeMismatchException.class, () -> Conv.maxPool2d(x, 9, 1, 0));
            assertThrows(ShapeMismatchException.class, () -> Conv.maxPool2d(x.reshape(2, 4, 64), 2, 2, 0));
            // resize and correlate
            assertThrows(IllegalArgumentException.class, () -> Conv.resize(x, 4, 4, Conv.Mode.NEAREST, true));
            assertThrows(IllegalArgumentException.class, () -> Conv.resize(x, 0, 4, Conv.Mode.BILINEAR, false));
            assertThrows(ShapeMismatchException.class, () -> Conv.resize(x.reshape(8, 8, 8), 4, 4, Conv.Mode.NEAREST, false));
            assertThrows(ShapeMismatchException.class,
                    () -> Conv.correlate2d(Tensor.ones(DType.F32, 5), Tensor.ones(DType.F32, 3, 3), Conv.Boundary.ZERO));
            assertThrows(ShapeMismatchException.class,
                    () -> Conv.correlate2d(x, Tensor.ones(DType.F32, 3), Conv.Boundary.ZERO));
            assertThrows(IllegalArgumentException.class, () -> Conv.correlate2d(x, Tensor.ones(DType.F32, 3, 3), null));
        }
    }

    // =================================================================== helpers

    private static Tensor random(Random rnd, long... shape) {
        int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextDouble() * 2 - 1;
        }
        return Tensor.of(v).reshape(shape);
    }

    /** Conv2d by its definition, in double. */
    private static double[] directConv(Tensor x, Tensor w, Tensor b, int[] s, int[] p, int[] d, int groups, long[] outShape) {
        double[] xv = x.toDoubleArray(), wv = w.toDoubleArray(), bv = b == null ? null : b.toDoubleArray();
        int n = (int) x.dim(0), c = (int) x.dim(1), h = (int) x.dim(2), wd = (int) x.dim(3);
        int o = (int) w.dim(0), cg = (int) w.dim(1), kh = (int) w.dim(2), kw = (int) w.dim(3);
        int ho = (int) outShape[2], wo = (int) outShape[3], og = o / groups;
        double[] out = new double[n * o * ho * wo];
        for (int in = 0; in < n; in++) {
            for (int oc = 0; oc < o; oc++) {
                int g = oc / og;
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++) {
                        double acc = bv == null ? 0 : bv[oc];
                        for (int ci = 0; ci < cg; ci++) {
                            for (int a = 0; a < kh; a++) {
                                int r = i * s[0] - p[0] + a * d[0];
                                if (r < 0 || r >= h) {
                                    continue;
                                }
                                for (int bb = 0; bb < kw; bb++) {
                                    int q = j * s[1] - p[1] + bb * d[1];
                                    if (q < 0 || q >= wd) {
                                        continue;
                                    }
                                    acc += wv[((oc * cg + ci) * kh + a) * kw + bb] * xv[((in * c + g * cg + ci) * h + r) * wd + q];
                                }
                            }
                        }
                        out[((in * o + oc) * ho + i) * wo + j] = acc;
                    }
                }
            }
        }
        return out;
    }

    private static void assertClose(Tensor expected, Tensor got, double tol, String what) {
        assertArrayEquals(expected.shape(), got.shape(), what + ": shape");
        double[] e = expected.toDoubleArray(), g = got.toDoubleArray();
        double worst = 0;
        int at = -1;
        for (int i = 0; i < e.length; i++) {
            double err = Math.abs(e[i] - g[i]) / (1 + Math.abs(e[i]));
            if (!(err <= worst)) {
                worst = err;
                at = i;
            }
        }
        if (!(worst <= tol)) {
            fail(what + ": element " + at + " is " + g[at] + ", expected " + e[at] + " (relative error " + worst + " > " + tol + ")");
        }
    }

    /** One case of fixtures/conv/conv_fixtures.txt (format documented in make_conv_fixtures.py). */
    private record Fixture(String name, String op, Map<String, String[]> params, Map<String, long[]> shapes,
                           Map<String, double[]> values) {

        static Map<String, Fixture> load() throws IOException {
            Map<String, Fixture> all = new LinkedHashMap<>();
            try (InputStream in = ConvTest.class.getResourceAsStream("/fixtures/conv/conv_fixtures.txt")) {
                if (in == null) {
                    throw new IOException("fixtures/conv/conv_fixtures.txt is not on the test class path");
                }
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                Fixture cur = null;
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    String[] tok = line.trim().split("\\s+");
                    switch (tok[0]) {
                        case "case" -> cur = new Fixture(tok[1], tok[2], new LinkedHashMap<>(), new LinkedHashMap<>(),
                                new LinkedHashMap<>());
                        case "param" -> cur.params.put(tok[1], Arrays.copyOfRange(tok, 2, tok.length));
                        case "tensor" -> {
                            long[] shape = new long[tok.length - 2];
                            for (int i = 0; i < shape.length; i++) {
                                shape[i] = Long.parseLong(tok[i + 2]);
                            }
                            String data = r.readLine();
                            double[] v = data == null || data.isBlank() ? new double[0]
                                    : Arrays.stream(data.trim().split("\\s+")).mapToDouble(Double::parseDouble).toArray();
                            if (v.length != Arrays.stream(shape).reduce(1, (a, b) -> a * b)) {
                                throw new IOException("fixture " + cur.name + ": tensor " + tok[1] + " has " + v.length
                                        + " values for shape " + Arrays.toString(shape));
                            }
                            cur.shapes.put(tok[1], shape);
                            cur.values.put(tok[1], v);
                        }
                        case "end" -> {
                            all.put(cur.name, cur);
                            cur = null;
                        }
                        default -> throw new IOException("unexpected fixture line: " + line);
                    }
                }
            }
            return all;
        }

        Tensor tensor(String key) {
            double[] v = values.get(key);
            if (v == null) {
                throw new IllegalArgumentException("fixture " + name + " has no tensor " + key);
            }
            return Tensor.of(v).reshape(shapes.get(key));
        }

        Tensor optional(String key, DType t) {
            return values.containsKey(key) ? tensor(key).cast(t) : null;
        }

        int[] ints(String key) {
            return Arrays.stream(params.get(key)).mapToInt(Integer::parseInt).toArray();
        }

        java.util.Set<String> expectedKeys() {
            List<String> keys = new ArrayList<>();
            for (String k : values.keySet()) {
                if (k.startsWith("expected")) {
                    keys.add(k);
                }
            }
            return new java.util.LinkedHashSet<>(keys);
        }
    }
}
