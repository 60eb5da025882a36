// Elementwise kernels over one dtype PX_T: unary, binary, comparisons, fill, iota, mulAdd, where.
// Contiguous kernels take base pointers already advanced to the first element; the float4 path is
// used when PX_T is 4 bytes and every pointer is 16-byte aligned. Strided kernels take the shared
// shape and one PxView per operand (up to 8 dims). All loops are grid-stride.
// F16/BF16 (PX_HALF 1/2, PX_T unsigned short) are loaded to float, computed exactly as the F32
// kernels compute, and rounded back to nearest even on store (px_ld / px_st in common.cuh).
// Op codes are the PX_UNARY_* / PX_BINARY_* names of opcodes.cuh (UnaryOp / BinaryOp.code()); a code a
// switch does not handle calls __trap(), which aborts the launch.
#include "common.cuh"
#include "opcodes.cuh"

// ---- scalar functions on px_c (transcendentals computed in double for floats, then rounded) ----

// fused a*b + c rounded once in the compute type (fmaf for float, as Java's Math.fma(float...) does)
template <typename T>
__device__ __forceinline__ T px_fma(T a, T b, T c) { return a * b + c; }  // integers (not launched)
__device__ __forceinline__ float px_fma(float a, float b, float c) { return fmaf(a, b, c); }
__device__ __forceinline__ double px_fma(double a, double b, double c) { return fma(a, b, c); }

// |x| by clearing the sign bit (also of NaNs, keeping their payload), as Math.abs does
__device__ __forceinline__ float px_fabs(float x) { return __uint_as_float(__float_as_uint(x) & 0x7fffffffu); }
__device__ __forceinline__ double px_fabs(double x) { return __longlong_as_double(__double_as_longlong(x) & 0x7fffffffffffffffLL); }

// sign bit of a floating value (also of -0.0 and of NaNs)
__device__ __forceinline__ bool px_signbit(double x) { return __double_as_longlong(x) < 0; }

__device__ __forceinline__ px_c px_unary(int op, px_c xv) {
    double x = (double) xv;
    switch (op) {
        case PX_UNARY_NEG: return (px_c) (-xv);
#if PX_IS_FLOAT
        case PX_UNARY_ABS: return px_fabs(xv);                         // clears the sign of -0.0 and NaN, like Math.abs
#else
        case PX_UNARY_ABS: return xv < (px_c) 0 ? (px_c) (-xv) : xv;
#endif
        case PX_UNARY_SIGN: return px_isnan(x) ? xv : (px_c) (x > 0 ? 1 : (x < 0 ? -1 : 0));
#if PX_IS_FLOAT
        case PX_UNARY_EXP: return (px_c) exp(x);
        case PX_UNARY_LOG: return (px_c) log(x);
        case PX_UNARY_SQRT: return (px_c) sqrt(x);
        case PX_UNARY_TANH: return (px_c) tanh(x);
        case PX_UNARY_SIN: return (px_c) sin(x);
        case PX_UNARY_COS: return (px_c) cos(x);
        case PX_UNARY_SIGMOID: return (px_c) (1.0 / (1.0 + exp(-x)));
        case PX_UNARY_RECIPROCAL: return (px_c) (1.0 / x);
        case PX_UNARY_ERF: return (px_c) erf(x);
        case PX_UNARY_FLOOR: return (px_c) floor(x);
        case PX_UNARY_CEIL: return (px_c) ceil(x);
        case PX_UNARY_TRUNC: return (px_c) trunc(x);
        case PX_UNARY_RINT: return (px_c) rint(x);                     // halves to even, as Math.rint
        case PX_UNARY_LOG1P: return (px_c) log1p(x);
        case PX_UNARY_EXPM1: return (px_c) expm1(x);
        case PX_UNARY_LOG2: return (px_c) log2(x);
        case PX_UNARY_LOG10: return (px_c) log10(x);
        case PX_UNARY_EXP2: return (px_c) exp2(x);
#endif
        case PX_UNARY_SQUARE: return (px_c) (xv * xv);
        default: __trap(); return xv;  // unknown code (NOT has its own kernel; integer types have no transcendentals)
    }
}

// NumPy's floating remainder (Python's %): fmod adjusted to the divisor's sign, a zero result with the divisor's
// sign, NaN for a zero divisor (as Elementwise.remainder on the CPU)
__device__ __forceinline__ double px_remainder(double a, double b) {
    double mod = fmod(a, b);
    if (b == 0) return mod;
    if (mod != 0) {
        if ((b < 0) != (mod < 0)) mod += b;
    } else {
        mod = copysign(0.0, b);
    }
    return mod;
}

