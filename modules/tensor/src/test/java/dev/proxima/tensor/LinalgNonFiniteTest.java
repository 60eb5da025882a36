package dev.proxima.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Infinite input to the LAPACK drivers whose scaling step used to print to stderr: a clear exception instead. */
@ExtendWith(NoLeaks.class)
class LinalgNonFiniteTest {

    @Test
    void infiniteInputIsRefusedWithoutLapackPrinting() {
        List<Function<Tensor, Object>> calls = List.of(
                a -> Linalg.svd(a, false), Linalg::svdvals, Linalg::eigh, Linalg::eig, a -> Linalg.lstsq(a, Tensor.ones(DType.F64, 3)));
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        try {
            for (double bad : new double[]{Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
                for (Function<Tensor, Object> call : calls) {
                    try (Scope scope = Scope.open()) {
                        Tensor a = Tensor.eye(3, DType.F64).mul(2).add(Tensor.fromArray(new double[][]{{0, 0, 0}, {0, bad, 0}, {0, 0, 0}}));
                        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> call.apply(a));
                        assertTrue(e.getMessage().contains("finite"), e.getMessage());
                    }
                }
            }
        } finally {
            System.setErr(err);
        }
        assertEquals("", captured.toString(), "nothing was printed by LAPACK");
    }
}
