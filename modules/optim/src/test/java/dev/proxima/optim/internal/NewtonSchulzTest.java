package dev.proxima.optim.internal;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import dev.proxima.testkit.ReferenceTable;
import dev.proxima.testkit.Tolerance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;

import static dev.proxima.testkit.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class NewtonSchulzTest {

    static ReferenceTable fixtures;

    @BeforeAll
    static void read() throws IOException {
        try (InputStream in = NewtonSchulzTest.class.getResourceAsStream("/fixtures/ortho/ortho_fixtures.txt")) {
            fixtures = ReferenceTable.read(in);
        }
    }

    @Test
    void fiveMuonStepsMatchNumPyForWideAndTallMatrices() {
        try (Scope scope = Scope.open()) {
            for (String name : new String[]{"ns5_wide", "ns5_tall"}) {
                Tensor out = NewtonSchulz.orthogonalize(fixtures.tensor(name + "/in"), NewtonSchulz.MUON_COEFFICIENTS, 5);
                assertClose(fixtures.tensor(name + "/out"), out, new Tolerance(1e-12, 1e-13), name);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"16, 16", "48, 48", "32, 64", "64, 32", "100, 40"})
    void muonQuinticMapsEachSingularValueByItsPolynomialIntoTheBand(int rows, int cols) {
        try (Scope scope = Scope.open()) {
            Tensor g = Rng.seed(rows * 1000L + cols).normal(DType.F64, 0, 1, rows, cols);
            double[] sIn = Linalg.svdvals(g).toDoubleArray();
            double frobenius = g.norm().item() + NewtonSchulz.EPS;
            double[] expected = new double[sIn.length];
            for (int i = 0; i < sIn.length; i++) {
                double x = sIn[i] / frobenius;
                for (int step = 0; step < 5; step++) {
                    x = 3.4445 * x - 4.7750 * x * x * x + 2.0315 * x * x * x * x * x;
                }
                expected[i] = x;
                // every singular value not tiny (≥ 2e−3 of the Frobenius norm: 3.4445⁵ ≈ 490 lifts it past 0.7) lands in the band
                if (sIn[i] / frobenius >= 2e-3) {
                    assertTrue(x > 0.68 && x < 1.21, "σ " + sIn[i] / frobenius + " → " + x + " outside the band [0.7, 1.2]");
                }
            }
            java.util.Arrays.sort(expected);
            double[] actual = Linalg.svdvals(NewtonSchulz.orthogonalize(g, NewtonSchulz.MUON_COEFFICIENTS, 5)).toDoubleArray();
            java.util.Arrays.sort(actual);
            assertArrayEquals(expected, actual, 1e-9, "singular values are mapped by p∘p∘p∘p∘p");
            for (double v : actual) {
                assertTrue(v < 1.21, "no singular value above the band: " + v);
            }
            // in F32 too, within F32 rounding of the same values
            double[] s32 = Linalg.svdvals(NewtonSchulz.orthogonalize(g.cast(DType.F32), NewtonSchulz.MUON_COEFFICIENTS, 5)
                    .cast(DType.F64)).toDoubleArray();
            java.util.Arrays.sort(s32);
            assertArrayEquals(expected, s32, 2e-3);
        }
    }

    @Test
    void singularVectorsAreKeptSoTheResultIsThePolarFactorUpToTheBand() {
        try (Scope scope = Scope.open()) {
            Tensor g = Rng.seed(3).normal(DType.F64, 0, 1, 12, 20);
            Linalg.SVD svd = Linalg.svd(g, false);
            Tensor polar = svd.u().matmul(svd.vt());
            Tensor x = NewtonSchulz.orthogonalize(g, NewtonSchulz.MUON_COEFFICIENTS, 5);
            // X = U f(Σ) Vᵀ: Uᵀ X V is diagonal
            Tensor core = svd.u().transpose().matmul(x).matmul(svd.vt().transpose());
            Tensor offDiagonal = core.sub(core.mul(Tensor.eye(12, DType.F64)));
            assertTrue(offDiagonal.abs().max().item() < 1e-10, "off-diagonal " + offDiagonal.abs().max().item());
            // and X is close to U Vᵀ: within the band's 30 %
            assertTrue(x.sub(polar).norm().item() / polar.norm().item() < 0.3);
        }
    }

    @Test
    void orthogonalityImprovesMonotonicallyOnWellConditionedInput() {
        try (Scope scope = Scope.open()) {
            // singular values spread over [0.5, 1] before normalisation: condition number 2
            Tensor q1 = Linalg.qr(Rng.seed(1).normal(DType.F64, 0, 1, 24, 24), false).q();
            Tensor q2 = Linalg.qr(Rng.seed(2).normal(DType.F64, 0, 1, 24, 24), false).q();
            Tensor g = q1.mul(Tensor.linspace(0.5, 1.0, 24, DType.F64)).matmul(q2);
            double[] convergent = {15.0 / 8, -10.0 / 8, 3.0 / 8};   // the classical quintic: p(1) = 1, p'(1) = p''(1) = 0
            double previous = Double.POSITIVE_INFINITY;
            for (int steps = 0; steps <= 8; steps++) {
                Tensor x = NewtonSchulz.orthogonalize(g, convergent, steps);
                double error = x.matmul(x.transpose()).sub(Tensor.eye(24, DType.F64)).norm().item();
                assertTrue(error < previous, "step " + steps + ": ‖XXᵀ − I‖ = " + error + " after " + previous);
                previous = error;
            }
            assertTrue(previous < 1e-6, "eight convergent steps orthogonalize: " + previous);
            // Muon's coefficients raise the smallest singular value monotonically until it enters the band
            double smallest = 0;
            for (int steps = 0; steps <= 2; steps++) {
                double[] s = Linalg.svdvals(NewtonSchulz.orthogonalize(g, NewtonSchulz.MUON_COEFFICIENTS, steps)).toDoubleArray();
                double min = s[s.length - 1];
                assertTrue(min > smallest, "Muon step " + steps + ": σ_min " + min + " after " + smallest);
                smallest = min;
            }
            assertTrue(smallest > 0.68);
            double[] five = Linalg.svdvals(NewtonSchulz.orthogonalize(g, NewtonSchulz.MUON_COEFFICIENTS, 5)).toDoubleArray();
            assertTrue(five[five.length - 1] > 0.68 && five[0] < 1.21, "in the band after five steps");
        }
    }

    @Test
    void zeroStaysZeroAndBadInputIsRefused() {
        try (Scope scope = Scope.open()) {
            Tensor zero = NewtonSchulz.orthogonalize(Tensor.zeros(DType.F64, 3, 4), NewtonSchulz.MUON_COEFFICIENTS, 5);
            assertEquals(0, zero.abs().max().item());
            assertThrows(IllegalArgumentException.class,
                    () -> NewtonSchulz.orthogonalize(Tensor.zeros(DType.F64, 3), NewtonSchulz.MUON_COEFFICIENTS, 5));
            assertThrows(IllegalArgumentException.class,
                    () -> NewtonSchulz.orthogonalize(Tensor.zeros(DType.I64, 3, 3), NewtonSchulz.MUON_COEFFICIENTS, 5));
            assertThrows(IllegalArgumentException.class, () -> NewtonSchulz.orthogonalize(Tensor.zeros(DType.F64, 3, 3), new double[2], 5));
            assertThrows(IllegalArgumentException.class,
                    () -> NewtonSchulz.orthogonalize(Tensor.zeros(DType.F64, 3, 3), NewtonSchulz.MUON_COEFFICIENTS, -1));
        }
        assertEquals(1.0, NewtonSchulz.muonScale(4, 8));
        assertEquals(2.0, NewtonSchulz.muonScale(16, 4));
    }

    @Test
    void rootCoefficientsDependOnTheShapeAndBeatMuonOnItsShape() {
        assertArrayEquals(new double[]{2.8629, -3.1760, 1.3133}, RootCoefficients.forShape(5, 3));
        assertArrayEquals(new double[]{2.8629, -3.1760, 1.3133}, RootCoefficients.forShape(3, 5));
        assertArrayEquals(RootCoefficients.forShape(64, 64), RootCoefficients.forShape(33, 33));   // bucket 64, square
        assertArrayEquals(RootCoefficients.forShape(4096, 32768), RootCoefficients.forShape(10_000, 200_000)); // clamped
        assertThrows(IllegalArgumentException.class, () -> RootCoefficients.forShape(0, 3));
        try (Scope scope = Scope.open()) {
            // a 64 × 256 Gaussian matrix: ROOT's coefficients for bucket (64, 4) leave singular values nearer 1
            Tensor g = Rng.seed(9).normal(DType.F64, 0, 1, 64, 256);
            double rootError = spread(NewtonSchulz.orthogonalize(g, RootCoefficients.forShape(64, 256), 5));
            double muonError = spread(NewtonSchulz.orthogonalize(g, NewtonSchulz.MUON_COEFFICIENTS, 5));
            assertTrue(rootError < 0.1 * muonError, "ROOT " + rootError + " vs Muon " + muonError);
        }
    }

    /** The largest distance of a singular value from 1. */
    private static double spread(Tensor x) {
        double worst = 0;
        for (double v : Linalg.svdvals(x).toDoubleArray()) {
            worst = Math.max(worst, Math.abs(v - 1));
        }
        return worst;
    }
}
