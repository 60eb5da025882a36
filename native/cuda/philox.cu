// Philox-4x32-10 uniform samples, bit-for-bit the stream of dev.proxima.tensor.Rng's CPU kernels
// (internal/Philox.java, internal/RandomKernels.java):
//   counter = (block index lo, block index hi, stream lo, stream hi), stream = draw | round << 48,
//   key = (k0, k1); 10 rounds of (c0,c1,c2,c3) <- (hi(M1*c2) ^ c1 ^ k0, lo(M1*c2), hi(M0*c0) ^ c3 ^ k1, lo(M0*c0)),
//   then key += (W0, W1).
//   F32: element i takes word i%4 of block i/4; u = (word >> 8) * 2^-24; x = (float)(low + (high-low)*u)
//        computed in double, clamped to [floatAtLeast(low), floatBelow(high)] as on the CPU.
//   F64: element i takes words 2(i%2) (high half) and 2(i%2)+1 of block i/2; u = (bits >> 11) * 2^-53.
#include "common.cuh"

#define PX_M0 0xD2511F53u
#define PX_M1 0xCD9E8D57u
#define PX_W0 0x9E3779B9u
#define PX_W1 0xBB67AE85u

__device__ __forceinline__ void px_philox(u32 c[4], u32 k0, u32 k1) {
#pragma unroll
    for (int r = 0; r < 10; ++r) {
        u32 hi0 = __umulhi(PX_M0, c[0]), lo0 = PX_M0 * c[0];
        u32 hi1 = __umulhi(PX_M1, c[2]), lo1 = PX_M1 * c[2];
        u32 n0 = hi1 ^ c[1] ^ k0, n2 = hi0 ^ c[3] ^ k1;
        c[0] = n0; c[1] = lo1; c[2] = n2; c[3] = lo0;
        k0 += PX_W0; k1 += PX_W1;
    }
}

__device__ __forceinline__ void px_block(u64 index, u64 stream, u32 k0, u32 k1, u32 w[4]) {
    w[0] = (u32) index; w[1] = (u32) (index >> 32); w[2] = (u32) stream; w[3] = (u32) (stream >> 32);
    px_philox(w, k0, k1);
}

// out[i] for i in [0, n): one thread per Philox block (4 floats)
// lo/hi: the clamp bounds the CPU uses (RandomKernels.floatAtLeast(low), floatBelow(high))
extern "C" __global__ void uniform_f32(float* out, i64 n, u32 k0, u32 k1, u64 draw, double low, double high, float lo, float hi) {
    u64 stream = draw;  // round 0
    double span = high - low;
    i64 blocks = (n + 3) / 4;
    for (i64 b = (i64) blockIdx.x * blockDim.x + threadIdx.x; b < blocks; b += (i64) gridDim.x * blockDim.x) {
        u32 w[4];
        px_block((u64) b, stream, k0, k1, w);
#pragma unroll
        for (int q = 0; q < 4; ++q) {
            i64 i = b * 4 + q;
            if (i < n) { float x = (float) (low + span * ((double) (w[q] >> 8) * 0x1.0p-24)); out[i] = x < lo ? lo : (x > hi ? hi : x); }
        }
    }
}

// hi: Math.nextDown(high), the CPU's clamp
extern "C" __global__ void uniform_f64(double* out, i64 n, u32 k0, u32 k1, u64 draw, double low, double high, double hi) {
    u64 stream = draw;
    double span = high - low;
    i64 blocks = (n + 1) / 2;
    for (i64 b = (i64) blockIdx.x * blockDim.x + threadIdx.x; b < blocks; b += (i64) gridDim.x * blockDim.x) {
        u32 w[4];
        px_block((u64) b, stream, k0, k1, w);
#pragma unroll
        for (int q = 0; q < 2; ++q) {
            i64 i = b * 2 + q;
            u64 bits = ((u64) w[2 * q] << 32) | w[2 * q + 1];
            if (i < n) { double x = low + span * ((double) (bits >> 11) * 0x1.0p-53); out[i] = x < hi ? x : hi; }
        }
    }
}

// the raw block function, for testing against the Java implementation: out[4*i..] = block(i, stream)
extern "C" __global__ void philox_blocks(u32* out, i64 blocks, u64 stream, u32 k0, u32 k1) {
    for (i64 b = (i64) blockIdx.x * blockDim.x + threadIdx.x; b < blocks; b += (i64) gridDim.x * blockDim.x) {
        u32 w[4];
        px_block((u64) b, stream, k0, k1, w);
        for (int q = 0; q < 4; ++q) out[4 * b + q] = w[q];
    }
}
