package dev.proxima.bench.io;

import dev.proxima.io.Npy;
import dev.proxima.io.arrow.ArrowTensors;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Memory;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writing and reading a 256 MiB F32 tensor ({@code [64, 1048576]}) to a temporary file, as {@code .npy}
 * ({@link Npy}) and as an Arrow IPC file ({@link ArrowTensors}, a fixed-shape-tensor column of 64 rows); peer:
 * {@code numpy.save}/{@code numpy.load} in {@code bench/peers/numpy_io.py}. Figures include the page
 * cache's behaviour of the machine (the file is usually not flushed to the disk). {@code read}
 * reads the file written in the set-up and closes the result in the call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-modules=jdk.incubator.vector",
        "--sun-misc-unsafe-memory-access=allow",
        "--add-opens=java.base/java.nio=ALL-UNNAMED"})
public class IoBench {

    /** {@code npy} or {@code arrow}. */
    @Param({"npy", "arrow"})
    public String format;

    private Tensor tensor;
    private Path dir;
    private Path written;
    private Path read;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        tensor = Tensor.full(0.5, DType.F32, 64, 1 << 20);
        dir = Files.createTempDirectory("proxima-iobench");
        written = dir.resolve("w." + format);
        read = dir.resolve("r." + format);
        write(read);
    }

    private void write(Path file) throws IOException {
        if (format.equals("npy")) {
            Npy.write(file, tensor);
        } else {
            ArrowTensors.writeBatch(file, "t", tensor, ArrowTensors.Format.FILE);
        }
    }

    @Benchmark
    public long write() throws IOException {
        write(written);
        return Files.size(written);
    }

    @Benchmark
    public long read() throws IOException {
        try (Tensor t = format.equals("npy") ? Npy.read(read) : ArrowTensors.readBatch(read, "t")) {
            return t.size();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        tensor.close();
        Files.deleteIfExists(written);
        Files.deleteIfExists(read);
        Files.deleteIfExists(dir);
        long left = Memory.allocatedBytes();
        if (left != 0) {
            throw new IllegalStateException(left + " bytes of tensor memory still allocated after the trial: a benchmark leaks");
        }
    }
}
