// Which design parameters of a preset the layout laws vary, and over what domain: one description for generators and fuzzers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reference/presets/presets.hpp"

namespace mmrope::domain {

// A parameter the laws draw at random for one preset, with the bounds its declaration and its design give.
struct VariedParam {
  ParamSpec spec;
  // Integers: the largest value the design accepts, where the design caps it (v2pe, qwen3-vl); else the cap below.
  std::int64_t max_integer = 0;
};

// Magnitudes the generators stay under. The declarations have no upper bound, but a position must fit int64
// (the design throws past it) and one case must stay cheap: 2^20 times the largest grid index stays far inside.
inline constexpr std::int64_t kMaxMagnitude = std::int64_t{1} << 20;
// merge_size multiplies the ViT grid only (the LLM grid is what the layout generators draw), so any size is
// cheap; 2^16 keeps grid * merge far inside int64.
inline constexpr std::int64_t kMaxMergeSize = std::int64_t{1} << 16;

// Caps some designs check in their constructors, past the declared bound (reference/designs/*.hpp).
inline std::int64_t design_integer_cap(const std::string& param) {
  if (param == "visual_step_log2") return 62;                                     // v2pe: 2^-k with k <= 62
  if (param == "frame_prefix_tokens" || param == "frame_suffix_tokens") return 1024;  // qwen3-vl: kMaxFrameText
  if (param == "merge_size") return kMaxMergeSize;
  return kMaxMagnitude;
}

// True when some preset sets this choice: it tells presets apart (next_rule, time_rule, rule, text_spatial),
// so the claims, keyed by preset name, depend on it and it keeps the preset's value.
inline bool preset_defining_choice(const std::string& param) {
  for (const auto& p : presets())
    for (const auto& [key, value] : p.params)
      if (key == param) return true;
  return false;
}

// Every numeric parameter the preset's design declares, and every choice that no preset sets (CircleRoPE's
// methods, RoPE-Tie's spacing): the laws must hold for each value a preset accepts, not only the preset's own.
inline std::vector<VariedParam> varied_params(const Preset& preset) {
  std::vector<VariedParam> out;
  for (const ParamSpec& s : find_design(preset.design).param_specs()) {
    if (s.kind == ParamKind::choice && preset_defining_choice(s.name)) continue;
    out.push_back({s, s.kind == ParamKind::integer ? design_integer_cap(s.name) : kMaxMagnitude});
  }
  return out;
}

// The smallest integer the declaration accepts.
inline std::int64_t min_integer(const ParamSpec& s) {
  using B = ParamSpec::Bound;
  return s.bound == B::at_least_one || s.bound == B::positive ? 1 : s.bound == B::non_negative ? 0 : -kMaxMagnitude;
}

// HoPE reads one temporal scale per visual block when it is given a list; a list shorter than the blocks is an
// error, so lists have one value or at least kScaleListLength (more blocks than any generated layout has).
inline constexpr std::size_t kScaleListLength = 8;

// The value of a parameter in the overrides, or the preset's, or the design's default.
inline std::string value_of(const Preset& preset, const std::vector<std::pair<std::string, std::string>>& overrides,
                            const std::string& param) {
  for (auto it = overrides.rbegin(); it != overrides.rend(); ++it)
    if (it->first == param) return it->second;
  for (const auto& [key, value] : preset.params)
    if (key == param) return value;
  for (const ParamSpec& s : find_design(preset.design).param_specs())
    if (s.name == param) return s.default_value;
  return {};
}

// A layout as the command line writes it ("text:3 image:1x4x4 video:2x4x4@1/2").
inline std::string layout_text(const Sequence& s) {
  std::string out;
  for (const auto& seg : s.segments) out += (out.empty() ? "" : " ") + describe(seg);
  return out;
}

// A command line that reproduces a case: mmrope positions --preset X --param k=v ... --layout "...".
inline std::string command_line(const std::string& preset, const std::vector<std::pair<std::string, std::string>>& params,
                                const std::string& layout) {
  std::string s = "mmrope positions --preset " + preset;
  for (const auto& [key, value] : params) s += " --param " + key + "=" + value;
  return s + " --layout \"" + layout + "\"";
}

}  // namespace mmrope::domain
