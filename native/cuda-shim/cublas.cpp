// Host stand-in for cuBLAS (libcublas.so.13): exactly the entry points bindings/cuda calls (Cublas.SYMBOLS,
// OPTIONAL_SYMBOLS). Each gemm is the plain column-major triple loop of cuBLAS's documented semantics:
// C = alpha * op(A) * op(B) + beta * C with op(X) = X (CUBLAS_OP_N) or X^T (CUBLAS_OP_T), element (i, j) of an
// ld-strided matrix at X[i + j * ld], C not read when beta == 0, the strided-batched forms at A + i * strideA etc.
// Arguments are validated as cuBLAS documents (CUBLAS_STATUS_INVALID_VALUE), and every matrix's full extent must lie
// in the memory of the device whose context is current, which must be the device the handle was created on
// (checked through the shim driver, libcuda.so.1, which this library is linked against).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>

#define PX_API extern "C" __attribute__((visibility("default")))

enum {
    CUBLAS_STATUS_SUCCESS = 0,
    CUBLAS_STATUS_NOT_INITIALIZED = 1,
    CUBLAS_STATUS_ALLOC_FAILED = 3,
    CUBLAS_STATUS_INVALID_VALUE = 7,
    CUBLAS_STATUS_EXECUTION_FAILED = 13,
    CUBLAS_STATUS_INTERNAL_ERROR = 14,
    CUBLAS_STATUS_NOT_SUPPORTED = 15,
};
enum { OP_N = 0, OP_T = 1, OP_C = 2 };
enum { R_32F = 0, R_64F = 1, R_16F = 2, R_16BF = 14 };
enum { COMPUTE_32F = 68, COMPUTE_64F = 70 };

// from the shim driver
extern "C" int pxshim_current_device();
extern "C" int pxshim_check_range(const char* call, const char* what, uintptr_t p, size_t n, int device);

struct Handle {
    int device;
    void* stream;
};
static std::mutex g_mu;
static std::set<Handle*> g_handles;

PX_API const char* cublasGetStatusName(int status) {
    switch (status) {
        case 0: return "CUBLAS_STATUS_SUCCESS";
        case 1: return "CUBLAS_STATUS_NOT_INITIALIZED";
        case 3: return "CUBLAS_STATUS_ALLOC_FAILED";
        case 7: return "CUBLAS_STATUS_INVALID_VALUE";
        case 8: return "CUBLAS_STATUS_ARCH_MISMATCH";
        case 11: return "CUBLAS_STATUS_MAPPING_ERROR";
        case 13: return "CUBLAS_STATUS_EXECUTION_FAILED";
        case 14: return "CUBLAS_STATUS_INTERNAL_ERROR";
        case 15: return "CUBLAS_STATUS_NOT_SUPPORTED";
        case 16: return "CUBLAS_STATUS_LICENSE_ERROR";
        default: return "CUBLAS_STATUS_UNKNOWN";
    }
}

