// Vanilla RoPE: one 1-D sequence; every token, text or visual (raster order), advances the position by 1.
#pragma once

#include "../design.hpp"

namespace mmrope {

// Rules (Multimodal-RoPEs `pos_design/vanilla.py`; the paper's section 2.2.1 with step s = 1):
//   token n of the sequence -> (n, n, n); a visual item of N tokens at cursor S takes S .. S + N - 1;
//   next text = S + N, so an h x w image costs h*w positions.
class VanillaDesign : public PositionDesign {
 public:
  static std::vector<ParamSpec> param_specs() { return {merge_size_param()}; }
  explicit VanillaDesign(Params p) : PositionDesign(std::move(p)) {}
  std::string_view name() const override { return "vanilla"; }

 protected:
  Coordinate place_visual(const Coordinate& cursor, const VisualItem& item, std::vector<TokenPosition>& out) const override {
    Coordinate c = cursor;
    for (std::int64_t k = 0; k < item.grid.count(); ++k) {
      out.push_back({item.kind, Position3::diagonal(c), static_cast<std::int64_t>(item.segment_index)});
      c = c + Coordinate(1);
    }
    return c;
  }
};

}  // namespace mmrope
