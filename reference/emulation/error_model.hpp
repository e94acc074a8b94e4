// The error models of a convention's emulation: how far a platform's pow, cos and sin may be from the exact value.
#pragma once

#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <string_view>
#include <vector>

#include "../error.hpp"
#include "../registry.hpp"
#include "../rounding.hpp"

namespace mmrope {

// How far one fp32 function may be from its exact value v: |f - v| <= ulps * ulp(v) + absolute, and past
// |x| > pi (the argument of cos/sin) + absolute_growth * |x| more. All zero: correctly rounded, exactly.
struct FunctionBound {
  double ulps = 0;
  double absolute = 0;
  double absolute_growth = 0;
  bool exact() const { return ulps == 0 && absolute == 0 && absolute_growth == 0; }
};

// A named model of the platform a convention's arithmetic runs on (docs/layout-rules.md, "Error models").
struct ErrorModel {
  std::string_view name;
  std::string_view summary;
  FunctionBound pow, cos, sin;
  // __powf: exp2(y * log2(x)) with its own derived bound (fast_math_pow_relative_error) instead of `pow`.
  bool fast_math_pow = false;
  // The rotation's a*c - b*s may be fused into one FMA on either product (nvcc contracts by default,
  // -fmad=true; gcc -ffp-contract=fast with FMA hardware), so each fused form is accepted too.
  bool contraction = false;
};

// Sources of the figures (each re-derived in docs/layout-rules.md):
//   torch CPU: ATen's vectorised sin, cos and pow are SLEEF's u10 functions (max 1.0 ulp); the scalar tail and
//     non-SLEEF builds use glibc (powf, sinf, cosf: 1 ulp in its test-suite maxima) or MKL VML HA (1 ulp).
//   CUDA libdevice (CUDA C Programming Guide, "Mathematical Functions", single precision): powf 4 ulp,
//     sinf, cosf, sincosf 2 ulp; division and reciprocal correctly rounded under -prec-div=true (the default).
//   CUDA intrinsics (same guide, "Intrinsic Functions"): __sinf 2^-21.41 and __cosf 2^-21.19 absolute on
//     [-pi, pi], "larger otherwise": modelled as |x| 2^-23 more past pi (the argument is scaled by an fp32
//     1/(2 pi) before the hardware's turn-based sine: two roundings of 2^-24 relative each).
inline const std::vector<ErrorModel>& error_model_registry() {
  static const std::vector<ErrorModel> all = {
      {"correctly-rounded", "pow, cos and sin correctly rounded; no fused multiply-add (bit for bit)", {}, {}, {}, false, false},
      {"torch-cpu", "pow, cos, sin within 1 ulp (SLEEF u10, glibc, MKL HA); no fusion (separate ATen ops)",
       {1, 0, 0}, {1, 0, 0}, {1, 0, 0}, false, false},
      {"cuda-libdevice", "powf within 4 ulp, cosf and sinf within 2 ulp; products may fuse into FMA",
       {4, 0, 0}, {2, 0, 0}, {2, 0, 0}, false, true},
      {"common", "torch-cpu and cuda-libdevice together: pow 4 ulp, cos and sin 2 ulp, FMA allowed (the default)",
       {4, 0, 0}, {2, 0, 0}, {2, 0, 0}, false, true},
      {"cuda-fast-math", "__powf (exp2(y log2 x)), __cosf 2^-21.19 and __sinf 2^-21.41 absolute on [-pi, pi], more past it; FMA",
       {}, {0, std::exp2(-21.19), 0x1p-23}, {0, std::exp2(-21.41), 0x1p-23}, true, true},
  };
  return all;
}

inline const ErrorModel& find_error_model(std::string_view name) {
  return find_named(error_model_registry(), name, "error model");
}

// __powf(x, y)'s relative error, derived (NVIDIA documents none): __log2f within 2 ulp (outside [0.5, 2]) or
// 2^-22 absolute (inside), the product y * log2(x) rounded once (2^-24 relative), and exp2 of it taken within
// 2^-21 relative (MUFU.EX2; an assumption, as __exp2f has no documented bound). An error e in the exponent
// is a relative error of about ln(2) e in the result.
inline double fast_math_pow_relative_error(double x, double y) {
  const double log2x = std::log2(x);
  const double log_error = (x >= 0.5 && x <= 2) ? 0x1p-22 : 2 * 0x1p-23 * std::fabs(log2x);
  const double exponent = std::fabs(y * log2x);
  const double exponent_error = std::fabs(y) * log_error + exponent * 0x1p-24;
  return std::numbers::ln2 * exponent_error * (1 + 0x1p-10) + 0x1p-21;
}

namespace detail {

// The fp32 value next to v (v an fp32 value, as a double) in a direction.
inline double fp32_step(double v, bool up) {
  return static_cast<double>(std::nextafter(static_cast<float>(v), up ? std::numeric_limits<float>::infinity()
                                                                      : -std::numeric_limits<float>::infinity()));
}

}  // namespace detail

// The smallest fp32 value >= v, and the largest <= v (v finite and within fp32's range).
template <class S>
double fp32_at_or_above(const S& v) {
  const double r = decode_bits(round_to_fp32(v), DType::fp32);
  return S(r) < v ? detail::fp32_step(r, true) : r;
}
template <class S>
double fp32_at_or_below(const S& v) {
  const double r = decode_bits(round_to_fp32(v), DType::fp32);
  return S(r) > v ? detail::fp32_step(r, false) : r;
}

// The fp32 values a function within `bound` can return for exact values in [low, high] (low <= high), with
// argument magnitude `argument` (for the growth past pi), as [first, last].
template <class S>
std::pair<double, double> fp32_results(const S& low, const S& high, const FunctionBound& bound, double argument = 0) {
  if (bound.exact()) return {decode_bits(round_to_fp32(low), DType::fp32), decode_bits(round_to_fp32(high), DType::fp32)};
  const double absolute = bound.absolute + (argument > std::numbers::pi ? bound.absolute_growth * argument : 0.0);
  const S below = S(low - S(bound.ulps) * ulp_of(low, DType::fp32) - S(absolute));
  const S above = S(high + S(bound.ulps) * ulp_of(high, DType::fp32) + S(absolute));
  return {fp32_at_or_above(below), fp32_at_or_below(above)};
}

}  // namespace mmrope
