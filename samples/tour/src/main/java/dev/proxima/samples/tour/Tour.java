package dev.proxima.samples.tour;

import dev.proxima.nn.Activation;
import dev.proxima.nn.Losses;
import dev.proxima.nn.MLP;
import dev.proxima.nn.Parameter;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Fft;
import dev.proxima.tensor.Linalg;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.ProgressListener;
import dev.proxima.tensor.Proxima;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.util.Locale;

/**
 * A guided tour of Proxima: prints the platform report, then runs real computations and checks each
 * result against a known answer while timing it.
 */
public final class Tour {

    private Tour() {
    }

    /** Runs the tour; no arguments. */
    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        System.out.println("== Proxima tour ==");
        System.out.print(Proxima.info());
        System.out.println();
        try (Scope scope = Scope.open()) {
            basics();
            matmul(DType.F32, 2048);
            matmul(DType.F64, 2048);
            elementwise(10_000_000);
            powerIteration(40);
            leastSquares();
            spectrum();
            spiral();
        }
        System.out.printf("%nHost memory still allocated after the tour: %d bytes%n", Memory.allocatedBytes());
    }

    private static void basics() {
        System.out.println("-- Views, broadcasting, reductions");
        Tensor x = Tensor.arange(0, 12, 1, DType.F32).reshape(3, 4);
        System.out.println("x               = " + x);
        System.out.println("x.T (a view)    = " + x.transpose() + "  strides " + java.util.Arrays.toString(x.transpose().strides()));
        Tensor centered = x.sub(x.mean(new int[]{0}, true));
        System.out.println("x - mean(x, 0)  = " + centered);
        System.out.println("sum(x, 1)       = " + x.sum(1));
        System.out.println("|x|_2           = " + x.norm().item() + "  (sqrt(506) = " + Math.sqrt(506) + ")");
        System.out.println("x[:, ::2]       = " + x.slice(1, 0, 4, 2));
        System.out.println();
    }

    /** Deterministic, well-conditioned test data: sin of a ramp. */
    private static Tensor data(DType dtype, long n, double phase) {
        return Tensor.arange(0, n * n, 1, dtype).mul(0.001).add(phase).sin().reshape(n, n);
    }

    private static void matmul(DType dtype, int n) {
        System.out.printf("-- %s matmul %dx%d (OpenBLAS gemm)%n", dtype, n, n);
        Tensor a = data(dtype, n, 0.1);
        Tensor b = data(dtype, n, 0.7);
        for (int i = 0; i < 3; i++) {
            a.matmul(b).close(); // warm-up
        }
        int reps = 5;
        double best = Double.MAX_VALUE;
        Tensor c = null;
        for (int r = 0; r < reps; r++) {
            if (c != null) {
                c.close();
            }
            long t0 = System.nanoTime();
            c = a.matmul(b);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        // check one entry against a dot product computed here
        double expected = 0;
        for (int k = 0; k < n; k++) {
            expected += a.getDouble(7, k) * b.getDouble(k, 11);
        }
        System.out.printf("best of %d: %.1f ms = %.1f GFLOP/s; c[7,11] = %.6f (dot product: %.6f)%n%n",
                reps, best * 1e3, 2.0 * n * n * n / best / 1e9, c.getDouble(7, 11), expected);
    }

    private static void elementwise(int n) {
        System.out.printf("-- Elementwise on %,d F32 values (best of 10, after warm-up)%n", n);
        Tensor a = Tensor.arange(0, n, 1, DType.F32).mul(1e-7);
        Tensor b = a.cos();
        Tensor c = a.sin();
        double fusedTime = bestOf(10, () -> a.mulAdd(b, c));
        double expTime = bestOf(10, a::exp);
        try (Tensor fused = a.mulAdd(b, c); Tensor e = a.exp(); Tensor total = e.sum()) {
            double x = 0.1234567;
            System.out.printf("a*b+c fused: %6.2f ms, %5.1f GB/s; value at 1234567: %.6f (expected %.6f)%n", fusedTime * 1e3,
                    16.0 * n / fusedTime / 1e9, fused.getDouble(1234567), x * Math.cos(x) + Math.sin(x));
            System.out.printf("exp:         %6.2f ms, %5.1f GB/s; sum(exp(a)) = %.1f (closed form %.1f)%n%n",
                    expTime * 1e3, 8.0 * n / expTime / 1e9, total.item(), Math.expm1(n * 1e-7) / Math.expm1(1e-7));
        }
    }

    /** Best wall time of {@code reps} runs of an operation whose result is closed right away, after 5 warm-ups. */
    private static double bestOf(int reps, java.util.function.Supplier<Tensor> op) {
        for (int i = 0; i < 5; i++) {
            op.get().close();
        }
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            Tensor t = op.get();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            t.close();
        }
        return best;
    }

    /** Largest eigenvalue of the 1-D Laplacian by power iteration; closed form 2 − 2cos(nπ/(n+1)). */
    private static void powerIteration(int n) {
        System.out.printf("-- Power iteration on the %dx%d Laplacian tridiag(-1, 2, -1)%n", n, n);
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            m[i][i] = 2;
            if (i > 0) {
                m[i][i - 1] = -1;
            }
            if (i < n - 1) {
                m[i][i + 1] = -1;
            }
        }
        Tensor a = Tensor.fromArray(m);
        Tensor v = Tensor.arange(0, n, 1, DType.F64).mul(0.37).sin().add(1.5);
        double lambda = 0;
        long t0 = System.nanoTime();
        int iterations = 0;
        while (iterations < 100_000) {
            iterations++;
            try (Scope step = Scope.open()) {
                Tensor w = a.matmul(v);
                // Rayleigh quotient of the unit vector v: converges twice as fast as the norm ratio
                double next = v.matmul(w).item() / v.matmul(v).item();
                Tensor unit = step.keep(w.div(w.norm()));
                v.close();
                v = unit;
                boolean done = Math.abs(next - lambda) < 1e-15 * next;
                lambda = next;
                if (done) {
                    break;
                }
            }
        }
        double exact = 2 - 2 * Math.cos(n * Math.PI / (n + 1));
        System.out.printf("lambda_max = %.10f after %d iterations in %.1f ms (closed form %.10f)%n", lambda, iterations,
                (System.nanoTime() - t0) / 1e6, exact);
        v.close();
    }

    /** One regression solved three ways: LAPACK least squares, the normal equations, and gradient descent with autodiff. */
    private static void leastSquares() {
        System.out.println();
        System.out.println("-- Least squares three ways: y = 2 - 3x + 0.5x^2 + noise, 200 points");
        Rng rng = Rng.seed(7);
        Tensor x = rng.uniform(DType.F64, -1, 1, 200);
        Tensor design = Tensor.stack(1, Tensor.ones(DType.F64, 200), x, x.square());
        Tensor y = design.matmul(Tensor.of(2.0, -3.0, 0.5)).add(rng.normal(DType.F64, 0, 0.05, 200));
        Tensor viaLapack = Linalg.lstsq(design, y).solution();
        Tensor viaNormal = Linalg.solve(design.transpose().matmul(design), design.transpose().matmul(y));
        Tensor w = Tensor.zeros(DType.F64, 3);
        long t0 = System.nanoTime();
        ProgressListener progress = ProgressListener.console();
        progress.start("gradient descent", 2000);
        for (int step = 0; step < 2000; step++) {
            try (Scope s = Scope.open()) {
                Tensor current = w;
                Tensor g = Autodiff.grad(p -> design.matmul(p).sub(y).square().mean(), current);
                w = s.keep(current.sub(g.mul(0.5)));
                current.close();
            }
            progress.advance(step + 1, "");
        }
        progress.finish();
        System.out.printf("lstsq (gelsd):         %s%n", viaLapack);
        System.out.printf("normal equations:      %s%n", viaNormal);
        System.out.printf("2000 autodiff steps:   %s  (%.0f ms)%n", w, (System.nanoTime() - t0) / 1e6);
        System.out.printf("Hessian of the loss times e0 (Pearlmutter): %s (2/n * design^T design e0)%n",
                Autodiff.hvp(p -> design.matmul(p).sub(y).square().mean(), w, Tensor.of(1.0, 0.0, 0.0)));
        w.close();
    }

    /** The dominant frequency of a noisy two-tone signal from its real FFT. */
    private static void spectrum() {
        System.out.println();
        int n = 1 << 16;
        System.out.printf("-- Spectrum of 3 sin(2pi 440 t) + sin(2pi 1000 t) + noise, %d samples at 8 kHz%n", n);
        Tensor t = Tensor.arange(0, n, 1, DType.F64).div(8000.0);
        Tensor signal = t.mul(2 * Math.PI * 440).sin().mul(3).add(t.mul(2 * Math.PI * 1000).sin())
                .add(Rng.seed(3).normal(DType.F64, 0, 0.5, n));
        double ms = bestOf(10, () -> Fft.rfft(signal)) * 1e3;
        Tensor bins = Fft.rfft(signal);
        Tensor power = bins.square().sum(-1);
        long peak = power.argmax().getLong();
        System.out.printf("rfft in %.2f ms (best of 10); strongest bin %d = %.1f Hz (expected 440 Hz, resolution %.3f Hz)%n",
                ms, peak, peak * 8000.0 / n, 8000.0 / n);
    }

    /** A small MLP learns to separate two interleaved spiral arms, with autodiff and momentum gradient descent. */
    private static void spiral() {
        System.out.println();
        int n = 100;
        System.out.printf("-- An MLP 2-32-32-2 (tanh) learns a two-arm spiral (%d points), full-batch momentum descent%n", 2 * n);
        double[] pts = new double[4 * n];
        long[] labels = new long[2 * n];
        for (int i = 0; i < n; i++) {
            double t = (double) i / n;
            double theta = 0.5 + 3 * Math.PI * t;
            double r = 2 * (0.1 + t);
            for (int arm = 0; arm < 2; arm++) {
                int k = arm * n + i;
                double sign = arm == 0 ? 1 : -1;
                pts[2 * k] = sign * r * Math.cos(theta);
                pts[2 * k + 1] = sign * r * Math.sin(theta);
                labels[k] = arm;
            }
        }
        Tensor x = Tensor.of(pts).reshape(2 * n, 2).cast(DType.F32);
        Tensor y = Tensor.of(labels);
        try (MLP net = new MLP(new long[]{2, 32, 32, 2}, Activation.TANH, DType.F32, Rng.seed(2))) {
            java.util.List<Parameter> params = net.parameters();
            Tensor[] velocity = new Tensor[params.size()];
            for (int i = 0; i < velocity.length; i++) {
                velocity[i] = Scope.release(Tensor.zeros(DType.F32, params.get(i).value().shape()));
            }
            long t0 = System.nanoTime();
            int step = 0;
            double accuracy = 0;
            double loss = Double.NaN;
            // a progress bar with rate and ETA on stderr (redrawn in place on a terminal, a line per tenth otherwise)
            ProgressListener progress = ProgressListener.console();
            progress.start("spiral", 3000);
            try {
                for (; step < 3000 && accuracy < 1.0; step++) {
                    try (Scope s = Scope.open()) {
                        net.zeroGrad();
                        Tensor logits = net.forward(x);
                        Tensor l = Losses.crossEntropy(logits, y, Losses.Reduction.MEAN);
                        l.backward();
                        loss = l.item();
                        try (Autodiff.GradMode off = Autodiff.noGrad()) {
                            accuracy = logits.argmax(1, false).eq(y).cast(DType.F64).mean().item();
                            for (int i = 0; i < velocity.length; i++) {
                                Parameter p = params.get(i);
                                Tensor v = velocity[i].mul(0.9).add(p.grad());
                                velocity[i].close();
                                velocity[i] = Scope.release(v);
                                p.set(p.value().sub(v.mul(0.3)));
                            }
                        }
                    }
                    progress.advance(step + 1, String.format("loss %.4f  accuracy %5.1f %%", loss, 100 * accuracy));
                }
            } finally {
                progress.finish();
            }
            System.out.printf("step %4d  loss %.4f  accuracy %5.1f %%  (%.2f s)%n", step, loss, 100 * accuracy,
                    (System.nanoTime() - t0) / 1e9);
            for (Tensor v : velocity) {
                v.close();
            }
        }
    }
}
