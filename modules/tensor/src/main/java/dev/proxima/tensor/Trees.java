package dev.proxima.tensor;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/** The recursive walks behind {@link TensorTree}: visiting, rebuilding and comparing trees. */
final class Trees {

    private Trees() {
    }

    /** {@code prefix.part}, or {@code part} at the root. */
    static String join(String prefix, String part) {
        return prefix.isEmpty() ? part : prefix + "." + part;
    }

    /** How a path is named in messages. */
    static String where(String path) {
        return path.isEmpty() ? "the root" : "'" + path + "'";
    }

    /** A sequence index parsed from a path segment, or −1 if the segment is not one. */
    static int index(String part) {
        if (part.isEmpty() || part.length() > 9) {
            return -1;
        }
        for (int i = 0; i < part.length(); i++) {
            if (!Character.isDigit(part.charAt(i))) {
                return -1;
            }
        }
        return Integer.parseInt(part);
    }

    /** Calls {@code visitor(path, leaf)} for every leaf, depth-first in order. */
    static void visit(TensorTree tree, String path, BiConsumer<String, Tensor> visitor) {
        switch (tree) {
            case TensorTree.Leaf l -> visitor.accept(path, l.tensor());
            case TensorTree.Dict d -> d.entries().forEach((k, t) -> visit(t, join(path, k), visitor));
            case TensorTree.Sequence s -> {
                for (int i = 0; i < s.items().size(); i++) {
                    visit(s.items().get(i), join(path, Integer.toString(i)), visitor);
                }
            }
        }
    }

    /**
     * {@code tree}'s structure with each leaf replaced by {@code f(path, [leaf, matching leaves of others…])};
     * the others must have {@code tree}'s structure (checked by the caller).
     */
    static TensorTree rebuild(TensorTree tree, String path, BiFunction<String, List<Tensor>, Tensor> f, List<? extends TensorTree> others) {
        return switch (tree) {
            case TensorTree.Leaf l -> {
                List<Tensor> args = new ArrayList<>(others.size() + 1);
                args.add(l.tensor());
                for (TensorTree o : others) {
                    args.add(((TensorTree.Leaf) o).tensor());
                }
                Tensor out = f.apply(path, args);
                if (out == null) {
                    throw new NullPointerException("the function returned null for the leaf at " + where(path));
                }
                yield new TensorTree.Leaf(out);
            }
            case TensorTree.Dict d -> {
                LinkedHashMap<String, TensorTree> m = new LinkedHashMap<>();
                for (Map.Entry<String, TensorTree> e : d.entries().entrySet()) {
                    List<TensorTree> sub = new ArrayList<>(others.size());
                    for (TensorTree o : others) {
                        sub.add(((TensorTree.Dict) o).entries().get(e.getKey()));
                    }
                    m.put(e.getKey(), rebuild(e.getValue(), join(path, e.getKey()), f, sub));
                }
                yield new TensorTree.Dict(m);
            }
            case TensorTree.Sequence s -> {
                List<TensorTree> items = new ArrayList<>(s.items().size());
                for (int i = 0; i < s.items().size(); i++) {
                    List<TensorTree> sub = new ArrayList<>(others.size());
                    for (TensorTree o : others) {
                        sub.add(((TensorTree.Sequence) o).items().get(i));
                    }
                    items.add(rebuild(s.items().get(i), join(path, Integer.toString(i)), f, sub));
                }
                yield new TensorTree.Sequence(items);
            }
        };
    }

    /** Null if {@code a} and {@code b} have equal structures, else where and how the first difference shows. */
    static String mismatch(TensorTree a, TensorTree b, String path) {
        if (a instanceof TensorTree.Dict da && b instanceof TensorTree.Dict db) {
            List<String> ka = List.copyOf(da.entries().keySet());
            List<String> kb = List.copyOf(db.entries().keySet());
            if (!ka.equals(kb)) {
                return "at " + where(path) + " the dicts have keys " + ka + " and " + kb;
            }
            Iterator<TensorTree> ib = db.entries().values().iterator();
            for (Map.Entry<String, TensorTree> e : da.entries().entrySet()) {
                String why = mismatch(e.getValue(), ib.next(), join(path, e.getKey()));
                if (why != null) {
                    return why;
                }
            }
            return null;
        }
        if (a instanceof TensorTree.Sequence sa && b instanceof TensorTree.Sequence sb) {
            if (sa.items().size() != sb.items().size()) {
                return "at " + where(path) + " the sequences have " + sa.items().size() + " and " + sb.items().size() + " items";
            }
            for (int i = 0; i < sa.items().size(); i++) {
                String why = mismatch(sa.items().get(i), sb.items().get(i), join(path, Integer.toString(i)));
                if (why != null) {
                    return why;
                }
            }
            return null;
        }
        if (a instanceof TensorTree.Leaf && b instanceof TensorTree.Leaf) {
            return null;
        }
        return "at " + where(path) + " " + kind(a) + " meets " + kind(b);
    }

    private static String kind(TensorTree t) {
        return switch (t) {
            case TensorTree.Leaf l -> "a leaf";
            case TensorTree.Dict d -> "a dict " + t.structure();
            case TensorTree.Sequence s -> "a sequence " + t.structure();
        };
    }

    /** Nested maps of tensors (from {@link TensorTree#fromPaths}) as nested dicts. */
    static TensorTree nest(Map<String, Object> level) {
        LinkedHashMap<String, TensorTree> m = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : level.entrySet()) {
            if (e.getValue() instanceof Tensor t) {
                m.put(e.getKey(), new TensorTree.Leaf(t));
            } else {
                @SuppressWarnings("unchecked")
                Map<String, Object> child = (Map<String, Object>) e.getValue();
                m.put(e.getKey(), nest(child));
            }
        }
        return new TensorTree.Dict(m);
    }
}
