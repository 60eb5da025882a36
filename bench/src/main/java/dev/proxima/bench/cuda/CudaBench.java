package dev.proxima.bench.cuda;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.cuda.CudaBackend;
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
 * GPU figures of the CUDA issue, on {@code cuda:0}: matrix products through cuBLAS and a bandwidth-bound
 * elementwise add, each timed to completion ({@link CudaBackend#synchronize(int)} after every call, as the
 * PyTorch peer {@code bench/peers/torch_cuda.py} calls {@code torch.cuda.synchronize()}).
 *
 * <ul>
 *   <li>{@link Matmul#matmul}: n×n · n×n, dtype F32 (cublasSgemm) or BF16 (cublasGemmEx, F32 accumulation);
 *       TFLOP/s = 2n³ / time. Peer: {@code torch.matmul} on the same GPU.</li>
 *   <li>{@link Stream#add}: {@code a.add(b)} on 2²⁸ F32 (1 GiB per operand), GB/s = 3·4·2²⁸ / time;
 *       {@link Stream#copy}: a device-to-device copy of one operand, GB/s = 2·4·2²⁸ / time: the ceiling an
 *       elementwise kernel is compared with.</li>
 * </ul>
 * Results are closed every call; the backend's caching allocator reuses their memory as PyTorch's does.
 * Without a usable GPU the setup throws with the backend's one-line reason.
 */
public class CudaBench {

    static final Device GPU = new Device("cuda", 0);

    static Tensor sinOnGpu(long count, DType dtype, double phase, long... shape) {
        try (Tensor idx = Tensor.arange(phase, phase + count, 1.0, DType.F32);
             Tensor s = idx.sin();
             Tensor shaped = s.reshape(shape);
             Tensor typed = shaped.cast(dtype)) {
            return typed.to(GPU);
        }
    }

    /** Closes the inputs, then fails if device memory is still held (a leak) and prints the host-fallback count. */
    static void closeAndCheck(Tensor... inputs) {
        for (Tensor t : inputs) {
            t.close();
        }
        CudaBackend.synchronize(0);
        if (CudaBackend.allocatedBytes(0) != 0) {
            throw new IllegalStateException(CudaBackend.allocatedBytes(0) + " bytes of device memory still held: a leak");
        }
        System.out.println("\nhost stagings so far: " + dev.proxima.tensor.Proxima.hostStagings());
    }

    static void requireGpu() {
        CudaBackend b = new CudaBackend();
        if (!b.isAvailable()) {
            throw new IllegalStateException("CudaBench needs a GPU: " + b.describe());
        }
    }

    /** cuBLAS matrix products. */
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @State(Scope.Benchmark)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector",
            "--sun-misc-unsafe-memory-access=allow"})
    public static class Matmul {

        /** Matrix order. */
        @Param({"1024", "2048", "4096", "8192"})
        public int n;

        /** F32 or BF16. */
        @Param({"F32", "BF16"})
        public String dtype;

        private Tensor a;
        private Tensor b;

        @Setup(Level.Trial)
        public void setUp() {
            requireGpu();
            DType t = DType.valueOf(dtype);
            a = sinOnGpu((long) n * n, t, 0.0, n, n);
            b = sinOnGpu((long) n * n, t, 0.5, n, n);
            CudaBackend.synchronize(0);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            closeAndCheck(a, b);
        }

        /** {@code a.matmul(b)}, completed. */
        @Benchmark
        public void matmul() {
            try (Tensor c = a.matmul(b)) {
                CudaBackend.synchronize(0);
            }
        }
    }

    /** Bandwidth-bound kernels on 2²⁸ floats. */
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @State(Scope.Benchmark)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector",
            "--sun-misc-unsafe-memory-access=allow"})
    public static class Stream {

        static final long SIZE = 1L << 28;

        private Tensor a;
        private Tensor b;

        @Setup(Level.Trial)
        public void setUp() {
            requireGpu();
            a = sinOnGpu(SIZE, DType.F32, 0.0, SIZE);
            b = sinOnGpu(SIZE, DType.F32, 0.5, SIZE);
            CudaBackend.synchronize(0);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            closeAndCheck(a, b);
        }

        /** {@code a.add(b)}: reads 2, writes 1 × 1 GiB. */
        @Benchmark
        public void add() {
            try (Tensor c = a.add(b)) {
                CudaBackend.synchronize(0);
            }
        }

        /** {@code a.copy()}: reads 1, writes 1 × 1 GiB. */
        @Benchmark
        public void copy() {
            try (Tensor c = a.copy()) {
                CudaBackend.synchronize(0);
            }
        }
    }
}
