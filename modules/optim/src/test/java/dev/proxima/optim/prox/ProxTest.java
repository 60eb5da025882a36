package dev.proxima.optim.prox;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.sim.SimBackend;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every proximal operator against its closed form, the Moreau identity prox_{tf}(v) + t·prox_{(f*)/t}(v/t) = v for
 * the norms (whose conjugates are indicators of the dual-norm balls, so that prox_{(f*)/t} is a projection), the
 * optimality conditions of the projections, SCAD/MCP by hand and by a 1-D grid search, and bad input.
 */
@ExtendWith(NoLeaks.class)
class ProxTest {

    private static final double TOL = 1e-12;

    @AfterEach
    void simMemoryFreed() {
        assertEquals(0, SimBackend.allocatedBytes(), "sim bytes still allocated after the test");
    }

    private static Tensor randn(long seed, long... shape) {
        return Rng.seed(seed).normal(DType.F64, 0, 1, shape);
    }

    @Test
    void l1IsTheSoftThresholdAndSatisfiesMoreauWithTheLInfBall() {
        try (Scope s = Scope.open()) {
            Prox f = Prox.l1(0.5);
            Tensor x = f.prox(Tensor.of(2.0, -0.2, -1.0, 0.5, 0.0), 1.0);
            assertArrayEquals(new double[] {1.5, 0, -0.5, 0, 0}, x.toDoubleArray(), TOL);
            assertEquals(1.0, f.value(x), TOL);
            // step 2: threshold tλ = 1
            assertArrayEquals(new double[] {1.0, 0, 0, 0, 0}, f.prox(Tensor.of(2.0, -0.2, -1.0, 0.5, 0.0), 2.0).toDoubleArray(), TOL);
            for (double t : new double[] {0.3, 1, 4}) {
                Tensor v = randn(1, 7).mul(3);
                // f* = indicator of ‖y‖∞ ≤ λ: prox_{(f*)/t} is the box projection, whatever t
                Tensor sum = f.prox(v, t).add(Prox.box(-0.5, 0.5).prox(v.div(t), 1).mul(t));
                assertArrayEquals(v.toDoubleArray(), sum.toDoubleArray(), TOL, "Moreau at t = " + t);
            }
        }
    }

    @Test
    void l2IsTheBlockSoftThresholdAndSatisfiesMoreauWithTheL2Ball() {
        try (Scope s = Scope.open()) {
            Prox f = Prox.l2(1.0);
            assertArrayEquals(new double[] {2.4, 3.2}, f.prox(Tensor.of(3.0, 4.0), 1).toDoubleArray(), TOL);
            assertArrayEquals(new double[] {0, 0}, f.prox(Tensor.of(3.0, 4.0), 5).toDoubleArray(), 0);
            assertArrayEquals(new double[] {0, 0}, f.prox(Tensor.of(0.0, 0.0), 1).toDoubleArray(), 0);
            assertEquals(5.0, f.value(Tensor.of(3.0, 4.0)), TOL);
            for (double t : new double[] {0.1, 1, 3}) {
                Tensor v = randn(2, 3, 4);
                Tensor sum = f.prox(v, t).add(Prox.l2Ball(1.0).prox(v.div(t), 1).mul(t));
                assertArrayEquals(v.toDoubleArray(), sum.toDoubleArray(), TOL, "Moreau at t = " + t);
            }
        }
    }

