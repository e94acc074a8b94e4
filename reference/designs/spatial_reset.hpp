// Spatial reset (the paper's MRoPE-I / MHRoPE design): h and w restart at 0 in every visual block; t keeps the offset.
#pragma once

#include "../design.hpp"

namespace mmrope {

// Rules (Multimodal-RoPEs `pos_design/mrope_i.py` with spatial_reset=True; paper section 2.2.3, eq. 4):
//   visual token (tt, hh, ww) at S -> (S + tt * temporal_stride, hh, ww)
//   next text = S + max((T - 1) * temporal_stride, H' - 1, W' - 1) + 1
// The repository assigns that value to the token after the pad run (assumed to be <|vision_end|>),
// which is what MRoPE gives the same token: every text position and the rope delta equal MRoPE's;
// only the h and w of visual tokens change. (If two visual items follow each other with no text
// between, the repository gives the second item's first token that position; here positions follow
// the rule above, as a layout with its <|vision_end|> token would.)
class SpatialResetDesign : public PositionDesign {
 public:
  static std::vector<ParamSpec> param_specs() {
    return {merge_size_param(),
            {"temporal_stride", ParamKind::rational, "1", "t advance per temporal grid (the paper's best: 1)", {},
             ParamSpec::Bound::non_negative}};
  }
  explicit SpatialResetDesign(Params p) : PositionDesign(std::move(p)), stride_(params().rational("temporal_stride")) {}
  std::string_view name() const override { return "spatial-reset"; }

 protected:
  Coordinate place_visual(const Coordinate& cursor, const VisualItem& item, std::vector<TokenPosition>& out) const override {
    const auto seg = static_cast<std::int64_t>(item.segment_index);
    for_each_raster(item.grid, [&](std::int64_t tt, std::int64_t hh, std::int64_t ww) {
      out.push_back({item.kind, {cursor + Coordinate(Rational(tt) * stride_), Coordinate(hh), Coordinate(ww)}, seg});
    });
    Rational extent = max(Rational(item.grid.t - 1) * stride_, Rational(std::max(item.grid.h, item.grid.w) - 1));
    return cursor + Coordinate(extent + 1);
  }

 private:
  Rational stride_;
};

}  // namespace mmrope
