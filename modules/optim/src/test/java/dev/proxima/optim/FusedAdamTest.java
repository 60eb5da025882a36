package dev.proxima.optim;

import dev.proxima.nn.Parameter;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stateful Adam/AdamW on the core's fused kernel against the generic chain of the same builder: the same
 * trajectory (F32, to single precision; F64 is checked against torch in {@link TorchTrajectoryTest}), the same
 * state structure (a state saved by one loads into the other), parameters updated in their own memory.
 */
@ExtendWith(NoLeaks.class)
class FusedAdamTest {

    private static void grads(List<Parameter> ps, long seed) {
        try (Scope s = Scope.open()) {
            Rng rng = Rng.seed(seed);
            for (Parameter p : ps) {
                p.zeroGrad();
                p.value().mul(rng.normal(p.value().dtype(), 0, 1, p.value().shape())).sum().backward();
            }
        }
    }

    @Test
    void fusedAndChainAgreeAndShareTheirStateStructure() {
        for (Adam.Builder b : List.of(Adam.builder().lr(1e-2).weightDecay(0.1), AdamW.builder().lr(1e-2).weightDecay(0.1))) {
            try (Scope s = Scope.open();
                 Parameter f1 = new Parameter(Rng.seed(1).normal(DType.F32, 0, 1, 40, 30), true);
                 Parameter f2 = new Parameter(Rng.seed(2).normal(DType.F32, 0, 1, 30), true);
                 Parameter c1 = new Parameter(Rng.seed(1).normal(DType.F32, 0, 1, 40, 30), true);
                 Parameter c2 = new Parameter(Rng.seed(2).normal(DType.F32, 0, 1, 30), true);
                 Optimizer fused = b.build(List.of(f1, f2));
                 Optimizer chain = Optimizer.of(b.transform(), List.of(c1, c2), Optimizer.NonFinitePolicy.THROW)) {
                Tensor before = f1.value();
                for (int i = 0; i < 5; i++) {
                    grads(List.of(f1, f2), 100 + i);
                    grads(List.of(c1, c2), 100 + i);
                    fused.step();
                    chain.step();
                }
                assertSame(before, f1.value(), "the fused step writes into the parameter's own tensor");
                assertArrayEquals(c1.value().toFloatArray(), f1.value().toFloatArray(), 1e-5f);
                assertArrayEquals(c2.value().toFloatArray(), f2.value().toFloatArray(), 1e-5f);
                assertTrue(fused.state().structureEquals(chain.state()), "one state structure for both paths");
                fused.loadState(chain.state());   // interchangeable
                List<Tensor> mine = fused.state().leaves();
                List<Tensor> theirs = chain.state().leaves();
                for (int i = 0; i < mine.size(); i++) {
                    assertArrayEquals(theirs.get(i).toDoubleArray(), mine.get(i).toDoubleArray(), 0.0, "state leaf " + i);
                }
            }
        }
    }
}