    @Test
    void groupL2ThresholdsEachRowAndSatisfiesMoreauWithTheRowBalls() {
        try (Scope s = Scope.open()) {
            Prox f = Prox.groupL2(2.0, Groups.fibresAlong(1));
            Tensor v = Tensor.of(3.0, 4.0, 0.6, 0.8, 0.0, -6.0).reshape(3, 2);
            // row norms 5, 1, 6; threshold 2: factors 3/5, 0, 4/6
            assertArrayEquals(new double[] {1.8, 2.4, 0, 0, 0, -4}, f.prox(v, 1).toDoubleArray(), TOL);
            assertEquals(2 * 12, f.value(v), TOL);
            Tensor w = randn(3, 5, 4);
            double t = 0.7;
            Tensor norms = w.div(t).norm(2, new int[] {1}, true);
            Tensor projected = w.div(t).mul(norms.maximum(2.0).reciprocal().mul(2.0));
            Tensor sum = f.prox(w, t).add(projected.mul(t));
            assertArrayEquals(w.toDoubleArray(), sum.toDoubleArray(), TOL);
            // the same groups as index lists give the same prox; positions in no group are left alone
            Prox lists = Prox.groupL2(2.0, Groups.of(new long[] {0, 1}, new long[] {2, 3}, new long[] {4, 5}));
            assertArrayEquals(f.prox(v, 1).toDoubleArray(), lists.prox(v, 1).toDoubleArray(), TOL);
            Prox partial = Prox.groupL2(2.0, Groups.of(new long[] {0, 1}));
            assertArrayEquals(new double[] {1.8, 2.4, 0.6, 0.8, 0, -6}, partial.prox(v, 1).toDoubleArray(), TOL);
            assertEquals(10, partial.value(v), TOL);
        }
    }

    @Test
    void nuclearThresholdsTheSingularValuesAndSatisfiesMoreauWithTheSpectralBall() {
        try (Scope s = Scope.open()) {
            double c = Math.cos(0.3);
            double sn = Math.sin(0.3);
            Tensor u = Tensor.of(c, -sn, 0, sn, c, 0, 0, 0, 1).reshape(3, 3);
            Tensor vt = Tensor.of(c, sn, -sn, c).reshape(2, 2);
            Tensor x = u.slice(1, 0, 2, 1).mul(Tensor.of(5.0, 0.5).unsqueeze(0)).matmul(vt);
            Tensor expected = u.slice(1, 0, 2, 1).mul(Tensor.of(4.0, 0.0).unsqueeze(0)).matmul(vt);
            Prox f = Prox.nuclear(0.5);
            assertArrayEquals(expected.toDoubleArray(), f.prox(x, 2).toDoubleArray(), 1e-12);
            assertEquals(0.5 * 5.5, f.value(x), 1e-12);
            Tensor v = randn(4, 4, 3).mul(2);
            double t = 0.8;
            Linalg.SVD svd = Linalg.svd(v.div(t), false);
            Tensor projected = svd.u().mul(svd.s().clamp(0, 0.5).unsqueeze(0)).matmul(svd.vt());
            Tensor sum = f.prox(v, t).add(projected.mul(t));
            assertArrayEquals(v.toDoubleArray(), sum.toDoubleArray(), 1e-12);
        }
    }

    @Test
    void boxAndL2BallProjectAndTheirValuesAreIndicators() {
        try (Scope s = Scope.open()) {
            Prox box = Prox.box(-1, 2);
            assertArrayEquals(new double[] {-1, 0.5, 2}, box.prox(Tensor.of(-3.0, 0.5, 7.0), 0.1).toDoubleArray(), 0);
            assertEquals(0, box.value(Tensor.of(-1.0, 2.0)));
            assertEquals(Double.POSITIVE_INFINITY, box.value(Tensor.of(-1.1, 2.0)));
            Prox halfLine = Prox.box(0, Double.POSITIVE_INFINITY);
            assertArrayEquals(new double[] {0, 5}, halfLine.prox(Tensor.of(-3.0, 5.0), 1).toDoubleArray(), 0);
            Prox ball = Prox.l2Ball(2);
            assertArrayEquals(new double[] {1.2, 1.6}, ball.prox(Tensor.of(3.0, 4.0), 1).toDoubleArray(), TOL);
            assertArrayEquals(new double[] {0.3, 0.4}, ball.prox(Tensor.of(0.3, 0.4), 1).toDoubleArray(), TOL);
            assertEquals(Double.POSITIVE_INFINITY, ball.value(Tensor.of(3.0, 4.0)));
        }
    }

