// `mmrope presets`: the named presets and designs, with every parameter, its value and its meaning.
#include <CLI/CLI.hpp>

#include <ostream>

#include "reference/hf/transformers_versions.hpp"
#include "reference/presets/presets.hpp"
#include "subcommands.hpp"

namespace mmrope::cli {
namespace {

void print_params(std::ostream& out, const PositionDesign& design) {
  for (const auto& spec : design.params().specs())
    out << "    " << spec.name << " = " << design.params().text(spec.name) << "    # " << spec.help << "\n";
}

}  // namespace

// Which transformers releases compute exactly this preset's positions (Qwen presets only).
void print_transformers_ranges(std::ostream& out, const Preset& p, const char* indent) {
  if (p.design != "mrope" && p.design != "mrope-absolute-time" && p.design != "qwen3-vl") return;
  const std::string ranges = hf::ranges_of_preset(p.name);
  out << indent << "transformers: " << (ranges.empty() ? "no release computes exactly these positions" : ranges) << "\n";
}

Command add_presets_command(CLI::App& app) {
  auto name = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("presets", "List the presets and designs, or show one preset's parameters");
  sub->add_option("--preset", *name, "Show this preset: its design, every parameter and the rotary settings");
  return {sub, [name](std::ostream& out) {
            if (!name->empty()) {
              const Preset& p = find_preset(*name);
              const auto design = make_preset_design(p);
              out << p.name << ": design " << p.design << "\n  " << p.source << "\n  position parameters:\n";
              print_params(out, *design);
              print_transformers_ranges(out, p, "  ");
              out << "  rotary: rope_theta " << p.frequency.rope_theta << ", head_dim " << p.frequency.head_dim
                  << ", rotary_dim " << p.frequency.rotary_dim << ", allocation " << p.frequency.allocation
                  << (p.frequency.sections.empty() ? "" : " [" + p.frequency.sections + "]") << "\n";
              return 0;
            }
            out << "presets:\n";
            for (const auto& p : presets()) {
              out << "  " << p.name << " (design " << p.design << "): " << p.source << "\n";
              print_transformers_ranges(out, p, "    ");
            }
            out << "designs:\n";
            for (const auto& d : design_registry()) {
              out << "  " << d.name << ": " << d.summary << "\n";
              for (const auto& spec : d.param_specs())
                out << "    " << spec.name << " = " << spec.default_value << "    # " << spec.help << "\n";
            }
            return 0;
          }};
}

}  // namespace mmrope::cli
