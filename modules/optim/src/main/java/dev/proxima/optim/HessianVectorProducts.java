package dev.proxima.optim;

import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.BackwardOptions;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Where a second-order optimizer gets its Hessian–vector products at the current step: a factory of the
 * operator v ↦ ∇²L(θ)·v (or of an approximation of it: any symmetric operator can stand in, such as a
 * Gauss–Newton or Fisher product) at the parameters θ and gradients g the optimizer is updating with.
 *
 * <p>Two sources come with the module. {@link #of(Function)} differentiates a loss given as a function of
 * the parameter tree, by {@link Autodiff#hvp(Function, TensorTree, TensorTree)}: the functional form,
 * usable in {@link GradientTransform#update} calls anywhere. {@link #fromGradientGraph()} differentiates
 * the gradients themselves (∇²L·v = ∇⟨g, v⟩), which must then carry their graph: the stateful Sophia,
 * AdaHessian and gradient-regularized Newton optimizers compute the gradients of the loss their closure
 * returns with {@link BackwardOptions#creatingGraph()} and hand them to their transforms, so this is
 * their default.
 *
 * {@snippet :
 * Optimizer opt = Sophia.builder().lr(1e-3).build(model.parameters());   // products from the gradient graph
 * opt.step(() -> Losses.crossEntropy(model.forward(x), y, Losses.Reduction.MEAN));  // the closure returns the loss
 * }
 */
@FunctionalInterface
public interface HessianVectorProducts {

    /**
     * The product operator at one point.
     *
     * @param params the parameters θ (the leaves the gradients were taken with respect to)
     * @param grads  the gradients at θ, of {@code params}' structure
     * @return the operator v ↦ ∇²L(θ)·v; its results are owned by the caller's scope
     */
    UnaryOperator<TensorTree> at(TensorTree params, TensorTree grads);

    /**
     * Exact products of a loss given as a function of the parameter tree.
     *
     * @param loss a function of the parameter tree returning a single-element tensor
     * @return the source
     * @throws NullPointerException if {@code loss} is null
     */
    static HessianVectorProducts of(Function<TensorTree, Tensor> loss) {
        Objects.requireNonNull(loss, "loss");
        return (params, grads) -> v -> {
            try (Autodiff.GradMode on = Autodiff.enableGrad()) {
                return Autodiff.hvp(loss, params, v);
            }
        };
    }

    /**
     * Exact products from gradients that carry their graph (taken with
     * {@link BackwardOptions#creatingGraph()}): ∇²L·v = ∇⟨g, v⟩ with v held constant. Each product
     * keeps the graph, so several products can be taken at one point. A gradient without a graph is a
     * constant (its rows of the Hessian are zero), as when the loss is linear in those parameters; so pass
     * gradients computed with {@code creatingGraph()}, never the result of a plain backward pass.
     *
     * @return the source
     */
    static HessianVectorProducts fromGradientGraph() {
        return (params, grads) -> v -> {
            List<Tensor> gs = grads.leaves();
            List<Tensor> vs = v.leaves();
            try (Autodiff.GradMode on = Autodiff.enableGrad()) {
                Tensor gv = null;
                for (int i = 0; i < gs.size(); i++) {
                    if (gs.get(i).requiresGrad()) {
                        Tensor term = gs.get(i).mul(vs.get(i).detach()).sum();
                        gv = gv == null ? term : gv.add(term);
                    }
                }
                if (gv == null) {
                    return params.map(Tensor::zerosLike);
                }
                Tensor[] hv = Autodiff.gradients(gv, null, BackwardOptions.retainingGraph(), params.leaves().toArray(Tensor[]::new));
                return params.withLeaves(List.of(hv));
            }
        };
    }
}
