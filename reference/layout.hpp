// The layout of a multimodal sequence: text runs, images and videos, with grids as processors give them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "error.hpp"
#include "exact.hpp"

namespace mmrope {

// A visual grid in ViT patches, as `grid_thw` of the Qwen processors: T temporal patches, H x W spatial.
struct GridTHW {
  std::int64_t t = 1, h = 1, w = 1;
  friend bool operator==(const GridTHW&, const GridTHW&) = default;
};

struct TextRun {
  std::int64_t length = 0;  // tokens, all of them text (chat tokens, <|vision_start|>, timestamps ...)
};

struct Image {
  GridTHW grid;
};

struct Video {
  GridTHW grid;
  // temporal_patch_size / fps; nullopt means "not given" and the design's default applies.
  std::optional<Rational> seconds_per_grid;
};

using Segment = std::variant<TextRun, Image, Video>;

// One sequence of a batch, in order.
struct Sequence {
  std::vector<Segment> segments;
};

// The most tokens one sequence may have. Positions are materialised per token (a few hundred bytes
// each), so a cap keeps a hostile layout from exhausting memory; 2^24 is far above any VLM context.
inline constexpr std::int64_t kMaxTokensPerSequence = std::int64_t{1} << 24;

// A visual item as the language model sees it: grid after spatial merging, in LLM tokens.
struct VisualTokens {
  std::int64_t t = 1, h = 1, w = 1;  // T, H' = H / merge, W' = W / merge
  std::int64_t count() const { return t * h * w; }
};

inline std::string describe(const Segment& s) {
  struct V {
    std::string operator()(const TextRun& r) const { return "text:" + std::to_string(r.length); }
    std::string grid(const char* kind, const GridTHW& g) const {
      return std::string(kind) + ":" + std::to_string(g.t) + "x" + std::to_string(g.h) + "x" + std::to_string(g.w);
    }
    std::string operator()(const Image& i) const { return grid("image", i.grid); }
    std::string operator()(const Video& v) const {
      std::string s = grid("video", v.grid);
      if (v.seconds_per_grid) s += "@" + format_rational(*v.seconds_per_grid);
      return s;
    }
  };
  return std::visit(V{}, s);
}

// "segment 3 (image:1x5x6)": how errors name a segment. Segments are numbered from 1.
inline std::string segment_label(std::size_t index, const Segment& s) {
  return "segment " + std::to_string(index + 1) + " (" + describe(s) + ")";
}

inline bool is_visual(const Segment& s) { return !std::holds_alternative<TextRun>(s); }
inline const GridTHW& grid_of(const Segment& s) {
  return std::holds_alternative<Image>(s) ? std::get<Image>(s).grid : std::get<Video>(s).grid;
}

// Multiplies two positive counts, or nullopt when the product passes kMaxTokensPerSequence.
inline std::optional<std::int64_t> bounded_product(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_mul_overflow(a, b, &r) || r > kMaxTokensPerSequence) return std::nullopt;
  return r;
}

// The LLM tokens of a visual grid after merging merge x merge patches; throws naming the segment.
inline VisualTokens visual_tokens(std::size_t index, const Segment& s, std::int64_t merge) {
  const GridTHW& g = grid_of(s);
  auto fail = [&](const std::string& why) { throw Error(segment_label(index, s) + ": " + why); };
  if (g.t <= 0 || g.h <= 0 || g.w <= 0) fail("every grid dimension must be at least 1 (an empty grid has no tokens)");
  if (g.h % merge != 0) fail("grid height " + std::to_string(g.h) + " is not divisible by the merge size " + std::to_string(merge));
  if (g.w % merge != 0) fail("grid width " + std::to_string(g.w) + " is not divisible by the merge size " + std::to_string(merge));
  VisualTokens v{g.t, g.h / merge, g.w / merge};
  auto hw = bounded_product(v.h, v.w);
  if (!hw || !bounded_product(*hw, v.t))
    fail("the item has more than " + std::to_string(kMaxTokensPerSequence) + " tokens");
  return v;
}

// Checks every segment; throws an Error naming the first bad segment and the reason.
// Checks that need a design (positions overflowing int64) are made while positions are assigned.
inline void validate(const Sequence& seq, std::int64_t merge) {
  if (merge <= 0) throw Error("merge size must be at least 1, got " + std::to_string(merge));
  if (seq.segments.empty()) throw Error("the layout is empty: give at least one segment");
  std::int64_t total = 0;
  for (std::size_t i = 0; i < seq.segments.size(); ++i) {
    const Segment& s = seq.segments[i];
    std::int64_t n = 0;
    if (auto* text = std::get_if<TextRun>(&s)) {
      if (text->length <= 0) throw Error(segment_label(i, s) + ": a text run needs at least 1 token");
      n = text->length;
    } else {
      if (auto* video = std::get_if<Video>(&s); video && video->seconds_per_grid && *video->seconds_per_grid <= 0)
        throw Error(segment_label(i, s) + ": seconds per grid must be positive");
      n = visual_tokens(i, s, merge).count();
    }
    if (__builtin_add_overflow(total, n, &total) || total > kMaxTokensPerSequence)
      throw Error(segment_label(i, s) + ": the sequence passes the limit of " +
                  std::to_string(kMaxTokensPerSequence) + " tokens");
  }
}

}  // namespace mmrope
