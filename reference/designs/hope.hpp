// HoPE: VideoRoPE's diagonal layout with an explicit temporal scale per visual block.
#pragma once

#include "videorope.hpp"

namespace mmrope {

// Rules (official hrlics/HoPE `get_dynamic_rope_index`, l.1539, at 85b76c0):
//   visual block b with scale gamma_b at S -> t = S + gamma_b * tt, h = t + hh - floor((H'-1)/2),
//                                             w = t + ww - floor((W'-1)/2)
//   next text = S + gamma_b * (T - 1) + 1
// Training draws gamma_b from {0.5, 0.75, 1, 1.25, 1.5} per block (l.2257); inference uses one value
// the user must set (l.2365-2369). Here the scales are explicit: one value for every block, or one
// value per visual block in order. (HoPE's other half, the temporal channels without rotation, is a
// frequency allocation, not a position rule.)
class HopeDesign : public VideoRopeDesign {
 public:
  static std::vector<ParamSpec> param_specs() {
    return {merge_size_param(),
            {"temporal_scales", ParamKind::rational_list, "1",
             "gamma per visual block: one value for all, or a comma list with one value per block", {},
             ParamSpec::Bound::non_negative},
            VideoRopeDesign::rule_param()};
  }

  explicit HopeDesign(Params p) : VideoRopeDesign(std::move(p)), scales_(params().rational_list("temporal_scales")) {}
  std::string_view name() const override { return "hope"; }

 protected:
  Rational temporal_spacing(const VisualItem& item) const override {
    if (scales_.size() == 1) return scales_[0];
    if (item.block_index >= static_cast<std::int64_t>(scales_.size()))
      throw Error(segment_label(item.segment_index, item.segment) + ": hope has " + std::to_string(scales_.size()) +
                  " temporal_scales but this is visual block " + std::to_string(item.block_index + 1));
    return scales_[item.block_index];
  }

 private:
  std::vector<Rational> scales_;
};

}  // namespace mmrope
