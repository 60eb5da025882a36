// Reductions along the last axis of a row-major [rows, len] block (the axis must be contiguous):
// one block per row (grid-stride over rows), each thread strides over the row, then warp shuffles
// and a shared-memory block reduce. Floats accumulate in double, integers in 64 bits, as the CPU
// backend does. Op codes are the PX_REDUCE_* names of opcodes.cuh (ReduceOp.code(); ARGMAX/ARGMIN have
// their own kernels and write i64 indices); a code a kernel does not handle calls __trap(), which aborts the
// launch.
// F16/BF16 sources (PX_HALF) are read as float and accumulate in double like F32; an F16/BF16 result
// (PX_OUT unsigned short, PX_OUT_HALF 1 / 2) is the double accumulator rounded to float, then to
// nearest even half, as the CPU stores it.
#ifndef PX_OUT
#define PX_OUT double
#endif
#ifndef PX_OUT_HALF
#define PX_OUT_HALF 0
#endif
#include "common.cuh"
#include "opcodes.cuh"

#if PX_IS_FLOAT
typedef double px_acc;
#define PX_ACC_MAX __longlong_as_double(0x7ff0000000000000LL)  // +inf: MAX of all -inf is -inf, MIN_ABS of inf is inf
#else
typedef i64 px_acc;
#define PX_ACC_MAX 9223372036854775807LL
#endif

// Integer sums and products wrap like Java's long arithmetic (computed in u64: no signed-overflow UB).
#if PX_IS_FLOAT
__device__ __forceinline__ px_acc px_add(px_acc a, px_acc b) { return a + b; }
__device__ __forceinline__ px_acc px_mul(px_acc a, px_acc b) { return a * b; }
__device__ __forceinline__ px_acc px_abs(px_acc x) { return fabs(x); }                // |-0.0| = +0.0, as Math.abs
__device__ __forceinline__ bool px_neg(px_acc x) { return __double_as_longlong(x) < 0; } // sign bit (-0.0 included)
#else
__device__ __forceinline__ px_acc px_add(px_acc a, px_acc b) { return (px_acc) ((u64) a + (u64) b); }
__device__ __forceinline__ px_acc px_mul(px_acc a, px_acc b) { return (px_acc) ((u64) a * (u64) b); }
__device__ __forceinline__ px_acc px_abs(px_acc x) { return x < 0 ? (px_acc) (0ull - (u64) x) : x; }  // |MIN| = MIN
__device__ __forceinline__ bool px_neg(px_acc x) { return x < 0; }
#endif

struct PxSum { __device__ px_acc operator()(px_acc a, px_acc b) const { return px_add(a, b); } };
struct PxProd { __device__ px_acc operator()(px_acc a, px_acc b) const { return px_mul(a, b); } };
// NaN-propagating max/min (a NaN anywhere wins); of -0.0 and +0.0, max is +0.0 and min -0.0 in any
// order, as Math.max / Math.min
struct PxMax { __device__ px_acc operator()(px_acc a, px_acc b) const {
    return px_isnan((double) a) ? a : (px_isnan((double) b) ? b : (a > b ? a : (b > a ? b : (px_neg(a) ? b : a)))); } };
struct PxMin { __device__ px_acc operator()(px_acc a, px_acc b) const {
    return px_isnan((double) a) ? a : (px_isnan((double) b) ? b : (a < b ? a : (b < a ? b : (px_neg(a) ? a : b)))); } };

__device__ __forceinline__ PX_OUT px_out(px_acc acc) {
#if PX_OUT_HALF == 1
    return px_f32_to_f16((float) acc);
#elif PX_OUT_HALF == 2
    return px_f32_to_bf16((float) acc);
#else
    return (PX_OUT) acc;
#endif
}

