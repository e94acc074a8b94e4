// What a Hugging Face Qwen-VL config.json says about positions and rotary settings, read into plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "../error.hpp"
#include "../exact.hpp"
#include "../presets/presets.hpp"

namespace mmrope::hf {

// The model families whose get_rope_index mmrope reproduces from real inputs.
enum class ModelFamily { qwen2_vl, qwen2_5_vl, qwen3_vl };

inline std::string_view to_string(ModelFamily f) {
  switch (f) {
    case ModelFamily::qwen2_vl: return "qwen2-vl";
    case ModelFamily::qwen2_5_vl: return "qwen2.5-vl";
    case ModelFamily::qwen3_vl: return "qwen3-vl";
  }
  return "?";
}

// config.json's model_type: "qwen2_vl", "qwen2_5_vl", "qwen3_vl" or "qwen3_vl_moe" (the MoE variant shares
// Qwen3-VL's get_rope_index). Anything else is an error that lists them.
inline ModelFamily family_of_model_type(std::string_view model_type) {
  if (model_type == "qwen2_vl") return ModelFamily::qwen2_vl;
  if (model_type == "qwen2_5_vl") return ModelFamily::qwen2_5_vl;
  if (model_type == "qwen3_vl" || model_type == "qwen3_vl_moe") return ModelFamily::qwen3_vl;
  throw Error("model_type " + quoted_prefix(model_type) +
              " is not a model whose positions mmrope derives from inputs (known: qwen2_vl, qwen2_5_vl, qwen3_vl, qwen3_vl_moe)");
}

// The special tokens that mark visual items in input_ids.
struct TokenIds {
  std::int64_t image = 151655;         // <|image_pad|>
  std::int64_t video = 151656;         // <|video_pad|>
  std::int64_t vision_start = 151652;  // <|vision_start|>
  std::int64_t vision_end = 151653;    // <|vision_end|>
};

// Every value get_rope_index and the rotary embedding read, with the configuration classes' defaults where
// a config leaves a key out (what transformers itself would use then).
struct ModelConfig {
  ModelFamily family = ModelFamily::qwen2_vl;
  std::string model_type;
  TokenIds tokens;
  std::optional<std::int64_t> vocab_size;       // ids must lie in [0, vocab_size) when it is known
  std::int64_t spatial_merge_size = 2;          // vision_config.spatial_merge_size
  Rational tokens_per_second{4};                // vision_config.tokens_per_second (Qwen2.5-VL; class default 4)
  FrequencySettings frequency;                  // rope_theta, head_dim, rotary_dim, allocation, sections
  std::optional<std::string> transformers_version;  // the version that saved the file, when it says
};

}  // namespace mmrope::hf
