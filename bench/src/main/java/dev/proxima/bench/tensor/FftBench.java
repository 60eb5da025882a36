package dev.proxima.bench.tensor;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Fft;
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
 * Real FFT of 2^20 F64 points ({@code numpy.fft.rfft} of the same {@code sin(i)} input is the peer, in
 * {@code bench/peers/numpy_peers.py fft}). The result is closed inside the timed call.
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
public class FftBench {

    private Tensor signal;

    @Setup(Level.Trial)
    public void setUp() {
        signal = BenchData.sinVector(1 << 20, DType.F64, 0.0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchData.closeAndCheck(signal);
    }

    @Benchmark
    public double rfft1M() {
        try (Tensor spectrum = Fft.rfft(signal)) {
            return spectrum.getDouble(1, 0);
        }
    }
}
