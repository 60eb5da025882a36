// Elementwise kernels over one dtype PX_T: unary, binary, comparisons, fill, iota, mulAdd, where.
// Contiguous kernels take base pointers already advanced to the first element; the float4 path is
// used when PX_T is 4 bytes and every pointer is 16-byte aligned. Strided kernels take the shared
// shape and one PxView per operand (up to 8 dims). All loops are grid-stride.
// Op codes are the ordinals of dev.proxima.tensor.spi.UnaryOp / BinaryOp.
#include "common.cuh"

// ---- scalar functions (computed in double for floats, in i64 for integers) ----
#if PX_IS_FLOAT
typedef double px_calc;
#else
typedef i64 px_calc;
#endif

__device__ __forceinline__ PX_T px_unary(int op, PX_T xv) {
    double x = (double) xv;
    switch (op) {
        case 0: return (PX_T) (-xv);                                   // NEG
        case 1: return xv < (PX_T) 0 ? (PX_T) (-xv) : xv;             // ABS
        case 2: return px_isnan(x) ? xv : (PX_T) (x > 0 ? 1 : (x < 0 ? -1 : 0)); // SIGN
#if PX_IS_FLOAT
        case 3: return (PX_T) exp(x);
        case 4: return (PX_T) log(x);
        case 5: return (PX_T) sqrt(x);
        case 6: return (PX_T) tanh(x);
        case 7: return (PX_T) sin(x);
        case 8: return (PX_T) cos(x);
        case 9: return (PX_T) (1.0 / (1.0 + exp(-x)));
        case 11: return (PX_T) (1.0 / x);
        case 13: return (PX_T) erf(x);                                 // ERF (12 is NOT, handled apart)
#endif
        case 10: return (PX_T) (xv * xv);                              // SQUARE
        default: return xv;
    }
}

__device__ __forceinline__ PX_T px_binary(int op, PX_T a, PX_T b) {
    switch (op) {
        case 0: return a + b;
        case 1: return a - b;
        case 2: return a * b;
        case 3: return a / b;
        case 4: return (PX_T) pow((double) a, (double) b);
        case 5: return (px_isnan((double) a) || px_isnan((double) b)) ? (PX_T) ((double) a + (double) b) : (a < b ? a : b);
        case 6: return (px_isnan((double) a) || px_isnan((double) b)) ? (PX_T) ((double) a + (double) b) : (a > b ? a : b);
        default: return a;
    }
}

__device__ __forceinline__ u8 px_compare(int op, PX_T a, PX_T b) {
    switch (op) {
        case 7: return a == b;
        case 8: return a != b;
        case 9: return a < b;
        case 10: return a <= b;
        case 11: return a > b;
        case 12: return a >= b;
        case 13: return (a != (PX_T) 0) && (b != (PX_T) 0);
        case 14: return (a != (PX_T) 0) || (b != (PX_T) 0);
        case 15: return (a != (PX_T) 0) != (b != (PX_T) 0);
        default: return 0;
    }
}

struct __align__(16) px_vec4 { PX_T v[4]; };

__device__ __forceinline__ bool px_aligned16(const void* p) { return (((u64) p) & 15u) == 0; }

extern "C" __global__ void unary_contig(int op, const PX_T* __restrict__ x, PX_T* __restrict__ y, i64 n) {
    i64 tid = (i64) blockIdx.x * blockDim.x + threadIdx.x;
    i64 step = (i64) gridDim.x * blockDim.x;
    i64 head = 0;
    if (sizeof(PX_T) == 4 && px_aligned16(x) && px_aligned16(y)) {
        i64 n4 = n / 4;
        const px_vec4* x4 = (const px_vec4*) x;
        px_vec4* y4 = (px_vec4*) y;
        for (i64 i = tid; i < n4; i += step) {
            px_vec4 v = x4[i];
#pragma unroll
            for (int k = 0; k < 4; ++k) v.v[k] = px_unary(op, v.v[k]);
            y4[i] = v;
        }
        head = n4 * 4;
    }
    for (i64 i = head + tid; i < n; i += step) y[i] = px_unary(op, x[i]);
}

