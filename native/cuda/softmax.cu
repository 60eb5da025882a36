// softmax, log-softmax and logsumexp along the last (contiguous) axis of [rows, len], one block per
// row (CudaBackend.softmax), or along any axis one thread per lane (softmax_strided), computed in double
// with the max shift: s = sum exp(x - shift), lse = shift + log s, softmax = exp((x - shift) - log s),
// log_softmax = (x - shift) - log s, as the CPU computes them: x - shift is exact near the maximum, where
// x - lse would lose the low bits of a large common offset. Special values as the CPU and SciPy/PyTorch:
// softmax and log_softmax shift by m = max x itself, so a row holding +inf or NaN, or of only -inf, is NaN
// throughout (inf - inf enters s); logsumexp shifts by m only where it is finite (else 0), so a row holding
// +inf gives +inf, one of only -inf gives -inf, one holding NaN gives NaN.
#include "common.cuh"
#include "opcodes.cuh"

struct PxSumD { __device__ double operator()(double a, double b) const { return a + b; } };
struct PxMaxD { __device__ double operator()(double a, double b) const {
    return px_isnan(a) ? a : (px_isnan(b) ? b : (a > b ? a : b)); } };

// the shift for a row maximum m: m itself, or (finite_only, for logsumexp) 0 where m is +-inf or NaN
__device__ double px_shift(double m, bool finite_only) {
    return finite_only && !(m == m && m - m == 0) ? 0 : m;
}

// log s of the row (valid in every thread); *shift_out receives the shift (see px_shift)
__device__ double px_row_log_sum(const PX_T* row, i64 len, bool finite_only, double* shift_out) {
    __shared__ double shared_m, shared_s;
    double m = -1.0e308 * 10;  // -inf
    for (i64 j = threadIdx.x; j < len; j += blockDim.x) m = PxMaxD()(m, (double) row[j]);
    m = px_block_reduce(m, PxMaxD(), -1.0e308 * 10);
    if (threadIdx.x == 0) shared_m = m;
    __syncthreads();
    m = shared_m;
    double shift = px_shift(m, finite_only);
    double s = 0;
    for (i64 j = threadIdx.x; j < len; j += blockDim.x) s += exp((double) row[j] - shift);
    s = px_block_reduce(s, PxSumD(), 0.0);
    if (threadIdx.x == 0) shared_s = s;
    __syncthreads();
    double log_s = log(shared_s);
    __syncthreads();
    *shift_out = shift;
    return log_s;
}

extern "C" __global__ void logsumexp_last(const PX_T* x, PX_T* y, i64 rows, i64 len) {
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        double shift;
        double log_s = px_row_log_sum(x + r * len, len, true, &shift);
        if (threadIdx.x == 0) y[r] = (PX_T) (shift + log_s);
    }
}

extern "C" __global__ void softmax_last(const PX_T* x, PX_T* y, i64 rows, i64 len) {
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        const PX_T* row = x + r * len;
        double shift;
        double log_s = px_row_log_sum(row, len, false, &shift);
        for (i64 j = threadIdx.x; j < len; j += blockDim.x) y[r * len + j] = (PX_T) exp(((double) row[j] - shift) - log_s);
    }
}

extern "C" __global__ void log_softmax_last(const PX_T* x, PX_T* y, i64 rows, i64 len) {
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        const PX_T* row = x + r * len;
        double shift;
        double log_s = px_row_log_sum(row, len, false, &shift);
        for (i64 j = threadIdx.x; j < len; j += blockDim.x) y[r * len + j] = (PX_T) (((double) row[j] - shift) - log_s);
    }
}

// Any axis and layout (e.g. softmax over the channels of NCHW): one thread per lane, three sequential
// passes over it with the same shift rule (px_shift); neighbouring threads take neighbouring lanes, so
// for a leading axis the reads are coalesced. op: PX_SOFTMAX_SOFTMAX, _LOG_SOFTMAX or _LOGSUMEXP of opcodes.cuh
// (SoftmaxOp.code(); any other code calls __trap()). lanes: the shape without the axis; src_lanes/dst_lanes: src's and dst's geometry for it
// (for LOGSUMEXP dst has exactly that shape); len, src_stride, dst_stride: the axis.
extern "C" __global__ void softmax_strided(int op, const PX_T* x, PX_T* y, PxShape lanes, PxView src_lanes, PxView dst_lanes,
                                           i64 len, i64 src_stride, i64 dst_stride) {
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < lanes.n; i += (i64) gridDim.x * blockDim.x) {
        const PX_T* row = x + px_offset(lanes, src_lanes, i);
        double m = -1.0e308 * 10;  // -inf
        for (i64 j = 0; j < len; ++j) m = PxMaxD()(m, (double) row[j * src_stride]);
        double shift = px_shift(m, op == PX_SOFTMAX_LOGSUMEXP);
        double s = 0;
        for (i64 j = 0; j < len; ++j) s += exp((double) row[j * src_stride] - shift);
        double log_s = log(s);
        PX_T* out = y + px_offset(lanes, dst_lanes, i);
        switch (op) {
            case PX_SOFTMAX_LOGSUMEXP: *out = (PX_T) (shift + log_s); break;
            case PX_SOFTMAX_SOFTMAX: case PX_SOFTMAX_LOG_SOFTMAX:
                for (i64 j = 0; j < len; ++j) {
                    double v = ((double) row[j * src_stride] - shift) - log_s;  // as softmax_last and the CPU
                    out[j * dst_stride] = (PX_T) (op == PX_SOFTMAX_SOFTMAX ? exp(v) : v);
                }
                break;
            default: __trap();
        }
    }
}
