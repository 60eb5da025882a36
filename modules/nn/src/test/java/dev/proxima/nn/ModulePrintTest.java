package dev.proxima.nn;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Module#toString()}: the layer tree with parameter shapes and counts, like PyTorch's {@code print(model)}. */
@ExtendWith(NoLeaks.class)
class ModulePrintTest {

    @Test
    void mlpPrintsEachLayerWithItsShapesAndCountsAndTheTotal() {
        try (MLP net = new MLP(new long[]{2, 16, 1}, Activation.TANH, DType.F64, Rng.seed(0))) {
            assertEquals("""
                    MLP(
                      (0): Linear(weight: F64[16, 2], bias: F64[16])  # 48 parameters
                      (1): TANH()
                      (2): Linear(weight: F64[1, 16], bias: F64[1])  # 17 parameters
                    )  # 65 parameters""", net.toString());
            assertEquals(65, net.parameterCount());
        }
    }

    @Test
    void nestedContainersIndentAndCountTheirSubtrees() {
        try (Sequential model = new Sequential(
                new Linear(784, 1000, true, DType.F32, Rng.seed(1)),
                new Residual(new Sequential(new LayerNorm(DType.F32, 1000), new ReLU())),
                new BatchNorm(1000, DType.F32),
                new Dropout(0.5, Rng.seed(3)))) {
            String expected = """
                    Sequential(
                      (0): Linear(weight: F32[1000, 784], bias: F32[1000])  # 785,000 parameters
                      (1): Residual(
                        (fn): Sequential(
                          (0): LayerNorm(weight: F32[1000], bias: F32[1000])  # 2,000 parameters
                          (1): ReLU()
                        )  # 2,000 parameters
                      )  # 2,000 parameters
                      (2): BatchNorm(weight: F32[1000], bias: F32[1000], running_mean: F32[1000] (buffer), running_var: F32[1000] (buffer))  # 2,000 parameters
                      (3): Dropout()
                    )  # 789,000 parameters""";
            String printed = model.toString();
            assertEquals(789_000, model.parameterCount());
            assertEquals(expected, printed);
        }
    }

    @Test
    void aClosedModuleSaysSo() {
        Linear layer = new Linear(3, 2, false, DType.F32, Rng.seed(2));
        assertEquals("Linear(weight: F32[2, 3])  # 6 parameters", layer.toString());
        layer.close();
        assertEquals("Linear(<closed>)", layer.toString());
    }
}
