package dev.proxima.bench.nn;

import dev.proxima.nn.Activation;
import dev.proxima.nn.Linear;
import dev.proxima.nn.Losses;
import dev.proxima.nn.MLP;
import dev.proxima.tensor.Autodiff;
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
 * Training-step costs of an MLP 784-256-256-10 with ReLU, F32, batch 128 (MNIST-sized), cross-entropy
 * loss against fixed random labels:
 *
 * <ul>
 *   <li>{@link #forwardBackward}: zeroGrad, forward, loss, {@code backward()} into all six parameters — the
 *       same work as {@code bench/peers/torch_mlp.py};</li>
 *   <li>{@link #gradW1}: {@code Autodiff.grad} of the loss with respect to the first weight matrix
 *       W₁ [256, 784] only (the other parameters held fixed, detached) — the baseline for</li>
 *   <li>{@link #hvpW1}: {@code Autodiff.hvp}, the Hessian–vector product ∇²_{W₁}L·V for a fixed random
 *       V of W₁'s shape (Pearlmutter: a gradient with {@code createGraph}, then a second backward pass),
 *       expected at roughly 2–3× {@link #gradW1}.</li>
 * </ul>
 * Every call runs in its own {@link dev.proxima.tensor.Scope}; the trial fails if tensor memory leaks.
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
public class MlpBench {

    private MLP net;
    private Tensor x;
    private Tensor y;
    private Tensor v;

    @Setup
    public void setup() {
        Rng rng = Rng.seed(42);
        net = new MLP(new long[]{784, 256, 256, 10}, Activation.RELU, DType.F32, rng.split());
        x = rng.split().normal(DType.F32, 0, 1, 128, 784);
        y = rng.split().randint(0, 10, DType.I64, 128);
        v = rng.split().normal(DType.F32, 0, 1, 256, 784);
    }

    @TearDown
    public void tearDown() {
        net.close();
        x.close();
        y.close();
        v.close();
        long left = Memory.allocatedBytes();
        if (left != 0) {
            throw new IllegalStateException(left + " bytes of tensor memory still allocated after the trial: a benchmark leaks");
        }
    }

    @Benchmark
    public double forwardBackward() {
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            net.zeroGrad();
            Tensor loss = Losses.crossEntropy(net.forward(x), y, Losses.Reduction.MEAN);
            loss.backward();
            return loss.item();
        }
    }

    /** The loss as a function of W₁ alone. */
    private Tensor lossOfW1(Tensor w1) {
        Linear l1 = (Linear) net.get(0);
        Linear l2 = (Linear) net.get(2);
        Linear l3 = (Linear) net.get(4);
        Tensor h = x.matmul(w1.transpose()).add(l1.bias().value().detach()).maximum(0.0);
        h = h.matmul(l2.weight().value().detach().transpose()).add(l2.bias().value().detach()).maximum(0.0);
        Tensor logits = h.matmul(l3.weight().value().detach().transpose()).add(l3.bias().value().detach());
        return Losses.crossEntropy(logits, y, Losses.Reduction.MEAN);
    }

    @Benchmark
    public double gradW1() {
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            Tensor w1 = ((Linear) net.get(0)).weight().value().detach();
            return Autodiff.grad(this::lossOfW1, w1).getDouble(0, 0);
        }
    }

    @Benchmark
    public double hvpW1() {
        try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
            Tensor w1 = ((Linear) net.get(0)).weight().value().detach();
            return Autodiff.hvp(this::lossOfW1, w1, v).getDouble(0, 0);
        }
    }
}
