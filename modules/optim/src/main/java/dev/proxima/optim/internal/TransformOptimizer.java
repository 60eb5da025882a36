package dev.proxima.optim.internal;

import dev.proxima.nn.Parameter;
import dev.proxima.optim.GradientTransform;
import dev.proxima.optim.Optimizer;
import dev.proxima.optim.ParamGroup;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Into;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The stateful optimizer behind {@link Optimizer#of} and the builders: one {@link GradientTransform} and its state
 * per parameter group. A step computes every group's updates and new state inside a scope (so a failure changes
 * nothing and frees what it made), adds the updates into the parameters through {@link Into}, then adopts the new
 * state and frees the state leaves it replaced.
 */
public final class TransformOptimizer extends Optimizer {

    private final List<GradientTransform> transforms;
    private final List<TensorTree> states;

    /**
     * Creates the optimizer and the initial state of every group.
     *
     * @param groups   the parameter groups
     * @param perGroup the transform of each group
     * @param policy   the non-finite policy
     */
    public TransformOptimizer(List<ParamGroup> groups, Function<ParamGroup, GradientTransform> perGroup, NonFinitePolicy policy) {
        super(groups, policy);
        List<GradientTransform> ts = new ArrayList<>();
        List<TensorTree> ss = new ArrayList<>();
        try (Scope scope = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            for (ParamGroup g : paramGroups()) {
                GradientTransform t = perGroup.apply(g);
                ts.add(java.util.Objects.requireNonNull(t, "the transform of a group is null"));
                TensorTree s = t.init(values(g));
                ss.add(s);
            }
            for (TensorTree s : ss) {
                s.leaves().forEach(Scope::release);
            }
        } catch (RuntimeException | Error e) {
            close(); // frees the step counters; the scope freed the partial state
            throw e;
        }
        this.transforms = List.copyOf(ts);
        this.states = ss;
    }

    static TensorTree values(ParamGroup g) {
        List<Tensor> vs = new ArrayList<>(g.params().size());
        for (Parameter p : g.params()) {
            vs.add(p.value());
        }
        return TensorTree.ofTensors(vs);
    }

    /** The gradients of a group (zeros for a parameter without one), or null if no parameter has a gradient. */
    static TensorTree grads(ParamGroup g) {
        List<Tensor> gs = new ArrayList<>(g.params().size());
        boolean any = false;
        for (Parameter p : g.params()) {
            Tensor grad = p.grad();
            any |= grad != null;
            gs.add(grad != null ? grad : Tensor.zerosLike(p.value()));
        }
        return any ? TensorTree.ofTensors(gs) : null;
    }

    @Override
    protected Tensor update(Supplier<Tensor> closure) {
        Tensor loss = closure == null ? null : evaluate(closure);
        if (!gradientsAccepted()) {
            return loss;
        }
        List<ParamGroup> groups = paramGroups();
        List<TensorTree> next = new ArrayList<>(states);
        try (Scope scope = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            List<TensorTree> updates = new ArrayList<>();
            for (int g = 0; g < groups.size(); g++) {
                TensorTree grads = grads(groups.get(g));
                if (grads == null) {
                    updates.add(null);
                    continue;
                }
                GradientTransform.Update u = transforms.get(g).update(grads, states.get(g), values(groups.get(g)));
                updates.add(u.updates());
                next.set(g, u.state());
            }
            for (int g = 0; g < groups.size(); g++) {
                if (updates.get(g) != null) {
                    apply(groups.get(g), updates.get(g));
                }
            }
            Set<Tensor> old = Collections.newSetFromMap(new IdentityHashMap<>());
            states.forEach(s -> old.addAll(s.leaves()));
            Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());
            for (TensorTree s : next) {
                for (Tensor t : s.leaves()) {
                    if (!old.contains(t)) {
                        Scope.release(t);
                    }
                    kept.add(t);
                }
            }
            for (Tensor t : old) {
                if (!kept.contains(t)) {
                    t.close();
                }
            }
            for (int g = 0; g < groups.size(); g++) {
                states.set(g, next.get(g));
            }
        }
        countStep();
        return loss;
    }

    private static void apply(ParamGroup group, TensorTree updates) {
        List<Tensor> us = updates.leaves();
        List<Parameter> ps = group.params();
        for (int i = 0; i < ps.size(); i++) {
            Tensor p = ps.get(i).value();
            Tensor u = us.get(i);
            Into.add(p, u.dtype() == p.dtype() ? u : u.cast(p.dtype()), p);
        }
    }

    @Override
    protected TensorTree groupStates() {
        return TensorTree.sequence(states);
    }

    @Override
    protected void closeState() {
        if (states == null) {
            return; // construction failed
        }
        for (TensorTree s : states) {
            s.leaves().forEach(Tensor::close);
        }
    }
}
