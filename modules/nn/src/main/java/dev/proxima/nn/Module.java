package dev.proxima.nn;

import dev.proxima.io.FileFormatException;
import dev.proxima.io.Npy;
import dev.proxima.io.Safetensors;
import dev.proxima.tensor.Autodiff;
import dev.proxima.tensor.DTypeMismatchException;
import dev.proxima.tensor.Device;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.ShapeMismatchException;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * A neural-network building block: named {@link Parameter}s (trainable leaves), buffers (non-trainable
 * state), and child modules, in registration order.
 *
 * <h2>Names</h2>
 * {@link #namedParameters()} and {@link #stateDict()} use dotted paths, children first by their own
 * registration order within each module: {@code "0.weight"}, {@code "layers.2.bias"}, like PyTorch.
 *
 * <h2>Ownership and lifetimes</h2>
 * A module owns its parameters, buffers and children: {@link #close()} closes all of them (idempotent).
 * Parameter values are taken out of any open {@link dev.proxima.tensor.Scope} when registered or
 * {@link Parameter#set replaced}, so a model may be built inside a scope and still outlive it; constructors
 * open a local scope for their temporaries. {@link #forward} creates its output and intermediates in the
 * caller's current scope, so call it inside a {@code Scope} (or close what it returns).
 *
 * <h2>Training</h2>
 * Parameters are updated by swapping values ({@link Parameter#set}), see {@link Parameter}.
 * {@link #train()}/{@link #eval()} switch the mode of this module and all descendants (Dropout, BatchNorm).
 *
 * {@snippet :
 * try (MLP net = new MLP(new long[]{2, 16, 1}, Activation.TANH, DType.F64, Rng.seed(0))) {
 *     try (Scope s = Scope.open()) {
 *         Tensor loss = Losses.mse(net.forward(x), y, Losses.Reduction.MEAN);
 *         loss.backward();
 *         try (var off = Autodiff.noGrad()) {
 *             for (Parameter p : net.parameters()) p.set(p.value().sub(p.grad().mul(0.1)));
 *         }
 *     }
 *     net.save(Path.of("net.safetensors"));
 * }
 * }
 */
public abstract class Module implements AutoCloseable {

    private final LinkedHashMap<String, Parameter> params = new LinkedHashMap<>();
    private final LinkedHashMap<String, Parameter> buffers = new LinkedHashMap<>();
    private final LinkedHashMap<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private boolean closed;

    /** For subclasses, which register their parameters, buffers and children in their constructor. */
    protected Module() {
    }

    /**
     * Applies the module to one input.
     *
     * @param x the input; its shape and dtype requirements are the subclass's
     * @return a new tensor, recorded for autodiff when gradients flow
     */
    public abstract Tensor forward(Tensor x);

    // ------------------------------------------------------------------ registration

    /**
     * Registers a trainable parameter holding {@code initial} (ownership moves to the module).
     *
     * @param name    the parameter's name: non-empty, without dots, not yet registered on this module
     * @param initial the initial value, floating point; the module closes it
     * @return the slot holding the value, for the subclass to read in {@link #forward}
     * @throws IllegalArgumentException if {@code name} is empty, contains a dot or is already registered
     */
    protected final Parameter registerParameter(String name, Tensor initial) {
        checkName(name);
        Parameter p = new Parameter(initial, true);
        params.put(name, p);
        return p;
    }

    /**
     * Registers a buffer (no gradient) holding {@code initial} (ownership moves to the module).
     *
     * @param name    the buffer's name: non-empty, without dots, not yet registered on this module
     * @param initial the initial value; the module closes it
     * @return the slot holding the value
     * @throws IllegalArgumentException if {@code name} is empty, contains a dot or is already registered
     */
    protected final Parameter registerBuffer(String name, Tensor initial) {
        checkName(name);
        Parameter p = new Parameter(initial, false);
        buffers.put(name, p);
        return p;
    }

    /**
     * Registers a child module (ownership moves to this module).
     *
     * @param <M>    the child's type
     * @param name   the child's name: non-empty, without dots, not yet registered on this module
     * @param module the child; this module closes it
     * @return {@code module}
     * @throws IllegalArgumentException if {@code name} is empty, contains a dot or is already registered
     */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("invalid name '" + name + "' (non-empty, no dots)");
        }
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("name '" + name + "' is already registered");
        }
    }

    // ------------------------------------------------------------------ traversal

    /** {@return the direct children, by name, in registration order} */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** {@return every trainable parameter of this module and its descendants, by dotted name, in registration order} */
    public final Map<String, Parameter> namedParameters() {
        LinkedHashMap<String, Parameter> out = new LinkedHashMap<>();
        collect("", out, true);
        return out;
    }

    /** {@return every buffer of this module and its descendants, by dotted name} */
    public final Map<String, Parameter> namedBuffers() {
        LinkedHashMap<String, Parameter> out = new LinkedHashMap<>();
        collect("", out, false);
        return out;
    }

    /** {@return the trainable parameters in {@link #namedParameters()} order} */
    public final List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    private void collect(String prefix, Map<String, Parameter> out, boolean trainable) {
        for (Map.Entry<String, Parameter> e : (trainable ? params : buffers).entrySet()) {
            out.put(prefix + e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Module> e : children.entrySet()) {
            e.getValue().collect(prefix + e.getKey() + ".", out, trainable);
        }
    }

    /**
     * The trainable parameters as a tree of nested dicts that mirrors the module hierarchy: this module's
     * parameters by name, then one dict per child that has parameters, in registration order. Its
     * {@link TensorTree#flatten() paths} are exactly the keys of {@link #namedParameters()}
     * ({@code "0.weight"}, {@code "layers.2.bias"}), and its leaves are the parameters' current values,
     * owned by the module (do not close them).
     *
     * <p>With {@link #forwardWith} this makes the model a function of its parameters, which
     * {@link Autodiff}'s tree overloads differentiate (gradients, Hessian-vector products, meta-gradients):
     * {@snippet :
     * try (Scope s = Scope.open()) {
     *     TensorTree params = net.parameterTree();
     *     TensorTree grads = Autodiff.grad(p -> Losses.mse(net.forwardWith(p, x), y, Losses.Reduction.MEAN), params);
     *     Tensor norm = grads.l2Norm();
     *     TensorTree v = grads.map(g -> g.div(norm));                 // the unit gradient direction
     *     TensorTree hv = Autodiff.hvp(p -> Losses.mse(net.forwardWith(p, x), y, Losses.Reduction.MEAN), params, v);
     *     Tensor curvature = v.vdot(hv);                              // vᵀ·H·v along the gradient
     * }
     * }
     *
     * @return a tree of the current parameter values (a new tree on every call; values are replaced, not
     *         mutated, by {@link Parameter#set})
     */
    public final TensorTree parameterTree() {
        LinkedHashMap<String, TensorTree> entries = new LinkedHashMap<>();
        params.forEach((name, p) -> entries.put(name, TensorTree.leaf(p.value())));
        children.forEach((name, child) -> {
            TensorTree sub = child.parameterTree();
            if (sub.leafCount() > 0) {
                entries.put(name, sub);
            }
        });
        return TensorTree.dict(entries);
    }

    /**
     * Applies the module with {@code parameters} in place of its own parameter values, like PyTorch's
     * {@code torch.func.functional_call}: the function of the parameters that {@link Autodiff}'s tree
     * overloads differentiate. The module's own values are put back before this method returns (also when
     * {@code forward} throws); buffers are the module's own (BatchNorm in training mode updates them).
     * Not for concurrent use with other calls on the same module.
     *
     * @param parameters a tree whose leaf paths are exactly those of {@link #namedParameters()}, in that
     *                   order (such as {@link #parameterTree()} or a tree of the same structure), with
     *                   values of the parameters' dtypes, shapes and devices
     * @param input      the input of {@link #forward}
     * @return {@code forward(input)} computed with {@code parameters}, in the caller's scope
     * @throws IllegalArgumentException if the paths differ from the parameter names (the message names the
     *                                  first difference), or a value is on another device
     * @throws ShapeMismatchException   if a value has another shape than its parameter
     * @throws DTypeMismatchException   if a value has another dtype than its parameter
     */
    public final Tensor forwardWith(TensorTree parameters, Tensor input) {
        Map<String, Parameter> slots = namedParameters();
        SequencedMap<String, Tensor> given = parameters.flatten();
        List<String> expected = List.copyOf(slots.keySet());
        List<String> got = List.copyOf(given.keySet());
        if (!expected.equals(got)) {
            int i = 0;
            while (i < expected.size() && i < got.size() && expected.get(i).equals(got.get(i))) {
                i++;
            }
            String what = i < expected.size() && i < got.size() ? "'" + got.get(i) + "' where '" + expected.get(i) + "' was expected"
                    : i < expected.size() ? "no value for '" + expected.get(i) + "'" : "an unexpected value '" + got.get(i) + "'";
            throw new IllegalArgumentException("the parameter tree does not match the module's parameters " + expected
                    + ": leaf " + i + " is " + what);
        }
        List<Parameter> targets = new ArrayList<>(slots.values());
        List<Tensor> values = new ArrayList<>(given.values());
        for (int i = 0; i < targets.size(); i++) {
            Tensor have = targets.get(i).value();
            Tensor t = values.get(i);
            String name = expected.get(i);
            if (!java.util.Arrays.equals(t.shape(), have.shape())) {
                throw new ShapeMismatchException("parameter '" + name + "' has shape " + java.util.Arrays.toString(have.shape())
                        + ", the tree gives " + java.util.Arrays.toString(t.shape()));
            }
            if (t.dtype() != have.dtype()) {
                throw new DTypeMismatchException("parameter '" + name + "' is " + have.dtype() + ", the tree gives " + t.dtype());
            }
            if (!t.device().equals(have.device())) {
                throw new IllegalArgumentException("parameter '" + name + "' is on " + have.device() + ", the tree gives a value on " + t.device());
            }
        }
        Tensor[] own = new Tensor[targets.size()];
        try {
            for (int i = 0; i < own.length; i++) {
                own[i] = targets.get(i).swapRaw(values.get(i));
            }
            return forward(input);
        } finally {
            for (int i = 0; i < own.length; i++) {
                if (own[i] != null) {
                    targets.get(i).swapRaw(own[i]);
                }
            }
        }
    }

    /** {@return total number of trainable scalars} */
    public final long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) {
            n += p.value().size();
        }
        return n;
    }

    // ------------------------------------------------------------------ modes

    /**
     * Sets training mode on this module and its descendants; returns this.
     *
     * @param on true for training mode, false for evaluation mode
     * @return this module
     */
    public Module train(boolean on) {
        training = on;
        for (Module m : children.values()) {
            m.train(on);
        }
        return this;
    }

    /**
     * Training mode (Dropout drops, BatchNorm uses and updates batch statistics); returns this.
     *
     * @return this module
     */
    public final Module train() {
        return train(true);
    }

    /**
     * Evaluation mode (Dropout is the identity, BatchNorm uses running statistics); returns this.
     *
     * @return this module
     */
    public final Module eval() {
        return train(false);
    }

    /** {@return true in training mode (the default)} */
    public final boolean isTraining() {
        return training;
    }

    /** Discards the accumulated gradients of every parameter. */
    public final void zeroGrad() {
        for (Parameter p : parameters()) {
            p.zeroGrad();
        }
    }

    /** Parameters then buffers by dotted name (the slots a state dict and a device move cover). */
    private Map<String, Parameter> namedSlots() {
        Map<String, Parameter> slots = new LinkedHashMap<>(namedParameters());
        slots.putAll(namedBuffers());
        return slots;
    }

    // ------------------------------------------------------------------ device

    /**
     * Moves every parameter and buffer of this module and its descendants to {@code device} (a no-op for
     * those already there), like PyTorch's {@code module.to(device)}; returns this. Accumulated gradients are
     * dropped; optimizer state kept elsewhere must be moved or rebuilt. Inputs given to {@link #forward} must
     * then be on the same device.
     *
     * @param device the device to move to
     * @return this module
     * @throws IllegalArgumentException if no backend serves {@code device}
     * @throws IllegalStateException    if its backend is not available here (the message says why)
     */
    public final Module to(Device device) {
        Map<String, Parameter> slots = namedSlots();
        try (Autodiff.GradMode off = Autodiff.noGrad()) {
            for (Parameter p : slots.values()) {
                if (!p.value().device().equals(device)) {
                    p.set(p.value().to(device));
                }
            }
        }
        return this;
    }

    /**
     * The device of this module's parameters and buffers ({@link Device#CPU} for a module without any).
     *
     * @return the common device of all parameters and buffers
     * @throws IllegalStateException if they are spread over several devices
     */
    public final Device device() {
        Device found = null;
        Map<String, Parameter> slots = namedSlots();
        for (Map.Entry<String, Parameter> e : slots.entrySet()) {
            Device d = e.getValue().value().device();
            if (found == null) {
                found = d;
            } else if (!found.equals(d)) {
                throw new IllegalStateException("parameters are on several devices: " + found + " and " + d + " ('" + e.getKey() + "')");
            }
        }
        return found == null ? Device.CPU : found;
    }

    // ------------------------------------------------------------------ state

    /**
     * Parameters then buffers by dotted name. The tensors are the module's live values (owned by the module:
     * do not close them); copy them to keep a snapshot across updates.
     *
     * @return a new insertion-ordered map from dotted name to the live tensor
     */
    public final Map<String, Tensor> stateDict() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((k, p) -> out.put(k, p.value()));
        namedBuffers().forEach((k, p) -> out.put(k, p.value()));
        return out;
    }

    /**
     * Copies the values of {@code state} into the parameters and buffers (strict: the keys must be exactly
     * those of {@link #stateDict()}, with equal dtypes and shapes). The caller keeps ownership of
     * {@code state}'s tensors.
     *
     * @param state the values by dotted name, as {@link #stateDict()} returns them
     * @throws IllegalArgumentException naming the first missing or unexpected key, or a dtype/shape mismatch
     */
    public final void loadStateDict(Map<String, Tensor> state) {
        Map<String, Parameter> slots = namedSlots();
        for (String k : slots.keySet()) {
            if (!state.containsKey(k)) {
                throw new IllegalArgumentException("state dict lacks '" + k + "'");
            }
        }
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Parameter p = slots.get(e.getKey());
            if (p == null) {
                throw new IllegalArgumentException("unexpected key '" + e.getKey() + "' in state dict (module has " + slots.keySet() + ")");
            }
            Tensor have = p.value();
            Tensor t = e.getValue();
            if (t.dtype() != have.dtype() || !java.util.Arrays.equals(t.shape(), have.shape())) {
                throw new IllegalArgumentException("'" + e.getKey() + "': expected " + have.dtype() + java.util.Arrays.toString(have.shape())
                        + ", got " + t.dtype() + java.util.Arrays.toString(t.shape()));
            }
        }
        try (Autodiff.GradMode off = Autodiff.noGrad()) {
            for (Map.Entry<String, Tensor> e : state.entrySet()) {
                Parameter slot = slots.get(e.getKey());
                Tensor src = e.getValue();
                Device d = slot.value().device(); // values stay on the module's device
                slot.set(src.device().equals(d) ? src.copy() : src.to(d));
            }
        }
    }

    /**
     * Writes {@link #stateDict()} to {@code file}, each tensor named by its path ({@code "0.weight"},
     * {@code "encoder.norm.running_mean"}): as Hugging Face safetensors ({@link Safetensors}), the format
     * PyTorch users exchange weights in, or as a NumPy {@code .npz} archive when the file name ends with
     * {@code .npz} ({@link Npy#writeNpz}; BF16 values have no NumPy type there).
     *
     * @param file the file to write (replaced if it exists)
     * @throws IllegalArgumentException for a BF16 parameter written to {@code .npz}
     * @throws IOException              if the file cannot be written
     */
    public final void save(Path file) throws IOException {
        if (isNpz(file)) {
            Npy.writeNpz(file, stateDict(), false);
        } else {
            Safetensors.write(file, stateDict());
        }
    }

    /**
     * Reads a file written by {@link #save} (or by any safetensors / {@code .npz} writer using the same
     * names) into this module. Names, dtypes and shapes are checked against {@link #stateDict()} first: on any
     * error nothing is changed. Values are copied onto the device of each parameter.
     *
     * @param file a safetensors file, or a {@code .npz} archive when its name ends with {@code .npz}
     * @throws dev.proxima.io.FileFormatException if the file is malformed or does not hold exactly this
     *                                            module's state (the message names the file and the first
     *                                            missing, unexpected or mismatching tensor)
     * @throws IOException                        if the file cannot be read
     */
    public final void load(Path file) throws IOException {
        Map<String, Parameter> slots = namedSlots();
        try (Scope scope = Scope.open()) { // what was read is closed here; the parameters get copies
            Map<String, Tensor> loaded = isNpz(file) ? Npy.readNpz(file) : Safetensors.read(file);
            String where = file.toString();
            for (String k : slots.keySet()) {
                if (!loaded.containsKey(k)) {
                    throw new FileFormatException(where, "lacks tensor '" + k + "' of " + getClass().getSimpleName()
                            + " (the file holds " + loaded.keySet() + ")");
                }
            }
            for (Map.Entry<String, Tensor> e : loaded.entrySet()) {
                Parameter p = slots.get(e.getKey());
                if (p == null) {
                    throw new FileFormatException(where, "unexpected tensor '" + e.getKey() + "' (the module has " + slots.keySet() + ")");
                }
                Tensor have = p.value();
                Tensor t = e.getValue();
                if (t.dtype() != have.dtype() || !java.util.Arrays.equals(t.shape(), have.shape())) {
                    throw new FileFormatException(where, "'" + e.getKey() + "' is " + t.dtype() + java.util.Arrays.toString(t.shape())
                            + ", the module expects " + have.dtype() + java.util.Arrays.toString(have.shape()));
                }
            }
            loadStateDict(loaded); // fully validated: cannot fail
        }
    }

    private static boolean isNpz(Path file) {
        Path name = file.getFileName();
        return name != null && name.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".npz");
    }

    // ------------------------------------------------------------------ lifetime

    /** Closes every parameter, buffer and child. Closing twice is harmless. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        params.values().forEach(Parameter::close);
        buffers.values().forEach(Parameter::close);
        children.values().forEach(Module::close);
    }

    /**
     * The layer tree, like PyTorch's {@code print(model)}: each module's type with its own parameters and
     * buffers (name, dtype and shape), its children indented one per line as {@code (name): …}, and after each
     * module that has trainable parameters, their count (children included); the last line's count is
     * {@link #parameterCount()}.
     *
     * {@snippet :
     * System.out.println(new MLP(new long[]{2, 16, 1}, Activation.TANH, DType.F64, Rng.seed(0)));
     * // MLP(
     * //   (0): Linear(weight: F64[16, 2], bias: F64[16])  # 48 parameters
     * //   (1): TANH()
     * //   (2): Linear(weight: F64[1, 16], bias: F64[1])  # 17 parameters
     * // )  # 65 parameters
     * }
     *
     * @return the multi-line description; a closed module prints {@code Type(<closed>)}
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        appendTree(sb, "");
        return sb.toString();
    }

    /** The type's name in {@link #toString()}. */
    String typeName() {
        return getClass().getSimpleName();
    }

    /** Appends this module's subtree at {@code indent}; returns its number of trainable scalars. */
    private long appendTree(StringBuilder sb, String indent) {
        sb.append(typeName()).append('(');
        if (closed) {
            sb.append("<closed>)");
            return 0;
        }
        List<String> own = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Tensor v = e.getValue().value();
            own.add(e.getKey() + ": " + v.dtype() + java.util.Arrays.toString(v.shape()));
            total += v.size();
        }
        for (Map.Entry<String, Parameter> e : buffers.entrySet()) {
            Tensor v = e.getValue().value();
            own.add(e.getKey() + ": " + v.dtype() + java.util.Arrays.toString(v.shape()) + " (buffer)");
        }
        if (children.isEmpty()) {
            sb.append(String.join(", ", own)).append(')');
        } else {
            String inner = indent + "  ";
            sb.append('\n');
            for (String line : own) {
                sb.append(inner).append(line).append('\n');
            }
            for (Map.Entry<String, Module> e : children.entrySet()) {
                sb.append(inner).append('(').append(e.getKey()).append("): ");
                total += e.getValue().appendTree(sb, inner);
                sb.append('\n');
            }
            sb.append(indent).append(')');
        }
        if (total > 0) {
            sb.append("  # ").append(String.format(java.util.Locale.ROOT, "%,d", total)).append(total == 1 ? " parameter" : " parameters");
        }
        return total;
    }
}
