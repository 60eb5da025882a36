package dev.proxima.tensor;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Reverse-mode automatic differentiation: the functional interface ({@link #grad}, {@link #valueAndGrad},
 * {@link #vjp}, {@link #jvp}, {@link #hvp}, {@link #gradients}), recording control ({@link #noGrad()}), and
 * {@link #gradcheck} for tests.
 *
 * <p>Operations on tensors that require grad are recorded as a graph of {@link GradNode}s while recording
 * is on (the default, per thread). The PyTorch-style interface lives on {@link Tensor}:
 * {@link Tensor#requiresGrad(boolean)}, {@link Tensor#backward()}, {@link Tensor#grad()},
 * {@link Tensor#detach()}.
 *
 * <p>Higher order: with {@link BackwardOptions#createGraph()} the backward pass is recorded too, so
 * gradients can be differentiated again. The functional calls nest: {@code grad(x -> grad(f, x).sum(), x)}
 * is the sum of the Hessian's rows, and {@link #hvp} is Pearlmutter's Hessian-vector product, at the cost
 * of about two gradient evaluations.
 *
 * <p>Functions of many tensors: every functional call also takes a {@link TensorTree} (nested dicts and
 * sequences of tensors, such as a model's parameters) and returns gradients as a tree of the same
 * structure, like {@code jax.grad} of a function of a pytree.
 *
 * <p>Operations with a gradient of their own (implicit differentiation, straight-through estimators,
 * numerically stabler rules) are written as {@link CustomOp}s and are then recorded like built-in ones.
 *
 * {@snippet :
 * try (Scope s = Scope.open()) {
 *     Tensor x = Tensor.of(1.0, 2.0, 3.0);
 *     Tensor g = Autodiff.grad(t -> t.pow(3).sum(), x);                       // 3x² = [3, 12, 27]
 *     Tensor hv = Autodiff.hvp(t -> t.pow(3).sum(), x, Tensor.of(1.0, 0, 0)); // 6x·v = [6, 0, 0]
 * }
 * }
 */
public final class Autodiff {

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[]{true});

    private Autodiff() {
    }

    /** A change of this thread's recording state; closing it restores the state it replaced. */
    public static final class GradMode implements AutoCloseable {
        private final boolean previous;
        private boolean closed;

        private GradMode(boolean enabled) {
            boolean[] state = ENABLED.get();
            previous = state[0];
            state[0] = enabled;
        }

        /** Restores the recording state that was in force when this mode was entered. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                ENABLED.get()[0] = previous;
            }
        }
    }

    /**
     * Turns recording off on this thread until the returned mode is closed (for inference and updates).
     *
     * @return the mode to close (try-with-resources)
     */
    public static GradMode noGrad() {
        return new GradMode(false);
    }

    /**
     * Turns recording on on this thread until the returned mode is closed.
     *
     * @return the mode to close (try-with-resources)
     */
    public static GradMode enableGrad() {
        return new GradMode(true);
    }

    /**
     * Whether operations on this thread are recorded for differentiation.
     *
     * @return true while recording is on (the default)
     */
    public static boolean isGradEnabled() {
        return ENABLED.get()[0];
    }

    // ================================================================== engine

    /** The PyTorch-style backward pass: leaves accumulate into their grad. */
    static void backward(Tensor root, Tensor seed, boolean retainGraph, boolean createGraph) {
        Map<Object, Tensor> result = run(root, seed, retainGraph, createGraph, null);
        for (Map.Entry<Object, Tensor> e : result.entrySet()) {
            GradNode.Leaf leaf = (GradNode.Leaf) e.getKey();
            Tensor g = e.getValue();
            Tensor.disown(g);
            leaf.accumulate(g, createGraph);
        }
    }

    /**
     * The gradients of {@code output} with respect to {@code inputs}, given the gradient {@code seed} of
     * some scalar with respect to {@code output} (null means 1 for a scalar output), like
     * {@code torch.autograd.grad}. Leaves' accumulated gradients are not touched. An input that
     * {@code output} does not depend on gets a zero gradient.
     *
     * {@snippet :
     * try (Scope s = Scope.open()) {
     *     Tensor w = Tensor.of(1.0, 2.0).requiresGrad(true);
     *     Tensor loss = w.pow(3).sum();
     *     Tensor g = Autodiff.gradients(loss, null, BackwardOptions.creatingGraph(), w)[0];  // 3w² = [3, 12]
     *     Tensor h = Autodiff.gradients(g.sum(), null, BackwardOptions.defaults(), w)[0];    // 6w  = [6, 12]
     * }
     * }
     *
     * @param output  the tensor to differentiate; it must require grad
     * @param seed    the gradient with respect to {@code output}, of its shape, or null for a single-element output
     * @param options whether to retain the graph and whether to record the backward pass
     * @param inputs  the tensors to differentiate with respect to (leaves or intermediate results), each
     *                requiring grad
     * @return one gradient per input, in order, of the input's shape and dtype, owned by the caller's scope
     * @throws IllegalArgumentException if {@code output} or an input does not require grad, or {@code seed} is
     *                                  null for an output of several elements
     * @throws ShapeMismatchException   if {@code seed}'s shape differs from {@code output}'s
     * @throws IllegalStateException    if the pass reaches a part of the graph freed by an earlier pass that
     *                                  did not retain it
     */
    public static Tensor[] gradients(Tensor output, Tensor seed, BackwardOptions options, Tensor... inputs) {
        Objects.requireNonNull(options, "options");
        Object[] keys = new Object[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i];
            if (!t.requiresGrad()) {
                throw new IllegalArgumentException("input " + i + " (" + t.describe() + ") does not require grad");
            }
            keys[i] = t.gradFn != null ? t.gradFn : t.leaf;
        }
        Map<Object, Tensor> result = run(output, seed, options.retainGraph(), options.createGraph(), keys);
        Tensor[] out = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor g = result.get(keys[i]);
            out[i] = g != null ? g : Tensor.zeros(inputs[i].dtype(), inputs[i].device(), inputs[i].shape());
        }
        // the same input listed twice shares one result: give each position its own handle
        Set<Tensor> handedOut = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < out.length; i++) {
            if (!handedOut.add(out[i])) {
                out[i] = freshHandle(out[i], Scope.current());
            }
        }
        return out;
    }

    /** A new handle on {@code t}'s memory that is the same tensor for autodiff, owned by {@code scope} (if any). */
    static Tensor freshHandle(Tensor t, Scope scope) {
        Tensor h = t.alias();
        if (scope != null) {
            scope.adopt(h);
        }
        return h;
    }

    /**
     * Runs the backward pass from {@code root}. Returns the gradients of the requested {@code targets}
     * (nodes or leaves), or of every reached leaf when {@code targets} is null. Everything else it
     * creates is freed before it returns; the returned tensors are distinct handles that belong to the
     * caller's scope.
     */
    private static Map<Object, Tensor> run(Tensor root, Tensor seed, boolean retainGraph, boolean createGraph, Object[] targets) {
        if (!root.requiresGrad()) {
            throw new IllegalArgumentException("the output " + root.describe() + " does not require grad: no input it depends on"
                    + " requires grad, or it was computed with recording off");
        }
        if (seed == null && root.size() != 1) {
            throw new IllegalArgumentException("a gradient seed can be implied only for a scalar output; "
                    + root.describe() + " needs an explicit seed of the same shape");
        }
        if (seed != null && !java.util.Arrays.equals(seed.shape(), root.shape())) {
            throw new ShapeMismatchException("the seed's shape " + Shapes.str(seed.shape()) + " differs from the output's "
                    + Shapes.str(root.shape()));
        }
        Set<Object> wanted = null;
        if (targets != null) {
            wanted = Collections.newSetFromMap(new IdentityHashMap<>());
            wanted.addAll(java.util.Arrays.asList(targets));
        }
        Map<Object, Tensor> results = new IdentityHashMap<>();
        try (Scope scope = Scope.open(); GradMode mode = createGraph ? enableGrad() : noGrad()) {
            Tensor start = seed != null ? seed.alias() : Tensor.ones(root.dtype(), root.device(), root.shape());
            if (seed != null) {
                scope.adopt(start);
            }
            if (root.gradFn == null) {
                // the output is itself a leaf
                if (wanted == null || wanted.contains(root.leaf)) {
                    results.put(root.leaf, start);
                }
            } else {
                Map<GradNode, Tensor> pending = new IdentityHashMap<>();
                pending.put(root.gradFn, start);
                List<GradNode> order = GradNode.topologicalOrder(root.gradFn);
                Set<GradNode> leadsToTarget = wanted == null ? null : leadingToTargets(order, wanted);
                for (GradNode node : order) {
                    Tensor g = pending.remove(node);
                    if (g == null) {
                        continue;
                    }
                    if (wanted != null && wanted.contains(node)) {
                        results.merge(node, g, Autodiff::accumulate);
                    }
                    if (leadsToTarget != null && !leadsToTarget.contains(node)) {
                        continue; // nothing requested lies upstream: stop here, leave the rest of the graph intact
                    }
                    Tensor[] inputGrads = node.apply(g);
                    if (!retainGraph) {
                        node.freeSaved();
                    }
                    for (int i = 0; i < node.inputs.length; i++) {
                        GradNode.Edge edge = node.inputs[i];
                        Tensor gi = i < inputGrads.length ? inputGrads[i] : null;
                        if (gi == null || (edge.node() == null && edge.leaf() == null)) {
                            continue;
                        }
                        if (gi.dtype() != edge.dtype()) {
                            gi = gi.cast(edge.dtype());
                        }
                        if (edge.node() != null) {
                            pending.merge(edge.node(), gi, Autodiff::accumulate);
                        } else if (wanted == null || wanted.contains(edge.leaf())) {
                            results.merge(edge.leaf(), gi, Autodiff::accumulate);
                        }
                    }
                }
            }
            // A rule may pass one tensor on to several inputs (add's gradient is g for both operands), or a
            // tensor this pass does not own: hand each result out as its own handle owned by this scope.
            Set<Tensor> handedOut = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Map.Entry<Object, Tensor> e : results.entrySet()) {
                Tensor t = e.getValue();
                if (!scope.owns(t) || !handedOut.add(t)) {
                    t = freshHandle(t, scope);
                    handedOut.add(t);
                    e.setValue(t);
                }
                scope.keep(t);
            }
        }
        return results;
    }

    /**
     * The nodes whose backward must run to reach a target: those with a target among their inputs
     * (a target leaf, or a target node or a node that itself leads to one). {@code order} lists parents
     * before children, so children are decided first when walking it backwards.
     */
    private static Set<GradNode> leadingToTargets(List<GradNode> order, Set<Object> wanted) {
        Set<GradNode> leads = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = order.size() - 1; i >= 0; i--) {
            GradNode n = order.get(i);
            for (GradNode.Edge e : n.inputs) {
                boolean hit = e.node() != null ? wanted.contains(e.node()) || leads.contains(e.node())
                        : e.leaf() != null && wanted.contains(e.leaf());
                if (hit) {
                    leads.add(n);
                    break;
                }
            }
        }
        return leads;
    }

    private static Tensor accumulate(Tensor a, Tensor b) {
        return a.add(b);
    }

    // ================================================================== functional interface

    /**
     * A value and its gradient.
     *
     * @param value f(x)
     * @param grad  ∇f(x), of x's shape and dtype
     */
    public record ValueAndGrad(Tensor value, Tensor grad) {
    }

    /**
     * A value and a vector–Jacobian (or Jacobian–vector) product.
     *
     * @param value   f(x)
     * @param product vᵀ·J (of x's shape) or J·v (of f(x)'s shape)
     */
    public record ValueAndProduct(Tensor value, Tensor product) {
    }

    /**
     * A value and its gradient with respect to a tree.
     *
     * @param value f(x)
     * @param grad  ∇f(x), a tree of x's structure with leaves of the matching leaves' shapes and dtypes
     */
    public record TreeValueAndGrad(Tensor value, TensorTree grad) {
    }

    /**
     * A value and a vector–Jacobian product with respect to a tree.
     *
     * @param value   f(x)
     * @param product vᵀ·J, a tree of x's structure
     */
    public record TreeValueAndProduct(Tensor value, TensorTree product) {
    }

    /** Differentiated function values and products, before they are wrapped for the caller. */
    private record Outcome(Tensor value, Tensor[] products) {
    }

    /**
     * The point at which a function is differentiated: a fresh leaf if {@code x} is outside any graph,
     * or an alias of {@code x} that stays connected to the outer graph (so the result can be
     * differentiated again with respect to {@code x}).
     */
    private static Tensor input(Tensor x, String label) {
        if (!x.dtype().isFloating()) {
            throw new DTypeMismatchException("differentiation needs a floating-point input, got " + x.dtype() + " for " + label);
        }
        if (x.requiresGrad() && isGradEnabled()) {
            try (GradMode m = enableGrad()) {
                return x.mul(1.0); // a recorded identity: its own node, linked to x
            }
        }
        return x.detach().requiresGrad(true);
    }

    private static Tensor[] inputs(Tensor[] xs, String[] labels) {
        Tensor[] xis = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) {
            xis[i] = input(xs[i], labels[i]);
        }
        return xis;
    }

    /** f(xis) with recording on, whatever the caller's mode. */
    private static Tensor evaluate(Function<Tensor[], Tensor> f, Tensor[] xis) {
        Tensor y;
        try (GradMode m = enableGrad()) {
            y = f.apply(xis);
        }
        if (y == null) {
            throw new NullPointerException("the function being differentiated returned null");
        }
        return y;
    }

    /** True if some x is itself being differentiated (a nested call): the results must stay differentiable. */
    private static boolean nested(Tensor[] xs) {
        if (!isGradEnabled()) {
            return false;
        }
        for (Tensor x : xs) {
            if (x.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    private static BackwardOptions options(boolean retain, boolean create) {
        return new BackwardOptions(retain, create);
    }

    private static Tensor[] zerosLike(Tensor[] xs) {
        Tensor[] z = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) {
            z[i] = Tensor.zeros(xs[i].dtype(), xs[i].device(), xs[i].shape());
        }
        return z;
    }

    private static Outcome keep(Scope scope, Tensor value, Tensor[] products) {
        scope.keep(value);
        for (Tensor p : products) {
            scope.keep(p);
        }
        return new Outcome(value, products);
    }

    private static void requireScalar(Tensor y, String what) {
        if (y.size() != 1) {
            throw new IllegalArgumentException(what + " needs a scalar-valued function; f returned shape " + Shapes.str(y.shape())
                    + (what.equals("grad") ? " (use vjp for vector outputs)" : ""));
        }
    }

    private static void requireSameShapes(Tensor[] xs, Tensor[] vs, String[] labels, String what) {
        for (int i = 0; i < xs.length; i++) {
            if (!java.util.Arrays.equals(xs[i].shape(), vs[i].shape())) {
                throw new ShapeMismatchException(what + ": the tangent for " + labels[i] + " has shape " + Shapes.str(vs[i].shape())
                        + ", the point has shape " + Shapes.str(xs[i].shape()));
            }
        }
    }

    /** Σᵢ ⟨gᵢ, vᵢ⟩ over the gradients that require grad, or null if none does. */
    private static Tensor innerProduct(Tensor[] gs, Tensor[] vs) {
        Tensor total = null;
        for (int i = 0; i < gs.length; i++) {
            if (gs[i].requiresGrad() || vs[i].requiresGrad()) {
                Tensor term = gs[i].mul(vs[i]).sum();
                total = total == null ? term : total.add(term);
            }
        }
        return total != null && total.requiresGrad() ? total : null;
    }

    private static Outcome valueAndGradients(Function<Tensor[], Tensor> f, Tensor[] xs, String[] labels) {
        boolean create = nested(xs);
        try (Scope scope = Scope.open()) {
            Tensor[] xis = inputs(xs, labels);
            Tensor y = evaluate(f, xis);
            requireScalar(y, "grad");
            Tensor[] g = y.requiresGrad() ? gradients(y, null, options(create, create), xis) : zerosLike(xs);
            return keep(scope, create ? y : y.detach(), g);
        }
    }

    private static Outcome vectorJacobianProducts(Function<Tensor[], Tensor> f, Tensor[] xs, String[] labels, Tensor v) {
        boolean create = nested(xs) || v.requiresGrad();
        try (Scope scope = Scope.open()) {
            Tensor[] xis = inputs(xs, labels);
            Tensor y = evaluate(f, xis);
            Tensor[] p = y.requiresGrad() ? gradients(y, v, options(false, create), xis) : zerosLike(xs);
            return keep(scope, create ? y : y.detach(), p);
        }
    }

    private static Outcome jacobianVectorProduct(Function<Tensor[], Tensor> f, Tensor[] xs, String[] labels, Tensor[] vs) {
        requireSameShapes(xs, vs, labels, "jvp");
        boolean create = nested(xs) || nested(vs);
        try (Scope scope = Scope.open()) {
            Tensor[] xis = inputs(xs, labels);
            Tensor y = evaluate(f, xis);
            if (!y.requiresGrad()) {
                return keep(scope, y.detach(), new Tensor[]{Tensor.zeros(y.dtype(), y.device(), y.shape())});
            }
            // the inner passes record whatever the caller's mode (under noGrad they would see no graph)
            try (GradMode recording = enableGrad()) {
                Tensor u = Tensor.zeros(y.dtype(), y.device(), y.shape()).requiresGrad(true);
                Tensor[] g = gradients(y, u, BackwardOptions.creatingGraph(), xis);   // Jᵀu, linear in u
                Tensor s = innerProduct(g, vs);                                        // ⟨Jᵀu, v⟩ = ⟨u, Jv⟩
                Tensor p = s != null ? gradients(s, null, options(false, create), u)[0] : Tensor.zeros(y.dtype(), y.device(), y.shape());
                return keep(scope, create ? y : y.detach(), new Tensor[]{p});
            }
        }
    }

    private static Outcome hessianVectorProducts(Function<Tensor[], Tensor> f, Tensor[] xs, String[] labels, Tensor[] vs) {
        requireSameShapes(xs, vs, labels, "hvp");
        boolean create = nested(xs) || nested(vs);
        try (Scope scope = Scope.open()) {
            Tensor[] xis = inputs(xs, labels);
            Tensor y = evaluate(f, xis);
            requireScalar(y, "hvp");
            if (!y.requiresGrad()) {
                return keep(scope, y.detach(), zerosLike(xs));
            }
            // the inner passes record whatever the caller's mode (under noGrad they would see no graph)
            try (GradMode recording = enableGrad()) {
                Tensor[] g = gradients(y, null, BackwardOptions.creatingGraph(), xis);
                Tensor s = innerProduct(g, vs);                                        // ⟨∇f(x), v⟩
                Tensor[] hv = s != null ? gradients(s, null, options(false, create), xis) : zerosLike(xs);
                return keep(scope, create ? y : y.detach(), hv);
            }
        }
    }

    /** The tree's leaves as an array, with their paths as labels for messages. */
    private record Flat(TensorTree tree, TensorTree.Structure structure, Tensor[] leaves, String[] labels) {
        static Flat of(TensorTree tree) {
            java.util.SequencedMap<String, Tensor> m = tree.flatten();
            String[] labels = new String[m.size()];
            int i = 0;
            for (String path : m.keySet()) {
                labels[i++] = "the leaf " + Trees.where(path);
            }
            return new Flat(tree, tree.structure(), m.values().toArray(new Tensor[0]), labels);
        }

        Function<Tensor[], Tensor> lift(Function<TensorTree, Tensor> f) {
            return xs -> f.apply(structure.unflatten(List.of(xs)));
        }

        TensorTree tree(Tensor[] values) {
            return structure.unflatten(List.of(values));
        }

        /** {@code v}'s leaves, after checking that {@code v} has this structure. */
        Tensor[] matching(TensorTree v, String what) {
            String why = Trees.mismatch(tree, v, "");
            if (why != null) {
                throw new IllegalArgumentException(what + ": the tangent tree does not match the point's structure: " + why);
            }
            return v.leaves().toArray(new Tensor[0]);
        }
    }

    private static final String[] X = {"x"};

    /**
     * ∇f(x) for a scalar-valued {@code f}. When {@code x} itself requires grad (a nested call), the result
     * stays differentiable with respect to {@code x}.
     *
     * {@snippet :
     * Tensor g = Autodiff.grad(t -> t.pow(3).sum(), Tensor.of(1.0, 2.0));   // 3x² = [3, 12]
     * }
     *
     * @param f a function of one floating-point tensor returning a single-element tensor
     * @param x the point (floating point)
     * @return ∇f(x), of x's shape and dtype, owned by the caller's scope
     * @throws IllegalArgumentException if f(x) is not a single element
     * @throws DTypeMismatchException   if {@code x} is not floating point
     */
    public static Tensor grad(Function<Tensor, Tensor> f, Tensor x) {
        return valueAndGrad(f, x).grad();
    }

    /**
     * f(x) and ∇f(x) for a scalar-valued {@code f}, from one forward and one backward pass.
     *
     * @param f a function of one floating-point tensor returning a single-element tensor
     * @param x the point (floating point)
     * @return the value (detached unless the call is nested) and the gradient, owned by the caller's scope
     * @throws IllegalArgumentException if f(x) is not a single element
     * @throws DTypeMismatchException   if {@code x} is not floating point
     */
    public static ValueAndGrad valueAndGrad(Function<Tensor, Tensor> f, Tensor x) {
        Outcome o = valueAndGradients(xs -> f.apply(xs[0]), new Tensor[]{x}, X);
        return new ValueAndGrad(o.value(), o.products()[0]);
    }

    /**
     * f(x) and vᵀ·J_f(x), the vector–Jacobian product.
     *
     * @param f a function of one floating-point tensor
     * @param x the point (floating point)
     * @param v a cotangent of f(x)'s shape
     * @return the value and vᵀ·J (of x's shape), owned by the caller's scope
     * @throws ShapeMismatchException if {@code v}'s shape differs from f(x)'s
     * @throws DTypeMismatchException if {@code x} is not floating point
     */
    public static ValueAndProduct vjp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        Outcome o = vectorJacobianProducts(xs -> f.apply(xs[0]), new Tensor[]{x}, X, v);
        return new ValueAndProduct(o.value(), o.products()[0]);
    }

    /**
     * f(x) and J_f(x)·v, the Jacobian–vector product, computed by differentiating the vector–Jacobian
     * product uᵀ·J with respect to u (the "double vjp" trick): two backward passes.
     *
     * @param f a function of one floating-point tensor
     * @param x the point (floating point)
     * @param v a tangent of x's shape
     * @return the value and J·v (of f(x)'s shape), owned by the caller's scope
     * @throws ShapeMismatchException if {@code v}'s shape differs from x's
     * @throws DTypeMismatchException if {@code x} is not floating point
     */
    public static ValueAndProduct jvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        Outcome o = jacobianVectorProduct(xs -> f.apply(xs[0]), new Tensor[]{x}, X, new Tensor[]{v});
        return new ValueAndProduct(o.value(), o.products()[0]);
    }

    /**
     * The Hessian–vector product ∇²f(x)·v of a scalar-valued {@code f} (Pearlmutter's method: the gradient
     * of ⟨∇f(x), v⟩), without forming the Hessian.
     *
     * @param f a function of one floating-point tensor returning a single-element tensor
     * @param x the point (floating point)
     * @param v a direction of x's shape
     * @return ∇²f(x)·v, of x's shape, owned by the caller's scope
     * @throws IllegalArgumentException if f(x) is not a single element
     * @throws ShapeMismatchException   if {@code v}'s shape differs from x's
     * @throws DTypeMismatchException   if {@code x} is not floating point
     */
    public static Tensor hvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        Outcome o = hessianVectorProducts(xs -> f.apply(xs[0]), new Tensor[]{x}, X, new Tensor[]{v});
        o.value().close();
        return o.products()[0];
    }

    // ------------------------------------------------------------------ over trees

    /**
     * ∇f(x) with respect to every leaf of the tree {@code x}, for a scalar-valued {@code f}: like
     * {@code jax.grad} of a function of a pytree. {@code f} receives a tree of {@code x}'s structure whose
     * leaves are the points of differentiation; leaves that require grad (a nested call) keep the result
     * differentiable with respect to them.
     *
     * {@snippet :
     * TensorTree params = model.parameterTree();
     * TensorTree grads = Autodiff.grad(p -> Losses.mse(model.forwardWith(p, x), y, Losses.Reduction.MEAN), params);
     * Tensor gw = grads.get("0.weight");      // ∂loss/∂weight of the first layer
     * }
     *
     * @param f a function of a tree returning a single-element tensor
     * @param x the point: a tree with floating-point leaves
     * @return a tree of {@code x}'s structure holding the gradient for each leaf (zero where {@code f} does
     *         not depend on it), owned by the caller's scope
     * @throws IllegalArgumentException if f(x) is not a single element
     * @throws DTypeMismatchException   if a leaf is not floating point (the message names its path)
     */
    public static TensorTree grad(Function<TensorTree, Tensor> f, TensorTree x) {
        TreeValueAndGrad vg = valueAndGrad(f, x);
        vg.value().close();
        return vg.grad();
    }

    /**
     * f(x) and ∇f(x) with respect to every leaf of {@code x}, from one forward and one backward pass.
     *
     * @param f a function of a tree returning a single-element tensor
     * @param x the point: a tree with floating-point leaves
     * @return the value and a gradient tree of {@code x}'s structure, owned by the caller's scope
     * @throws IllegalArgumentException if f(x) is not a single element
     * @throws DTypeMismatchException   if a leaf is not floating point (the message names its path)
     */
    public static TreeValueAndGrad valueAndGrad(Function<TensorTree, Tensor> f, TensorTree x) {
        Flat flat = Flat.of(x);
        Outcome o = valueAndGradients(flat.lift(f), flat.leaves(), flat.labels());
        return new TreeValueAndGrad(o.value(), flat.tree(o.products()));
    }

    /**
     * f(x) and vᵀ·J_f(x) with respect to every leaf of {@code x}.
     *
     * @param f a function of a tree
     * @param x the point: a tree with floating-point leaves
     * @param v a cotangent of f(x)'s shape
     * @return the value and a product tree of {@code x}'s structure, owned by the caller's scope
     * @throws ShapeMismatchException if {@code v}'s shape differs from f(x)'s
     * @throws DTypeMismatchException if a leaf is not floating point (the message names its path)
     */
    public static TreeValueAndProduct vjp(Function<TensorTree, Tensor> f, TensorTree x, Tensor v) {
        Flat flat = Flat.of(x);
        Outcome o = vectorJacobianProducts(flat.lift(f), flat.leaves(), flat.labels(), v);
        return new TreeValueAndProduct(o.value(), flat.tree(o.products()));
    }

    /**
     * f(x) and J_f(x)·v, the directional derivative of {@code f} at the tree {@code x} along the tree
     * {@code v} (Σ over leaves of J_leaf·v_leaf), by the double-vjp trick.
     *
     * @param f a function of a tree
     * @param x the point: a tree with floating-point leaves
     * @param v the direction: a tree of {@code x}'s structure and leaf shapes
     * @return the value and J·v (of f(x)'s shape), owned by the caller's scope
     * @throws IllegalArgumentException if {@code v}'s structure differs from {@code x}'s
     * @throws ShapeMismatchException   if a leaf of {@code v} has another shape than the matching leaf of {@code x}
     * @throws DTypeMismatchException   if a leaf of {@code x} is not floating point
     */
    public static ValueAndProduct jvp(Function<TensorTree, Tensor> f, TensorTree x, TensorTree v) {
        Flat flat = Flat.of(x);
        Outcome o = jacobianVectorProduct(flat.lift(f), flat.leaves(), flat.labels(), flat.matching(v, "jvp"));
        return new ValueAndProduct(o.value(), o.products()[0]);
    }

    /**
     * The Hessian–vector product ∇²f(x)·v of a scalar-valued {@code f} of a tree (Pearlmutter's method over
     * all leaves at once): the curvature term of Sophia, AdaHessian and Newton-CG on a model's parameters.
     *
     * {@snippet :
     * TensorTree params = model.parameterTree();
     * TensorTree v = params.map(p -> rng.rademacher(p.dtype(), p.shape()));
     * TensorTree hv = Autodiff.hvp(p -> loss(model.forwardWith(p, x)), params, v);
     * Tensor vHv = v.vdot(hv);                 // Hutchinson's estimate of the Hessian's trace
     * }
     *
     * @param f a function of a tree returning a single-element tensor
     * @param x the point: a tree with floating-point leaves
     * @param v the direction: a tree of {@code x}'s structure and leaf shapes
     * @return ∇²f(x)·v, a tree of {@code x}'s structure, owned by the caller's scope
     * @throws IllegalArgumentException if f(x) is not a single element or {@code v}'s structure differs
     * @throws ShapeMismatchException   if a leaf of {@code v} has another shape than the matching leaf of {@code x}
     * @throws DTypeMismatchException   if a leaf of {@code x} is not floating point
     */
    public static TensorTree hvp(Function<TensorTree, Tensor> f, TensorTree x, TensorTree v) {
        Flat flat = Flat.of(x);
        Outcome o = hessianVectorProducts(flat.lift(f), flat.leaves(), flat.labels(), flat.matching(v, "hvp"));
        o.value().close();
        return flat.tree(o.products());
    }

    // ================================================================== gradcheck

    /**
     * The outcome of {@link #gradcheck}.
     *
     * @param passed         every Jacobian entry matched within {@code atol + rtol·|numeric|}
     * @param maxAbsError    the largest |analytic − numeric|
     * @param worstIndex     where it occurred, as (output element, input element)
     * @param analytic       the analytic Jacobian, row-major [outputs][inputs]
     * @param numeric        the central-difference Jacobian
     */
    public record GradcheckResult(boolean passed, double maxAbsError, long[] worstIndex, double[][] analytic, double[][] numeric) {
    }

    /**
     * Compares the Jacobian of {@code f} at {@code x} computed by reverse mode (one backward pass per
     * output element) with central finite differences (f(x + εeⱼ) − f(x − εeⱼ)) / 2ε, in F64. Use small
     * inputs: the cost is (outputs + 2·inputs) evaluations. {@code f} is evaluated on {@code x}'s device.
     *
     * @param f    the function to check
     * @param x    the point (F64)
     * @param eps  the finite-difference step
     * @param atol absolute tolerance per Jacobian entry
     * @param rtol tolerance relative to the numeric entry
     * @return both Jacobians and where they differ most
     * @throws DTypeMismatchException if {@code x} is not F64 (finite differences need double precision)
     */
    public static GradcheckResult gradcheck(Function<Tensor, Tensor> f, Tensor x, double eps, double atol, double rtol) {
        if (x.dtype() != DType.F64) {
            throw new DTypeMismatchException("gradcheck needs an F64 input for accurate finite differences, got " + x.dtype());
        }
        int n = Math.toIntExact(x.size());
        double[] x0 = x.toDoubleArray();
        long[] shape = x.shape();
        Device device = x.device(); // f is evaluated where x lives
        double[][] numeric;
        int m;
        try (Scope scope = Scope.open(); GradMode off = noGrad()) {
            m = Math.toIntExact(f.apply(valuesOn(x0, shape, device)).size());
            numeric = new double[m][n];
            for (int j = 0; j < n; j++) {
                double[] plus = x0.clone();
                double[] minus = x0.clone();
                plus[j] += eps;
                minus[j] -= eps;
                double[] fp = f.apply(valuesOn(plus, shape, device)).toDoubleArray();
                double[] fm = f.apply(valuesOn(minus, shape, device)).toDoubleArray();
                for (int i = 0; i < m; i++) {
                    numeric[i][j] = (fp[i] - fm[i]) / (2 * eps);
                }
            }
        }
        double[][] analytic = new double[m][n];
        try (Scope scope = Scope.open()) {
            Tensor xi = valuesOn(x0, shape, device).requiresGrad(true);
            Tensor y;
            try (GradMode on = enableGrad()) {
                y = f.apply(xi);
            }
            long[] yShape = y.shape();
            for (int i = 0; i < m; i++) {
                if (!y.requiresGrad()) {
                    break;
                }
                double[] oneHot = new double[m];
                oneHot[i] = 1;
                Tensor seed = valuesOn(oneHot, yShape, y.device()).cast(y.dtype());
                double[] row = gradients(y, seed, BackwardOptions.retainingGraph(), xi)[0].toDoubleArray();
                analytic[i] = row;
            }
        }
        double worst = 0;
        long[] at = {-1, -1};
        boolean ok = true;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double err = Math.abs(analytic[i][j] - numeric[i][j]);
                if (!(err <= atol + rtol * Math.abs(numeric[i][j]))) {
                    ok = false;
                }
                if (err > worst || Double.isNaN(err)) {
                    worst = err;
                    at = new long[]{i, j};
                }
            }
        }
        return new GradcheckResult(ok, worst, at, analytic, numeric);
    }

    /** A new F64 tensor of {@code shape} holding {@code values}, on {@code device} (call inside a scope). */
    private static Tensor valuesOn(double[] values, long[] shape, Device device) {
        Tensor t = Tensor.of(values).reshape(shape);
        return device.equals(Device.CPU) ? t : t.to(device);
    }

    /**
     * Checks second derivatives: {@link #gradcheck} of the function x ↦ ∇⟨f(x), w⟩ for a fixed
     * deterministic weight w, i.e. that the backward pass of {@code f} is itself correctly differentiable
     * (the property Hessian-vector products rely on).
     *
     * @param f    the function whose backward pass to check
     * @param x    the point (F64)
     * @param eps  the finite-difference step
     * @param atol absolute tolerance per Jacobian entry
     * @param rtol tolerance relative to the numeric entry
     * @return the outcome of {@link #gradcheck} of the gradient map
     * @throws DTypeMismatchException if {@code x} is not F64
     */
    public static GradcheckResult gradgradcheck(Function<Tensor, Tensor> f, Tensor x, double eps, double atol, double rtol) {
        Function<Tensor, Tensor> gradOfWeighted = t -> grad(u -> {
            Tensor y = f.apply(u);
            Tensor w = Tensor.arange(1, y.size() + 1, 1, DType.F64).mul(0.37).sin().reshape(y.shape());
            w = w.device().equals(y.device()) ? w : w.to(y.device());
            return y.mul(w).sum();
        }, t);
        return gradcheck(gradOfWeighted, x, eps, atol, rtol);
    }
}
