package dev.proxima.bench.optim;

import dev.proxima.nn.Parameter;
import dev.proxima.optim.AdamW;
import dev.proxima.optim.GradientTransform;
import dev.proxima.optim.MatrixTransforms;
import dev.proxima.optim.Muon;
import dev.proxima.optim.Optimizer;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cost of Muon's step against AdamW's on one 1024 × 1024 F32 parameter with a fixed gradient, the workload of
 * {@code bench/peers/torch_muon.py}:
 * <ul>
 *   <li>{@link #newtonSchulz}: {@code MatrixTransforms.orthogonalize()} alone, five quintic Newton–Schulz steps
 *       (15 products of 1024 × 1024 matrices, 32 GFLOP);</li>
 *   <li>{@link #muonStep}: a whole {@code Muon} optimizer step (momentum, the five steps, weight decay, the update
 *       written into the parameter);</li>
 *   <li>{@link #adamwStep}: an {@code AdamW} optimizer step on the same parameter and gradient.</li>
 * </ul>
 * Every call runs in its own {@link dev.proxima.tensor.Scope}; the trial fails if tensor memory leaks.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {
        "--enable-native-access=ALL-UNNAMED",
        "--add-modules=jdk.incubator.vector",
        "--sun-misc-unsafe-memory-access=allow"})
public class MuonStepBench {

    private static final int N = 1024;

    private Parameter muonParam;
    private Parameter adamwParam;
    private Optimizer muon;
    private Optimizer adamw;
    private GradientTransform orthogonalize;
    private TensorTree grads;
    private TensorTree noState;

    @Setup
    public void setup() {
        Rng rng = Rng.seed(42);
        Tensor g = rng.split().normal(DType.F32, 0, 1, N, N);
        muonParam = new Parameter(rng.split().normal(DType.F32, 0, 0.02, N, N), true);
        adamwParam = new Parameter(rng.split().normal(DType.F32, 0, 0.02, N, N), true);
        // give both parameters the gradient g: d(sum(p·g))/dp = g
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            muonParam.value().mul(g).sum().backward();
            adamwParam.value().mul(g).sum().backward();
        }
        muon = Muon.builder().lr(0.02).weightDecay(0.01).build(List.of(muonParam));
        adamw = AdamW.builder().lr(1e-3).weightDecay(1e-2).build(List.of(adamwParam));
        orthogonalize = MatrixTransforms.orthogonalize();
        grads = TensorTree.ofTensors(List.of(g));
        noState = orthogonalize.init(grads);
    }

    @TearDown
    public void tearDown() {
        muon.close();
        adamw.close();
        muonParam.close();
        adamwParam.close();
        grads.leaves().forEach(Tensor::close);
        long left = Memory.allocatedBytes();
        if (left != 0) {
            throw new IllegalStateException(left + " bytes of tensor memory still allocated after the trial: a benchmark leaks");
        }
    }

    @Benchmark
    public double newtonSchulz() {
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            return orthogonalize.update(grads, noState, grads).updates().leaves().get(0).getDouble(0, 0);
        }
    }

    @Benchmark
    public double muonStep() {
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            muon.step();
            return muonParam.value().getDouble(0, 0);
        }
    }

    @Benchmark
    public double adamwStep() {
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            adamw.step();
            return adamwParam.value().getDouble(0, 0);
        }
    }
}
