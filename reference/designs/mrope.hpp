// MRoPE (Qwen2-VL): visual (S + t*stride, S + h, S + w) from the text offset S; text after = block max + 1.
#pragma once

#include "../design.hpp"

namespace mmrope {

// Rules (transformers 4.x `Qwen2VLModel.get_rope_index`, the rule the models were trained with):
//   S = cursor (one past the <|vision_start|> text token)
//   visual token (tt, hh, ww) -> (S + t_offset(tt), S + hh, S + ww)
//   next text = max over the block of all three axes + 1     (next_rule=max-plus-one)
// transformers >= 5.3 (PR #43972) advances the cursor by max(H', W') only, ignoring the temporal
// extent, so text after a multi-frame video can fall below the video's own t positions
// (transformers issue #45381): next text = S + max(H', W')                 (next_rule=spatial-extent)
// The two agree whenever the item has one temporal grid (every image, every Qwen3-VL frame).
// Decoding continues from the largest prompt position + 1 under both (rope_deltas = max + 1 - L), so
// under spatial-extent the first generated token can jump past the cursor (docs/layout-rules.md, 2.3).
class MropeDesign : public PositionDesign {
 public:
  static std::vector<ParamSpec> param_specs() {
    return {merge_size_param(),
            {"temporal_stride", ParamKind::rational, "1", "t advance per temporal grid (Qwen2-VL: 1)", {},
             ParamSpec::Bound::non_negative},
            next_rule_param()};
  }
  static ParamSpec next_rule_param() {
    return {"next_rule", ParamKind::choice, "max-plus-one",
            "text after a visual item: max-plus-one (transformers 4.x) or spatial-extent (transformers >= 5.3)",
            {"max-plus-one", "spatial-extent"}};
  }

  explicit MropeDesign(Params p) : PositionDesign(std::move(p)), spatial_extent_rule_(params().text_or("next_rule", "max-plus-one") == "spatial-extent") {}
  std::string_view name() const override { return "mrope"; }

 protected:
  // The temporal offset of temporal grid tt from S. Designs built on this walk that do not declare
  // temporal_stride or next_rule (Qwen3-VL) get Qwen2-VL's values.
  virtual Coordinate temporal_offset(const VisualItem& /*item*/, std::int64_t tt) const {
    return Coordinate(Rational(tt) * *parse_rational(params().text_or("temporal_stride", "1")));
  }

  Coordinate place_visual(const Coordinate& cursor, const VisualItem& item, std::vector<TokenPosition>& out) const override {
    const std::size_t first = out.size();
    const auto seg = static_cast<std::int64_t>(item.segment_index);
    std::vector<Coordinate> t_offsets;
    for (std::int64_t tt = 0; tt < item.grid.t; ++tt) t_offsets.push_back(cursor + temporal_offset(item, tt));
    for_each_raster(item.grid, [&](std::int64_t tt, std::int64_t hh, std::int64_t ww) {
      out.push_back({item.kind, {t_offsets[tt], cursor + Coordinate(hh), cursor + Coordinate(ww)}, seg});
    });
    if (spatial_extent_rule_) return cursor + Coordinate(std::max(item.grid.h, item.grid.w));
    return max_coordinate(out, first) + Coordinate(1);
  }

  Coordinate decode_start(const Coordinate& cursor, const std::vector<TokenPosition>& tokens) const override {
    if (!spatial_extent_rule_ || tokens.empty()) return cursor;
    return max_of(cursor, max_coordinate(tokens, 0) + Coordinate(1));
  }

 private:
  bool spatial_extent_rule_;
};

}  // namespace mmrope
