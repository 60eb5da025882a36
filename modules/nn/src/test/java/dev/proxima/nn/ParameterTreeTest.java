package dev.proxima.nn;

import dev.proxima.nn.Losses.Reduction;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.DTypeMismatchException;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A module's parameters as a tensor tree, and the module as a function of that tree. */
@ExtendWith(NoLeaks.class)
class ParameterTreeTest {

    private static MLP mlp() {
        return new MLP(new long[]{3, 5, 4, 2}, Activation.TANH, DType.F64, Rng.seed(11));
    }

    private static Tensor inputs() {
        return Rng.seed(5).normal(DType.F64, 0, 1, 7, 3);
    }

    private static Tensor targets() {
        return Rng.seed(6).normal(DType.F64, 0, 1, 7, 2);
    }

    @Test
    void theTreeMirrorsNamedParameters() {
        try (MLP net = mlp(); Scope s = Scope.open()) {
            TensorTree tree = net.parameterTree();
            assertEquals(List.copyOf(net.namedParameters().keySet()), List.copyOf(tree.flatten().keySet()));
            assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"), tree.structure().paths());
            assertEquals("{0: {weight: *, bias: *}, 2: {weight: *, bias: *}, 4: {weight: *, bias: *}}", tree.structure().toString(),
                    "activations have no parameters and no subtree");
            assertEquals(net.parameterCount(), tree.elementCount());
            for (Map.Entry<String, Parameter> e : net.namedParameters().entrySet()) {
                assertSame(e.getValue().value(), tree.get(e.getKey()));
            }
        }
    }

    @Test
    void gradientOverTheTreeMatchesBackward() {
        try (MLP net = mlp(); Scope s = Scope.open()) {
            Tensor x = inputs();
            Tensor y = targets();
            Losses.mse(net.forward(x), y, Reduction.MEAN).backward();
            Autodiff.TreeValueAndGrad vg = Autodiff.valueAndGrad(p -> Losses.mse(net.forwardWith(p, x), y, Reduction.MEAN), net.parameterTree());
            for (Map.Entry<String, Parameter> e : net.namedParameters().entrySet()) {
                assertArrayEquals(e.getValue().grad().toDoubleArray(), vg.grad().get(e.getKey()).toDoubleArray(), 1e-14, e.getKey());
            }
            assertEquals(Losses.mse(net.forward(x), y, Reduction.MEAN).item(), vg.value().item(), 1e-15);
            // the functional call leaves the module's own values (and their accumulated gradients) in place
            for (Map.Entry<String, Parameter> e : net.namedParameters().entrySet()) {
                assertSame(e.getValue().value(), net.parameterTree().get(e.getKey()));
            }
        }
    }

    @Test
    void hessianVectorProductOverTheTreeMatchesFiniteDifferencesOfTheGradient() {
        try (MLP net = mlp(); Scope s = Scope.open()) {
            Tensor x = inputs();
            Tensor y = targets();
            Function<TensorTree, Tensor> loss = p -> Losses.mse(net.forwardWith(p, x), y, Reduction.MEAN);
            TensorTree params = net.parameterTree();
            Rng rng = Rng.seed(9);
            TensorTree v = params.map(p -> rng.rademacher(p.dtype(), p.shape()));
            TensorTree hv = Autodiff.hvp(loss, params, v);
            double eps = 1e-5;
            TensorTree plus = Autodiff.grad(loss, params.zip(v, (p, d) -> p.add(d.mul(eps))));
            TensorTree minus = Autodiff.grad(loss, params.zip(v, (p, d) -> p.sub(d.mul(eps))));
            TensorTree central = plus.zip(minus, (a, b) -> a.sub(b).div(2 * eps));
            assertTrue(hv.allClose(central, 1e-6, 1e-8), "H·v by Pearlmutter vs central differences of the gradient");
            assertTrue(v.vdot(hv).item() != 0);
        }
    }

    @Test
    void forwardWithChecksTheTreeAndRestoresTheParameters() {
        try (MLP net = mlp(); Scope s = Scope.open()) {
            Tensor x = inputs();
            TensorTree params = net.parameterTree();
            assertArrayEquals(net.forward(x).toDoubleArray(), net.forwardWith(params, x).toDoubleArray(), 0);
            // zero weights and biases: the output is zero
            assertArrayEquals(new double[14], net.forwardWith(params.zerosLike(), x).toDoubleArray(), 0);
            SequencedMap<String, Tensor> flat = new LinkedHashMap<>(params.flatten());
            flat.remove("4.bias");
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> net.forwardWith(TensorTree.fromPaths(flat), x));
            assertTrue(missing.getMessage().contains("no value for '4.bias'"), missing.getMessage());
            flat.put("4.scale", params.get("4.bias"));
            IllegalArgumentException renamed = assertThrows(IllegalArgumentException.class, () -> net.forwardWith(TensorTree.fromPaths(flat), x));
            assertTrue(renamed.getMessage().contains("'4.scale' where '4.bias' was expected"), renamed.getMessage());
            TensorTree wrongShape = params.mapWithPath((p, t) -> p.equals("2.bias") ? Tensor.zeros(DType.F64, 5) : t);
            ShapeMismatchException shape = assertThrows(ShapeMismatchException.class, () -> net.forwardWith(wrongShape, x));
            assertTrue(shape.getMessage().contains("'2.bias'"), shape.getMessage());
            TensorTree wrongType = params.map(t -> t.cast(DType.F32));
            assertThrows(DTypeMismatchException.class, () -> net.forwardWith(wrongType, x));
            // a failing forward still puts the module's values back
            assertThrows(RuntimeException.class, () -> net.forwardWith(params.zerosLike(), Tensor.zeros(DType.F64, 7, 4)));
            for (Map.Entry<String, Parameter> e : net.namedParameters().entrySet()) {
                assertSame(e.getValue().value(), params.get(e.getKey()));
                assertNull(e.getValue().grad());
            }
        }
    }
}