template <typename F>
__device__ __forceinline__ void px_row(const PX_T* row, i64 len, PX_OUT* out, int op, F f, px_acc identity) {
    px_acc acc = identity;
    for (i64 j = threadIdx.x; j < len; j += blockDim.x) {
        px_c v = px_ld(row[j]);
        px_acc x = (px_acc) v;
        switch (op) {
            case PX_REDUCE_SUM: case PX_REDUCE_PROD: case PX_REDUCE_MAX: case PX_REDUCE_MIN: break;
            case PX_REDUCE_SUM_ABS: case PX_REDUCE_MAX_ABS: case PX_REDUCE_MIN_ABS: x = px_abs(x); break;
            case PX_REDUCE_SUM_SQUARES: x = px_mul(x, x); break;
            case PX_REDUCE_COUNT_NONZERO: x = (v != (px_c) 0) ? 1 : 0; break;
            default: __trap();
        }
        acc = f(acc, x);
    }
    acc = px_block_reduce(acc, f, identity);
    if (threadIdx.x == 0) *out = px_out(acc);
}

extern "C" __global__ void reduce_last(int op, const PX_T* x, PX_OUT* y, i64 rows, i64 len) {
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        const PX_T* row = x + r * len;
        switch (op) {
            case PX_REDUCE_SUM: case PX_REDUCE_SUM_ABS: case PX_REDUCE_SUM_SQUARES: case PX_REDUCE_COUNT_NONZERO:
                px_row(row, len, y + r, op, PxSum(), (px_acc) 0); break;
            case PX_REDUCE_PROD: px_row(row, len, y + r, op, PxProd(), (px_acc) 1); break;
            case PX_REDUCE_MAX: case PX_REDUCE_MAX_ABS:
                px_row(row, len, y + r, op, PxMax(), op == PX_REDUCE_MAX_ABS ? (px_acc) 0 : (px_acc) -PX_ACC_MAX - (PX_IS_FLOAT ? 0 : 1)); break;
            case PX_REDUCE_MIN: case PX_REDUCE_MIN_ABS: px_row(row, len, y + r, op, PxMin(), (px_acc) PX_ACC_MAX); break;
            default: __trap();
        }
    }
}

// index of the first maximum (ARGMAX) or minimum (ARGMIN) of each row; NaN counts as the extreme.
// Values compare in px_acc (double for floats, i64 for integers: exact for every I64).
extern "C" __global__ void argreduce_last(int op, const PX_T* x, i64* y, i64 rows, i64 len) {
    __shared__ px_acc sv[1024];
    __shared__ i64 si[1024];
    if (op != PX_REDUCE_ARGMAX && op != PX_REDUCE_ARGMIN) __trap();
    bool is_max = op == PX_REDUCE_ARGMAX;
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        const PX_T* row = x + r * len;
        px_acc best = 0;
        i64 bi = -1;
        for (i64 j = threadIdx.x; j < len; j += blockDim.x) {
            px_acc v = (px_acc) px_ld(row[j]);
            bool better = bi < 0 || (!px_isnan((double) best) && (px_isnan((double) v) || (is_max ? v > best : v < best)));
            if (better) { best = v; bi = j; }
        }
        sv[threadIdx.x] = best;
        si[threadIdx.x] = bi;
        __syncthreads();
        for (int o = blockDim.x / 2; o > 0; o >>= 1) {
            if (threadIdx.x < o) {
                px_acc v = sv[threadIdx.x + o];
                i64 vi = si[threadIdx.x + o];
                px_acc b = sv[threadIdx.x];
                i64 bj = si[threadIdx.x];
                bool take = vi >= 0 && (bj < 0 || (px_isnan((double) v) && (!px_isnan((double) b) || vi < bj))
                        || (!px_isnan((double) b) && !px_isnan((double) v) && ((is_max ? v > b : v < b) || (v == b && vi < bj))));
                if (take) { sv[threadIdx.x] = v; si[threadIdx.x] = vi; }
            }
            __syncthreads();
        }
        if (threadIdx.x == 0) y[r] = si[0];
        __syncthreads();
    }
}

