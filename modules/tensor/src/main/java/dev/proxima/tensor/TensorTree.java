package dev.proxima.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A nested container of tensors: named maps ({@link Dict}) and ordered lists ({@link Sequence}) whose
 * leaves ({@link Leaf}) are tensors, like JAX's pytrees or a PyTorch state dict with its hierarchy kept.
 * Model parameters, their gradients and optimizer states are trees of one {@link Structure}, so that an
 * update is a {@link #map} or {@link #zip} over matching leaves, and {@link Autodiff} differentiates
 * functions of a whole tree at once.
 *
 * <h2>Order and paths</h2>
 * A dict keeps the order in which its entries were given (pass a {@link java.util.LinkedHashMap} or a
 * {@link java.util.TreeMap}); a sequence keeps its order. {@link #leaves()} lists the leaves depth-first
 * in that order, and {@link #flatten()} names each by its path: the dict keys and sequence indices from
 * the root joined by dots, as in {@code "layers.0.weight"} (the root leaf of a tree that is a single leaf
 * has the empty path). Dict keys are therefore non-empty and contain no dot.
 *
 * <h2>Ownership</h2>
 * A tree does not own its tensors: they belong to whichever {@link Scope} or object owns them, as usual.
 * Trees are immutable, and cheap to rebuild around the same tensors; to move every leaf out of a scope,
 * map with {@link Scope#keep} ({@code tree.map(scope::keep)}), and to close every leaf, use
 * {@code tree.leaves().forEach(Tensor::close)}.
 *
 * {@snippet :
 * try (Scope s = Scope.open()) {
 *     SequencedMap<String, Tensor> state = new LinkedHashMap<>();
 *     state.put("layers.0.weight", Tensor.ones(DType.F64, 2, 2));
 *     state.put("layers.0.bias", Tensor.zeros(DType.F64, 2));
 *     TensorTree params = TensorTree.fromPaths(state);         // {layers: {0: {weight: *, bias: *}}}
 *     TensorTree grads = Autodiff.grad(p -> p.get("layers.0.weight").square().sum(), params);
 *     TensorTree next = params.zip(grads, (w, g) -> w.sub(g.mul(0.1)));   // one gradient step
 *     Tensor norm = grads.l2Norm();                              // √(Σ over leaves of Σ g²) = 4
 * }
 * }
 */
public sealed interface TensorTree permits TensorTree.Leaf, TensorTree.Dict, TensorTree.Sequence {

    /**
     * A leaf: one tensor.
     *
     * @param tensor the tensor (not null)
     */
    record Leaf(Tensor tensor) implements TensorTree {
        /**
         * Checks the leaf.
         *
         * @throws NullPointerException if {@code tensor} is null
         */
        public Leaf {
            Objects.requireNonNull(tensor, "a tree leaf must be a tensor, got null");
        }
    }

    /**
     * A map from names to subtrees, in a fixed order. Two dicts are equal when they hold equal subtrees
     * under the same keys in the same order.
     *
     * @param entries the subtrees by name, copied in their iteration order; keys are non-empty and contain
     *                no dot
     */
    record Dict(SequencedMap<String, TensorTree> entries) implements TensorTree {
        /**
         * Checks the keys and copies the entries.
         *
         * @throws IllegalArgumentException if a key is empty or contains a dot
         * @throws NullPointerException     if a key or a subtree is null
         */
        public Dict {
            LinkedHashMap<String, TensorTree> copy = new LinkedHashMap<>();
            for (Map.Entry<String, TensorTree> e : entries.entrySet()) {
                String key = Objects.requireNonNull(e.getKey(), "a tree key must not be null");
                if (key.isEmpty() || key.indexOf('.') >= 0) {
                    throw new IllegalArgumentException("invalid tree key '" + key + "': keys are non-empty and contain no '.'"
                            + " (dots separate the parts of a path)");
                }
                copy.put(key, Objects.requireNonNull(e.getValue(), "the subtree under '" + key + "' is null"));
            }
            entries = Collections.unmodifiableSequencedMap(copy);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Dict d && List.copyOf(entries.entrySet()).equals(List.copyOf(d.entries.entrySet()));
        }

        @Override
        public int hashCode() {
            return List.copyOf(entries.entrySet()).hashCode();
        }
    }

    /**
     * An ordered list of subtrees.
     *
     * @param items the subtrees, copied
     */
    record Sequence(List<TensorTree> items) implements TensorTree {
        /**
         * Copies the items.
         *
         * @throws NullPointerException if an item is null
         */
        public Sequence {
            items = List.copyOf(items);
        }
    }

    // ================================================================== factories

    /**
     * A tree that is a single leaf.
     *
     * @param tensor the leaf
     * @return {@code new Leaf(tensor)}
     * @throws NullPointerException if {@code tensor} is null
     */
    static TensorTree leaf(Tensor tensor) {
        return new Leaf(tensor);
    }

    /**
     * A dict node over {@code entries}, in their iteration order.
     *
     * @param entries subtrees by name (keys non-empty, without dots)
     * @return the dict
     * @throws IllegalArgumentException if a key is empty or contains a dot
     */
    static TensorTree dict(SequencedMap<String, ? extends TensorTree> entries) {
        return new Dict(Collections.unmodifiableSequencedMap(entries));
    }

    /**
     * A sequence node over {@code items}.
     *
     * @param items the subtrees in order
     * @return the sequence
     */
    static TensorTree sequence(List<? extends TensorTree> items) {
        return new Sequence(List.copyOf(items));
    }

    /**
     * A sequence node over {@code items}.
     *
     * @param items the subtrees in order
     * @return the sequence
     */
    static TensorTree sequence(TensorTree... items) {
        return new Sequence(List.of(items));
    }

    /**
     * A one-level dict whose leaves are {@code tensors}, like a flat state dict.
     *
     * @param tensors the leaves by name, in their iteration order
     * @return the dict
     * @throws IllegalArgumentException if a key is empty or contains a dot (see {@link #fromPaths} for dotted names)
     */
    static TensorTree ofTensors(SequencedMap<String, Tensor> tensors) {
        LinkedHashMap<String, TensorTree> m = new LinkedHashMap<>();
        tensors.forEach((k, t) -> m.put(k, new Leaf(t)));
        return new Dict(m);
    }

    /**
     * A sequence whose leaves are {@code tensors}.
     *
     * @param tensors the leaves in order
     * @return the sequence
     */
    static TensorTree ofTensors(List<Tensor> tensors) {
        List<TensorTree> items = new ArrayList<>(tensors.size());
        for (Tensor t : tensors) {
            items.add(new Leaf(t));
        }
        return new Sequence(items);
    }

    /**
     * Nested dicts from dotted paths, the inverse of {@link #flatten()} for trees made of dicts: a state dict
     * such as {@code {"0.weight": w, "0.bias": b}} becomes {@code {0: {weight: w, bias: b}}}. Keys keep the
     * order of first appearance; every path segment becomes a dict key (numeric segments included).
     *
     * @param tensors leaves by dotted path
     * @return the nested dict
     * @throws IllegalArgumentException if a path is empty, has an empty segment, or is both a leaf and the
     *                                  prefix of another path
     */
    static TensorTree fromPaths(SequencedMap<String, Tensor> tensors) {
        LinkedHashMap<String, Object> root = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String path = e.getKey();
            String[] parts = path.split("\\.", -1);
            LinkedHashMap<String, Object> at = root;
            for (int i = 0; i < parts.length; i++) {
                String part = parts[i];
                if (part.isEmpty()) {
                    throw new IllegalArgumentException("path '" + path + "' has an empty segment");
                }
                Object existing = at.get(part);
                String prefix = String.join(".", Arrays.copyOf(parts, i + 1));
                if (i == parts.length - 1) {
                    if (existing != null) {
                        throw new IllegalArgumentException("path '" + path + "' is given both as a leaf and as a prefix of another path");
                    }
                    at.put(part, Objects.requireNonNull(e.getValue(), "the tensor at '" + path + "' is null"));
                } else if (existing == null) {
                    LinkedHashMap<String, Object> child = new LinkedHashMap<>();
                    at.put(part, child);
                    at = child;
                } else if (existing instanceof LinkedHashMap<?, ?> m) {
                    @SuppressWarnings("unchecked")
                    LinkedHashMap<String, Object> child = (LinkedHashMap<String, Object>) m;
                    at = child;
                } else {
                    throw new IllegalArgumentException("path '" + path + "' continues below the leaf '" + prefix + "'");
                }
            }
        }
        return Trees.nest(root);
    }

    // ================================================================== structure

    /**
     * The shape of this tree without its tensors (JAX's treedef): node kinds, dict keys and sequence
     * lengths. Two trees can be {@link #zip zipped} exactly when their structures are equal.
     *
     * @return this tree's structure
     */
    default Structure structure() {
        return switch (this) {
            case Leaf l -> Structure.LEAF;
            case Dict d -> {
                List<Structure> children = new ArrayList<>();
                d.entries().values().forEach(t -> children.add(t.structure()));
                yield new Structure(Structure.Kind.DICT, List.copyOf(d.entries().keySet()), children);
            }
            case Sequence s -> {
                List<Structure> children = new ArrayList<>();
                s.items().forEach(t -> children.add(t.structure()));
                yield new Structure(Structure.Kind.SEQUENCE, List.of(), children);
            }
        };
    }

    /**
     * True if {@code other} has the same {@link #structure()}: the same nesting, dict keys in the same
     * order and sequences of the same lengths (the tensors may differ).
     *
     * @param other another tree
     * @return whether the structures are equal
     */
    default boolean structureEquals(TensorTree other) {
        return Trees.mismatch(this, other, "") == null;
    }

    /**
     * The leaves in depth-first order (dict entries and sequence items in their order).
     *
     * @return an unmodifiable list of the tensors
     */
    default List<Tensor> leaves() {
        List<Tensor> out = new ArrayList<>();
        Trees.visit(this, "", (path, t) -> out.add(t));
        return Collections.unmodifiableList(out);
    }

    /**
     * The leaves by path, in {@link #leaves()} order: {@code "layers.0.weight"} and so on; the single leaf
     * of a tree that is a leaf has the path {@code ""}.
     *
     * @return an unmodifiable ordered map from path to tensor
     */
    default SequencedMap<String, Tensor> flatten() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        Trees.visit(this, "", out::put);
        return Collections.unmodifiableSequencedMap(out);
    }

    /**
     * The number of leaves.
     *
     * @return how many tensors the tree holds
     */
    default int leafCount() {
        return structure().leafCount();
    }

    /**
     * The total number of elements of all leaves (a model's parameter count).
     *
     * @return the sum of the leaves' {@link Tensor#size()}
     */
    default long elementCount() {
        long n = 0;
        for (Tensor t : leaves()) {
            n += t.size();
        }
        return n;
    }

    /**
     * The subtree at {@code path} (dotted dict keys and sequence indices; {@code ""} is this tree).
     *
     * @param path where to look
     * @return the subtree
     * @throws IllegalArgumentException if no subtree has that path (the message names the part that was not found)
     */
    default TensorTree subtree(String path) {
        if (path.isEmpty()) {
            return this;
        }
        TensorTree at = this;
        String done = "";
        for (String part : path.split("\\.", -1)) {
            String here = done.isEmpty() ? part : done + "." + part;
            at = switch (at) {
                case Dict d -> {
                    TensorTree next = d.entries().get(part);
                    if (next == null) {
                        throw new IllegalArgumentException("no subtree '" + here + "': " + Trees.where(done) + " has keys "
                                + d.entries().keySet());
                    }
                    yield next;
                }
                case Sequence s -> {
                    int i = Trees.index(part);
                    if (i < 0 || i >= s.items().size()) {
                        throw new IllegalArgumentException("no subtree '" + here + "': " + Trees.where(done) + " is a sequence of "
                                + s.items().size() + " items");
                    }
                    yield s.items().get(i);
                }
                case Leaf l -> throw new IllegalArgumentException("no subtree '" + path + "': " + Trees.where(done) + " is a leaf");
            };
            done = here;
        }
        return at;
    }

    /**
     * The tensor at {@code path}.
     *
     * @param path the leaf's path, as in {@link #flatten()}
     * @return the leaf tensor
     * @throws IllegalArgumentException if there is no subtree at {@code path} or it is not a leaf
     */
    default Tensor get(String path) {
        if (subtree(path) instanceof Leaf l) {
            return l.tensor();
        }
        throw new IllegalArgumentException("the subtree at '" + path + "' is not a leaf: " + subtree(path).structure());
    }

    // ================================================================== transforms

    /**
     * A tree of the same structure whose leaves are {@code f} of this tree's leaves.
     *
     * @param f applied to every leaf (in {@link #leaves()} order)
     * @return the new tree
     * @throws NullPointerException if {@code f} returns null (the message names the path)
     */
    default TensorTree map(UnaryOperator<Tensor> f) {
        return mapWithPath((path, t) -> f.apply(t));
    }

    /**
     * A tree of the same structure whose leaves are {@code f(path, leaf)}: for updates that depend on the
     * parameter, such as weight decay on weights but not on biases.
     *
     * @param f applied to every leaf and its path
     * @return the new tree
     * @throws NullPointerException if {@code f} returns null (the message names the path)
     */
    default TensorTree mapWithPath(BiFunction<String, Tensor, Tensor> f) {
        return Trees.rebuild(this, "", (path, leaves) -> f.apply(path, leaves.getFirst()), List.of());
    }

    /**
     * A tree of the same structure whose leaves are {@code f} of the matching leaves of this tree and
     * {@code other}, like {@code jax.tree.map(f, a, b)}.
     *
     * @param other a tree of the same structure
     * @param f     applied to each pair of leaves (this tree's first)
     * @return the new tree
     * @throws IllegalArgumentException if the structures differ (the message names the first path where they do)
     */
    default TensorTree zip(TensorTree other, BinaryOperator<Tensor> f) {
        return zip(List.of(this, other), ts -> f.apply(ts.get(0), ts.get(1)));
    }

    /**
     * A tree of the structure of {@code trees}, whose leaves are {@code f} of the matching leaves of all of
     * them (in the order of {@code trees}): Adam's update, for example, reads parameters, both moments and
     * the gradient.
     *
     * @param trees at least one tree, all of one structure
     * @param f     applied to each tuple of matching leaves
     * @return the new tree
     * @throws IllegalArgumentException if {@code trees} is empty or the structures differ (the message names
     *                                  the first path where they do and which trees differ)
     */
    static TensorTree zip(List<? extends TensorTree> trees, Function<List<Tensor>, Tensor> f) {
        if (trees.isEmpty()) {
            throw new IllegalArgumentException("zip needs at least one tree");
        }
        TensorTree first = trees.getFirst();
        for (int i = 1; i < trees.size(); i++) {
            String why = Trees.mismatch(first, trees.get(i), "");
            if (why != null) {
                throw new IllegalArgumentException("tree " + i + " does not match tree 0: " + why);
            }
        }
        return Trees.rebuild(first, "", (path, leaves) -> f.apply(leaves), trees.subList(1, trees.size()));
    }

    /**
     * This tree's structure filled with new leaves, in {@link #leaves()} order.
     *
     * @param leaves exactly {@link #leafCount()} tensors
     * @return the new tree
     * @throws IllegalArgumentException if the number of tensors differs from the number of leaves
     */
    default TensorTree withLeaves(List<Tensor> leaves) {
        return structure().unflatten(leaves);
    }

    /**
     * A tree of the same structure with zero leaves of the same dtypes, shapes and devices.
     *
     * @return the new tree (its tensors belong to the current scope)
     */
    default TensorTree zerosLike() {
        return map(t -> Tensor.zeros(t.dtype(), t.device(), t.shape()));
    }

    // ================================================================== reductions and comparisons

    /**
     * The inner product of two trees, Σ over matching leaves of Σᵢ aᵢ·bᵢ, as a 0-d tensor (differentiable;
     * the dtype is the promotion of the leaves' dtypes, F64 for trees without leaves).
     *
     * @param other a tree of the same structure, with leaves of the same shapes
     * @return the inner product
     * @throws IllegalArgumentException if the structures differ
     * @throws ShapeMismatchException   if two matching leaves have different shapes
     */
    default Tensor vdot(TensorTree other) {
        String why = Trees.mismatch(this, other, "");
        if (why != null) {
            throw new IllegalArgumentException("vdot of trees of different structures: " + why);
        }
        SequencedMap<String, Tensor> a = flatten();
        List<Tensor> b = other.leaves();
        Tensor total = null;
        int i = 0;
        for (Map.Entry<String, Tensor> e : a.entrySet()) {
            Tensor x = e.getValue();
            Tensor y = b.get(i++);
            if (!Arrays.equals(x.shape(), y.shape())) {
                throw new ShapeMismatchException("vdot: the leaves at '" + e.getKey() + "' have shapes " + Shapes.str(x.shape())
                        + " and " + Shapes.str(y.shape()));
            }
            Tensor term = x.mul(y).sum();
            total = total == null ? term : total.add(term);
        }
        return total != null ? total : Tensor.scalar(0, DType.F64);
    }

    /**
     * The Euclidean norm of all leaves taken together, √(Σ over leaves of Σᵢ xᵢ²) (optax's
     * {@code global_norm}), as a 0-d tensor (differentiable, except at zero).
     *
     * @return the global L2 norm
     */
    default Tensor l2Norm() {
        return vdot(this).sqrt();
    }

    /**
     * True if both trees have the same structure and every pair of matching leaves is
     * {@link Tensor#allClose close} ({@code |a − b| <= atol + rtol·|b|} elementwise, same shapes).
     *
     * @param other a tree of the same structure
     * @param rtol  relative tolerance
     * @param atol  absolute tolerance
     * @return whether all leaves are close
     * @throws IllegalArgumentException if the structures differ (the message names the first path where they do)
     */
    default boolean allClose(TensorTree other, double rtol, double atol) {
        String why = Trees.mismatch(this, other, "");
        if (why != null) {
            throw new IllegalArgumentException("allClose of trees of different structures: " + why);
        }
        List<Tensor> a = leaves();
        List<Tensor> b = other.leaves();
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).allClose(b.get(i), rtol, atol)) {
                return false;
            }
        }
        return true;
    }

    // ================================================================== Structure

    /**
     * The structure of a tree without its tensors: what {@link TensorTree#structure()} returns, and what
     * {@link #unflatten} fills with leaves. Printed like {@code {layers: [{weight: *, bias: *}]}}, a star per
     * leaf. Equal structures are those of trees that can be zipped.
     */
    final class Structure {

        /** The kinds of nodes. */
        private enum Kind { LEAF, DICT, SEQUENCE }

        private static final Structure LEAF = new Structure(Kind.LEAF, List.of(), List.of());

        private final Kind kind;
        private final List<String> keys;
        private final List<Structure> children;
        private final int leafCount;

        private Structure(Kind kind, List<String> keys, List<Structure> children) {
            this.kind = kind;
            this.keys = keys;
            this.children = List.copyOf(children);
            int n = kind == Kind.LEAF ? 1 : 0;
            for (Structure c : this.children) {
                n += c.leafCount;
            }
            this.leafCount = n;
        }

        /**
         * The structure of a tree that is one leaf.
         *
         * @return the leaf structure
         */
        public static Structure leaf() {
            return LEAF;
        }

        /**
         * The number of leaves a tree of this structure has.
         *
         * @return the leaf count
         */
        public int leafCount() {
            return leafCount;
        }

        /**
         * The paths of the leaves, in leaf order (as the keys of {@link TensorTree#flatten()}).
         *
         * @return an unmodifiable list of dotted paths
         */
        public List<String> paths() {
            List<String> out = new ArrayList<>(leafCount);
            collectPaths("", out);
            return Collections.unmodifiableList(out);
        }

        private void collectPaths(String prefix, List<String> out) {
            switch (kind) {
                case LEAF -> out.add(prefix);
                case DICT -> {
                    for (int i = 0; i < children.size(); i++) {
                        children.get(i).collectPaths(Trees.join(prefix, keys.get(i)), out);
                    }
                }
                case SEQUENCE -> {
                    for (int i = 0; i < children.size(); i++) {
                        children.get(i).collectPaths(Trees.join(prefix, Integer.toString(i)), out);
                    }
                }
            }
        }

        /**
         * A tree of this structure with the given leaves (JAX's {@code tree_unflatten}).
         *
         * @param leaves exactly {@link #leafCount()} tensors, in leaf order
         * @return the tree
         * @throws IllegalArgumentException if the number of tensors differs from the number of leaves
         * @throws NullPointerException     if a tensor is null
         */
        public TensorTree unflatten(List<Tensor> leaves) {
            if (leaves.size() != leafCount) {
                throw new IllegalArgumentException("the structure " + this + " has " + leafCount + " leaves, got "
                        + leaves.size() + " tensors");
            }
            int[] next = {0};
            return build(leaves, next);
        }

        private TensorTree build(List<Tensor> leaves, int[] next) {
            return switch (kind) {
                case LEAF -> new Leaf(leaves.get(next[0]++));
                case DICT -> {
                    LinkedHashMap<String, TensorTree> m = new LinkedHashMap<>();
                    for (int i = 0; i < children.size(); i++) {
                        m.put(keys.get(i), children.get(i).build(leaves, next));
                    }
                    yield new Dict(m);
                }
                case SEQUENCE -> {
                    List<TensorTree> items = new ArrayList<>(children.size());
                    for (Structure c : children) {
                        items.add(c.build(leaves, next));
                    }
                    yield new Sequence(items);
                }
            };
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Structure s && kind == s.kind && keys.equals(s.keys) && children.equals(s.children);
        }

        @Override
        public int hashCode() {
            return Objects.hash(kind, keys, children);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            append(sb);
            return sb.toString();
        }

        private void append(StringBuilder sb) {
            switch (kind) {
                case LEAF -> sb.append('*');
                case DICT -> {
                    sb.append('{');
                    for (int i = 0; i < children.size(); i++) {
                        sb.append(i > 0 ? ", " : "").append(keys.get(i)).append(": ");
                        children.get(i).append(sb);
                    }
                    sb.append('}');
                }
                case SEQUENCE -> {
                    sb.append('[');
                    for (int i = 0; i < children.size(); i++) {
                        sb.append(i > 0 ? ", " : "");
                        children.get(i).append(sb);
                    }
                    sb.append(']');
                }
            }
        }
    }
}
