package dev.proxima.optim;

import dev.proxima.nn.Parameter;
import dev.proxima.optim.internal.TransformOptimizer;

import java.util.List;
import java.util.Objects;

/**
 * What every optimizer builder has: the learning rate (a number or a {@link Schedule}), the weight decay,
 * {@code maximize}, the non-finite policy, and the two ways to get an optimizer — stateful ({@link #build})
 * or functional ({@link #transform()}). Hyper-parameters carry PyTorch's names and defaults; each setter checks
 * its value at once.
 *
 * @param <B> the concrete builder, returned by the setters
 */
public abstract class OptimizerBuilder<B extends OptimizerBuilder<B>> {

    private Schedule lr;
    private double weightDecay;
    private boolean maximize;
    private Optimizer.NonFinitePolicy nonFinite = Optimizer.NonFinitePolicy.THROW;

    /**
     * For subclasses.
     *
     * @param defaultLr the optimizer's default learning rate (PyTorch's)
     */
    protected OptimizerBuilder(double defaultLr) {
        this.lr = Schedule.constant(defaultLr);
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * The learning rate.
     *
     * @param lr finite and &gt; 0
     * @return this builder
     * @throws IllegalArgumentException if {@code lr} is not finite and positive
     */
    public B lr(double lr) {
        Transforms.positive("lr", lr);
        this.lr = Schedule.constant(lr);
        return self();
    }

    /**
     * A learning-rate schedule, evaluated at the optimizer's step count (0 at the first step).
     *
     * @param schedule the schedule; its values must be finite and ≥ 0
     * @return this builder
     */
    public B lr(Schedule schedule) {
        this.lr = Objects.requireNonNull(schedule, "schedule");
        return self();
    }

    /**
     * The weight decay (PyTorch's {@code weight_decay}: added to the gradient, or decoupled for AdamW and Lion).
     *
     * @param weightDecay finite and ≥ 0
     * @return this builder
     * @throws IllegalArgumentException if {@code weightDecay} is negative or not finite
     */
    public B weightDecay(double weightDecay) {
        this.weightDecay = Transforms.nonNegative("weightDecay", weightDecay);
        return self();
    }

    /**
     * Whether to maximize the objective instead of minimizing it (PyTorch's {@code maximize}: the gradient's
     * sign is flipped first).
     *
     * @param maximize true to ascend
     * @return this builder
     */
    public B maximize(boolean maximize) {
        this.maximize = maximize;
        return self();
    }

    /**
     * What a step does with a NaN or infinite gradient (default {@link Optimizer.NonFinitePolicy#THROW}).
     *
     * @param policy the policy
     * @return this builder
     */
    public B nonFinite(Optimizer.NonFinitePolicy policy) {
        this.nonFinite = Objects.requireNonNull(policy, "policy");
        return self();
    }

    /** {@return the learning-rate schedule} */
    protected final Schedule lr() {
        return lr;
    }

    /** {@return the weight decay} */
    protected final double weightDecay() {
        return weightDecay;
    }

    /** {@return whether to maximize} */
    protected final boolean maximize() {
        return maximize;
    }

    /** {@return the non-finite policy} */
    protected final Optimizer.NonFinitePolicy nonFinite() {
        return nonFinite;
    }

    /**
     * The optimizer's chain for a learning rate and a weight decay (the builder's other settings apply).
     *
     * @param lr          the learning rate
     * @param weightDecay the weight decay
     * @return the chain
     */
    protected abstract GradientTransform transform(Schedule lr, double weightDecay);

    /**
     * The optimizer as a gradient transform, for functional use ({@link GradientTransform#step}).
     *
     * @return the chain with this builder's settings
     */
    public GradientTransform transform() {
        return transform(lr, weightDecay);
    }

    /**
     * A stateful optimizer over {@code params}, one group with this builder's settings.
     *
     * @param params the parameters to update, at least one
     * @return the optimizer
     * @throws IllegalArgumentException if {@code params} is empty or holds a parameter twice
     */
    public Optimizer build(List<Parameter> params) {
        return build(ParamGroup.of(params));
    }

    /**
     * A stateful optimizer over parameter groups, each with its own learning rate and weight decay where it
     * sets them.
     *
     * @param groups the groups, at least one
     * @return the optimizer
     * @throws IllegalArgumentException if there is no group or a parameter is in two groups
     */
    public Optimizer build(ParamGroup... groups) {
        return create(List.of(groups));
    }

    /**
     * Makes the optimizer; the default runs {@link #transform(Schedule, double)} per group.
     *
     * @param groups the groups
     * @return the optimizer
     */
    protected Optimizer create(List<ParamGroup> groups) {
        return new TransformOptimizer(groups, g -> transform(lrOf(g), weightDecayOf(g)), nonFinite);
    }

    /**
     * The learning rate of a group: its own, or the builder's.
     *
     * @param g the group
     * @return the schedule
     */
    protected final Schedule lrOf(ParamGroup g) {
        return g.lr().isPresent() ? Schedule.constant(g.lr().getAsDouble()) : lr;
    }

    /**
     * The weight decay of a group: its own, or the builder's.
     *
     * @param g the group
     * @return the weight decay
     */
    protected final double weightDecayOf(ParamGroup g) {
        return g.weightDecay().isPresent() ? g.weightDecay().getAsDouble() : weightDecay;
    }

    /**
     * The chain {@code [scale(−1) if maximize] + transforms}, dropping null entries.
     *
     * @param transforms the rest of the chain (nulls skipped)
     * @return the chain
     */
    protected final GradientTransform chain(GradientTransform... transforms) {
        java.util.ArrayList<GradientTransform> list = new java.util.ArrayList<>();
        if (maximize) {
            list.add(Transforms.scale(-1));
        }
        for (GradientTransform t : transforms) {
            if (t != null) {
                list.add(t);
            }
        }
        return GradientTransform.chain(list.toArray(GradientTransform[]::new));
    }
}
