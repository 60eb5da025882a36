package dev.proxima.optim;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Tensor;
import dev.proxima.tensor.TensorTree;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;

/** The state trees of the second-order transforms: a dict of a step count and moment trees. */
final class SecondOrderStates {

    private SecondOrderStates() {
    }

    /**
     * A state dict from alternating keys and values (a tensor becomes a leaf).
     *
     * @param keysAndValues key, tensor-or-tree, key, tensor-or-tree, …
     * @return the dict
     */
    static TensorTree of(Object... keysAndValues) {
        LinkedHashMap<String, TensorTree> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            Object v = keysAndValues[i + 1];
            m.put((String) keysAndValues[i], v instanceof Tensor t ? TensorTree.leaf(t) : (TensorTree) v);
        }
        return TensorTree.dict(m);
    }

    /**
     * Checks that {@code state} is a dict with exactly {@code keys}.
     *
     * @param transform the transform's name, for the message
     * @param state     the state given to {@code update}
     * @param keys      the expected keys, in order
     * @return the dict
     * @throws IllegalArgumentException if it is not
     */
    static TensorTree.Dict dict(String transform, TensorTree state, String... keys) {
        if (!(state instanceof TensorTree.Dict d) || !d.entries().keySet().equals(new LinkedHashSet<>(List.of(keys)))) {
            throw new IllegalArgumentException("the state of " + transform + " is a dict with keys " + List.of(keys)
                    + ", got " + state.structure());
        }
        return d;
    }

    /** {@return a 0-d I64 step counter holding n} */
    static Tensor count(long n) {
        return Tensor.full(n, DType.I64);
    }

    /** {@return the value of the state's "count" leaf} */
    static long countOf(TensorTree.Dict state) {
        return ((TensorTree.Leaf) state.entries().get("count")).tensor().getLong();
    }

    /** {@return a fresh tree of zeros shaped like the parameters} */
    static TensorTree zeros(TensorTree params) {
        return params.map(Tensor::zerosLike);
    }
}
