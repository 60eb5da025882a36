package dev.proxima.bench.tensor;

import dev.proxima.blas.Cblas;
import dev.proxima.blas.Cblas.Layout;
import dev.proxima.blas.Cblas.Transpose;
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

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Square matrix product C = A·B (n×n, row-major), two ways on the same input memory:
 *
 * <ul>
 *   <li>{@link #tensorMatmul}: Proxima's {@code Tensor.matmul}, including everything the tensor layer
 *       does per call (argument checks, result allocation from the Arrow allocator, release on close);</li>
 *   <li>{@link #cblasGemm}: the peer, OpenBLAS {@code sgemm}/{@code dgemm} called directly through
 *       {@link Cblas} into a preallocated output (beta = 0), with no tensor layer.</li>
 * </ul>
 *
 * <p>Both use OpenBLAS's default thread count (the available processors, or {@code -Dproxima.threads}),
 * so the ratio of the two is the tensor layer's overhead. A product costs 2n³ floating-point
 * operations: GFLOP/s = 2n³ / (time in µs × 1000); {@code bench/report.py} prints it from JMH's JSON.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-modules=jdk.incubator.vector",
        "--sun-misc-unsafe-memory-access=allow"})
public class MatmulBench {

    /** Matrix order. */
    @Param({"64", "256", "1024", "2048"})
    public int n;

    /** Element type: F32 (sgemm) or F64 (dgemm). */
    @Param({"F32", "F64"})
    public DType dtype;

    private Tensor a;
    private Tensor b;
    /** The direct call's preallocated output. */
    private Tensor c;
    private MemorySegment sa;
    private MemorySegment sb;
    private MemorySegment sc;

    @Setup(Level.Trial)
    public void setUp() {
        a = BenchData.sinMatrix(n, dtype, 0.0);
        b = BenchData.sinMatrix(n, dtype, 0.5);
        c = Tensor.zeros(dtype, n, n);
        sa = a.segment();
        sb = b.segment();
        sc = c.segment();
        // Both ways must compute the same product before either is timed.
        cblasGemm();
        try (Tensor expected = a.matmul(b)) {
            if (!c.allClose(expected, 1e-5, 1e-5)) {
                throw new IllegalStateException("Tensor.matmul and direct gemm disagree for n=" + n + ", " + dtype);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchData.closeAndCheck(a, b, c);
    }

    /** Proxima: {@code a.matmul(b)}, result closed every call. */
    @Benchmark
    public void tensorMatmul(Blackhole bh) {
        try (Tensor r = a.matmul(b)) {
            bh.consume(r);
        }
    }

    /** Peer: OpenBLAS gemm through {@link Cblas} on the same memory, into a preallocated output. */
    @Benchmark
    public MemorySegment cblasGemm() {
        if (dtype == DType.F32) {
            Cblas.sgemm(Layout.ROW_MAJOR, Transpose.NO_TRANS, Transpose.NO_TRANS, n, n, n,
                    1f, sa, n, sb, n, 0f, sc, n);
        } else {
            Cblas.dgemm(Layout.ROW_MAJOR, Transpose.NO_TRANS, Transpose.NO_TRANS, n, n, n,
                    1.0, sa, n, sb, n, 0.0, sc, n);
        }
        return sc;
    }
}
