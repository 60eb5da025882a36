package dev.proxima.nn;

import dev.proxima.nn.Losses.Reduction;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Small MLPs fit XOR and a two-arm spiral with full-batch gradient descent with momentum (written inline). */
@ExtendWith(NoLeaks.class)
class TrainingTest {

    /**
     * Heavy-ball SGD: v ← μ·v + g, p ← p − lr·v, until {@code accuracy} reaches 1 (checked every 10 steps).
     *
     * @return the steps taken
     */
    private static int train(Module net, Function<Module, Tensor> loss, Function<Module, Double> accuracy, double lr, double mu, int maxSteps) {
        List<Parameter> ps = net.parameters();
        List<Tensor> velocity = new ArrayList<>();
        for (Parameter p : ps) {
            velocity.add(Scope.release(Tensor.zeros(p.value().dtype(), p.value().shape())));
        }
        try {
            for (int step = 0; step < maxSteps; step++) {
                if (step % 10 == 0) {
                    try (Scope s = Scope.open(); var off = Autodiff.noGrad()) {
                        if (accuracy.apply(net) == 1.0) {
                            return step;
                        }
                    }
                }
                try (Scope s = Scope.open()) {
                    net.zeroGrad();
                    loss.apply(net).backward();
                    try (var off = Autodiff.noGrad()) {
                        for (int i = 0; i < ps.size(); i++) {
                            Parameter p = ps.get(i);
                            Tensor v = velocity.get(i).mul(mu).add(p.grad());
                            velocity.get(i).close();
                            velocity.set(i, Scope.release(v));
                            p.set(p.value().sub(v.mul(lr)));
                        }
                    }
                }
            }
            return maxSteps;
        } finally {
            velocity.forEach(Tensor::close);
        }
    }

    private static double accuracy(Tensor logits, Tensor labels) {
        return logits.argmax(1, false).eq(labels).cast(DType.F64).mean().item();
    }

    @Test
    void xor() {
        try (Scope data = Scope.open(); MLP net = new MLP(new long[]{2, 8, 2}, Activation.TANH, DType.F64, Rng.seed(1))) {
            Tensor x = Tensor.of(0.0, 0, 0, 1, 1, 0, 1, 1).reshape(4, 2);
            Tensor y = Tensor.of(0L, 1L, 1L, 0L);
            int steps = train(net, m -> Losses.crossEntropy(m.forward(x), y, Reduction.MEAN), m -> accuracy(m.forward(x), y), 0.2, 0.9, 500);
            try (Scope s = Scope.open()) {
                assertEquals(1.0, accuracy(net.forward(x), y), "XOR not learned in " + steps + " steps");
            }
        }
    }

    @Test
    void twoArmSpiral() {
        int n = 100; // points per arm
        double[] pts = new double[4 * n];
        long[] labels = new long[2 * n];
        for (int i = 0; i < n; i++) {
            double t = (double) i / n;
            double theta = 0.5 + 3 * Math.PI * t;     // 1.5 turns
            double r = 2 * (0.1 + t);
            for (int arm = 0; arm < 2; arm++) {
                int k = arm * n + i;
                double sgn = arm == 0 ? 1 : -1;
                pts[2 * k] = sgn * r * Math.cos(theta);
                pts[2 * k + 1] = sgn * r * Math.sin(theta);
                labels[k] = arm;
            }
        }
        try (Scope data = Scope.open(); MLP net = new MLP(new long[]{2, 32, 32, 2}, Activation.TANH, DType.F32, Rng.seed(2))) {
            Tensor x = Tensor.of(pts).reshape(2 * n, 2).cast(DType.F32);
            Tensor y = Tensor.of(labels);
            long t0 = System.nanoTime();
            int steps = train(net, m -> Losses.crossEntropy(m.forward(x), y, Reduction.MEAN), m -> accuracy(m.forward(x), y), 0.3, 0.9, 3000);
            System.out.printf("spiral: %d steps, %.2f s%n", steps, (System.nanoTime() - t0) / 1e9);
            try (Scope s = Scope.open()) {
                assertEquals(1.0, accuracy(net.forward(x), y), "spiral not learned in " + steps + " steps");
            }
        }
    }
}
