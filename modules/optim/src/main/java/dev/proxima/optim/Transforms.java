package dev.proxima.optim;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.LinkedHashMap;
import java.util.List;

/**
 * The building blocks of optimizers: small {@link GradientTransform}s, composed with
 * {@link GradientTransform#chain}. Formulas follow PyTorch's optimizers (so that chains reproduce
 * {@code torch.optim} trajectories) and name optax's equivalent where the two differ.
 *
 * {@snippet :
 * // torch.optim.SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)
 * GradientTransform sgd = GradientTransform.chain(
 *         Transforms.addDecayedWeights(1e-4),
 *         Transforms.momentum(0.9, 0, true),
 *         Transforms.scaleByLearningRate(0.1));
 * }
 *
 * <p>Hyper-parameters are checked when a transform is made: a value out of range throws an
 * {@link IllegalArgumentException} naming it. State leaves are named (e.g. {@code mu}, {@code nu}, {@code count})
 * so that saved states read like PyTorch's ({@code exp_avg}, {@code exp_avg_sq}, {@code step}).
 */
public final class Transforms {

    private Transforms() {
    }

    // ------------------------------------------------------------------ checks and state helpers

    static double finite(String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite, got " + value);
        }
        return value;
    }

    static double nonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and ≥ 0, got " + value);
        }
        return value;
    }

    static double positive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
        }
        return value;
    }

    static double unitInterval(String name, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), got " + value);
        }
        return value;
    }

    private static TensorTree empty() {
        return TensorTree.dict(new LinkedHashMap<>());
    }

    private static TensorTree.Dict dictState(String transform, TensorTree state, String... keys) {
        if (!(state instanceof TensorTree.Dict d) || !d.entries().keySet().equals(new java.util.LinkedHashSet<>(List.of(keys)))) {
            throw new IllegalArgumentException("the state of " + transform + " is a dict with keys " + List.of(keys)
                    + ", got " + state.structure());
        }
        return d;
    }

    private static TensorTree stateOf(Object... keysAndTrees) {
        LinkedHashMap<String, TensorTree> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndTrees.length; i += 2) {
            Object v = keysAndTrees[i + 1];
            m.put((String) keysAndTrees[i], v instanceof Tensor t ? TensorTree.leaf(t) : (TensorTree) v);
        }
        return TensorTree.dict(m);
    }

    /** A new step count: a 0-d I64 host tensor. */
    static Tensor count(long n) {
        return Tensor.full(n, DType.I64);
    }

    /** The value of a step count leaf. */
    static long countOf(TensorTree.Dict state) {
        Tensor c = ((TensorTree.Leaf) state.entries().get("count")).tensor();
        return c.getLong();
    }

    private static TensorTree sub(TensorTree.Dict state, String key) {
        return state.entries().get(key);
    }

    /** A transform without state from a per-leaf function of (update, parameter). */
    private static GradientTransform stateless(String name, java.util.function.BinaryOperator<Tensor> f) {
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                return empty();
            }

            @Override
            public Update update(TensorTree grads, TensorTree state, TensorTree params) {
                dictState(name, state);
                return new Update(grads.zip(params, f), empty());
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    // ------------------------------------------------------------------ scaling

    /**
     * Multiplies the updates by a constant ({@code optax.scale}).
     *
     * @param factor the factor, finite
     * @return the transform (stateless)
     * @throws IllegalArgumentException if {@code factor} is not finite
     */
    public static GradientTransform scale(double factor) {
        finite("scale factor", factor);
        return stateless("scale(" + factor + ")", (u, p) -> u.mul(factor));
    }

    /**
     * Multiplies the updates by {@code schedule(count)}, {@code count} the number of updates done so far
     * ({@code optax.scale_by_schedule}).
     *
     * @param schedule the factor per step
     * @return the transform; its state is {@code {count}}
     */
    public static GradientTransform scaleBySchedule(Schedule schedule) {
        java.util.Objects.requireNonNull(schedule, "schedule");
        return scheduled("scaleBySchedule", schedule, 1.0);
    }

    /**
     * Multiplies the updates by {@code −lr}: the last transform of a descent method (PyTorch's
     * {@code p.add_(update, alpha=-lr)}).
     *
     * @param lr the learning rate, finite and &gt; 0
     * @return the transform; its state is {@code {count}}
     * @throws IllegalArgumentException if {@code lr} is not finite and positive
     */
    public static GradientTransform scaleByLearningRate(double lr) {
        positive("lr", lr);
        return scaleByLearningRate(Schedule.constant(lr));
    }

    /**
     * Multiplies the updates by {@code −lr(count)}, {@code count} the number of updates done so far (0 at the
     * first step). A schedule value that is negative or not finite fails that step (0 is allowed: warmup from 0).
     *
     * @param lr the learning rate per step
     * @return the transform; its state is {@code {count}}
     */
    public static GradientTransform scaleByLearningRate(Schedule lr) {
        java.util.Objects.requireNonNull(lr, "lr");
        return scheduled("scaleByLearningRate", lr, -1.0);
    }

    private static GradientTransform scheduled(String name, Schedule schedule, double sign) {
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                return stateOf("count", count(0));
            }

            @Override
            public Update update(TensorTree grads, TensorTree state, TensorTree params) {
                long n = countOf(dictState(name, state, "count"));
                double value = schedule.valueAt(n);
                if (sign < 0 && !(value >= 0 && Double.isFinite(value))) {
                    throw new IllegalArgumentException("lr must be finite and ≥ 0, but the schedule gives " + value + " at step " + n);
                }
                double factor = sign * value;
                return new Update(grads.map(u -> u.mul(factor)), stateOf("count", count(n + 1)));
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    // ------------------------------------------------------------------ clipping

    /**
     * Scales all updates together so that their global L2 norm is at most {@code maxNorm}, with PyTorch's
     * {@code clip_grad_norm_} formula: factor {@code min(1, maxNorm / (‖u‖ + 1e-6))}.
     *
     * @param maxNorm the largest norm, finite and &gt; 0
     * @return the transform (stateless)
     * @throws IllegalArgumentException if {@code maxNorm} is not finite and positive
     */
    public static GradientTransform clipByGlobalNorm(double maxNorm) {
        positive("maxNorm", maxNorm);
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                return empty();
            }

            @Override
            public Update update(TensorTree grads, TensorTree state, TensorTree params) {
                dictState("clipByGlobalNorm", state);
                Tensor norm = grads.l2Norm();
                Tensor factor = norm.add(1e-6).reciprocal().mul(maxNorm).minimum(1.0);
                return new Update(grads.map(u -> u.mul(factor.to(u.device()).cast(u.dtype()))), empty());
            }

            @Override
            public String toString() {
                return "clipByGlobalNorm(" + maxNorm + ")";
            }
        };
    }

    /**
     * Clips every coordinate of the updates to {@code [−maxAbs, maxAbs]} (per-coordinate clipping; optax's
     * {@code clip}, PyTorch's {@code clip_grad_value_}). NaN stays NaN.
     *
     * @param maxAbs the bound, finite and &gt; 0
     * @return the transform (stateless)
     * @throws IllegalArgumentException if {@code maxAbs} is not finite and positive
     */
    public static GradientTransform clipByValue(double maxAbs) {
        positive("maxAbs", maxAbs);
        return stateless("clipByValue(" + maxAbs + ")", (u, p) -> u.clamp(-maxAbs, maxAbs));
    }

    // ------------------------------------------------------------------ weight decay

    /**
     * Adds {@code weightDecay · params} to the updates. Before the moments of a chain this is PyTorch's
     * coupled {@code weight_decay} (L2 regularisation); right before the learning rate it is decoupled weight
     * decay (AdamW, optax's {@code add_decayed_weights}).
     *
     * @param weightDecay the factor, finite and ≥ 0
     * @return the transform (stateless)
     * @throws IllegalArgumentException if {@code weightDecay} is negative or not finite
     */
    public static GradientTransform addDecayedWeights(double weightDecay) {
        nonNegative("weightDecay", weightDecay);
        return stateless("addDecayedWeights(" + weightDecay + ")",
                (u, p) -> weightDecay == 0 ? u : p.mulAdd(scalarLike(weightDecay, p), u));
    }

    private static Tensor scalarLike(double v, Tensor like) {
        return Tensor.full(v, like.dtype(), like.device());
    }

    // ------------------------------------------------------------------ momentum

    /**
     * PyTorch's SGD momentum: {@code buf := u} at the first step, then {@code buf := momentum·buf +
     * (1 − dampening)·u}; the update is {@code buf}, or {@code u + momentum·buf} with Nesterov.
     *
     * @param momentum  the momentum factor, in [0, 1)
     * @param dampening the dampening, finite (PyTorch allows any value)
     * @param nesterov  whether to use Nesterov momentum (requires momentum &gt; 0 and dampening 0)
     * @return the transform; its state is {@code {count, buf}}
     * @throws IllegalArgumentException if {@code momentum} is outside [0, 1), {@code dampening} is not finite,
     *                                  or Nesterov is asked with momentum 0 or a dampening
     */
    public static GradientTransform momentum(double momentum, double dampening, boolean nesterov) {
        unitInterval("momentum", momentum);
        finite("dampening", dampening);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum > 0 and zero dampening, got momentum "
                    + momentum + " and dampening " + dampening);
        }
        String name = "momentum(" + momentum + ", " + dampening + ", " + nesterov + ")";
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                return stateOf("count", count(0), "buf", params.zerosLike());
            }

            @Override
            public Update update(TensorTree grads, TensorTree state, TensorTree params) {
                TensorTree.Dict s = dictState(name, state, "count", "buf");
                long n = countOf(s);
                TensorTree buf = n == 0
                        ? grads.map(Tensor::copy)
                        : sub(s, "buf").zip(grads, (b, g) -> dampening == 0 ? b.mulAdd(scalarLike(momentum, b), g)
                                : b.mul(momentum).add(g.mul(1 - dampening)));
                TensorTree updates = nesterov ? grads.zip(buf, (g, b) -> b.mulAdd(scalarLike(momentum, b), g)) : buf;
                return new Update(updates, stateOf("count", count(n + 1), "buf", buf));
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /**
     * optax's {@code trace}: {@code t := decay·t + u} from {@code t = 0}; the update is {@code t}, or
     * {@code u + decay·t} with Nesterov. It equals {@link #momentum momentum(decay, 0, nesterov)}.
     *
     * @param decay    the decay, in [0, 1)
     * @param nesterov whether to use Nesterov momentum (requires decay &gt; 0)
     * @return the transform; its state is {@code {count, buf}}
     * @throws IllegalArgumentException if {@code decay} is outside [0, 1), or Nesterov is asked with decay 0
     */
    public static GradientTransform trace(double decay, boolean nesterov) {
        return momentum(decay, 0, nesterov);
    }

    // ------------------------------------------------------------------ adaptive scalings

    /**
     * Adam's scaling (PyTorch's {@code Adam} without the learning rate): {@code m := β₁m + (1−β₁)u},
     * {@code v := β₂v + (1−β₂)u²}; the update is {@code (m / (1−β₁ᵗ)) / (√v̂ / √(1−β₂ᵗ) + eps)} with
     * {@code v̂ = v}, or with AMSGrad {@code v̂ := max(v̂, v)}.
     *
     * @param beta1   the first moment's decay, in [0, 1)
     * @param beta2   the second moment's decay, in [0, 1)
     * @param eps     added to the denominator, finite and ≥ 0
     * @param amsgrad whether to use the running maximum of {@code v} (AMSGrad)
     * @return the transform; its state is {@code {count, mu, nu}} ({@code nuMax} too with AMSGrad)
     * @throws IllegalArgumentException if a beta is outside [0, 1) or {@code eps} is negative or not finite
     */
    public static GradientTransform scaleByAdam(double beta1, double beta2, double eps, boolean amsgrad) {
        unitInterval("beta1", beta1);
        unitInterval("beta2", beta2);
        nonNegative("eps", eps);
        String name = "scaleByAdam(" + beta1 + ", " + beta2 + ", " + eps + ", " + amsgrad + ")";
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                return amsgrad ? stateOf("count", count(0), "mu", params.zerosLike(), "nu", params.zerosLike(), "nuMax", params.zerosLike())
                        : stateOf("count", count(0), "mu", params.zerosLike(), "nu", params.zerosLike());
            }

            @Override
            public Update update(TensorTree grads, TensorTree state, TensorTree params) {
                TensorTree.Dict s = amsgrad ? dictState(name, state, "count", "mu", "nu", "nuMax") : dictState(name, state, "count", "mu", "nu");
                long t = countOf(s) + 1;
                TensorTree mu = sub(s, "mu").zip(grads, (m, g) -> m.mul(beta1).add(g.mul(1 - beta1)));
                TensorTree nu = sub(s, "nu").zip(grads, (v, g) -> v.mul(beta2).add(g.mul(g).mul(1 - beta2)));
                TensorTree nuHat = amsgrad ? sub(s, "nuMax").zip(nu, Tensor::maximum) : nu;
                double bc1 = 1 - Math.pow(beta1, t);
                double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
                double stepSize = 1 / bc1;
                TensorTree updates = mu.zip(nuHat, (m, v) -> m.div(v.sqrt().div(bc2Sqrt).add(eps)).mul(stepSize));
                TensorTree next = amsgrad ? stateOf("count", count(t), "mu", mu, "nu", nu, "nuMax", nuHat)
                        : stateOf("count", count(t), "mu", mu, "nu", nu);
                return new Update(updates, next);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /**
     * RMSprop's scaling (PyTorch's {@code RMSprop} without momentum and learning rate):
     * {@code v := αv + (1−α)u²}; the update is {@code u / (√v + eps)}, or when centered, with
     * {@code g := αg + (1−α)u}, {@code u / (√(v − g²) + eps)}. (optax's {@code scale_by_rms} puts eps under
     * the root; this follows PyTorch.)
     *
     * @param alpha    the smoothing constant, in [0, 1)
     * @param eps      added to the denominator, finite and ≥ 0
     * @param centered whether to normalise by the variance estimate instead of the second moment
     * @return the transform; its state is {@code {nu}} ({@code {mu, nu}} when centered)
     * @throws IllegalArgumentException if {@code alpha} is outside [0, 1) or {@code eps} is negative or not finite
     */
    public static GradientTransform scaleByRms(double alpha, double eps, boolean centered) {
        unitInterval("alpha", alpha);
        nonNegative("eps", eps);
        String name = "scaleByRms(" + alpha + ", " + eps + ", " + centered + ")";
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                return centered ? stateOf("mu", params.zerosLike(), "nu", params.zerosLike()) : stateOf("nu", params.zerosLike());
            }

            @Override
            public Update update(TensorTree grads, TensorTree state, TensorTree params) {
                TensorTree.Dict s = centered ? dictState(name, state, "mu", "nu") : dictState(name, state, "nu");
                TensorTree nu = sub(s, "nu").zip(grads, (v, g) -> v.mul(alpha).add(g.mul(g).mul(1 - alpha)));
                if (!centered) {
                    return new Update(grads.zip(nu, (g, v) -> g.div(v.sqrt().add(eps))), stateOf("nu", nu));
                }
                TensorTree mu = sub(s, "mu").zip(grads, (m, g) -> m.mul(alpha).add(g.mul(1 - alpha)));
                TensorTree denom = nu.zip(mu, (v, m) -> v.sub(m.mul(m)).sqrt().add(eps));
                return new Update(grads.zip(denom, Tensor::div), stateOf("mu", mu, "nu", nu));
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /**
     * Adagrad's scaling (PyTorch's {@code Adagrad} without the learning rate): {@code s := s + u²} from
     * {@code s = initialAccumulatorValue}; the update is {@code u / (√s + eps)}. PyTorch's {@code lr_decay} is a
     * learning-rate schedule ({@link Schedule#inverseTimeDecay}).
     *
     * @param initialAccumulatorValue the starting value of {@code s}, finite and ≥ 0
     * @param eps                     added to the denominator, finite and ≥ 0
     * @return the transform; its state is {@code {sum}}
     * @throws IllegalArgumentException if a value is negative or not finite
     */
    public static GradientTransform scaleByRss(double initialAccumulatorValue, double eps) {
        nonNegative("initialAccumulatorValue", initialAccumulatorValue);
        nonNegative("eps", eps);
        String name = "scaleByRss(" + initialAccumulatorValue + ", " + eps + ")";
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                return stateOf("sum", params.map(p -> Tensor.full(initialAccumulatorValue, p.dtype(), p.device(), p.shape())));
            }

            @Override
            public Update update(TensorTree grads, TensorTree state, TensorTree params) {
                TensorTree.Dict s = dictState(name, state, "sum");
                TensorTree sum = sub(s, "sum").zip(grads, (a, g) -> g.mulAdd(g, a));
                return new Update(grads.zip(sum, (g, a) -> g.div(a.sqrt().add(eps))), stateOf("sum", sum));
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /**
     * AdaGrad-Norm (Ward, Wu and Bottou 2019): one scalar accumulator for all parameters,
     * {@code b² := b² + ‖u‖²} (global norm) from {@code b₀²}; the update is {@code u / b}.
     *
     * @param b0 the initial value of {@code b}, finite and &gt; 0
     * @return the transform; its state is {@code {sum}}, a 0-d F64 tensor on the host holding {@code b²}
     * @throws IllegalArgumentException if {@code b0} is not finite and positive
     */
    public static GradientTransform scaleByAdaGradNorm(double b0) {
        positive("b0", b0);
        String name = "scaleByAdaGradNorm(" + b0 + ")";
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                return stateOf("sum", Tensor.full(b0 * b0, DType.F64));
            }

            @Override
            public Update update(TensorTree grads, TensorTree state, TensorTree params) {
                TensorTree.Dict s = dictState(name, state, "sum");
                Tensor previous = ((TensorTree.Leaf) sub(s, "sum")).tensor();
                Tensor sq = grads.vdot(grads);
                Tensor sum = previous.add(sq.to(previous.device()).cast(DType.F64));
                Tensor b = sum.sqrt();
                TensorTree updates = grads.map(g -> g.div(b.to(g.device()).cast(g.dtype())));
                return new Update(updates, stateOf("sum", sum));
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /**
     * Lion's scaling (Chen et al. 2023): the update is {@code sign(β₁m + (1−β₁)u)}, then
     * {@code m := β₂m + (1−β₂)u}.
     *
     * @param beta1 the interpolation factor of the update, in [0, 1)
     * @param beta2 the decay of the moment, in [0, 1)
     * @return the transform; its state is {@code {mu}}
     * @throws IllegalArgumentException if a beta is outside [0, 1)
     */
    public static GradientTransform scaleByLion(double beta1, double beta2) {
        unitInterval("beta1", beta1);
        unitInterval("beta2", beta2);
        String name = "scaleByLion(" + beta1 + ", " + beta2 + ")";
        return new GradientTransform() {
            @Override
            public TensorTree init(TensorTree params) {
                return stateOf("mu", params.zerosLike());
            }

            @Override
            public Update update(TensorTree grads, TensorTree state, TensorTree params) {
                TensorTree.Dict s = dictState(name, state, "mu");
                TensorTree updates = sub(s, "mu").zip(grads, (m, g) -> m.mul(beta1).add(g.mul(1 - beta1)).sign());
                TensorTree mu = sub(s, "mu").zip(grads, (m, g) -> m.mul(beta2).add(g.mul(1 - beta2)));
                return new Update(updates, stateOf("mu", mu));
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
