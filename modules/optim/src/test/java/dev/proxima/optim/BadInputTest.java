package dev.proxima.optim;

import dev.proxima.nn.Parameter;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hyper-parameters out of range are refused at once, with a message naming the value. */
@ExtendWith(NoLeaks.class)
class BadInputTest {

    static void refused(String mustMention, Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(mustMention), "message should mention '" + mustMention + "': " + x.getMessage());
    }

    @Test
    void learningRatesMustBePositiveAndFinite() {
        refused("lr", () -> SGD.builder().lr(0));
        refused("-0.1", () -> Adam.builder().lr(-0.1));
        refused("NaN", () -> AdamW.builder().lr(Double.NaN));
        refused("lr", () -> Transforms.scaleByLearningRate(0));
        try (Scope s = Scope.open(); Parameter p = new Parameter(Tensor.zeros(DType.F64, 1), true)) {
            refused("lr", () -> ParamGroup.of(List.of(p)).withLr(-1));
        }
    }

    @Test
    void betasMustLieInTheHalfOpenUnitInterval() {
        refused("beta1", () -> Adam.builder().betas(1.0, 0.999));
        refused("beta2", () -> Adam.builder().betas(0.9, -0.1));
        refused("momentum", () -> SGD.builder().momentum(1.0));
        refused("1.5", () -> Transforms.scaleByAdam(0.9, 1.5, 1e-8, false));
    }

    @Test
    void epsAndWeightDecayMustBeNonNegative() {
        refused("eps", () -> Adam.builder().eps(-1e-8));
        refused("weightDecay", () -> SGD.builder().weightDecay(-0.1));
        refused("maxNorm", () -> Transforms.clipByGlobalNorm(0));
    }

    @Test
    void nesterovNeedsMomentumAndNoDampening() {
        try (Scope s = Scope.open(); Parameter p = new Parameter(Tensor.zeros(DType.F64, 2), true)) {
            refused("Nesterov", () -> SGD.builder().nesterov(true).build(List.of(p)));
            refused("dampening", () -> SGD.builder().momentum(0.9).dampening(0.1).nesterov(true).build(List.of(p)));
        }
    }

    @Test
    void aStateOfAnotherOptimizerOrOtherShapesIsRefusedOnLoad(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (Scope s = Scope.open();
             Parameter p = new Parameter(Tensor.zeros(DType.F64, 2), true);
             Parameter q = new Parameter(Tensor.zeros(DType.F64, 3), true);
             Optimizer adam = Adam.builder().build(List.of(p));
             Optimizer sgd = SGD.builder().momentum(0.9).build(List.of(p));
             Optimizer adamOther = Adam.builder().build(List.of(q))) {
            refused("lacks 'groups.0.0.buf.0'", () -> sgd.loadState(adam.state()));
            refused("F64[2]", () -> adamOther.loadState(adam.state()));
            java.nio.file.Path file = dir.resolve("adam.safetensors");
            adam.save(file);
            dev.proxima.io.FileFormatException e = assertThrows(dev.proxima.io.FileFormatException.class, () -> adamOther.load(file));
            assertTrue(e.getMessage().contains("adam.safetensors") && e.getMessage().contains("groups.0.0.mu.0"), e.getMessage());
        }
    }

    @Test
    void aParameterMayBeInOneGroupOnly() {
        try (Scope s = Scope.open(); Parameter p = new Parameter(Tensor.zeros(DType.F64, 2), true)) {
            refused("group", () -> SGD.builder().build(ParamGroup.of(List.of(p)), ParamGroup.of(List.of(p))));
            refused("at least one", () -> SGD.builder().build(List.of()));
        }
    }
}
