package dev.proxima.bench.transport;

import dev.proxima.tensor.Tensor;

/**
 * The benchmark problems of issue 14, generated identically here and in {@code bench/peers/pot_sinkhorn.py} (no
 * random generator: Kronecker sequences): n points uniform in [0, 1]^d against m points of a Gaussian of standard
 * deviation 0.15 centred at 0.75 in every coordinate (Box–Muller on a second sequence).
 */
final class SinkhornProblems {

    private static final double[] ALPHAS = {0.7548776662466927, 0.5698402909980532, 0.4142135623730951, 0.7320508075688772};

    private SinkhornProblems() {
    }

    private static double frac(double v) {
        return v - Math.floor(v);
    }

    /** Points {@code [n, d]} uniform in the unit cube: {@code frac((i + 1)·α_k)}. */
    static double[][] uniform(int n, int d) {
        double[][] p = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                p[i][k] = frac((i + 1) * ALPHAS[k]);
            }
        }
        return p;
    }

    /** Points {@code [m, d]} of N(0.75, 0.15²) per coordinate, by Box–Muller on frac((i + 1)·α) pairs. */
    static double[][] gaussian(int m, int d) {
        double[][] p = new double[m][d];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < d; k++) {
                double u1 = frac((i + 1) * ALPHAS[k] + 0.5 * ALPHAS[(k + 1) % 4]);
                double u2 = frac((i + 1) * ALPHAS[(k + 2) % 4] + 0.25);
                double z = Math.sqrt(-2 * Math.log(Math.max(u1, 1e-12))) * Math.cos(2 * Math.PI * u2);
                p[i][k] = 0.75 + 0.15 * z;
            }
        }
        return p;
    }

    /** {@code "500"} → 500 × 500 in 2-D; {@code "800x1200"} → 800 × 1200 in 3-D. */
    static Tensor[] points(String size) {
        int n;
        int m;
        int d;
        if (size.contains("x")) {
            n = Integer.parseInt(size.substring(0, size.indexOf('x')));
            m = Integer.parseInt(size.substring(size.indexOf('x') + 1));
            d = 3;
        } else {
            n = Integer.parseInt(size);
            m = n;
            d = 2;
        }
        return new Tensor[]{Tensor.fromArray(uniform(n, d)), Tensor.fromArray(gaussian(m, d))};
    }
}
