package dev.proxima.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls to the CUDA driver API ({@code libcuda.so.1}).
 *
 * <p>Signatures were checked against {@code /usr/local/cuda-13.0/include/cuda.h} (CUDA 13.0): the
 * {@code _v2} entry points are the ones {@code cuda.h} maps the plain names to
 * ({@code cuMemAlloc → cuMemAlloc_v2}, {@code cuEventElapsedTime → cuEventElapsedTime_v2}, …), and the
 * default (legacy-stream, not per-thread) variants are used. {@code CUdeviceptr} is a 64-bit unsigned
 * integer (a Java {@code long}), {@code CUdevice} an {@code int}, {@code size_t} a {@code long}, and the
 * opaque handles ({@code CUcontext}, {@code CUstream}, {@code CUevent}, {@code CUmodule},
 * {@code CUfunction}) are pointers ({@link MemorySegment}; {@link MemorySegment#NULL} is the default stream).
 *
 * <p>Checked entry by entry against {@code cuda.h} 13.0 (return type {@code CUresult}, an {@code int}):
 * {@code cuGetErrorName(CUresult, const char**)}, {@code cuInit(unsigned)}, {@code cuDriverGetVersion(int*)},
 * {@code cuDeviceGet(CUdevice*, int)}, {@code cuDeviceGetCount(int*)},
 * {@code cuDeviceGetName(char*, int, CUdevice)}, {@code cuDeviceTotalMem_v2(size_t*, CUdevice)},
 * {@code cuDeviceGetAttribute(int*, CUdevice_attribute, CUdevice)},
 * {@code cuDevicePrimaryCtxRetain(CUcontext*, CUdevice)}, {@code cuDevicePrimaryCtxRelease_v2(CUdevice)},
 * {@code cuCtxSetCurrent(CUcontext)}, {@code cuMemAlloc_v2(CUdeviceptr*, size_t)},
 * {@code cuMemFree_v2(CUdeviceptr)}, {@code cuMemsetD8_v2(CUdeviceptr, unsigned char, size_t)},
 * {@code cuMemcpyHtoD_v2(CUdeviceptr, const void*, size_t)}, {@code cuMemcpyDtoH_v2(void*, CUdeviceptr, size_t)},
 * {@code cuMemcpyDtoD_v2(CUdeviceptr, CUdeviceptr, size_t)} and their {@code Async_v2} forms with a trailing
 * {@code CUstream}, {@code cuMemcpyPeerAsync(CUdeviceptr dst, CUcontext dstCtx, CUdeviceptr src, CUcontext srcCtx,
 * size_t, CUstream)}, {@code cuMemAllocHost_v2(void**, size_t)}, {@code cuMemFreeHost(void*)},
 * {@code cuStreamCreate(CUstream*, unsigned)}, {@code cuStreamSynchronize(CUstream)},
 * {@code cuStreamDestroy_v2(CUstream)}, {@code cuEventCreate(CUevent*, unsigned)},
 * {@code cuEventRecord(CUevent, CUstream)}, {@code cuEventSynchronize(CUevent)},
 * {@code cuEventElapsedTime[_v2](float*, CUevent, CUevent)}, {@code cuEventDestroy_v2(CUevent)},
 * {@code cuModuleLoadData(CUmodule*, const void*)}, {@code cuModuleUnload(CUmodule)},
 * {@code cuModuleGetFunction(CUfunction*, CUmodule, const char*)}, {@code cuLaunchKernel(CUfunction,
 * unsigned gridX, gridY, gridZ, blockX, blockY, blockZ, unsigned sharedMemBytes, CUstream, void** params,
 * void** extra)}. Attribute numbers and error codes (e.g. {@code CUDA_ERROR_NO_DEVICE = 100}) are from the
 * same header. {@code DriverLibraryTest} checks that a real {@code libcuda} 535 (CUDA 12.2) exports every
 * name in {@code SYMBOLS} and that {@code cuInit} there fails with {@code CUDA_ERROR_NO_DEVICE} decoded
 * through {@code cuGetErrorName}.
 *
 * <p>Every method validates its arguments before touching the library, so argument errors are
 * reported even where no driver is installed.
 */
public final class CudaDriver {

    /** {@code CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK}. */
    public static final int ATTR_MAX_THREADS_PER_BLOCK = 1;
    /** {@code CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT}. */
    public static final int ATTR_MULTIPROCESSOR_COUNT = 16;
    /** {@code CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR}. */
    public static final int ATTR_COMPUTE_CAPABILITY_MAJOR = 75;
    /** {@code CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR}. */
    public static final int ATTR_COMPUTE_CAPABILITY_MINOR = 76;

    private static final FunctionDescriptor I_I = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor I_A = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    private static final FunctionDescriptor I_L = FunctionDescriptor.of(JAVA_INT, JAVA_LONG);
    private static final FunctionDescriptor I_AL = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG);

    /**
     * Every driver entry point these bindings call unconditionally: a {@code libcuda} is accepted only if it
     * exports all of them, and the tests check the list against a real driver library and this class's source.
     * All exist in driver 535 (CUDA 12.2); none is CUDA-13-only.
     */
    static final List<String> SYMBOLS = List.of("cuGetErrorName", "cuInit", "cuDriverGetVersion", "cuDeviceGetCount",
            "cuDeviceGet", "cuDeviceGetName", "cuDeviceGetAttribute", "cuDeviceTotalMem_v2", "cuDevicePrimaryCtxRetain",
            "cuDevicePrimaryCtxRelease_v2", "cuCtxSetCurrent", "cuCtxSynchronize", "cuMemAlloc_v2", "cuMemFree_v2", "cuMemsetD8_v2",
            "cuMemcpyHtoD_v2", "cuMemcpyDtoH_v2", "cuMemcpyDtoD_v2", "cuMemcpyHtoDAsync_v2", "cuMemcpyDtoHAsync_v2",
            "cuMemcpyDtoDAsync_v2", "cuMemcpyPeerAsync", "cuMemAllocHost_v2", "cuMemFreeHost", "cuStreamCreate", "cuStreamSynchronize",
            "cuStreamDestroy_v2", "cuEventCreate", "cuEventRecord", "cuEventSynchronize", "cuEventElapsedTime",
            "cuEventDestroy_v2", "cuModuleLoadData", "cuModuleUnload", "cuModuleGetFunction", "cuLaunchKernel");
    /** Entry points used only where the driver has them: {@code cuEventElapsedTime_v2} (driver 12.8+). */
    static final List<String> OPTIONAL_SYMBOLS = List.of("cuEventElapsedTime_v2");

    private static final LazyLibrary LIBRARY = new LazyLibrary(LibraryLocator.DRIVER, SYMBOLS);

    private CudaDriver() {
    }

    static LibraryLocator.Loaded loaded() {
        return LIBRARY.loaded();
    }

    private static NativeLibrary lib() {
        return LIBRARY.library();
    }

    private static MethodHandle h(String name, FunctionDescriptor fd) {
        return lib().handle(name, fd);
    }

    /** Throws {@link CudaException} naming {@code call} if {@code status} is not CUDA_SUCCESS. */
    static void check(String call, int status) {
        if (status != 0) {
            throw new CudaException(call, status, errorName(status), null);
        }
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

    // ------------------------------------------------------------------ errors, init, version

    /**
     * {@code cuGetErrorName}: e.g. "CUDA_ERROR_OUT_OF_MEMORY"; "CUresult n" if the driver does not know it.
     *
     * @param status a {@code CUresult} code
     * @return the code's name
     */
    public static String errorName(int status) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            int r = invoke(h("cuGetErrorName", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS)), status, p);
            MemorySegment s = p.get(ADDRESS, 0);
            if (r != 0 || s.equals(MemorySegment.NULL)) {
                return "CUresult " + status;
            }
            return s.reinterpret(256).getString(0);
        } catch (CudaException e) {
            return "CUresult " + status;
        }
    }

    /** {@code cuInit(0)}. */
    public static void init() {
        check("cuInit", invoke(h("cuInit", I_I), 0));
    }

    /** {@return {@code cuDriverGetVersion}: e.g. 13000 for CUDA 13.0} */
    public static int driverVersion() {
        return intOut("cuDriverGetVersion", h("cuDriverGetVersion", I_A));
    }

    private static int intOut(String call, MethodHandle mh, Object... rest) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_INT);
            Object[] args = new Object[rest.length + 1];
            args[0] = p;
            System.arraycopy(rest, 0, args, 1, rest.length);
            check(call, invoke(mh, args));
            return p.get(JAVA_INT, 0);
        }
    }

    // ------------------------------------------------------------------ devices

    /**
     * {@code cuDeviceGetCount}.
     *
     * @return the number of CUDA devices the driver sees
     * @throws CudaException if the driver is not available or the call fails
     */
    public static int deviceCount() {
        return intOut("cuDeviceGetCount", h("cuDeviceGetCount", I_A));
    }

    /**
     * {@code cuDeviceGet}: the device handle of {@code ordinal}.
     *
     * @param ordinal the device index, from 0
     * @return the {@code CUdevice} handle
     * @throws IllegalArgumentException if {@code ordinal} is negative
     * @throws CudaException            if the driver is not available or there is no such device
     */
    public static int device(int ordinal) {
        nonNegative("ordinal", ordinal);
        return intOut("cuDeviceGet", h("cuDeviceGet", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)), ordinal);
    }

    /**
     * {@code cuDeviceGetName}.
     *
     * @param device a {@code CUdevice} from {@link #device(int)}
     * @return the device's name, e.g. "NVIDIA H100 80GB HBM3"
     * @throws CudaException if the driver is not available or the call fails
     */
    public static String deviceName(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            check("cuDeviceGetName", invoke(h("cuDeviceGetName", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT)), buf, 256, device));
            return buf.getString(0, StandardCharsets.UTF_8);
        }
    }

    /**
     * {@code cuDeviceGetAttribute}.
     *
     * @param attribute a {@code CUdevice_attribute} value (positive), e.g. 75 for the compute capability's major number
     * @param device    a {@code CUdevice} from {@link #device(int)}
     * @return the attribute's value
     * @throws IllegalArgumentException if {@code attribute} is not positive
     * @throws CudaException            if the driver is not available or the call fails
     */
    public static int deviceAttribute(int attribute, int device) {
        if (attribute <= 0) {
            throw new IllegalArgumentException("attribute must be a CUdevice_attribute (> 0), got " + attribute);
        }
        return intOut("cuDeviceGetAttribute", h("cuDeviceGetAttribute", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT)), attribute, device);
    }

    /**
     * {@code cuDeviceTotalMem_v2}: bytes of device memory.
     *
     * @param device a {@code CUdevice} from {@link #device(int)}
     * @return the total bytes of memory on the device
     * @throws CudaException if the driver is not available or the call fails
     */
    public static long deviceTotalMem(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            check("cuDeviceTotalMem_v2", invoke(h("cuDeviceTotalMem_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)), p, device));
            return p.get(JAVA_LONG, 0);
        }
    }

    // ------------------------------------------------------------------ contexts

    /**
     * {@code cuDevicePrimaryCtxRetain}: the device's primary context.
     *
     * @param device a {@code CUdevice} from {@link #device(int)}
     * @return the {@code CUcontext}; release it with {@link #primaryCtxRelease(int)}
     * @throws CudaException if the driver is not available or the call fails
     */
    public static MemorySegment primaryCtxRetain(int device) {
        return ptrOut("cuDevicePrimaryCtxRetain", h("cuDevicePrimaryCtxRetain", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)), device);
    }

    /**
     * {@code cuDevicePrimaryCtxRelease_v2}.
     *
     * @param device a {@code CUdevice} whose primary context was retained
     * @throws CudaException if the driver is not available or the call fails
     */
    public static void primaryCtxRelease(int device) {
        check("cuDevicePrimaryCtxRelease_v2", invoke(h("cuDevicePrimaryCtxRelease_v2", I_I), device));
    }

    /**
     * {@code cuCtxSetCurrent}: binds {@code ctx} to the calling thread.
     *
     * @param ctx the context to make current
     * @throws IllegalArgumentException if {@code ctx} is null
     * @throws CudaException            if the driver refuses the context
     */
    public static void ctxSetCurrent(MemorySegment ctx) {
        notNull("ctx", ctx);
        check("cuCtxSetCurrent", invoke(h("cuCtxSetCurrent", I_A), ctx));
    }

    private static MemorySegment ptrOut(String call, MethodHandle mh, Object... rest) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            Object[] args = new Object[rest.length + 1];
            args[0] = p;
            System.arraycopy(rest, 0, args, 1, rest.length);
            check(call, invoke(mh, args));
            return p.get(ADDRESS, 0);
        }
    }

    /** {@code cuCtxSynchronize}: waits until the current context's work is done (reports asynchronous kernel errors). */
    public static void ctxSynchronize() {
        check("cuCtxSynchronize", invoke(h("cuCtxSynchronize", FunctionDescriptor.of(JAVA_INT))));
    }

    // ------------------------------------------------------------------ memory

    /**
     * {@code cuMemAlloc_v2}: a device pointer to {@code bytes} bytes ({@code bytes > 0}).
     *
     * @param bytes the size, positive
     * @return the device address of the new allocation; free it with {@link #memFree(long)}
     * @throws IllegalArgumentException if {@code bytes} is not positive
     * @throws CudaException            if the allocation fails (e.g. {@code CUDA_ERROR_OUT_OF_MEMORY})
     */
    public static long memAlloc(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes must be > 0, got " + bytes);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_LONG);
            check("cuMemAlloc_v2", invoke(h("cuMemAlloc_v2", I_AL), p, bytes));
            return p.get(JAVA_LONG, 0);
        }
    }

    /**
     * {@code cuMemFree_v2}.
     *
     * @param devicePtr an address from {@link #memAlloc(long)}
     * @throws IllegalArgumentException if {@code devicePtr} is 0
     * @throws CudaException            if the driver refuses the call
     */
    public static void memFree(long devicePtr) {
        devicePointer("devicePtr", devicePtr);
        check("cuMemFree_v2", invoke(h("cuMemFree_v2", I_L), devicePtr));
    }

    /**
     * {@code cuMemsetD8_v2}: sets {@code bytes} bytes to {@code value}. The C parameter is an {@code unsigned char};
     * it is passed as the zero-extended {@code int} {@code value & 0xff}, which is what a C caller puts in the
     * argument register (a Java {@code byte} would arrive sign-extended, e.g. {@code 0xffffff80} for 0x80, which a
     * callee compiled by clang may use as is on x86-64).
     *
     * @param devicePtr the device address of the first byte
     * @param value     the byte to write
     * @param bytes     the number of bytes, at least 0
     * @throws IllegalArgumentException if {@code devicePtr} is 0 or {@code bytes} is negative
     * @throws CudaException            if the driver refuses the call
     */
    public static void memsetD8(long devicePtr, byte value, long bytes) {
        devicePointer("devicePtr", devicePtr);
        nonNegative("bytes", bytes);
        check("cuMemsetD8_v2", invoke(h("cuMemsetD8_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG)), devicePtr,
                Byte.toUnsignedInt(value), bytes));
    }

    /**
     * {@code cuMemcpyHtoD_v2}: copies {@code bytes} bytes from {@code src} (host) to {@code dst}.
     *
     * @param dst   the device address to write
     * @param src   native host memory of at least {@code bytes} bytes
     * @param bytes the number of bytes, at least 0
     * @throws IllegalArgumentException if {@code dst} is 0, {@code src} is null, on-heap or too small, or {@code bytes} is negative
     * @throws CudaException            if the driver refuses the copy
     */
    public static void memcpyHtoD(long dst, MemorySegment src, long bytes) {
        devicePointer("dst", dst);
        hostRange("src", src, bytes);
        check("cuMemcpyHtoD_v2", invoke(h("cuMemcpyHtoD_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG)), dst, src, bytes));
    }

    /**
     * {@code cuMemcpyDtoH_v2}: copies {@code bytes} bytes from {@code src} (device) to {@code dst}.
     *
     * @param dst   native host memory of at least {@code bytes} bytes
     * @param src   the device address to read
     * @param bytes the number of bytes, at least 0
     * @throws IllegalArgumentException if {@code src} is 0, {@code dst} is null, on-heap or too small, or {@code bytes} is negative
     * @throws CudaException            if the driver refuses the copy
     */
    public static void memcpyDtoH(MemorySegment dst, long src, long bytes) {
        hostRange("dst", dst, bytes);
        devicePointer("src", src);
        check("cuMemcpyDtoH_v2", invoke(h("cuMemcpyDtoH_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG)), dst, src, bytes));
    }

    /**
     * {@code cuMemcpyDtoD_v2}.
     *
     * @param dst   the device address to write
     * @param src   the device address to read
     * @param bytes the number of bytes, at least 0
     * @throws IllegalArgumentException if an address is 0 or {@code bytes} is negative
     * @throws CudaException            if the driver refuses the copy
     */
    public static void memcpyDtoD(long dst, long src, long bytes) {
        devicePointer("dst", dst);
        devicePointer("src", src);
        nonNegative("bytes", bytes);
        check("cuMemcpyDtoD_v2", invoke(h("cuMemcpyDtoD_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG)), dst, src, bytes));
    }

    /**
     * {@code cuMemcpyHtoDAsync_v2} on {@code stream} ({@code src} should be pinned, see {@link #memAllocHost}).
     *
     * @param dst    the device address to write
     * @param src    native host memory of at least {@code bytes} bytes, which must stay valid until the copy completes
     * @param bytes  the number of bytes, at least 0
     * @param stream the stream to queue the copy on
     * @throws IllegalArgumentException if {@code dst} is 0, {@code src} is null, on-heap or too small, {@code bytes} is negative
     *     or {@code stream} is null
     * @throws CudaException            if the driver refuses the copy
     */
    public static void memcpyHtoDAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        devicePointer("dst", dst);
        hostRange("src", src, bytes);
        notNull("stream", stream);
        check("cuMemcpyHtoDAsync_v2", invoke(h("cuMemcpyHtoDAsync_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS)), dst, src, bytes, stream));
    }

    /**
     * {@code cuMemcpyDtoHAsync_v2} on {@code stream}.
     *
     * @param dst    native host memory of at least {@code bytes} bytes, written when the copy completes
     * @param src    the device address to read
     * @param bytes  the number of bytes, at least 0
     * @param stream the stream to queue the copy on
     * @throws IllegalArgumentException if {@code src} is 0, {@code dst} is null, on-heap or too small, {@code bytes} is negative
     *     or {@code stream} is null
     * @throws CudaException            if the driver refuses the copy
     */
    public static void memcpyDtoHAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        hostRange("dst", dst, bytes);
        devicePointer("src", src);
        notNull("stream", stream);
        check("cuMemcpyDtoHAsync_v2", invoke(h("cuMemcpyDtoHAsync_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS)), dst, src, bytes, stream));
    }

    /**
     * {@code cuMemcpyDtoDAsync_v2} on {@code stream}.
     *
     * @param dst    the device address to write
     * @param src    the device address to read
     * @param bytes  the number of bytes, at least 0
     * @param stream the stream to queue the copy on
     * @throws IllegalArgumentException if an address is 0, {@code bytes} is negative or {@code stream} is null
     * @throws CudaException            if the driver refuses the copy
     */
    public static void memcpyDtoDAsync(long dst, long src, long bytes, MemorySegment stream) {
        devicePointer("dst", dst);
        devicePointer("src", src);
        nonNegative("bytes", bytes);
        notNull("stream", stream);
        check("cuMemcpyDtoDAsync_v2", invoke(h("cuMemcpyDtoDAsync_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS)), dst, src, bytes, stream));
    }

    /**
     * {@code cuMemcpyPeerAsync}: copies {@code bytes} bytes from {@code src}, memory of the device of {@code srcContext},
     * to {@code dst}, memory of the device of {@code dstContext} (two GPUs), on {@code stream} of the current context.
     *
     * @param dst        the destination device pointer
     * @param dstContext the context of the device {@code dst} belongs to
     * @param src        the source device pointer
     * @param srcContext the context of the device {@code src} belongs to
     * @param bytes      bytes to copy ({@code >= 0})
     * @param stream     a stream of the current context ({@link MemorySegment#NULL}: its legacy default stream)
     * @throws IllegalArgumentException if a pointer is null, a context or the stream is null, or {@code bytes < 0}
     * @throws CudaException            if the driver refuses the copy
     */
    public static void memcpyPeerAsync(long dst, MemorySegment dstContext, long src, MemorySegment srcContext, long bytes,
                                       MemorySegment stream) {
        devicePointer("dst", dst);
        notNull("dstContext", dstContext);
        devicePointer("src", src);
        notNull("srcContext", srcContext);
        nonNegative("bytes", bytes);
        notNull("stream", stream);
        check("cuMemcpyPeerAsync", invoke(h("cuMemcpyPeerAsync", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS,
                JAVA_LONG, ADDRESS)), dst, dstContext, src, srcContext, bytes, stream));
    }

    /**
     * {@code cuMemAllocHost_v2}: {@code bytes} of page-locked host memory; free with {@link #memFreeHost}.
     *
     * @param bytes the size, positive
     * @return the pinned memory, {@code bytes} long
     * @throws IllegalArgumentException if {@code bytes} is not positive
     * @throws CudaException            if the allocation fails
     */
    public static MemorySegment memAllocHost(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes must be > 0, got " + bytes);
        }
        MemorySegment p = ptrOut("cuMemAllocHost_v2", h("cuMemAllocHost_v2", I_AL), bytes);
        return p.reinterpret(bytes);
    }

    /**
     * {@code cuMemFreeHost}.
     *
     * @param pinned memory from {@link #memAllocHost(long)}
     * @throws IllegalArgumentException if {@code pinned} is null
     * @throws CudaException            if the driver refuses the call
     */
    public static void memFreeHost(MemorySegment pinned) {
        notNull("pinned", pinned);
        check("cuMemFreeHost", invoke(h("cuMemFreeHost", I_A), pinned));
    }

    // ------------------------------------------------------------------ streams and events

    /**
     * {@code cuStreamCreate} with {@code flags} (0 default, 1 = CU_STREAM_NON_BLOCKING).
     *
     * @param flags 0 or 1, as above
     * @return the new {@code CUstream}; destroy it with {@link #streamDestroy}
     * @throws CudaException if the driver refuses the call
     */
    public static MemorySegment streamCreate(int flags) {
        return ptrOut("cuStreamCreate", h("cuStreamCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)), flags);
    }

    /**
     * {@code cuStreamSynchronize}.
     *
     * @param stream the stream to wait for
     * @throws IllegalArgumentException if {@code stream} is null
     * @throws CudaException            if the driver refuses the call or queued work failed
     */
    public static void streamSynchronize(MemorySegment stream) {
        notNull("stream", stream);
        check("cuStreamSynchronize", invoke(h("cuStreamSynchronize", I_A), stream));
    }

    /**
     * {@code cuStreamDestroy_v2}.
     *
     * @param stream a stream from {@link #streamCreate(int)}
     * @throws IllegalArgumentException if {@code stream} is null
     * @throws CudaException            if the driver refuses the call
     */
    public static void streamDestroy(MemorySegment stream) {
        notNull("stream", stream);
        check("cuStreamDestroy_v2", invoke(h("cuStreamDestroy_v2", I_A), stream));
    }

    /**
     * {@code cuEventCreate} with {@code flags} (0 = default, timing enabled).
     *
     * @param flags 0, or {@code CU_EVENT_*} flags
     * @return the new {@code CUevent}; destroy it with {@link #eventDestroy}
     * @throws CudaException if the driver refuses the call
     */
    public static MemorySegment eventCreate(int flags) {
        return ptrOut("cuEventCreate", h("cuEventCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)), flags);
    }

    /**
     * {@code cuEventRecord}.
     *
     * @param event  the event to record
     * @param stream the stream whose queued work the event follows
     * @throws IllegalArgumentException if an argument is null
     * @throws CudaException            if the driver refuses the call
     */
    public static void eventRecord(MemorySegment event, MemorySegment stream) {
        notNull("event", event);
        notNull("stream", stream);
        check("cuEventRecord", invoke(h("cuEventRecord", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)), event, stream));
    }

    /**
     * {@code cuEventSynchronize}.
     *
     * @param event a recorded event
     * @throws IllegalArgumentException if {@code event} is null
     * @throws CudaException            if the driver refuses the call
     */
    public static void eventSynchronize(MemorySegment event) {
        notNull("event", event);
        check("cuEventSynchronize", invoke(h("cuEventSynchronize", I_A), event));
    }

    /**
     * {@code cuEventElapsedTime_v2} (falls back to the v1 symbol on drivers before 12.8): milliseconds.
     *
     * @param start an event recorded before {@code end}
     * @param end   a completed event
     * @return the time between the two events in milliseconds (resolution about 0.5 µs)
     * @throws IllegalArgumentException if an argument is null
     * @throws CudaException            if the driver refuses the call, e.g. when an event has not completed
     */
    public static float eventElapsedTime(MemorySegment start, MemorySegment end) {
        notNull("start", start);
        notNull("end", end);
        String name = lib().has("cuEventElapsedTime_v2") ? "cuEventElapsedTime_v2" : "cuEventElapsedTime";
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_FLOAT);
            check(name, invoke(h(name, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)), p, start, end));
            return p.get(JAVA_FLOAT, 0);
        }
    }

    /**
     * {@code cuEventDestroy_v2}.
     *
     * @param event an event from {@link #eventCreate(int)}
     * @throws IllegalArgumentException if {@code event} is null
     * @throws CudaException            if the driver refuses the call
     */
    public static void eventDestroy(MemorySegment event) {
        notNull("event", event);
        check("cuEventDestroy_v2", invoke(h("cuEventDestroy_v2", I_A), event));
    }

    // ------------------------------------------------------------------ modules and launches

    /**
     * {@code cuModuleLoadData}: loads a PTX (NUL-terminated text) or CUBIN image.
     *
     * @param image the PTX text (NUL-terminated) or CUBIN bytes
     * @return the loaded {@code CUmodule} in the current context; unload it with {@link #moduleUnload}
     * @throws IllegalArgumentException if {@code image} is null or empty
     * @throws CudaException            if the driver cannot load the image
     */
    public static MemorySegment moduleLoadData(byte[] image) {
        if (image == null || image.length == 0) {
            throw new IllegalArgumentException("image must be a non-empty PTX or CUBIN image");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment img = a.allocate(image.length + 1L, 16); // extra NUL: PTX must be terminated
            MemorySegment.copy(image, 0, img, JAVA_BYTE, 0, image.length);
            return ptrOut("cuModuleLoadData", h("cuModuleLoadData", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)), img);
        }
    }

    /**
     * {@code cuModuleUnload}.
     *
     * @param module a module from {@link #moduleLoadData(byte[])}
     * @throws IllegalArgumentException if {@code module} is null
     * @throws CudaException            if the driver refuses the call
     */
    public static void moduleUnload(MemorySegment module) {
        notNull("module", module);
        check("cuModuleUnload", invoke(h("cuModuleUnload", I_A), module));
    }

    /**
     * {@code cuModuleGetFunction}.
     *
     * @param module a loaded module
     * @param name   the kernel's (extern "C" or mangled) name, non-empty
     * @return the {@code CUfunction}
     * @throws IllegalArgumentException if {@code module} is null or {@code name} is empty
     * @throws CudaException            if the module has no such kernel
     */
    public static MemorySegment moduleGetFunction(MemorySegment module, String name) {
        notNull("module", module);
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("kernel name must not be empty");
        }
        try (Arena a = Arena.ofConfined()) {
            return ptrOut("cuModuleGetFunction(" + name + ")",
                    h("cuModuleGetFunction", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS)), module, a.allocateFrom(name));
        }
    }

    /**
     * {@code cuLaunchKernel}.
     *
     * @param function     the kernel
     * @param grid         grid dimensions (x, y, z), each &gt;= 1
     * @param block        block dimensions (x, y, z), each &gt;= 1, product &lt;= 1024
     * @param sharedBytes  dynamic shared memory
     * @param stream       the stream ({@link MemorySegment#NULL} for the legacy default stream)
     * @param kernelParams the {@code void**} argument array, e.g. from {@link KernelArgs}
     */
    public static void launchKernel(MemorySegment function, int[] grid, int[] block, int sharedBytes, MemorySegment stream,
                                    MemorySegment kernelParams) {
        notNull("function", function);
        LaunchConfig.validate(grid, block, sharedBytes);
        notNull("stream", stream);
        notNull("kernelParams", kernelParams);
        check("cuLaunchKernel", invoke(h("cuLaunchKernel", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                        JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS)),
                function, grid[0], grid[1], grid[2], block[0], block[1], block[2], sharedBytes, stream, kernelParams, MemorySegment.NULL));
    }

    // ------------------------------------------------------------------ validation

    static void notNull(String name, Object o) {
        if (o == null) {
            throw new IllegalArgumentException(name + " must not be null (use MemorySegment.NULL for the default)");
        }
    }

    static void nonNegative(String name, long v) {
        if (v < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + v);
        }
    }

    static void devicePointer(String name, long ptr) {
        if (ptr == 0) {
            throw new IllegalArgumentException(name + " is a null device pointer");
        }
    }

    static void hostRange(String name, MemorySegment s, long bytes) {
        if (s == null || s.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException(name + " must be a host segment, got null");
        }
        nonNegative("bytes", bytes);
        if (!s.isNative()) {
            throw new IllegalArgumentException(name + " must be a native (off-heap) segment");
        }
        if (s.byteSize() < bytes) {
            throw new IllegalArgumentException(name + " holds " + s.byteSize() + " bytes, fewer than the " + bytes + " to copy");
        }
    }
}
