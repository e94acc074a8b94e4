// Golden positions of MRoPE (Qwen2-VL) and its transformers 5.3 reading, re-derived by hand.
#include <gtest/gtest.h>

#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"
#include "test_support.hpp"

namespace mmrope {
namespace {

// text:3 image:1x4x6 text:2 with merge 2: the image is 1 x 2 x 3 LLM tokens at S = 3.
// Text after = S + max(0, 1, 2) + 1 = 6 (docs/layout-rules.md 1.3's example, re-derived from the rule).
TEST(Mrope, ImageBetweenText) {
  auto d = make_design("mrope");
  auto out = d->assign(parse_layout("text:3 image:1x4x6 text:2"));
  expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {2, 2, 2},
                         {3, 3, 3}, {3, 3, 4}, {3, 3, 5}, {3, 4, 3}, {3, 4, 4}, {3, 4, 5},
                         {6, 6, 6}, {7, 7, 7}});
  expect_kinds(out, "tttiiiiiitt");
  EXPECT_EQ(out.next_position, Coordinate(8));
  EXPECT_EQ(out.rope_delta, Coordinate(8 - 11));
}

// Research 7.2: a b c <vs> | 6 pads | <ve> d e. S = 4 (four text tokens 0..3).
// Pads (4, 4 + hh, 4 + ww) for hh < 2, ww < 3; <ve> = 4 + max(0, 1, 2) + 1 = 7; d = 8, e = 9;
// next = 10, delta = 10 - 13 = -3.
TEST(Mrope, ExplicitVisionStartAndEnd) {
  auto out = make_design("mrope")->assign(parse_layout("text:4 image:1x4x6 text:3"));
  expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {2, 2, 2}, {3, 3, 3},
                         {4, 4, 4}, {4, 4, 5}, {4, 4, 6}, {4, 5, 4}, {4, 5, 5}, {4, 5, 6},
                         {7, 7, 7}, {8, 8, 8}, {9, 9, 9}});
  EXPECT_EQ(out.next_position, Coordinate(10));
  EXPECT_EQ(out.rope_delta, Coordinate(-3));
}

// Two images and a video interleaved with text, Qwen2-VL (temporal stride 1):
//   text:2           -> 0, 1                                   cursor 2
//   image 1x4x4      -> (1,2,2) tokens at S = 2: (2, 2+hh, 2+ww); next = 2 + max(0,1,1) + 1 = 4
//   text:1           -> 4                                      cursor 5
//   video 2x4x6      -> (2,2,3) at S = 5: (5+tt, 5+hh, 5+ww);  next = 5 + max(1,1,2) + 1 = 8
//   text:2           -> 8, 9                                   cursor 10
//   image 1x2x6      -> (1,1,3) at S = 10: (10, 10, 10+ww);    next = 10 + max(0,0,2) + 1 = 13
//   text:1           -> 13                                     next position 14
// L = 2 + 4 + 1 + 12 + 2 + 3 + 1 = 25, delta = 14 - 25 = -11.
TEST(Mrope, TwoImagesAndVideoInterleaved) {
  auto out = make_design("mrope")->assign(
      parse_layout("text:2 image:1x4x4 text:1 video:2x4x6 text:2 image:1x2x6 text:1"));
  expect_positions(out, {{0, 0, 0}, {1, 1, 1},
                         {2, 2, 2}, {2, 2, 3}, {2, 3, 2}, {2, 3, 3},
                         {4, 4, 4},
                         {5, 5, 5}, {5, 5, 6}, {5, 5, 7}, {5, 6, 5}, {5, 6, 6}, {5, 6, 7},
                         {6, 5, 5}, {6, 5, 6}, {6, 5, 7}, {6, 6, 5}, {6, 6, 6}, {6, 6, 7},
                         {8, 8, 8}, {9, 9, 9},
                         {10, 10, 10}, {10, 10, 11}, {10, 10, 12},
                         {13, 13, 13}});
  expect_kinds(out, "ttiiiitvvvvvvvvvvvvttiiit");
  // Every token remembers its layout segment.
  EXPECT_EQ(out.tokens[0].segment, 0);
  EXPECT_EQ(out.tokens[2].segment, 1);
  EXPECT_EQ(out.tokens[6].segment, 2);
  EXPECT_EQ(out.tokens[7].segment, 3);
  EXPECT_EQ(out.tokens[24].segment, 6);
  EXPECT_EQ(out.next_position, Coordinate(14));
  EXPECT_EQ(out.rope_delta, Coordinate(-11));
}

