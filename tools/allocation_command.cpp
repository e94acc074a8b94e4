// `mmrope allocation`: which axis each rotary pair (or, for multi-head RoPE, each query head) of a preset reads.
#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "rotary_options.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "subcommands.hpp"

namespace mmrope::cli {
namespace {

struct AllocationOptions {
  std::string preset;
  RotaryOptions rotary;
  bool map_only = false;
};

}  // namespace

Command add_allocation_command(CLI::App& app) {
  auto opts = std::make_shared<AllocationOptions>();
  CLI::App* sub = app.add_subcommand("allocation", "Print which axis each rotary pair of a preset reads");
  sub->footer(
      "The map has one letter per rotary pair, pair 0 (highest frequency) first: t, h, w, or - for a pair that\n"
      "does not rotate. For multi-head RoPE it has one letter per query head instead (each head rotates all\n"
      "pairs by one axis). Pair j rotates channels j and j + d/2 (neox pairing).\n"
      "Example: mmrope allocation --preset qwen3-vl --rotary-dim 64 --sections 11,11,10");
  sub->add_option("--preset", opts->preset, "The preset")->required();
  opts->rotary.add_to(*sub, /*with_head_dim=*/true);
  sub->add_flag("--map-only", opts->map_only, "Print only the map");
  return {sub, [opts](std::ostream& out) {
            const Preset& preset = find_preset(opts->preset);
            const FrequencySettings f = opts->rotary.apply(preset.frequency);
            const RotarySpec spec = rotary_spec_for(f, opts->rotary.overrides());
            const Allocation& a = spec.allocation;
            if (opts->map_only) {
              out << a.map() << "\n";
              return 0;
            }
            const std::string& sections = f.sections;
            out << "preset: " << preset.name << "\n";
            out << "allocation: " << a.name() << (sections.empty() ? "" : " [" + sections + "]") << "\n";
            out << "rotary_dim: " << spec.rotary_dim << " of head_dim " << spec.head_dim << " (" << spec.pairs()
                << " pairs, pairing " << to_string(spec.pairing) << ")\n";
            if (a.per_head())
              out << "heads: " << a.heads().query << " query, " << a.heads().kv << " KV (map: one letter per query head)\n";
            out << "map: " << a.map() << "\n";
            const auto c = a.counts();
            out << "counts: t " << c[0] << ", h " << c[1] << ", w " << c[2] << ", none " << c[3] << "\n";
            return 0;
          }};
}

}  // namespace mmrope::cli
