// V2PE: 1-D positions where visual tokens advance by a small step 2^-k and text by 1, rounded up after a visual item.
#pragma once

#include "../design.hpp"

namespace mmrope {

// Rules (OpenGVLab/V2PE `internvl_chat_finetune.py::get_rope_pos_id`, l.555-625, at f96f189):
//   last = position of the token before the item (cursor - 1), delta = 2^-visual_step_log2
//   visual token k = 1 .. N (raster order)  -> last + k * delta
//   next text = ceil(last + N * delta) + 1
// Official V2PE writes delta = stride / 256 per 256-token tile with stride in {1, 2, ..., 256}, so delta
// is 2^-k for k = 0..8; its README evaluates with stride 64 (delta = 1/4), the default here.
// The Multimodal-RoPEs re-implementation instead spreads each whole block over a fixed span
// (delta = visual_stride / N); that reading is not this design.
class V2peDesign : public PositionDesign {
 public:
  static std::vector<ParamSpec> param_specs() {
    return {merge_size_param(),
            {"visual_step_log2", ParamKind::integer, "2", "k in the visual step 2^-k (V2PE: 0..8; 2 = stride 64 of 256)", {},
             ParamSpec::Bound::non_negative}};
  }

  explicit V2peDesign(Params p) : PositionDesign(std::move(p)) {
    const std::int64_t k = params().integer("visual_step_log2");
    if (k > 62) throw Error("v2pe: visual_step_log2 must be at most 62, got " + std::to_string(k));
    step_ = Rational(1, BigInt(1) << static_cast<unsigned>(k));
  }
  std::string_view name() const override { return "v2pe"; }

 protected:
  Coordinate place_visual(const Coordinate& cursor, const VisualItem& item, std::vector<TokenPosition>& out) const override {
    const Rational last = cursor.exact() - 1;  // V2PE positions are always exact
    const std::int64_t n = item.grid.count();
    for (std::int64_t k = 1; k <= n; ++k)
      out.push_back({item.kind, Position3::diagonal(Coordinate(last + Rational(k) * step_)),
                     static_cast<std::int64_t>(item.segment_index)});
    return Coordinate(Rational(ceil_of(last + Rational(n) * step_)) + 1);
  }

 private:
  Rational step_;
};

}  // namespace mmrope
