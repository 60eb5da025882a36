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