extern "C" __global__ void unary_strided(int op, const PX_T* x, PX_T* y, PxShape s, PxView vx, PxView vy) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (i64) gridDim.x * blockDim.x) {
        y[px_offset(s, vy, i)] = px_unary(op, x[px_offset(s, vx, i)]);
    }
}

extern "C" __global__ void not_strided(const PX_T* x, u8* y, PxShape s, PxView vx, PxView vy) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (i64) gridDim.x * blockDim.x) {
        y[px_offset(s, vy, i)] = x[px_offset(s, vx, i)] == (PX_T) 0;
    }
}

extern "C" __global__ void binary_contig(int op, const PX_T* __restrict__ a, const PX_T* __restrict__ b, PX_T* __restrict__ y, i64 n) {
    i64 tid = (i64) blockIdx.x * blockDim.x + threadIdx.x;
    i64 step = (i64) gridDim.x * blockDim.x;
    i64 head = 0;
    if (sizeof(PX_T) == 4 && px_aligned16(a) && px_aligned16(b) && px_aligned16(y)) {
        i64 n4 = n / 4;
        for (i64 i = tid; i < n4; i += step) {
            px_vec4 va = ((const px_vec4*) a)[i], vb = ((const px_vec4*) b)[i], vy;
#pragma unroll
            for (int k = 0; k < 4; ++k) vy.v[k] = px_binary(op, va.v[k], vb.v[k]);
            ((px_vec4*) y)[i] = vy;
        }
        head = n4 * 4;
    }
    for (i64 i = head + tid; i < n; i += step) y[i] = px_binary(op, a[i], b[i]);
}

extern "C" __global__ void binary_strided(int op, const PX_T* a, const PX_T* b, PX_T* y, PxShape s, PxView va, PxView vb, PxView vy) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (i64) gridDim.x * blockDim.x) {
        y[px_offset(s, vy, i)] = px_binary(op, a[px_offset(s, va, i)], b[px_offset(s, vb, i)]);
    }
}

extern "C" __global__ void compare_strided(int op, const PX_T* a, const PX_T* b, u8* y, PxShape s, PxView va, PxView vb, PxView vy) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (i64) gridDim.x * blockDim.x) {
        y[px_offset(s, vy, i)] = px_compare(op, a[px_offset(s, va, i)], b[px_offset(s, vb, i)]);
    }
}

// dst := a*b + c, fused (floats only)
extern "C" __global__ void muladd_strided(const PX_T* a, const PX_T* b, const PX_T* c, PX_T* y, PxShape s, PxView va, PxView vb,
                                          PxView vc, PxView vy) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (i64) gridDim.x * blockDim.x) {
        y[px_offset(s, vy, i)] = (PX_T) fma((double) a[px_offset(s, va, i)], (double) b[px_offset(s, vb, i)], (double) c[px_offset(s, vc, i)]);
    }
}

extern "C" __global__ void where_strided(const u8* cond, const PX_T* a, const PX_T* b, PX_T* y, PxShape s, PxView vcond, PxView va,
                                         PxView vb, PxView vy) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (i64) gridDim.x * blockDim.x) {
        y[px_offset(s, vy, i)] = cond[px_offset(s, vcond, i)] ? a[px_offset(s, va, i)] : b[px_offset(s, vb, i)];
    }
}

// value arrives as double (bits as given by Java) and is converted once by the caller's rules
extern "C" __global__ void fill_strided(PX_T* y, PX_T value, PxShape s, PxView vy) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (i64) gridDim.x * blockDim.x) {
        y[px_offset(s, vy, i)] = value;
    }
}

extern "C" __global__ void iota_contig(PX_T* y, double start, double step, i64 n) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (i64) gridDim.x * blockDim.x) {
        y[i] = (PX_T) (start + (double) i * step);
    }
}
