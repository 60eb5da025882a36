package dev.proxima.cuda;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the CUDA libraries may live, in the order they are tried.
 *
 * <ol>
 *   <li>an explicit system property or environment variable (a file, or a folder holding the library);</li>
 *   <li>the folders of {@code LD_LIBRARY_PATH}, in order (what the user chose for this process);</li>
 *   <li>the {@code lib} folders of NVIDIA's Python wheels ({@code nvidia/cublas/lib},
 *       {@code nvidia/cuda_nvrtc/lib}, and the CUDA 13 layout {@code nvidia/cu13/lib}) in the active
 *       environments: {@code $VIRTUAL_ENV}, {@code $CONDA_PREFIX};</li>
 *   <li>{@code /usr/local/cuda/compat} (a forward-compatible driver package, which must win over the system
 *       driver), then the standard toolkit and distribution folders: {@code /usr/local/cuda/lib64},
 *       {@code /usr/local/cuda-*}{@code /lib64} (newest first), {@code /usr/lib/x86_64-linux-gnu}, {@code /usr/lib64};</li>
 *   <li>the same wheel folders under the site-packages of the other Python installations found on disk: the
 *       prefixes of the {@code python3} executables on {@code PATH}, {@code /usr/local}, {@code /usr},
 *       {@code /opt/conda}, {@code ~/.local} (no Python is run);</li>
 *   <li>finally the bare soname, resolved by the dynamic linker's own search ({@code ldconfig} cache).</li>
 * </ol>
 *
 * <p>The file names depend on the operating system ({@link #fileNames}): Linux sonames, Windows DLL names
 * (on Windows {@code %CUDA_PATH%\bin\x64} and {@code %CUDA_PATH%\bin} are searched after the system folders).</p>
 *
 * <p>cuBLAS and NVRTC files whose soname major version is newer than the driver's CUDA version
 * ({@code cuDriverGetVersion() / 1000}) are skipped unless chosen explicitly: a CUDA 13 cuBLAS or NVRTC cannot
 * work on a 12.x driver ({@code cublasCreate} fails, and NVRTC 13's output does not load), while a 12.x one beside
 * it would.
 */
public final class LibraryLocator {

    /**
     * What to look for.
     *
     * @param what       a human name, e.g. "CUDA driver"
     * @param property   the system property naming the file or folder
     * @param envVar     the environment variable naming the file or folder
     * @param sonames    file names, preferred first
     * @param wheelDirs  folders relative to site-packages that NVIDIA wheels use
     */
    public record Spec(String what, String property, String envVar, List<String> sonames, List<String> wheelDirs) {
    }

    /** libcuda (installed by the driver, never by wheels). */
    public static final Spec DRIVER = new Spec("CUDA driver", "proxima.cuda.driver", "PROXIMA_CUDA_DRIVER",
            List.of("libcuda.so.1", "libcuda.so"), List.of());
    /** cuBLAS. */
    public static final Spec CUBLAS = new Spec("cuBLAS", "proxima.cublas.path", "PROXIMA_CUBLAS",
            List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so"), List.of("nvidia/cublas/lib", "nvidia/cu13/lib", "nvidia/cu12/lib"));
    /** NVRTC. */
    public static final Spec NVRTC = new Spec("NVRTC", "proxima.nvrtc.path", "PROXIMA_NVRTC",
            List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"), List.of("nvidia/cuda_nvrtc/lib", "nvidia/cu13/lib", "nvidia/cu12/lib"));

    private LibraryLocator() {
    }

    /**
     * The file names to look for on the operating system named {@code osName} ({@code os.name}), preferred first:
     * the spec's Linux sonames on Linux; NVIDIA's DLL names on Windows ({@code nvcuda.dll},
     * {@code cublas64_<major>.dll}, {@code nvrtc64_<major>0_0.dll}, CUDA 13 then 12); none on macOS, which has no
     * CUDA. Only Linux is tested on a machine; the names for Windows are covered by unit tests.
     *
     * @param spec   what to look for
     * @param osName the operating system's name, as in {@code System.getProperty("os.name")}
     * @return the file names, possibly empty
     */
    public static List<String> fileNames(Spec spec, String osName) {
        String os = osName == null ? "" : osName.toLowerCase(java.util.Locale.ROOT);
        if (os.startsWith("windows")) {
            return WINDOWS_NAMES.getOrDefault(spec.what(), List.of());
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return List.of();
        }
        return spec.sonames();
    }

    private static final Map<String, List<String>> WINDOWS_NAMES = Map.of(
            "CUDA driver", List.of("nvcuda.dll"),
            "cuBLAS", List.of("cublas64_13.dll", "cublas64_12.dll"),
            "NVRTC", List.of("nvrtc64_130_0.dll", "nvrtc64_120_0.dll"));

    /**
     * The explicit setting for {@code spec}, or null: the system property wins over the environment.
     *
     * @param spec the library
     * @param env  the environment variables (e.g. {@code System.getenv()})
     * @return the trimmed file or folder setting, or null if neither is set
     */
    public static String explicit(Spec spec, Map<String, String> env) {
        String p = System.getProperty(spec.property());
        if (p != null && !p.isBlank()) {
            return p.trim();
        }
        String e = env.get(spec.envVar());
        return e == null || e.isBlank() ? null : e.trim();
    }

    /**
     * Files an explicit setting designates: the file itself, or each soname inside a folder.
     *
     * @param spec    the library
     * @param setting a file or a folder
     * @return the setting itself for a file; for a folder, the folder joined with each of the library's file names
     */
    public static List<Path> explicitCandidates(Spec spec, String setting) {
        Path p = Path.of(setting);
        if (Files.isDirectory(p)) {
            return fileNames(spec, System.getProperty("os.name")).stream().map(p::resolve).toList();
        }
        return List.of(p);
    }

    /**
     * Folders searched after an explicit setting, in order (existing ones only).
     *
     * @param spec     the library
     * @param env      the environment variables ({@code LD_LIBRARY_PATH}, {@code VIRTUAL_ENV}, {@code CONDA_PREFIX})
     * @param userHome the user's home folder, or null
     * @return the existing folders, without duplicates
     */
    public static List<Path> searchFolders(Spec spec, Map<String, String> env, String userHome) {
        Set<Path> dirs = new LinkedHashSet<>();
        String ld = env.get("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String part : ld.split(":")) {
                if (!part.isBlank()) {
                    dirs.add(Path.of(part));
                }
            }
        }
        List<Path> active = activePrefixes(env);
        addWheelDirs(spec, sitePackagesUnder(active), dirs);
        dirs.add(Path.of("/usr/local/cuda/compat")); // forward-compatible driver packages, before the system driver
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        dirs.addAll(globNewestFirst(Path.of("/usr/local"), "cuda-", "lib64"));
        dirs.add(Path.of("/usr/lib/x86_64-linux-gnu"));
        dirs.add(Path.of("/usr/lib64"));
        String cudaPath = env.get("CUDA_PATH"); // set by NVIDIA's Windows installer
        if (cudaPath != null && !cudaPath.isBlank()) {
            dirs.add(Path.of(cudaPath, "bin", "x64")); // CUDA 13
            dirs.add(Path.of(cudaPath, "bin"));
        }
        addWheelDirs(spec, sitePackages(env, userHome), dirs);
        return dirs.stream().filter(Files::isDirectory).toList();
    }

    private static void addWheelDirs(Spec spec, List<Path> sites, Set<Path> dirs) {
        for (Path site : sites) {
            for (String w : spec.wheelDirs()) {
                dirs.add(site.resolve(w));
            }
        }
    }

    /** The prefixes of the active Python environments: {@code $VIRTUAL_ENV}, {@code $CONDA_PREFIX}. */
    private static List<Path> activePrefixes(Map<String, String> env) {
        List<Path> prefixes = new ArrayList<>();
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                prefixes.add(Path.of(v));
            }
        }
        return prefixes;
    }

    /**
     * site-packages / dist-packages folders of the Python installations present (existing ones only).
     *
     * @param env      the environment variables (active virtual or conda environments)
     * @param userHome the user's home folder (for {@code ~/.local}), or null
     * @return the existing folders, without duplicates
     */
    public static List<Path> sitePackages(Map<String, String> env, String userHome) {
        List<Path> prefixes = new ArrayList<>(activePrefixes(env));
        prefixes.addAll(pythonPrefixesOnPath(env.get("PATH")));
        prefixes.add(Path.of("/usr/local"));
        prefixes.add(Path.of("/usr"));
        prefixes.add(Path.of("/opt/conda"));
        if (userHome != null) {
            prefixes.add(Path.of(userHome, ".local"));
        }
        return sitePackagesUnder(prefixes);
    }

    private static List<Path> sitePackagesUnder(List<Path> prefixes) {
        Set<Path> out = new LinkedHashSet<>();
        for (Path prefix : prefixes) {
            Path lib = prefix.resolve("lib");
            for (Path py : globNewestFirst(lib, "python3", "")) {
                out.add(py.resolve("site-packages"));
                out.add(py.resolve("dist-packages"));
            }
            out.add(lib.resolve("python3/dist-packages"));
        }
        return out.stream().filter(Files::isDirectory).toList();
    }

    /**
     * The installation prefixes of the {@code python3} executables on {@code path} (a PATH value), in PATH
     * order: for {@code <prefix>/bin/python3} the folder {@code <prefix>}, both as found and with links
     * resolved (a virtual environment's {@code python3} links to its base interpreter). Nothing is run.
     */
    static List<Path> pythonPrefixesOnPath(String path) {
        Set<Path> out = new LinkedHashSet<>();
        if (path == null) {
            return List.of();
        }
        for (String dir : path.split(":")) {
            if (dir.isBlank()) {
                continue;
            }
            Path exe = Path.of(dir, "python3");
            if (!Files.isExecutable(exe)) {
                continue;
            }
            Path bin = exe.toAbsolutePath().getParent();
            if (bin.getParent() != null) {
                out.add(bin.getParent());
            }
            try {
                Path real = exe.toRealPath().getParent();
                if (real != null && real.getParent() != null) {
                    out.add(real.getParent());
                }
            } catch (IOException e) {
                // a dangling link: the unresolved prefix above is all there is
            }
        }
        return List.copyOf(out);
    }

    /**
     * Every candidate file for {@code spec}, in the order tried (bare sonames last), whatever the driver's version.
     *
     * @param spec     the library
     * @param env      the environment variables
     * @param userHome the user's home folder, or null
     * @return absolute paths and, last, bare sonames for the system loader
     */
    public static List<String> candidates(Spec spec, Map<String, String> env, String userHome) {
        return candidates(spec, env, userHome, 0);
    }

    /**
     * The candidates for {@code spec} that a driver for CUDA {@code driverMajor} can use: as
     * {@link #candidates(Spec, Map, String)}, without the cuBLAS / NVRTC files whose soname major version
     * ({@link #sonameMajor}) exceeds {@code driverMajor}. An explicit setting is kept as it is, and so is everything
     * when {@code driverMajor} is 0 (unknown) or {@code spec} is the driver itself.
     *
     * @param spec        what to look for
     * @param env         the environment variables to consult
     * @param userHome    the user's home folder, or null
     * @param driverMajor {@code cuDriverGetVersion() / 1000}, or 0 if unknown
     * @return the files and bare sonames to try, in order
     */
    public static List<String> candidates(Spec spec, Map<String, String> env, String userHome, int driverMajor) {
        List<String> all = allCandidates(spec, env, userHome);
        if (driverMajor <= 0 || spec == DRIVER || explicit(spec, env) != null) {
            return all;
        }
        return all.stream().filter(c -> sonameMajor(c) <= driverMajor).toList();
    }

    /**
     * The major version in a library file name, e.g. 13 for {@code /x/libcublas.so.13} or {@code libnvrtc.so.13.1};
     * -1 when the name carries none ({@code libcublas.so}).
     *
     * @param file a path or bare file name
     * @return the first number after {@code .so.}, or -1
     */
    static int sonameMajor(String file) {
        String name = Path.of(file).getFileName().toString();
        int at = name.indexOf(".so.");
        if (at < 0) {
            return -1;
        }
        int i = at + 4;
        int j = i;
        while (j < name.length() && Character.isDigit(name.charAt(j)) && j - i < 6) {
            j++;
        }
        return j == i ? -1 : Integer.parseInt(name.substring(i, j));
    }

    private static List<String> allCandidates(Spec spec, Map<String, String> env, String userHome) {
        List<String> out = new ArrayList<>();
        String explicit = explicit(spec, env);
        if (explicit != null) {
            explicitCandidates(spec, explicit).forEach(p -> out.add(p.toString()));
            return out; // an explicit choice is not second-guessed
        }
        for (Path dir : searchFolders(spec, env, userHome)) {
            for (String so : fileNames(spec, System.getProperty("os.name"))) {
                Path f = dir.resolve(so);
                if (Files.exists(f)) {
                    out.add(f.toString());
                }
            }
        }
        out.addAll(fileNames(spec, System.getProperty("os.name")));
        return out;
    }

    /** {@code parent/<prefix>*} folders (then {@code sub} inside each), newest version first by name. */
    static List<Path> globNewestFirst(Path parent, String prefix, String sub) {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(parent)) {
            return found;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, prefix + "*")) {
            for (Path p : ds) {
                found.add(sub.isEmpty() ? p : p.resolve(sub));
            }
        } catch (IOException e) {
            return found;
        }
        found.sort((x, y) -> compareVersions(y.toString(), x.toString())); // same parent: the names decide
        return found;
    }

    /** Compares strings with embedded numbers numerically ("cuda-13.0" &gt; "cuda-12.10" &gt; "cuda-12.9"). */
    static int compareVersions(String a, String b) {
        String[] pa = a.split("(?<=\\D)(?=\\d)|(?<=\\d)(?=\\D)");
        String[] pb = b.split("(?<=\\D)(?=\\d)|(?<=\\d)(?=\\D)");
        for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
            int c;
            if (!pa[i].isEmpty() && !pb[i].isEmpty() && Character.isDigit(pa[i].charAt(0)) && Character.isDigit(pb[i].charAt(0))) {
                c = compareDigits(pa[i], pb[i]);
            } else {
                c = pa[i].compareTo(pb[i]);
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(pa.length, pb.length);
    }

    /** Compares two digit runs as unbounded non-negative numbers (no overflow on long runs). */
    private static int compareDigits(String a, String b) {
        String x = a.replaceFirst("^0+(?=\\d)", "");
        String y = b.replaceFirst("^0+(?=\\d)", "");
        return x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
    }

    /**
     * Files to load (by absolute path) before {@code chosen}, because the library dlopens them later by
     * bare soname: NVRTC opens {@code libnvrtc-builtins.so.<major>.<minor>} on its first compile and fails
     * with {@code NVRTC_ERROR_BUILTIN_OPERATION_FAILURE} (7) when that name is not on the loader's path
     * (a wheel or an unpacked archive outside {@code LD_LIBRARY_PATH}). Once a file with that soname is
     * loaded, glibc's dlopen matches the bare name against it. Returns every
     * {@code libnvrtc-builtins.so*} beside {@code chosen} and beside the file it links to (deduplicated by
     * real path, newest version first); empty for the other libraries and for bare sonames.
     */
    static List<Path> companions(Spec spec, String chosen) {
        if (spec != NVRTC || !chosen.contains("/")) {
            return List.of();
        }
        Path file = Path.of(chosen);
        Set<Path> dirs = new LinkedHashSet<>();
        if (file.getParent() != null) {
            dirs.add(file.getParent());
        }
        try {
            Path real = file.toRealPath();
            if (real.getParent() != null) {
                dirs.add(real.getParent());
            }
        } catch (IOException e) {
            // a missing file: dlopen will report it
        }
        Set<Path> seen = new LinkedHashSet<>();
        List<Path> out = new ArrayList<>();
        for (Path dir : dirs) {
            for (Path p : globNewestFirst(dir, "libnvrtc-builtins.so", "")) {
                try {
                    if (Files.isRegularFile(p) && seen.add(p.toRealPath())) {
                        out.add(p);
                    }
                } catch (IOException e) {
                    // unreadable: skip
                }
            }
        }
        return out;
    }

    /**
     * Loads the first candidate that dlopen accepts and that exports every one of {@code requiredSymbols}
     * (after preloading its {@link #companions}); the failure reason names what was wrong with each tried file.
     */
    static Loaded load(Spec spec, List<String> requiredSymbols) {
        int driverMajor = spec == DRIVER ? 0 : driverMajor();
        List<String> tried = candidates(spec, System.getenv(), System.getProperty("user.home"), driverMajor);
        List<String> problems = new ArrayList<>();
        for (String c : candidates(spec, System.getenv(), System.getProperty("user.home"))) {
            if (!tried.contains(c) && c.contains("/")) {
                problems.add(c + " skipped: a CUDA " + sonameMajor(c) + " library needs a CUDA " + sonameMajor(c)
                        + " driver, this one is CUDA " + driverMajor);
            }
        }
        for (String c : tried) {
            List<String> preloaded = new ArrayList<>();
            for (Path companion : companions(spec, c)) {
                NativeLibrary.tryLoad(companion.toString()).ifPresent(l -> preloaded.add(l.path()));
            }
            var lib = NativeLibrary.tryLoad(c);
            if (lib.isEmpty()) {
                if (c.contains("/") && Files.exists(Path.of(c))) {
                    problems.add(c + " exists but dlopen refused it");
                }
                continue;
            }
            List<String> missing = requiredSymbols.stream().filter(s -> !lib.get().has(s)).toList();
            if (missing.isEmpty()) {
                return new Loaded(lib.get(), null, List.copyOf(preloaded));
            }
            problems.add(c + " lacks " + String.join(", ", missing));
        }
        List<String> names = fileNames(spec, System.getProperty("os.name"));
        String first = names.isEmpty() ? "CUDA (not available on " + System.getProperty("os.name") + ")" : names.getFirst();
        String explicit = explicit(spec, System.getenv());
        String reason = explicit != null
                ? spec.what() + ": " + explicit + " (from " + spec.property() + "/" + spec.envVar() + ") could not be loaded"
                : spec.what() + ": " + first + " not found";
        if (!problems.isEmpty()) {
            reason += " (" + String.join("; ", problems) + ")";
        }
        return new Loaded(null, reason, List.of());
    }

    /** {@code cuDriverGetVersion() / 1000} of the driver the bindings use, or 0 when no driver loads. */
    private static int driverMajor() {
        try {
            return CudaDriver.loaded().library() == null ? 0 : CudaDriver.driverVersion() / 1000;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /**
     * The outcome of {@link #load}.
     *
     * @param library   the library, or null
     * @param failure   why none was loaded (one line), or null
     * @param preloaded companion files loaded beside it (see {@link #companions})
     */
    record Loaded(NativeLibrary library, String failure, List<String> preloaded) {
    }
}
