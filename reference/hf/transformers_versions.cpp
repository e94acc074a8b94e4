// The version table: each transformers range and the rules its get_rope_index applies, per model family.
#include "transformers_versions.hpp"

namespace mmrope::hf {
namespace {

constexpr Version v(int major, int minor, int patch) { return {major, minor, patch}; }
constexpr int kLast = 999;  // "every patch release of this minor version"

using F = ModelFamily;

}  // namespace

// Kept in the order of the families and of the releases; docs/layout-rules.md explains each row.
const std::vector<VersionRules>& version_table() {
  static const std::vector<VersionRules> table = {
      {F::qwen2_vl, v(4, 45, 0), v(5, 1, kLast), "qwen2-vl", kPadding4,
       "Qwen2-VL's first release: the 4.x walk (items found by <|vision_start|>, text after = block max + 1), "
       "pads 1, rope_delta over the padded length; checked on 4.45.0 to 5.1.0"},
      {F::qwen2_vl, v(5, 2, 0), v(5, 2, kLast), "qwen2-vl", kPadding5_2Clamped,
       "5.2.0: pads 0 and no text-only branch, rope_delta still over the padded length and clamped at 0; checked"},
      {F::qwen2_vl, v(5, 3, 0), v(5, 5, kLast), "", kPadding5,
       "refused: its video frames all got t = start (#45381, fixed in 5.6.0); not reproduced"},
      {F::qwen2_vl, v(5, 6, 0), v(5, 24, kLast), "qwen2-vl-hf5", kPadding5,
       "the unified 3-D position ids (PR #43972): runs from mm_token_type_ids, cursor += max(H', W') after an item, "
       "pads 0, rope_delta over the real tokens; checked on 5.6.0 to 5.24.0"},

      {F::qwen2_5_vl, v(4, 49, 0), v(4, 51, kLast), "qwen2.5-vl-hf4.49", kPadding4,
       "Qwen2.5-VL's first release: t = trunc((tt * second_per_grid) * tokens_per_second) in float32, the 4.x walk; "
       "checked on 4.49.0 to 4.51.3"},
      {F::qwen2_5_vl, v(4, 52, 0), v(5, 1, kLast), "qwen2.5-vl-int-truncated", kPadding4,
       "second_per_grid cast to int64 before multiplying (torch.as_tensor(..., dtype=range_tensor.dtype)), so 0.5 s "
       "truncates to 0; first in 4.52.1 (no 4.52.0 was published); checked on 4.52.1 to 5.1.0"},
      {F::qwen2_5_vl, v(5, 2, 0), v(5, 2, kLast), "qwen2.5-vl-int-truncated", kPadding5_2,
       "5.2.0: pads 0 and no text-only branch, rope_delta still over the padded length; checked"},
      {F::qwen2_5_vl, v(5, 3, 0), v(5, 5, kLast), "", kPadding5,
       "refused: its video frames all got t = start * delta (#45381) and images were scaled (#45325); not reproduced"},
      {F::qwen2_5_vl, v(5, 6, 0), v(5, 17, kLast), "qwen2.5-vl-hf5", kPadding5,
       "the unified 3-D position ids (PR #43972): time step tokens_per_second * int(second_per_grid), cursor += "
       "max(H', W'), pads 0, rope_delta over the real tokens; checked on 5.6.0 to 5.17.0"},
      {F::qwen2_5_vl, v(5, 18, 0), v(5, 24, kLast), "qwen2.5-vl-hf5.18", kPadding5,
       "PR #48669: the time step tokens_per_second * second_per_grid kept in float32, t = trunc(tt * step); "
       "checked on 5.18.0 and 5.24.0"},

      {F::qwen3_vl, v(4, 57, 0), v(5, 1, kLast), "qwen3-vl", kPadding4,
       "Qwen3-VL's first release: video_grid_thw split into one (1, H, W) row per frame, each frame after its "
       "timestamp text; the 4.x walk, pads 1, rope_delta over the padded length; checked on 4.57.0 to 5.1.0"},
      {F::qwen3_vl, v(5, 2, 0), v(5, 2, kLast), "qwen3-vl", kPadding5_2,
       "5.2.0: pads 0 and no text-only branch, rope_delta still over the padded length; checked"},
      {F::qwen3_vl, v(5, 3, 0), v(5, 3, kLast), "", kPadding5,
       "refused: 5.3.0 did not split video grids per frame and fails on videos of more than one frame"},
      {F::qwen3_vl, v(5, 4, 0), v(5, 24, kLast), "qwen3-vl", kPadding5,
       "the unified 3-D position ids (PR #43972) with the per-frame split: the same positions (every frame has "
       "T = 1), pads 0, rope_delta over the real tokens; checked on 5.4.0 to 5.24.0"},
  };
  return table;
}

namespace {

// "5.24.x" for a range that runs to a minor version's last patch, else the release itself.
std::string last_text(const Version& last) {
  return last.patch == kLast ? std::to_string(last.major) + "." + std::to_string(last.minor) + ".x" : last.to_string();
}

std::string known_ranges(ModelFamily family) {
  std::string list;
  for (const auto& r : version_table()) {
    if (r.family != family) continue;
    list += (list.empty() ? "" : ", ") + r.first.to_string() + " to " + last_text(r.last) + (r.preset.empty() ? " (refused)" : "");
  }
  return list;
}

}  // namespace

const VersionRules& rules_for(ModelFamily family, const Version& version) {
  for (const auto& r : version_table()) {
    if (r.family != family || version < r.first || r.last < version) continue;
    if (r.preset.empty())
      throw Error("transformers " + version.to_string() + " for " + std::string(to_string(family)) + " is " +
                  std::string(r.what_changed) + " (ranges: " + known_ranges(family) + ")");
    return r;
  }
  throw Error("transformers " + version.to_string() + " is outside the ranges mmrope knows for " +
              std::string(to_string(family)) + ": " + known_ranges(family));
}

const VersionRules& newest_rules(ModelFamily family) {
  const VersionRules* newest = nullptr;
  for (const auto& r : version_table())
    if (r.family == family && !r.preset.empty()) newest = &r;
  return *newest;
}

std::string ranges_of_preset(std::string_view preset) {
  std::string list;
  for (const auto& r : version_table()) {
    if (r.preset != preset) continue;
    list += (list.empty() ? "" : ", ") + r.first.to_string() + " to " + last_text(r.last) + " (" + std::string(to_string(r.family)) +
            ", padding " + r.padding.name().substr(0, r.padding.name().find(' ')) + ")";
  }
  return list;
}

}  // namespace mmrope::hf