// NumPy's floating floor division (Python's //): (a - fmod) / b snapped to an integer; a / b for a zero divisor
__device__ __forceinline__ double px_floor_divide(double a, double b) {
    if (b == 0) return a / b;
    double mod = fmod(a, b);
    double div = (a - mod) / b;
    if (mod != 0 && (b < 0) != (mod < 0)) div -= 1.0;
    if (div == 0) return copysign(0.0, a / b);
    double fl = floor(div);
    return div - fl > 0.5 ? fl + 1.0 : fl;
}

// MIN/MAX as Math.min/Math.max: a NaN operand gives NaN, and -0.0 counts as smaller than +0.0
__device__ __forceinline__ px_c px_binary(int op, px_c a, px_c b) {
    switch (op) {
#if PX_IS_FLOAT
        case PX_BINARY_ADD: return a + b;
        case PX_BINARY_SUB: return a - b;
        case PX_BINARY_MUL: return a * b;
#else
        // two's-complement wrap-around, as the CPU's long arithmetic narrowed on store; signed overflow is
        // undefined behaviour in C++ (I32/I64 ADD/SUB/MUL overflowed here), unsigned arithmetic is not
        case PX_BINARY_ADD: return (px_c) ((u64) a + (u64) b);
        case PX_BINARY_SUB: return (px_c) ((u64) a - (u64) b);
        case PX_BINARY_MUL: return (px_c) ((u64) a * (u64) b);
#endif
        case PX_BINARY_DIV: return a / b;
        // C99's pow, as the CPU (Elementwise.pow): pow(1, y) = 1 for every y (NaN too), pow(-1, +-inf) = 1
        case PX_BINARY_POW: return (px_c) pow((double) a, (double) b);
        case PX_BINARY_MIN: return (px_isnan((double) a) || px_isnan((double) b)) ? (px_c) ((double) a + (double) b)
                : (a < b || (a == b && px_signbit((double) a))) ? a : b;
        case PX_BINARY_MAX: return (px_isnan((double) a) || px_isnan((double) b)) ? (px_c) ((double) a + (double) b)
                : (a > b || (a == b && !px_signbit((double) a))) ? a : b;
#if PX_IS_FLOAT
        // NumPy's fmax/fmin: the first operand unless it loses or the second is NaN (ties keep the first)
        case PX_BINARY_FMAX: return (a >= b || px_isnan((double) b)) ? a : b;
        case PX_BINARY_FMIN: return (a <= b || px_isnan((double) b)) ? a : b;
        case PX_BINARY_ATAN2: return (px_c) atan2((double) a, (double) b);
        case PX_BINARY_HYPOT: return (px_c) hypot((double) a, (double) b);
        case PX_BINARY_REMAINDER: return (px_c) px_remainder((double) a, (double) b);
        case PX_BINARY_FLOOR_DIVIDE: return (px_c) px_floor_divide((double) a, (double) b);
        case PX_BINARY_COPYSIGN: return (px_c) copysign((double) a, (double) b);
#endif
        default: __trap(); return a;  // unknown code (comparisons have their own kernel)
    }
}

__device__ __forceinline__ u8 px_compare(int op, px_c a, px_c b) {
    switch (op) {
        case PX_BINARY_EQ: return a == b;
        case PX_BINARY_NE: return a != b;
        case PX_BINARY_LT: return a < b;
        case PX_BINARY_LE: return a <= b;
        case PX_BINARY_GT: return a > b;
        case PX_BINARY_GE: return a >= b;
        case PX_BINARY_AND: return (a != (px_c) 0) && (b != (px_c) 0);
        case PX_BINARY_OR: return (a != (px_c) 0) || (b != (px_c) 0);
        case PX_BINARY_XOR: return (a != (px_c) 0) != (b != (px_c) 0);
        default: __trap(); return 0;  // unknown code (arithmetic has its own kernels)
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
            for (int k = 0; k < 4; ++k) v.v[k] = px_st(px_unary(op, px_ld(v.v[k])));
            y4[i] = v;
        }
        head = n4 * 4;
    }
    for (i64 i = head + tid; i < n; i += step) y[i] = px_st(px_unary(op, px_ld(x[i])));
}

extern "C" __global__ void unary_strided(int op, const PX_T* x, PX_T* y, PxShape s, PxView vx, PxView vy) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (i64) gridDim.x * blockDim.x) {
        y[px_offset(s, vy, i)] = px_st(px_unary(op, px_ld(x[px_offset(s, vx, i)])));
    }
}

