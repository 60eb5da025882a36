package dev.proxima.bench.optim;

import dev.proxima.nn.Activation;
import dev.proxima.nn.Losses;
import dev.proxima.nn.MLP;
import dev.proxima.optim.AdamW;
import dev.proxima.optim.Optimizer;
import dev.proxima.optim.Sophia;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Tensor;
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

import java.util.concurrent.TimeUnit;

/**
 * One training step of the optimizer sample's model — MLP 64-128-128-10 with ReLU, F32, a batch of 128 digit-sized
 * inputs (random, fixed) and cross-entropy — the workload of {@code bench/peers/torch_digits_step.py}:
 * <ul>
 *   <li>{@link #adamwStep}: zeroGrad, forward, loss, backward, {@code AdamW} step;</li>
 *   <li>{@link #sophiaHvpStep}: a {@code Sophia} step that refreshes its Hessian estimate ({@code updateEvery(1)}):
 *       forward, the gradient with its graph kept, one Hutchinson Hessian-vector product, the clipped update;</li>
 *   <li>{@link #sophiaStep}: Sophia with its default refresh every 10 steps (the HVP amortised).</li>
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
public class DigitsStepBench {

    private MLP adamwNet;
    private MLP sophiaHvpNet;
    private MLP sophiaNet;
    private Optimizer adamw;
    private Optimizer sophiaHvp;
    private Optimizer sophia;
    private Tensor x;
    private Tensor y;

    @Setup
    public void setup() {
        Rng rng = Rng.seed(42);
        long[] sizes = {64, 128, 128, 10};
        adamwNet = new MLP(sizes, Activation.RELU, DType.F32, Rng.seed(1));
        sophiaHvpNet = new MLP(sizes, Activation.RELU, DType.F32, Rng.seed(1));
        sophiaNet = new MLP(sizes, Activation.RELU, DType.F32, Rng.seed(1));
        x = rng.split().uniform(DType.F32, 0, 1, 128, 64);
        y = rng.split().randint(0, 10, DType.I64, 128);
        adamw = AdamW.builder().lr(3e-3).weightDecay(1e-2).build(adamwNet.parameters());
        sophiaHvp = Sophia.builder().lr(3e-3).updateEvery(1).build(sophiaHvpNet.parameters());
        sophia = Sophia.builder().lr(3e-3).updateEvery(10).build(sophiaNet.parameters());
    }

    @TearDown
    public void tearDown() {
        adamw.close();
        sophiaHvp.close();
        sophia.close();
        adamwNet.close();
        sophiaHvpNet.close();
        sophiaNet.close();
        x.close();
        y.close();
        long left = Memory.allocatedBytes();
        if (left != 0) {
            throw new IllegalStateException(left + " bytes of tensor memory still allocated after the trial: a benchmark leaks");
        }
    }

    @Benchmark
    public double adamwStep() {
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            return adamw.step(() -> {
                adamw.zeroGrad();
                Tensor loss = Losses.crossEntropy(adamwNet.forward(x), y, Losses.Reduction.MEAN);
                loss.backward();
                return loss;
            }).item();
        }
    }

    @Benchmark
    public double sophiaHvpStep() {
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            return sophiaHvp.step(() -> Losses.crossEntropy(sophiaHvpNet.forward(x), y, Losses.Reduction.MEAN)).item();
        }
    }

    @Benchmark
    public double sophiaStep() {
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            return sophia.step(() -> Losses.crossEntropy(sophiaNet.forward(x), y, Losses.Reduction.MEAN)).item();
        }
    }
}
