// Philox-4x32-10 samples, bit-for-bit the stream of dev.proxima.tensor.Rng's CPU kernels
// (internal/Philox.java, internal/RandomKernels.java), launched by CudaBackend.random:
//   counter = (block index lo, block index hi, stream lo, stream hi), stream = draw | round << 48,
//   key = (k0, k1); 10 rounds of (c0,c1,c2,c3) <- (hi(M1*c2) ^ c1 ^ k0, lo(M1*c2), hi(M0*c0) ^ c3 ^ k1, lo(M0*c0)),
//   then key += (W0, W1).
//   F32 uniform: element i takes word i%4 of block i/4; u = (word >> 8) * 2^-24; x = (float)(low + (high-low)*u)
//        computed in double, clamped to [floatAtLeast(low), floatBelow(high)] as on the CPU.
//   F64 uniform / bernoulli: element i takes words 2(i%2) (high half) and 2(i%2)+1 of block i/2;
//        u = (bits >> 11) * 2^-53.
//   Normal (Box-Muller): F32 pairs (4b, 4b+1), (4b+2, 4b+3) take words (0, 1), (2, 3) of block b as
//        u1 = (w + 1) * 2^-32, u2 = w * 2^-32; F64 pair (2b, 2b+1) takes the two 64-bit words of block b
//        as u1 = ((bits >> 11) + 1) * 2^-53, u2 = (bits >> 11) * 2^-53; then r = sqrt(-2 log u1),
//        t = 2 pi u2, (mean + std * (r cos t), mean + std * (r sin t)).
// Java's double arithmetic rounds every operation, so products and sums go through __dmul_rn/__dadd_rn,
// which the compiler never contracts into an FMA (nvcc and NVRTC contract a*b+c by default). Integer
// work, the uniforms and the clamps are exact, so uniform and bernoulli reproduce the CPU bit for bit.
// Normal: sqrt is correctly rounded on both sides, but CUDA's log (1 ulp), sin and cos (2 ulp) are not
// Java's StrictMath (fdlibm), so F64 normals can differ from the CPU in the last bits (a few ulp) and
// F32 normals (rounded from double) are identical except, rarely, by one float ulp.
#include "common.cuh"

#define PX_M0 0xD2511F53u
#define PX_M1 0xCD9E8D57u
#define PX_W0 0x9E3779B9u
#define PX_W1 0xBB67AE85u
#define PX_TWO_PI 0x1.921fb54442d18p+2  // 2 * Math.PI, exactly

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

__device__ __forceinline__ u64 px_bits64(const u32 w[4], int q) {
    return ((u64) w[2 * q] << 32) | w[2 * q + 1];
}

// mean + std * (r * trig), rounded step by step as Java does
__device__ __forceinline__ double px_affine(double mean, double std, double r, double trig) {
    return __dadd_rn(mean, __dmul_rn(std, __dmul_rn(r, trig)));
}

// out[i] for i in [0, n): one thread per Philox block (4 floats)
// lo/hi: the clamp bounds the CPU uses (RandomKernels.floatAtLeast(low), floatBelow(high))
extern "C" __global__ void uniform_f32(float* out, i64 n, u32 k0, u32 k1, u64 draw, double low, double high, float lo, float hi) {
    u64 stream = draw;  // round 0
    double span = __dadd_rn(high, -low);
    i64 blocks = (n + 3) / 4;
    for (i64 b = (i64) blockIdx.x * blockDim.x + threadIdx.x; b < blocks; b += (i64) gridDim.x * blockDim.x) {
        u32 w[4];
        px_block((u64) b, stream, k0, k1, w);
#pragma unroll
        for (int q = 0; q < 4; ++q) {
            i64 i = b * 4 + q;
            if (i < n) {
                float x = (float) __dadd_rn(low, __dmul_rn(span, (double) (w[q] >> 8) * 0x1.0p-24));
                out[i] = x < lo ? lo : (x > hi ? hi : x);
            }
        }
    }
}

