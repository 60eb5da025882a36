package dev.proxima.tensor;

import java.util.ArrayList;

/**
 * Owns every tensor created on this thread while it is the innermost open scope, and closes them
 * when it closes.
 *
 * {@snippet :
 * Tensor kept;
 * try (Scope scope = Scope.open()) {
 *     Tensor a = Tensor.ones(DType.F32, 3, 3);
 *     Tensor b = a.mul(2).add(1);        // a, b and the temporary a*2 belong to the scope
 *     kept = scope.keep(b.sum());        // moved to the enclosing scope (or to the caller)
 * }                                      // a, b and a*2 are freed here
 * kept.close();
 * }
 *
 * <p>Scopes nest per thread and must be closed innermost first, by the thread that opened them
 * (try-with-resources does both). A tensor created outside any scope belongs to the caller, who closes
 * it. Closing a scope twice is harmless.
 */
public final class Scope implements AutoCloseable {

    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    private final Scope parent;
    private final Thread thread;
    private final ArrayList<Tensor> owned = new ArrayList<>();
    private boolean closed;
    /** Names the scope in the message of a tensor used after the scope closed it; null if unnamed. */
    private final String name;
    /** Where the scope was opened, recorded only with {@code -Dproxima.leaks=report}; else null. */
    private final Leaks.Site openedAt;

    private Scope(Scope parent, String name) {
        this.parent = parent;
        this.thread = Thread.currentThread();
        this.name = name;
        this.openedAt = Leaks.tracking ? Leaks.site() : null;
    }

    /**
     * Opens a scope nested in this thread's current one.
     *
     * @return the scope, to be closed by this thread (try-with-resources)
     */
    public static Scope open() {
        Scope s = new Scope(CURRENT.get(), null);
        CURRENT.set(s);
        return s;
    }

    /**
     * Opens a named scope nested in this thread's current one. The name appears in the message of a tensor
     * used after the scope closed it, to tell which scope that was.
     *
     * {@snippet :
     * try (Scope step = Scope.open("training step")) {
     *     // ...
     * }
     * }
     *
     * @param name what the scope is for, e.g. {@code "training step"}
     * @return the scope, to be closed by this thread (try-with-resources)
     * @throws IllegalArgumentException if {@code name} is null or blank
     */
    public static Scope open(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a scope's name must not be blank; use Scope.open() for an unnamed scope");
        }
        Scope s = new Scope(CURRENT.get(), name);
        CURRENT.set(s);
        return s;
    }

    /** The scope as named in messages: its name, where it was opened (when recorded) and its thread. */
    String describe() {
        StringBuilder sb = new StringBuilder("the scope");
        if (name != null) {
            sb.append(" '").append(name).append('\'');
        }
        if (openedAt != null) {
            sb.append(" opened at ").append(openedAt.first());
        } else {
            sb.append(" opened on thread ").append(thread.getName());
            if (name == null) {
                sb.append(" (name scopes with Scope.open(name), or run with -D").append(Leaks.PROPERTY)
                        .append("=report to see where each was opened)");
            }
        }
        return sb.toString();
    }

    /** The innermost open scope of this thread, or null. */
    static Scope current() {
        return CURRENT.get();
    }

    void adopt(Tensor t) {
        owned.add(t);
        t.owner = this;
    }

    /** True if this scope owns {@code t}. */
    boolean owns(Tensor t) {
        return t.owner == this;
    }

    void forget(Tensor t) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            if (owned.get(i) == t) {
                owned.remove(i);
                return;
            }
        }
    }

    /**
     * Moves {@code tensor} out of this scope into the enclosing one, or to the caller if there is none.
     *
     * @param tensor a tensor this scope owns
     * @return {@code tensor}
     * @throws IllegalArgumentException if this scope does not own {@code tensor}
     * @throws IllegalStateException    if the scope is closed
     */
    public Tensor keep(Tensor tensor) {
        if (closed) {
            throw new IllegalStateException("scope is closed");
        }
        if (tensor.owner != this) {
            throw new IllegalArgumentException("this scope does not own the tensor " + tensor.describe());
        }
        forget(tensor);
        tensor.owner = null;
        if (parent != null && !parent.closed) {
            parent.adopt(tensor);
        }
        return tensor;
    }

    /**
     * Takes {@code tensor} out of whichever scope owns it (if any), on any level of nesting: the caller owns
     * it from now on and must close it. For long-lived state created while scopes are open, such as model
     * parameters and optimizer moments that must outlive the scope of one training step.
     *
     * @param tensor the tensor to take out; one no scope owns is returned as is
     * @return {@code tensor}
     */
    public static Tensor release(Tensor tensor) {
        Tensor.disown(tensor);
        return tensor;
    }

    /** {@return number of open tensors this scope owns} */
    public int size() {
        return owned.size();
    }

    /**
     * Closes every tensor the scope owns (newest first) and makes the enclosing scope current again.
     *
     * @throws IllegalStateException if called from another thread than the one that opened the scope,
     *                               or while a scope nested in it is still open
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a scope must be closed by the thread that opened it (" + thread.getName() + ")");
        }
        if (CURRENT.get() != this) {
            throw new IllegalStateException("close the innermost scope first");
        }
        closed = true;
        CURRENT.set(parent);
        RuntimeException failure = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            Tensor t = owned.get(i);
            t.owner = null;
            t.closedBy = this;
            try {
                t.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        owned.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
