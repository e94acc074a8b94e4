// Llama-3.1 smooth scaling: high frequencies kept, low ones divided by the factor, a smooth blend between two wavelengths.
#pragma once

#include "inverse_frequency.hpp"
#include "scaling.hpp"

namespace mmrope {

// transformers _compute_llama3_parameters: with L = original_max_position_embeddings and wavelength 2 pi / theta,
//   wavelength < L / high_freq_factor  -> theta;
//   wavelength > L / low_freq_factor   -> theta / factor;
//   otherwise s = (L / wavelength - low_freq_factor) / (high_freq_factor - low_freq_factor),
//             theta' = (1 - s) theta / factor + s theta.
template <class S>
ScaledSpectrum<S> llama3_scaled_spectrum(const S& base, int rotary_dim, const RopeScaling& s) {
  if (s.original_context <= 0) throw Error("llama3 scaling needs original_max_position_embeddings");
  if (!(s.high_freq_factor > s.low_freq_factor)) throw Error("llama3 scaling needs high_freq_factor > low_freq_factor");
  const S factor = rational_to_scalar<S>(s.factor);
  const S low_ff = rational_to_scalar<S>(s.low_freq_factor);
  const S high_ff = rational_to_scalar<S>(s.high_freq_factor);
  const S context = S(s.original_context);
  const S low_freq_wavelength = context / low_ff;
  const S high_freq_wavelength = context / high_ff;
  ScaledSpectrum<S> out;
  out.inverse_frequencies = inverse_frequencies(base, rotary_dim);
  for (S& theta : out.inverse_frequencies) {
    const S wavelength = 2 * pi_of<S>() / theta;
    if (wavelength < high_freq_wavelength) continue;
    if (wavelength > low_freq_wavelength) {
      theta /= factor;
      continue;
    }
    const S smooth = (context / wavelength - low_ff) / (high_ff - low_ff);
    theta = (1 - smooth) * theta / factor + smooth * theta;
  }
  return out;
}

}  // namespace mmrope
