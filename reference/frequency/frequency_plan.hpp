// The frequency plan of a rotary spec in a scalar: per pair its axis (via the allocation) and its scaled inverse frequency.
#pragma once

#include <vector>

#include "rotary_spec.hpp"
#include "scaled_spectrum.hpp"

namespace mmrope {

template <class S>
struct FrequencyPlan {
  RotarySpec spec;
  std::vector<S> inverse_frequencies;  // per pair, after scaling
  S attention_factor{1};               // multiplies cos and sin (YaRN); 1 otherwise
};

// Computes the spectrum once; the rotation reads it per (pair, axis position).
template <class S>
FrequencyPlan<S> make_frequency_plan(const RotarySpec& spec) {
  check_rotary_spec(spec);
  const S base = parse_scalar<S>(spec.base, "rope base");
  ScaledSpectrum<S> sp = scaled_spectrum(base, spec.rotary_dim, spec.scaling);
  return {spec, std::move(sp.inverse_frequencies), std::move(sp.attention_factor)};
}

}  // namespace mmrope
