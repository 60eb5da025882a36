package dev.proxima.bench.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Tensor;
import dev.proxima.transport.Ot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Exact EMD ({@code Ot.emd}, the network simplex) against POT's {@code ot.emd} ({@code bench/peers/pot_emd.py})
 * on the same problems: n points uniform in [0,1]^d against m points of N(1, 0.25² I), squared Euclidean cost
 * ({@code Ot.dist}), uniform weights; "500", "1000", "2000" are n = m in 2-D, "800x1200" is 800 × 1200 in 3-D.
 * The uniforms are splitmix64 outputs (the same doubles as the peer's), the Gaussians Box–Muller on them. The
 * setup prints the optimal cost (compare with the peer's, 1e-9 relative). Each call returns the plan, closed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-modules=jdk.incubator.vector",
        "--sun-misc-unsafe-memory-access=allow"})
public class EmdBench {

    @Param({"500", "1000", "2000", "800x1200"})
    public String problem;

    private Tensor a;
    private Tensor b;
    private Tensor costs;

    @Setup(Level.Trial)
    public void setUp() {
        int n;
        int m;
        int d;
        switch (problem) {
            case "800x1200" -> {
                n = 800;
                m = 1200;
                d = 3;
            }
            default -> {
                n = Integer.parseInt(problem);
                m = n;
                d = 2;
            }
        }
        double[] x = uniforms(1, n * d);
        double[] u = uniforms(2, 2 * m * d);
        double[] y = new double[m * d];
        for (int k = 0; k < y.length; k++) {
            double u1 = 1.0 - u[2 * k];
            double u2 = u[2 * k + 1];
            y[k] = 1.0 + 0.25 * Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
        }
        try (Tensor xf = Tensor.of(x); Tensor xs = xf.reshape(n, d); Tensor yf = Tensor.of(y); Tensor ys = yf.reshape(m, d)) {
            costs = Ot.dist(xs, ys);
        }
        a = Tensor.full(1.0 / n, DType.F64, n);
        b = Tensor.full(1.0 / m, DType.F64, m);
        System.out.printf(Locale.ROOT, "%n%s: optimal cost %.17g%n", problem, Ot.emd2(a, b, costs));
    }

    /** splitmix64's outputs from {@code seed}, top 53 bits, as doubles in [0, 1) (as the peer script). */
    static double[] uniforms(long seed, int count) {
        double[] out = new double[count];
        long state = seed;
        for (int k = 0; k < count; k++) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            out[k] = (z >>> 11) * (1.0 / (1L << 53));
        }
        return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a.close();
        b.close();
        costs.close();
        if (Memory.allocatedBytes() != 0) {
            throw new IllegalStateException("EmdBench leaked " + Memory.allocatedBytes() + " bytes of tensor memory");
        }
    }

    @Benchmark
    public double emd() {
        try (Tensor plan = Ot.emd(a, b, costs)) {
            return plan.getDouble(0, 0);
        }
    }
}
