package dev.proxima.transport.internal;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import dev.proxima.transport.CostMatrix;
import dev.proxima.transport.Geometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log-domain loop on an absorbed kernel computes the soft-min passes' iterates: the same iteration count,
 * error history and potentials, balanced or not, with dead rows and columns, batched, in F32, through kernels
 * formed again as the potentials drift, and back to soft-min passes where a kernel row underflows.
 */
@ExtendWith(NoLeaks.class)
class SinkhornLoopTest {

    private static final double INF = Double.POSITIVE_INFINITY;

    /** Runs the loop with and without absorption and compares everything it reports; returns the absorbed run's kernels. */
    private static int assertSameIterates(Geometry geometry, Tensor a, Tensor b, double tauA, double tauB, double epsilon,
                                          int maxIterations, double tolerance, double potentialTolerance) {
        try (Scope s = Scope.open()) {
            long batch = a.rank() > 1 ? a.shape()[0] : geometry.batch();    // the weights may carry the batch alone
            long[] fShape = batch > 0 ? new long[]{batch, geometry.rows()} : new long[]{geometry.rows()};
            long[] gShape = batch > 0 ? new long[]{batch, geometry.columns()} : new long[]{geometry.columns()};
            Tensor f0 = Tensor.zeros(geometry.dtype(), geometry.device(), fShape);
            Tensor g0 = Tensor.zeros(geometry.dtype(), geometry.device(), gShape);
            return assertSameIterates(geometry, a, b, tauA, tauB, epsilon, maxIterations, tolerance, potentialTolerance, f0, g0);
        }
    }

    /** The same from given initial potentials. */
    private static int assertSameIterates(Geometry geometry, Tensor a, Tensor b, double tauA, double tauB, double epsilon,
                                          int maxIterations, double tolerance, double potentialTolerance, Tensor f0, Tensor g0) {
        SinkhornLoop.Settings settings = new SinkhornLoop.Settings(epsilon, maxIterations, tolerance, epsilon, 1, true);
        try (Scope s = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            SinkhornLoop.Result passes = SinkhornLoop.run(geometry, a, b, tauA, tauB, settings, f0, g0, false);
            SinkhornLoop.Result absorbed = SinkhornLoop.run(geometry, a, b, tauA, tauB, settings, f0, g0, true);
            String what = "ε " + epsilon + ", τ " + tauA + "/" + tauB;
            assertEquals(0, passes.kernels(), what);
            assertEquals(passes.iterations(), absorbed.iterations(), what);
            assertEquals(passes.converged(), absorbed.converged(), what);
            double[] e1 = passes.errors();
            double[] e2 = absorbed.errors();
            for (int k = 0; k < e1.length; k++) {
                assertEquals(e1[k], e2[k], Math.max(1e-7 * Math.abs(e1[k]) + 1e-13, geometry.dtype() == DType.F32 ? 1e-5 : 0), what + ": error of iteration " + k);
            }
            assertArrayEquals(passes.f().toDoubleArray(), absorbed.f().toDoubleArray(), potentialTolerance, what + ": f");
            assertArrayEquals(passes.g().toDoubleArray(), absorbed.g().toDoubleArray(), potentialTolerance, what + ": g");
            assertArrayEquals(passes.nextG().toDoubleArray(), absorbed.nextG().toDoubleArray(), potentialTolerance, what + ": next g");
            return absorbed.kernels();
        }
    }

    private static Tensor randomCost(Random r, int n, int m, double scale) {
        double[][] c = new double[n][m];
        for (double[] row : c) {
            for (int j = 0; j < m; j++) {
                row[j] = scale * r.nextDouble();
            }
        }
        return Tensor.fromArray(c);
    }

