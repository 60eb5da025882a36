package dev.proxima.optim.internal;

import dev.proxima.nn.Parameter;
import dev.proxima.optim.GradientTransform;
import dev.proxima.optim.Optimizer;
import dev.proxima.optim.ParamGroup;
import dev.proxima.optim.Schedule;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.Into;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.Supplier;

/**
 * Adam and AdamW (without AMSGrad or maximize) on the core's fused kernel ({@link Into#adamStep}): each step reads
 * gradient, parameter and moments once and writes parameter and moments in place, allocating nothing of the
 * parameters' size. Its state has exactly the structure of the equivalent chain's ({@code [decay?, {count, mu,
 * nu}, {count}]} per group, see {@link dev.proxima.optim.Adam}), so state files are interchangeable.
 */
public final class FusedAdamOptimizer extends Optimizer {

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final boolean decoupled;
    private final List<Schedule> lrs = new ArrayList<>();
    private final List<Double> decays = new ArrayList<>();
    private final List<TensorTree> states = new ArrayList<>();
    private boolean initialised;

    /**
     * Creates the optimizer and its zero state.
     *
     * @param groups    the parameter groups (F32 or F64 parameters)
     * @param chain     the equivalent chain of a group (its {@code init} gives the state)
     * @param lr        the learning rate of a group
     * @param decay     the weight decay of a group
     * @param beta1     β₁
     * @param beta2     β₂
     * @param eps       eps
     * @param decoupled true for AdamW
     * @param policy    the non-finite policy
     */
    public FusedAdamOptimizer(List<ParamGroup> groups, Function<ParamGroup, GradientTransform> chain, Function<ParamGroup, Schedule> lr,
                              ToDoubleFunction<ParamGroup> decay, double beta1, double beta2, double eps, boolean decoupled,
                              NonFinitePolicy policy) {
        super(groups, policy);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.decoupled = decoupled;
        try (Scope scope = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            List<TensorTree> made = new ArrayList<>();
            for (ParamGroup g : paramGroups()) {
                made.add(chain.apply(g).init(TransformOptimizer.values(g)));
                lrs.add(lr.apply(g));
                decays.add(decay.applyAsDouble(g));
            }
            for (TensorTree s : made) {
                s.leaves().forEach(Scope::release);
            }
            states.addAll(made);
            initialised = true;
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Whether the fused kernel takes these parameters (F32 or F64 values). */
    public static boolean supports(List<ParamGroup> groups) {
        for (ParamGroup g : groups) {
            for (Parameter p : g.params()) {
                var t = p.value().dtype();
                if (t != dev.proxima.tensor.DType.F32 && t != dev.proxima.tensor.DType.F64) {
                    return false;
                }
            }
        }
        return true;
    }

    private TensorTree.Dict part(int group, int index) {
        TensorTree.Sequence chain = (TensorTree.Sequence) states.get(group);
        return (TensorTree.Dict) chain.items().get(index);
    }

    private static Tensor leaf(TensorTree t) {
        return ((TensorTree.Leaf) t).tensor();
    }

    @Override
    protected Tensor update(Supplier<Tensor> closure) {
        Tensor loss = closure == null ? null : evaluate(closure);
        if (!gradientsAccepted()) {
            return loss;
        }
        List<ParamGroup> groups = paramGroups();
        try (Scope scope = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            for (int gi = 0; gi < groups.size(); gi++) {
                ParamGroup group = groups.get(gi);
                TensorTree grads = TransformOptimizer.grads(group);
                if (grads == null) {
                    continue;
                }
                double wd = decays.get(gi);
                int items = ((TensorTree.Sequence) states.get(gi)).items().size();
                TensorTree.Dict adam = part(gi, !decoupled && wd > 0 ? 1 : 0);
                TensorTree.Dict lrState = part(gi, items - 1);
                Tensor adamCount = leaf(adam.entries().get("count"));
                Tensor lrCount = leaf(lrState.entries().get("count"));
                long t = adamCount.getLong() + 1;
                double lr = lrs.get(gi).valueAt(lrCount.getLong());
                if (!(lr >= 0 && Double.isFinite(lr))) {
                    throw new IllegalArgumentException("lr must be finite and ≥ 0, but the schedule gives " + lr + " at step " + lrCount.getLong());
                }
                List<Tensor> mu = adam.entries().get("mu").leaves();
                List<Tensor> nu = adam.entries().get("nu").leaves();
                List<Tensor> gs = grads.leaves();
                List<Parameter> ps = group.params();
                for (int i = 0; i < ps.size(); i++) {
                    Into.adamStep(ps.get(i).value(), gs.get(i), mu.get(i), nu.get(i), t, lr, beta1, beta2, eps, wd, decoupled);
                }
                Into.fill(adamCount, t);
                Into.fill(lrCount, lrCount.getLong() + 1);
            }
        }
        countStep();
        return loss;
    }

    @Override
    protected TensorTree groupStates() {
        return TensorTree.sequence(states);
    }

    @Override
    protected void closeState() {
        if (!initialised && states.isEmpty()) {
            return;
        }
        for (TensorTree s : states) {
            s.leaves().forEach(Tensor::close);
        }
    }
}
