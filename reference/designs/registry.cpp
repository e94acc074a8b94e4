// The design registry's table and look-ups, compiled once (every design's code is emitted here).
#include "registry.hpp"

namespace mmrope {

const std::vector<DesignEntry>& design_registry() {
  auto entry = [](std::string name, std::string summary, auto specs, auto make) {
    return DesignEntry{std::move(name), std::move(summary), specs, make};
  };
  static const std::vector<DesignEntry> designs = {
      entry("vanilla", "1-D: every token advances the position by 1", &VanillaDesign::param_specs,
            [](Params p) { return std::make_unique<VanillaDesign>(std::move(p)); }),
      entry("v2pe", "1-D: visual tokens advance by 2^-k, text by 1, rounded up after an item", &V2peDesign::param_specs,
            [](Params p) { return std::make_unique<V2peDesign>(std::move(p)); }),
      entry("mrope", "Qwen2-VL: (S + t, S + h, S + w); next text = block max + 1", &MropeDesign::param_specs,
            [](Params p) { return std::make_unique<MropeDesign>(std::move(p)); }),
      entry("mrope-absolute-time", "Qwen2.5-VL: MRoPE with t = floor(t * seconds_per_grid * tokens_per_second)",
            &MropeAbsoluteTimeDesign::param_specs,
            [](Params p) { return std::make_unique<MropeAbsoluteTimeDesign>(std::move(p)); }),
      entry("qwen3-vl", "Qwen3-VL: one block per temporal grid with timestamp text between; MRoPE positions",
            &Qwen3VlDesign::param_specs, [](Params p) { return std::make_unique<Qwen3VlDesign>(std::move(p)); }),
      entry("spatial-reset", "MRoPE-I / MHRoPE: (S + t, h, w) with h, w from 0 in every block",
            &SpatialResetDesign::param_specs, [](Params p) { return std::make_unique<SpatialResetDesign>(std::move(p)); }),
      entry("videorope", "diagonal layout: frames centred on the text diagonal, temporal spacing delta",
            &VideoRopeDesign::param_specs, [](Params p) { return std::make_unique<VideoRopeDesign>(std::move(p)); }),
      entry("hope", "VideoRoPE's diagonal layout with an explicit temporal scale per block", &HopeDesign::param_specs,
            [](Params p) { return std::make_unique<HopeDesign>(std::move(p)); }),
      entry("circlerope", "image tokens on a circle of radius R orthogonal to the text diagonal",
            &CircleRopeDesign::param_specs, [](Params p) { return std::make_unique<CircleRopeDesign>(std::move(p)); }),
      entry("il-rope", "(S + t, h, w) per block; text (p, 0, 0) as the paper defines it", &IlRopeDesign::param_specs,
            [](Params p) { return std::make_unique<IlRopeDesign>(std::move(p), "il-rope"); }),
      entry("omni-rope", "(S + t, h, w) per block; text (p, 0, 0) as the paper defines it", &IlRopeDesign::param_specs,
            [](Params p) { return std::make_unique<IlRopeDesign>(std::move(p), "omni-rope"); }),
      entry("rope-tie", "2-D: text (n, n); image patches (L + i(W'+1), L + j(H'+1))", &RopeTieDesign::param_specs,
            [](Params p) { return std::make_unique<RopeTieDesign>(std::move(p)); }),
  };
  return designs;
}

const DesignEntry& find_design(std::string_view name) { return find_named(design_registry(), name, "design"); }

std::unique_ptr<PositionDesign> make_design(std::string_view name, const std::vector<std::pair<std::string, std::string>>& values) {
  const DesignEntry& entry = find_design(name);
  try {
    Params params(entry.param_specs());
    for (const auto& [key, value] : values) params.set(key, value);
    return entry.make(std::move(params));
  } catch (const Error& e) {
    throw Error("design " + entry.name + ": " + e.what());
  }
}

}  // namespace mmrope