PX_API int cublasGetProperty(int type, int* value) {
    if (value == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    switch (type) {
        case 0: *value = 13; return CUBLAS_STATUS_SUCCESS;
        case 1: *value = 0; return CUBLAS_STATUS_SUCCESS;
        case 2: *value = 0; return CUBLAS_STATUS_SUCCESS;
        default: return CUBLAS_STATUS_INVALID_VALUE;
    }
}

PX_API int cublasCreate_v2(Handle** handle) {
    if (handle == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    int d = pxshim_current_device();
    if (d < 0) {
        fprintf(stderr, "cuda-shim: cublasCreate_v2: no CUDA context is current on the calling thread\n");
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    Handle* h = new Handle{d, nullptr};
    std::lock_guard<std::mutex> l(g_mu);
    g_handles.insert(h);
    *handle = h;
    return CUBLAS_STATUS_SUCCESS;
}

static bool live(Handle* h) {
    std::lock_guard<std::mutex> l(g_mu);
    return g_handles.count(h) != 0;
}

PX_API int cublasDestroy_v2(Handle* h) {
    std::lock_guard<std::mutex> l(g_mu);
    if (g_handles.erase(h) == 0) return CUBLAS_STATUS_NOT_INITIALIZED;
    delete h;
    return CUBLAS_STATUS_SUCCESS;
}

PX_API int cublasSetStream_v2(Handle* h, void* stream) {
    if (!live(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    h->stream = stream;
    return CUBLAS_STATUS_SUCCESS;
}

PX_API int cublasGetVersion_v2(Handle* h, int* version) {
    if (!live(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (version == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    *version = 130000;
    return CUBLAS_STATUS_SUCCESS;
}

// ---------------------------------------------------------------------------------------------- element types

static float f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t) (h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    } else if (man == 0) {
        bits = sign;
    } else {
        int e = -1;
        do {
            ++e;
            man <<= 1;
        } while ((man & 0x400) == 0);
        bits = sign | ((uint32_t) (112 - e) << 23) | ((man & 0x3ff) << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static uint16_t f32_to_f16(float f) {  // round to nearest even
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t) ((x >> 16) & 0x8000);
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) return (uint16_t) (sign | 0x7c00 | (ax > 0x7f800000u ? 0x200 | ((ax >> 13) & 0x3ff) : 0));
    if (ax >= 0x477ff000u) return (uint16_t) (sign | 0x7c00);  // rounds to >= 65520: infinity
    if (ax < 0x38800000u) {                                     // subnormal half (or zero)
        float a;
        memcpy(&a, &ax, 4);
        float scaled = a * 16777216.0f;  // 2^24: the half subnormal unit is 2^-24; exact, then round to an integer
        return (uint16_t) (sign | (uint16_t) nearbyintf(scaled));
    }
    uint32_t mant = ax + 0xfff + ((ax >> 13) & 1);  // round the 13 dropped bits to nearest even
    return (uint16_t) (sign | ((mant - 0x38000000u) >> 13));
}

static float bf16_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t) h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static uint16_t f32_to_bf16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t) ((x >> 16) | 0x40);
    return (uint16_t) ((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

static size_t type_size(int t) { return t == R_64F ? 8 : t == R_32F ? 4 : 2; }

static double load(int t, const void* base, long long i) {
    switch (t) {
        case R_32F: return ((const float*) base)[i];
        case R_64F: return ((const double*) base)[i];
        case R_16F: return f16_to_f32(((const uint16_t*) base)[i]);
        default: return bf16_to_f32(((const uint16_t*) base)[i]);
    }
}

static void store(int t, void* base, long long i, double v) {
    switch (t) {
        case R_32F: ((float*) base)[i] = (float) v; break;
        case R_64F: ((double*) base)[i] = v; break;
        case R_16F: ((uint16_t*) base)[i] = f32_to_f16((float) v); break;
        default: ((uint16_t*) base)[i] = f32_to_bf16((float) v); break;
    }
}

// ---------------------------------------------------------------------------------------------- gemm

struct Gemm {
    const char* call;
    int transa, transb, m, n, k;
    int atype, btype, ctype;
    bool f64;  // the compute type: double (Dgemm, COMPUTE_64F) or float
    double alpha, beta;
    uintptr_t a, b, c;
    int lda, ldb, ldc;
    long long sa, sb, sc;
    int batch;
};

// bytes from the lowest to the highest element touched by `batch` matrices of rows x cols at ld, stride apart
static bool extent(long long rows, long long cols, long long ld, long long stride, int batch, size_t es, long long* first, size_t* bytes) {
    long long last = (cols - 1) * ld + rows - 1;
    long long lo = 0, hi = last;
    if (batch > 1) {
        long long off = (long long) (batch - 1) * stride;
        lo = off < 0 ? off : 0;
        hi = off > 0 ? last + off : last;
    }
    *first = lo;
    *bytes = (size_t) (hi - lo + 1) * es;
    return true;
}

static int check_matrix(const Gemm& g, const char* what, uintptr_t p, long long rows, long long cols, long long ld, long long stride, int t,
                        int device) {
    if (p == 0) {
        fprintf(stderr, "cuda-shim: %s: %s is a null pointer\n", g.call, what);
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    long long first;
    size_t bytes;
    extent(rows, cols, ld, stride, g.batch, type_size(t), &first, &bytes);
    return pxshim_check_range(g.call, what, p + first * (long long) type_size(t), bytes, device) == 0 ? CUBLAS_STATUS_SUCCESS
                                                                                                     : CUBLAS_STATUS_EXECUTION_FAILED;
}

static int run(Handle* h, const Gemm& g) {
    if (!live(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    int d = pxshim_current_device();
    if (d != h->device) {
        fprintf(stderr, "cuda-shim: %s: the handle was created on device %d, the current context is %s %d\n", g.call, h->device,
                d < 0 ? "none," : "device", d);
        return CUBLAS_STATUS_EXECUTION_FAILED;
    }
    if ((g.transa != OP_N && g.transa != OP_T && g.transa != OP_C) || (g.transb != OP_N && g.transb != OP_T && g.transb != OP_C)
        || g.m < 0 || g.n < 0 || g.k < 0 || g.batch < 0) {
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    int rowsA = g.transa == OP_N ? g.m : g.k, colsA = g.transa == OP_N ? g.k : g.m;
    int rowsB = g.transb == OP_N ? g.k : g.n, colsB = g.transb == OP_N ? g.n : g.k;
    if (g.lda < (rowsA > 1 ? rowsA : 1) || g.ldb < (rowsB > 1 ? rowsB : 1) || g.ldc < (g.m > 1 ? g.m : 1)) {
        fprintf(stderr, "cuda-shim: %s: a leading dimension is too small (lda %d for %d rows, ldb %d for %d, ldc %d for %d)\n", g.call,
                g.lda, rowsA, g.ldb, rowsB, g.ldc, g.m);
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    if (g.m == 0 || g.n == 0 || g.batch == 0) return CUBLAS_STATUS_SUCCESS;
    bool readsAB = g.k > 0 && g.alpha != 0;
    int s;
    if ((s = check_matrix(g, "C", g.c, g.m, g.n, g.ldc, g.sc, g.ctype, d)) != 0) return s;
    if (readsAB) {
        if ((s = check_matrix(g, "A", g.a, rowsA, colsA, g.lda, g.sa, g.atype, d)) != 0) return s;
        if ((s = check_matrix(g, "B", g.b, rowsB, colsB, g.ldb, g.sb, g.btype, d)) != 0) return s;
    }
    for (int p = 0; p < g.batch; ++p) {
        const void* A = (const char*) g.a + p * g.sa * (long long) type_size(g.atype);
        const void* B = (const char*) g.b + p * g.sb * (long long) type_size(g.btype);
        void* C = (char*) g.c + p * g.sc * (long long) type_size(g.ctype);
        for (int j = 0; j < g.n; ++j) {
            for (int i = 0; i < g.m; ++i) {
                long long ci = i + (long long) j * g.ldc;
                if (g.f64) {
                    double acc = 0;
                    if (readsAB) {
                        for (int l = 0; l < g.k; ++l) {
                            double x = load(g.atype, A, g.transa == OP_N ? i + (long long) l * g.lda : l + (long long) i * g.lda);
                            double y = load(g.btype, B, g.transb == OP_N ? l + (long long) j * g.ldb : j + (long long) l * g.ldb);
                            acc += x * y;
                        }
                    }
                    double r = g.alpha * acc;
                    if (g.beta != 0) r += g.beta * load(g.ctype, C, ci);
                    store(g.ctype, C, ci, r);
                } else {
                    float acc = 0;
                    if (readsAB) {
                        for (int l = 0; l < g.k; ++l) {
                            float x = (float) load(g.atype, A, g.transa == OP_N ? i + (long long) l * g.lda : l + (long long) i * g.lda);
                            float y = (float) load(g.btype, B, g.transb == OP_N ? l + (long long) j * g.ldb : j + (long long) l * g.ldb);
                            acc += x * y;
                        }
                    }
                    float r = (float) g.alpha * acc;
                    if (g.beta != 0) r += (float) g.beta * (float) load(g.ctype, C, ci);
                    store(g.ctype, C, ci, r);
                }
            }
        }
    }
    return CUBLAS_STATUS_SUCCESS;
}

PX_API int cublasSgemm_v2(Handle* h, int ta, int tb, int m, int n, int k, const float* alpha, uintptr_t a, int lda, uintptr_t b, int ldb,
                          const float* beta, uintptr_t c, int ldc) {
    if (alpha == nullptr || beta == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    return run(h, Gemm{"cublasSgemm_v2", ta, tb, m, n, k, R_32F, R_32F, R_32F, false, *alpha, *beta, a, b, c, lda, ldb, ldc, 0, 0, 0, 1});
}

PX_API int cublasDgemm_v2(Handle* h, int ta, int tb, int m, int n, int k, const double* alpha, uintptr_t a, int lda, uintptr_t b, int ldb,
                          const double* beta, uintptr_t c, int ldc) {
    if (alpha == nullptr || beta == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    return run(h, Gemm{"cublasDgemm_v2", ta, tb, m, n, k, R_64F, R_64F, R_64F, true, *alpha, *beta, a, b, c, lda, ldb, ldc, 0, 0, 0, 1});
}

PX_API int cublasSgemmStridedBatched(Handle* h, int ta, int tb, int m, int n, int k, const float* alpha, uintptr_t a, int lda, long long sa,
                                     uintptr_t b, int ldb, long long sb, const float* beta, uintptr_t c, int ldc, long long sc, int batch) {
    if (alpha == nullptr || beta == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    return run(h, Gemm{"cublasSgemmStridedBatched", ta, tb, m, n, k, R_32F, R_32F, R_32F, false, *alpha, *beta, a, b, c, lda, ldb, ldc, sa, sb,
                       sc, batch});
}

PX_API int cublasDgemmStridedBatched(Handle* h, int ta, int tb, int m, int n, int k, const double* alpha, uintptr_t a, int lda, long long sa,
                                     uintptr_t b, int ldb, long long sb, const double* beta, uintptr_t c, int ldc, long long sc, int batch) {
    if (alpha == nullptr || beta == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    return run(h, Gemm{"cublasDgemmStridedBatched", ta, tb, m, n, k, R_64F, R_64F, R_64F, true, *alpha, *beta, a, b, c, lda, ldb, ldc, sa, sb,
                       sc, batch});
}

// the (Atype, Btype, Ctype, computeType) combinations of cuBLAS's cublasGemmEx table that the shim runs
static int ex_types(int at, int bt, int ct, int compute, bool* f64) {
    if (compute == COMPUTE_64F) {
        *f64 = true;
        return at == R_64F && bt == R_64F && ct == R_64F ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_NOT_SUPPORTED;
    }
    if (compute != COMPUTE_32F) return CUBLAS_STATUS_NOT_SUPPORTED;
    *f64 = false;
    if (at != bt) return CUBLAS_STATUS_NOT_SUPPORTED;
    if (at == R_32F) return ct == R_32F ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_NOT_SUPPORTED;
    if (at == R_16F || at == R_16BF) return ct == at || ct == R_32F ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_NOT_SUPPORTED;
    return CUBLAS_STATUS_NOT_SUPPORTED;
}

static bool valid_algo(int algo) { return algo == -1 || (algo >= 0 && algo <= 23) || (algo >= 99 && algo <= 115); }

PX_API int cublasGemmEx(Handle* h, int ta, int tb, int m, int n, int k, const void* alpha, uintptr_t a, int at, int lda, uintptr_t b, int bt,
                        int ldb, const void* beta, uintptr_t c, int ct, int ldc, int compute, int algo) {
    bool f64;
    int s = ex_types(at, bt, ct, compute, &f64);
    if (s != 0) {
        fprintf(stderr, "cuda-shim: cublasGemmEx: types A %d, B %d, C %d with compute type %d are not a supported combination\n", at, bt, ct,
                compute);
        return s;
    }
    if (alpha == nullptr || beta == nullptr || !valid_algo(algo)) return CUBLAS_STATUS_INVALID_VALUE;
    double al = f64 ? *(const double*) alpha : *(const float*) alpha, be = f64 ? *(const double*) beta : *(const float*) beta;
    return run(h, Gemm{"cublasGemmEx", ta, tb, m, n, k, at, bt, ct, f64, al, be, a, b, c, lda, ldb, ldc, 0, 0, 0, 1});
}

PX_API int cublasGemmStridedBatchedEx(Handle* h, int ta, int tb, int m, int n, int k, const void* alpha, uintptr_t a, int at, int lda,
                                      long long sa, uintptr_t b, int bt, int ldb, long long sb, const void* beta, uintptr_t c, int ct, int ldc,
                                      long long sc, int batch, int compute, int algo) {
    bool f64;
    int s = ex_types(at, bt, ct, compute, &f64);
    if (s != 0) {
        fprintf(stderr, "cuda-shim: cublasGemmStridedBatchedEx: types A %d, B %d, C %d with compute type %d are not supported\n", at, bt, ct,
                compute);
        return s;
    }
    if (alpha == nullptr || beta == nullptr || !valid_algo(algo)) return CUBLAS_STATUS_INVALID_VALUE;
    double al = f64 ? *(const double*) alpha : *(const float*) alpha, be = f64 ? *(const double*) beta : *(const float*) beta;
    return run(h, Gemm{"cublasGemmStridedBatchedEx", ta, tb, m, n, k, at, bt, ct, f64, al, be, a, b, c, lda, ldb, ldc, sa, sb, sc, batch});
}