    private static Tensor randomWeights(Random r, int n, double mass, int... dead) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.2 + r.nextDouble();
        }
        for (int i : dead) {
            w[i] = 0;
        }
        double sum = Arrays.stream(w).sum();
        for (int i = 0; i < n; i++) {
            w[i] *= mass / sum;
        }
        return Tensor.of(w);
    }

    @Test
    void balancedAndUnbalancedIteratesAreTheSoftMinIterates() {
        Random r = new Random(7);
        try (Scope s = Scope.open()) {
            Geometry geometry = CostMatrix.of(randomCost(r, 30, 40, 1));
            Tensor a = randomWeights(r, 30, 1);
            Tensor b = randomWeights(r, 40, 1);
            Tensor heavier = randomWeights(r, 40, 1.7);
            for (double eps : new double[]{0.5, 0.05, 0.01}) {
                assertEquals(1, assertSameIterates(geometry, a, b, INF, INF, eps, 100_000, 1e-11, 1e-12), "ε " + eps);
                assertSameIterates(geometry, a, heavier, 1.0, 0.5, eps, 100_000, 1e-11, 1e-12);
                assertSameIterates(geometry, a, heavier, INF, 0.3, eps, 100_000, 1e-11, 1e-12);
            }
        }
    }

    @Test
    void aWarmStartIsAbsorbedAtOnce() {
        Random r = new Random(12);
        try (Scope s = Scope.open()) {
            Tensor cost = randomCost(r, 25, 20, 1);
            Geometry geometry = CostMatrix.of(cost);
            Tensor a = randomWeights(r, 25, 1);
            Tensor b = randomWeights(r, 20, 1);
            // potentials far from zero (a shift of f against g changes nothing), near a solution at ε = 0.01
            SinkhornLoop.Settings loose = new SinkhornLoop.Settings(0.01, 100_000, 1e-4, 0.01, 1, true);
            SinkhornLoop.Result near;
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                near = SinkhornLoop.run(geometry, a, b, INF, INF, loose, Tensor.zeros(DType.F64, 25), Tensor.zeros(DType.F64, 20));
            }
            Tensor f0 = near.f().add(50.0);
            Tensor g0 = near.g().sub(50.0);
            // formed at (f0, g0) the kernel is the plan up to the weights: one kernel (at (f0, 0) it would overflow)
            assertEquals(1, assertSameIterates(geometry, a, b, INF, INF, 0.01, 100_000, 1e-10, 1e-11, f0, g0));
        }
    }

    @Test
    void deadRowsAndColumnsKeepTheirSoftMinPotentials() {
        Random r = new Random(8);
        try (Scope s = Scope.open()) {
            Geometry geometry = CostMatrix.of(randomCost(r, 12, 9, 2));
            Tensor a = randomWeights(r, 12, 1, 0, 5, 11);
            Tensor b = randomWeights(r, 9, 1, 3);
            assertSameIterates(geometry, a, b, INF, INF, 0.05, 100_000, 1e-12, 1e-12);
            assertSameIterates(geometry, a, randomWeights(r, 9, 0.6, 3), 2.0, 2.0, 0.05, 100_000, 1e-12, 1e-12);
        }
    }

    @Test
    void batchesAndF32FollowTheSoftMinIterates() {
        Random r = new Random(9);
        try (Scope s = Scope.open()) {
            Tensor costs = Tensor.stack(0, randomCost(r, 15, 10, 1), randomCost(r, 15, 10, 3));
            Tensor a = Tensor.stack(0, randomWeights(r, 15, 1), randomWeights(r, 15, 1));
            Tensor b = Tensor.stack(0, randomWeights(r, 10, 1), randomWeights(r, 10, 1));
            assertSameIterates(CostMatrix.of(costs), a, b, INF, INF, 0.05, 100_000, 1e-11, 1e-12);
            // one cost shared by a batch of weights: the kernel carries the batch of potentials
            assertSameIterates(CostMatrix.of(costs.select(0, 1)), a, b, INF, INF, 0.05, 100_000, 1e-11, 1e-12);
            Geometry f32 = CostMatrix.of(costs.select(0, 0).cast(DType.F32));
            assertSameIterates(f32, a.select(0, 0).cast(DType.F32), b.select(0, 0).cast(DType.F32), INF, INF, 0.1, 50, 1e-5, 1e-5);
        }
    }

    @Test
    void driftingPotentialsFormTheKernelAgain() {
        // a 1-D problem at small ε converges slowly, its potentials moving by more than 200·ε several times
        Random r = new Random(10);
        int n = 20;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble();
            y[i] = r.nextDouble() * r.nextDouble();
        }
        Arrays.sort(x);
        Arrays.sort(y);
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                c[i][j] = 10 * (x[i] - y[j]) * (x[i] - y[j]);
            }
        }
        try (Scope s = Scope.open()) {
            Tensor uniform = Tensor.full(1.0 / n, DType.F64, n);
            int kernels = assertSameIterates(CostMatrix.of(Tensor.fromArray(c)), uniform, uniform, INF, INF, 2e-4, 1500, 1e-12, 1e-10);
            assertTrue(kernels >= 3, "kernels formed: " + kernels);
        }
    }

    @Test
    void underflowingKernelRowsFallBackToSoftMinPasses() {
        // ε = 10⁻⁴ on costs of order 100: the potentials move by thousands of ε per iteration at first
        Random r = new Random(4);
        try (Scope s = Scope.open()) {
            Geometry geometry = CostMatrix.of(randomCost(r, 8, 8, 100));
            Tensor uniform = Tensor.full(1.0 / 8, DType.F64, 8);
            assertSameIterates(geometry, uniform, uniform, INF, INF, 1e-4, 200, 1e-9, 1e-9);
        }
    }
}
