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

    /** The gradient accumulator of a leaf tensor that requires grad (shared by its handles). */
    static final class Leaf {
        Tensor grad;
        int refs = 1;

        void retain() {
            refs++;
        }

        void release() {
            if (--refs == 0 && grad != null) {
                grad.close();
                grad = null;
            }
        }
    }

    final String name;
    final Edge[] inputs;
    private Tensor[] saved;
    private Backward backward;
    private int refs = 1;
    private boolean freed;

    GradNode(String name, Edge[] inputs, Tensor[] saved, Backward backward) {
        this.name = name;
        this.inputs = inputs;
        this.saved = saved;
        this.backward = backward;
    }

    void retain() {
        refs++;
    }

    /** Drops a reference; the last one frees the saved tensors and releases the inputs. */
    void release() {
        if (--refs > 0) {
            return;
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
    void freeSaved() {
        if (saved != null) {
            for (Tensor t : saved) {
                if (t != null) {
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
}
