package dev.proxima.tensor;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How {@link CustomOp#apply} runs a user-defined op and records it with {@link Tensor#record}: one graph
 * node whose rule calls {@link CustomOp#backward} and checks what it returns.
 *
 * <p>A node has one output, so an op with several floating outputs is recorded on one flat buffer holding
 * all of them (in their promoted dtype), and each output is handed out as a differentiable view of its part.
 * Gradients reaching any of the outputs then accumulate into the buffer's gradient, and one call of the
 * rule sees them all.
 */
final class CustomOps {

    private CustomOps() {
    }

    /** What the rule needs to know about an input, without holding the tensor. */
    private record InputSpec(long[] shape, DType dtype, Device device) {
        static InputSpec of(Tensor t) {
            return new InputSpec(t.shape(), t.dtype(), t.device());
        }
    }

    /** An output's place in the flat buffer of a multi-output op. */
    private record Part(int output, long start, long[] shape, DType dtype) {
        long end() {
            return start + Shapes.size(shape);
        }
    }

    static Tensor[] apply(CustomOp op, Tensor[] given) {
        String name = Objects.requireNonNull(op.name(), "CustomOp.name() returned null");
        Objects.requireNonNull(given, () -> name + ": inputs are null");
        Tensor[] inputs = given.clone();
        boolean recording = Autodiff.isGradEnabled();
        boolean[] needs = new boolean[inputs.length];
        boolean anyNeeds = false;
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = Objects.requireNonNull(inputs[i], name + ": input " + i + " is null");
            if (t.isClosed()) {
                throw new IllegalStateException(name + ": input " + i + " (" + t.describe() + ") is closed");
            }
            needs[i] = recording && t.dtype().isFloating() && t.requiresGrad();
            anyNeeds |= needs[i];
        }
        CustomOp.Context ctx = new CustomOp.Context(name, needs);
        try (Scope work = Scope.open()) {
            Tensor[] raw;
            try (Autodiff.GradMode off = Autodiff.noGrad()) {
                raw = op.forward(ctx, inputs.clone());
            }
            checkOutputs(name, raw);
            Tensor[] outputs = new Tensor[raw.length];
            int floating = 0;
            for (Tensor t : raw) {
                floating += t.dtype().isFloating() ? 1 : 0;
            }
            if (!anyNeeds || floating == 0) {
                for (int k = 0; k < raw.length; k++) {
                    outputs[k] = raw[k].detach();
                }
            } else {
                record(op, name, ctx, inputs, raw, outputs, floating);
            }
            for (Tensor t : outputs) {
                work.keep(t);
            }
            return outputs;
        }
    }

    private static void checkOutputs(String name, Tensor[] raw) {
        Objects.requireNonNull(raw, () -> name + ": forward returned null instead of an array of outputs");
        if (raw.length == 0) {
            throw new IllegalArgumentException(name + ": forward returned no outputs");
        }
        for (int k = 0; k < raw.length; k++) {
            Tensor t = Objects.requireNonNull(raw[k], name + ": forward returned null as output " + k);
            if (t.isClosed()) {
                throw new IllegalStateException(name + ": forward returned a closed tensor as output " + k);
            }
        }
    }

    /** Records the op and fills {@code outputs} with differentiable handles on the forward's results. */
    private static void record(CustomOp op, String name, CustomOp.Context ctx, Tensor[] inputs, Tensor[] raw,
                               Tensor[] outputs, int floating) {
        Tensor[] toSave = ctx.tensorsToSave();
        Tensor[] edges = new Tensor[inputs.length];
        InputSpec[] specs = new InputSpec[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            specs[i] = InputSpec.of(inputs[i]);
            edges[i] = inputs[i].dtype().isFloating() ? inputs[i] : null; // non-floating inputs get no edge
        }
        int outputCount = raw.length;
        if (floating == 1) {
            int at = 0;
            while (!raw[at].dtype().isFloating()) {
                at++;
            }
            int k = at;
            DType type = raw[k].dtype();
            long[] shape = raw[k].shape();
            for (int j = 0; j < outputCount; j++) {
                outputs[j] = raw[j].detach();
            }
            GradNode.record(outputs[k], name, edges, toSave, (g, saved, needs) -> runBackward(op, name, ctx, saved, needs, specs, () -> {
                checkShape(name, "the gradient of output " + k, g.shape(), shape);
                Tensor[] gradOutputs = new Tensor[outputCount];
                gradOutputs[k] = g.dtype() == type ? g : g.cast(type);
                return gradOutputs;
            }));
            return;
        }
        // several floating outputs: one recorded buffer, outputs are views of its parts
        Part[] parts = new Part[floating];
        DType common = null;
        Device device = null;
        long length = 0;
        int n = 0;
        for (int k = 0; k < outputCount; k++) {
            Tensor t = raw[k];
            if (!t.dtype().isFloating()) {
                continue;
            }
            if (device == null) {
                device = t.device();
            } else if (!device.equals(t.device())) {
                throw new IllegalArgumentException(name + ": floating outputs on different devices (" + device + " and "
                        + t.device() + " for output " + k + "); a multi-output op returns them on one device");
            }
            common = common == null ? t.dtype() : DType.promote(common, t.dtype());
            parts[n++] = new Part(k, length, t.shape(), t.dtype());
            length += t.size();
        }
        Tensor buffer;
        try (Autodiff.GradMode off = Autodiff.noGrad()) {
            Tensor[] flat = new Tensor[floating];
            for (int p = 0; p < floating; p++) {
                Tensor t = raw[parts[p].output()].reshape(-1);
                flat[p] = t.dtype() == common ? t : t.cast(common);
            }
            buffer = Tensor.concat(0, flat);
        }
        GradNode.record(buffer, name, edges, toSave, (g, saved, needs) -> runBackward(op, name, ctx, saved, needs, specs, () -> {
            Tensor[] gradOutputs = new Tensor[outputCount];
            for (Part part : parts) {
                Tensor gk = g.slice(0, part.start(), part.end(), 1).reshape(part.shape());
                gradOutputs[part.output()] = gk.dtype() == part.dtype() ? gk : gk.cast(part.dtype());
            }
            return gradOutputs;
        }));
        for (int k = 0; k < outputCount; k++) {
            if (!raw[k].dtype().isFloating()) {
                outputs[k] = raw[k].detach();
            }
        }
        for (Part part : parts) {
            Tensor view = buffer.slice(0, part.start(), part.end(), 1).reshape(part.shape());
            outputs[part.output()] = view.dtype() == part.dtype() ? view : view.cast(part.dtype());
        }
    }

    /**
     * Calls the user's rule inside its own scope, so its temporaries are freed at once, and checks what it
     * returns. The gradients handed back are distinct handles owned by the engine's scope.
     */
    private static Tensor[] runBackward(CustomOp op, String name, CustomOp.Context forward, Tensor[] saved, boolean[] needs,
                                        InputSpec[] specs, Supplier<Tensor[]> gradOutputs) {
        CustomOp.Context ctx = new CustomOp.Context(forward, saved, needs.clone());
        try (Scope rule = Scope.open()) {
            Tensor[] grads = op.backward(ctx, gradOutputs.get());
            if (grads == null) {
                throw new NullPointerException(name + ": backward returned null instead of an array of input gradients"
                        + " (return an array with null entries for inputs without a gradient)");
            }
            if (grads.length != specs.length) {
                throw new IllegalArgumentException(name + ": backward returned " + grads.length + " gradients for "
                        + specs.length + " inputs");
            }
            Tensor[] out = new Tensor[grads.length];
            java.util.Set<Tensor> handedOut = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (int i = 0; i < grads.length; i++) {
                Tensor g = grads[i];
                if (g == null) {
                    continue;
                }
                check(name, i, g, specs[i]);
                if (!needs[i]) {
                    continue; // computed although not needed: checked, then dropped
                }
                if (rule.owns(g) && handedOut.add(g)) {
                    out[i] = rule.keep(g);
                } else {
                    // an output gradient, a saved tensor, a constant or a tensor returned twice: a new handle
                    Tensor h = Autodiff.freshHandle(g, rule);
                    handedOut.add(h);
                    out[i] = rule.keep(h);
                }
            }
            return out;
        }
    }

    private static void check(String name, int i, Tensor g, InputSpec spec) {
        if (g.isClosed()) {
            throw new IllegalStateException(name + ": backward returned a closed tensor as the gradient of input " + i);
        }
        if (!spec.dtype().isFloating()) {
            throw new IllegalArgumentException(name + ": backward returned a gradient for input " + i + ", which is "
                    + spec.dtype() + " and not differentiable; return null for it");
        }
        checkShape(name, "the gradient of input " + i, g.shape(), spec.shape());
        if (g.dtype() != spec.dtype()) {
            throw new DTypeMismatchException(name + ": backward returned a " + g.dtype() + " gradient for input " + i
                    + ", which is " + spec.dtype() + " (cast it)");
        }
        if (!g.device().equals(spec.device())) {
            throw new IllegalArgumentException(name + ": backward returned the gradient of input " + i + " on " + g.device()
                    + ", the input is on " + spec.device());
        }
    }

    private static void checkShape(String name, String what, long[] got, long[] expected) {
        if (!Arrays.equals(got, expected)) {
            throw new ShapeMismatchException(name + ": " + what + " has shape " + Shapes.str(got) + ", expected "
                    + Shapes.str(expected) + " (gradients are not broadcast)");
        }
    }
}
