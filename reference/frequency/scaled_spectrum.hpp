// The spectrum of a rotary dim under any scaling kind: dispatches to the one file per kind.
#pragma once

#include "scaling_linear.hpp"
#include "scaling_llama3.hpp"
#include "scaling_ntk.hpp"
#include "scaling_yarn.hpp"

namespace mmrope {

template <class S>
ScaledSpectrum<S> scaled_spectrum(const S& base, int rotary_dim, const RopeScaling& s) {
  switch (s.kind) {
    case ScalingKind::none: return {inverse_frequencies(base, rotary_dim), S(1)};
    case ScalingKind::linear: return linear_scaled_spectrum(base, rotary_dim, s);
    case ScalingKind::ntk: return ntk_scaled_spectrum(base, rotary_dim, s);
    case ScalingKind::dynamic_ntk: return dynamic_ntk_scaled_spectrum(base, rotary_dim, s);
    case ScalingKind::yarn: return yarn_scaled_spectrum(base, rotary_dim, s);
    case ScalingKind::llama3: return llama3_scaled_spectrum(base, rotary_dim, s);
  }
  throw Error("unknown scaling kind");
}

}  // namespace mmrope
