package dev.proxima.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class NetworkSimplexTest {

    static NetworkSimplexOutput solveChecked(double[] a, double[] b, double[] M) {
        try (Tensor ta = Tensor.of(a); Tensor tb = Tensor.of(b); Tensor c = Tensor.of(M);
             Tensor tm = c.reshape(a.length, b.length)) {
            NetworkSimplexOutput out = NetworkSimplex.create().solve(ta, tb, tm);
            assertTrue(out.optimal(), "status " + out.status() + " after " + out.iterations() + " pivots");
            Certificates.assertOptimal(a, b, M, out.plan().toDoubleArray(), out.u().toDoubleArray(), out.v().toDoubleArray(),
                    out.cost());
            return out;
        }
    }

    @Test
    void randomProblemsOfSeveralShapesHaveACertificate() {
        SplittableRandom rnd = new SplittableRandom(7);
        int[][] shapes = {{1, 1}, {1, 5}, {5, 1}, {2, 3}, {7, 7}, {10, 30}, {40, 25}, {100, 100}, {150, 90}};
        for (int[] s : shapes) {
            double[] a = weights(rnd, s[0]);
            double[] b = weights(rnd, s[1]);
            double[] M = new double[s[0] * s[1]];
            for (int k = 0; k < M.length; k++) {
                M[k] = rnd.nextDouble() * 10 - 3;
            }
            try (NetworkSimplexOutput out = solveChecked(a, b, M)) {
                assertTrue(out.basisRows().length <= s[0] + s[1] - 1);
            }
        }
    }

    @Test
    void integerCostsWithManyTiesAndUniformWeights() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int n : new int[] {3, 8, 20, 60, 120}) {
            double[] a = new double[n];
            java.util.Arrays.fill(a, 1.0 / n);
            double[] M = new double[n * n];
            for (int k = 0; k < M.length; k++) {
                M[k] = rnd.nextInt(3);
            }
            solveChecked(a, a.clone(), M).close();
        }
    }

    @Test
    void zeroWeightsAndUnequalSizes() {
        SplittableRandom rnd = new SplittableRandom(3);
        double[] a = {0.0, 0.3, 0.0, 0.2, 0.5};
        double[] b = {0.25, 0.0, 0.25, 0.5};
        double[] M = new double[20];
        for (int k = 0; k < M.length; k++) {
            M[k] = rnd.nextDouble();
        }
        try (NetworkSimplexOutput out = solveChecked(a, b, M)) {
            double[] p = out.plan().toDoubleArray();
            for (int j = 0; j < 4; j++) {
                assertEquals(0.0, p[j]);
                assertEquals(0.0, p[8 + j]);
            }
        }
    }

    @Test
    void duplicatedPointsOnAGridMakeAHighlyDegenerateProblem() {
        // 400 and 300 points drawn from a 4 × 4 grid, squared distances: many equal costs, equal masses, many ties
        SplittableRandom rnd = new SplittableRandom(23);
        int n = 400;
        int m = 300;
        int[] xs = new int[n];
        int[] ys = new int[m];
        for (int i = 0; i < n; i++) {
            xs[i] = rnd.nextInt(16);
        }
        for (int j = 0; j < m; j++) {
            ys[j] = rnd.nextInt(16);
        }
        double[] M = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                int dx = xs[i] % 4 - ys[j] % 4;
                int dy = xs[i] / 4 - ys[j] / 4;
                M[i * m + j] = dx * dx + dy * dy;
            }
        }
        double[] a = new double[n];
        double[] b = new double[m];
        java.util.Arrays.fill(a, 1.0 / n);
        java.util.Arrays.fill(b, 1.0 / m);
        try (NetworkSimplexOutput out = solveChecked(a, b, M)) {
            // the optimum moves exactly the mass the grid histograms differ by, so compare with the 16 × 16 problem
            double[] ha = new double[16];
            double[] hb = new double[16];
            for (int x : xs) {
                ha[x] += 1.0 / n;
            }
            for (int y : ys) {
                hb[y] += 1.0 / m;
            }
            double[] G = new double[256];
            for (int p = 0; p < 16; p++) {
                for (int q = 0; q < 16; q++) {
                    int dx = p % 4 - q % 4;
                    int dy = p / 4 - q / 4;
                    G[p * 16 + q] = dx * dx + dy * dy;
                }
            }
            try (NetworkSimplexOutput grid = solveChecked(ha, hb, G)) {
                assertEquals(grid.cost(), out.cost(), 1e-12, "points at the same place are one histogram bin");
            }
        }
    }

    private static double[] weights(SplittableRandom rnd, int n) {
        double[] w = new double[n];
        double s = 0;
        for (int i = 0; i < n; i++) {
            w[i] = 0.1 + rnd.nextDouble();
            s += w[i];
        }
        for (int i = 0; i < n; i++) {
            w[i] /= s;
        }
        return w;
    }
}
