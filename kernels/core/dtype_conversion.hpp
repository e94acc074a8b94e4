// Exact widening of fp32/fp16/bf16 to double, and rounding of a double once to each (to nearest, ties to even).
#pragma once

#include <cstdint>

#include "bit_cast.hpp"
#include "host_device.hpp"

namespace mmrope::kernels {

// ---- widening (always exact: every fp16 and bf16 value is a float, every float a double) ----

MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE float bf16_bits_to_float(std::uint16_t b) {
  return float_from_bits(static_cast<std::uint32_t>(b) << 16);
}

MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE float fp16_bits_to_float(std::uint16_t h) {
#if defined(__CUDA_ARCH__)
  float f;  // the hardware conversion (exact, like the integer one below): one instruction
  asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
  return f;
#else
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exponent = (h >> 10) & 0x1Fu;
  const std::uint32_t mantissa = h & 0x3FFu;
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24, exact in float
    const float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-8f;
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 31) return float_from_bits(sign | 0x7F800000u | (mantissa << 13));  // inf, NaN
  return float_from_bits(sign | ((exponent + 112u) << 23) | (mantissa << 13));       // rebias 15 -> 127
#endif
}

// ---- narrowing ----

// double -> float rounded to odd: truncate toward zero, then set the last bit if anything was cut off.
// Rounding to odd at 24 bits and then to nearest at 8 or 11 bits equals one rounding to nearest from the
// double (Boldo & Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using rounding
// to odd", 2008): 24 >= 11 + 2. That is how a double becomes bf16/fp16 without double rounding.
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE float double_to_float_round_to_odd(double d) {
#if defined(__CUDA_ARCH__)
  float f = __double2float_rz(d);
#else
  float f = static_cast<float>(d);  // to nearest; step back toward zero when it rounded away
  if ((f > 0 && static_cast<double>(f) > d) || (f < 0 && static_cast<double>(f) < d))
    f = float_from_bits(bits_of(f) - 1u);  // magnitude one step down (infinity becomes the largest finite)
#endif
  if (static_cast<double>(f) != d && d == d) f = float_from_bits(bits_of(f) | 1u);  // sticky bit
  return f;
}

