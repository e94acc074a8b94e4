// Qwen3-VL: a video becomes one T=1 block per temporal grid, each after its timestamp text; MRoPE positions.
#pragma once

#include "mrope.hpp"

namespace mmrope {

// Rules (transformers `Qwen3VLModel.get_rope_index`, processor `Qwen3VLProcessor.replace_video_token`):
// the processor writes temporal grid f of a video as
//     "<{ts:.1f} seconds>" <|vision_start|> <|video_pad|> x (H'*W') <|vision_end|>
// and the model splits video_grid_thw (T, H, W) into T rows (1, H, W), then runs the Qwen2-VL 4.x walk:
//     for each f: frame_prefix_tokens text tokens; the frame at S: (S, S + hh, S + ww);
//                 next = S + max(H' - 1, W' - 1) + 1; frame_suffix_tokens text tokens.
// No temporal reset: time is carried by the growing offsets and by the timestamp text.
// How many tokens the timestamp takes depends on the tokenizer and the time value; give the exact
// counts when they matter, or write frames as video:1xHxW segments separated by text runs.
class Qwen3VlDesign : public MropeDesign {
 public:
  static std::vector<ParamSpec> param_specs() {
    return {merge_size_param(),
            {"frame_prefix_tokens", ParamKind::integer, "4",
             "text tokens before each frame of a video: the timestamp text plus <|vision_start|>", {},
             ParamSpec::Bound::non_negative},
            {"frame_suffix_tokens", ParamKind::integer, "1", "text tokens after each frame: <|vision_end|>", {},
             ParamSpec::Bound::non_negative}};
  }

  explicit Qwen3VlDesign(Params p) : MropeDesign(std::move(p)) {
    prefix_ = params().integer("frame_prefix_tokens");
    suffix_ = params().integer("frame_suffix_tokens");
    // A cap keeps prefix x frames from overflowing the token arithmetic; real timestamps take ~10 tokens.
    if (prefix_ > kMaxFrameText || suffix_ > kMaxFrameText)
      throw Error("qwen3-vl: frame_prefix_tokens and frame_suffix_tokens must be at most " + std::to_string(kMaxFrameText));
  }
  std::string_view name() const override { return "qwen3-vl"; }

 protected:
  std::int64_t token_count(const VisualItem& item) const override {
    if (item.kind != TokenKind::video) return item.grid.count();
    return item.grid.t * (prefix_ + suffix_ + item.grid.h * item.grid.w);  // grid.count() <= 2^24 keeps this in range
  }

  Coordinate place_visual(const Coordinate& cursor, const VisualItem& item, std::vector<TokenPosition>& out) const override {
    if (item.kind != TokenKind::video) return MropeDesign::place_visual(cursor, item, out);
    const auto seg = static_cast<std::int64_t>(item.segment_index);
    VisualItem frame = item;
    frame.grid.t = 1;
    Coordinate c = cursor;
    for (std::int64_t f = 0; f < item.grid.t; ++f) {
      c = place_text(c, prefix_, seg, out);
      c = MropeDesign::place_visual(c, frame, out);
      c = place_text(c, suffix_, seg, out);
    }
    return c;
  }

 private:
  static constexpr std::int64_t kMaxFrameText = 1024;
  std::int64_t prefix_ = 0, suffix_ = 0;
};

}  // namespace mmrope
