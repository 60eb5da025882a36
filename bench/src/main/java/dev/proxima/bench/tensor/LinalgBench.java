package dev.proxima.bench.tensor;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Linalg;
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
 * LAPACK-backed linear algebra at the sizes of the breadth issue, F64, on the same deterministic
 * inputs as {@code bench/peers/numpy_peers.py} (NumPy/SciPy calling LAPACK through its own OpenBLAS):
 * SVD of a 512×512 matrix (full U and Vᵀ, NumPy's default), eigh of a symmetric 1024×1024 matrix, and
 * solve of a 2048×2048 system with one right-hand side. Each result is closed inside the timed call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-modules=jdk.incubator.vector",
        "--sun-misc-unsafe-memory-access=allow"})
public class LinalgBench {

    private Tensor svdInput;
    private Tensor symmetric;
    private Tensor system;
    private Tensor rhs;

    @Setup(Level.Trial)
    public void setUp() {
        svdInput = BenchData.sinMatrix(512, DType.F64, 0.0);
        try (Tensor m = BenchData.sinMatrix(1024, DType.F64, 0.25); Tensor mt = m.transpose()) {
            symmetric = m.add(mt);
        }
        try (Tensor m = BenchData.sinMatrix(2048, DType.F64, 0.5); Tensor eye = Tensor.eye(2048, DType.F64);
             Tensor shift = eye.mul(64.0)) {
            system = m.add(shift);
        }
        rhs = BenchData.sinVector(2048, DType.F64, 1.0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchData.closeAndCheck(svdInput, symmetric, system, rhs);
    }

    @Benchmark
    public double svd512() {
        Linalg.SVD d = Linalg.svd(svdInput, true);
        double s0 = d.s().getDouble(0);
        d.u().close();
        d.s().close();
        d.vt().close();
        return s0;
    }

    @Benchmark
    public double eigh1024() {
        Linalg.Eigh e = Linalg.eigh(symmetric);
        double v = e.values().getDouble(0);
        e.values().close();
        e.vectors().close();
        return v;
    }

    @Benchmark
    public double solve2048() {
        try (Tensor x = Linalg.solve(system, rhs)) {
            return x.getDouble(0);
        }
    }
}
