package dev.proxima.tensor;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A user-defined differentiable primitive: a forward computation and its backward rule (the
 * vector–Jacobian product), recorded in the autodiff graph like a built-in operation — PyTorch's
 * {@code torch.autograd.Function}, JAX's {@code jax.custom_vjp}.
 *
 * <h2>Contract</h2>
 * <ul>
 * <li>{@link #forward} computes the outputs from the inputs with recording off: whatever it does
 *     inside (iterations, host loops, non-differentiable operations) is never differentiated. It may
 *     {@link Context#saveForBackward save} tensors and {@link Context#put put} plain values for the
 *     backward rule.</li>
 * <li>{@link #backward} receives the gradient of some scalar with respect to each output and returns
 *     its gradient with respect to each input: {@code grad_i = Σ_k J_ki^T · gradOutput_k}. It runs with
 *     recording on when the backward pass records ({@link BackwardOptions#createGraph()}), so a rule
 *     written in tensor operations of saved inputs is itself differentiable: custom ops support
 *     Hessian-vector products and {@link Autodiff#gradgradcheck} like built-in ones.</li>
 * <li>{@link #apply} runs the forward and records the op when recording is on and an input requires
 *     grad. Call {@code apply}, never {@code forward} directly.</li>
 * </ul>
 *
 * <h2>Inputs and outputs</h2>
 * Floating-point inputs are differentiable; other inputs (indices, masks) are allowed, get no gradient,
 * and their entries in the result of {@code backward} must be null. An op may have several outputs
 * (for example the two dual potentials of Sinkhorn); one backward call receives the gradients of all of
 * them at once — zeros for floating outputs the loss does not use, null for non-floating outputs, which
 * are never differentiable. With several floating outputs, {@code apply} copies them into one recorded
 * buffer and returns views of it, so gradients reaching any of them meet in that one call.
 *
 * <h2>What the backward rule returns</h2>
 * One entry per input: null (no gradient, the same as zero), or a tensor of exactly that input's shape,
 * dtype and device — no implicit broadcasting or casting. Anything else is a programmer error, reported
 * with an exception that names the op and the input.
 *
 * <h2>Saved tensors and higher derivatives</h2>
 * Saved tensors live as long as the recorded graph (the tensors of the forward's own computation are freed
 * when {@code apply} returns, unless saved). The backward rule sees a saved <em>input</em> with its links to
 * the graph, so derivatives of the rule flow back through it; a tensor <em>computed</em> in the forward
 * (an output or an intermediate) is a constant to them. For an op that must be twice differentiable,
 * write the backward rule in tensor operations of saved inputs (recompute what it needs from them).
 *
 * <h2>Example: implicit differentiation of a fixed point</h2>
 * The fixed point z* = tanh(W·z* + x) is found by iterating in the forward pass; its gradient comes from the
 * implicit function theorem instead of from differentiating the iterations: with J = ∂f/∂z = diag(d)·W and
 * d = 1 − z*², the adjoint u solves (I − Jᵀ)·u = g, and then ∂L/∂x = d ⊙ u and ∂L/∂W = (d ⊙ u)·z*ᵀ. Memory stays
 * constant in the number of iterations, and the gradient is that of the exact fixed point.
 * {@snippet :
 * final class FixedPoint implements CustomOp {
 *     @Override
 *     public Tensor[] forward(Context ctx, Tensor... in) {
 *         Tensor w = in[0], x = in[1];
 *         Tensor z = Tensor.zeros(x.dtype(), x.shape());
 *         for (int k = 0; k < 200; k++) {
 *             Tensor next = w.matmul(z).add(x).tanh();
 *             double change = next.sub(z).abs().max().item();
 *             z = next;
 *             if (change < 1e-15) {
 *                 break;
 *             }
 *         }
 *         ctx.saveForBackward(w, z);
 *         return new Tensor[]{z};
 *     }
 *
 *     @Override
 *     public Tensor[] backward(Context ctx, Tensor... gradOutputs) {
 *         Tensor w = ctx.saved(0), z = ctx.saved(1), g = gradOutputs[0];
 *         Tensor d = z.square().neg().add(1);                                        // tanh' at the fixed point
 *         Tensor a = Tensor.eye(z.dim(0), z.dtype()).sub(w.transpose().mul(d));      // I − Jᵀ = I − Wᵀ·diag(d)
 *         Tensor du = Linalg.solve(a, g).mul(d);                                     // d ⊙ u
 *         return new Tensor[]{du.unsqueeze(1).mul(z.unsqueeze(0)), du};              // ∂L/∂W, ∂L/∂x
 *     }
 * }
 *
 * try (Scope s = Scope.open()) {
 *     Tensor w = Tensor.fromArray(new double[][]{{0.3, -0.2}, {0.1, 0.4}}).requiresGrad(true);
 *     Tensor x = Tensor.of(0.5, -1.0).requiresGrad(true);
 *     Tensor z = new FixedPoint().apply(w, x)[0];
 *     z.square().sum().backward();                   // w.grad() and x.grad() by implicit differentiation
 * }
 * }
 *
 * @see Autodiff
 */
public interface CustomOp {

    /**
     * The op's name, used in the autodiff graph and in error messages. Defaults to the class's simple name.
     *
     * @return a short name
     */
    default String name() {
        String simple = getClass().getSimpleName();
        return simple.isEmpty() ? getClass().getName() : simple;
    }

    /**
     * Computes the outputs. Runs with recording off; what it computes is not differentiated.
     *
     * @param ctx    where to save tensors and values for {@link #backward}, and to ask which inputs need a
     *               gradient
     * @param inputs the tensors given to {@link #apply}, as given (they may require grad)
     * @return at least one output; they may be inputs, views of inputs or new tensors, and {@code apply}
     *         returns new handles on them
     */
    Tensor[] forward(Context ctx, Tensor... inputs);

    /**
     * Computes the gradients of the inputs from the gradients of the outputs (the vector–Jacobian product).
     * Runs with recording on exactly when the backward pass records the graph, so that its operations are
     * differentiated in turn.
     *
     * @param ctx         the tensors and values saved by {@link #forward}, and which inputs need a gradient
     * @param gradOutputs one gradient per output, of its shape and dtype; zeros for a floating output the
     *                    loss does not depend on, null for a non-floating output
     * @return one entry per input: null (no gradient), or a tensor of the input's shape, dtype and device;
     *         entries for non-floating inputs must be null
     */
    Tensor[] backward(Context ctx, Tensor... gradOutputs);

    /**
     * Runs {@link #forward} with recording off and, if recording is on and a floating-point input requires
     * grad, records the op so that gradients reaching the outputs flow through {@link #backward}.
     *
     * {@snippet :
     * CustomOp cube = new CustomOp() {
     *     public Tensor[] forward(Context ctx, Tensor... in) {
     *         ctx.saveForBackward(in[0]);
     *         return new Tensor[]{in[0].pow(3)};
     *     }
     *     public Tensor[] backward(Context ctx, Tensor... g) {
     *         Tensor x = ctx.saved(0);
     *         return new Tensor[]{x.square().mul(3).mul(g[0])};           // 3x²·g
     *     }
     * };
     * Tensor dy = Autodiff.grad(x -> cube.apply(x)[0].sum(), Tensor.of(1.0, 2.0));   // [3, 12]
     * }
     *
     * @param inputs the inputs (not null; any dtype)
     * @return new handles on the outputs of {@link #forward}, in its order, owned by the current scope;
     *         floating outputs require grad when the op was recorded
     * @throws NullPointerException     if an input, the forward's result or one of its outputs is null
     * @throws IllegalArgumentException if the forward returns no output, or several floating outputs on
     *                                  different devices
     * @throws IllegalStateException    if an input, an output or a saved tensor is closed
     */
    default Tensor[] apply(Tensor... inputs) {
        return CustomOps.apply(this, inputs);
    }

    /**
     * What {@link #forward} passes to {@link #backward}: saved tensors, plain values, and which inputs need a
     * gradient. One context serves one call of {@link #apply}.
     */
    final class Context {

        private final String op;
        private final boolean[] needsInputGrad;
        private final Map<String, Object> values;
        private final List<Tensor> toSave;
        private final Tensor[] saved;

        /** The context of a forward call. */
        Context(String op, boolean[] needsInputGrad) {
            this.op = op;
            this.needsInputGrad = needsInputGrad;
            this.values = new HashMap<>();
            this.toSave = new java.util.ArrayList<>();
            this.saved = null;
        }

        /** The context of a backward call: the forward's values, the node's saved tensors. */
        Context(Context forward, Tensor[] saved, boolean[] needsInputGrad) {
            this.op = forward.op;
            this.needsInputGrad = needsInputGrad;
            this.values = forward.values;
            this.toSave = null;
            this.saved = saved;
        }

        /**
         * Saves tensors for the backward rule, which reads them with {@link #saved(int)} in the order saved
         * (over all calls). Inputs are seen there with their links to the graph; see the class comment on
         * higher derivatives. Call from {@link CustomOp#forward} only.
         *
         * @param tensors the tensors to keep alive until the recorded graph is freed
         * @throws IllegalStateException if called from {@link CustomOp#backward}
         * @throws NullPointerException  if a tensor is null
         */
        public void saveForBackward(Tensor... tensors) {
            if (toSave == null) {
                throw new IllegalStateException(op + ": saveForBackward is for the forward pass; the backward pass reads saved tensors");
            }
            for (int i = 0; i < tensors.length; i++) {
                toSave.add(Objects.requireNonNull(tensors[i], () -> op + ": cannot save a null tensor for backward"));
            }
        }

        /**
         * A tensor saved by the forward pass.
         *
         * @param index its position among the saved tensors (in the order saved)
         * @return the saved tensor (owned by the graph: do not close it)
         * @throws IllegalStateException     if called from {@link CustomOp#forward}
         * @throws IndexOutOfBoundsException if fewer tensors were saved
         */
        public Tensor saved(int index) {
            if (saved == null) {
                throw new IllegalStateException(op + ": saved tensors can be read in the backward pass only");
            }
            if (index < 0 || index >= saved.length) {
                throw new IndexOutOfBoundsException(op + ": saved tensor " + index + " requested, " + saved.length + " were saved");
            }
            return saved[index];
        }

        /**
         * The number of tensors saved by the forward pass (in the backward pass) or saved so far (in the
         * forward pass).
         *
         * @return the count
         */
        public int savedCount() {
            return saved != null ? saved.length : toSave.size();
        }

        /**
         * Keeps a plain value (an iteration count, a tolerance, a shape) for the backward pass. Tensors are
         * refused: their memory would not live as long as the graph; save them with
         * {@link #saveForBackward}.
         *
         * @param key   the value's name
         * @param value the value (not a tensor)
         * @throws IllegalArgumentException if {@code value} is a tensor
         * @throws IllegalStateException    if called from {@link CustomOp#backward}
         */
        public void put(String key, Object value) {
            if (toSave == null) {
                throw new IllegalStateException(op + ": values are put by the forward pass and read by the backward pass");
            }
            if (value instanceof Tensor) {
                throw new IllegalArgumentException(op + ": '" + key + "' is a tensor; save tensors with saveForBackward so they live as long as the graph");
            }
            values.put(Objects.requireNonNull(key, "key"), value);
        }

        /**
         * A value kept by {@link #put}.
         *
         * @param key  the value's name
         * @param type its class
         * @param <T>  its type
         * @return the value
         * @throws IllegalArgumentException if no value was put under {@code key}, or it is not a {@code type}
         */
        public <T> T get(String key, Class<T> type) {
            if (!values.containsKey(key)) {
                throw new IllegalArgumentException(op + ": no value was put under '" + key + "' (keys: " + values.keySet() + ")");
            }
            Object v = values.get(key);
            if (v != null && !type.isInstance(v)) {
                throw new IllegalArgumentException(op + ": '" + key + "' holds a " + v.getClass().getName() + ", not a " + type.getName());
            }
            return type.cast(v);
        }

        /**
         * The number of inputs of this call.
         *
         * @return the input count
         */
        public int inputCount() {
            return needsInputGrad.length;
        }

        /**
         * Whether the backward rule must produce a gradient for an input: it is floating point, requires
         * grad and recording is on (in the forward pass), or the backward pass reaches something through it
         * (in the backward pass). A rule may skip the work for inputs that do not need a gradient and
         * return null for them.
         *
         * @param index the input's position
         * @return true if that input's gradient is needed
         * @throws IndexOutOfBoundsException if there is no such input
         */
        public boolean needsInputGrad(int index) {
            if (index < 0 || index >= needsInputGrad.length) {
                throw new IndexOutOfBoundsException(op + " has " + needsInputGrad.length + " inputs, asked about input " + index);
            }
            return needsInputGrad[index];
        }

        /** The tensors the forward pass saved (forward context only), checked to be open. */
        Tensor[] tensorsToSave() {
            Tensor[] out = toSave.toArray(new Tensor[0]);
            for (int i = 0; i < out.length; i++) {
                if (out[i].isClosed()) {
                    throw new IllegalStateException(op + ": saved tensor " + i + " was closed before forward returned");
                }
            }
            return out;
        }

        @Override
        public String toString() {
            return "CustomOp.Context(" + op + ", needsInputGrad=" + Arrays.toString(needsInputGrad) + ", saved="
                    + savedCount() + ", values=" + Collections.unmodifiableSet(values.keySet()) + ")";
        }
    }
}