// Qwen2-VL (stride 1) video with T = 4 > H' = W' = 2: text:3 video:4x4x4 text:2, S = 3.
// Frame k: t = 3 + k (3..6); h, w in {3, 4}.
//   max-plus-one (4.x):    <ve> = 3 + max(3, 1, 1) + 1 = 7; c = 8; next 9; delta 9 - 21 = -12
//   spatial-extent (5.3):  <ve> = 3 + max(2, 2) = 5;          c = 6; next 7; delta 7 - 21 = -14
std::vector<Triple> qwen2_video_4x2x2(std::int64_t ve) {
  std::vector<Triple> want = {{0, 0, 0}, {1, 1, 1}, {2, 2, 2}};
  for (std::int64_t k = 0; k < 4; ++k)
    for (std::int64_t hh = 0; hh < 2; ++hh)
      for (std::int64_t ww = 0; ww < 2; ++ww) want.push_back({3 + k, 3 + hh, 3 + ww});
  want.push_back({ve, ve, ve});
  want.push_back({ve + 1, ve + 1, ve + 1});
  return want;
}

TEST(Mrope, MultiFrameVideoMaxPlusOne) {
  auto out = make_design("mrope")->assign(parse_layout("text:3 video:4x4x4 text:2"));
  expect_positions(out, qwen2_video_4x2x2(7));
  EXPECT_EQ(out.next_position, Coordinate(9));
  EXPECT_EQ(out.rope_delta, Coordinate(-12));
}

TEST(Mrope, MultiFrameVideoSpatialExtent) {
  auto out = make_design("mrope", {{"next_rule", "spatial-extent"}})->assign(parse_layout("text:3 video:4x4x4 text:2"));
  expect_positions(out, qwen2_video_4x2x2(5));
  // The text after the video (5, 6) lies below the video's last frame (t = 6): the 5.3 regression.
  EXPECT_TRUE(out.tokens[19].pos.t < out.tokens[18].pos.t);
  EXPECT_EQ(out.next_position, Coordinate(7));
  EXPECT_EQ(out.rope_delta, Coordinate(-14));
  // The preset for the 5.x rule gives the same positions.
  auto preset = make_preset_design(find_preset("qwen2-vl-hf5"))->assign(parse_layout("text:3 video:4x4x4 text:2"));
  expect_positions(preset, qwen2_video_4x2x2(5));
}

// Research 7.3, Qwen2.5-VL, fps 2 -> seconds_per_grid 1, tokens_per_second 2 -> t step 2.
// text:3 video:4x4x4 text:2, S = 3: frame k at t = 3 + 2k (3, 5, 7, 9), h, w in {3, 4}.
//   4.x:  <ve> = 3 + max(6, 1, 1) + 1 = 10, c = 11, next 12, delta 12 - 21 = -9
//   5.3:  <ve> = 3 + max(2, 2) = 5, c = 6
std::vector<Triple> qwen25_video_fps2(std::int64_t ve) {
  std::vector<Triple> want = {{0, 0, 0}, {1, 1, 1}, {2, 2, 2}};
  for (std::int64_t k = 0; k < 4; ++k)
    for (std::int64_t hh = 0; hh < 2; ++hh)
      for (std::int64_t ww = 0; ww < 2; ++ww) want.push_back({3 + 2 * k, 3 + hh, 3 + ww});
  want.push_back({ve, ve, ve});
  want.push_back({ve + 1, ve + 1, ve + 1});
  return want;
}

TEST(Mrope, Qwen25VideoTransformers4VersusTransformers5) {
  const auto layout = parse_layout("text:3 video:4x4x4@1 text:2");
  auto v4 = make_preset_design(find_preset("qwen2.5-vl"))->assign(layout);
  expect_positions(v4, qwen25_video_fps2(10));
  EXPECT_EQ(v4.next_position, Coordinate(12));
  EXPECT_EQ(v4.rope_delta, Coordinate(-9));
  auto v5 = make_preset_design(find_preset("qwen2.5-vl-hf5"))->assign(layout);
  expect_positions(v5, qwen25_video_fps2(5));
}

