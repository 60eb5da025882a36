package dev.proxima.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * One recorded operation of the autodiff graph: how to turn the gradient of its output into gradients
 * of its inputs.
 *
 * <p>A node keeps share-handles of the input tensors its derivative needs ("saved" tensors, which keep
 * their own graph links so the backward pass is itself differentiable) and edges to the inputs' nodes
 * or leaf accumulators. Nodes are reference counted by the tensors and nodes that point at them; the
 * last release closes the saved handles and releases the inputs in turn, so closing the tensors of a
 * computation frees its graph deterministically, with no garbage collector involved.
 */
final class GradNode {

    /** Computes input gradients from the output gradient; entries may be null (no gradient). */
    @FunctionalInterface
    interface Backward {
        Tensor[] apply(Tensor gradOutput, Tensor[] saved, boolean[] needs);
    }

    /** Where a gradient flows: into another node, into a leaf's accumulator, or nowhere. */
    record Edge(GradNode node, Leaf leaf, long[] shape, DType dtype) {
    }

    /**
     * The gradient accumulator of a leaf tensor that requires grad (shared by its handles). Thread-safe: several
     * threads may record operations on one leaf and run backward passes that accumulate into it (like PyTorch's
     * leaf accumulation); reference counting and accumulation hold the leaf's lock.
     */
    static final class Leaf {
        private Tensor grad;
        private int refs = 1;

        synchronized void retain() {
            refs++;
        }

        synchronized void release() {
            if (--refs == 0 && grad != null) {
                grad.close();
                grad = null;
            }
        }

        synchronized Tensor grad() {
            return grad;
        }

        /** Discards the accumulated gradient. */
        synchronized void clear() {
            if (grad != null) {
                grad.close();
                grad = null;
            }
        }

        /**
         * Adds {@code g} (owned by the caller, handed over) to the accumulated gradient; with {@code createGraph} the
         * sum is recorded.
         */
        synchronized void accumulate(Tensor g, boolean createGraph) {
            if (refs == 0) {
                // every handle of the leaf was closed (and the graph has let go of it): nobody can read this
                // gradient, so it is dropped rather than kept forever
                g.close();
                return;
            }
            if (grad == null) {
                grad = g;
                return;
            }
            Tensor old = grad;
            Tensor sum;
            try (Autodiff.GradMode m = createGraph ? Autodiff.enableGrad() : Autodiff.noGrad()) {
                sum = old.add(g);
            }
            Tensor.disown(sum);
            old.close();
            g.close();
            grad = sum;
        }
    }

    final String name;
    final Edge[] inputs;
    private Tensor[] saved;
    private Backward backward;
    private int refs = 1;
    private volatile boolean freed;

    GradNode(String name, Edge[] inputs, Tensor[] saved, Backward backward) {
        this.name = name;
        this.inputs = inputs;
        this.saved = saved;
        this.backward = backward;
    }

    synchronized void retain() {
        refs++;
    }

    /** Drops a reference; the last one frees the saved tensors and releases the inputs. */
    void release() {
        synchronized (this) {
            if (--refs > 0) {
                return;
            }
        }
        freeSaved();
        for (Edge e : inputs) {
            if (e.node() != null) {
                e.node().release();
            } else if (e.leaf() != null) {
                e.leaf().release();
            }
        }
    }

    /** Frees the saved tensors after a backward pass that did not retain the graph. */
    synchronized void freeSaved() {
        if (saved != null) {
            for (Tensor t : saved) {
                if (t != null) {
                    unmarkSaved(t.storage);
                    t.close();
                }
            }
            saved = null;
        }
        backward = null;
        freed = true;
    }

    Tensor[] apply(Tensor gradOutput) {
        if (freed) {
            throw new IllegalStateException("the graph through " + name + " was freed by an earlier backward pass;"
                    + " pass retainGraph = true to differentiate through it more than once");
        }
        boolean[] needs = new boolean[inputs.length];
        for (int i = 0; i < needs.length; i++) {
            needs[i] = inputs[i].node() != null || inputs[i].leaf() != null;
        }
        return backward.apply(gradOutput, saved, needs);
    }