// hi: Math.nextDown(high), the CPU's clamp
extern "C" __global__ void uniform_f64(double* out, i64 n, u32 k0, u32 k1, u64 draw, double low, double high, double hi) {
    u64 stream = draw;
    double span = __dadd_rn(high, -low);
    i64 blocks = (n + 1) / 2;
    for (i64 b = (i64) blockIdx.x * blockDim.x + threadIdx.x; b < blocks; b += (i64) gridDim.x * blockDim.x) {
        u32 w[4];
        px_block((u64) b, stream, k0, k1, w);
#pragma unroll
        for (int q = 0; q < 2; ++q) {
            i64 i = b * 2 + q;
            if (i < n) {
                double x = __dadd_rn(low, __dmul_rn(span, (double) (px_bits64(w, q) >> 11) * 0x1.0p-53));
                out[i] = x < hi ? x : hi;
            }
        }
    }
}

// one thread per Philox block: two Box-Muller pairs of floats
extern "C" __global__ void normal_f32(float* out, i64 n, u32 k0, u32 k1, u64 draw, double mean, double std) {
    u64 stream = draw;
    i64 blocks = (n + 3) / 4;
    for (i64 b = (i64) blockIdx.x * blockDim.x + threadIdx.x; b < blocks; b += (i64) gridDim.x * blockDim.x) {
        u32 w[4];
        px_block((u64) b, stream, k0, k1, w);
#pragma unroll
        for (int q = 0; q < 2; ++q) {
            i64 i0 = b * 4 + 2 * q;
            if (i0 < n) {
                double u1 = ((double) w[2 * q] + 1.0) * 0x1.0p-32;
                double u2 = (double) w[2 * q + 1] * 0x1.0p-32;
                double r = __dsqrt_rn(-2.0 * log(u1));
                double t = __dmul_rn(PX_TWO_PI, u2);
                out[i0] = (float) px_affine(mean, std, r, cos(t));
                if (i0 + 1 < n) out[i0 + 1] = (float) px_affine(mean, std, r, sin(t));
            }
        }
    }
}

// one thread per Philox block: one Box-Muller pair of doubles
extern "C" __global__ void normal_f64(double* out, i64 n, u32 k0, u32 k1, u64 draw, double mean, double std) {
    u64 stream = draw;
    i64 blocks = (n + 1) / 2;
    for (i64 b = (i64) blockIdx.x * blockDim.x + threadIdx.x; b < blocks; b += (i64) gridDim.x * blockDim.x) {
        u32 w[4];
        px_block((u64) b, stream, k0, k1, w);
        i64 i0 = b * 2;
        double u1 = (double) ((px_bits64(w, 0) >> 11) + 1) * 0x1.0p-53;
        double u2 = (double) (px_bits64(w, 1) >> 11) * 0x1.0p-53;
        double r = __dsqrt_rn(-2.0 * log(u1));
        double t = __dmul_rn(PX_TWO_PI, u2);
        out[i0] = px_affine(mean, std, r, cos(t));
        if (i0 + 1 < n) out[i0 + 1] = px_affine(mean, std, r, sin(t));
    }
}

// BOOL (one byte) out[i] = u < p, with the 53-bit uniform of the 64-bit layout
extern "C" __global__ void bernoulli_u8(u8* out, i64 n, u32 k0, u32 k1, u64 draw, double p) {
    u64 stream = draw;
    i64 blocks = (n + 1) / 2;
    for (i64 b = (i64) blockIdx.x * blockDim.x + threadIdx.x; b < blocks; b += (i64) gridDim.x * blockDim.x) {
        u32 w[4];
        px_block((u64) b, stream, k0, k1, w);
#pragma unroll
        for (int q = 0; q < 2; ++q) {
            i64 i = b * 2 + q;
            if (i < n) out[i] = (double) (px_bits64(w, q) >> 11) * 0x1.0p-53 < p ? 1 : 0;
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
