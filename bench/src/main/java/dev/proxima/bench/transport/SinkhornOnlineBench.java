package dev.proxima.bench.transport;

import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Tensor;
import dev.proxima.transport.LinearProblem;
import dev.proxima.transport.PointCloud;
import dev.proxima.transport.Sinkhorn;
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

import java.util.concurrent.TimeUnit;

/**
 * Log-domain Sinkhorn on an online point cloud (the cost never formed): n × n points in 3-D (uniform against the
 * Gaussian of {@link SinkhornProblems}), ε = 0.05, exactly 20 iterations per call (tolerance 0). Time per call / 20
 * is the time per iteration; the tear-down prints {@link Memory#peakBytes()} of the fork (a dense F64 cost of
 * 100 000² would be 80 GB). No peer: POT has no online geometry.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 1, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-modules=jdk.incubator.vector",
        "--sun-misc-unsafe-memory-access=allow"})
public class SinkhornOnlineBench {

    @Param({"100000"})
    public int n;

    private Tensor x;
    private Tensor y;
    private LinearProblem problem;
    private Sinkhorn solver;

    @Setup(Level.Trial)
    public void setUp() {
        x = Tensor.fromArray(SinkhornProblems.uniform(n, 3));
        y = Tensor.fromArray(SinkhornProblems.gaussian(n, 3));
        problem = LinearProblem.of(PointCloud.online(x, y));
        solver = Sinkhorn.builder(0.05).tolerance(0).maxIterations(20).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println("# peak tensor memory: " + Memory.peakBytes() + " bytes");
        problem.a().close();
        problem.b().close();
        x.close();
        y.close();
    }

    @Benchmark
    public int twentyIterations() {
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            return solver.solve(problem).iterations();
        }
    }
}
