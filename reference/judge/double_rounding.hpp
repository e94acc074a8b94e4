// Rounding a double to fp32/fp16/bf16 bits and the ulp exponent of a double, in integer arithmetic: the judge's fast path.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

#include "reference/rounding.hpp"

namespace mmrope::judge {

// round_to_bits(x, type) for a double x, bit for bit (tested against the multiprecision version), without
// frexp/ldexp/floor: the 53-bit significand is shifted to the dtype's quantum and rounded to nearest even.
template <DType Type>
inline std::uint32_t round_double_to_bits(double x) {
  constexpr FloatFormat f = format_of(Type);
  const std::uint64_t raw = std::bit_cast<std::uint64_t>(x);
  const std::uint32_t sign = (raw >> 63) ? f.sign_bit() : 0;
  const std::uint64_t magnitude = raw & ~(std::uint64_t{1} << 63);
  const int field = static_cast<int>(magnitude >> 52);
  if (field == 0x7ff) return (magnitude & ((std::uint64_t{1} << 52) - 1)) ? f.quiet_nan_bits() : sign | f.infinity_bits();
  if (field == 0) return sign;  // zero, or a double subnormal: far below half of any dtype's smallest subnormal
  const int exponent = field - 1023;
  if (exponent > f.max_exponent() + 1) return sign | f.infinity_bits();
  const std::uint64_t significand = (magnitude & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1} << 52);
  // x = significand * 2^(exponent - 52); the dtype's last bit weighs 2^(max(exponent, min) - mantissa_bits).
  const int quantum_exponent = (exponent < f.min_exponent() ? f.min_exponent() : exponent) - f.mantissa_bits;
  const int shift = quantum_exponent - (exponent - 52);  // >= 52 - mantissa_bits > 0
  if (shift > 54) return sign;                          // below half the quantum: significand < 2^53 <= 2^(shift-1)
  std::uint64_t n = significand >> shift;
  const std::uint64_t rest = significand & ((std::uint64_t{1} << shift) - 1);
  const std::uint64_t half = std::uint64_t{1} << (shift - 1);
  if (rest > half || (rest == half && (n & 1u))) ++n;
  std::uint64_t bits;
  if (exponent < f.min_exponent()) {
    bits = n;
  } else {
    bits = (static_cast<std::uint64_t>(exponent + f.bias() - 1) << f.mantissa_bits) + n;
  }
  if (bits >= f.infinity_bits()) return sign | f.infinity_bits();
  return sign | static_cast<std::uint32_t>(bits);
}

// The exponent e of ulp_of(x, type) = 2^e for a finite double x (the same clamping: the smallest normal's
// quantum below, the top binade's above).
template <DType Type>
inline int ulp_exponent(double x) {
  constexpr FloatFormat f = format_of(Type);
  const std::uint64_t magnitude = std::bit_cast<std::uint64_t>(x) & ~(std::uint64_t{1} << 63);
  const int field = static_cast<int>(magnitude >> 52);
  int exponent = field == 0 ? f.min_exponent() : field - 1023;
  if (exponent < f.min_exponent()) exponent = f.min_exponent();
  if (exponent > f.max_exponent()) exponent = f.max_exponent();
  return exponent - f.mantissa_bits;
}

// The same, for a dtype known only at run time.
inline std::uint32_t round_double_to_bits(double x, DType type) {
  switch (type) {
    case DType::fp16: return round_double_to_bits<DType::fp16>(x);
    case DType::bf16: return round_double_to_bits<DType::bf16>(x);
    case DType::fp32: break;
  }
  return round_double_to_bits<DType::fp32>(x);
}
inline int ulp_exponent(double x, DType type) {
  switch (type) {
    case DType::fp16: return ulp_exponent<DType::fp16>(x);
    case DType::bf16: return ulp_exponent<DType::bf16>(x);
    case DType::fp32: break;
  }
  return ulp_exponent<DType::fp32>(x);
}

}  // namespace mmrope::judge
