// Prelude the CUDA shim's NVRTC stand-in puts before every kernel source it compiles with g++: host stand-ins
// with the device semantics for what Proxima's kernels use. Thread and block indices, barriers, warp shuffles and
// __trap() go through the driver's scheduler (pxshim.h), which runs a block's threads as cooperative fibers.
#include <math.h>
#include <string.h>
#include <stddef.h>
#include <type_traits>
#include <utility>
#include "pxshim.h"

static PxShimRuntime* px_rt;
extern "C" void pxshim_bind(PxShimRuntime* rt) { px_rt = rt; }

typedef px_dim3 uint3;
typedef px_dim3 dim3;
#define threadIdx (px_rt->threadIdx)
#define blockIdx (px_rt->blockIdx)
#define blockDim (px_rt->blockDim)
#define gridDim (px_rt->gridDim)
#define warpSize 32

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
#define __shared__ static
#define __restrict__ __restrict
#define __align__(n) alignas(n)

static inline float __uint_as_float(unsigned u) { float f; memcpy(&f, &u, 4); return f; }
static inline unsigned __float_as_uint(float f) { unsigned u; memcpy(&u, &f, 4); return u; }
static inline float __int_as_float(int u) { float f; memcpy(&f, &u, 4); return f; }
static inline int __float_as_int(float f) { int u; memcpy(&u, &f, 4); return u; }
static inline double __longlong_as_double(long long u) { double f; memcpy(&f, &u, 8); return f; }
static inline long long __double_as_longlong(double f) { long long u; memcpy(&u, &f, 8); return u; }
static inline double __dmul_rn(double a, double b) { return a * b; }   // built with -ffp-contract=off: never fused
static inline double __dadd_rn(double a, double b) { return a + b; }
static inline float __fmul_rn(float a, float b) { return a * b; }
static inline float __fadd_rn(float a, float b) { return a + b; }
static inline double __dsqrt_rn(double a) { return sqrt(a); }
static inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned) (((unsigned long long) a * b) >> 32); }

[[noreturn]] static inline void __trap() { px_rt->trap(); __builtin_unreachable(); }
static inline void __syncthreads() { px_rt->syncthreads(); }
static inline void __syncwarp(unsigned mask = 0xffffffffu) { px_rt->syncwarp(mask); }

template <typename T> static inline T px_shfl(unsigned mask, T v, int src) {
    T r = v;
    px_rt->shfl(mask, &v, &r, (unsigned) sizeof(T), src);
    return r;
}
static inline int px_width(int width) { return (width >= 1 && width <= 32 && (width & (width - 1)) == 0) ? width : 32; }
template <typename T> static inline T __shfl_sync(unsigned mask, T v, int srcLane, int width = 32) {
    int w = px_width(width), lane = threadIdx.x & 31;
    return px_shfl(mask, v, (lane & ~(w - 1)) + (srcLane & (w - 1)));
}
template <typename T> static inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    int w = px_width(width), lane = threadIdx.x & 31;
    return px_shfl(mask, v, (lane & (w - 1)) + (int) delta < w ? lane + (int) delta : -1);
}
template <typename T> static inline T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    int w = px_width(width), lane = threadIdx.x & 31;
    return px_shfl(mask, v, (lane & (w - 1)) >= (int) delta ? lane - (int) delta : -1);
}
template <typename T> static inline T __shfl_xor_sync(unsigned mask, T v, int laneMask, int width = 32) {
    int w = px_width(width), lane = threadIdx.x & 31, src = lane ^ laneMask;
    return px_shfl(mask, v, (src & ~(w - 1)) == (lane & ~(w - 1)) ? src : -1);
}

// the generated entry of a kernel: mode 0 checks its pointer arguments, mode 1 runs it for the current thread
template <typename T> static inline int px_check_arg(int i, void* slot) {
    if constexpr (std::is_pointer_v<T>) {
        return px_rt->check_arg(i, *(const void* const*) slot) == 0 ? 0 : i + 1;
    } else {
        return 0;
    }
}
template <typename... A, size_t... I> static int px_entry(void (*f)(A...), int mode, void** p, std::index_sequence<I...>) {
    if (mode == 0) {
        int bad = 0;
        ((bad = bad != 0 ? bad : px_check_arg<std::remove_cv_t<A>>((int) I, p[I])), ...);
        return bad;
    }
    f(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(p[I])...);
    return 0;
}
#define PXSHIM_KERNEL(k) \
    extern "C" int k##__pxshim(int mode, void** p) { return px_entry(&k, mode, p, std::make_index_sequence<px_arity(&k)>{}); }
template <typename... A> constexpr size_t px_arity(void (*)(A...)) { return sizeof...(A); }
