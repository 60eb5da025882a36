package dev.proxima.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.DTypeMismatchException;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input is refused before any work, with the argument and its value or shape named, and nothing leaked. */
@ExtendWith(NoLeaks.class)
class SinkhornInputTest {

    private static <T extends Throwable> void assertRefused(Class<T> type, Executable call, String... words) {
        T e = assertThrows(type, call);
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + e.getMessage() + "' should name " + w);
        }
    }

    @Test
    void badWeightsAreNamed() {
        try (Scope s = Scope.open()) {
            CostMatrix geometry = CostMatrix.of(Tensor.fromArray(new double[][]{{0, 1}, {1, 0}}));
            Tensor ok = Tensor.of(0.5, 0.5);
            assertRefused(IllegalArgumentException.class, () -> LinearProblem.of(geometry, Tensor.of(-0.5, 1.5), ok), "a", "-0.5");
            assertRefused(IllegalArgumentException.class, () -> LinearProblem.of(geometry, ok, Tensor.of(Double.NaN, 1)), "b", "NaN");
            assertRefused(IllegalArgumentException.class, () -> LinearProblem.of(geometry, Tensor.of(Double.POSITIVE_INFINITY, 1), ok), "a", "Infinity");
            assertRefused(IllegalArgumentException.class, () -> LinearProblem.of(geometry, ok, Tensor.of(0.5, 1.0)), "equal mass", "1.0", "1.5");
            assertRefused(IllegalArgumentException.class, () -> LinearProblem.of(geometry, Tensor.of(0.0, 0.0), Tensor.of(0.0, 0.0)), "a", "positive");
            assertRefused(ShapeMismatchException.class, () -> LinearProblem.of(geometry, Tensor.of(0.2, 0.3, 0.5), ok), "a", "[3]");
            assertRefused(DTypeMismatchException.class, () -> LinearProblem.of(geometry, ok.cast(DType.F32), ok), "a", "F32");
            assertRefused(IllegalArgumentException.class, () -> LinearProblem.unbalanced(geometry, ok, ok, 0, 1), "tauA", "0.0");
            assertRefused(NullPointerException.class, () -> LinearProblem.of(null, ok, ok), "geometry");
        }
    }

    @Test
    void badGeometriesAndSettingsAreNamed() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(DType.F64, 3, 2);
            assertRefused(IllegalArgumentException.class, () -> PointCloud.of(Tensor.zeros(DType.F64, 0, 2), x), "x", "[0, 2]");
            assertRefused(IllegalArgumentException.class, () -> PointCloud.online(x, Tensor.zeros(DType.F64, 0, 2)), "y", "[0, 2]");
            assertRefused(ShapeMismatchException.class, () -> PointCloud.of(x, Tensor.zeros(DType.F64, 4, 3)), "[3, 2]", "[4, 3]");
            assertRefused(IllegalArgumentException.class, () -> PointCloud.of(Tensor.zeros(DType.I32, 3, 2), x), "x", "I32");
            assertRefused(IllegalArgumentException.class, () -> CostMatrix.of(Tensor.zeros(DType.F64, 4)), "cost", "[4]");
            assertRefused(IllegalArgumentException.class, () -> CostMatrix.of(Tensor.of(1.0, Double.NaN).reshape(1, 2)), "cost", "finite");
            assertRefused(IllegalArgumentException.class, () -> CostMatrix.of(Tensor.zeros(DType.F64, 2, 0)), "cost", "[2, 0]");
            for (double eps : new double[]{0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
                assertRefused(IllegalArgumentException.class, () -> Sinkhorn.builder(eps), "epsilon", String.valueOf(eps));
            }
            assertRefused(IllegalArgumentException.class, () -> Sinkhorn.builder(1).maxIterations(-1), "maxIterations", "-1");
            assertRefused(IllegalArgumentException.class, () -> Sinkhorn.builder(1).tolerance(-1e-3), "tolerance");
            assertRefused(IllegalArgumentException.class, () -> Sinkhorn.builder(1).annealing(0.5, 0.9), "initialEpsilon", "0.5");
            assertRefused(IllegalArgumentException.class, () -> Sinkhorn.builder(1).annealing(2, 1.0), "decay", "1.0");
            assertRefused(IllegalArgumentException.class, () -> Sinkhorn.builder(0.1).logDomain(false).build()
                    .solve(LinearProblem.of(PointCloud.online(x, x))), "online");
            LinearProblem problem = LinearProblem.of(PointCloud.of(x, x));
            assertRefused(ShapeMismatchException.class, () -> Sinkhorn.builder(0.1).build().solve(problem, Tensor.zeros(DType.F64, 4), null),
                    "initialF", "[4]");
            assertRefused(IllegalArgumentException.class, () -> CostFunction.pNorm(0.5, 1), "p", "0.5");
        }
    }
}