    @Test
    void simplexProjectionMeetsItsOptimalityConditions() {
        try (Scope s = Scope.open()) {
            Prox simplex = Prox.simplex(1);
            // by hand: v = (0.5, 0.2, 1.0): θ = max(1.0-1, (1.5-1)/2, (1.7-1)/3) = 0.25 → (0.25, 0, 0.75)
            assertArrayEquals(new double[] {0.25, 0, 0.75}, simplex.prox(Tensor.of(0.5, 0.2, 1.0), 1).toDoubleArray(), TOL);
            for (long seed = 10; seed < 15; seed++) {
                double r = 0.5 + seed % 3;
                Tensor v = randn(seed, 4, 5).mul(2);
                Tensor x = Prox.simplex(r).prox(v, 1);
                double[] xs = x.toDoubleArray();
                double[] vs = v.toDoubleArray();
                double sum = 0;
                double theta = Double.NaN;
                for (int i = 0; i < xs.length; i++) {
                    assertTrue(xs[i] >= 0, "x ≥ 0");
                    sum += xs[i];
                    if (xs[i] > 0) {
                        theta = vs[i] - xs[i];
                    }
                }
                assertEquals(r, sum, 1e-12, "Σx = r");
                // KKT: v_i − x_i = θ on the support, v_i ≤ θ off it
                for (int i = 0; i < xs.length; i++) {
                    if (xs[i] > 0) {
                        assertEquals(theta, vs[i] - xs[i], 1e-12);
                    } else {
                        assertTrue(vs[i] <= theta + 1e-12);
                    }
                }
                assertEquals(0, Prox.simplex(r).value(x));
            }
            assertEquals(Double.POSITIVE_INFINITY, simplex.value(Tensor.of(0.5, 0.6)));
            assertEquals(Double.POSITIVE_INFINITY, simplex.value(Tensor.of(-0.5, 1.5)));
        }
    }

    @Test
    void l1BallProjectionLeavesInsidePointsAndMeetsOptimalityOutside() {
        try (Scope s = Scope.open()) {
            Prox ball = Prox.l1Ball(2);
            assertArrayEquals(new double[] {0.5, -1, 0.25}, ball.prox(Tensor.of(0.5, -1.0, 0.25), 1).toDoubleArray(), TOL);
            // by hand: |v| = (3, 1, 0.5), θ = (3+1-2)/2 = 1 → (2, 0, 0)·signs... (3-1, 1-1, 0) = (2, 0, 0)
            assertArrayEquals(new double[] {-2, 0, 0}, ball.prox(Tensor.of(-3.0, 1.0, 0.5), 1).toDoubleArray(), TOL);
            Tensor v = randn(20, 12).mul(3);
            double[] x = ball.prox(v, 1).toDoubleArray();
            double[] vs = v.toDoubleArray();
            double l1 = 0;
            double theta = Double.NaN;
            for (int i = 0; i < x.length; i++) {
                l1 += Math.abs(x[i]);
                assertTrue(x[i] == 0 || Math.signum(x[i]) == Math.signum(vs[i]));
                if (x[i] != 0) {
                    theta = Math.abs(vs[i]) - Math.abs(x[i]);
                }
            }
            assertEquals(2, l1, 1e-12);
            for (int i = 0; i < x.length; i++) {
                if (x[i] != 0) {
                    assertEquals(theta, Math.abs(vs[i]) - Math.abs(x[i]), 1e-12);
                } else {
                    assertTrue(Math.abs(vs[i]) <= theta + 1e-12);
                }
            }
        }
    }

    /** argmin_x t·p(x) + (x − v)²/2 by a fine grid search around v. */
    private static double gridProx(DoubleUnaryOperator penalty, double v, double t) {
        double best = v;
        double bestValue = Double.POSITIVE_INFINITY;
        for (int i = -200_000; i <= 200_000; i++) {
            double x = v + i * 5e-5;
            double value = t * penalty.applyAsDouble(x) + 0.5 * (x - v) * (x - v);
            if (value < bestValue) {
                bestValue = value;
                best = x;
            }
        }
        return best;
    }

