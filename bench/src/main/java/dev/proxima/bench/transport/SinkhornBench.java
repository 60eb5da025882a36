package dev.proxima.bench.transport;

import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Tensor;
import dev.proxima.transport.CostMatrix;
import dev.proxima.transport.LinearProblem;
import dev.proxima.transport.Ot;
import dev.proxima.transport.Sinkhorn;
import dev.proxima.transport.SinkhornOutput;
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
 * Sinkhorn to a marginal error of 10⁻⁶ on the problems of {@link SinkhornProblems} (squared Euclidean cost, uniform
 * weights): the log domain ({@code logDomain}, peer POT's {@code ot.sinkhorn(method='sinkhorn_log')}) and the
 * scaling form ({@code scaling}, peer POT's {@code ot.sinkhorn(method='sinkhorn')}), both in
 * {@code bench/peers/pot_sinkhorn.py}. The cost matrix is formed once per trial, as POT is given M; each call solves
 * from zero potentials and frees what it made.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-modules=jdk.incubator.vector",
        "--sun-misc-unsafe-memory-access=allow"})
public class SinkhornBench {

    @Param({"500", "1000", "2000", "800x1200"})
    public String size;

    @Param({"0.05", "0.01"})
    public double epsilon;

    private Tensor x;
    private Tensor y;
    private Tensor cost;
    private LinearProblem problem;
    private Sinkhorn logDomain;
    private Sinkhorn scalingForm;

    @Setup(Level.Trial)
    public void setUp() {
        Tensor[] points = SinkhornProblems.points(size);
        x = points[0];
        y = points[1];
        cost = Ot.dist(x, y);
        problem = LinearProblem.of(CostMatrix.of(cost));
        logDomain = Sinkhorn.builder(epsilon).tolerance(1e-6).maxIterations(100_000).build();
        scalingForm = Sinkhorn.builder(epsilon).logDomain(false).tolerance(1e-6).maxIterations(100_000).build();
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            SinkhornOutput out = logDomain.solve(problem);
            System.out.println("# " + size + " eps " + epsilon + ": " + out.iterations() + " log-domain iterations, converged "
                    + out.converged() + ", cost " + out.cost().item());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        problem.a().close();
        problem.b().close();
        cost.close();
        x.close();
        y.close();
        if (Memory.allocatedBytes() != 0) {
            throw new IllegalStateException("tensor memory still allocated: " + Memory.allocatedBytes() + " bytes");
        }
    }

    @Benchmark
    public int logDomain() {
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            return logDomain.solve(problem).iterations();
        }
    }

    @Benchmark
    public int scaling() {
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            return scalingForm.solve(problem).iterations();
        }
    }
}
