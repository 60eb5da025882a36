package dev.proxima.optim;

import dev.proxima.io.FileFormatException;
import dev.proxima.io.Npy;
import dev.proxima.io.Safetensors;
import dev.proxima.nn.Parameter;
import dev.proxima.optim.internal.TransformOptimizer;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Into;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A stateful optimizer over {@code nn} {@link Parameter}s, used as in PyTorch:
 *
 * {@snippet :
 * try (Optimizer opt = AdamW.builder().lr(1e-3).weightDecay(1e-2).build(model.parameters())) {
 *     for (int i = 0; i < steps; i++) {
 *         try (Scope s = Scope.open()) {
 *             opt.zeroGrad();
 *             Tensor loss = Losses.mse(model.forward(x), y, Losses.Reduction.MEAN);
 *             loss.backward();
 *             opt.step();
 *         }
 *     }
 *     opt.save(Path.of("opt.safetensors"));   // resume later with opt.load(…)
 * }
 * }
 *
 * <h2>Updates</h2>
 * {@link #step()} reads each parameter's accumulated gradient ({@link Parameter#grad()}) and writes the new
 * values into the parameters' own memory through the explicit-output tier ({@link Into}), with recording off:
 * parameters keep their identity, and no full-size result is allocated for them. A parameter without a
 * gradient in a group where others have one is updated with a zero gradient (optax's convention; PyTorch skips
 * it); a group where no parameter has a gradient is skipped. {@link #step(Supplier)} first calls the closure
 * with recording on (it should zero the gradients, compute the loss and call {@code backward()}), as L-BFGS and
 * sharpness-aware methods need.
 *
 * <h2>Non-finite gradients</h2>
 * Before any change, every gradient is checked. With {@link NonFinitePolicy#THROW} (the default) a NaN or
 * infinite gradient throws a {@link NonFiniteGradientException} naming the parameter; with
 * {@link NonFinitePolicy#SKIP_STEP} the step is skipped and counted ({@link #skippedSteps()}), as PyTorch's
 * {@code GradScaler} does. Either way neither parameters nor state change, so weights are never corrupted.
 *
 * <h2>State</h2>
 * {@link #state()} is a {@link TensorTree}: {@code {step, skipped, groups: [state of group 0, …]}}, the
 * per-group states as the optimizer's transforms define them (moments, step counts). {@link #save}/{@link #load}
 * write and read it as safetensors or {@code .npz} files, named by tree path, like {@code nn} modules' state
 * files; a run saved and resumed continues bit-identically. The optimizer owns its state: {@link #close()}
 * frees it (not the parameters).
 */
public abstract class Optimizer implements AutoCloseable {

    /** What a step does with a gradient holding NaN or an infinity. */
    public enum NonFinitePolicy {
        /** Throw a {@link NonFiniteGradientException} (nothing changes). */
        THROW,
        /** Skip the whole step (nothing changes) and count it in {@link #skippedSteps()}. */
        SKIP_STEP
    }

    private final List<ParamGroup> groups;
    private final NonFinitePolicy policy;
    private final Tensor steps;
    private final Tensor skipped;
    private boolean closed;

    /**
     * For subclasses.
     *
     * @param groups the parameter groups, at least one; a parameter may be in one group only
     * @param policy what to do with non-finite gradients
     * @throws IllegalArgumentException if there is no group, or a parameter is in two groups
     */
    protected Optimizer(List<ParamGroup> groups, NonFinitePolicy policy) {
        this.groups = List.copyOf(groups);
        this.policy = Objects.requireNonNull(policy, "policy");
        if (this.groups.isEmpty()) {
            throw new IllegalArgumentException("an optimizer needs at least one parameter group");
        }
        IdentityHashMap<Parameter, Integer> seen = new IdentityHashMap<>();
        for (int g = 0; g < this.groups.size(); g++) {
            for (Parameter p : this.groups.get(g).params()) {
                if (!p.trainable()) {
                    throw new IllegalArgumentException("group " + g + " holds a buffer " + p + "; optimizers update trainable parameters");
                }
                Integer before = seen.put(p, g);
                if (before != null) {
                    throw new IllegalArgumentException("a parameter " + p + " is in group " + before + " and in group " + g
                            + " (or twice in one group); each parameter belongs to one group");
                }
            }
        }
        this.steps = Scope.release(Tensor.full(0L, DType.I64));
        this.skipped = Scope.release(Tensor.full(0L, DType.I64));
    }

    /**
     * A stateful optimizer running {@code transform} over {@code params} (one group), for chains of your own.
     *
     * @param transform the gradient transform (ending with a learning rate, e.g. {@link Transforms#scaleByLearningRate})
     * @param params    the parameters
     * @param policy    what to do with non-finite gradients
     * @return the optimizer
     * @throws IllegalArgumentException if {@code params} is empty or holds a parameter twice
     */
    public static Optimizer of(GradientTransform transform, List<Parameter> params, NonFinitePolicy policy) {
        Objects.requireNonNull(transform, "transform");
        return new TransformOptimizer(List.of(ParamGroup.of(params)), g -> transform, policy);
    }

    /**
     * A stateful optimizer over several groups, each with the transform {@code perGroup} makes for it.
     *
     * @param groups   the parameter groups
     * @param perGroup the transform of a group (called once per group, at construction)
     * @param policy   what to do with non-finite gradients
     * @return the optimizer
     * @throws IllegalArgumentException if there is no group or a parameter is in two groups
     */
    public static Optimizer of(List<ParamGroup> groups, Function<ParamGroup, GradientTransform> perGroup, NonFinitePolicy policy) {
        return new TransformOptimizer(groups, perGroup, policy);
    }

    // ------------------------------------------------------------------ training loop

    /** {@return the parameter groups, in order} */
    public final List<ParamGroup> paramGroups() {
        return groups;
    }

    /** {@return the policy for non-finite gradients} */
    public final NonFinitePolicy nonFinitePolicy() {
        return policy;
    }

    /** Discards the accumulated gradient of every parameter of every group. */
    public final void zeroGrad() {
        for (ParamGroup g : groups) {
            for (Parameter p : g.params()) {
                p.zeroGrad();
            }
        }
    }

    /**
     * One update from the parameters' accumulated gradients.
     *
     * @throws NonFiniteGradientException if a gradient is not finite and the policy is {@code THROW}
     * @throws IllegalStateException      if the optimizer is closed
     */
    public final void step() {
        step(null);
    }

    /**
     * One update; {@code closure} (if not null) is called first, with recording on, to recompute the loss and
     * the gradients (optimizers that evaluate the loss several times per step, such as L-BFGS, call it again).
     *
     * @param closure zeroes the gradients, computes the loss, calls {@code backward()} and returns the loss; or null
     * @return the loss the first closure call returned (in the caller's scope), or null without a closure
     * @throws NonFiniteGradientException if a gradient is not finite and the policy is {@code THROW}
     * @throws IllegalStateException      if the optimizer is closed
     */
    public final Tensor step(Supplier<Tensor> closure) {
        if (closed) {
            throw new IllegalStateException("the optimizer is closed");
        }
        Tensor loss = update(closure);
        return loss;
    }

    /**
     * The update of one step, for subclasses: evaluate the closure if given (see {@link #evaluate}), check the
     * gradients ({@link #gradientsAccepted}) and, if accepted, update the parameters and the state, then call
     * {@link #countStep()}.
     *
     * @param closure the closure given to {@link #step(Supplier)}, or null
     * @return the loss of the first closure evaluation, or null
     */
    protected abstract Tensor update(Supplier<Tensor> closure);

    /**
     * Calls {@code closure} with recording on.
     *
     * @param closure the closure
     * @return its loss
     * @throws NullPointerException if the closure is null or returns null
     */
    protected static Tensor evaluate(Supplier<Tensor> closure) {
        try (Autodiff.GradMode on = Autodiff.enableGrad()) {
            return Objects.requireNonNull(closure.get(), "the closure returned null instead of the loss");
        }
    }

    /**
     * Applies the non-finite policy to the current gradients of all groups.
     *
     * @return true if every gradient is finite; false if one is not and the policy is {@code SKIP_STEP} (the
     * skipped step is then counted)
     * @throws NonFiniteGradientException if one is not finite and the policy is {@code THROW}
     */
    protected final boolean gradientsAccepted() {
        for (int g = 0; g < groups.size(); g++) {
            List<Parameter> ps = groups.get(g).params();
            for (int i = 0; i < ps.size(); i++) {
                Tensor grad = ps.get(i).grad();
                if (grad != null && !finite(grad)) {
                    if (policy == NonFinitePolicy.THROW) {
                        throw new NonFiniteGradientException("the gradient of parameter " + i + " of group " + g + " (" + ps.get(i)
                                + ") holds NaN or an infinity; the step was not taken (NonFinitePolicy.SKIP_STEP skips such steps)");
                    }
                    try (Autodiff.GradMode off = Autodiff.noGrad()) {
                        Into.fill(skipped, skipped.getLong() + 1);
                    }
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean finite(Tensor grad) {
        try (Scope s = Scope.open(); Autodiff.GradMode off = Autodiff.noGrad()) {
            // one pass: a sum is finite unless an element is not (or, rarely, the finite sum overflows: check exactly)
            if (Double.isFinite(grad.sum().item())) {
                return true;
            }
            return grad.isfinite().logicalNot().sum().item() == 0;
        }
    }

    /** Counts a step taken; subclasses call it once the parameters are updated. */
    protected final void countStep() {
        try (Autodiff.GradMode off = Autodiff.noGrad()) {
            Into.fill(steps, steps.getLong() + 1);
        }
    }

    /** {@return the number of steps taken (skipped ones excluded)} */
    public final long stepCount() {
        return steps.getLong();
    }

    /** {@return the number of steps skipped for non-finite gradients} */
    public final long skippedSteps() {
        return skipped.getLong();
    }

    // ------------------------------------------------------------------ state

    /**
     * The state of each group, in order, as live tensors owned by the optimizer (a sequence of one tree per group).
     *
     * @return the groups' state
     */
    protected abstract TensorTree groupStates();

    /**
     * The whole state, {@code {step, skipped, groups}}, as live tensors owned by the optimizer: do not close
     * them; copy what must outlive the next step.
     *
     * @return the state tree
     * @throws IllegalStateException if the optimizer is closed
     */
    public final TensorTree state() {
        if (closed) {
            throw new IllegalStateException("the optimizer is closed");
        }
        LinkedHashMap<String, TensorTree> m = new LinkedHashMap<>();
        m.put("step", TensorTree.leaf(steps));
        m.put("skipped", TensorTree.leaf(skipped));
        m.put("groups", groupStates());
        return TensorTree.dict(m);
    }

    /**
     * Copies {@code state} (as {@link #state()} returns it, from an optimizer of the same kind over parameters of
     * the same shapes) into this optimizer's state. Everything is checked before anything is copied.
     *
     * @param state the state to load; the caller keeps it
     * @throws IllegalArgumentException naming the first missing, unexpected or mismatching entry
     */
    public final void loadState(TensorTree state) {
        loadFlat(state.flatten(), "the state");
    }

    private void loadFlat(Map<String, Tensor> given, String source) {
        SequencedMap<String, Tensor> own = state().flatten();
        for (String k : own.keySet()) {
            if (!given.containsKey(k)) {
                throw new IllegalArgumentException(source + " lacks '" + k + "' (this optimizer's state has " + own.keySet() + ")");
            }
        }
        for (Map.Entry<String, Tensor> e : given.entrySet()) {
            Tensor mine = own.get(e.getKey());
            if (mine == null) {
                throw new IllegalArgumentException(source + " has an unexpected entry '" + e.getKey() + "' (this optimizer's state has "
                        + own.keySet() + ")");
            }
            Tensor t = e.getValue();
            if (t.dtype() != mine.dtype() || !Arrays.equals(t.shape(), mine.shape())) {
                throw new IllegalArgumentException(source + ": '" + e.getKey() + "' is " + t.dtype() + Arrays.toString(t.shape())
                        + ", this optimizer expects " + mine.dtype() + Arrays.toString(mine.shape()));
            }
        }
        try (Autodiff.GradMode off = Autodiff.noGrad()) {
            for (Map.Entry<String, Tensor> e : own.entrySet()) {
                Into.copy(given.get(e.getKey()), e.getValue());
            }
        }
    }

    /**
     * Writes {@link #state()} to {@code file}, each tensor named by its tree path ({@code "groups.0.1.mu.0"}):
     * as safetensors, or as a NumPy {@code .npz} archive when the name ends with {@code .npz}.
     *
     * @param file the file to write (replaced if it exists)
     * @throws IOException if the file cannot be written
     */
    public final void save(Path file) throws IOException {
        Map<String, Tensor> flat = state().flatten();
        if (isNpz(file)) {
            Npy.writeNpz(file, flat, false);
        } else {
            Safetensors.write(file, flat);
        }
    }

    /**
     * Reads a file written by {@link #save} into this optimizer (of the same kind and configuration, over
     * parameters of the same shapes). Names, dtypes and shapes are checked first: on any error nothing changes.
     *
     * @param file a safetensors file, or a {@code .npz} archive when its name ends with {@code .npz}
     * @throws FileFormatException if the file is malformed or does not hold exactly this optimizer's state
     *                             (the message names the file and the first missing, unexpected or mismatching entry)
     * @throws IOException         if the file cannot be read
     */
    public final void load(Path file) throws IOException {
        try (Scope scope = Scope.open()) {
            Map<String, Tensor> loaded = isNpz(file) ? Npy.readNpz(file) : Safetensors.read(file);
            try {
                loadFlat(loaded, "the saved state");
            } catch (IllegalArgumentException e) {
                throw new FileFormatException(file.toString(), e.getMessage(), e);
            }
        }
    }

    private static boolean isNpz(Path file) {
        Path name = file.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".npz");
    }

    /** Frees the state (subclasses free theirs in {@link #closeState()}); the parameters stay open. Idempotent. */
    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        steps.close();
        skipped.close();
        closeState();
    }

    /** Frees the subclass's state tensors; called once by {@link #close()}. */
    protected abstract void closeState();

    /** {@return whether {@link #close()} was called} */
    public final boolean isClosed() {
        return closed;
    }
}