    @Test
    void scadMatchesItsPiecewiseFormulasByHandAndAGridSearch() {
        try (Scope s = Scope.open()) {
            Prox scad = Prox.scad(1, 3.7);
            // t = 1: |v| ≤ 2λ soft threshold; 2λ < |v| ≤ aλ: ((a−1)v − aλ sign v)/(a − 2); beyond: v
            double[] v = {0.5, 1.5, -1.5, 3, -3, 5};
            double[] expected = {0, 0.5, -0.5, (2.7 * 3 - 3.7) / 1.7, -(2.7 * 3 - 3.7) / 1.7, 5};
            assertArrayEquals(expected, scad.prox(Tensor.of(v), 1).toDoubleArray(), TOL);
            // values: λ|x| = 0.5; (2aλ|x| − x² − λ²)/(2(a−1)) at 2 = (14.8 − 4 − 1)/5.4; λ²(a+1)/2 at 5
            assertEquals(0.5, scad.value(Tensor.of(0.5)), TOL);
            assertEquals((14.8 - 4 - 1) / 5.4, scad.value(Tensor.of(-2.0)), TOL);
            assertEquals(4.7 / 2, scad.value(Tensor.of(5.0)), TOL);
            DoubleUnaryOperator p = x -> {
                double a = Math.abs(x);
                return a <= 1 ? a : a <= 3.7 ? (7.4 * a - a * a - 1) / 5.4 : 4.7 / 2;
            };
            double t = 1.9;
            double[] points = {0.3, 2.5, 2.95, 3.3, -3.6, 4.2};
            double[] x = scad.prox(Tensor.of(points), t).toDoubleArray();
            for (int i = 0; i < points.length; i++) {
                assertEquals(gridProx(p, points[i], t), x[i], 1e-4, "SCAD prox at " + points[i]);
            }
        }
    }

    @Test
    void mcpIsTheFirmThresholdByHandAndAGridSearch() {
        try (Scope s = Scope.open()) {
            Prox mcp = Prox.mcp(1, 3);
            // t = 1: 0 for |v| ≤ 1, sign(v)(|v| − 1)/(1 − 1/3) up to 3, v beyond
            assertArrayEquals(new double[] {0, 0.75, -2.25, 3, 4}, mcp.prox(Tensor.of(0.9, 1.5, -2.5, 3.0, 4.0), 1).toDoubleArray(), TOL);
            assertEquals(2 - 4.0 / 6, mcp.value(Tensor.of(2.0)), TOL);
            assertEquals(1.5, mcp.value(Tensor.of(-7.0)), TOL);
            DoubleUnaryOperator p = x -> Math.abs(x) <= 3 ? Math.abs(x) - x * x / 6 : 1.5;
            double[] points = {0.4, 1.2, -2.2, 2.9, 3.5};
            double[] x = mcp.prox(Tensor.of(points), 2).toDoubleArray();
            for (int i = 0; i < points.length; i++) {
                assertEquals(gridProx(p, points[i], 2), x[i], 1e-4, "MCP prox at " + points[i]);
            }
        }
    }