extern "C" __global__ void not_strided(const PX_T* x, u8* y, PxShape s, PxView vx, PxView vy) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (i64) gridDim.x * blockDim.x) {
        y[px_offset(s, vy, i)] = px_ld(x[px_offset(s, vx, i)]) == (px_c) 0;
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
            for (int k = 0; k < 4; ++k) vy.v[k] = px_st(px_binary(op, px_ld(va.v[k]), px_ld(vb.v[k])));
            ((px_vec4*) y)[i] = vy;
        }
        head = n4 * 4;
    }
    for (i64 i = head + tid; i < n; i += step) y[i] = px_st(px_binary(op, px_ld(a[i]), px_ld(b[i])));
}

extern "C" __global__ void binary_strided(int op, const PX_T* a, const PX_T* b, PX_T* y, PxShape s, PxView va, PxView vb, PxView vy) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (i64) gridDim.x * blockDim.x) {
        y[px_offset(s, vy, i)] = px_st(px_binary(op, px_ld(a[px_offset(s, va, i)]), px_ld(b[px_offset(s, vb, i)])));
    }
}

extern "C" __global__ void compare_strided(int op, const PX_T* a, const PX_T* b, u8* y, PxShape s, PxView va, PxView vb, PxView vy) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (i64) gridDim.x * blockDim.x) {
        y[px_offset(s, vy, i)] = px_compare(op, px_ld(a[px_offset(s, va, i)]), px_ld(b[px_offset(s, vb, i)]));
    }
}

// dst := a*b + c, fused: one rounding in the compute type (floats only)
extern "C" __global__ void muladd_strided(const PX_T* a, const PX_T* b, const PX_T* c, PX_T* y, PxShape s, PxView va, PxView vb,
                                          PxView vc, PxView vy) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (i64) gridDim.x * blockDim.x) {
        y[px_offset(s, vy, i)] = px_st(px_fma(px_ld(a[px_offset(s, va, i)]), px_ld(b[px_offset(s, vb, i)]), px_ld(c[px_offset(s, vc, i)])));
    }
}

extern "C" __global__ void where_strided(const u8* cond, const PX_T* a, const PX_T* b, PX_T* y, PxShape s, PxView vcond, PxView va,
                                         PxView vb, PxView vy) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (i64) gridDim.x * blockDim.x) {
        y[px_offset(s, vy, i)] = cond[px_offset(s, vcond, i)] ? a[px_offset(s, va, i)] : b[px_offset(s, vb, i)];
    }
}

// value arrives as PX_T bits, already converted by the CPU backend's rules (where_strided also moves bits only)
extern "C" __global__ void fill_strided(PX_T* y, PX_T value, PxShape s, PxView vy) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (i64) gridDim.x * blockDim.x) {
        y[px_offset(s, vy, i)] = value;
    }
}

#if !PX_IS_FLOAT
// double -> integer PX_T as the CPU stores one (Elements.setDouble): truncated toward zero, saturated at the
// type's range, NaN -> 0. A plain C cast of an out-of-range double is undefined (x86 gives INT_MIN, and the
// GPU may saturate to 32 bits and then wrap a narrower type). Not for BOOL (the backend keeps that on the host).
__device__ __forceinline__ PX_T px_int_from_double(double v) {
    const int bits = 8 * (int) sizeof(PX_T);
    const bool sgn = (PX_T) -1 < (PX_T) 0;
    const u64 umax = sgn ? (~0ULL >> (65 - bits)) : (~0ULL >> (64 - bits));  // 2^(bits-1) - 1 or 2^bits - 1
    if (v != v) return (PX_T) 0;
    if (v >= (double) umax) return (PX_T) umax;                                 // (double) 2^63-1 is 2^63: still right
    if (sgn ? v <= -(double) umax - 1.0 : v <= 0.0) return sgn ? (PX_T) (-(i64) umax - 1) : (PX_T) 0;
    return (PX_T) (i64) v;
}
#endif

// start + i * step rounded twice (no FMA: NVRTC contracts a*b+c by default, the CPU does not)
extern "C" __global__ void iota_contig(PX_T* y, double start, double step, i64 n) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (i64) gridDim.x * blockDim.x) {
        double v = __dadd_rn(start, __dmul_rn((double) i, step));
#if PX_IS_FLOAT
        y[i] = px_st((px_c) v);  // double -> compute type -> half, as the CPU rounds
#else
        y[i] = px_int_from_double(v);
#endif
    }
}
