// The options every subcommand uses to pick a position design: --preset or --design, and overrides.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reference/presets/presets.hpp"

namespace CLI { class App; }

namespace mmrope::cli {

struct DesignOptions {
  std::string preset;
  std::string design;
  std::vector<std::string> params;  // KEY=VALUE
  std::optional<std::string> merge_size, temporal_stride, tokens_per_second, seconds_per_grid;

  // Adds --preset, --design, --param and the named shortcuts to a subcommand.
  void add_to(CLI::App& app);
  // The chosen design with preset values and overrides applied; throws mmrope::Error.
  std::unique_ptr<PositionDesign> build() const;
  // "qwen2-vl" or "design mrope": what the output says it used.
  std::string label() const;
};

}  // namespace mmrope::cli
