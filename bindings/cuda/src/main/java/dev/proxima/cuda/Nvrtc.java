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
 * <p>No {@code nvrtc.h} is installed here; signatures were checked against NVIDIA's own
 * {@code cuda-python} declarations ({@code cynvrtc.pxd}) and a copy of {@code nvrtc.h} from the
 * {@code nvidia-cuda-nvrtc} wheel: {@code nvrtcCreateProgram(nvrtcProgram*, const char* src,
 * const char* name, int numHeaders, const char* const* headers, const char* const* includeNames)},
 * {@code nvrtcCompileProgram(nvrtcProgram, int numOptions, const char* const* options)},
 * {@code nvrtcGetPTXSize(nvrtcProgram, size_t*)}, {@code nvrtcGetPTX(nvrtcProgram, char*)} (same for
 * CUBIN and the program log), {@code nvrtcDestroyProgram(nvrtcProgram*)},
 * {@code const char* nvrtcGetErrorString(nvrtcResult)}.
 */
public final class Nvrtc {

    /** What a compile produced. */
    public enum Output {
        /** PTX text, JIT-compiled by the driver at load time (portable to newer GPUs). */
        PTX,
        /** A CUBIN for exactly the {@code sm_XX} named in the options. */
        CUBIN
    }

    private static final LazyLibrary LIBRARY = new LazyLibrary(LibraryLocator.NVRTC, "nvrtcCreateProgram");

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

    /** {@code nvrtcGetErrorString}. */
    public static String errorString(int result) {
        try {
            MemorySegment s = (MemorySegment) h("nvrtcGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT)).invokeExact(result);
            return s.equals(MemorySegment.NULL) ? "nvrtcResult " + result : s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "nvrtcResult " + result;
        }
    }

    private static void check(String call, int status, String log) {
        if (status != 0) {
            throw new CudaException(call, status, errorString(status), log);
        }
    }

    /** {@code nvrtcVersion}: {major, minor}. */
    public static int[] version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ma = a.allocate(JAVA_INT);
            MemorySegment mi = a.allocate(JAVA_INT);
            check("nvrtcVersion", invoke(h("nvrtcVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)), ma, mi), null);
            return new int[] {ma.get(JAVA_INT, 0), mi.get(JAVA_INT, 0)};
        }
    }

    /**
     * Compiles {@code source} (named {@code name} in diagnostics) with {@code options} and returns the
     * PTX (NUL-free text bytes) or CUBIN. A compile error throws {@link CudaException} carrying the log.
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