// transformers 5.x computes the decode delta as max(all prompt positions) + 1 - L (S5; research 2.2,
// 7.3: delta = (9 + 1) - 21 = -11, first generated token at 10, a jump from the last text at 6):
// decoding starts past the prompt cursor (7) after a multi-frame video.
TEST(Mrope, Qwen25VideoTransformers5DecodeStartsAfterPromptMax) {
  auto v5 = make_preset_design(find_preset("qwen2.5-vl-hf5"))->assign(parse_layout("text:3 video:4x4x4@1 text:2"));
  EXPECT_EQ(v5.next_position, Coordinate(10));
  EXPECT_EQ(v5.rope_delta, Coordinate(-11));
}

// With one temporal grid the two next rules agree: S + max(H', W') = S + max(0, H'-1, W'-1) + 1.
// text:1 image:1x6x2 (H' = 3, W' = 1) at S = 1: next = 1 + 3 = 4 under both rules.
TEST(Mrope, NextRulesAgreeForSingleTemporalGrid) {
  for (const char* rule : {"max-plus-one", "spatial-extent"}) {
    SCOPED_TRACE(rule);
    auto out = make_design("mrope", {{"next_rule", rule}})->assign(parse_layout("text:1 image:1x6x2 text:1"));
    expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {1, 2, 1}, {1, 3, 1}, {4, 4, 4}});
    EXPECT_EQ(out.next_position, Coordinate(5));
  }
}

// A fractional temporal stride stays exact: text:1 video:3x2x2 with stride 1/2, S = 1, H' = W' = 1:
// t = 1, 1.5, 2; h = w = 1; next = max(2, 1, 1) + 1 = 3.
TEST(Mrope, FractionalTemporalStrideIsExact) {
  auto out = make_design("mrope", {{"temporal_stride", "1/2"}})->assign(parse_layout("text:1 video:3x2x2 text:1"));
  expect_coordinates(out, {{Q(0), Q(0), Q(0)}, {Q(1), Q(1), Q(1)}, {Q(3, 2), Q(1), Q(1)}, {Q(2), Q(1), Q(1)},
                           {Q(3), Q(3), Q(3)}});
  EXPECT_EQ(out.next_position, Coordinate(4));
}

// Temporal stride 2 (the Multimodal-RoPEs default): text:1 video:2x4x2 (T=2, H'=2, W'=1) at S = 1:
// t = 1, 3; h in {1, 2}; w = 1; next = 1 + max(2, 1, 0) + 1 = 4.
TEST(Mrope, TemporalStrideTwo) {
  auto out = make_design("mrope", {{"temporal_stride", "2"}})->assign(parse_layout("text:1 video:2x4x2 text:1"));
  expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {1, 2, 1}, {3, 1, 1}, {3, 2, 1}, {4, 4, 4}});
}

// Merge size 1: an image 1x2x3 is 2 x 3 LLM tokens. text:1 at 0, S = 1, next = 1 + max(0,1,2) + 1 = 4.
TEST(Mrope, MergeSizeOne) {
  auto out = make_design("mrope", {{"merge_size", "1"}})->assign(parse_layout("text:1 image:1x2x3 text:1"));
  expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {1, 1, 2}, {1, 1, 3}, {1, 2, 1}, {1, 2, 2}, {1, 2, 3}, {4, 4, 4}});
}

// A layout that starts with an image: S = 0. image 1x4x4 -> (0, hh, ww); next = 0 + 1 + 1 = 2.
// Two images back to back: the second starts at the first one's next (2).
TEST(Mrope, LeadingAndAdjacentImages) {
  auto out = make_design("mrope")->assign(parse_layout("image:1x4x4 image:1x2x2"));
  expect_positions(out, {{0, 0, 0}, {0, 0, 1}, {0, 1, 0}, {0, 1, 1}, {2, 2, 2}});
  EXPECT_EQ(out.next_position, Coordinate(3));
  EXPECT_EQ(out.rope_delta, Coordinate(3 - 5));
}

}  // namespace
}  // namespace mmrope
