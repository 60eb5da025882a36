package dev.proxima.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** First-order gradients of the linear-algebra functions against central finite differences. */
class LinalgGradientTest {

    @AfterEach
    void allocatorBackToZero() {
        assertEquals(0, Memory.allocatedBytes(), "leaked bytes");
    }

    /** A well-conditioned 3×3 matrix (flattened) with distinct singular values. */
    private static final double[] A = {2.0, 0.3, -0.5, 0.1, 1.5, 0.4, -0.2, 0.6, 3.1};

    private static Tensor matrix(Tensor flat) {
        return flat.reshape(3, 3);
    }

    private static Tensor spd(Tensor flat) {
        Tensor m = matrix(flat);
        return m.matmul(m.transpose()).add(Tensor.eye(3, DType.F64));
    }

    private static Tensor weights(long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Tensor.arange(1, n + 1, 1, DType.F64).mul(0.83).sin().reshape(shape);
    }

    static Stream<Arguments> functions() {
        return Stream.of(
                Arguments.of("solve vector", (Function<Tensor, Tensor>) x -> Linalg.solve(matrix(x), Tensor.of(1.0, -2.0, 0.5))),
                Arguments.of("solve matrix rhs", (Function<Tensor, Tensor>) x -> Linalg.solve(matrix(x), matrix(x).slice(1, 0, 2, 1).exp())),
                Arguments.of("inv", (Function<Tensor, Tensor>) x -> Linalg.inv(matrix(x))),
                Arguments.of("det", (Function<Tensor, Tensor>) x -> Linalg.det(matrix(x))),
                Arguments.of("slogdet", (Function<Tensor, Tensor>) x -> Linalg.slogdet(matrix(x)).logAbsDet()),
                Arguments.of("cholesky lower", (Function<Tensor, Tensor>) x -> Linalg.cholesky(spd(x), false)),
                Arguments.of("cholesky upper", (Function<Tensor, Tensor>) x -> Linalg.cholesky(spd(x), true)),
                Arguments.of("solveTriangular", (Function<Tensor, Tensor>) x -> Linalg.solveTriangular(matrix(x).tril(0), Tensor.of(1.0, 2.0, 3.0), true, false)),
                Arguments.of("eigvalsh", (Function<Tensor, Tensor>) x -> Linalg.eigvalsh(spd(x))),
                Arguments.of("eigh projector", (Function<Tensor, Tensor>) x -> {
                    Tensor v = Linalg.eigh(spd(x)).vectors();
                    Tensor col = v.slice(1, 0, 1, 1);
                    return col.matmul(col.transpose()).mul(weights(3, 3)).sum();   // invariant to the vector's sign
                }),
                Arguments.of("svdvals", (Function<Tensor, Tensor>) x -> Linalg.svdvals(matrix(x))),
                Arguments.of("svd rank-1 part", (Function<Tensor, Tensor>) x -> {
                    Linalg.SVD d = Linalg.svd(matrix(x), false);
                    Tensor u0 = d.u().slice(1, 0, 1, 1);
                    Tensor v0 = d.vt().slice(0, 0, 1, 1);
                    return u0.matmul(v0).mul(weights(3, 3)).sum();                  // u₀v₀ᵀ: sign-invariant
                }),
                Arguments.of("pinv", (Function<Tensor, Tensor>) x -> Linalg.pinv(matrix(x), 1e-15)),
                Arguments.of("nuclear norm", (Function<Tensor, Tensor>) x -> Linalg.matrixNorm(matrix(x), Linalg.MatrixNorm.NUCLEAR)),
                Arguments.of("matrixPower -2", (Function<Tensor, Tensor>) x -> Linalg.matrixPower(matrix(x), -2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void gradcheck(String name, Function<Tensor, Tensor> f) {
        try (Scope s = Scope.open()) {
            Autodiff.GradcheckResult r = Autodiff.gradcheck(f, Tensor.of(A), 1e-6, 1e-6, 1e-5);
            assertTrue(r.passed(), name + ": max error " + r.maxAbsError() + " at " + java.util.Arrays.toString(r.worstIndex()));
        }
    }

    static Stream<Arguments> secondOrder() {
        return Stream.of(
                Arguments.of("solve", (Function<Tensor, Tensor>) x -> Linalg.solve(matrix(x), Tensor.of(1.0, -2.0, 0.5))),
                Arguments.of("inv", (Function<Tensor, Tensor>) x -> Linalg.inv(matrix(x))),
                Arguments.of("det", (Function<Tensor, Tensor>) x -> Linalg.det(matrix(x))),
                Arguments.of("cholesky", (Function<Tensor, Tensor>) x -> Linalg.cholesky(spd(x), false)),
                Arguments.of("solveTriangular", (Function<Tensor, Tensor>) x -> Linalg.solveTriangular(matrix(x).tril(0),
                        matrix(x).slice(1, 0, 1, 1).exp(), true, false)));
    }

    @ParameterizedTest(name = "second order: {0}")
    @MethodSource("secondOrder")
    void gradgradcheck(String name, Function<Tensor, Tensor> f) {
        try (Scope s = Scope.open()) {
            Autodiff.GradcheckResult r = Autodiff.gradgradcheck(f, Tensor.of(A), 1e-5, 1e-6, 1e-4);
            assertTrue(r.passed(), name + ": max error " + r.maxAbsError() + " at " + java.util.Arrays.toString(r.worstIndex()));
        }
    }

    @Test
    void secondDerivativesThroughEigenSolversAreRefusedClearly() {
        try (Scope s = Scope.open()) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> Autodiff.hvp(x -> Linalg.svdvals(matrix(x)).sum(), Tensor.of(A), Tensor.ones(DType.F64, 9)));
            assertTrue(e.getMessage().contains("svd"), e.getMessage());
        }
    }
}
