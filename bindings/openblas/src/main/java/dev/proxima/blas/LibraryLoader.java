package dev.proxima.blas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.SymbolLookup;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/** Resolves and loads libopenblas in the order documented on {@link OpenBlas}. */
final class LibraryLoader {

    /** Proxima's own messages go through {@link System.Logger} (java.util.logging unless the application plugs in another). */
    private static final System.Logger LOG = System.getLogger(LibraryLoader.class.getName());

    record Loaded(SymbolLookup lookup, OpenBlas.Origin origin, String path, List<String> notes) {
    }

    /** Symbols a library must export to be used: CBLAS for this issue, LAPACKE for linalg. */
    static final List<String> REQUIRED_SYMBOLS = List.of("cblas_sgemm", "cblas_dgemm", "LAPACKE_dgesv", "openblas_set_num_threads");

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
        NativePlatform platform = NativePlatform.current();
        for (String name : platform.systemLibraryNames()) {
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
        Bundle bundle = findBundle(platform);
        if (!bundle.source().equals(PROXIMA_JAR)) {
            notes.add("using " + bundle.source());
        }
        Path dir = extract(bundle, platform);
        List<String> files = platform.loadOrder(bundle.files());
        Path library = dir.resolve(files.getLast());
        if (platform.os() != NativePlatform.Os.LINUX) {
            // macOS and Windows find a library's dependencies by install name / DLL name, which resolves to an
            // already loaded library: load the runtime libraries first, by path. (On Linux the bundled
            // libopenblas finds them beside itself through its $ORIGIN run path.)
            for (String dependency : files.subList(0, files.size() - 1)) {
                SymbolLookup.libraryLookup(dir.resolve(dependency), OpenBlas.libraryArena());
            }
        }
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

    private static final String PROXIMA_JAR = "the proxima-blas jar";

    /**
     * An OpenBLAS build that can be extracted: its platform, version, resource folder and file names.
     *
     * @param platform bytedeco's classifier, e.g. {@code linux-x86_64}
     * @param version  the {@code org.bytedeco:openblas} version
     * @param files    the file names in its folder
     * @param source   where it comes from, for messages
     * @param opener   reads one of the files
     */
    record Bundle(String platform, String version, List<String> files, String source, Opener opener) {
    }

    /** Reads a file of a {@link Bundle} by name. */
    interface Opener {
        InputStream open(String file) throws IOException;
    }

    /**
     * The build for {@code platform}: the one this jar carries when the platforms match, else the folder of an
     * {@code org.bytedeco:openblas-<version>-<classifier>.jar} found on the class path.
     */
    static Bundle findBundle(NativePlatform platform) {
        Properties props = new Properties();
        try (InputStream in = LibraryLoader.class.getResourceAsStream("openblas.properties")) {
            if (in == null) {
                throw new IllegalStateException("openblas.properties is missing from the proxima-blas jar");
            }
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String carried = props.getProperty("platform");
        String version = props.getProperty("version");
        if (carried.equals(platform.classifier())) {
            // the files are listed in openblas.properties: a folder cannot be listed inside a jlink image
            List<String> files = List.of(props.getProperty("files").split(","));
            return new Bundle(carried, version, files, PROXIMA_JAR, file -> {
                String resource = "native/" + carried + "/" + file;
                InputStream in = LibraryLoader.class.getResourceAsStream(resource);
                if (in == null) {
                    throw new IllegalStateException("resource " + resource + " is missing from the proxima-blas jar");
                }
                return in;
            });
        }
        for (ClassLoader loader : classLoaders()) {
            URL folder = loader.getResource(platform.bytedecoFolder());
            if (folder != null) {
                String jarVersion = bytedecoVersion(folder).orElse(version);
                return new Bundle(platform.classifier(), jarVersion, listFolder(folder),
                        "org.bytedeco:openblas:" + jarVersion + ":" + platform.classifier() + " (" + folder + ")", file -> {
                            var connection = URI.create(folder.toString() + file).toURL().openConnection();
                            connection.setUseCaches(false);
                            return connection.getInputStream();
                        });
            }
        }
        throw new IllegalStateException(noBuildMessage(platform, carried, version));
    }

    /** The one sentence said when no OpenBLAS can be found for {@code platform}. */
    static String noBuildMessage(NativePlatform platform, String carried, String version) {
        String fix = platform.isSupported()
                ? "add org.bytedeco:openblas:" + version + ":" + platform.classifier() + " to the class path (Maven: "
                        + "<classifier>" + platform.classifier() + "</classifier>), install OpenBLAS with LAPACKE, or set "
                        + "-Dproxima.openblas.path=/path/to/" + platform.systemLibraryNames().getFirst()
                : "install OpenBLAS with LAPACKE and set -Dproxima.openblas.path to its library file";
        return "no OpenBLAS found: the proxima-blas jar carries a build for " + carried + " but this is "
                + platform.classifier() + "; " + fix;
    }

    private static List<ClassLoader> classLoaders() {
        List<ClassLoader> loaders = new ArrayList<>();
        for (ClassLoader l : new ClassLoader[]{LibraryLoader.class.getClassLoader(),
                Thread.currentThread().getContextClassLoader(), ClassLoader.getSystemClassLoader()}) {
            if (l != null && !loaders.contains(l)) {
                loaders.add(l);
            }
        }
        return loaders;
    }

    /** The file names directly inside a resource folder of a jar ({@code jar:} URL) or a directory ({@code file:}). */
    static List<String> listFolder(URL folder) {
        try {
            if (folder.getProtocol().equals("jar")) {
                JarURLConnection connection = (JarURLConnection) folder.openConnection();
                connection.setUseCaches(false);
                String prefix = connection.getEntryName();
                String dir = prefix.endsWith("/") ? prefix : prefix + "/";
                try (JarFile jar = connection.getJarFile()) {
                    return jar.stream().map(ZipEntry::getName)
                            .filter(n -> n.startsWith(dir) && n.length() > dir.length() && n.indexOf('/', dir.length()) < 0)
                            .map(n -> n.substring(dir.length())).sorted().toList();
                }
            }
            try (var entries = Files.list(Path.of(folder.toURI()))) {
                return entries.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("could not list the OpenBLAS files in " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The version in the bytedeco jar's {@code META-INF/maven/org.bytedeco/openblas/pom.properties}, if readable. */
    private static java.util.Optional<String> bytedecoVersion(URL folder) {
        String url = folder.toString();
        int bang = url.indexOf("!/");
        if (!url.startsWith("jar:") || bang < 0) {
            return java.util.Optional.empty();
        }
        try {
            URL pom = URI.create(url.substring(0, bang + 2) + "META-INF/maven/org.bytedeco/openblas/pom.properties").toURL();
            var connection = pom.openConnection();
            connection.setUseCaches(false);
            try (InputStream in = connection.getInputStream()) {
                Properties p = new Properties();
                p.load(in);
                return java.util.Optional.ofNullable(p.getProperty("version"));
            }
        } catch (IOException | IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }

    /** Extracts the libraries of {@code bundle} once into a versioned folder and returns that folder. */
    static Path extract(Bundle bundle, NativePlatform platform) {
        String cacheRoot = System.getProperty("proxima.native.cache");
        Path root = cacheRoot != null && !cacheRoot.isBlank()
                ? Path.of(cacheRoot)
                : Path.of(System.getProperty("user.home"), ".cache", "proxima");
        Path dir = root.resolve("openblas-" + bundle.version() + "-" + bundle.platform()).toAbsolutePath();
        Path complete = dir.resolve(".complete");
        if (Files.isRegularFile(complete)) {
            return dir;
        }
        try {
            Files.createDirectories(dir);
            for (String file : platform.loadOrder(bundle.files())) {
                Path target = dir.resolve(file);
                try (InputStream in = bundle.opener().open(file)) {
                    Path tmp = Files.createTempFile(dir, file, ".part");
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    try {
                        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            Files.writeString(complete, bundle.version() + "\n");
            LOG.log(System.Logger.Level.DEBUG, "extracted the bundled OpenBLAS {0} ({1}) to {2}", bundle.version(), bundle.platform(), dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not extract the bundled OpenBLAS to " + dir, e);
        }
        return dir;
    }
}
