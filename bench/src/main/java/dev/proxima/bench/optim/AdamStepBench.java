package dev.proxima.bench.optim;

import dev.proxima.nn.Parameter;
import dev.proxima.optim.Adam;
import dev.proxima.optim.Optimizer;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Adam step ({@code opt.step()}, lr 1e-3, default betas and eps) on 10 M F32 parameters held as ten
 * parameters of 1 M elements each, with fixed gradients, against {@code torch.optim.Adam(foreach=True)} on the
 * same layout in {@code bench/peers/torch_adam.py}:
 * <ul>
 *   <li>{@link #fused}: the stateful {@link Adam} optimizer, which runs the core's fused in-place kernel
 *       ({@code Into.adamStep}: one pass reads gradient, parameter and both moments and writes parameter and
 *       moments), plus the non-finite check of the gradients (one reduction per parameter);</li>
 *   <li>{@link #chain}: the same update as the generic chain ({@code Optimizer.of(Adam…transform())}), whose
 *       tensor operations allocate full-size temporaries — the naive path the fused kernel replaces.</li>
 * </ul>
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
public class AdamStepBench {

    /** Which optimizer path. */
    @Param({"fused", "chain"})
    public String path;

    private final List<Parameter> params = new ArrayList<>();
    private Optimizer opt;

    @Setup
    public void setup() {
        Rng rng = Rng.seed(42);
        for (int i = 0; i < 10; i++) {
            Parameter p = new Parameter(rng.normal(DType.F32, 0, 1, 1_000_000), true);
            params.add(p);
            try (dev.proxima.tensor.Scope s = dev.proxima.tensor.Scope.open()) {
                Tensor c = rng.normal(DType.F32, 0, 1, 1_000_000);
                p.value().mul(c).sum().backward();   // grad = c
            }
        }
        Adam.Builder b = Adam.builder().lr(1e-3);
        opt = path.equals("fused") ? b.build(params) : Optimizer.of(b.transform(), params, Optimizer.NonFinitePolicy.THROW);
    }

    @TearDown
    public void tearDown() {
        opt.close();
        params.forEach(Parameter::close);
        params.clear();
        long left = Memory.allocatedBytes();
        if (left != 0) {
            throw new IllegalStateException(left + " bytes of tensor memory still allocated after the trial: a benchmark leaks");
        }
    }

    @Benchmark
    public long step() {
        opt.step();
        return opt.stepCount();
    }
}
