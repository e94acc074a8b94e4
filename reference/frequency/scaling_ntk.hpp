// NTK-aware base scaling, static (base * factor^(d/(d-2))) and dynamic (grows with the sequence past the trained context).
#pragma once

#include <algorithm>

#include "inverse_frequency.hpp"
#include "scaling.hpp"

namespace mmrope {

// Static NTK-aware (transformers "ntk" rope type, removed in later versions): base' = base * factor^(d/(d-2)),
// which keeps the highest frequency and divides the lowest by exactly the factor.
template <class S>
ScaledSpectrum<S> ntk_scaled_spectrum(const S& base, int rotary_dim, const RopeScaling& s) {
  using std::pow;
  check_rotary_dim(rotary_dim);
  if (rotary_dim < 4) throw Error("NTK scaling needs a rotary dim of at least 4");
  const S factor = rational_to_scalar<S>(s.factor);
  const S scaled_base = base * pow(factor, S(rotary_dim) / S(rotary_dim - 2));
  return {inverse_frequencies(scaled_base, rotary_dim), S(1)};
}

// Dynamic NTK (transformers _compute_dynamic_ntk_parameters): L = max(sequence_length, original_context),
// base' = base * (factor * L / original_context - (factor - 1))^(d/(d-2)); L <= original_context leaves base.
template <class S>
ScaledSpectrum<S> dynamic_ntk_scaled_spectrum(const S& base, int rotary_dim, const RopeScaling& s) {
  using std::pow;
  check_rotary_dim(rotary_dim);
  if (rotary_dim < 4) throw Error("NTK scaling needs a rotary dim of at least 4");
  if (s.original_context <= 0) throw Error("dynamic NTK needs the original context length");
  const std::int64_t length = std::max(s.sequence_length, s.original_context);
  // The growth term is an exact rational; only the power is rounded.
  const Rational growth = s.factor * Rational(length) / Rational(s.original_context) - (s.factor - 1);
  const S scaled_base = base * pow(rational_to_scalar<S>(growth), S(rotary_dim) / S(rotary_dim - 2));
  return {inverse_frequencies(scaled_base, rotary_dim), S(1)};
}

}  // namespace mmrope
