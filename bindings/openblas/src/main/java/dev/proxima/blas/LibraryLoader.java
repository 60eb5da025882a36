package dev.proxima.blas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.SymbolLookup;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/** Resolves and loads libopenblas in the order documented on {@link OpenBlas}. */
final class LibraryLoader {

    /** Proxima's own messages go through {@link System.Logger} (java.util.logging unless the application plugs in another). */
    private static final System.Logger LOG = System.getLogger(LibraryLoader.class.getName());

    record Loaded(SymbolLookup lookup, OpenBlas.Origin origin, String path, List<String> notes) {
    }

    /** Symbols a library must export to be used: CBLAS for this issue, LAPACKE for linalg. */
    static final List<String> REQUIRED_SYMBOLS = List.of("cblas_sgemm", "cblas_dgemm", "LAPACKE_dgesv", "openblas_set_num_threads");

    /** The bundled files, in load order (dependencies first). */
    private static final List<String> BUNDLED_FILES = List.of("libgcc_s.so.1", "libquadmath.so.0", "libgfortran.so.5", "libopenblas.so.0");

    private static final List<String> SYSTEM_NAMES = List.of("libopenblas.so.0", "libopenblas.so");

    private LibraryLoader() {
    }

    static Loaded load() {
        List<String> notes = new ArrayList<>();
        String explicit = System.getProperty("proxima.openblas.path");
        String source = "system property proxima.openblas.path";
        if (explicit == null || explicit.isBlank()) {
            explicit = System.getenv("PROXIMA_OPENBLAS");
            source = "environment variable PROXIMA_OPENBLAS";
        }
        if (explicit != null && !explicit.isBlank()) {
            Path path = Path.of(explicit.trim()).toAbsolutePath();
            if (!Files.isRegularFile(path)) {
                throw new IllegalStateException(source + " names " + path + ", which is not a file");
            }
            SymbolLookup lookup;
            try {
                lookup = SymbolLookup.libraryLookup(path, OpenBlas.libraryArena());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(source + " names " + path + ", which could not be loaded: " + e.getMessage(), e);
            }
            String missing = missingSymbol(lookup);
            if (missing != null) {
                throw new IllegalStateException(source + " names " + path + ", which does not export " + missing);
            }
            return new Loaded(lookup, OpenBlas.Origin.EXPLICIT, path.toString(), notes);
        }
        java.util.Set<String> skipped = new java.util.HashSet<>();
        for (String name : SYSTEM_NAMES) {
            // each candidate gets its own arena, closed (dlclose) if the library is rejected
            java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared();
            SymbolLookup lookup;
            try {
                lookup = SymbolLookup.libraryLookup(name, arena);
            } catch (IllegalArgumentException e) {
                arena.close();
                continue;
            }
            String missing = missingSymbol(lookup);
            String where = loadedPath("libopenblas").orElse(name);
            if (missing == null) {
                return new Loaded(lookup, OpenBlas.Origin.SYSTEM, where, notes); // the arena stays open for the process
            }
            arena.close();
            if (skipped.add(where)) {
                notes.add("skipped system " + where + ": it does not export " + missing);
            }
        }
        if (notes.isEmpty()) {
            notes.add("no system libopenblas found by the dynamic linker");
        }
        Path dir = extractBundled();
        Path library = dir.resolve("libopenblas.so.0");
        SymbolLookup lookup = SymbolLookup.libraryLookup(library, OpenBlas.libraryArena());
        String missing = missingSymbol(lookup);
        if (missing != null) {
            throw new IllegalStateException("the bundled OpenBLAS " + library + " does not export " + missing);
        }
        return new Loaded(lookup, OpenBlas.Origin.BUNDLED, library.toString(), notes);
    }

    private static String missingSymbol(SymbolLookup lookup) {
        for (String symbol : REQUIRED_SYMBOLS) {
            if (lookup.find(symbol).isEmpty()) {
                return symbol;
            }
        }
        return null;
    }

    /** The path of a mapped shared object whose file name starts with {@code prefix}, from /proc/self/maps. */
    private static java.util.Optional<String> loadedPath(String prefix) {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return java.util.Optional.empty();
        }
        try (var lines = Files.lines(maps)) {
            return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(p -> p.startsWith("/") && Path.of(p).getFileName().toString().startsWith(prefix))
                    .findFirst();
        } catch (IOException | UncheckedIOException e) {
            return java.util.Optional.empty();
        }
    }

    /** Extracts the bundled libraries once into a versioned folder and returns that folder. */
    static Path extractBundled() {
        Properties props = new Properties();
        try (InputStream in = LibraryLoader.class.getResourceAsStream("openblas.properties")) {
            if (in == null) {
                throw new IllegalStateException("openblas.properties is missing from the proxima-blas jar");
            }
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String platform = props.getProperty("platform");
        String running = platformName();
        if (!platform.equals(running)) {
            throw new IllegalStateException("no OpenBLAS found: the jar carries a build for " + platform + " but this is "
                    + running + "; install OpenBLAS (with LAPACKE) or set -Dproxima.openblas.path=/path/to/libopenblas");
        }
        String cacheRoot = System.getProperty("proxima.native.cache");
        Path root = cacheRoot != null && !cacheRoot.isBlank()
                ? Path.of(cacheRoot)
                : Path.of(System.getProperty("user.home"), ".cache", "proxima");
        Path dir = root.resolve("openblas-" + props.getProperty("version") + "-" + platform).toAbsolutePath();
        Path complete = dir.resolve(".complete");
        if (Files.isRegularFile(complete)) {
            return dir;
        }
        try {
            Files.createDirectories(dir);
            for (String file : BUNDLED_FILES) {
                String resource = "native/" + platform + "/" + file;
                Path target = dir.resolve(file);
                try (InputStream in = LibraryLoader.class.getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalStateException("resource " + resource + " is missing from the proxima-blas jar");
                    }
                    Path tmp = Files.createTempFile(dir, file, ".part");
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    try {
                        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            Files.writeString(complete, props.getProperty("version") + "\n");
            LOG.log(System.Logger.Level.DEBUG, "extracted the bundled OpenBLAS {0} to {1}", props.getProperty("version"), dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not extract the bundled OpenBLAS to " + dir, e);
        }
        return dir;
    }

    private static String platformName() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("linux") ? "linux" : os.contains("mac") ? "macosx" : os.contains("win") ? "windows" : os;
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
        return o + "-" + a;
    }
}
