// IL-RoPE / Omni-RoPE: visual (S + t*stride, h, w) per block; text (p, 0, 0) as the papers define it, or (p, p, p).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"
#include "test_support.hpp"

namespace mmrope {
namespace {

// text:3 image:1x4x6 text:2, S = 3, (H', W') = (2, 3), text_spatial = zero (default, the papers):
// text (p, 0, 0); visual (3, hh, ww); next = 3 + max((1-1)*1 + 1, 2, 3) = 6; text (6,0,0), (7,0,0);
// next 8; delta 8 - 11 = -3.
TEST(IlRope, TextSpatialZero) {
  for (const char* preset : {"il-rope", "omni-rope"}) {
    SCOPED_TRACE(preset);
    auto out = make_preset_design(find_preset(preset))->assign(parse_layout("text:3 image:1x4x6 text:2"));
    expect_positions(out, {{0, 0, 0}, {1, 0, 0}, {2, 0, 0},
                           {3, 0, 0}, {3, 0, 1}, {3, 0, 2}, {3, 1, 0}, {3, 1, 1}, {3, 1, 2},
                           {6, 0, 0}, {7, 0, 0}});
    EXPECT_EQ(out.next_position, Coordinate(8));
    EXPECT_EQ(out.rope_delta, Coordinate(-3));
  }
}

// text_spatial = index (released OmniGen2 code, the Multimodal-RoPEs re-implementation): text (p, p, p),
// visual unchanged.
TEST(IlRope, TextSpatialIndex) {
  auto out = make_preset_design(find_preset("omni-rope-code"))->assign(parse_layout("text:3 image:1x4x6 text:2"));
  expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {2, 2, 2},
                         {3, 0, 0}, {3, 0, 1}, {3, 0, 2}, {3, 1, 0}, {3, 1, 1}, {3, 1, 2},
                         {6, 6, 6}, {7, 7, 7}});
  auto il = make_design("il-rope", {{"text_spatial", "index"}});
  EXPECT_TRUE(il->text_position(Coordinate(5)) == Position3::diagonal(Coordinate(5)));
  EXPECT_TRUE(make_design("il-rope")->text_position(Coordinate(5)) ==
              (Position3{Coordinate(5), Coordinate(0), Coordinate(0)}));
}

// Video T = 3, stride 1: text:2 video:3x4x4 text:1, S = 2: t = 2, 3, 4; h, w in {0, 1};
// next = 2 + max(2*1 + 1, 2, 2) = 5: text (5, 0, 0); next 6.
TEST(IlRope, VideoShiftCoversTheTemporalExtent) {
  auto out = make_design("il-rope")->assign(parse_layout("text:2 video:3x4x4 text:1"));
  std::vector<Triple> want = {{0, 0, 0}, {1, 0, 0}};
  for (std::int64_t t : {2, 3, 4})
    for (std::int64_t hh = 0; hh < 2; ++hh)
      for (std::int64_t ww = 0; ww < 2; ++ww) want.push_back({t, hh, ww});
  want.push_back({5, 0, 0});
  expect_positions(out, want);
  EXPECT_EQ(out.next_position, Coordinate(6));
}

// Stride 2 with a tall frame: text:1 video:2x8x4 text:1 (T=2, H'=4, W'=2), S = 1: t = 1, 3;
// next = 1 + max(1*2 + 1, 4, 2) = 5.
TEST(IlRope, TallFrameShiftsByItsHeight) {
  auto out = make_design("il-rope", {{"temporal_stride", "2"}})->assign(parse_layout("text:1 video:2x8x4 text:1"));
  ASSERT_EQ(out.tokens.size(), 1u + 16u + 1u);
  EXPECT_TRUE(out.tokens[1].pos == (Position3{Coordinate(1), Coordinate(0), Coordinate(0)}));
  EXPECT_TRUE(out.tokens[9].pos == (Position3{Coordinate(3), Coordinate(0), Coordinate(0)}));
  EXPECT_TRUE(out.tokens[16].pos == (Position3{Coordinate(3), Coordinate(3), Coordinate(1)}));
  EXPECT_TRUE(out.tokens[17].pos == (Position3{Coordinate(5), Coordinate(0), Coordinate(0)}));
}

// For T = 1 blocks, IL-RoPE's visual positions and its t row of text equal spatial reset's
// (research 5.8): shift + max(1, H', W') = S + max(0, H'-1, W'-1) + 1.
TEST(IlRope, EqualsSpatialResetForSingleFrameBlocks) {
  const auto layout = parse_layout("text:2 image:1x4x6 text:3 image:1x8x2 image:1x2x2 text:1 video:1x6x6 text:2");
  for (const char* text_spatial : {"zero", "index"}) {
    SCOPED_TRACE(text_spatial);
    auto il = make_design("il-rope", {{"text_spatial", text_spatial}})->assign(layout);
    auto sr = make_design("spatial-reset")->assign(layout);
    ASSERT_EQ(il.tokens.size(), sr.tokens.size());
    for (std::size_t i = 0; i < il.tokens.size(); ++i) {
      if (il.tokens[i].kind == TokenKind::text)
        EXPECT_EQ(il.tokens[i].pos.t, sr.tokens[i].pos.t) << i;
      else
        EXPECT_TRUE(il.tokens[i].pos == sr.tokens[i].pos) << i;
    }
    EXPECT_EQ(il.next_position, sr.next_position);
    EXPECT_EQ(il.rope_delta, sr.rope_delta);
  }
}

}  // namespace
}  // namespace mmrope
