// RapidCheck generators of position-design cases: a preset, random design parameters, and a layout that preset accepts.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <memory>
#include <ostream>
#include <utility>
#include <string>
#include <vector>

#include "layout_gen.hpp"
#include "param_gen.hpp"
#include "reference/presets/presets.hpp"

namespace mmrope::gen {

// Every preset name, in the registry's order.
inline std::vector<std::string> preset_names() {
  std::vector<std::string> out;
  for (const auto& p : presets()) out.push_back(p.name);
  return out;
}

// One preset's design with design-parameter overrides (merge_size among them), over one layout.
struct DesignCase {
  std::string preset;
  std::int64_t merge = 2;
  std::vector<std::pair<std::string, std::string>> params;  // every varied parameter, merge_size first
  Sequence layout;

  std::unique_ptr<PositionDesign> design() const { return make_preset_design(find_preset(preset), params); }
  // A parameter's value in this case (an override, else the preset's, else the design's default).
  std::string param(const std::string& name) const { return domain::value_of(find_preset(preset), params, name); }
};

// Prints the case as the command line that reproduces it, every --param included.
inline void showValue(const DesignCase& c, std::ostream& os) {
  os << domain::command_line(c.preset, c.params, domain::layout_text(c.layout));
}

// RoPE-Tie defines single images only (Su's post has no time axis): its layouts get no videos.
inline LayoutLimits limits_for(const std::string& preset, LayoutLimits lim) {
  if (find_preset(preset).design == "rope-tie") lim.videos = false;
  return lim;
}

// Qwen3-VL adds frame_prefix_tokens + frame_suffix_tokens text tokens per frame (up to 2048): fewer frames keep
// a case's token count (and law 4's text x visual comparisons) near the other designs'.
inline LayoutLimits limits_for(const std::string& preset, const std::vector<std::pair<std::string, std::string>>& params,
                               LayoutLimits lim) {
  lim = limits_for(preset, lim);
  const Preset& p = find_preset(preset);
  if (p.design == "qwen3-vl") {
    const std::int64_t per_frame = std::stoll(domain::value_of(p, params, "frame_prefix_tokens")) +
                                   std::stoll(domain::value_of(p, params, "frame_suffix_tokens"));
    lim.max_t = std::clamp<std::int64_t>(512 / std::max<std::int64_t>(per_frame, 1), 1, lim.max_t);
  }
  return lim;
}

// A case for one of `names` (all presets by default) with random design parameters over their whole domain
// (param_gen.hpp), then a layout at the drawn merge size.
inline rc::Gen<DesignCase> design_case(std::vector<std::string> names = preset_names(), LayoutLimits lim = {}) {
  return rc::gen::mapcat(rc::gen::elementOf(names), [lim](const std::string& name) {
    return rc::gen::mapcat(param_overrides(name), [lim, name](std::vector<std::pair<std::string, std::string>> params) {
      const std::int64_t merge = std::stoll(domain::value_of(find_preset(name), params, "merge_size"));
      return rc::gen::map(sequence(merge, limits_for(name, params, lim)), [name, merge, params](Sequence s) {
        return DesignCase{name, merge, params, std::move(s)};
      });
    });
  });
}

}  // namespace mmrope::gen
