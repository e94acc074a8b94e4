// --hf-inputs INPUTS.npz --hf-config config.json [--transformers VERSION]: positions from what the model saw.
#pragma once

#include <optional>
#include <string>

#include "npz.hpp"
#include "reference/hf/rope_index.hpp"

namespace CLI { class App; }

namespace mmrope::cli {

struct HfInputOptions {
  std::string inputs_path;  // INPUTS.npz as numpy.savez writes get_rope_index's keyword inputs
  std::string config_path;  // the model's config.json
  std::optional<std::string> transformers;  // the release whose rules apply
  // In memory instead of the files (the Python module): the paths then only name them in messages.
  std::optional<npz::Archive> inputs;
  std::optional<std::string> config_json;

  void add_to(CLI::App& app);
  bool given() const { return !inputs_path.empty() || !config_path.empty(); }
};

// Everything read and derived, and which rules were applied and why.
struct HfPositions {
  hf::ModelConfig config;
  hf::VersionRules rules;
  std::string version;        // the release the rules are for
  std::string version_source; // "--transformers", "config.json transformers_version" or "newest known"
  hf::RopeIndex index;
  std::string summary() const;  // one line: the family, the version, the preset and the padding convention
};

// The keys read from INPUTS.npz; others (pixel_values, ...) are left unread.
inline constexpr std::string_view kHfInputKeys[] = {"input_ids", "attention_mask", "image_grid_thw", "video_grid_thw",
                                                     "second_per_grid_ts", "mm_token_type_ids"};

// Reads and checks both files and computes the positions; throws mmrope::Error naming the file, key, row or token.
HfPositions load_hf_positions(const HfInputOptions& options);

}  // namespace mmrope::cli
