package dev.proxima.samples.optim;

import dev.proxima.io.Png;
import dev.proxima.nn.Activation;
import dev.proxima.nn.Losses;
import dev.proxima.nn.MLP;
import dev.proxima.nn.Parameter;
import dev.proxima.optim.AdaHessian;
import dev.proxima.optim.AdamW;
import dev.proxima.optim.Muon;
import dev.proxima.optim.Optimizer;
import dev.proxima.optim.Root;
import dev.proxima.optim.SAM;
import dev.proxima.optim.Sophia;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The optimizer sample: a small MLP (64 → 128 → 128 → 10, ReLU, F32) trained on scikit-learn's 8 × 8 digits by
 * AdamW, Sophia, AdaHessian, Muon, SAM (around AdamW) and ROOT under the same budget of steps (minibatches of 128, the same batches and the same initial
 * weights for every optimizer). It prints progress lines, then a table (training loss, steps to reach the target
 * training loss, test accuracy, time), and writes into the output folder:
 * <ul>
 * <li>{@code loss_curves.csv}: the full training set's loss, a column per optimizer (first seed), after every step
 * (after every {@code steps/100}-th step for budgets of 200 steps and more);</li>
 * <li>{@code loss_curves.png}: the same curves, logarithmic loss axis;</li>
 * <li>{@code summary.csv}: one row per optimizer and seed.</li>
 * </ul>
 * Usage: {@code optim <output folder> [steps per optimizer, default 300] [seeds, default 1]}. The digits are the
 * UCI "Optical Recognition of Handwritten Digits" test set as scikit-learn ships it (CC BY 4.0), 1797 images; 297
 * are held out for testing with a fixed seed.
 */
public final class OptimizerRace {

    /** The training loss whose first crossing is reported as "steps to target". */
    static final double TARGET_LOSS = 0.1;

    private static final int BATCH = 128;
    private static final int TEST_COUNT = 297;
    private static final long SPLIT_SEED = 1234;

    private OptimizerRace() {
    }

    /** One optimizer's run. */
    record Run(String optimizer, long seed, double[] trainLoss, int stepsToTarget, double testAccuracy, double seconds) {
    }

    /** How many steps apart the full training loss is evaluated: about a hundred points per curve. */
    static int evalEvery(int steps) {
        return Math.max(1, steps / 100);
    }

    /**
     * Runs the race.
     *
     * @param args the output folder, then optionally the number of steps and of seeds
     */
    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: optim <output folder> [steps per optimizer, default 300] [seeds, default 1]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        int steps = args.length > 1 ? positive("steps", args[1]) : 300;
        int seeds = args.length > 2 ? positive("seeds", args[2]) : 1;
        try {
            Files.createDirectories(out);
            run(out, steps, seeds);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (Memory.allocatedBytes() != 0) {
            throw new IllegalStateException(Memory.allocatedBytes() + " bytes of tensor memory leaked");
        }
    }

    private static int positive(String what, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(what + " must be a whole number ≥ 1, got '" + value + "'");
    }

    /**
     * A contestant: how to make its optimizer over the model's parameters, and whether its {@code step(closure)}
     * wants the closure to call {@code backward()} itself (first-order methods and SAM) or only to return the loss,
     * which the optimizer differentiates twice (Sophia and AdaHessian, for their Hessian-vector products).
     */
    record Contestant(Function<List<Parameter>, Optimizer> make, boolean closureBackpropagates) {
    }

    /** The optimizers raced, by name, with settings for this small model and budget. */
    static Map<String, Contestant> optimizers() {
        Map<String, Contestant> m = new LinkedHashMap<>();
        m.put("AdamW", new Contestant(AdamW.builder().lr(3e-3).weightDecay(1e-2)::build, true));
        m.put("Sophia", new Contestant(Sophia.builder().lr(3e-3).betas(0.965, 0.99).rho(0.04).weightDecay(1e-2).updateEvery(10)::build, false));
        m.put("AdaHessian", new Contestant(AdaHessian.builder().lr(0.05).betas(0.9, 0.999).eps(1e-4).hessianPower(1)::build, false));
        m.put("Muon", new Contestant(Muon.builder().lr(0.05).momentum(0.95).weightDecay(0)
                .fallback(AdamW.builder().lr(3e-3).weightDecay(0))::build, true));
        m.put("SAM", new Contestant(ps -> SAM.builder().rho(0.05).build(AdamW.builder().lr(3e-3).weightDecay(1e-2).build(ps)), true));
        m.put("ROOT", new Contestant(Root.builder().lr(0.05).momentum(0.95).outlierThreshold(3)
                .fallback(AdamW.builder().lr(3e-3).weightDecay(0))::build, true));
        return m;
    }

