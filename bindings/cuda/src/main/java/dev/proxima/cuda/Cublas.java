package dev.proxima.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls to cuBLAS ({@code libcublas.so.13}/{@code .12}), column-major as cuBLAS is.
 *
 * <p>Signatures checked against NVIDIA's {@code cublas_api.h} (12.3, found through a public mirror; no
 * cuBLAS header is installed here): {@code cublasCreate_v2(cublasHandle_t*)},
 * {@code cublasDestroy_v2(cublasHandle_t)}, {@code cublasSetStream_v2(cublasHandle_t, cudaStream_t)},
 * {@code cublasGetVersion_v2(cublasHandle_t, int*)}, {@code cublasGetProperty(libraryPropertyType, int*)},
 * {@code const char* cublasGetStatusName(cublasStatus_t)},
 * {@code cublas[SD]gemm_v2(handle, cublasOperation_t transa, transb, int m, n, k, const T* alpha,
 * const T* A, int lda, const T* B, int ldb, const T* beta, T* C, int ldc)},
 * {@code cublas[SD]gemmStridedBatched(... const T* A, int lda, long long strideA, ... T* C, int ldc,
 * long long strideC, int batchCount)}, and {@code cublasGemmEx(handle, transa, transb, m, n, k,
 * const void* alpha, const void* A, cudaDataType Atype, int lda, const void* B, cudaDataType Btype, int ldb,
 * const void* beta, void* C, cudaDataType Ctype, int ldc, cublasComputeType_t computeType,
 * cublasGemmAlgo_t algo)} (the compute type is a {@code cublasComputeType_t} since CUDA 11, not a
 * {@code cudaDataType}). Every enum is a C {@code int}; device pointers are passed as {@code long}, which
 * the x86-64 and AArch64 C ABIs pass exactly like a pointer. Enum values: {@code CUDA_R_32F = 0},
 * {@code CUDA_R_64F = 1}, {@code CUDA_R_16F = 2}, {@code CUDA_R_16BF = 14} ({@code library_types.h} of
 * CUDA 13.0), {@code CUBLAS_COMPUTE_32F = 68}, {@code CUBLAS_GEMM_DEFAULT = -1}, {@code CUBLAS_OP_N = 0},
 * {@code CUBLAS_OP_T = 1}, the {@code cublasStatus_t} codes of {@link #statusName} ({@code cublas_api.h}),
 * {@code MAJOR_VERSION = 0}, {@code MINOR_VERSION = 1}, {@code PATCH_LEVEL = 2} ({@code library_types.h}).
 * {@code CublasLibraryTest} checks that a real libcublas 11.11 exports every name in {@code SYMBOLS} and
 * reads its version through {@code cublasGetProperty} (no device needed).
 * Scalars (alpha, beta) are passed as host pointers (the default {@code CUBLAS_POINTER_MODE_HOST}).
 */
public final class Cublas {

    /** {@code CUBLAS_OP_N}. */
    public static final int OP_N = 0;
    /** {@code CUBLAS_OP_T}. */
    public static final int OP_T = 1;
    /** {@code CUDA_R_32F}. */
    public static final int R_32F = 0;
    /** {@code CUDA_R_64F}. */
    public static final int R_64F = 1;
    /** {@code CUDA_R_16F}. */
    public static final int R_16F = 2;
    /** {@code CUDA_R_16BF}. */
    public static final int R_16BF = 14;
    /** {@code CUBLAS_COMPUTE_32F}. */
    public static final int COMPUTE_32F = 68;
    /** {@code CUBLAS_GEMM_DEFAULT}. */
    public static final int GEMM_DEFAULT = -1;

    /** {@code libraryPropertyType} {@code MAJOR_VERSION}, for {@link #property}. */
    public static final int MAJOR_VERSION = 0;
    /** {@code libraryPropertyType} {@code MINOR_VERSION}. */
    public static final int MINOR_VERSION = 1;
    /** {@code libraryPropertyType} {@code PATCH_LEVEL}. */
    public static final int PATCH_LEVEL = 2;

    /**
     * Every cuBLAS entry point these bindings call unconditionally ({@code cublasGetStatusName} is used only
     * where present): a library is accepted only if it exports all of them, and the tests check the list
     * against a real libcublas and against this class's source. Add a name here with each new binding.
     */
    static final List<String> SYMBOLS = List.of("cublasCreate_v2", "cublasDestroy_v2", "cublasSetStream_v2",
            "cublasGetVersion_v2", "cublasGetProperty", "cublasSgemm_v2", "cublasDgemm_v2", "cublasSgemmStridedBatched",
            "cublasDgemmStridedBatched", "cublasGemmEx", "cublasGemmStridedBatchedEx");
    /** Entry points used only where the library has them. */
    static final List<String> OPTIONAL_SYMBOLS = List.of("cublasGetStatusName");

    private static final LazyLibrary LIBRARY = new LazyLibrary(LibraryLocator.CUBLAS, SYMBOLS);

    private Cublas() {
    }

    static LibraryLocator.Loaded loaded() {
        return LIBRARY.loaded();
    }

    private static MethodHandle h(String name, FunctionDescriptor fd) {
        return LIBRARY.library().handle(name, fd);
    }

    private static void check(String call, int status) {
        if (status != 0) {
            throw new CudaException(call, status, statusName(status), null);
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

    /**
     * {@code cublasGetStatusName} where the library has it, else the documented names.
     *
     * @param status a {@code cublasStatus_t} code
     * @return the status name, e.g. {@code CUBLAS_STATUS_INVALID_VALUE}, or {@code "cublasStatus_t <code>"} for an unknown code
     */
    public static String statusName(int status) {
        LibraryLocator.Loaded l = loaded();
        if (l.library() != null && l.library().has("cublasGetStatusName")) {
            try {
                MemorySegment s = (MemorySegment) l.library().handle("cublasGetStatusName", FunctionDescriptor.of(ADDRESS, JAVA_INT))
                        .invokeExact(status);
                if (!s.equals(MemorySegment.NULL)) {
                    return s.reinterpret(128).getString(0);
                }
            } catch (Throwable ignored) {
                // fall through to the table
            }
        }
        return switch (status) {
            case 0 -> "CUBLAS_STATUS_SUCCESS";
            case 1 -> "CUBLAS_STATUS_NOT_INITIALIZED";
            case 3 -> "CUBLAS_STATUS_ALLOC_FAILED";
            case 7 -> "CUBLAS_STATUS_INVALID_VALUE";
            case 8 -> "CUBLAS_STATUS_ARCH_MISMATCH";
            case 11 -> "CUBLAS_STATUS_MAPPING_ERROR";
            case 13 -> "CUBLAS_STATUS_EXECUTION_FAILED";
            case 14 -> "CUBLAS_STATUS_INTERNAL_ERROR";
            case 15 -> "CUBLAS_STATUS_NOT_SUPPORTED";
            case 16 -> "CUBLAS_STATUS_LICENSE_ERROR";
            default -> "cublasStatus_t " + status;
        };
    }

    /** {@return {@code cublasCreate_v2}: a handle bound to the current context} */
    public static MemorySegment create() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            check("cublasCreate_v2", invoke(h("cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS)), p));
            return p.get(ADDRESS, 0);
        }
    }

    /**
     * {@code cublasDestroy_v2}.
     *
     * @param handle a handle from {@link #create()}; invalid afterwards
     * @throws IllegalArgumentException if a handle or stream is null
     * @throws CudaException if cuBLAS is not available or the call returns a status other than success
     */
    public static void destroy(MemorySegment handle) {
        CudaDriver.notNull("handle", handle);
        check("cublasDestroy_v2", invoke(h("cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS)), handle));
    }

    /**
     * {@code cublasSetStream_v2}.
     *
     * @param handle a handle from {@link #create()}
     * @param stream the stream the handle's calls are queued on; {@code MemorySegment.NULL} for the default stream
     * @throws IllegalArgumentException if a handle or stream is null
     * @throws CudaException if cuBLAS is not available or the call returns a status other than success
     */
    public static void setStream(MemorySegment handle, MemorySegment stream) {
        CudaDriver.notNull("handle", handle);
        CudaDriver.notNull("stream", stream);
        check("cublasSetStream_v2", invoke(h("cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)), handle, stream));
    }

    /**
     * {@code cublasGetVersion_v2}: e.g. 130000.
     *
     * @param handle a handle from {@link #create()}
     * @return the cuBLAS version, major·10000 + minor·100 + patch
     * @throws IllegalArgumentException if a handle or stream is null
     * @throws CudaException if cuBLAS is not available or the call returns a status other than success
     */
    public static int version(MemorySegment handle) {
        CudaDriver.notNull("handle", handle);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_INT);
            check("cublasGetVersion_v2", invoke(h("cublasGetVersion_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)), handle, p));
            return p.get(JAVA_INT, 0);
        }
    }

    /**
     * {@code cublasGetProperty(libraryPropertyType, int*)}: {@link #MAJOR_VERSION}, {@link #MINOR_VERSION} or
     * {@link #PATCH_LEVEL} of the loaded library (needs no device or handle).
     *
     * @param type {@link #MAJOR_VERSION}, {@link #MINOR_VERSION} or {@link #PATCH_LEVEL}
     * @return that part of the loaded library's version
     * @throws IllegalArgumentException if {@code type} is not one of the three
     * @throws CudaException if cuBLAS is not available or the call returns a status other than success
     */
    public static int property(int type) {
        if (type < MAJOR_VERSION || type > PATCH_LEVEL) {
            throw new IllegalArgumentException("type must be MAJOR_VERSION (0), MINOR_VERSION (1) or PATCH_LEVEL (2), got " + type);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(JAVA_INT);
            check("cublasGetProperty", invoke(h("cublasGetProperty", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS)), type, p));
            return p.get(JAVA_INT, 0);
        }
    }

    /**
     * Validates the column-major gemm arguments C[m×n] = op(A)[m×k]·op(B)[k×n]: dimensions &gt;= 0, leading
     * dimensions at least the stored rows (and &gt;= 1), non-null device pointers when there is work.
     */
    static void checkGemm(int transA, int transB, int m, int n, int k, long a, int lda, long b, int ldb, long c, int ldc) {
        checkOp("transA", transA);
        checkOp("transB", transB);
        CudaDriver.nonNegative("m", m);
        CudaDriver.nonNegative("n", n);
        CudaDriver.nonNegative("k", k);
        int rowsA = transA == OP_N ? m : k;
        int rowsB = transB == OP_N ? k : n;
        checkLd("lda", lda, rowsA);
        checkLd("ldb", ldb, rowsB);
        checkLd("ldc", ldc, m);
        if (m > 0 && n > 0) {
            CudaDriver.devicePointer("C", c);
            if (k > 0) {
                CudaDriver.devicePointer("A", a);
                CudaDriver.devicePointer("B", b);
            }
        }
    }

    private static void checkOp(String name, int op) {
        if (op != OP_N && op != OP_T) {
            throw new IllegalArgumentException(name + " must be OP_N (0) or OP_T (1), got " + op);
        }
    }

    private static void checkLd(String name, int ld, int rows) {
        if (ld < Math.max(1, rows)) {
            throw new IllegalArgumentException(name + " = " + ld + " is smaller than max(1, " + rows + ") stored rows");
        }
    }

    private static final FunctionDescriptor GEMM = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
            ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final FunctionDescriptor GEMM_BATCHED = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
            ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT);

    /**
     * {@code cublasSgemm_v2}: C := alpha·op(A)·op(B) + beta·C (device pointers, column-major).
     *
     * @param handle a handle from {@link #create()}
     * @param transA {@link #OP_N} for op(A) = A, {@link #OP_T} for op(A) = Aᵀ
     * @param transB {@link #OP_N} for op(B) = B, {@link #OP_T} for op(B) = Bᵀ
     * @param m      the rows of op(A) and C, at least 0
     * @param n      the columns of op(B) and C, at least 0
     * @param k      the columns of op(A) and rows of op(B), at least 0
     * @param alpha  the factor of op(A)·op(B)
     * @param a      the device address of A
     * @param lda    the leading dimension of A, at least max(1, its stored rows)
     * @param b      the device address of B
     * @param ldb    the leading dimension of B, at least max(1, its stored rows)
     * @param beta   the factor of C; 0 ignores C's previous contents
     * @param c      the device address of C, overwritten
     * @param ldc    the leading dimension of C, at least max(1, m)
     * @throws IllegalArgumentException if a dimension, stride or count is negative, a transpose flag is neither OP_N nor OP_T,
     *     a leading dimension is too small, a needed device address is 0, or the handle is null
     * @throws CudaException if cuBLAS is not available or the call returns a status other than success
     */
    public static void sgemm(MemorySegment handle, int transA, int transB, int m, int n, int k, float alpha, long a, int lda,
                             long b, int ldb, float beta, long c, int ldc) {
        CudaDriver.notNull("handle", handle);
        checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        try (Arena ar = Arena.ofConfined()) {
            check("cublasSgemm_v2", invoke(h("cublasSgemm_v2", GEMM), handle, transA, transB, m, n, k, ar.allocateFrom(JAVA_FLOAT, alpha),
                    a, lda, b, ldb, ar.allocateFrom(JAVA_FLOAT, beta), c, ldc));
        }
    }

    /**
     * {@code cublasDgemm_v2}.
     *
     * @param handle a handle from {@link #create()}
     * @param transA {@link #OP_N} for op(A) = A, {@link #OP_T} for op(A) = Aᵀ
     * @param transB {@link #OP_N} for op(B) = B, {@link #OP_T} for op(B) = Bᵀ
     * @param m      the rows of op(A) and C, at least 0
     * @param n      the columns of op(B) and C, at least 0
     * @param k      the columns of op(A) and rows of op(B), at least 0
     * @param alpha  the factor of op(A)·op(B)
     * @param a      the device address of A
     * @param lda    the leading dimension of A, at least max(1, its stored rows)
     * @param b      the device address of B
     * @param ldb    the leading dimension of B, at least max(1, its stored rows)
     * @param beta   the factor of C; 0 ignores C's previous contents
     * @param c      the device address of C, overwritten
     * @param ldc    the leading dimension of C, at least max(1, m)
     * @throws IllegalArgumentException if a dimension, stride or count is negative, a transpose flag is neither OP_N nor OP_T,
     *     a leading dimension is too small, a needed device address is 0, or the handle is null
     * @throws CudaException if cuBLAS is not available or the call returns a status other than success
     */
    public static void dgemm(MemorySegment handle, int transA, int transB, int m, int n, int k, double alpha, long a, int lda,
                             long b, int ldb, double beta, long c, int ldc) {
        CudaDriver.notNull("handle", handle);
        checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        try (Arena ar = Arena.ofConfined()) {
            check("cublasDgemm_v2", invoke(h("cublasDgemm_v2", GEMM), handle, transA, transB, m, n, k, ar.allocateFrom(JAVA_DOUBLE, alpha),
                    a, lda, b, ldb, ar.allocateFrom(JAVA_DOUBLE, beta), c, ldc));
        }
    }

    private static void checkBatch(int batch, long sa, long sb, long sc) {
        CudaDriver.nonNegative("batchCount", batch);
        CudaDriver.nonNegative("strideA", sa);
        CudaDriver.nonNegative("strideB", sb);
        CudaDriver.nonNegative("strideC", sc);
    }

    /**
     * {@code cublasSgemmStridedBatched}: strides in elements.
     *
     * @param handle     a handle from {@link #create()}
     * @param transA     {@link #OP_N} for op(A) = A, {@link #OP_T} for op(A) = Aᵀ
     * @param transB     {@link #OP_N} for op(B) = B, {@link #OP_T} for op(B) = Bᵀ
     * @param m          the rows of op(A) and C, at least 0
     * @param n          the columns of op(B) and C, at least 0
     * @param k          the columns of op(A) and rows of op(B), at least 0
     * @param alpha      the factor of op(A)·op(B)
     * @param a          the device address of A
     * @param lda        the leading dimension of A, at least max(1, its stored rows)
     * @param strideA    elements between consecutive A matrices, at least 0 (0 repeats one matrix)
     * @param b          the device address of B
     * @param ldb        the leading dimension of B, at least max(1, its stored rows)
     * @param strideB    elements between consecutive B matrices, at least 0 (0 repeats one matrix)
     * @param beta       the factor of C; 0 ignores C's previous contents
     * @param c          the device address of C, overwritten
     * @param ldc        the leading dimension of C, at least max(1, m)
     * @param strideC    elements between consecutive C matrices, at least 0
     * @param batchCount the number of products, at least 0
     * @throws IllegalArgumentException if a dimension, stride or count is negative, a transpose flag is neither OP_N nor OP_T,
     *     a leading dimension is too small, a needed device address is 0, or the handle is null
     * @throws CudaException if cuBLAS is not available or the call returns a status other than success
     */
    public static void sgemmStridedBatched(MemorySegment handle, int transA, int transB, int m, int n, int k, float alpha,
                                           long a, int lda, long strideA, long b, int ldb, long strideB, float beta,
                                           long c, int ldc, long strideC, int batchCount) {
        CudaDriver.notNull("handle", handle);
        checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        checkBatch(batchCount, strideA, strideB, strideC);
        try (Arena ar = Arena.ofConfined()) {
            check("cublasSgemmStridedBatched", invoke(h("cublasSgemmStridedBatched", GEMM_BATCHED), handle, transA, transB, m, n, k,
                    ar.allocateFrom(JAVA_FLOAT, alpha), a, lda, strideA, b, ldb, strideB, ar.allocateFrom(JAVA_FLOAT, beta), c, ldc, strideC, batchCount));
        }
    }

    /**
     * {@code cublasDgemmStridedBatched}: strides in elements.
     *
     * @param handle     a handle from {@link #create()}
     * @param transA     {@link #OP_N} for op(A) = A, {@link #OP_T} for op(A) = Aᵀ
     * @param transB     {@link #OP_N} for op(B) = B, {@link #OP_T} for op(B) = Bᵀ
     * @param m          the rows of op(A) and C, at least 0
     * @param n          the columns of op(B) and C, at least 0
     * @param k          the columns of op(A) and rows of op(B), at least 0
     * @param alpha      the factor of op(A)·op(B)
     * @param a          the device address of A
     * @param lda        the leading dimension of A, at least max(1, its stored rows)
     * @param strideA    elements between consecutive A matrices, at least 0 (0 repeats one matrix)
     * @param b          the device address of B
     * @param ldb        the leading dimension of B, at least max(1, its stored rows)
     * @param strideB    elements between consecutive B matrices, at least 0 (0 repeats one matrix)
     * @param beta       the factor of C; 0 ignores C's previous contents
     * @param c          the device address of C, overwritten
     * @param ldc        the leading dimension of C, at least max(1, m)
     * @param strideC    elements between consecutive C matrices, at least 0
     * @param batchCount the number of products, at least 0
     * @throws IllegalArgumentException if a dimension, stride or count is negative, a transpose flag is neither OP_N nor OP_T,
     *     a leading dimension is too small, a needed device address is 0, or the handle is null
     * @throws CudaException if cuBLAS is not available or the call returns a status other than success
     */
    public static void dgemmStridedBatched(MemorySegment handle, int transA, int transB, int m, int n, int k, double alpha,
                                           long a, int lda, long strideA, long b, int ldb, long strideB, double beta,
                                           long c, int ldc, long strideC, int batchCount) {
        CudaDriver.notNull("handle", handle);
        checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        checkBatch(batchCount, strideA, strideB, strideC);
        try (Arena ar = Arena.ofConfined()) {
            check("cublasDgemmStridedBatched", invoke(h("cublasDgemmStridedBatched", GEMM_BATCHED), handle, transA, transB, m, n, k,
                    ar.allocateFrom(JAVA_DOUBLE, alpha), a, lda, strideA, b, ldb, strideB, ar.allocateFrom(JAVA_DOUBLE, beta), c, ldc, strideC, batchCount));
        }
    }

    /**
     * {@code cublasGemmEx} with half-precision inputs and F32 accumulation ({@code CUBLAS_COMPUTE_32F},
     * tensor cores on sm_70+): A and B of {@code inType} ({@link #R_16F} or {@link #R_16BF}), C of
     * {@code outType} ({@code inType} or {@link #R_32F}); alpha and beta are F32 as the compute type requires.
     *
     * @param handle  a handle from {@link #create()}
     * @param transA  {@link #OP_N} for op(A) = A, {@link #OP_T} for op(A) = Aᵀ
     * @param transB  {@link #OP_N} for op(B) = B, {@link #OP_T} for op(B) = Bᵀ
     * @param m       the rows of op(A) and C, at least 0
     * @param n       the columns of op(B) and C, at least 0
     * @param k       the columns of op(A) and rows of op(B), at least 0
     * @param alpha   the factor of op(A)·op(B)
     * @param a       the device address of A
     * @param inType  the element type of A and B: {@link #R_16F} or {@link #R_16BF}
     * @param lda     the leading dimension of A, at least max(1, its stored rows)
     * @param b       the device address of B
     * @param ldb     the leading dimension of B, at least max(1, its stored rows)
     * @param beta    the factor of C; 0 ignores C's previous contents
     * @param c       the device address of C, overwritten
     * @param outType the element type of C: {@code inType} or {@link #R_32F}
     * @param ldc     the leading dimension of C, at least max(1, m)
     * @throws IllegalArgumentException if a dimension, stride or count is negative, a transpose flag is neither OP_N nor OP_T,
     *     a leading dimension is too small, a needed device address is 0, or the handle is null, or the types are not supported
     * @throws CudaException if cuBLAS is not available or the call returns a status other than success
     */
    public static void gemmEx(MemorySegment handle, int transA, int transB, int m, int n, int k, float alpha, long a, int inType,
                              int lda, long b, int ldb, float beta, long c, int outType, int ldc) {
        CudaDriver.notNull("handle", handle);
        checkExTypes(inType, outType);
        checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        FunctionDescriptor fd = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS,
                JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        try (Arena ar = Arena.ofConfined()) {
            check("cublasGemmEx", invoke(h("cublasGemmEx", fd), handle, transA, transB, m, n, k, ar.allocateFrom(JAVA_FLOAT, alpha),
                    a, inType, lda, b, inType, ldb, ar.allocateFrom(JAVA_FLOAT, beta), c, outType, ldc, COMPUTE_32F, GEMM_DEFAULT));
        }
    }

    private static void checkExTypes(int inType, int outType) {
        if (inType != R_16F && inType != R_16BF) {
            throw new IllegalArgumentException("inType must be R_16F (2) or R_16BF (14), got " + inType);
        }
        if (outType != inType && outType != R_32F) {
            throw new IllegalArgumentException("outType must be the input type or R_32F, got " + outType);
        }
    }

    private static final FunctionDescriptor GEMM_BATCHED_EX = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS,
            JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT);

    /**
     * {@code cublasGemmStridedBatchedEx}: {@link #gemmEx} over {@code batchCount} matrices whose starts are
     * {@code strideA}/{@code strideB}/{@code strideC} elements apart (0 repeats one matrix). Signature from
     * {@code cublas_api.h}: (handle, transa, transb, m, n, k, alpha, A, Atype, lda, strideA, B, Btype, ldb,
     * strideB, beta, C, Ctype, ldc, strideC, batchCount, computeType, algo), strides {@code long long}.
     *
     * @param handle     a handle from {@link #create()}
     * @param transA     {@link #OP_N} for op(A) = A, {@link #OP_T} for op(A) = Aᵀ
     * @param transB     {@link #OP_N} for op(B) = B, {@link #OP_T} for op(B) = Bᵀ
     * @param m          the rows of op(A) and C, at least 0
     * @param n          the columns of op(B) and C, at least 0
     * @param k          the columns of op(A) and rows of op(B), at least 0
     * @param alpha      the factor of op(A)·op(B)
     * @param a          the device address of A
     * @param inType     the element type of A and B: {@link #R_16F} or {@link #R_16BF}
     * @param lda        the leading dimension of A, at least max(1, its stored rows)
     * @param strideA    elements between consecutive A matrices, at least 0 (0 repeats one matrix)
     * @param b          the device address of B
     * @param ldb        the leading dimension of B, at least max(1, its stored rows)
     * @param strideB    elements between consecutive B matrices, at least 0 (0 repeats one matrix)
     * @param beta       the factor of C; 0 ignores C's previous contents
     * @param c          the device address of C, overwritten
     * @param outType    the element type of C: {@code inType} or {@link #R_32F}
     * @param ldc        the leading dimension of C, at least max(1, m)
     * @param strideC    elements between consecutive C matrices, at least 0
     * @param batchCount the number of products, at least 0
     * @throws IllegalArgumentException if a dimension, stride or count is negative, a transpose flag is neither OP_N nor OP_T,
     *     a leading dimension is too small, a needed device address is 0, or the handle is null, or the types are not supported
     * @throws CudaException if cuBLAS is not available or the call returns a status other than success
     */
    public static void gemmStridedBatchedEx(MemorySegment handle, int transA, int transB, int m, int n, int k, float alpha,
                                            long a, int inType, int lda, long strideA, long b, int ldb, long strideB, float beta,
                                            long c, int outType, int ldc, long strideC, int batchCount) {
        CudaDriver.notNull("handle", handle);
        checkExTypes(inType, outType);
        checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        checkBatch(batchCount, strideA, strideB, strideC);
        try (Arena ar = Arena.ofConfined()) {
            check("cublasGemmStridedBatchedEx", invoke(h("cublasGemmStridedBatchedEx", GEMM_BATCHED_EX), handle, transA, transB, m, n, k,
                    ar.allocateFrom(JAVA_FLOAT, alpha), a, inType, lda, strideA, b, inType, ldb, strideB, ar.allocateFrom(JAVA_FLOAT, beta),
                    c, outType, ldc, strideC, batchCount, COMPUTE_32F, GEMM_DEFAULT));
        }
    }
}
