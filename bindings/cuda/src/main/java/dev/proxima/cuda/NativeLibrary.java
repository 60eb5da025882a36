package dev.proxima.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** One loaded shared library and the downcall handles made from it (created on first use, cached). */
final class NativeLibrary {

    private static final Linker LINKER = Linker.nativeLinker();

    private final String path;
    private final SymbolLookup lookup;
    private final ConcurrentHashMap<String, MethodHandle> handles = new ConcurrentHashMap<>();

    private NativeLibrary(String path, SymbolLookup lookup) {
        this.path = path;
        this.lookup = lookup;
    }

    /** Loads {@code file} (an absolute path or a bare soname for the dynamic linker); empty if dlopen fails. */
    static Optional<NativeLibrary> tryLoad(String file) {
        try {
            SymbolLookup l = file.contains("/") ? SymbolLookup.libraryLookup(Path.of(file), Arena.global())
                    : SymbolLookup.libraryLookup(file, Arena.global());
            return Optional.of(new NativeLibrary(file, l));
        } catch (IllegalArgumentException | IllegalCallerException e) {
            return Optional.empty();
        }
    }

    String path() {
        return path;
    }

    boolean has(String symbol) {
        return lookup.find(symbol).isPresent();
    }

    MethodHandle handle(String symbol, FunctionDescriptor fd) {
        return handles.computeIfAbsent(symbol, s -> {
            MemorySegment addr = lookup.find(s)
                    .orElseThrow(() -> new CudaException(path + " does not export " + s));
            return LINKER.downcallHandle(addr, fd);
        });
    }
}
