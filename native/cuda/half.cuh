// F16 (IEEE binary16) and BF16 (bfloat16) <-> float conversions by bit manipulation, matching the CPU
// backend bit for bit (dev.proxima.tensor.internal.Elements on JDK 25):
//   f16 -> f32  exact; a NaN is made quiet (bit 22 set) and keeps its payload (shifted left by 13), as
//               Float.float16ToFloat does (the JDK uses the x86 F16C instruction, even interpreted);
//   f32 -> f16  round to nearest even, overflow to +-inf, subnormal results kept; a NaN becomes
//               sign | 0x7e00 | (top 10 significand bits), as Float.floatToFloat16 does;
//   bf16 -> f32 the 16 bits on top of 16 zero bits; a NaN is made quiet (| 0x00400000), as the CPU's
//               conversion is (it widens through double, which quiets a signalling NaN on x86);
//   f32 -> bf16 round to nearest even; a NaN keeps sign and top bits and is made quiet (| 0x0040).
// A double is first rounded to float and then to half, as the CPU's (float) cast followed by the
// conversion does (two roundings, on purpose: results must be identical).
// Integer-only arithmetic, so the result cannot depend on -ftz or fast-math settings. The file is also
// plain C: the CPU-side tests compile it with gcc and compare all inputs of interest with the JDK.
#pragma once

#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define PX_HD __device__ __forceinline__
PX_HD unsigned int px_f2u(float f) { return __float_as_uint(f); }
PX_HD float px_u2f(unsigned int u) { return __uint_as_float(u); }
#else
#define PX_HD static inline
PX_HD unsigned int px_f2u(float f) { union { float f; unsigned int u; } c; c.f = f; return c.u; }
PX_HD float px_u2f(unsigned int u) { union { float f; unsigned int u; } c; c.u = u; return c.f; }
#endif

// f16 bits -> float bits
PX_HD unsigned int px_f16_bits_to_f32_bits(unsigned short h) {
    unsigned int sign = ((unsigned int) h & 0x8000u) << 16;
    unsigned int exp = ((unsigned int) h >> 10) & 0x1fu;
    unsigned int man = (unsigned int) h & 0x3ffu;
    if (exp == 0x1fu) {
        return man == 0 ? (sign | 0x7f800000u) : (sign | 0x7fc00000u | (man << 13));
    }
    if (exp != 0) {
        return sign | ((exp + 112u) << 23) | (man << 13);   // rebias 15 -> 127
    }
    if (man == 0) {
        return sign;                                         // +-0
    }
    // subnormal man * 2^-24: normalise so that bit 10 is the (implicit) leading one
    unsigned int e = 113u;                                   // exponent of 2^-14, the subnormal scale, biased
    while ((man & 0x400u) == 0) {
        man <<= 1;
        --e;
    }
    return sign | (e << 23) | ((man & 0x3ffu) << 13);
}

// float bits -> f16 bits, round to nearest even
PX_HD unsigned short px_f32_bits_to_f16_bits(unsigned int f) {
    unsigned int sign = (f >> 16) & 0x8000u;
    unsigned int a = f & 0x7fffffffu;
    if (a > 0x7f800000u) {
        return (unsigned short) (sign | 0x7e00u | ((a >> 13) & 0x3ffu));      // NaN: quiet, top payload bits
    }
    if (a >= 0x477ff000u) {
        return (unsigned short) (sign | 0x7c00u);                             // >= 65520 (and inf) -> inf
    }
    if (a >= 0x38800000u) {                                                  // normal result (>= 2^-14)
        unsigned int r = a - 0x38000000u;                                     // rebias 127 -> 15 (in place)
        r += 0xfffu + ((r >> 13) & 1u);
        return (unsigned short) (sign | (r >> 13));
    }
    if (a <= 0x33000000u) {
        return (unsigned short) sign;                                         // <= 2^-25: ties to even 0
    }
    // subnormal result: units of 2^-24; value = m * 2^(e - 150) with the implicit bit in m
    unsigned int e = a >> 23;                                                 // 102 .. 112
    unsigned int m = (a & 0x7fffffu) | 0x800000u;
    unsigned int shift = 126u - e;                                            // 14 .. 24
    unsigned int q = m >> shift;
    unsigned int rem = m & ((1u << shift) - 1u);
    unsigned int half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (q & 1u))) {
        ++q;                                                                  // may carry into the smallest normal
    }
    return (unsigned short) (sign | q);
}

// float bits -> bf16 bits, round to nearest even
PX_HD unsigned short px_f32_bits_to_bf16_bits(unsigned int f) {
    if ((f & 0x7fffffffu) > 0x7f800000u) {
        return (unsigned short) ((f >> 16) | 0x0040u);
    }
    return (unsigned short) ((f + 0x7fffu + ((f >> 16) & 1u)) >> 16);
}

PX_HD float px_f16_to_f32(unsigned short h) { return px_u2f(px_f16_bits_to_f32_bits(h)); }
PX_HD float px_bf16_to_f32(unsigned short h) {
    unsigned int u = (unsigned int) h << 16;
    return px_u2f((u & 0x7fffffffu) > 0x7f800000u ? (u | 0x00400000u) : u);
}
PX_HD unsigned short px_f32_to_f16(float f) { return px_f32_bits_to_f16_bits(px_f2u(f)); }
PX_HD unsigned short px_f32_to_bf16(float f) { return px_f32_bits_to_bf16_bits(px_f2u(f)); }
