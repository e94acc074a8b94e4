// The kernels' accuracy contract per dtype, and the per-element bound it comes from (docs/error-model.md).
#pragma once

#include <cmath>

namespace mmrope::kernels {

// The contract: every output within this many ulps (of its dtype, at the exact value) of the exact result,
// at every position |p| < 2^31 (the analysis holds to 2^32), for fp32, fp16 and bf16 alike. The derivation
// gives 0.5 ulp (the final rounding) plus a double-precision term far below half an ulp -- unless the output
// cancels, which element_bound_ulps covers.
inline constexpr double kContractUlps = 1.0;

// Absolute error of the double-precision result before the final rounding, per unit of (|x0| + |x1|) times
// the attention factor: the phase (<= 1.5 * 2^-53 turns, times 2 pi), the quarter-turn polynomials
// (<= 2^-52), the attention-factor product and the rotation's two products: <= 15 * 2^-53, rounded up to
// 16 * 2^-53 = 2^-49. The rotation's final sum adds 2^-53 relative to the result, taken as 2^-52.
inline constexpr double kAbsoluteErrorPerInput = 0x1p-49;
inline constexpr double kRelativeErrorOfResult = 0x1p-52;

// The largest error, in ulps of the output at the exact value y, that the analysis allows one rotated
// output of the pair (x0, x1): 0.5 for the final rounding plus twice the double-precision error over the
// ulp (twice covers a result that rounds across a binade boundary). It is at most kContractUlps unless y
// cancels: |y| below 2^(m+3-49) (|x0| + |x1|), m the stored mantissa bits (2^-23 for fp32, 2^-39 for bf16).
inline double element_bound_ulps(double abs_x0_plus_abs_x1, double attention_factor, double exact_y, double ulp_of_y) {
  const double before_rounding =
      kAbsoluteErrorPerInput * abs_x0_plus_abs_x1 * std::fabs(attention_factor) + kRelativeErrorOfResult * std::fabs(exact_y);
  return 0.5 + 2 * before_rounding / ulp_of_y;
}

}  // namespace mmrope::kernels
