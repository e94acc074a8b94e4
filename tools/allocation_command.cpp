// `mmrope allocation`: which axis each rotary pair (or, for multi-head RoPE, each query head) of a preset reads.
#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "reference/frequency/preset_rotary.hpp"
#include "subcommands.hpp"

namespace mmrope::cli {
namespace {

struct AllocationOptions {
  std::string preset;
  std::optional<int> rotary_dim;
  std::optional<std::string> heads;
  std::optional<std::string> sections;
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
  sub->add_option("--rotary-dim", opts->rotary_dim, "Rotary dim d (default: the preset's)");
  sub->add_option("--heads", opts->heads, "Query and KV heads as HQ:HKV, for multi-head (default: one query head per KV head)");
  sub->add_option("--sections", opts->sections, "Sections t,h,w overriding the preset's (pairs, or KV heads for multi-head)");
  sub->add_flag("--map-only", opts->map_only, "Print only the map");
  return {sub, [opts](std::ostream& out) {
            const Preset& preset = find_preset(opts->preset);
            RotaryOverrides o;
            o.rotary_dim = opts->rotary_dim;
            o.sections = opts->sections;
            if (opts->heads) o.heads = parse_heads(*opts->heads);
            const RotarySpec spec = rotary_spec_for(preset.frequency, o);
            const Allocation& a = spec.allocation;
            if (opts->map_only) {
              out << a.map() << "\n";
              return 0;
            }
            const std::string sections = o.sections.value_or(preset.frequency.sections);
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
