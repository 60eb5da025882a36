package dev.proxima.bench.tensor;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TopK;
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
 * {@code topk} of the k largest of 10⁶ F64 values ({@code sin(i)}: no ties, no order), k = 10 and 2·10⁵ (the fifth
 * that Sinkhorn–Newton–Sparse keeps of a 1000 × 1000 plan), and {@code kthvalue} of the same k (the threshold alone,
 * by selection). Both outputs are closed inside the timed call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-modules=jdk.incubator.vector",
        "--sun-misc-unsafe-memory-access=allow"})
public class TopkBench {

    @Param({"10", "200000"})
    public long k;

    private Tensor values;

    @Setup(Level.Trial)
    public void setUp() {
        values = BenchData.sinVector(1_000_000, DType.F64, 0.0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchData.closeAndCheck(values);
    }

    @Benchmark
    public double topk() {
        try (TopK top = values.topk(k, 0, true)) {
            return top.values().getDouble(0);
        }
    }

    @Benchmark
    public double kthvalue() {
        try (TopK kth = values.kthvalue(k, 0, true)) {
            return kth.values().getDouble(0);
        }
    }
}
