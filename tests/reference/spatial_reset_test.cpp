// Spatial reset (MRoPE-I / MHRoPE): visual (S + t*stride, h, w) with h, w from 0; text and rope_delta as MRoPE.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"
#include "test_support.hpp"

namespace mmrope {
namespace {

// Research 7.1: text:3 image:1x4x6 text:2, S = 3, (H', W') = (2, 3).
// Visual (3, hh, ww); <ve> = 3 + max(0, 1, 2) + 1 = 6; y1 = 7; next 8; delta 8 - 11 = -3.
TEST(SpatialReset, ImageBetweenText) {
  for (const char* preset : {"mrope-i", "mhrope"}) {
    SCOPED_TRACE(preset);
    auto out = make_preset_design(find_preset(preset))->assign(parse_layout("text:3 image:1x4x6 text:2"));
    expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {2, 2, 2},
                           {3, 0, 0}, {3, 0, 1}, {3, 0, 2}, {3, 1, 0}, {3, 1, 1}, {3, 1, 2},
                           {6, 6, 6}, {7, 7, 7}});
    EXPECT_EQ(out.next_position, Coordinate(8));
    EXPECT_EQ(out.rope_delta, Coordinate(-3));
  }
}

// Research 7.2: a b c <vs> | 6 pads | <ve> d e, S = 4: pads (4, hh, ww); <ve> 7; d 8; e 9; delta 10 - 13 = -3.
TEST(SpatialReset, ExplicitVisionStartAndEnd) {
  auto out = make_design("spatial-reset")->assign(parse_layout("text:4 image:1x4x6 text:3"));
  expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {2, 2, 2}, {3, 3, 3},
                         {4, 0, 0}, {4, 0, 1}, {4, 0, 2}, {4, 1, 0}, {4, 1, 1}, {4, 1, 2},
                         {7, 7, 7}, {8, 8, 8}, {9, 9, 9}});
  EXPECT_EQ(out.rope_delta, Coordinate(-3));
}

// Research 7.4 with reset, frames written out as the Qwen3-VL processor does:
// q ts0a ts0b ts0c <vs> = text:5 (0..4); frame0 at S = 5: (5, hh, ww); <ve> = 5 + max(0,1,1) + 1 = 7;
// <ve> ts1a ts1b ts1c <vs> = text:5 (7..11); frame1 at S = 12: (12, hh, ww); <ve> 14; r 15.
// next 16; L = 5 + 4 + 5 + 4 + 2 = 20; delta -4.
TEST(SpatialReset, TwoFramesResearchExample) {
  auto out = make_design("spatial-reset")->assign(parse_layout("text:5 video:1x4x4 text:5 video:1x4x4 text:2"));
  expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {2, 2, 2}, {3, 3, 3}, {4, 4, 4},
                         {5, 0, 0}, {5, 0, 1}, {5, 1, 0}, {5, 1, 1},
                         {7, 7, 7}, {8, 8, 8}, {9, 9, 9}, {10, 10, 10}, {11, 11, 11},
                         {12, 0, 0}, {12, 0, 1}, {12, 1, 0}, {12, 1, 1},
                         {14, 14, 14}, {15, 15, 15}});
  EXPECT_EQ(out.next_position, Coordinate(16));
  EXPECT_EQ(out.rope_delta, Coordinate(-4));
}

// A multi-frame video with stride 2: text:2 video:3x4x6 text:1, S = 2, (T, H', W') = (3, 2, 3):
// t = 2, 4, 6; h in {0, 1}; w in {0, 1, 2}; next = 2 + max(2*2, 1, 2) + 1 = 7; text 7; next 8.
TEST(SpatialReset, MultiFrameVideoWithStrideTwo) {
  auto out = make_design("spatial-reset", {{"temporal_stride", "2"}})->assign(parse_layout("text:2 video:3x4x6 text:1"));
  std::vector<Triple> want = {{0, 0, 0}, {1, 1, 1}};
  for (std::int64_t t : {2, 4, 6})
    for (std::int64_t hh = 0; hh < 2; ++hh)
      for (std::int64_t ww = 0; ww < 3; ++ww) want.push_back({t, hh, ww});
  want.push_back({7, 7, 7});
  expect_positions(out, want);
  EXPECT_EQ(out.next_position, Coordinate(8));
  EXPECT_EQ(out.rope_delta, Coordinate(8 - 21));
}

