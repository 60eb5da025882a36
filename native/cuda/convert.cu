// dst := src converted from PX_SRC to PX_DST, strided on both sides (also a plain device-side copy
// when the types agree). Conversion rules follow dev.proxima.tensor.DType: float -> integer truncates
// toward zero, saturates at the target's range and maps NaN to 0; integer -> narrower integer wraps;
// anything -> bool is (value != 0). PX_DST_KIND: 0 float, 1 signed, 2 unsigned, 3 bool.
// F16/BF16 (PX_SRC_HALF / PX_DST_HALF = 1 / 2, C type unsigned short): a half source is read as its
// exact float value; a half destination gets (float) value rounded to nearest even, as the CPU's
// (float) cast and conversion do (integers -> float round once). Between identical half types the
// bits are copied unchanged (NaN payloads included), as the CPU's same-type copy does.
#ifndef PX_SRC
#define PX_SRC float
#endif
#ifndef PX_DST
#define PX_DST int
#endif
#ifndef PX_SRC_FLOAT
#define PX_SRC_FLOAT 1
#endif
#ifndef PX_DST_KIND
#define PX_DST_KIND 1
#endif
#ifndef PX_DST_MIN
#define PX_DST_MIN (-2147483648.0)
#endif
#ifndef PX_DST_MAX
#define PX_DST_MAX 2147483647.0
#endif
#ifndef PX_SRC_HALF
#define PX_SRC_HALF 0
#endif
#ifndef PX_DST_HALF
#define PX_DST_HALF 0
#endif
#define PX_T PX_SRC
#define PX_HALF PX_SRC_HALF
#include "common.cuh"

__device__ __forceinline__ PX_DST px_convert(PX_SRC raw) {
#if PX_SRC_HALF != 0 && PX_SRC_HALF == PX_DST_HALF
    return raw;
#else
    px_c x = px_ld(raw);   // the source's value (float for a half source)
#if PX_DST_KIND == 3
    return (PX_DST) (x != (px_c) 0);
#elif PX_DST_KIND == 0 && PX_DST_HALF == 1
    return px_f32_to_f16((float) x);
#elif PX_DST_KIND == 0 && PX_DST_HALF == 2
    return px_f32_to_bf16((float) x);
#elif PX_DST_KIND == 0
    return (PX_DST) x;
#elif PX_SRC_FLOAT
    double d = (double) x;
    if (d != d) return (PX_DST) 0;
    if (d <= PX_DST_MIN) return (PX_DST) PX_DST_MIN;
    // the maximum as an integer: PX_DST_MAX of I64 is the double 2^63, and (i64) 2^63 is undefined
    if (d >= PX_DST_MAX) return (PX_DST) (PX_DST_KIND == 1 ? (~0ULL >> (65 - 8 * sizeof(PX_DST))) : (~0ULL >> (64 - 8 * sizeof(PX_DST))));
    return (PX_DST) (i64) d;
#else
    return (PX_DST) x;  // integer -> integer: two's-complement wrap
#endif
#endif
}

extern "C" __global__ void convert_strided(const PX_SRC* x, PX_DST* y, PxShape s, PxView vx, PxView vy) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < s.n; i += (i64) gridDim.x * blockDim.x) {
        y[px_offset(s, vy, i)] = px_convert(x[px_offset(s, vx, i)]);
    }
}

extern "C" __global__ void convert_contig(const PX_SRC* __restrict__ x, PX_DST* __restrict__ y, i64 n) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (i64) gridDim.x * blockDim.x) {
        y[i] = px_convert(x[i]);
    }
}
