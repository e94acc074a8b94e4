// VideoRoPE diagonal layout: golden positions under the official code rule and the paper rule, and the h/w overlap.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"
#include "test_support.hpp"

namespace mmrope {
namespace {

// Research 7.1, VideoRoPE column (code rule, delta 2): S = 3, (H', W') = (2, 3),
// centres floor((2-1)/2) = 0 and floor((3-1)/2) = 1: t = 3, h = 3 + hh, w = 3 + ww - 1.
// next = S + 2 * (1 - 1) + 1 = 4 (t row only): <ve> 4, y1 5; next 6; delta 6 - 11 = -5.
TEST(VideoRope, ImageBetweenTextCodeRule) {
  auto out = make_preset_design(find_preset("videorope"))->assign(parse_layout("text:3 image:1x4x6 text:2"));
  expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {2, 2, 2},
                         {3, 3, 2}, {3, 3, 3}, {3, 3, 4}, {3, 4, 2}, {3, 4, 3}, {3, 4, 4},
                         {4, 4, 4}, {5, 5, 5}});
  EXPECT_EQ(out.next_position, Coordinate(6));
  EXPECT_EQ(out.rope_delta, Coordinate(-5));
}

// Paper rule (eq. 7), same layout: centres H'/2 = 1, W'/2 = 3/2: h = 3 + hh - 1, w = 3 + ww - 3/2;
// next = S + delta * T = 3 + 2 = 5: text 5, 6; next 7; delta 7 - 11 = -4.
TEST(VideoRope, ImageBetweenTextPaperRule) {
  auto out = make_preset_design(find_preset("videorope-paper"))->assign(parse_layout("text:3 image:1x4x6 text:2"));
  expect_coordinates(out, {{Q(0), Q(0), Q(0)}, {Q(1), Q(1), Q(1)}, {Q(2), Q(2), Q(2)},
                           {Q(3), Q(2), Q(3, 2)}, {Q(3), Q(2), Q(5, 2)}, {Q(3), Q(2), Q(7, 2)},
                           {Q(3), Q(3), Q(3, 2)}, {Q(3), Q(3), Q(5, 2)}, {Q(3), Q(3), Q(7, 2)},
                           {Q(5), Q(5), Q(5)}, {Q(6), Q(6), Q(6)}});
  EXPECT_EQ(out.next_position, Coordinate(7));
  EXPECT_EQ(out.rope_delta, Coordinate(-4));
}

// A video, code rule, delta 2: text:1 video:3x4x4 text:1, S = 1, H' = W' = 2 (centre 0):
// frame f at t = 1 + 2f (1, 3, 5), h = t + hh, w = t + ww; next = 1 + 2 * 2 + 1 = 6.
TEST(VideoRope, VideoCodeRule) {
  auto out = make_design("videorope")->assign(parse_layout("text:1 video:3x4x4 text:1"));
  std::vector<Triple> want = {{0, 0, 0}};
  for (std::int64_t t : {1, 3, 5})
    for (std::int64_t hh = 0; hh < 2; ++hh)
      for (std::int64_t ww = 0; ww < 2; ++ww) want.push_back({t, t + hh, t + ww});
  want.push_back({6, 6, 6});
  expect_positions(out, want);
  EXPECT_EQ(out.next_position, Coordinate(7));
}

// Same video, paper rule: centre 2/2 = 1: h = t + hh - 1, w = t + ww - 1; next = 1 + 2 * 3 = 7.
TEST(VideoRope, VideoPaperRule) {
  auto out = make_design("videorope", {{"rule", "paper"}})->assign(parse_layout("text:1 video:3x4x4 text:1"));
  std::vector<Triple> want = {{0, 0, 0}};
  for (std::int64_t t : {1, 3, 5})
    for (std::int64_t hh = 0; hh < 2; ++hh)
      for (std::int64_t ww = 0; ww < 2; ++ww) want.push_back({t, t + hh - 1, t + ww - 1});
  want.push_back({7, 7, 7});
  expect_positions(out, want);
}

// The vLLM path's delta 1 and odd sizes: text:1 video:2x6x2 (T=2, H'=3, W'=1), S = 1:
// centre floor(2/2) = 1 for h, 0 for w: frame f at t = 1 + f: h = t + hh - 1, w = t; next = 1 + 1 + 1 = 3.
TEST(VideoRope, TemporalStrideOneOddHeight) {
  auto out = make_design("videorope", {{"temporal_stride", "1"}})->assign(parse_layout("text:1 video:2x6x2 text:1"));
  expect_positions(out, {{0, 0, 0}, {1, 0, 1}, {1, 1, 1}, {1, 2, 1}, {2, 1, 2}, {2, 2, 2}, {2, 3, 2}, {3, 3, 3}});
}

