package dev.proxima.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradients of convolution and pooling against central finite differences. One flat F64 parameter vector
 * is cut into the input, the weight and the bias, so a single check covers all three gradients.
 */
class ConvGradientTest {

    @AfterEach
    void allocatorBackToZero() {
        assertEquals(0, Memory.allocatedBytes(), "leaked bytes");
    }

    private static Tensor part(Tensor flat, long from, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return flat.slice(0, from, from + n, 1).reshape(shape);
    }

    private static double[] params(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.9 * Math.sin(1.3 * i + 0.4) + 0.05 * (i % 3);
        }
        return v;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // x [2,2,5,5]=100, w [4,1,3,3]=36 (groups 2), b [4]
                Arguments.of("conv2d stride 2 pad 1 groups 2 bias", 140, (Function<Tensor, Tensor>) f -> Conv.conv2d(
                        part(f, 0, 2, 2, 5, 5), part(f, 100, 4, 1, 3, 3), part(f, 136, 4), new int[]{2, 2}, new int[]{1, 1}, new int[]{1, 1}, 2)),
                // x [1,2,6,6]=72, w [3,2,2,2]=24
                Arguments.of("conv2d dilation 2", 96, (Function<Tensor, Tensor>) f -> Conv.conv2d(
                        part(f, 0, 1, 2, 6, 6), part(f, 72, 3, 2, 2, 2), null, new int[]{1, 1}, new int[]{0, 1}, new int[]{2, 2}, 1)),
                // x [2,2,7]=28, w [2,2,3]=12, b [2]
                Arguments.of("conv1d stride 2", 42, (Function<Tensor, Tensor>) f -> Conv.conv1d(
                        part(f, 0, 2, 2, 7), part(f, 28, 2, 2, 3), part(f, 40, 2), 2, 1, 1, 1)),
                // x [1,2,3,3]=18, w [2,2,3,3]=36 (Cin 2, Cout/g 1, groups 2 → Cout 2), b [2]
                Arguments.of("convTranspose2d stride 2 output padding 1 groups 2", 56, (Function<Tensor, Tensor>) f -> Conv.convTranspose2d(
                        part(f, 0, 1, 2, 3, 3), part(f, 18, 2, 1, 3, 3).contiguous(), part(f, 36, 2), new int[]{2, 2}, new int[]{1, 1},
                        new int[]{1, 1}, new int[]{1, 1}, 2)),
                Arguments.of("avgPool2d include pad", 50, (Function<Tensor, Tensor>) f -> Conv.avgPool2d(
                        part(f, 0, 1, 2, 5, 5), new int[]{3, 3}, new int[]{2, 2}, new int[]{1, 1}, true)),
                Arguments.of("avgPool2d exclude pad", 50, (Function<Tensor, Tensor>) f -> Conv.avgPool2d(
                        part(f, 0, 2, 1, 5, 5), new int[]{2, 3}, new int[]{1, 2}, new int[]{1, 1}, false)),
                Arguments.of("maxPool2d overlapping windows", 50, (Function<Tensor, Tensor>) f -> Conv.maxPool2d(
                        part(f, 0, 1, 2, 5, 5), new int[]{3, 3}, new int[]{2, 2}, new int[]{1, 1})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradcheck(String name, int size, Function<Tensor, Tensor> f) {
        try (Scope s = Scope.open()) {
            Autodiff.GradcheckResult r = Autodiff.gradcheck(f, Tensor.of(params(size)), 1e-6, 1e-7, 1e-5);
            assertTrue(r.passed(), name + ": max error " + r.maxAbsError() + " at " + java.util.Arrays.toString(r.worstIndex()));
        }
    }

    @Test
    void convolutionGradientsDifferentiateAgain() {
        try (Scope s = Scope.open()) {
            Function<Tensor, Tensor> f = p -> Conv.conv2d(part(p, 0, 1, 1, 4, 4), part(p, 16, 2, 1, 2, 2), null, 1, 0, 1).tanh();
            Autodiff.GradcheckResult r = Autodiff.gradgradcheck(f, Tensor.of(params(24)), 1e-5, 1e-6, 1e-4);
            assertTrue(r.passed(), "max error " + r.maxAbsError());
        }
    }
}
