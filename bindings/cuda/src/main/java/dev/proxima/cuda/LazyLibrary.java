package dev.proxima.cuda;

/**
 * A CUDA library located and loaded on first use (once per process, thread-safe), shared by the
 * binding classes: {@link #loaded()} never throws; {@link #library()} throws a {@link CudaException}
 * naming the library and why it is missing.
 */
final class LazyLibrary {

    private final LibraryLocator.Spec spec;
    private final String requiredSymbol;
    private volatile LibraryLocator.Loaded loaded;

    LazyLibrary(LibraryLocator.Spec spec, String requiredSymbol) {
        this.spec = spec;
        this.requiredSymbol = requiredSymbol;
    }

    LibraryLocator.Loaded loaded() {
        LibraryLocator.Loaded l = loaded;
        if (l == null) {
            synchronized (this) {
                l = loaded;
                if (l == null) {
                    l = LibraryLocator.load(spec, requiredSymbol);
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
