package dev.proxima.optim;

import dev.proxima.nn.Parameter;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A group of parameters with its own learning rate and/or weight decay (PyTorch's parameter groups,
 * {@code [{'params': …, 'lr': …}]}); a hyper-parameter the group does not set is the builder's.
 *
 * {@snippet :
 * Optimizer opt = SGD.builder().lr(0.1).momentum(0.9).build(
 *         ParamGroup.of(backbone.parameters()).withLr(0.01),
 *         ParamGroup.of(head.parameters()).withWeightDecay(0));
 * }
 *
 * @param params      the parameters, at least one, each in one group only
 * @param lr          the group's learning rate, or empty for the builder's
 * @param weightDecay the group's weight decay, or empty for the builder's
 */
public record ParamGroup(List<Parameter> params, OptionalDouble lr, OptionalDouble weightDecay) {

    /**
     * Checks and copies the group.
     *
     * @throws IllegalArgumentException if {@code params} is empty, or lr is not finite and positive, or the
     *                                  weight decay is negative or not finite
     * @throws NullPointerException     if a component or a parameter is null
     */
    public ParamGroup {
        params = List.copyOf(params);
        Objects.requireNonNull(lr, "lr");
        Objects.requireNonNull(weightDecay, "weightDecay");
        if (params.isEmpty()) {
            throw new IllegalArgumentException("a parameter group needs at least one parameter");
        }
        if (lr.isPresent()) {
            Transforms.positive("lr", lr.getAsDouble());
        }
        if (weightDecay.isPresent()) {
            Transforms.nonNegative("weightDecay", weightDecay.getAsDouble());
        }
    }

    /**
     * A group of {@code params} with the builder's hyper-parameters.
     *
     * @param params the parameters
     * @return the group
     * @throws IllegalArgumentException if {@code params} is empty
     */
    public static ParamGroup of(List<Parameter> params) {
        return new ParamGroup(params, OptionalDouble.empty(), OptionalDouble.empty());
    }

    /**
     * This group with its own learning rate.
     *
     * @param lr the learning rate, finite and &gt; 0
     * @return the new group
     * @throws IllegalArgumentException if {@code lr} is not finite and positive
     */
    public ParamGroup withLr(double lr) {
        return new ParamGroup(params, OptionalDouble.of(lr), weightDecay);
    }

    /**
     * This group with its own weight decay.
     *
     * @param weightDecay the weight decay, finite and ≥ 0
     * @return the new group
     * @throws IllegalArgumentException if {@code weightDecay} is negative or not finite
     */
    public ParamGroup withWeightDecay(double weightDecay) {
        return new ParamGroup(params, lr, OptionalDouble.of(weightDecay));
    }
}
