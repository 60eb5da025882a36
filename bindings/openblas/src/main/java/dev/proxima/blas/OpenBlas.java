package dev.proxima.blas;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Optional;

/**
 * The OpenBLAS library this process uses: where it came from, how it was built, how many
 * threads it runs.
 *
 * <p>The library is resolved once, on first use, in this order:
 * <ol>
 *   <li>an explicit file: system property {@code proxima.openblas.path}, else environment variable
 *       {@code PROXIMA_OPENBLAS}. A file that cannot be loaded is an error, never skipped;</li>
 *   <li>a system-installed {@code libopenblas} found by the dynamic linker, if it exports both CBLAS
 *       and LAPACKE (a build without LAPACKE is skipped and the reason is recorded);</li>
 *   <li>the OpenBLAS build published on Maven Central ({@code org.bytedeco:openblas}), which this
 *       module's jar carries. It is extracted once to a versioned folder, by default
 *       {@code ~/.cache/proxima/openblas-<version>-<platform>} (property {@code proxima.native.cache}
 *       changes the parent), and reported by {@link #library()}. The jar carries the {@code linux-x86_64} build; on
 *       another platform ({@code linux-arm64}, {@code macosx-x86_64}, {@code macosx-arm64}, {@code windows-x86_64})
 *       the matching {@code org.bytedeco:openblas:<version>:<platform>} jar is used when it is on the class path
 *       ({@code .so}, {@code .dylib} and {@code .dll} names are recognised; only Linux x86-64 is tested).</li>
 * </ol>
 *
 * <p>The thread count starts at system property {@code proxima.threads}, else the number of available
 * processors.
 */
public final class OpenBlas {

    /** Where the loaded library came from. */
    public enum Origin {
        /** Named by {@code proxima.openblas.path} or {@code PROXIMA_OPENBLAS}. */
        EXPLICIT,
        /** Found by the system's dynamic linker. */
        SYSTEM,
        /** Extracted from the OpenBLAS build shipped inside Proxima's jar, or from a bytedeco platform jar on the class path. */
        BUNDLED
    }

    /**
     * A description of the loaded library.
     *
     * @param origin   which step of the resolution order found it
     * @param path     the file that was loaded, as far as it can be determined
     * @param config   the string returned by {@code openblas_get_config()}
     * @param coreName the CPU kernel family chosen at load time ({@code openblas_get_corename()})
     * @param notes    why earlier candidates were skipped (empty if the first one was taken)
     */
    public record Library(Origin origin, String path, String config, String coreName, List<String> notes) {
        /** One line: origin, path, configuration and core. */
        @Override
        public String toString() {
            return origin + " " + path + " [" + config + ", core " + coreName + "]";
        }
    }

    private static final Linker LINKER = Linker.nativeLinker();

    private OpenBlas() {
    }

    /** {@return the loaded library; loads it on first call} */
    public static Library library() {
        return Holder.LIBRARY;
    }

    /** {@return the number of threads OpenBLAS uses for level-3 calls} */
    public static int threads() {
        try {
            return (int) Holder.GET_THREADS.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Sets the number of threads OpenBLAS uses.
     *
     * @param threads at least 1
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("OpenBLAS thread count must be >= 1, got " + threads);
        }
        try {
            Holder.SET_THREADS.invokeExact(threads);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * The thread count requested by system property {@code proxima.threads}, else the number of
     * available processors.
     *
     * @return the thread count, at least 1
     * @throws IllegalArgumentException if the property is not a positive integer
     */
    public static int configuredThreads() {
        String value = System.getProperty("proxima.threads");
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("system property proxima.threads must be a positive integer, got '" + value + "'");
    }

    /** Looks up a symbol of the loaded library (for the bindings of this module). */
    static Optional<MemorySegment> find(String symbol) {
        return Holder.LOOKUP.find(symbol);
    }

    /** Creates a downcall handle for a symbol that must exist in the loaded library. */
    static MethodHandle downcall(String symbol, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment address = find(symbol).orElseThrow(() -> new UnsatisfiedLinkError(
                "symbol " + symbol + " not found in " + Holder.LIBRARY.path()));
        return LINKER.downcallHandle(address, descriptor, options);
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** Initialization-on-demand: the library loads when first needed. */
    private static final class Holder {
        static final SymbolLookup LOOKUP;
        static final Library LIBRARY;
        static final MethodHandle GET_THREADS;
        static final MethodHandle SET_THREADS;

        static {
            LibraryLoader.Loaded loaded = LibraryLoader.load();
            LOOKUP = loaded.lookup();
            GET_THREADS = handle("openblas_get_num_threads", FunctionDescriptor.of(ValueLayout.JAVA_INT));
            SET_THREADS = handle("openblas_set_num_threads", FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
            String config = callString("openblas_get_config");
            String core = callString("openblas_get_corename");
            LIBRARY = new Library(loaded.origin(), loaded.path(), config, core, List.copyOf(loaded.notes()));
            try {
                SET_THREADS.invokeExact(configuredThreads());
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        private static MethodHandle handle(String name, FunctionDescriptor fd) {
            return LINKER.downcallHandle(LOOKUP.find(name).orElseThrow(
                    () -> new UnsatisfiedLinkError("symbol " + name + " not found in the loaded OpenBLAS")), fd);
        }

        private static String callString(String name) {
            Optional<MemorySegment> symbol = LOOKUP.find(name);
            if (symbol.isEmpty()) {
                return "unknown";
            }
            MethodHandle mh = LINKER.downcallHandle(symbol.get(), FunctionDescriptor.of(ValueLayout.ADDRESS));
            try {
                MemorySegment p = (MemorySegment) mh.invokeExact();
                return p.equals(MemorySegment.NULL) ? "unknown" : p.reinterpret(4096).getString(0).trim();
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    /** The arena that keeps loaded libraries open for the life of the process. */
    static Arena libraryArena() {
        return Arena.global();
    }
}
