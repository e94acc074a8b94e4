// MRoPE with absolute time (Qwen2.5-VL): a video's t advances by seconds x tokens_per_second, floored.
#pragma once

#include "mrope.hpp"

namespace mmrope {

// Rules (transformers `Qwen2_5_VLModel.get_rope_index`): positions as MRoPE, except the temporal offset
//   video: t_offset(tt) = floor(tt * seconds_per_grid * tokens_per_second)        (time_rule=exact)
//   image: t_offset(tt) = 0   (the processor passes second_per_grid_t = 0 for images)
// seconds_per_grid = temporal_patch_size / fps (1.0 at the processor's default fps 2).
// Later 4.5x releases and 5.3.0 cast seconds_per_grid to int64 before multiplying, truncating 0.5 to 0
// and 1.5 to 1; transformers PR #48669 restored the exact rule. That legacy reading is
//   video: t_offset(tt) = floor(tt * trunc(seconds_per_grid) * tokens_per_second)  (time_rule=int-truncated)
class MropeAbsoluteTimeDesign : public MropeDesign {
 public:
  static std::vector<ParamSpec> param_specs() {
    return {merge_size_param(),
            {"tokens_per_second", ParamKind::rational, "2",
             "vision_config.tokens_per_second (released checkpoints: 2; the HF class default is 4)", {},
             ParamSpec::Bound::non_negative},
            {"seconds_per_grid", ParamKind::rational, "1",
             "seconds per temporal grid for videos that do not give @SECONDS (temporal_patch_size 2 / fps 2)", {},
             ParamSpec::Bound::positive},
            {"time_rule", ParamKind::choice, "exact",
             "exact: floor(tt*seconds*tps); int-truncated: seconds cast to int64 first (legacy transformers)",
             {"exact", "int-truncated"}},
            MropeDesign::next_rule_param()};
  }

  explicit MropeAbsoluteTimeDesign(Params p) : MropeDesign(std::move(p)) {}
  std::string_view name() const override { return "mrope-absolute-time"; }

 protected:
  Coordinate temporal_offset(const VisualItem& item, std::int64_t tt) const override {
    if (item.kind == TokenKind::image) return Coordinate(0);
    const auto& video = std::get<Video>(item.segment);
    Rational seconds = video.seconds_per_grid.value_or(params().rational("seconds_per_grid"));
    if (params().choice("time_rule") == "int-truncated") seconds = Rational(floor_of(seconds));  // seconds > 0
    return Coordinate(Rational(floor_of(Rational(tt) * seconds * params().rational("tokens_per_second"))));
  }

};

}  // namespace mmrope
