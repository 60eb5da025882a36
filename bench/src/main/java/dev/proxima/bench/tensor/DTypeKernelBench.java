package dev.proxima.bench.tensor;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Tensor;
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
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The CPU kernels once per dtype: the same tensor operations on F32 and on F64 operands, to check that the
 * F32 and F64 loops (one generated from the other) run alike. No peer: compare a change's before and after.
 *
 * <ul>
 *   <li>elementwise, dense operands: {@link #mulThenAdd} ({@code a.mul(b).add(c)}), {@link #mulAdd} (fused),
 *       {@link #exp}, {@link #gt} (a comparison, BOOL result);</li>
 *   <li>elementwise with a broadcast scalar: {@link #mulScalar} ({@code a.mul(0.5)});</li>
 *   <li>reductions: {@link #sum} (all elements), {@link #softmax} (over rows of 1000);</li>
 *   <li>sampling: {@link #uniform}.</li>
 * </ul>
 * Results are closed every call; inputs are {@code sin(i + phase)} (see {@link BenchData}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
// as in ElementwiseBench: the Vector API loops reach their C2 code only after a few seconds of warm-up
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-modules=jdk.incubator.vector",
        "--sun-misc-unsafe-memory-access=allow"})
public class DTypeKernelBench {

    /** Elements per operand. */
    @Param({"1000000", "10000000"})
    public int size;

    /** Operand dtype. */
    @Param({"F32", "F64"})
    public String dtype;

    private Tensor a;
    private Tensor b;
    private Tensor c;
    private Tensor rows;
    private Rng rng;

    @Setup(Level.Trial)
    public void setUp() {
        DType t = DType.valueOf(dtype);
        a = BenchData.sinVector(size, t, 0.0);
        b = BenchData.sinVector(size, t, 0.5);
        c = BenchData.sinVector(size, t, 1.0);
        rows = a.reshape(size / 1000, 1000);
        rng = Rng.seed(42);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchData.closeAndCheck(rows, a, b, c);
    }

    /** {@code a.mul(b).add(c)}: two binary kernels and a temporary. */
    @Benchmark
    public void mulThenAdd(Blackhole bh) {
        try (Tensor t = a.mul(b); Tensor r = t.add(c)) {
            bh.consume(r);
        }
    }

    /** {@code a.mulAdd(b, c)}: the fused kernel. */
    @Benchmark
    public void mulAdd(Blackhole bh) {
        try (Tensor r = a.mulAdd(b, c)) {
            bh.consume(r);
        }
    }

    /** {@code a.exp()}. */
    @Benchmark
    public void exp(Blackhole bh) {
        try (Tensor r = a.exp()) {
            bh.consume(r);
        }
    }

    /** {@code a.gt(b)}: a dense comparison into BOOL. */
    @Benchmark
    public void gt(Blackhole bh) {
        try (Tensor r = a.gt(b)) {
            bh.consume(r);
        }
    }

    /** {@code a.mul(0.5)}: a binary kernel with a broadcast (zero-stride) scalar operand. */
    @Benchmark
    public void mulScalar(Blackhole bh) {
        try (Tensor r = a.mul(0.5)) {
            bh.consume(r);
        }
    }

    /** {@code a.sum()}: one output, the elements split over the workers. */
    @Benchmark
    public void sum(Blackhole bh) {
        try (Tensor r = a.sum()) {
            bh.consume(r);
        }
    }

    /** Softmax over the last axis of {@code a} seen as rows of 1000. */
    @Benchmark
    public void softmax(Blackhole bh) {
        try (Tensor r = rows.softmax(1)) {
            bh.consume(r);
        }
    }

    /** {@code size} uniform samples in [0, 1). */
    @Benchmark
    public void uniform(Blackhole bh) {
        try (Tensor r = rng.uniform(DType.valueOf(dtype), 0, 1, size)) {
            bh.consume(r);
        }
    }
}
