// double -> fp8 e4m3 (OCP / NVIDIA E4M3FN: bias 7, 3 mantissa bits, no infinities), rounded once to nearest
// even and saturated to +-448, as vLLM's and FlashInfer's scaled KV-cache writes store it (SATFINITE).
#pragma once

#include <cstdint>

#include "bit_cast.hpp"
#include "host_device.hpp"

namespace mmrope::kernels {

inline constexpr std::uint8_t kE4m3Nan = 0x7F;      // S.1111.111; the only NaN pattern kept (sign dropped)
inline constexpr std::uint8_t kE4m3MaxFinite = 0x7E;  // 448 = 1.75 * 2^8

// v >= 0 below 2^52, to the nearest integer, ties to even: adding and taking away 2^52 rounds at the units
// (plain double operations; the kernels build without FMA contraction or fast math).
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE double round_to_integer_even(double v) {
  constexpr double kTwo52 = 4503599627370496.0;
  return (v + kTwo52) - kTwo52;
}

// Normals 2^-6 .. 448 keep 4 significant bits; below 2^-6 the step is 2^-9 (subnormals), so a value rounds to a
// multiple of 2^(e - 3) for its binade e >= -6, or of 2^-9. Every scaling below is by a power of two: exact.
MMROPE_HOST_DEVICE inline std::uint8_t double_to_e4m3(double x) {
  const std::uint64_t u = bits_of(x);
  const auto sign = static_cast<std::uint8_t>((u >> 56) & 0x80u);
  const std::uint64_t magnitude = u & 0x7FFFFFFFFFFFFFFFull;
  if (magnitude > 0x7FF0000000000000ull) return kE4m3Nan;
  const double a = double_from_bits(magnitude);
  if (a >= 448.0) return sign | kE4m3MaxFinite;  // saturate (infinity included)
  const int exponent = static_cast<int>(magnitude >> 52) - 1023;  // a double subnormal reads as -1023
  if (exponent < -6) return sign | static_cast<std::uint8_t>(round_to_integer_even(a * 512.0));  // 8: the smallest normal
  const double to_units = double_from_bits(static_cast<std::uint64_t>(1023 + 3 - exponent) << 52);  // 2^(3 - e)
  // 8 .. 16, 16 carrying into the exponent; at e = 8, a < 448 gives at most 14: 448 itself, code 0x7E.
  const int m = static_cast<int>(round_to_integer_even(a * to_units));
  return sign | static_cast<std::uint8_t>(((exponent + 7) << 3) + m - 8);
}

}  // namespace mmrope::kernels
