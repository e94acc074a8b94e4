// RoPE-Tie (Su, 2024): 2-D positions; text (n, n), image patches spread so the image spans the text diagonal.
#pragma once

#include "../design.hpp"

namespace mmrope {

// Rules (Su, "Transformer upgrade road 17", spaces.ac.cn/archives/10040, sections 合二为一 and 延伸思考;
// the ICLR 2026 paper's Table 1). RoPE-Tie is 2-D: the h and w columns hold its two coordinates and
// the t column repeats h, so a text token is (n, n, n) and pure text is 1-D RoPE.
//   text token n -> (n, n)
//   after text ending at L (= cursor - 1), patch at row i = 1..H', column j = 1..W' ->
//       (L + i * s, L + j * u)   with (H' + 1) s = (W' + 1) u  so the image ends on the diagonal
//   spacing=integer: s = W' + 1, u = H' + 1, next text K = L + (W' + 1)(H' + 1)
//   spacing=compact: s = (W'H' + 1)/(H' + 1), u = (W'H' + 1)/(W' + 1), K = L + W'H' + 1
// The post defines images only; videos and images with several temporal grids are rejected.
class RopeTieDesign : public PositionDesign {
 public:
  static std::vector<ParamSpec> param_specs() {
    return {merge_size_param(),
            {"spacing", ParamKind::choice, "integer",
             "integer: s = W'+1, u = H'+1 (integer positions); compact: s = (W'H'+1)/(H'+1), u = (W'H'+1)/(W'+1)",
             {"integer", "compact"}}};
  }
  explicit RopeTieDesign(Params p) : PositionDesign(std::move(p)), compact_(params().choice("spacing") == "compact") {}
  std::string_view name() const override { return "rope-tie"; }

 protected:
  Coordinate place_visual(const Coordinate& cursor, const VisualItem& item, std::vector<TokenPosition>& out) const override {
    if (item.kind == TokenKind::video || item.grid.t != 1)
      throw Error(segment_label(item.segment_index, item.segment) +
                  ": rope-tie defines positions for single images only (Su's post has no temporal axis)");
    const Rational last = cursor.exact() - 1;
    const std::int64_t h = item.grid.h, w = item.grid.w;
    const Rational s = compact_ ? Rational(w * h + 1, h + 1) : Rational(w + 1);
    const Rational u = compact_ ? Rational(w * h + 1, w + 1) : Rational(h + 1);
    for (std::int64_t i = 1; i <= h; ++i)
      for (std::int64_t j = 1; j <= w; ++j) {
        const Coordinate row(last + s * i);
        out.push_back({item.kind, {row, row, Coordinate(last + u * j)}, static_cast<std::int64_t>(item.segment_index)});
      }
    return Coordinate(last + s * (h + 1));  // = L + (W'+1)(H'+1), or L + W'H' + 1 when compact
  }

 private:
  bool compact_;
};

}  // namespace mmrope
