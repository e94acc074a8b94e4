// Linear position interpolation: every inverse frequency divided by the factor (positions squeezed by it).
#pragma once

#include "inverse_frequency.hpp"
#include "scaling.hpp"

namespace mmrope {

// transformers _compute_linear_scaling_rope_parameters: inv_freq /= factor (equivalent to positions / factor).
template <class S>
ScaledSpectrum<S> linear_scaled_spectrum(const S& base, int rotary_dim, const RopeScaling& s) {
  const S factor = rational_to_scalar<S>(s.factor);
  if (!(factor > 0)) throw Error("linear scaling factor must be positive");
  ScaledSpectrum<S> out{inverse_frequencies(base, rotary_dim), S(1)};
  for (S& theta : out.inverse_frequencies) theta /= factor;
  return out;
}

}  // namespace mmrope
