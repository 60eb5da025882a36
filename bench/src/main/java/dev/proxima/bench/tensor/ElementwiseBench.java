package dev.proxima.bench.tensor;

import dev.proxima.tensor.DType;
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
 * Memory-bound F32 elementwise kernels: Proxima tensors against plain Java loops over {@code float[]}.
 *
 * <ul>
 *   <li>{@code a·b + c}: {@link #tensorMulThenAdd} (two ops and a temporary), {@link #tensorMulAdd} (fused,
 *       one pass), {@link #javaMulAdd} (loop). Bytes touched, counted logically for all three: 16·size
 *       (reads a, b, c and writes the result, 4 bytes each).</li>
 *   <li>{@code exp(a)}: {@link #tensorExp}, {@link #javaExp} (loop over {@code Math.exp}). Bytes touched:
 *       8·size.</li>
 * </ul>
 *
 * <p>GB/s = bytes / (time in µs × 1000). Proxima's loops run on {@code proxima.threads} threads (default:
 * the available processors) and allocate their result each call; the Java loops are single-threaded and
 * write into a preallocated array. Add {@code -jvmArgsPrepend -Dproxima.threads=1} for a per-thread comparison.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
// The Vector API kernels behind Tensor.exp only reach C2-compiled (intrinsic) code after ~3 s; a short
// warm-up measures the interpreted fallback, several times slower. Keep at least 10 s of warm-up.
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-modules=jdk.incubator.vector",
        "--sun-misc-unsafe-memory-access=allow"})
public class ElementwiseBench {

    /** Elements per operand. */
    @Param({"1000000", "10000000"})
    public int size;

    private Tensor a;
    private Tensor b;
    private Tensor c;
    private float[] ha;
    private float[] hb;
    private float[] hc;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        a = BenchData.sinVector(size, DType.F32, 0.0);
        b = BenchData.sinVector(size, DType.F32, 0.5);
        c = BenchData.sinVector(size, DType.F32, 1.0);
        ha = a.toFloatArray();
        hb = b.toFloatArray();
        hc = c.toFloatArray();
        out = new float[size];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchData.closeAndCheck(a, b, c);
    }

    /** Proxima, unfused: {@code a.mul(b).add(c)}, the temporary and the result closed every call. */
    @Benchmark
    public void tensorMulThenAdd(Blackhole bh) {
        try (Tensor t = a.mul(b); Tensor r = t.add(c)) {
            bh.consume(r);
        }
    }

    /** Proxima, fused: {@code a.mulAdd(b, c)}, result closed every call. */
    @Benchmark
    public void tensorMulAdd(Blackhole bh) {
        try (Tensor r = a.mulAdd(b, c)) {
            bh.consume(r);
        }
    }

    /** Proxima: {@code a.exp()}, result closed every call. */
    @Benchmark
    public void tensorExp(Blackhole bh) {
        try (Tensor r = a.exp()) {
            bh.consume(r);
        }
    }

    /** Peer: {@code out[i] = a[i]*b[i] + c[i]} over heap arrays. */
    @Benchmark
    public float[] javaMulAdd() {
        float[] x = ha, y = hb, z = hc, o = out;
        for (int i = 0; i < o.length; i++) {
            o[i] = x[i] * y[i] + z[i];
        }
        return o;
    }

    /** Peer: {@code out[i] = (float) Math.exp(a[i])} over heap arrays. */
    @Benchmark
    public float[] javaExp() {
        float[] x = ha, o = out;
        for (int i = 0; i < o.length; i++) {
            o[i] = (float) Math.exp(x[i]);
        }
        return o;
    }
}
