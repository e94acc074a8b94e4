// YaRN: per-pair blend of interpolated and original frequencies along a ramp set by beta_fast/beta_slow, plus the attention factor.
#pragma once

#include <algorithm>
#include <cmath>

#include "inverse_frequency.hpp"
#include "scaling.hpp"

namespace mmrope {

namespace detail {

// The (fractional) pair index whose wavelength fits `rotations` times in the original context:
// theta_j * L / (2 pi) = rotations  <=>  j = d ln(L / (2 pi rotations)) / (2 ln base).
template <class S>
S yarn_correction_pair(const S& rotations, int rotary_dim, const S& base, std::int64_t context) {
  using std::log;
  return S(rotary_dim) * log(S(context) / (rotations * 2 * pi_of<S>())) / (2 * log(base));
}

// get_mscale in transformers: 1 for factor <= 1, else 0.1 * m * ln(factor) + 1.
template <class S>
S yarn_mscale(const S& factor, const S& m) {
  using std::log;
  return factor <= 1 ? S(1) : S(m * log(factor) / 10 + 1);  // /10, not * 0.1: 0.1 is not a binary number
}

}  // namespace detail

// transformers _compute_yarn_parameters (and the YaRN paper, arXiv 2309.00071 sec. 3.2-3.4):
//   low = floor(j(beta_fast)), high = ceil(j(beta_slow)) (no rounding when truncate is off),
//   clamped to [0, d - 1] (d - 1, not d/2 - 1, as transformers writes it); high == low gets high += 0.001;
//   ramp_j = clamp((j - low) / (high - low), 0, 1) over pairs j = 0 .. d/2 - 1;
//   inv_freq_j = theta_j * ((1 - ramp_j) + ramp_j / factor)   (high frequencies kept, low ones interpolated);
//   attention factor = given, else mscale ratio if both given, else 0.1 ln(factor) + 1 (1 for factor <= 1).
// 0.1 and 0.001 are the decimal constants of the source, taken as exact decimals here.
template <class S>
ScaledSpectrum<S> yarn_scaled_spectrum(const S& base, int rotary_dim, const RopeScaling& s) {
  using std::ceil;
  using std::floor;
  check_rotary_dim(rotary_dim);
  if (s.original_context <= 0) throw Error("YaRN needs the original context length");
  const S factor = rational_to_scalar<S>(s.factor);
  if (!(factor > 0)) throw Error("YaRN factor must be positive");
  S low = detail::yarn_correction_pair(rational_to_scalar<S>(s.beta_fast), rotary_dim, base, s.original_context);
  S high = detail::yarn_correction_pair(rational_to_scalar<S>(s.beta_slow), rotary_dim, base, s.original_context);
  if (s.truncate) {
    low = floor(low);
    high = ceil(high);
  }
  if (low < 0) low = 0;
  if (high > S(rotary_dim - 1)) high = S(rotary_dim - 1);
  if (high == low) high += S(1) / 1000;  // "prevent singularity"
  ScaledSpectrum<S> out;
  out.inverse_frequencies = inverse_frequencies(base, rotary_dim);
  for (int j = 0; j < rotary_dim / 2; ++j) {
    S ramp = (S(j) - low) / (high - low);
    if (ramp < 0) ramp = 0;
    if (ramp > 1) ramp = 1;
    S& theta = out.inverse_frequencies[j];
    theta = theta * (1 - ramp) + theta / factor * ramp;
  }
  if (s.attention_factor) {
    out.attention_factor = rational_to_scalar<S>(*s.attention_factor);
  } else if (s.mscale && s.mscale_all_dim && *s.mscale != 0 && *s.mscale_all_dim != 0) {
    out.attention_factor = detail::yarn_mscale(factor, rational_to_scalar<S>(*s.mscale)) /
                           detail::yarn_mscale(factor, rational_to_scalar<S>(*s.mscale_all_dim));
  } else {
    out.attention_factor = detail::yarn_mscale(factor, S(1));
  }
  return out;
}

}  // namespace mmrope