// Even sizes centre by floor((n-1)/2), not n/2: H' = 4 -> 1 under the code rule, 2 under the paper rule.
// image:1x8x2 at S = 0 (H' = 4, W' = 1): code h = hh - 1 = -1..2; paper h = hh - 2 = -2..1, w = 0 - 1/2.
TEST(VideoRope, EvenHeightCentring) {
  auto code = make_design("videorope")->assign(parse_layout("image:1x8x2"));
  expect_positions(code, {{0, -1, 0}, {0, 0, 0}, {0, 1, 0}, {0, 2, 0}});
  auto paper = make_design("videorope", {{"rule", "paper"}})->assign(parse_layout("image:1x8x2"));
  expect_coordinates(paper, {{Q(0), Q(-2), Q(-1, 2)}, {Q(0), Q(-1), Q(-1, 2)}, {Q(0), Q(0), Q(-1, 2)},
                             {Q(0), Q(1), Q(-1, 2)}});
}

// Baseline-designs 3(c): 20 prefix text tokens (0..19), then a 32 x 32-token image (grid 1x64x64),
// then text. Code rule: S = 20, centre floor(31/2) = 15: image token (r, c) = (20, 20 + r - 15, 20 + c - 15),
// h, w in [5, 36]. Text after starts at S + 1 = 21: the k-th text token after (k = 1, 2, ...) is
// (20 + k)(1,1,1), and for k = 1..16 the image token r = c = 15 + k has the same h and w (20 + k);
// k = 17 (position 37) is past the image's h range [5, 36]. So exactly 16 text tokens collide.
TEST(VideoRope, TextAfterLargeImageCollidesInHeightAndWidth) {
  auto out = make_design("videorope")->assign(parse_layout("text:20 image:1x64x64 text:17"));
  ASSERT_EQ(out.tokens.size(), 20u + 1024u + 17u);
  // The image box.
  for (std::int64_t r = 0; r < 32; ++r)
    for (std::int64_t c = 0; c < 32; ++c) {
      const auto& p = out.tokens[static_cast<std::size_t>(20 + r * 32 + c)].pos;
      ASSERT_TRUE(p == (Position3{Coordinate(20), Coordinate(5 + r), Coordinate(5 + c)})) << r << "," << c;
    }
  int collisions = 0;
  for (std::int64_t k = 1; k <= 17; ++k) {
    const auto& text = out.tokens[static_cast<std::size_t>(20 + 1024 + k - 1)].pos;
    ASSERT_TRUE(text == Position3::diagonal(Coordinate(20 + k))) << k;
    bool hit = false;
    for (std::size_t i = 20; i < 20 + 1024; ++i)
      if (out.tokens[i].pos.h == text.h && out.tokens[i].pos.w == text.w) {
        hit = true;
        // the colliding token is r = c = 15 + k, differing from the text only in t (by k)
        EXPECT_EQ(i, static_cast<std::size_t>(20 + (15 + k) * 32 + (15 + k)));
        EXPECT_EQ(text.t - out.tokens[i].pos.t, Coordinate(k));
      }
    collisions += hit;
  }
  EXPECT_EQ(collisions, 16);
}

// Same layout, paper rule (delta 2): centre 32/2 = 16: h, w = 20 + r - 16 in [4, 35];
// text after starts at S + delta * T = 22: text m = 0, 1, ... at 22 + m collides with r = c = 18 + m
// while 18 + m <= 31, i.e. m = 0..13: 14 of the 17 text tokens collide.
TEST(VideoRope, PaperRuleOverlapExample) {
  auto out = make_design("videorope", {{"rule", "paper"}})->assign(parse_layout("text:20 image:1x64x64 text:17"));
  EXPECT_TRUE(out.tokens[20].pos == (Position3{Coordinate(20), Coordinate(4), Coordinate(4)}));
  EXPECT_TRUE(out.tokens[20 + 1023].pos == (Position3{Coordinate(20), Coordinate(35), Coordinate(35)}));
  int collisions = 0;
  for (std::int64_t m = 0; m < 17; ++m) {
    const auto& text = out.tokens[static_cast<std::size_t>(20 + 1024 + m)].pos;
    ASSERT_TRUE(text == Position3::diagonal(Coordinate(22 + m))) << m;
    for (std::size_t i = 20; i < 20 + 1024; ++i)
      if (out.tokens[i].pos.h == text.h && out.tokens[i].pos.w == text.w) ++collisions;
  }
  EXPECT_EQ(collisions, 14);
}

}  // namespace
}  // namespace mmrope