    static List<Run> run(Path out, int steps, int seeds) throws IOException {
        List<Run> runs = new ArrayList<>();
        try (Scope scope = Scope.open("digits")) {
            Digits data = Digits.load(TEST_COUNT, SPLIT_SEED);
            System.out.printf("digits: %d training and %d test images of 8 x 8; MLP 64-128-128-10; %d steps of batch %d per optimizer, %d seed(s)%n",
                    data.trainImages().dim(0), data.testImages().dim(0), steps, BATCH, seeds);
            for (long seed = 0; seed < seeds; seed++) {
                for (Map.Entry<String, Contestant> e : optimizers().entrySet()) {
                    runs.add(train(e.getKey(), e.getValue(), data, steps, seed));
                }
            }
        }
        writeCsv(out.resolve("loss_curves.csv"), runs, steps);
        writeSummary(out.resolve("summary.csv"), runs);
        try (Scope scope = Scope.open("plot")) {
            List<LossPlot.Series> series = new ArrayList<>();
            for (Run r : runs) {
                if (r.seed() == 0) {
                    series.add(new LossPlot.Series(r.optimizer(), r.trainLoss()));
                }
            }
            Png.write(out.resolve("loss_curves.png"), LossPlot.render(series, evalEvery(steps), 640, 400));
        }
        System.out.printf("%n%-10s %5s %12s %16s %14s %9s%n", "optimizer", "seed", "train loss", "steps to " + TARGET_LOSS, "test accuracy", "seconds");
        for (Run r : runs) {
            System.out.printf("%-10s %5d %12.4f %16s %13.1f%% %9.2f%n", r.optimizer(), r.seed(), r.trainLoss()[r.trainLoss().length - 1],
                    r.stepsToTarget() < 0 ? "not reached" : Integer.toString(r.stepsToTarget()), 100 * r.testAccuracy(), r.seconds());
        }
        System.out.println("wrote " + out.resolve("loss_curves.png") + ", " + out.resolve("loss_curves.csv") + ", " + out.resolve("summary.csv"));
        return runs;
    }

    private static Run train(String name, Contestant contestant, Digits data, int steps, long seed) {
        long n = data.trainImages().dim(0);
        int every = evalEvery(steps);
        double[] curve = new double[steps / every + 1];
        int reached = -1;
        long start = System.nanoTime();
        try (MLP model = new MLP(new long[]{64, 128, 128, 10}, Activation.RELU, DType.F32, Rng.seed(100 + seed));
             Optimizer opt = contestant.make().apply(model.parameters())) {
            Rng batches = Rng.seed(200 + seed);
            Tensor order = null;
            curve[0] = trainLoss(model, data);
            for (int step = 0; step < steps; step++) {
                try (Scope s = Scope.open()) {
                    long at = (long) step * BATCH % (n - n % BATCH);
                    if (at == 0) {
                        if (order != null) {
                            order.close();
                        }
                        order = Scope.release(batches.permutation(n));
                    }
                    Tensor idx = order.slice(0, at, at + BATCH, 1);
                    Tensor x = data.trainImages().indexSelect(0, idx);
                    Tensor y = data.trainLabels().indexSelect(0, idx);
                    if (contestant.closureBackpropagates()) {
                        opt.step(() -> {
                            opt.zeroGrad();
                            Tensor loss = Losses.crossEntropy(model.forward(x), y, Losses.Reduction.MEAN);
                            loss.backward();
                            return loss;
                        });
                    } else {
                        opt.step(() -> Losses.crossEntropy(model.forward(x), y, Losses.Reduction.MEAN));
                    }
                }
                if ((step + 1) % every == 0) {
                    int point = (step + 1) / every;
                    curve[point] = trainLoss(model, data);
                    if (reached < 0 && curve[point] <= TARGET_LOSS) {
                        reached = step + 1;
                    }
                    if ((step + 1) % Math.max(every, steps / 5 / every * every) == 0) {
                        System.out.printf("%-10s seed %d  step %4d/%d  training loss %.4f  (%.1f s)%n", name, seed, step + 1, steps, curve[point],
                                (System.nanoTime() - start) / 1e9);
                    }
                }
            }
            if (order != null) {
                order.close();
            }
            double accuracy = accuracy(model, data);
            return new Run(name, seed, curve, reached, accuracy, (System.nanoTime() - start) / 1e9);
        }
    }

    private static double trainLoss(MLP model, Digits data) {
        try (Scope s = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            return Losses.crossEntropy(model.forward(data.trainImages()), data.trainLabels(), Losses.Reduction.MEAN).item();
        }
    }

    private static double accuracy(MLP model, Digits data) {
        try (Scope s = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            Tensor predicted = model.forward(data.testImages()).argmax(1);
            return predicted.eq(data.testLabels()).cast(DType.F64).mean().item();
        }
    }

    private static void writeCsv(Path file, List<Run> runs, int steps) throws IOException {
        StringBuilder sb = new StringBuilder("step");
        List<Run> first = runs.stream().filter(r -> r.seed() == 0).toList();
        for (Run r : first) {
            sb.append(',').append(r.optimizer());
        }
        sb.append('\n');
        int every = evalEvery(steps);
        for (int i = 0; i <= steps / every; i++) {
            sb.append((long) i * every);
            for (Run r : first) {
                sb.append(',').append(r.trainLoss()[i]);
            }
            sb.append('\n');
        }
        Files.writeString(file, sb, StandardCharsets.UTF_8);
    }

    private static void writeSummary(Path file, List<Run> runs) throws IOException {
        StringBuilder sb = new StringBuilder("optimizer,seed,final_train_loss,steps_to_target,test_accuracy,seconds\n");
        for (Run r : runs) {
            sb.append(r.optimizer()).append(',').append(r.seed()).append(',').append(r.trainLoss()[r.trainLoss().length - 1]).append(',')
                    .append(r.stepsToTarget()).append(',').append(r.testAccuracy()).append(',').append(String.format("%.3f", r.seconds())).append('\n');
        }
        Files.writeString(file, sb, StandardCharsets.UTF_8);
    }
}