    /** Nodes reachable from {@code root} (itself included), parents after children (reverse topological order). */
    static List<GradNode> topologicalOrder(GradNode root) {
        List<GradNode> order = new ArrayList<>();
        java.util.Set<GradNode> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        // iterative post-order DFS
        java.util.ArrayDeque<Object[]> stack = new java.util.ArrayDeque<>();
        stack.push(new Object[]{root, 0});
        seen.add(root);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            GradNode n = (GradNode) top[0];
            int i = (int) top[1];
            if (i < n.inputs.length) {
                top[1] = i + 1;
                GradNode child = n.inputs[i].node();
                if (child != null && seen.add(child)) {
                    stack.push(new Object[]{child, 0});
                }
            } else {
                stack.pop();
                order.add(n);
            }
        }
        java.util.Collections.reverse(order);
        return order; // root first; every node before the nodes it feeds from
    }

    /**
     * Records {@code out} as the result of a differentiable operation on {@code inputs}, if recording is
     * on and an input requires grad. {@code save} lists the tensors the rule reads; they are kept alive
     * (with their own graph links) until the node is released.
     */
    static Tensor record(Tensor out, String name, Tensor[] inputs, Tensor[] save, Backward backward) {
        if (!Autodiff.isGradEnabled()) {
            return out;
        }
        boolean any = false;
        for (Tensor t : inputs) {
            any |= t != null && t.requiresGrad();
        }
        if (!any) {
            return out;
        }
        Edge[] edges = new Edge[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i];
            GradNode node = t == null ? null : t.gradFn;
            Leaf l = t == null ? null : t.leaf;
            if (node != null) {
                node.retain();
            } else if (l != null) {
                l.retain();
            }
            edges[i] = new Edge(node, l, t == null ? null : t.shape, t == null ? null : t.dtype);
        }
        Tensor[] saved = new Tensor[save.length];
        for (int i = 0; i < save.length; i++) {
            saved[i] = save[i].alias();
            markSaved(saved[i].storage);
        }
        if (out.gradFn != null) {
            out.gradFn.release();
        }
        out.gradFn = new GradNode(name, edges, saved, backward);
        return out;
    }

    // ------------------------------------------------------------------ memory the graph reads later

    /** How many saved handles of live graph nodes point into each storage (identity), for {@link Into}'s safety rule. */
    private static final java.util.Map<dev.proxima.tensor.spi.Storage, int[]> SAVED = new java.util.IdentityHashMap<>();

    private static void markSaved(dev.proxima.tensor.spi.Storage s) {
        synchronized (SAVED) {
            SAVED.computeIfAbsent(s, k -> new int[1])[0]++;
        }
    }

    private static void unmarkSaved(dev.proxima.tensor.spi.Storage s) {
        synchronized (SAVED) {
            int[] n = SAVED.get(s);
            if (n != null && --n[0] == 0) {
                SAVED.remove(s);
            }
        }
    }

    /** True if a recorded operation saved a tensor over {@code s} for its backward pass (writing there would corrupt it). */
    static boolean isSaved(dev.proxima.tensor.spi.Storage s) {
        synchronized (SAVED) {
            return SAVED.containsKey(s);
        }
    }

    /** A derivative rule that reads no saved tensor. */
    @FunctionalInterface
    interface Rule0 {
        Tensor[] apply(Tensor gradOutput, boolean[] needs);
    }

    /** A derivative rule that reads one saved tensor. */
    @FunctionalInterface
    interface Rule1 {
        Tensor[] apply(Tensor gradOutput, Tensor saved, boolean[] needs);
    }

    /** A derivative rule that reads two saved tensors. */
    @FunctionalInterface
    interface Rule2 {
        Tensor[] apply(Tensor gradOutput, Tensor first, Tensor second, boolean[] needs);
    }

    /** A derivative rule that reads three saved tensors. */
    @FunctionalInterface
    interface Rule3 {
        Tensor[] apply(Tensor gradOutput, Tensor first, Tensor second, Tensor third, boolean[] needs);
    }

    /** {@link #record} of an op whose rule reads no saved tensor. */
    static Tensor record(Tensor out, String name, Tensor[] inputs, Rule0 rule) {
        return record(out, name, inputs, new Tensor[0], (g, s, needs) -> rule.apply(g, needs));
    }

    /** {@link #record} of an op whose rule reads one saved tensor, handed to it by name. */
    static Tensor record(Tensor out, String name, Tensor[] inputs, Tensor saved, Rule1 rule) {
        return record(out, name, inputs, new Tensor[]{saved}, (g, s, needs) -> rule.apply(g, s[0], needs));
    }

    /** {@link #record} of an op whose rule reads two saved tensors, handed to it by name. */
    static Tensor record(Tensor out, String name, Tensor[] inputs, Tensor first, Tensor second, Rule2 rule) {
        return record(out, name, inputs, new Tensor[]{first, second}, (g, s, needs) -> rule.apply(g, s[0], s[1], needs));
    }

    /** {@link #record} of an op whose rule reads three saved tensors, handed to it by name. */
    static Tensor record(Tensor out, String name, Tensor[] inputs, Tensor first, Tensor second, Tensor third, Rule3 rule) {
        return record(out, name, inputs, new Tensor[]{first, second, third},
                (g, s, needs) -> rule.apply(g, s[0], s[1], s[2], needs));
    }
}
