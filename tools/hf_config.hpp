// A Hugging Face config.json (untrusted) read into hf::ModelConfig: 4.x and 5.x layouts, every value checked.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "reference/hf/model_config.hpp"

namespace mmrope::cli {

// Limits checked before parsing: a config is a few kilobytes; nesting past this depth is not a config.
inline constexpr std::uintmax_t kMaxConfigBytes = std::uintmax_t{16} << 20;
inline constexpr int kMaxConfigDepth = 32;

// Reads the keys get_rope_index and the rotary embedding use, wherever the 4.x (flat, rope_scaling) or 5.x
// (text_config, rope_parameters) layout puts them; a key given in two places with two values is an error.
// Keys a config leaves out take the configuration class's default. Every problem throws mmrope::Error
// naming `source` and the key.
hf::ModelConfig parse_hf_config(std::string_view json_text, std::string_view source);
hf::ModelConfig read_hf_config(const std::filesystem::path& path);

}  // namespace mmrope::cli
