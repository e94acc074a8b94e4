// Rounds an exact value once to fp32, fp16 or bf16 (round to nearest even), and measures errors in ulps of those dtypes.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "error.hpp"
#include "scalar.hpp"
#include "vocabulary.hpp"

namespace mmrope {

inline std::string_view to_string(DType t) {
  switch (t) {
    case DType::fp32: return "fp32";
    case DType::fp16: return "fp16";
    case DType::bf16: return "bf16";
  }
  return "?";
}

inline DType parse_dtype(std::string_view s) {
  if (s == "fp32" || s == "float32") return DType::fp32;
  if (s == "fp16" || s == "float16") return DType::fp16;
  if (s == "bf16" || s == "bfloat16") return DType::bf16;
  throw Error("unknown dtype '" + std::string(s) + "' (known: fp32, fp16, bf16)");
}

// An IEEE-754 binary interchange format: sign, exponent_bits, mantissa_bits (stored, without the hidden bit).
struct FloatFormat {
  int exponent_bits;
  int mantissa_bits;
  constexpr int bias() const { return (1 << (exponent_bits - 1)) - 1; }
  constexpr int min_exponent() const { return 1 - bias(); }  // exponent of the smallest normal
  constexpr int max_exponent() const { return bias(); }      // exponent of the largest finite
  constexpr int total_bits() const { return 1 + exponent_bits + mantissa_bits; }
  constexpr std::uint32_t sign_bit() const { return std::uint32_t{1} << (exponent_bits + mantissa_bits); }
  constexpr std::uint32_t infinity_bits() const { return ((std::uint32_t{1} << exponent_bits) - 1) << mantissa_bits; }
  constexpr std::uint32_t quiet_nan_bits() const { return infinity_bits() | (std::uint32_t{1} << (mantissa_bits - 1)); }
};

constexpr FloatFormat format_of(DType t) {
  switch (t) {
    case DType::fp32: return {8, 23};
    case DType::fp16: return {5, 10};
    case DType::bf16: return {8, 7};
  }
  return {8, 23};
}

namespace detail {

template <class S>
bool is_nan_scalar(const S& x) {
  if constexpr (std::is_same_v<S, double>) return std::isnan(x);
  else return bmp::isnan(x);
}
template <class S>
bool is_inf_scalar(const S& x) {
  if constexpr (std::is_same_v<S, double>) return std::isinf(x);
  else return bmp::isinf(x);
}
template <class S>
bool sign_of(const S& x) {
  if constexpr (std::is_same_v<S, double>) return std::signbit(x);
  else return bmp::signbit(x) != 0;
}

}  // namespace detail

// Rounds x to the format once, to nearest with ties to even, and returns its bit pattern (in the low bits).
// Works on the exact binary value of x: frexp/ldexp only move the exponent, floor and the subtraction of the
// integer part are exact in a binary floating type, so no intermediate rounding happens (no detour through
// double, which would round twice). Values at or beyond the overflow threshold (max finite + half an ulp, ties
// to even go up) become infinity; values below half the smallest subnormal become a zero of x's sign.
template <class S>
std::uint32_t round_to_bits(const S& x, DType type) {
  using std::floor;
  using std::frexp;
  using std::ldexp;
  const FloatFormat f = format_of(type);
  if (detail::is_nan_scalar(x)) return f.quiet_nan_bits();
  const std::uint32_t sign = detail::sign_of(x) ? f.sign_bit() : 0;
  if (detail::is_inf_scalar(x)) return sign | f.infinity_bits();
  if (x == 0) return sign;
  const S a = detail::sign_of(x) ? S(-x) : x;
  int e = 0;
  (void)frexp(a, &e);  // a = m * 2^e, m in [0.5, 1): the leading bit has weight 2^(e-1)
  const int exponent = e - 1;
  // Weight of the last mantissa bit: 2^(exponent - p) for normals, fixed at 2^(min_exponent - p) below.
  const int quantum_exponent = (exponent < f.min_exponent() ? f.min_exponent() : exponent) - f.mantissa_bits;
  if (exponent > f.max_exponent() + 1) return sign | f.infinity_bits();  // far beyond the largest finite
  const S scaled = ldexp(a, -quantum_exponent);  // exact: a power-of-two scaling
  const S whole = floor(scaled);
  const S fraction = scaled - whole;  // exact: both are in the same binade or below
  auto n = static_cast<std::uint64_t>(whole);  // < 2^(p+1)
  if (fraction > S(0.5) || (fraction == S(0.5) && (n & 1u))) ++n;
  std::uint64_t bits;
  if (exponent < f.min_exponent()) {
    bits = n;  // subnormal; n == 2^p rounds up into the smallest normal, whose encoding is exactly 2^p
  } else {
    // n in [2^p, 2^(p+1)]; the biased exponent field minus one plus n carries a round-up into the next binade.
    bits = (static_cast<std::uint64_t>(exponent + f.bias() - 1) << f.mantissa_bits) + n;
  }
  if (bits >= f.infinity_bits()) return sign | f.infinity_bits();
  return sign | static_cast<std::uint32_t>(bits);
}

template <class S>
std::uint32_t round_to_fp32(const S& x) { return round_to_bits(x, DType::fp32); }
template <class S>
std::uint16_t round_to_fp16(const S& x) { return static_cast<std::uint16_t>(round_to_bits(x, DType::fp16)); }
template <class S>
std::uint16_t round_to_bf16(const S& x) { return static_cast<std::uint16_t>(round_to_bits(x, DType::bf16)); }

// The value of a bit pattern, exactly (every fp32, fp16 and bf16 value is a double).
inline double decode_bits(std::uint32_t bits, DType type) {
  // fp32 and bf16 are float bit patterns (bf16: the top half); a float is a double exactly.
  if (type == DType::fp32) return std::bit_cast<float>(bits);
  if (type == DType::bf16) return std::bit_cast<float>((bits & 0xffffu) << 16);
  const FloatFormat f = format_of(type);
  const bool negative = (bits & f.sign_bit()) != 0;
  const std::uint32_t magnitude = bits & (f.sign_bit() - 1);
  const std::uint32_t exponent_field = magnitude >> f.mantissa_bits;
  const std::uint32_t mantissa = magnitude & ((std::uint32_t{1} << f.mantissa_bits) - 1);
  double v;
  if (exponent_field == (std::uint32_t{1} << f.exponent_bits) - 1) {
    v = mantissa ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
  } else if (exponent_field == 0) {
    v = std::ldexp(static_cast<double>(mantissa), f.min_exponent() - f.mantissa_bits);
  } else {
    v = std::ldexp(static_cast<double>(mantissa | (std::uint32_t{1} << f.mantissa_bits)),
                   static_cast<int>(exponent_field) - f.bias() - f.mantissa_bits);
  }
  return negative ? -v : v;
}

inline bool bits_are_finite(std::uint32_t bits, DType type) {
  const FloatFormat f = format_of(type);
  return (bits & f.infinity_bits()) != f.infinity_bits();
}

// One ulp of the dtype at the magnitude of x: 2^(max(exponent(x), min_exponent) - p); beyond the largest
// finite value the ulp of the top binade (so an overflowed result has a finite, huge error, not 0).
template <class S>
S ulp_of(const S& x, DType type) {
  using std::frexp;
  using std::ldexp;
  const FloatFormat f = format_of(type);
  int exponent = f.min_exponent();
  if (x != 0 && !detail::is_inf_scalar(x) && !detail::is_nan_scalar(x)) {
    int e = 0;
    (void)frexp(x, &e);
    exponent = std::max(e - 1, f.min_exponent());
  } else if (detail::is_inf_scalar(x)) {
    exponent = f.max_exponent();
  }
  exponent = std::min(exponent, f.max_exponent());
  return ldexp(S(1), exponent - f.mantissa_bits);
}

// 2^(max_exponent + 1): the value an infinity stands for when it is measured (one ulp past the largest finite).
inline double overflow_value(DType type) {
  const FloatFormat f = format_of(type);
  return std::ldexp(1.0, f.max_exponent() + 1);
}

// |decoded(bits) - exact| in ulps of the dtype at the exact value. A correctly rounded result is <= 0.5.
// NaN never matches: a NaN output, or a NaN exact value (a NaN in the input), is +infinity, so it fails
// every bound. An infinite output of the exact value's sign is measured as the value 2^(emax+1), the first
// value past the largest finite, in ulps of the top binade; exact values beyond it count as 0. So the
// correctly rounded infinity (|exact| >= max + ulp/2) is within 0.5, and an infinity for a smaller exact value
// is further (1 ulp for exact = max). An infinity of the other sign, or a finite output for an infinite
// exact value, is +infinity; matching infinities give 0.
template <class S>
double ulp_error(const S& exact, std::uint32_t bits, DType type) {
  constexpr double kNever = std::numeric_limits<double>::infinity();
  const double got = decode_bits(bits, type);
  if (std::isnan(got) || detail::is_nan_scalar(exact)) return kNever;
  if (detail::is_inf_scalar(exact)) return std::isinf(got) && (got < 0) == detail::sign_of(exact) ? 0.0 : kNever;
  if (std::isinf(got)) {
    if ((got < 0) != detail::sign_of(exact) || exact == 0) return kNever;
    const S magnitude = detail::sign_of(exact) ? S(-exact) : exact;
    const S past = S(overflow_value(type)) - magnitude;
    if (past <= 0) return 0.0;
    return to_double(S(past / ulp_of(S(overflow_value(type) / 2), type)));
  }
  S diff = S(got) - exact;
  if (diff < 0) diff = -diff;
  return to_double(S(diff / ulp_of(exact, type)));
}

}  // namespace mmrope
