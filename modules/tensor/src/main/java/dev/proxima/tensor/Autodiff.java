package dev.proxima.tensor;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Higher order: with {@code createGraph} the backward pass is recorded too, so gradients can be
 * differentiated again. The functional calls nest: {@code grad(x -> grad(f, x).sum(), x)} is the sum
 * of the Hessian's rows, and {@link #hvp} is Pearlmutter's Hessian-vector product, at the cost of about
 * two gradient evaluations.
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

    /** Restores the previous recording state when closed. */
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

    /** Turns recording off on this thread until the returned mode is closed (for inference and updates). */
    public static GradMode noGrad() {
        return new GradMode(false);
    }

    /** Turns recording on on this thread until the returned mode is closed. */
    public static GradMode enableGrad() {
        return new GradMode(true);
    }

    /** True if operations on this thread are recorded for differentiation. */
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
            if (leaf.grad == null) {
                leaf.grad = g;
            } else {
                Tensor old = leaf.grad;
                Tensor sum;
                try (GradMode m = createGraph ? enableGrad() : noGrad()) {
                    sum = old.add(g);
                }
                Tensor.disown(sum);
                old.close();
                g.close();
                leaf.grad = sum;
            }
        }
    }

    /**
     * The gradients of {@code output} with respect to {@code inputs}, given the gradient {@code seed} of
     * some scalar with respect to {@code output} (null means 1 for a scalar output), like
     * {@code torch.autograd.grad}. Leaves' accumulated gradients are not touched. An input that
     * {@code output} does not depend on gets a zero gradient.
     *
     * @param retainGraph keep the graph for another backward pass
     * @param createGraph record the backward pass so the results can be differentiated again
     * @return one gradient per input, in order, owned by the caller's scope
     * @throws IllegalArgumentException if {@code output} or an input does not require grad
     */
    public static Tensor[] gradients(Tensor output, Tensor seed, boolean retainGraph, boolean createGraph, Tensor... inputs) {
        Object[] keys = new Object[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i];
            if (!t.requiresGrad()) {
                throw new IllegalArgumentException("input " + i + " (" + t.describe() + ") does not require grad");
            }
            keys[i] = t.gradFn != null ? t.gradFn : t.leaf;
        }
        Map<Object, Tensor> result = run(output, seed, retainGraph, createGraph, keys);
        Tensor[] out = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor g = result.get(keys[i]);
            out[i] = g != null ? g : Tensor.zeros(inputs[i].dtype(), inputs[i].device(), inputs[i].shape());
        }
        return out;
    }

    /**
     * Runs the backward pass from {@code root}. Returns the gradients of the requested {@code targets}
     * (nodes or leaves), or of every reached leaf when {@code targets} is null. Everything else it
     * creates is freed before it returns; the returned tensors belong to the caller's scope.
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
        java.util.Set<Object> wanted = null;
        if (targets != null) {
            wanted = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
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
                java.util.Set<GradNode> leadsToTarget = wanted == null ? null : leadingToTargets(order, wanted);
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
            for (Tensor t : results.values()) {
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
    private static java.util.Set<GradNode> leadingToTargets(List<GradNode> order, java.util.Set<Object> wanted) {
        java.util.Set<GradNode> leads = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
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

    /** A value and its gradient. */
    public record ValueAndGrad(Tensor value, Tensor grad) {
    }

    /** A value and a vector–Jacobian (or Jacobian–vector) product. */
    public record ValueAndProduct(Tensor value, Tensor product) {
    }

    /**
     * The point at which a function is differentiated: a fresh leaf if {@code x} is outside any graph,
     * or an alias of {@code x} that stays connected to the outer graph (so the result can be
     * differentiated again with respect to {@code x}).
     */
    private static Tensor input(Tensor x) {
        if (!x.dtype().isFloating()) {
            throw new DTypeMismatchException("differentiation needs a floating-point input, got " + x.dtype());
        }
        if (x.requiresGrad() && isGradEnabled()) {
            try (GradMode m = enableGrad()) {
                return x.mul(1.0); // a recorded identity: its own node, linked to x
            }
        }
        return x.detach().requiresGrad(true);
    }

    /** f(xi) with recording on, whatever the caller's mode. */
    private static Tensor evaluate(Function<Tensor, Tensor> f, Tensor xi) {
        try (GradMode m = enableGrad()) {
            return f.apply(xi);
        }
    }

    private static boolean nested(Tensor x) {
        return x.requiresGrad() && isGradEnabled();
    }

    /**
     * ∇f(x) for a scalar-valued {@code f}. When {@code x} itself requires grad (a nested call), the result
     * stays differentiable with respect to {@code x}.
     *
     * @throws IllegalArgumentException if f(x) is not a single element
     */
    public static Tensor grad(Function<Tensor, Tensor> f, Tensor x) {
        return valueAndGrad(f, x).grad();
    }

    /** f(x) and ∇f(x) for a scalar-valued {@code f}, from one forward and one backward pass. */
    public static ValueAndGrad valueAndGrad(Function<Tensor, Tensor> f, Tensor x) {
        boolean create = nested(x);
        try (Scope scope = Scope.open()) {
            Tensor xi = input(x);
            Tensor y = evaluate(f, xi);
            if (y.size() != 1) {
                throw new IllegalArgumentException("grad needs a scalar-valued function; f returned shape " + Shapes.str(y.shape())
                        + " (use vjp for vector outputs)");
            }
            Tensor g = y.requiresGrad() ? gradients(y, null, create, create, xi)[0] : Tensor.zeros(x.dtype(), x.device(), x.shape());
            Tensor value = create ? y : y.detach();
            return new ValueAndGrad(scope.keep(value), scope.keep(g));
        }
    }

    /** f(x) and vᵀ·J_f(x), the vector–Jacobian product (v has f(x)'s shape). */
    public static ValueAndProduct vjp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        boolean create = nested(x) || v.requiresGrad();
        try (Scope scope = Scope.open()) {
            Tensor xi = input(x);
            Tensor y = evaluate(f, xi);
            Tensor p = y.requiresGrad() ? gradients(y, v, false, create, xi)[0] : Tensor.zeros(x.dtype(), x.device(), x.shape());
            return new ValueAndProduct(scope.keep(create ? y : y.detach()), scope.keep(p));
        }
    }

    /**
     * f(x) and J_f(x)·v, the Jacobian–vector product (v has x's shape), computed by differentiating the
     * vector–Jacobian product uᵀ·J with respect to u (the "double vjp" trick): two backward passes.
     */
    public static ValueAndProduct jvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        boolean create = nested(x) || v.requiresGrad();
        try (Scope scope = Scope.open()) {
            Tensor xi = input(x);
            Tensor y = evaluate(f, xi);
            if (!y.requiresGrad()) {
                return new ValueAndProduct(scope.keep(y.detach()), scope.keep(Tensor.zeros(y.dtype(), y.device(), y.shape())));
            }
            Tensor u = Tensor.zeros(y.dtype(), y.device(), y.shape()).requiresGrad(true);
            Tensor g = gradients(y, u, true, true, xi)[0];           // Jᵀu, linear in u
            Tensor p = g.requiresGrad() ? gradients(g, v, false, create, u)[0] : Tensor.zeros(y.dtype(), y.device(), y.shape());
            return new ValueAndProduct(scope.keep(create ? y : y.detach()), scope.keep(p));
        }
    }

    /**
     * The Hessian–vector product ∇²f(x)·v of a scalar-valued {@code f} (Pearlmutter's method: the gradient
     * of ⟨∇f(x), v⟩), without forming the Hessian.
     */
    public static Tensor hvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        boolean create = nested(x) || v.requiresGrad();
        try (Scope scope = Scope.open()) {
            Tensor xi = input(x);
            Tensor y = evaluate(f, xi);
            if (y.size() != 1) {
                throw new IllegalArgumentException("hvp needs a scalar-valued function; f returned shape " + Shapes.str(y.shape()));
            }
            if (!y.requiresGrad()) {
                return scope.keep(Tensor.zeros(x.dtype(), x.device(), x.shape()));
            }
            Tensor g = gradients(y, null, true, true, xi)[0];
            Tensor hv = g.requiresGrad() ? gradients(g, v, false, create, xi)[0] : Tensor.zeros(x.dtype(), x.device(), x.shape());
            return scope.keep(hv);
        }
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
                double[] row = gradients(y, seed, true, false, xi)[0].toDoubleArray();
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