// The spatial extent wins over a short temporal extent: video:2x2x8 (T=2, H'=1, W'=4) at S = 0,
// stride 1: t = 0, 1; next = 0 + max(1, 0, 3) + 1 = 4.
TEST(SpatialReset, WideFrameAdvancesByItsWidth) {
  auto out = make_design("spatial-reset")->assign(parse_layout("video:2x2x8 text:1"));
  expect_positions(out, {{0, 0, 0}, {0, 0, 1}, {0, 0, 2}, {0, 0, 3}, {1, 0, 0}, {1, 0, 1}, {1, 0, 2}, {1, 0, 3},
                         {4, 4, 4}});
}

// A tiny deterministic generator (64-bit LCG) for varied layouts; no dependence on std's distributions.
struct Lcg {
  std::uint64_t s;
  std::int64_t below(std::int64_t n) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::int64_t>((s >> 33) % static_cast<std::uint64_t>(n));
  }
};

std::string random_layout(Lcg& g) {
  std::string text;
  const std::int64_t n = 1 + g.below(6);
  for (std::int64_t i = 0; i < n; ++i) {
    if (!text.empty()) text += ' ';
    switch (g.below(3)) {
      case 0: text += "text:" + std::to_string(1 + g.below(5)); break;
      case 1:
        text += "image:1x" + std::to_string(2 * (1 + g.below(6))) + "x" + std::to_string(2 * (1 + g.below(6)));
        break;
      default:
        text += "video:" + std::to_string(1 + g.below(4)) + "x" + std::to_string(2 * (1 + g.below(4))) + "x" +
                std::to_string(2 * (1 + g.below(4)));
    }
  }
  return text;
}

// Spatial reset changes only the h and w of visual tokens: for the same temporal stride, text tokens,
// the t of visual tokens, next_position and rope_delta equal MRoPE's (research 5.2), and visual h, w
// are MRoPE's minus the block offset S (= the t of the block's first token).
TEST(SpatialReset, TextAndDeltaEqualMropeOnVariedLayouts) {
  Lcg g{20251123};
  for (const char* stride : {"1", "2", "1/2"}) {
    auto reset = make_design("spatial-reset", {{"temporal_stride", stride}});
    auto mrope = make_design("mrope", {{"temporal_stride", stride}});
    for (int n = 0; n < 60; ++n) {
      const std::string layout = random_layout(g);
      SCOPED_TRACE(std::string(stride) + ": " + layout);
      auto a = reset->assign(parse_layout(layout));
      auto b = mrope->assign(parse_layout(layout));
      ASSERT_EQ(a.tokens.size(), b.tokens.size());
      Coordinate block_s;
      std::int64_t block_segment = -1;
      for (std::size_t i = 0; i < a.tokens.size(); ++i) {
        const auto& x = a.tokens[i];
        const auto& y = b.tokens[i];
        ASSERT_EQ(x.kind, y.kind);
        if (x.kind == TokenKind::text) {
          ASSERT_TRUE(x.pos == y.pos) << "text token " << i;
          continue;
        }
        if (x.segment != block_segment) {  // first token of a block: (S, 0, 0) vs (S, S, S)
          block_segment = x.segment;
          block_s = y.pos.t;
          ASSERT_TRUE(y.pos == Position3::diagonal(block_s)) << "token " << i;
        }
        ASSERT_EQ(x.pos.t, y.pos.t) << "token " << i;
        ASSERT_EQ(x.pos.h + block_s, y.pos.h) << "token " << i;
        ASSERT_EQ(x.pos.w + block_s, y.pos.w) << "token " << i;
      }
      ASSERT_EQ(a.next_position, b.next_position);
      ASSERT_EQ(a.rope_delta, b.rope_delta);
    }
  }
}

}  // namespace
}  // namespace mmrope
