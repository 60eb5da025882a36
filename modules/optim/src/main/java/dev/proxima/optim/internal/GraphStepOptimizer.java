package dev.proxima.optim.internal;

import dev.proxima.nn.Parameter;
import dev.proxima.optim.GradientTransform;
import dev.proxima.optim.Optimizer;
import dev.proxima.optim.ParamGroup;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.BackwardOptions;
import dev.proxima.tensor.Into;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The stateful loop of the optimizers whose transforms differentiate the gradient again (Hessian–vector
 * products: Sophia, AdaHessian, gradient-regularized Newton). The closure returns the loss, either without
 * calling {@code backward()} (the step then differentiates it itself with a recorded backward pass) or after
 * {@code backward(null, BackwardOptions.creatingGraph())} (PyTorch's AdaHessian recipe); a plain
 * {@code backward()} frees the graph and is refused. The step gives each group's
 * transform those graph-carrying gradients (so that {@code HessianVectorProducts.fromGradientGraph()}
 * can take products), then frees the graph — the parameters' memory is saved in it, so they cannot be
 * written before — and adds the updates into the parameters. The parameters' {@code grad()} holds the
 * step's (plain) gradient afterwards, as after {@code backward()}.
 *
 * <p>State handling is that of the transform optimizer: every group's updates and new state are computed
 * inside a scope, so a failure changes nothing and frees what it made; the new state is adopted and the
 * replaced state leaves freed.
 */
public final class GraphStepOptimizer extends Optimizer {

    private final String name;
    private final List<GradientTransform> transforms;
    private final List<TensorTree> states;

    /**
     * Creates the optimizer and the initial state of every group.
     *
     * @param name     the optimizer's name, for messages
     * @param groups   the parameter groups
     * @param perGroup the transform of each group
     * @param policy   the non-finite policy
     */
    public GraphStepOptimizer(String name, List<ParamGroup> groups, Function<ParamGroup, GradientTransform> perGroup,
                              NonFinitePolicy policy) {
        super(groups, policy);
        this.name = name;
        List<GradientTransform> ts = new ArrayList<>();
        List<TensorTree> ss = new ArrayList<>();
        try (Scope scope = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            for (ParamGroup g : paramGroups()) {
                GradientTransform t = Objects.requireNonNull(perGroup.apply(g), "the transform of a group is null");
                ts.add(t);
                ss.add(t.init(values(g)));
            }
            for (TensorTree s : ss) {
                s.leaves().forEach(Scope::release);
            }
        }
        this.transforms = List.copyOf(ts);
        this.states = ss;
    }

    /**
     * The gradients the closure left in the parameters if it called {@code backward(null, creatingGraph())}
     * (copied handles that carry the graph), null if it left none.
     *
     * @throws IllegalArgumentException if it called a plain {@code backward()}: the graph is gone
     */
    private Tensor[] graphGradients(List<Tensor> all) {
        Tensor[] out = new Tensor[all.size()];
        boolean any = false;
        for (int i = 0; i < all.size(); i++) {
            Tensor g = all.get(i).grad();
            if (g == null) {
                continue;
            }
            if (!g.requiresGrad()) {
                throw new IllegalArgumentException(name + " takes Hessian–vector products, but the closure's backward() freed the"
                        + " graph: return the loss without calling backward(), or call backward(null, BackwardOptions.creatingGraph())");
            }
            any = true;
            out[i] = g;
        }
        if (!any) {
            return null;
        }
        try (Autodiff.GradMode on = Autodiff.enableGrad()) {
            for (int i = 0; i < out.length; i++) {
                // handles of our own, still on the graph: zeroGrad() below closes the parameters'
                out[i] = out[i] == null ? Tensor.zerosLike(all.get(i)) : out[i].mul(1.0);
            }
        }
        return out;
    }

    private static TensorTree values(ParamGroup g) {
        List<Tensor> vs = new ArrayList<>(g.params().size());
        for (Parameter p : g.params()) {
            vs.add(p.value());
        }
        return TensorTree.ofTensors(vs);
    }

    @Override
    protected Tensor update(Supplier<Tensor> closure) {
        if (closure == null) {
            throw new IllegalArgumentException(name + " takes Hessian–vector products of the loss: call step(closure) with a closure"
                    + " that returns the loss (without calling backward()), not step()");
        }
        List<ParamGroup> groups = paramGroups();
        List<Tensor> all = new ArrayList<>();
        for (ParamGroup g : groups) {
            for (Parameter p : g.params()) {
                all.add(p.value());
            }
        }
        zeroGrad();
        Tensor result;
        List<TensorTree> next = new ArrayList<>(states);
        List<TensorTree> updates = new ArrayList<>();
        Set<Tensor> old = Collections.newSetFromMap(new IdentityHashMap<>());
        states.forEach(s -> old.addAll(s.leaves()));
        // everything made while the graph is alive (the closure's tensors included) belongs to this scope, so
        // that closing it frees the graph, which saved the parameters' memory, before they are written
        try (Scope scope = Scope.open()) {
            Tensor loss = evaluate(closure);
            Tensor[] grads = graphGradients(all);
            if (grads == null) {
                if (!loss.requiresGrad()) {
                    throw new IllegalArgumentException(name + "'s closure returned a loss without a graph: return the loss without"
                            + " calling backward() (or after backward(null, BackwardOptions.creatingGraph())), computed with the"
                            + " parameters with gradients enabled");
                }
                try (Autodiff.GradMode on = Autodiff.enableGrad()) {
                    grads = Autodiff.gradients(loss, null, BackwardOptions.creatingGraph(), all.toArray(Tensor[]::new));
                }
            }
            // the parameters' grad() gets the plain gradients (sharing memory with the graph-carrying ones)
            zeroGrad();
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                for (int i = 0; i < all.size(); i++) {
                    all.get(i).backward(grads[i].detach(), BackwardOptions.defaults());
                }
            }
            result = scope.keep(loss.detach());
            if (!gradientsAccepted()) {
                return result;
            }
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                int at = 0;
                for (int g = 0; g < groups.size(); g++) {
                    int n = groups.get(g).params().size();
                    TensorTree gs = TensorTree.ofTensors(List.of(grads).subList(at, at + n));
                    at += n;
                    GradientTransform.Update u = transforms.get(g).update(gs, states.get(g), values(groups.get(g)));
                    updates.add(u.updates().map(t -> t.detach()));
                    next.set(g, u.state());
                }
            }
            for (TensorTree u : updates) {
                u.leaves().forEach(Scope::release);
            }
            for (TensorTree s : next) {
                for (Tensor t : s.leaves()) {
                    if (!old.contains(t)) {
                        Scope.release(t);
                    }
                }
            }
        }
        try (Autodiff.GradMode off = Autodiff.noGrad()) {
            for (int g = 0; g < groups.size(); g++) {
                List<Tensor> us = updates.get(g).leaves();
                List<Parameter> ps = groups.get(g).params();
                for (int i = 0; i < ps.size(); i++) {
                    Tensor p = ps.get(i).value();
                    Tensor u = us.get(i);
                    if (u.dtype() == p.dtype()) {
                        Into.add(p, u, p);
                    } else {
                        try (Tensor cast = u.cast(p.dtype())) {
                            Into.add(p, cast, p);
                        }
                    }
                }
            }
        } finally {
            updates.forEach(TreeAlgebra::close);
        }
        adopt(next, old);
        countStep();
        return result;
    }

    private void adopt(List<TensorTree> next, Set<Tensor> old) {
        Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        for (TensorTree s : next) {
            kept.addAll(s.leaves());
        }
        for (Tensor t : old) {
            if (!kept.contains(t)) {
                t.close();
            }
        }
        for (int g = 0; g < next.size(); g++) {
            states.set(g, next.get(g));
        }
    }

    @Override
    protected TensorTree groupStates() {
        return TensorTree.sequence(states);
    }

    @Override
    protected void closeState() {
        for (TensorTree s : states) {
            s.leaves().forEach(Tensor::close);
        }
    }
}
