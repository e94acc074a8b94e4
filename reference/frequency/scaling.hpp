// Context-extension scaling of the spectrum: the parameters of each kind, and the scaled spectrum with its attention factor.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../exact.hpp"
#include "../scalar.hpp"

namespace mmrope {

enum class ScalingKind { none, linear, ntk, dynamic_ntk, yarn, llama3 };

inline std::string_view to_string(ScalingKind k) {
  switch (k) {
    case ScalingKind::none: return "none";
    case ScalingKind::linear: return "linear";
    case ScalingKind::ntk: return "ntk";
    case ScalingKind::dynamic_ntk: return "dynamic";
    case ScalingKind::yarn: return "yarn";
    case ScalingKind::llama3: return "llama3";
  }
  return "?";
}

// Parameters are exact rationals (configs write them as decimals); names follow transformers' rope_scaling keys.
struct RopeScaling {
  ScalingKind kind = ScalingKind::none;
  Rational factor{1};
  // The context the model was trained for: max_position_embeddings (dynamic NTK, YaRN in transformers < 4.5x)
  // or original_max_position_embeddings (llama3, YaRN in later transformers): the caller passes the one meant.
  std::int64_t original_context = 0;
  std::int64_t sequence_length = 0;  // dynamic NTK: the current length (clamped below to original_context)
  // YaRN
  Rational beta_fast{32};
  Rational beta_slow{1};
  std::optional<Rational> attention_factor;  // default 0.1 ln(factor) + 1 (or the mscale ratio below)
  std::optional<Rational> mscale, mscale_all_dim;  // DeepSeek-style attention factor get_mscale(f,m)/get_mscale(f,m_all)
  bool truncate = true;                            // floor/ceil the correction range (transformers default)
  // llama3
  Rational low_freq_factor{1};
  Rational high_freq_factor{4};
};

// The spectrum after scaling, pair 0 first, and the factor transformers multiplies cos and sin by.
template <class S>
struct ScaledSpectrum {
  std::vector<S> inverse_frequencies;
  S attention_factor{1};
};

}  // namespace mmrope
