package dev.proxima.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls to NVRTC, the run-time CUDA C++ compiler ({@code libnvrtc.so.13}/{@code .12}).
 *
 * <p>Signatures checked against NVIDIA's {@code cuda-python} declarations of {@code nvrtc.h}
 * ({@code cynvrtc.pxd}) and an {@code nvrtc.h} transcription (no {@code nvrtc.h} is installed here):
 * {@code nvrtcCreateProgram(nvrtcProgram*, const char* src, const char* name, int numHeaders,
 * const char* const* headers, const char* const* includeNames)},
 * {@code nvrtcCompileProgram(nvrtcProgram, int numOptions, const char* const* options)},
 * {@code nvrtcGetPTXSize(nvrtcProgram, size_t*)}, {@code nvrtcGetPTX(nvrtcProgram, char*)} (same shape
 * for {@code nvrtcGetCUBINSize}/{@code nvrtcGetCUBIN} and {@code nvrtcGetProgramLogSize}/{@code nvrtcGetProgramLog}),
 * {@code nvrtcDestroyProgram(nvrtcProgram*)}, {@code const char* nvrtcGetErrorString(nvrtcResult)},
 * {@code nvrtcVersion(int*, int*)}, {@code nvrtcGetNumSupportedArchs(int*)},
 * {@code nvrtcGetSupportedArchs(int*)}; {@code nvrtcResult} is a C enum (an {@code int}),
 * {@code NVRTC_ERROR_COMPILATION = 6}, {@code NVRTC_ERROR_BUILTIN_OPERATION_FAILURE = 7}.
 *
 * <p>Verified against a real NVRTC 13.1 ({@code libnvrtc.so.13} from {@code org.bytedeco:cuda-redist},
 * see {@code native/cuda/README.md}) by {@code NvrtcCompileTest}: every symbol in {@code SYMBOLS} is
 * exported, every kernel specialisation the backend uses compiles to PTX and CUBIN for sm_80 and sm_90,
 * a compile error carries NVRTC's log, and the supported-architecture list reads back
 * (13.1: 75, 80, 86, 87, 88, 89, 90, 100, 103, 110, 120, 121).
 *
 * <p>NVRTC opens {@code libnvrtc-builtins.so.<major>.<minor>} by soname on its first compile; the loader
 * preloads it from beside the chosen {@code libnvrtc} ({@code LibraryLocator.companions}), so no
 * {@code LD_LIBRARY_PATH} is needed.
 */
public final class Nvrtc {

    /** What a compile produced. */
    public enum Output {
        /** PTX text, JIT-compiled by the driver at load time (portable to newer GPUs). */
        PTX,
        /** A CUBIN for exactly the {@code sm_XX} named in the options. */
        CUBIN
    }

    /** {@code NVRTC_ERROR_COMPILATION}. */
    public static final int ERROR_COMPILATION = 6;
    /** {@code NVRTC_ERROR_BUILTIN_OPERATION_FAILURE}: NVRTC could not load {@code libnvrtc-builtins}. */
    public static final int ERROR_BUILTIN_OPERATION_FAILURE = 7;

    /**
     * Every NVRTC entry point these bindings call: a library is accepted only if it exports all of them,
     * and the tests check the list against the real library and against this class's source.
     */
    static final List<String> SYMBOLS = List.of("nvrtcGetErrorString", "nvrtcVersion", "nvrtcGetNumSupportedArchs",
            "nvrtcGetSupportedArchs", "nvrtcCreateProgram", "nvrtcCompileProgram", "nvrtcGetPTXSize", "nvrtcGetPTX",
            "nvrtcGetCUBINSize", "nvrtcGetCUBIN", "nvrtcGetProgramLogSize", "nvrtcGetProgramLog", "nvrtcDestroyProgram");

    private static final LazyLibrary LIBRARY = new LazyLibrary(LibraryLocator.NVRTC, SYMBOLS);

    private Nvrtc() {
    }

    static LibraryLocator.Loaded loaded() {
        return LIBRARY.loaded();
    }

    private static MethodHandle h(String name, FunctionDescriptor fd) {
        return LIBRARY.library().handle(name, fd);
    }

