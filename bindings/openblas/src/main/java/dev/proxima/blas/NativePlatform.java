package dev.proxima.blas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An operating system and processor pair, named the way {@code org.bytedeco:openblas} names its platform
 * classifier jars ({@code linux-x86_64}, {@code linux-arm64}, {@code macosx-x86_64}, {@code macosx-arm64},
 * {@code windows-x86_64}), and the file-name rules of its shared libraries ({@code .so}, {@code .dylib},
 * {@code .dll}). Pure functions of their arguments: the loader calls them with {@code os.name} and
 * {@code os.arch}, the tests with every platform's values.
 *
 * @param os   the operating system
 * @param arch the processor in bytedeco's spelling ({@code x86_64}, {@code arm64}, or {@code os.arch} as given)
 */
record NativePlatform(Os os, String arch) {

    /** Operating systems whose library naming the loader knows. */
    enum Os {
        /** {@code lib<name>.so.<major>}. */
        LINUX("linux"),
        /** {@code lib<name>.<major>.dylib}. */
        MACOS("macosx"),
        /** {@code lib<name>.dll} or {@code lib<name>-<major>.dll}. */
        WINDOWS("windows"),
        /** Any other system: its name is kept, and no library name is recognised. */
        OTHER("");

        private final String classifierName;

        Os(String classifierName) {
            this.classifierName = classifierName;
        }
    }

    /** The platforms {@code org.bytedeco:openblas} publishes a classifier jar for that Proxima can use. */
    static final List<String> SUPPORTED = List.of("linux-x86_64", "linux-arm64", "macosx-x86_64", "macosx-arm64",
            "windows-x86_64");

    /** The GCC/MinGW runtime libraries a bundled OpenBLAS needs, in the order they must be loaded. */
    private static final List<String> RUNTIME_ORDER = List.of("gcc_s", "winpthread", "quadmath", "gfortran");

    private static final Pattern SO = Pattern.compile("lib[\\w+.-]*?\\.so(\\.\\d+)*");
    private static final Pattern DYLIB = Pattern.compile("lib[\\w+.-]*\\.dylib");
    private static final Pattern DLL = Pattern.compile("[\\w+.-]+\\.dll", Pattern.CASE_INSENSITIVE);

    /** The platform described by Java's {@code os.name} and {@code os.arch} values. */
    static NativePlatform of(String osName, String osArch) {
        String os = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        Os o = os.startsWith("linux") ? Os.LINUX
                : os.startsWith("mac") || os.startsWith("darwin") ? Os.MACOS
                : os.startsWith("windows") ? Os.WINDOWS
                : Os.OTHER;
        String arch = osArch == null ? "" : osArch.toLowerCase(Locale.ROOT);
        String a = switch (arch) {
            case "amd64", "x86_64", "x86-64", "x64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
        return o == Os.OTHER ? new NativePlatform(o, os.replace(' ', '_') + "-" + a) : new NativePlatform(o, a);
    }

    /** The platform this JVM runs on. */
    static NativePlatform current() {
        return of(System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    /** bytedeco's classifier, e.g. {@code macosx-arm64} (for {@link Os#OTHER}: {@code <os.name>-<arch>}). */
    String classifier() {
        return os == Os.OTHER ? arch : os.classifierName + "-" + arch;
    }

    /** Whether {@code org.bytedeco:openblas} has a build for this platform that Proxima supports. */
    boolean isSupported() {
        return SUPPORTED.contains(classifier());
    }

    /** The folder inside {@code org.bytedeco:openblas-<version>-<classifier>.jar} that holds the libraries. */
    String bytedecoFolder() {
        return "org/bytedeco/openblas/" + classifier() + "/";
    }

    /** Whether {@code fileName} names a shared library on this platform ({@code .so[.N…]}, {@code .dylib}, {@code .dll}). */
    boolean isSharedLibrary(String fileName) {
        return switch (os) {
            case LINUX -> SO.matcher(fileName).matches();
            case MACOS -> DYLIB.matcher(fileName).matches();
            case WINDOWS -> DLL.matcher(fileName).matches();
            case OTHER -> false;
        };
    }

    /** Names the system's dynamic linker is asked for, preferred first. */
    List<String> systemLibraryNames() {
        return switch (os) {
            case LINUX -> List.of("libopenblas.so.0", "libopenblas.so");
            case MACOS -> List.of("libopenblas.0.dylib", "libopenblas.dylib");
            case WINDOWS -> List.of("libopenblas.dll", "openblas.dll");
            case OTHER -> List.of();
        };
    }

    /**
     * The OpenBLAS library and the runtime libraries it needs, picked from the files of a bundled folder and put
     * in load order (GCC runtime first, OpenBLAS last). Files that are no shared library of this platform, the
     * JNI wrappers of bytedeco's Java binding ({@code jni*}) and the BLAS-only build ({@code openblas_nolapack})
     * are left out.
     *
     * @throws IllegalArgumentException if no OpenBLAS library is among the files
     */
    List<String> loadOrder(Collection<String> fileNames) {
        List<String> picked = new ArrayList<>();
        for (String f : fileNames) {
            String base = baseName(f);
            if (isSharedLibrary(f) && !base.startsWith("jni") && !base.equals("openblas_nolapack")
                    && (base.equals("openblas") || RUNTIME_ORDER.contains(runtimeKey(base)))) {
                picked.add(f);
            }
        }
        if (picked.stream().noneMatch(f -> baseName(f).equals("openblas"))) {
            throw new IllegalArgumentException("no OpenBLAS library for " + classifier() + " among " + fileNames
                    + "; expected " + String.join(" or ", systemLibraryNames()));
        }
        picked.sort(Comparator.comparingInt((String f) -> rank(baseName(f))).thenComparing(Comparator.naturalOrder()));
        return List.copyOf(picked);
    }

    /** The file in {@link #loadOrder} that is OpenBLAS itself (the last one). */
    String openBlasFile(Collection<String> fileNames) {
        return loadOrder(fileNames).getLast();
    }

    private static int rank(String base) {
        return base.equals("openblas") ? RUNTIME_ORDER.size() : RUNTIME_ORDER.indexOf(runtimeKey(base));
    }

    /** {@code gcc_s_seh} (MinGW's name for libgcc_s) counts as {@code gcc_s}. */
    private static String runtimeKey(String base) {
        return base.startsWith("gcc_s") ? "gcc_s" : base;
    }

    /**
     * The library's name without prefix, version and suffix: {@code libgfortran.so.5}, {@code libgfortran.5.dylib}
     * and {@code libgfortran-5.dll} are all {@code gfortran}; {@code libgcc_s_seh-1.dll} is {@code gcc_s_seh}.
     */
    static String baseName(String fileName) {
        String n = fileName;
        int so = n.indexOf(".so");
        if (so > 0 && (so + 3 == n.length() || n.charAt(so + 3) == '.')) {
            n = n.substring(0, so);
        } else if (n.toLowerCase(Locale.ROOT).endsWith(".dylib") || n.toLowerCase(Locale.ROOT).endsWith(".dll")) {
            n = n.substring(0, n.lastIndexOf('.'));
            n = n.replaceFirst("([.-]\\d+)+$", "");
        }
        return n.startsWith("lib") ? n.substring(3) : n;
    }
}
