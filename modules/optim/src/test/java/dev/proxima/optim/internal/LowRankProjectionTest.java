package dev.proxima.optim.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import dev.proxima.testkit.Tolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.proxima.testkit.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class LowRankProjectionTest {

    @ParameterizedTest
    @CsvSource({"6, 10, 3", "10, 6, 2", "8, 8, 8"})
    void svdProjectorIsTheTopSingularVectorsAndBestAtItsRank(int rows, int cols, int rank) {
        try (Scope scope = Scope.open()) {
            Tensor g = Rng.seed(rows + 31L * cols).normal(DType.F64, 0, 1, rows, cols);
            Tensor p = LowRankProjection.svdProjector(g, rank);
            boolean left = rows <= cols;
            assertArrayEquals(new long[]{Math.min(rows, cols), rank}, p.shape());
            assertClose(Tensor.eye(rank, DType.F64), p.transpose().matmul(p), new Tolerance(0, 1e-12), "orthonormal columns");
            // each column is a singular vector: the projected gradient's rows (columns) have the singular values as norms
            double[] s = Linalg.svdvals(g).toDoubleArray();
            Tensor low = LowRankProjection.project(g, p);
            assertArrayEquals(left ? new long[]{rank, cols} : new long[]{rows, rank}, low.shape());
            double[] norms = low.square().sum(left ? 1 : 0).sqrt().toDoubleArray();
            for (int k = 0; k < rank; k++) {
                assertEquals(s[k], norms[k], 1e-12, "σ_" + k);
            }
            // Eckart–Young: the round trip's error is the energy of the dropped singular values
            Tensor back = LowRankProjection.projectBack(low, p, rows, cols);
            double dropped = 0;
            for (int k = rank; k < s.length; k++) {
                dropped += s[k] * s[k];
            }
            assertEquals(Math.sqrt(dropped), g.sub(back).norm().item(), 1e-10);
        }
    }

    @Test
    void roundTripIsExactForAnUpdateInsideTheSubspace() {
        try (Scope scope = Scope.open()) {
            Tensor g = Rng.seed(4).normal(DType.F64, 0, 1, 5, 9);
            Tensor p = LowRankProjection.svdProjector(g, 2);
            Tensor inside = p.matmul(Rng.seed(5).normal(DType.F64, 0, 1, 2, 9));   // columns in span(P)
            Tensor back = LowRankProjection.projectBack(LowRankProjection.project(inside, p), p, 5, 9);
            assertClose(inside, back, new Tolerance(1e-12, 1e-12));
            Tensor tall = g.transpose();
            Tensor q = LowRankProjection.svdProjector(tall, 2);
            Tensor insideTall = Rng.seed(6).normal(DType.F64, 0, 1, 9, 2).matmul(q.transpose());   // rows in span(Q)
            assertClose(insideTall, LowRankProjection.projectBack(LowRankProjection.project(insideTall, q), q, 9, 5),
                    new Tolerance(1e-12, 1e-12));
        }
    }

    @Test
    void dctBasisIsOrthonormalWithCosineColumns() {
        try (Scope scope = Scope.open()) {
            int n = 12;
            Tensor q = LowRankProjection.dctBasis(n, DType.F64);
            assertClose(Tensor.eye(n, DType.F64), q.transpose().matmul(q), new Tolerance(0, 1e-13));
            assertEquals(Math.sqrt(1.0 / n), q.getDouble(5, 0), 1e-15);
            assertEquals(Math.sqrt(2.0 / n) * Math.cos(Math.PI * 3 * (2 * 7 + 1) / (2.0 * n)), q.getDouble(7, 3), 1e-15);
            assertEquals(DType.F32, LowRankProjection.dctBasis(4, DType.F32).dtype());
        }
    }

    @Test
    void dctSelectionPicksTheBasisVectorsCarryingTheGradient() {
        try (Scope scope = Scope.open()) {
            int n = 16;
            Tensor q = LowRankProjection.dctBasis(n, DType.F64);
            // a gradient whose columns mix DCT vectors 3 (strongly) and 11 (weakly): a left projector on 16 rows
            Tensor coefficients = Rng.seed(8).normal(DType.F64, 0, 1, 2, 40);
            Tensor g = Tensor.stack(1, q.select(1, 3).mul(5.0), q.select(1, 11)).matmul(coefficients);
            assertArrayEquals(new long[]{3, 11}, LowRankProjection.dctSelection(g, q, 2));
            Tensor p = LowRankProjection.columns(q, new long[]{3, 11});
            assertClose(g, LowRankProjection.projectBack(LowRankProjection.project(g, p), p, 16, 40), new Tolerance(1e-12, 1e-12));
            // on a random gradient the DCT projector keeps less energy than the SVD one, but more than r/n of it
            Tensor noise = Rng.seed(10).normal(DType.F64, 0, 1, 40, n);
            Tensor dct = LowRankProjection.columns(q, LowRankProjection.dctSelection(noise, q, 4));
            Tensor svd = LowRankProjection.svdProjector(noise, 4);
            double total = noise.square().sum().item();
            double keptDct = LowRankProjection.project(noise, dct).square().sum().item();
            double keptSvd = LowRankProjection.project(noise, svd).square().sum().item();
            assertTrue(keptDct <= keptSvd + 1e-9 && keptDct > 4.0 / n * total, keptDct + " vs " + keptSvd + " of " + total);
            assertThrows(IllegalArgumentException.class, () -> LowRankProjection.dctSelection(noise, q.slice(0, 0, 8, 1), 2));
            assertThrows(IllegalArgumentException.class, () -> LowRankProjection.svdProjector(noise, 17));
            assertThrows(IllegalArgumentException.class, () -> LowRankProjection.svdProjector(noise, 0));
        }
    }
}
