// Builds the position design a subcommand's --preset / --design / --param options ask for.
#include "design_options.hpp"

#include <CLI/CLI.hpp>

namespace mmrope::cli {

void DesignOptions::add_to(CLI::App& app) {
  app.add_option("--preset", preset, "Named model preset (see `mmrope presets`), e.g. qwen2-vl, qwen2.5-vl, qwen3-vl");
  app.add_option("--design", design, "A position design by name instead of a preset (its defaults apply)");
  app.add_option("--param", params,
                 "Set a design parameter, KEY=VALUE; repeatable (see `mmrope presets --preset NAME` for the keys)");
  app.add_option("--merge-size", merge_size, "Override merge_size: ViT patches per LLM token along h and w");
  app.add_option("--temporal-stride", temporal_stride, "Override temporal_stride (designs that have it)");
  app.add_option("--tokens-per-second", tokens_per_second, "Override tokens_per_second (mrope-absolute-time)");
  app.add_option("--seconds-per-grid", seconds_per_grid,
                 "Override seconds_per_grid, the default for videos without @SECONDS (mrope-absolute-time)");
}

std::unique_ptr<PositionDesign> DesignOptions::build() const {
  if (preset.empty() == design.empty()) throw Error("give exactly one of --preset NAME or --design NAME");
  std::vector<std::pair<std::string, std::string>> overrides;
  auto add = [&](const char* key, const std::optional<std::string>& v) {
    if (v) overrides.emplace_back(key, *v);
  };
  add("merge_size", merge_size);
  add("temporal_stride", temporal_stride);
  add("tokens_per_second", tokens_per_second);
  add("seconds_per_grid", seconds_per_grid);
  for (const auto& kv : params) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw Error("--param " + quoted_prefix(kv) + " is not KEY=VALUE");
    overrides.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  if (!preset.empty()) return make_preset_design(find_preset(preset), overrides);
  return make_design(design, overrides);
}

std::string DesignOptions::label() const { return preset.empty() ? "design " + design : preset; }

}  // namespace mmrope::cli
