package dev.proxima.nn;

import dev.proxima.tensor.Tensor;

import java.util.List;

/** Applies its children in order; they are named "0", "1", …. It owns them. */
public class Sequential extends Module {

    /**
     * A chain of {@code modules} (ownership moves here).
     *
     * @param modules the modules, applied in order
     */
    public Sequential(Module... modules) {
        this(List.of(modules));
    }

    /**
     * A chain of {@code modules} (ownership moves here).
     *
     * @param modules the modules, applied in order
     */
    public Sequential(List<? extends Module> modules) {
        for (int i = 0; i < modules.size(); i++) {
            registerModule(Integer.toString(i), modules.get(i));
        }
    }

    /**
     * The i-th module.
     *
     * @param i the position, from 0
     * @return the module registered at position {@code i}, or null if there is none
     */
    public Module get(int i) {
        return children().get(Integer.toString(i));
    }

    /** {@return the number of modules} */
    public int size() {
        return children().size();
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Module m : children().values()) {
            y = m.forward(y);
        }
        return y;
    }
}
