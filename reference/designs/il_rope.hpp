// IL-RoPE / Omni-RoPE: visual (shift + t, h, w) with h, w from 0; text spatial coordinates zero, as the papers define.
#pragma once

#include "../design.hpp"

namespace mmrope {

// Rules (the ICLR 2026 paper, section 2.4 and Table 1, following the OmniGen2 paper, section 2.3:
// "for all non-image tokens, both spatial coordinates (h, w) are set to zero"):
//   text token with 1-D index p -> (p, 0, 0)                                      (text_spatial=zero)
//   visual token (tt, hh, ww) at shift S -> (S + tt * temporal_stride, hh, ww)
//   next text = S + max((T - 1) * temporal_stride + 1, H', W')
// The released OmniGen2 code (`OmniGen2RotaryPosEmbed.forward`) and the Multimodal-RoPEs
// re-implementation give text (p, p, p) instead                                   (text_spatial=index)
// IL-RoPE (Mogao) has no public code; the paper groups it with Omni-RoPE. The two differ in their
// frequency allocation, not in positions, so both names use this rule.
class IlRopeDesign : public PositionDesign {
 public:
  static std::vector<ParamSpec> param_specs() {
    return {merge_size_param(),
            {"temporal_stride", ParamKind::rational, "1", "t advance per temporal grid", {}, ParamSpec::Bound::non_negative},
            {"text_spatial", ParamKind::choice, "zero", "text h and w: zero (the papers) or index (released code: (p,p,p))",
             {"zero", "index"}}};
  }

  IlRopeDesign(Params p, std::string name)
      : PositionDesign(std::move(p)), name_(std::move(name)), stride_(params().rational("temporal_stride")),
        text_zero_(params().choice("text_spatial") == "zero") {}
  std::string_view name() const override { return name_; }

  Position3 text_position(const Coordinate& p) const override {
    return text_zero_ ? Position3{p, Coordinate(0), Coordinate(0)} : Position3::diagonal(p);
  }

 protected:
  Coordinate place_visual(const Coordinate& cursor, const VisualItem& item, std::vector<TokenPosition>& out) const override {
    const auto seg = static_cast<std::int64_t>(item.segment_index);
    for_each_raster(item.grid, [&](std::int64_t tt, std::int64_t hh, std::int64_t ww) {
      out.push_back({item.kind, {cursor + Coordinate(Rational(tt) * stride_), Coordinate(hh), Coordinate(ww)}, seg});
    });
    Rational extent = max(Rational(item.grid.t - 1) * stride_ + 1, Rational(std::max(item.grid.h, item.grid.w)));
    return cursor + Coordinate(extent);
  }

 private:
  std::string name_;
  Rational stride_;
  bool text_zero_;
};

}  // namespace mmrope