// Reductions over any axes of a strided view (the layouts reduce_last cannot take, e.g. a sum over the
// batch axis of [B, N]): one thread per output element (grid-stride), each looping over the reduced
// sub-space in row-major order; neighbouring threads read neighbouring kept elements, so a reduction over a
// leading axis reads coalesced rows. keep/src_keep/dst: the output's shape with src's and dst's geometry
// for it; red/src_red: the reduced axes' shape with src's strides (offset 0).
template <typename F>
__device__ __forceinline__ px_acc px_strided(const PX_T* x, i64 base, const PxShape& red, const PxView& src_red, int op,
                                             F f, px_acc identity) {
    px_acc acc = identity;
    for (i64 j = 0; j < red.n; ++j) {
        px_c v = px_ld(x[base + px_offset(red, src_red, j)]);
        px_acc e = (px_acc) v;
        switch (op) {
            case PX_REDUCE_SUM: case PX_REDUCE_PROD: case PX_REDUCE_MAX: case PX_REDUCE_MIN: break;
            case PX_REDUCE_SUM_ABS: case PX_REDUCE_MAX_ABS: case PX_REDUCE_MIN_ABS: e = px_abs(e); break;
            case PX_REDUCE_SUM_SQUARES: e = e * e; break;
            case PX_REDUCE_COUNT_NONZERO: e = (v != (px_c) 0) ? 1 : 0; break;
            default: __trap();
        }
        acc = f(acc, e);
    }
    return acc;
}

extern "C" __global__ void reduce_strided(int op, const PX_T* x, PX_OUT* y, PxShape keep, PxView src_keep, PxView dst,
                                          PxShape red, PxView src_red) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < keep.n; i += (i64) gridDim.x * blockDim.x) {
        i64 base = px_offset(keep, src_keep, i);
        px_acc acc;
        switch (op) {
            case PX_REDUCE_SUM: case PX_REDUCE_SUM_ABS: case PX_REDUCE_SUM_SQUARES: case PX_REDUCE_COUNT_NONZERO:
                acc = px_strided(x, base, red, src_red, op, PxSum(), (px_acc) 0); break;
            case PX_REDUCE_PROD: acc = px_strided(x, base, red, src_red, op, PxProd(), (px_acc) 1); break;
            case PX_REDUCE_MAX: case PX_REDUCE_MAX_ABS: acc = px_strided(x, base, red, src_red, op, PxMax(),
                    op == PX_REDUCE_MAX_ABS ? (px_acc) 0 : (px_acc) -PX_ACC_MAX - (PX_IS_FLOAT ? 0 : 1)); break;
            case PX_REDUCE_MIN: case PX_REDUCE_MIN_ABS: acc = px_strided(x, base, red, src_red, op, PxMin(), (px_acc) PX_ACC_MAX); break;
            default: __trap(); acc = 0;
        }
        y[px_offset(keep, dst, i)] = px_out(acc);
    }
}

// index (along the single reduced axis) of the first maximum (ARGMAX) or minimum (ARGMIN); NaN counts as the
// extreme and values compare in px_acc, as in argreduce_last
extern "C" __global__ void argreduce_strided(int op, const PX_T* x, i64* y, PxShape keep, PxView src_keep, PxView dst,
                                             i64 len, i64 stride) {
    if (op != PX_REDUCE_ARGMAX && op != PX_REDUCE_ARGMIN) __trap();
    bool is_max = op == PX_REDUCE_ARGMAX;
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < keep.n; i += (i64) gridDim.x * blockDim.x) {
        const PX_T* lane = x + px_offset(keep, src_keep, i);
        px_acc best = 0;
        i64 bi = -1;
        for (i64 j = 0; j < len; ++j) {
            px_acc v = (px_acc) px_ld(lane[j * stride]);
            bool better = bi < 0 || (!px_isnan((double) best) && (px_isnan((double) v) || (is_max ? v > best : v < best)));
            if (better) { best = v; bi = j; }
        }
        y[px_offset(keep, dst, i)] = bi;
    }
}
