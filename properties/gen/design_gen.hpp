// RapidCheck generators of position-design cases: a preset, a merge size, and a layout that preset accepts.
#pragma once

#include <rapidcheck.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "layout_gen.hpp"
#include "reference/presets.hpp"

namespace mmrope::gen {

// Every preset name, in the registry's order.
inline std::vector<std::string> preset_names() {
  std::vector<std::string> out;
  for (const auto& p : presets()) out.push_back(p.name);
  return out;
}

// One preset's design at a merge size, over one layout.
struct DesignCase {
  std::string preset;
  std::int64_t merge = 2;
  Sequence layout;

  std::unique_ptr<PositionDesign> design() const {
    return make_preset_design(find_preset(preset), {{"merge_size", std::to_string(merge)}});
  }
};

inline void showValue(const DesignCase& c, std::ostream& os) {
  os << "--preset " << c.preset << " --param merge_size=" << c.merge << " --layout \"";
  showValue(c.layout, os);
  os << "\"";
}

// RoPE-Tie defines single images only (Su's post has no time axis): its layouts get no videos.
inline LayoutLimits limits_for(const std::string& preset, LayoutLimits lim) {
  if (find_preset(preset).design == "rope-tie") lim.videos = false;
  return lim;
}

// A case for one of `names` (all presets by default); merge 1 or 2.
inline rc::Gen<DesignCase> design_case(std::vector<std::string> names = preset_names(), LayoutLimits lim = {}) {
  return rc::gen::mapcat(rc::gen::pair(rc::gen::elementOf(names), rc::gen::inRange<std::int64_t>(1, 3)),
                         [lim](const std::pair<std::string, std::int64_t>& pm) {
                           return rc::gen::map(sequence(pm.second, limits_for(pm.first, lim)), [pm](Sequence s) {
                             return DesignCase{pm.first, pm.second, std::move(s)};
                           });
                         });
}

}  // namespace mmrope::gen
