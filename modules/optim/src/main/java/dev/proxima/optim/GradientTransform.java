package dev.proxima.optim;

import dev.proxima.tensor.TensorTree;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A gradient transformation, as in optax: a pure pair of functions that turn gradients into parameter
 * updates, carrying their own state (moments, step counts) as a {@link TensorTree}. Optimizers are
 * {@link #chain chains} of small transforms ({@link Transforms}): clipping, weight decay, momentum, Adam's
 * moments, a learning rate. Updates are <em>added</em> to the parameters ({@link #applyUpdates}), so the
 * last transform of a descent method scales by −lr ({@link Transforms#scaleByLearningRate}).
 *
 * <h2>State and ownership</h2>
 * {@link #init} and {@link #update} create new tensors in the caller's current {@link dev.proxima.tensor.Scope}
 * and never close or modify their arguments: the functional form is differentiable where the maths allows
 * (it is built from recorded tensor operations), and usable in bilevel loops. A transform without state
 * returns an empty dict. State leaves live on the parameters' device, except step counts, which are 0-d
 * {@code I64} tensors on the host. A stateful {@link Optimizer} owns its state and frees what a step replaces.
 *
 * {@snippet :
 * GradientTransform adamw = GradientTransform.chain(
 *         Transforms.clipByGlobalNorm(1.0),
 *         Transforms.scaleByAdam(0.9, 0.999, 1e-8, false),
 *         Transforms.addDecayedWeights(1e-2),
 *         Transforms.scaleByLearningRate(Schedule.constant(1e-3)));
 * try (Scope s = Scope.open()) {
 *     TensorTree state = adamw.init(params);
 *     for (int i = 0; i < 100; i++) {
 *         TensorTree grads = Autodiff.grad(loss, params);
 *         GradientTransform.Step step = adamw.step(params, grads, state);
 *         params = step.params();
 *         state = step.state();
 *     }
 * }
 * }
 */
public interface GradientTransform {

    /**
     * The result of {@link #update}: the updates (to add to the parameters) and the new state.
     *
     * @param updates a tree of the gradients' structure
     * @param state   the new state, of the structure {@link #init} gave
     */
    record Update(TensorTree updates, TensorTree state) {
        /**
         * Checks the components.
         *
         * @throws NullPointerException if one is null
         */
        public Update {
            Objects.requireNonNull(updates, "updates");
            Objects.requireNonNull(state, "state");
        }
    }

    /**
     * The result of {@link #step}: the updated parameters and the new state.
     *
     * @param params the new parameters ({@code params + updates})
     * @param state  the new state
     */
    record Step(TensorTree params, TensorTree state) {
        /**
         * Checks the components.
         *
         * @throws NullPointerException if one is null
         */
        public Step {
            Objects.requireNonNull(params, "params");
            Objects.requireNonNull(state, "state");
        }
    }

    /**
     * The initial state for {@code params} (zero moments, a zero step count, or an empty dict).
     *
     * @param params the parameters the transform will update
     * @return the initial state, new tensors in the current scope
     */
    TensorTree init(TensorTree params);

    /**
     * Transforms {@code grads} into updates and advances the state.
     *
     * @param grads  gradients (or the updates of the previous transform of a chain), of the parameters' structure
     * @param state  the state from {@link #init} or the previous update
     * @param params the current parameters (read by weight decay and by transforms scaled to the parameters)
     * @return the updates and the new state (new tensors in the current scope; arguments are left untouched)
     * @throws IllegalArgumentException if the trees' structures differ, or {@code state} is not of this
     *                                  transform's structure
     */
    Update update(TensorTree grads, TensorTree state, TensorTree params);

    /**
     * One functional optimizer step: {@link #update} then {@link #applyUpdates}.
     *
     * @param params the current parameters
     * @param grads  their gradients
     * @param state  the current state
     * @return the new parameters and state (new tensors in the current scope)
     * @throws IllegalArgumentException if the trees' structures differ
     */
    default Step step(TensorTree params, TensorTree grads, TensorTree state) {
        Update u = update(grads, state, params);
        return new Step(applyUpdates(params, u.updates()), u.state());
    }

    /**
     * {@code params + updates}, leaf by leaf (optax's {@code apply_updates}), each sum in the parameter's dtype.
     *
     * @param params  the parameters
     * @param updates updates of the same structure
     * @return the new parameters, new tensors in the current scope
     * @throws IllegalArgumentException if the structures differ
     */
    static TensorTree applyUpdates(TensorTree params, TensorTree updates) {
        return params.zip(updates, (p, u) -> {
            var sum = p.add(u);
            if (sum.dtype() == p.dtype()) {
                return sum;
            }
            var cast = sum.cast(p.dtype());
            sum.close();
            return cast;
        });
    }

    /**
     * The transforms applied one after the other, each to the previous one's updates; the state is a
     * sequence of the transforms' states, in order (optax's {@code chain}).
     *
     * @param transforms the transforms, in order (none: the identity)
     * @return the chain
     * @throws NullPointerException if a transform is null
     */
    static GradientTransform chain(GradientTransform... transforms) {
        List<GradientTransform> list = List.of(transforms);
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                List<TensorTree> states = new ArrayList<>(list.size());
                for (GradientTransform t : list) {
                    states.add(t.init(params));
                }
                return TensorTree.sequence(states);
            }

            @Override
            public Update update(TensorTree grads, TensorTree state, TensorTree params) {
                if (!(state instanceof TensorTree.Sequence seq) || seq.items().size() != list.size()) {
                    throw new IllegalArgumentException("the state of a chain of " + list.size() + " transforms is a sequence of "
                            + list.size() + " states, got " + state.structure());
                }
                List<TensorTree> states = new ArrayList<>(list.size());
                TensorTree updates = grads;
                for (int i = 0; i < list.size(); i++) {
                    Update u = list.get(i).update(updates, seq.items().get(i), params);
                    updates = u.updates();
                    states.add(u.state());
                }
                return new Update(updates, TensorTree.sequence(states));
            }

            @Override
            public String toString() {
                return "chain" + list;
            }
        };
    }
}
