package dev.proxima.bench.tensor;

import dev.proxima.tensor.Conv;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * conv2d of the breadth issue: batch 32, 64 → 64 channels, 32×32 images, 3×3 kernel, padding 1, F32
 * (peer: {@code torch.nn.functional.conv2d} in {@code bench/peers/torch_conv.py}). Result closed in the call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-modules=jdk.incubator.vector",
        "--sun-misc-unsafe-memory-access=allow"})
public class ConvBench {

    private Tensor images;
    private Tensor weight;

    @Setup(Level.Trial)
    public void setUp() {
        try (Tensor flat = BenchData.sinVector(32L * 64 * 32 * 32, DType.F32, 0.0);
             Tensor w = BenchData.sinVector(64L * 64 * 3 * 3, DType.F32, 0.5);
             Tensor scaled = w.mul(0.05)) {
            images = flat.reshape(32, 64, 32, 32);
            weight = scaled.reshape(64, 64, 3, 3);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchData.closeAndCheck(images, weight);
    }

    @Benchmark
    public double conv2d32x64x32x32() {
        try (Tensor out = Conv.conv2d(images, weight, null, 1, 1, 1)) {
            return out.getDouble(0, 0, 0, 0);
        }
    }
}