    private static int invoke(MethodHandle mh, Object... args) {
        try {
            return (int) mh.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@return the file NVRTC was loaded from, or null if it was not found} */
    public static String libraryPath() {
        LibraryLocator.Loaded l = loaded();
        return l.library() == null ? null : l.library().path();
    }

    /** {@return the {@code libnvrtc-builtins} files preloaded beside NVRTC (see {@code LibraryLocator.companions})} */
    public static List<String> preloaded() {
        return loaded().preloaded();
    }

    /**
     * {@code nvrtcGetErrorString}: e.g. "NVRTC_ERROR_COMPILATION".
     *
     * @param result an {@code nvrtcResult} code
     * @return the code's name, or {@code "nvrtcResult <code>"} if NVRTC is missing or does not know it
     */
    public static String errorString(int result) {
        try {
            MemorySegment s = (MemorySegment) h("nvrtcGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT)).invokeExact(result);
            return s.equals(MemorySegment.NULL) ? "nvrtcResult " + result : s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "nvrtcResult " + result;
        }
    }

    private static void check(String call, int status, String log) {
        if (status == ERROR_BUILTIN_OPERATION_FAILURE) {
            String hint = builtinsHint();
            log = log == null || log.isBlank() ? hint : log.strip() + "\n" + hint;
        }
        if (status != 0) {
            throw new CudaException(call, status, errorString(status), log);
        }
    }

    /** What to check when NVRTC could not load its builtins library. */
    static String builtinsHint() {
        String want = "libnvrtc-builtins.so";
        try {
            int[] v = version();
            want += "." + v[0] + "." + v[1];
        } catch (RuntimeException e) {
            want += ".<major>.<minor>";
        }
        List<String> pre = preloaded();
        return "NVRTC could not load " + want + ": it must be in the folder of " + libraryPath()
                + " (Proxima preloads it from there; preloaded: " + (pre.isEmpty() ? "none found" : String.join(", ", pre))
                + ") or on LD_LIBRARY_PATH / in the ldconfig cache, and be the same NVRTC version";
    }

    /** {@return {@code nvrtcVersion}: {major, minor}} */
    public static int[] version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ma = a.allocate(JAVA_INT);
            MemorySegment mi = a.allocate(JAVA_INT);
            check("nvrtcVersion", invoke(h("nvrtcVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)), ma, mi), null);
            return new int[] {ma.get(JAVA_INT, 0), mi.get(JAVA_INT, 0)};
        }
    }

    /**
     * {@code nvrtcGetNumSupportedArchs} + {@code nvrtcGetSupportedArchs}: the real architectures this
     * NVRTC can build a CUBIN for, as {@code 10 * major + minor} (e.g. 80 for sm_80), ascending.
     *
     * @return the architectures, ascending
     * @throws CudaException if NVRTC is not available or the calls fail
     */
    public static int[] supportedArchs() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(JAVA_INT);
            check("nvrtcGetNumSupportedArchs", invoke(h("nvrtcGetNumSupportedArchs", FunctionDescriptor.of(JAVA_INT, ADDRESS)), n), null);
            int count = n.get(JAVA_INT, 0);
            if (count <= 0) {
                return new int[0];
            }
            MemorySegment list = a.allocate(JAVA_INT, count);
            check("nvrtcGetSupportedArchs", invoke(h("nvrtcGetSupportedArchs", FunctionDescriptor.of(JAVA_INT, ADDRESS)), list), null);
            int[] out = list.toArray(JAVA_INT);
            java.util.Arrays.sort(out);
            return out;
        }
    }

    /**
     * Compiles {@code source} (named {@code name} in diagnostics) with {@code options} and returns the
     * PTX (NUL-free text bytes) or CUBIN. A compile error throws {@link CudaException} carrying the log
     * ({@code name(line): error: ...}). A CUBIN needs a real architecture in the options
     * ({@code --gpu-architecture=sm_XY}); with a virtual one ({@code compute_XY}) NVRTC makes none and this
     * throws {@link CudaException} saying so.
     *
     * @param source  the CUDA C++ source, non-empty
     * @param name    the program name used in diagnostics, non-empty
     * @param options NVRTC options, none blank (see {@link CompileOptions})
     * @param output  PTX or CUBIN
     * @return the compiled image
     * @throws IllegalArgumentException if an argument is null or empty, or an option is blank
     * @throws CudaException            if NVRTC is not available, the compilation fails, or no CUBIN was produced
     */
    public static byte[] compile(String source, String name, List<String> options, Output output) {
        if (source == null || source.isEmpty()) {
            throw new IllegalArgumentException("source must not be empty");
        }
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("program name must not be empty");
        }
        if (options == null || options.stream().anyMatch(o -> o == null || o.isBlank())) {
            throw new IllegalArgumentException("options must not be null or contain blank entries: " + options);
        }
        if (output == null) {
            throw new IllegalArgumentException("output must not be null");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment progOut = a.allocate(ADDRESS);
            check("nvrtcCreateProgram", invoke(h("nvrtcCreateProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS)),
                    progOut, a.allocateFrom(source), a.allocateFrom(name), 0, MemorySegment.NULL, MemorySegment.NULL), null);
            MemorySegment prog = progOut.get(ADDRESS, 0);
            try {
                MemorySegment opts = a.allocate(ADDRESS, Math.max(1, options.size()));
                for (int i = 0; i < options.size(); i++) {
                    opts.setAtIndex(ADDRESS, i, a.allocateFrom(options.get(i)));
                }
                int r = invoke(h("nvrtcCompileProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS)), prog, options.size(), opts);
                String log = log(a, prog);
                check("nvrtcCompileProgram(" + name + ")", r, log);
                String sizeFn = output == Output.PTX ? "nvrtcGetPTXSize" : "nvrtcGetCUBINSize";
                String getFn = output == Output.PTX ? "nvrtcGetPTX" : "nvrtcGetCUBIN";
                MemorySegment size = a.allocate(JAVA_LONG);
                check(sizeFn, invoke(h(sizeFn, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)), prog, size), null);
                long n = size.get(JAVA_LONG, 0);
                if (n <= 0 || (output == Output.PTX && n <= 1)) {
                    throw new CudaException(getFn + "(" + name + ") returned no " + output + " image"
                            + (output == Output.CUBIN ? " (a CUBIN needs --gpu-architecture=sm_XY, not compute_XY): " : ": ") + options);
                }
                MemorySegment buf = a.allocate(Math.max(1, n));
                check(getFn, invoke(h(getFn, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)), prog, buf), null);
                long len = output == Output.PTX && n > 0 && buf.get(JAVA_BYTE, n - 1) == 0 ? n - 1 : n; // drop PTX's NUL
                return buf.asSlice(0, len).toArray(JAVA_BYTE);
            } finally {
                invoke(h("nvrtcDestroyProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS)), progOut);
            }
        }
    }

    private static String log(Arena a, MemorySegment prog) {
        MemorySegment size = a.allocate(JAVA_LONG);
        if (invoke(h("nvrtcGetProgramLogSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)), prog, size) != 0) {
            return "";
        }
        long n = size.get(JAVA_LONG, 0);
        if (n <= 1) {
            return "";
        }
        MemorySegment buf = a.allocate(n);
        invoke(h("nvrtcGetProgramLog", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)), prog, buf);
        return buf.getString(0);
    }
}
