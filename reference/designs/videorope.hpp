// VideoRoPE: diagonal layout, each frame centred on the text diagonal at its t; adjustable temporal spacing.
#pragma once

#include "../design.hpp"

namespace mmrope {

// Rules, rule=code (official Wiselnn570/VideoRoPE `get_t_scale_rope_index`, l.1507, at 7712ca3; the
// Multimodal-RoPEs re-implementation agrees):
//   visual token (tt, hh, ww) at S -> t = S + delta * tt,  h = t + hh - floor((H' - 1) / 2),
//                                     w = t + ww - floor((W' - 1) / 2)
//   next text = max over the block of t + 1 = S + delta * (T - 1) + 1      (the t row only)
// rule=paper (VideoRoPE paper, eq. 7): the same t, centred by H'/2 and W'/2 (exact halves), and
//   next text = S + delta * T.
// delta: the transformers code hard-codes scale_factor 2.0 (l.2104, l.2208); the vLLM path defaults to 1.
// Because h and w reach below and above t, text after a large image lands inside the image's h/w box.
class VideoRopeDesign : public PositionDesign {
 public:
  static std::vector<ParamSpec> param_specs() {
    return {merge_size_param(),
            {"temporal_stride", ParamKind::rational, "2", "delta: t advance per temporal grid (official code: 2)", {},
             ParamSpec::Bound::non_negative},
            rule_param()};
  }
  static ParamSpec rule_param() {
    return {"rule", ParamKind::choice, "code",
            "code: centre by floor((n-1)/2), next = S + delta(T-1) + 1; paper: centre by n/2, next = S + delta*T",
            {"code", "paper"}};
  }

  explicit VideoRopeDesign(Params p) : PositionDesign(std::move(p)), paper_rule_(params().choice("rule") == "paper") {}
  std::string_view name() const override { return "videorope"; }

 protected:
  // The temporal spacing of a visual block (HoPE varies it per block).
  virtual Rational temporal_spacing(const VisualItem& /*item*/) const { return params().rational("temporal_stride"); }

  Coordinate place_visual(const Coordinate& cursor, const VisualItem& item, std::vector<TokenPosition>& out) const override {
    const Rational delta = temporal_spacing(item);
    const Rational h_centre = paper_rule_ ? Rational(item.grid.h, 2) : Rational((item.grid.h - 1) / 2);
    const Rational w_centre = paper_rule_ ? Rational(item.grid.w, 2) : Rational((item.grid.w - 1) / 2);
    const auto seg = static_cast<std::int64_t>(item.segment_index);
    for_each_raster(item.grid, [&](std::int64_t tt, std::int64_t hh, std::int64_t ww) {
      const Coordinate t = cursor + Coordinate(delta * tt);
      out.push_back({item.kind, {t, t + Coordinate(hh - h_centre), t + Coordinate(ww - w_centre)}, seg});
    });
    if (paper_rule_) return cursor + Coordinate(delta * item.grid.t);
    return cursor + Coordinate(delta * (item.grid.t - 1) + 1);
  }

 private:
  bool paper_rule_;
};

}  // namespace mmrope