    @Test
    void groupSparseEnvelopeValueIsTheHalfSquaredKSupportNormOfTheWeightedGroupNorms() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(3.0, 4.0, 0.0, 1.0, 2.0, 2.0).reshape(3, 2);   // row norms 5, 1, 2√2
            Groups rows = Groups.fibresAlong(1);
            // k = 3 (all groups): ½Σc²;  k = 1: ½(Σc)²
            assertEquals(0.5 * (25 + 1 + 8), Prox.groupSparseEnvelope(3, rows, null).value(x), TOL);
            assertEquals(0.5 * Math.pow(6 + Math.sqrt(8), 2), Prox.groupSparseEnvelope(1, rows, null).value(x), TOL);
            // k = 2: c sorted (5, 2.83, 1); ℓ = 1 since 5 > (2.83 + 1)/(2 − 1) = 3.83 ≥ 2.83 → ½(25 + 3.83²)
            assertEquals(0.5 * (25 + Math.pow(Math.sqrt(8) + 1, 2)), Prox.groupSparseEnvelope(2, rows, null).value(x), TOL);
            // weights scale the group norms by √d
            assertEquals(0.5 * (4 * 25 + 1 + 8), Prox.groupSparseEnvelope(3, rows, new double[] {4, 1, 1}).value(x), TOL);
            // the envelope lies below ½‖x‖² on k-group-sparse points and equals it there
            Tensor sparse = Tensor.of(3.0, 4.0, 0.0, 0.0, 2.0, 2.0).reshape(3, 2);
            assertEquals(0.5 * 33, Prox.groupSparseEnvelope(2, rows, null).value(sparse), TOL);
        }
    }

    @Test
    void groupSparseEnvelopeProxIsRidgeWithEnoughGroupsAndOptimalOtherwise() {
        try (Scope s = Scope.open()) {
            Groups rows = Groups.fibresAlong(1);
            Tensor v = randn(30, 6, 3).mul(2);
            double[] d = {1, 2, 0.5, 1, 3, 1};
            // k = number of groups: the envelope is ½Σd‖x_g‖², whose prox is v_g/(1 + t d_g)
            double t = 0.4;
            Tensor ridge = Prox.groupSparseEnvelope(6, rows, d).prox(v, t);
            Tensor expected = v.div(Tensor.of(d).mul(t).add(1).unsqueeze(1));
            assertArrayEquals(expected.toDoubleArray(), ridge.toDoubleArray(), TOL);
            for (int k = 1; k <= 5; k++) {
                Prox f = Prox.groupSparseEnvelope(k, rows, d);
                Tensor x = f.prox(v, t);
                double best = t * f.value(x) + 0.5 * x.sub(v).square().sum().item();
                Rng rng = Rng.seed(100 + k);
                for (int trial = 0; trial < 60; trial++) {
                    Tensor y = x.add(rng.normal(DType.F64, 0, trial < 30 ? 1e-3 : 0.1, 6, 3));
                    double other = t * f.value(y) + 0.5 * y.sub(v).square().sum().item();
                    assertTrue(other >= best - 1e-12, "k = " + k + ": a perturbed point is better: " + other + " < " + best);
                }
                long nonZero = (long) x.norm(2, new int[] {1}, false).gt(0).sum().item();
                assertTrue(nonZero >= k, "k = " + k + " keeps at least k groups, got " + nonZero);
            }
            // a single dominant group with k = 1 takes everything: the others are zeroed
            Tensor dominant = Tensor.of(10.0, 0.0, 0.1, 0.1, 0.0, -0.2).reshape(3, 2);
            double[] x = Prox.groupSparseEnvelope(1, rows, null).prox(dominant, 1).toDoubleArray();
            assertEquals(0, x[2], 0);
            assertEquals(0, x[3], 0);
            assertEquals(0, x[5], 0);
            assertEquals(5.0, x[0], TOL);
        }
    }

    @Test
    void leastSquaresProxSolvesItsNormalEquations() {
        try (Scope s = Scope.open()) {
            Tensor a = randn(40, 6, 4);
            Tensor b = randn(41, 6);
            Tensor v = randn(42, 4);
            double t = 0.3;
            Prox f = Prox.leastSquares(a, b);
            Tensor x = f.prox(v, t);
            Tensor stationarity = a.transpose().matmul(a.matmul(x).sub(b)).add(x.sub(v).div(t));
            assertTrue(stationarity.abs().max().item() < 1e-12);
            assertEquals(0.5 * a.matmul(x).sub(b).square().sum().item(), f.value(x), TOL);
        }
    }

    @Test
    void everyProxOnTheSimulatedDeviceEqualsTheCpu() {
        List<Prox> all = List.of(Prox.zero(), Prox.l1(0.3), Prox.l2(0.7), Prox.groupL2(0.4, Groups.fibresAlong(0)),
                Prox.groupL2(0.4, Groups.of(new long[] {0, 5}, new long[] {3})), Prox.nuclear(0.5), Prox.box(-0.5, 0.2),
                Prox.l2Ball(1), Prox.simplex(1), Prox.l1Ball(1.5), Prox.scad(0.5, 3.7), Prox.mcp(0.5, 3),
                Prox.groupSparseEnvelope(2, Groups.fibresAlong(1), new double[] {1, 2, 3, 4}));
        try (Scope s = Scope.open()) {
            Tensor v = randn(50, 4, 3).mul(1.5);
            Tensor onSim = v.to(SimBackend.SIM);
            for (Prox f : all) {
                Tensor cpu = f.prox(v, 0.8);
                Tensor sim = f.prox(onSim, 0.8);
                assertEquals(SimBackend.SIM, sim.device(), f.toString());
                assertArrayEquals(cpu.toDoubleArray(), sim.toDoubleArray(), 1e-12, f.toString());
                assertEquals(f.value(cpu), f.value(sim), 1e-12, f.toString());
            }
        }
    }

    @Test
    void badInputIsRefusedWithAClearMessage() {
        try (Scope s = Scope.open()) {
            Tensor v = Tensor.of(1.0, 2.0);
            for (double step : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Prox.l1(1).prox(v, step));
                assertTrue(e.getMessage().contains("step"), e.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> Prox.l1(Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> Prox.l2(-1));
            assertThrows(IllegalArgumentException.class, () -> Prox.box(1, 0));
            assertThrows(IllegalArgumentException.class, () -> Prox.box(Double.NaN, 0));
            assertThrows(IllegalArgumentException.class, () -> Prox.simplex(0));
            assertThrows(IllegalArgumentException.class, () -> Prox.l1Ball(Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> Prox.scad(1, 2));
            assertThrows(IllegalArgumentException.class, () -> Prox.mcp(1, 0));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Prox.scad(1, 3).prox(v, 2)).getMessage().contains("a − 1"));
            assertThrows(IllegalArgumentException.class, () -> Prox.mcp(1, 2).prox(v, 2));
            assertThrows(ShapeMismatchException.class, () -> Prox.nuclear(1).prox(v, 1));
            assertThrows(IllegalArgumentException.class, () -> Prox.groupL2(1, Groups.fibresAlong(2)).prox(v, 1));
            assertThrows(IllegalArgumentException.class, () -> Prox.groupL2(1, Groups.of(new long[] {0, 2})).prox(v, 1));
            assertThrows(IllegalArgumentException.class, () -> Groups.of(new long[] {0, 1}, new long[] {1}));
            assertThrows(IllegalArgumentException.class, () -> Groups.of(new long[0]));
            Tensor m = Tensor.ones(DType.F64, 3, 2);
            IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                    () -> Prox.groupSparseEnvelope(4, Groups.fibresAlong(1), null).prox(m, 1));
            assertTrue(k.getMessage().contains("k = 4") && k.getMessage().contains("3 groups"), k.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Prox.groupSparseEnvelope(0, Groups.fibresAlong(1), null));
            assertThrows(IllegalArgumentException.class,
                    () -> Prox.groupSparseEnvelope(1, Groups.fibresAlong(1), new double[] {1, 1}).prox(m, 1));
            assertThrows(IllegalArgumentException.class,
                    () -> Prox.groupSparseEnvelope(1, Groups.fibresAlong(1), new double[] {1, -1, 1}));
            assertThrows(ShapeMismatchException.class, () -> Prox.leastSquares(m, Tensor.of(1.0, 2.0)));
            assertThrows(ShapeMismatchException.class, () -> Prox.leastSquares(m, Tensor.of(1.0, 2.0, 3.0)).prox(Tensor.of(1.0), 1));
            assertThrows(IllegalArgumentException.class, () -> Prox.l1(1).prox(Tensor.of(1, 2), 1));
        }
    }
}
