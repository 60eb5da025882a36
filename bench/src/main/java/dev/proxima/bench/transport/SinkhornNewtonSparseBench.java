package dev.proxima.bench.transport;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Tensor;
import dev.proxima.transport.CostMatrix;
import dev.proxima.transport.LinearProblem;
import dev.proxima.transport.Ot;
import dev.proxima.transport.Sinkhorn;
import dev.proxima.transport.SinkhornNewtonSparse;
import dev.proxima.transport.SinkhornNewtonSparseOutput;
import dev.proxima.transport.SinkhornOutput;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Sinkhorn–Newton–Sparse against log-domain Sinkhorn at ε = 0.01, both to marginal error 1e-8 (issue 14): n points
 * filling [0,1]² (R2 low-discrepancy sequence) against n points of a shifted Gaussian (centre (0.6, 0.4), σ = 0.15,
 * Box–Muller on a second R2 stream), squared Euclidean cost, uniform weights — the same numbers as
 * {@code bench/peers/pot_sns.py}, whose POT {@code sinkhorn_log} is the outside peer. Each call solves from
 * scratch; the setup prints each solver's iteration counts once.
 *
 * <ul>
 *   <li>{@link #sinkhorn}: {@code Sinkhorn} (log domain, the fused soft-min);</li>
 *   <li>{@link #sns}: {@code SinkhornNewtonSparse} with its defaults (20 warm-up iterations, ρ = 0.2);</li>
 *   <li>{@link #snsExactHessian}: the same with ρ = 1 (no sparsification).</li>
 * </ul>
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
public class SinkhornNewtonSparseBench {

    private static final double G = 1.32471795724474602596;   // the plastic number: R2 steps 1/G, 1/G²
    private static final double EPSILON = 0.01;
    private static final double TOLERANCE = 1e-8;

    @Param({"500", "1000"})
    public int n;

    private Tensor x;
    private Tensor y;
    private Tensor cost;
    private Tensor weights;
    private LinearProblem problem;
    private Sinkhorn sinkhorn;
    private SinkhornNewtonSparse sparse;
    private SinkhornNewtonSparse exact;

    /** The benchmark's points: x fills [0,1]², y is a Gaussian of centre (0.6, 0.4) and σ = 0.15. */
    static double[][][] points(int n) {
        double[][] px = new double[n][2];
        double[][] py = new double[n][2];
        for (int i = 0; i < n; i++) {
            px[i][0] = frac(0.5 + i / G);
            px[i][1] = frac(0.5 + i / (G * G));
            double u = frac(0.3 + (i + 1) / G);
            double v = frac(0.7 + (i + 1) / (G * G));
            double r = 0.15 * Math.sqrt(-2 * Math.log(Math.max(u, 1e-300)));
            py[i][0] = 0.6 + r * Math.cos(2 * Math.PI * v);
            py[i][1] = 0.4 + r * Math.sin(2 * Math.PI * v);
        }
        return new double[][][] {px, py};
    }

    private static double frac(double v) {
        return v - Math.floor(v);
    }

    @Setup
    public void setup() {
        double[][][] p = points(n);
        x = Tensor.fromArray(p[0]);
        y = Tensor.fromArray(p[1]);
        cost = Ot.dist(x, y);
        weights = Tensor.full(1.0 / n, DType.F64, n);
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            problem = LinearProblem.of(CostMatrix.of(cost), weights, weights);   // its checks' temporaries closed here
        }
        sinkhorn = Sinkhorn.builder(EPSILON).tolerance(TOLERANCE).maxIterations(100_000).build();
        sparse = SinkhornNewtonSparse.builder(EPSILON).tolerance(TOLERANCE).build();
        exact = SinkhornNewtonSparse.builder(EPSILON).tolerance(TOLERANCE).keepFraction(1).build();
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            SinkhornOutput a = sinkhorn.solve(problem);
            SinkhornNewtonSparseOutput b = sparse.solve(problem);
            SinkhornNewtonSparseOutput c = exact.solve(problem);
            System.out.printf("%nn=%d Sinkhorn: %d iterations, error %.2e, cost %.10f%n", n, a.iterations(), a.error(),
                    a.cost().item());
            for (SinkhornNewtonSparseOutput o : new SinkhornNewtonSparseOutput[] {b, c}) {
                System.out.printf("n=%d SNS %s: %d Sinkhorn + %d Newton steps, %d CG iterations, error %.2e, cost %.10f%n",
                        n, o == b ? "rho=0.2" : "rho=1", o.sinkhornIterations(), o.newtonIterations(),
                        o.conjugateGradientIterations(), o.error(), o.cost().item());
            }
        }
    }

    @TearDown
    public void tearDown() {
        x.close();
        y.close();
        cost.close();
        weights.close();
        long left = Memory.allocatedBytes();
        if (left != 0) {
            throw new IllegalStateException(left + " bytes of tensor memory still allocated after the trial: a benchmark leaks");
        }
    }

    @Benchmark
    public double sinkhorn() {
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            return sinkhorn.solve(problem).error();
        }
    }

    @Benchmark
    public double sns() {
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            return sparse.solve(problem).error();
        }
    }

    @Benchmark
    public double snsExactHessian() {
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            return exact.solve(problem).error();
        }
    }
}
