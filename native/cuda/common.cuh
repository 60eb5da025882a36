// Shared definitions of Proxima's CUDA kernels. NVRTC has no standard headers, so this file uses
// only built-in types; Java (dev.proxima.cuda.KernelSource) inlines it where a kernel file says
// #include "common.cuh", after the per-dtype #defines (PX_T, PX_ACC, PX_OUT, ...).
#pragma once

typedef long long i64;
typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned char u8;

#define PX_MAX_DIMS 8

#ifndef PX_T
#define PX_T float            // element type (nvcc check compiles use these defaults)
#endif
#ifndef PX_IS_FLOAT
#define PX_IS_FLOAT 1         // 1 for float/double/F16/BF16
#endif
#ifndef PX_HALF
#define PX_HALF 0             // 1: PX_T holds F16 bits, 2: BF16 bits (PX_T is then unsigned short)
#endif

#include "half.cuh"

// px_c: the type values of PX_T are computed in (float for the half types, as the CPU does), with
// px_ld / px_st converting at the memory boundary. px_st rounds float to the half type.
#if PX_HALF
typedef float px_c;
#else
typedef PX_T px_c;
#endif

__device__ __forceinline__ px_c px_ld(PX_T v) {
#if PX_HALF == 1
    return px_f16_to_f32(v);
#elif PX_HALF == 2
    return px_bf16_to_f32(v);
#else
    return v;
#endif
}

__device__ __forceinline__ PX_T px_st(px_c v) {
#if PX_HALF == 1
    return px_f32_to_f16(v);
#elif PX_HALF == 2
    return px_f32_to_bf16(v);
#else
    return v;
#endif
}

// The geometry of a strided operand, passed by value: element (i0..i{r-1}) is at
// offset + sum(ik * stride[k]) elements from the base pointer.
struct PxShape {
    i64 rank;
    i64 n;
    i64 dim[PX_MAX_DIMS];
};
struct PxView {
    i64 offset;
    i64 stride[PX_MAX_DIMS];
};

// Element offset of linear (row-major) index i in view v of shape s.
__device__ __forceinline__ i64 px_offset(const PxShape& s, const PxView& v, i64 i) {
    i64 off = v.offset;
    for (int d = (int) s.rank - 1; d >= 0; --d) {
        i64 q = i / s.dim[d];
        off += (i - q * s.dim[d]) * v.stride[d];
        i = q;
    }
    return off;
}

__device__ __forceinline__ bool px_isnan(double x) { return x != x; }

// Warp-level and block-level reductions (block size: a power of two, <= 1024).
template <typename A, typename F>
__device__ __forceinline__ A px_warp_reduce(A v, F f) {
    for (int o = 16; o > 0; o >>= 1) {
        v = f(v, __shfl_down_sync(0xffffffffu, v, o));
    }
    return v;
}

template <typename A, typename F>
__device__ A px_block_reduce(A v, F f, A identity) {
    __shared__ A warp_part[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    v = px_warp_reduce(v, f);
    if (lane == 0) warp_part[warp] = v;
    __syncthreads();
    int warps = (blockDim.x + 31) >> 5;
    v = (threadIdx.x < warps) ? warp_part[lane] : identity;
    if (warp == 0) v = px_warp_reduce(v, f);
    __syncthreads();  // warp_part may be reused by the next call
    return v;        // valid in thread 0
}