// float -> bf16, to nearest even; NaN becomes the canonical quiet NaN (as reference/rounding.hpp).
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE std::uint16_t float_to_bf16_bits(float f) {
  const std::uint32_t u = bits_of(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return 0x7FC0u;
  const std::uint32_t rounding_bias = 0x7FFFu + ((u >> 16) & 1u);  // a carry into the exponent is the right answer
  return static_cast<std::uint16_t>((u + rounding_bias) >> 16);
}

// float -> fp16, to nearest even, with fp16 subnormals, overflow to infinity and the canonical NaN.
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE std::uint16_t float_to_fp16_bits(float f) {
  const std::uint32_t u = bits_of(f);
  const std::uint16_t sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
  const std::uint32_t a = u & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return 0x7E00u;
  if (a >= 0x477FF000u) return sign | 0x7C00u;  // >= 65520 = 65504 + half an ulp (ties to even go up)
  if (a >= 0x38800000u) {                       // >= 2^-14: normal; rebias, round 23 -> 10 mantissa bits
    const std::uint32_t rebiased = a - 0x38000000u;
    return sign | static_cast<std::uint16_t>((rebiased + 0xFFFu + ((rebiased >> 13) & 1u)) >> 13);
  }
  if (a <= 0x33000000u) return sign;  // <= 2^-25, half the smallest subnormal: the tie goes to even zero
  // Subnormal: n = round(value / 2^-24) = round(mantissa24 * 2^(exponent - 126)), shift >= 14.
  const std::uint32_t mantissa = (a & 0x7FFFFFu) | 0x800000u;
  const int shift = 126 - static_cast<int>(a >> 23);
  std::uint32_t n = mantissa >> shift;
  const std::uint32_t rest = mantissa & ((1u << shift) - 1u), half = 1u << (shift - 1);
  if (rest > half || (rest == half && (n & 1u))) ++n;  // n == 0x400 is the smallest normal's encoding
  return sign | static_cast<std::uint16_t>(n);
}

// double -> a 16-bit float with a normal (or zero) result, in integers on the double's two 32-bit words:
// rebias the exponent, keep the top `mantissa_bits` of the 52-bit mantissa, and round to nearest even with the
// round bit and the sticky bit (every lower bit, the low word's included) -- no conversion back and no
// comparison. A round-up that carries is the right answer: into the exponent, and from the largest finite to
// infinity. `min_exponent` and `max_exponent` are the double exponent fields whose values are the format's
// normals. Branch-free: `out` is always written, and is the answer where the result is true; elsewhere
// (subnormal results, overflow, infinities, NaN) the caller takes the float route.
template <int mantissa_bits, std::uint32_t min_exponent, std::uint32_t max_exponent>
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE bool round_normal_to_16_bits(double d, std::uint16_t& out) {
  const std::uint64_t u = bits_of(d);
  const auto high = static_cast<std::uint32_t>(u >> 32), low = static_cast<std::uint32_t>(u);
  const std::uint32_t exponent = (high >> 20) & 0x7FFu;
  const bool normal = exponent - min_exponent <= max_exponent - min_exponent;  // unsigned: also below min
  const bool zero = ((high << 1) | low) == 0u;
  constexpr int dropped = 20 - mantissa_bits;  // bits of the high word's mantissa below the kept ones
  constexpr std::uint32_t rebias = (min_exponent - 1u) << 20;
  const std::uint32_t kept = ((high & 0x7FFFFFFFu) - rebias) >> dropped;  // exponent:mantissa, truncated
  const std::uint32_t round = (high >> (dropped - 1)) & 1u;
  const std::uint32_t sticky = ((high & ((1u << (dropped - 1)) - 1u)) | low) != 0u ? 1u : 0u;
  const std::uint32_t sign = (high >> 16) & 0x8000u;
  out = static_cast<std::uint16_t>(zero ? sign : sign | (kept + (round & (sticky | kept))));
  return normal || zero;
}

// Zeros, subnormal results, overflow, infinities and NaN: the float route, rounding to odd first. Out of
// line, so the hot loop holds one call, not a copy of it per element.
MMROPE_HOST_DEVICE MMROPE_NOINLINE inline std::uint16_t double_to_bf16_bits_slow(double d) {
  return float_to_bf16_bits(double_to_float_round_to_odd(d));
}
MMROPE_HOST_DEVICE MMROPE_NOINLINE inline std::uint16_t double_to_fp16_bits_slow(double d) {
  return float_to_fp16_bits(double_to_float_round_to_odd(d));
}

// sm_90 and later convert a double to bf16 or fp16 in one instruction, rounded once to nearest even with
// subnormals and overflow (cvt.rn.bf16.f64, cvt.rn.f16.f64); only a NaN's pattern differs from the reference's
// canonical one, so NaN is left to the caller. Elsewhere the integer rounding below does the same.
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
#define MMROPE_HARDWARE_F64_TO_F16 1
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE std::uint16_t hardware_f64_to_bf16(double d) {
  std::uint16_t b;
  asm("cvt.rn.bf16.f64 %0, %1;" : "=h"(b) : "d"(d));
  return b;
}
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE std::uint16_t hardware_f64_to_fp16(double d) {
  std::uint16_t h;
  asm("cvt.rn.f16.f64 %0, %1;" : "=h"(h) : "d"(d));
  return h;
}
#endif

// bf16 normals are 2^-126 .. 2^127 (double exponent fields 897 .. 1150); fp16 normals 2^-14 .. 2^15 (1009 .. 1038).
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE std::uint16_t double_to_bf16_bits(double d) {
#if defined(MMROPE_HARDWARE_F64_TO_F16)
  return d == d ? hardware_f64_to_bf16(d) : std::uint16_t{0x7FC0u};
#else
  std::uint16_t out;
  if (round_normal_to_16_bits<7, 897u, 1150u>(d, out)) return out;
  return double_to_bf16_bits_slow(d);
#endif
}
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE std::uint16_t double_to_fp16_bits(double d) {
#if defined(MMROPE_HARDWARE_F64_TO_F16)
  return d == d ? hardware_f64_to_fp16(d) : std::uint16_t{0x7E00u};
#else
  std::uint16_t out;
  if (round_normal_to_16_bits<10, 1009u, 1038u>(d, out)) return out;
  return double_to_fp16_bits_slow(d);
#endif
}
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE float double_to_float(double d) { return static_cast<float>(d); }  // IEEE RNE

}  // namespace mmrope::kernels
