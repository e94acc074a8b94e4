// Rotary overrides: --rope-theta, --allocation, --sections, --pairing, --head-dim, --rotary-dim, --heads.
#include "rotary_options.hpp"

#include <CLI/CLI.hpp>

#include "reference/exact.hpp"
#include "reference/frequency/allocation_registry.hpp"

namespace mmrope::cli {

void RotaryOptions::add_to(CLI::App& app, bool with_head_dim) {
  app.add_option("--rope-theta", rope_theta, "Override rope_theta, the rotary base (an exact decimal, e.g. 1000000)");
  std::vector<std::string> names;
  for (const auto& a : allocation_registry()) names.emplace_back(a.name);
  app.add_option("--allocation", allocation, "Override the frequency allocation (interleaved for Qwen3-VL's mrope_interleaved)")
      ->check(CLI::IsMember(names));
  app.add_option("--sections", sections, "Override the sections t,h,w (pairs per axis; KV heads per axis for multi-head)");
  app.add_option("--pairing", pairing, "Override the pairing: neox (rotate_half: c, c + d/2) or gptj (2i, 2i + 1)")
      ->check(CLI::IsMember({"neox", "gptj"}));
  if (with_head_dim) app.add_option("--head-dim", head_dim, "Override head_dim")->check(CLI::Range(2, 1 << 16));
  app.add_option("--rotary-dim", rotary_dim, "Rotary dim d (default: the preset's, at most the head_dim)");
  app.add_option("--heads", heads, "HQ:HKV, query and KV heads (multi-head RoPE maps whole heads to axes)");
}

FrequencySettings RotaryOptions::apply(FrequencySettings f) const {
  if (rope_theta) {
    const auto q = parse_rational(*rope_theta);
    if (!q || *q <= 1) throw Error("--rope-theta " + quoted_prefix(*rope_theta) + " must be a number greater than 1");
    f.rope_theta = format_rational(*q);
  }
  if (allocation) f.allocation = *allocation;
  if (sections) f.sections = *sections;
  if (head_dim) {
    f.head_dim = *head_dim;
    f.rotary_dim = std::min(f.rotary_dim, *head_dim);
  }
  return f;
}

RotaryOverrides RotaryOptions::overrides() const {
  RotaryOverrides o;
  o.rotary_dim = rotary_dim;
  o.sections = sections;
  if (heads) o.heads = parse_heads(*heads);
  if (pairing) o.pairing = parse_pairing(*pairing);
  return o;
}

}  // namespace mmrope::cli
