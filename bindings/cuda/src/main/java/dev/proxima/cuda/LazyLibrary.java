package dev.proxima.cuda;

import java.util.List;

/**
 * A CUDA library located and loaded on first use (once per process, thread-safe), shared by the
 * binding classes. A candidate file is accepted only if it exports every required symbol (the binding
 * class's own list of the entry points it calls, so a too-old library is rejected with a reason naming
 * what it lacks instead of failing on some later call). {@link #loaded()} never throws;
 * {@link #library()} throws a {@link CudaException} naming the library and why it is missing.
 */
final class LazyLibrary {

    private final LibraryLocator.Spec spec;
    private final List<String> requiredSymbols;
    private volatile LibraryLocator.Loaded loaded;

    /** A library found through {@code spec} that must export every name in {@code requiredSymbols}. */
    LazyLibrary(LibraryLocator.Spec spec, List<String> requiredSymbols) {
        if (requiredSymbols.isEmpty()) {
            throw new IllegalArgumentException("at least one required symbol identifies the library");
        }
        this.spec = spec;
        this.requiredSymbols = List.copyOf(requiredSymbols);
    }

    LibraryLocator.Loaded loaded() {
        LibraryLocator.Loaded l = loaded;
        if (l == null) {
            synchronized (this) {
                l = loaded;
                if (l == null) {
                    l = LibraryLocator.load(spec, requiredSymbols);
                    loaded = l;
                }
            }
        }
        return l;
    }

    NativeLibrary library() {
        LibraryLocator.Loaded l = loaded();
        if (l.library() == null) {
            throw new CudaException("no " + spec.what() + ": " + l.failure());
        }
        return l.library();
    }
}
