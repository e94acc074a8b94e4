// MRoPE with absolute time (Qwen2.5-VL): a video's t advances by seconds x tokens_per_second, floored.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

#include "mrope.hpp"

namespace mmrope {

// Rules (transformers `Qwen2_5_VLModel.get_rope_index`): positions as MRoPE, except the temporal offset
//   video: t_offset(tt) = floor(tt * seconds_per_grid * tokens_per_second)        (time_rule=exact)
//   image: t_offset(tt) = 0   (the processor passes second_per_grid_t = 0 for images)
// seconds_per_grid = temporal_patch_size / fps (1.0 at the processor's default fps 2).
// Later 4.5x releases and 5.3.0 cast seconds_per_grid to int64 before multiplying, truncating 0.5 to 0
// and 1.5 to 1; transformers PR #48669 restored the exact rule. That legacy reading is
//   video: t_offset(tt) = floor(tt * trunc(seconds_per_grid) * tokens_per_second)  (time_rule=int-truncated)
// What the released code computes in float32 (second_per_grid_ts is a float32 tensor; s32 = seconds rounded
// to the nearest float32 as the processor's tensor holds it; fl32 = one float32 rounding; trunc toward 0):
//   first release (4.49):  t_offset(tt) = trunc(fl32(fl32(tt * s32) * tps))        (time_rule=float32-index-first)
//   after PR #48669 (5.18): t_offset(tt) = trunc(fl32(tt * fl32(tps * s32)))       (time_rule=float32-seconds-first)
// These differ from exact only where a product lies within a float32 rounding of an integer.
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
             "exact: floor(tt*seconds*tps); int-truncated: seconds cast to int64 first (transformers 4.5x-5.17); "
             "float32-index-first: trunc(fl32(fl32(tt*s)*tps)) (4.49); float32-seconds-first: trunc(fl32(tt*fl32(tps*s))) (5.18+)",
             {"exact", "int-truncated", "float32-index-first", "float32-seconds-first"}},
            MropeDesign::next_rule_param()};
  }

  explicit MropeAbsoluteTimeDesign(Params p) : MropeDesign(std::move(p)) {}
  std::string_view name() const override { return "mrope-absolute-time"; }

 protected:
  Coordinate temporal_offset(const VisualItem& item, std::int64_t tt) const override {
    if (item.kind == TokenKind::image) return Coordinate(0);
    const auto& video = std::get<Video>(item.segment);
    Rational seconds = video.seconds_per_grid.value_or(params().rational("seconds_per_grid"));
    const std::string& rule = params().choice("time_rule");
    const Rational tps = params().rational("tokens_per_second");
    if (rule == "float32-index-first" || rule == "float32-seconds-first") {
      // Each product of two float32 values is exact in double (48 bits), so one cast gives the float32 rounding.
      const float s32 = nearest_float(seconds), tps32 = nearest_float(tps), k = static_cast<float>(tt);
      const float t = rule == "float32-index-first"
                          ? static_cast<float>(double(static_cast<float>(double(k) * double(s32))) * double(tps32))
                          : static_cast<float>(double(k) * double(static_cast<float>(double(tps32) * double(s32))));
      if (!std::isfinite(t) || t >= 0x1p62f) throw Error("mrope-absolute-time: float32 time offset overflows");
      return Coordinate(static_cast<std::int64_t>(t));  // .long() truncates toward zero; t >= 0
    }
    if (rule == "int-truncated") seconds = Rational(floor_of(seconds));  // seconds > 0
    return Coordinate(Rational(floor_of(Rational(tt) * seconds * tps)));
  }

 public:
  // The float32 nearest to q (ties to even), as torch.tensor(float) stores a Python value: from a double guess,
  // the neighbours compared exactly (every float is a rational: Rational(double) is exact).
  static float nearest_float(const Rational& q) {
    const float guess = static_cast<float>(static_cast<double>(q));
    if (!std::isfinite(guess)) throw Error("mrope-absolute-time: " + format_rational(q) + " is past the float32 range");
    float best = guess;
    Rational best_gap = bmp::abs(q - Rational(static_cast<double>(guess)));
    for (float f : {std::nextafter(guess, -INFINITY), std::nextafter(guess, INFINITY)}) {
      if (!std::isfinite(f)) continue;
      const Rational gap = bmp::abs(q - Rational(static_cast<double>(f)));
      if (gap < best_gap || (gap == best_gap && (std::bit_cast<std::uint32_t>(f) & 1u) == 0)) {
        best = f;
        best_gap = gap;
      }
    }
    return best;
  }


};

}  // namespace mmrope
