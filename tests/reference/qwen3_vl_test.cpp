// Qwen3-VL: a video is split into T=1 frame blocks with timestamp text between them; MRoPE positions, no reset.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"
#include "test_support.hpp"

namespace mmrope {
namespace {

// Research 7.4: video_grid_thw (2,4,4) -> two (1,4,4) frames of 2 x 2 tokens; timestamp text 3 tokens,
// so frame_prefix_tokens = 3 + <vs> = 4 (the default) and frame_suffix_tokens = <ve> = 1 (the default).
// Layout text:1 video:2x4x4 text:1:
//   q 0; ts0 1..3; <vs> 4; frame0 at S = 5: (5, 5+hh, 5+ww); <ve> = 5 + max(0,1,1) + 1 = 7;
//   ts1 8..10; <vs> 11; frame1 at S = 12: (12, 12+hh, 12+ww); <ve> = 12 + 1 + 1 = 14; r 15.
// next = 16; L = 1 + 2 * (4 + 4 + 1) + 1 = 20; delta = 16 - 20 = -4.
TEST(Qwen3Vl, TwoFrameVideoResearchExample) {
  auto out = make_preset_design(find_preset("qwen3-vl"))->assign(parse_layout("text:1 video:2x4x4 text:1"));
  expect_positions(out, {{0, 0, 0},
                         {1, 1, 1}, {2, 2, 2}, {3, 3, 3}, {4, 4, 4},
                         {5, 5, 5}, {5, 5, 6}, {5, 6, 5}, {5, 6, 6},
                         {7, 7, 7},
                         {8, 8, 8}, {9, 9, 9}, {10, 10, 10}, {11, 11, 11},
                         {12, 12, 12}, {12, 12, 13}, {12, 13, 12}, {12, 13, 13},
                         {14, 14, 14},
                         {15, 15, 15}});
  // The timestamp text and <vs>/<ve> are text tokens of the video's segment.
  expect_kinds(out, "ttttt" "vvvv" "t" "tttt" "vvvv" "t" "t");
  EXPECT_EQ(out.tokens[1].segment, 1);
  EXPECT_EQ(out.tokens[9].segment, 1);
  EXPECT_EQ(out.tokens[19].segment, 2);
  EXPECT_EQ(out.next_position, Coordinate(16));
  EXPECT_EQ(out.rope_delta, Coordinate(-4));
}

// No frame text at all: frames follow each other directly.
// text:1 video:2x4x4 text:1 with prefix 0, suffix 0: q 0; frame0 at S = 1, next = 1 + 1 + 1 = 3;
// frame1 at S = 3: (3, 3+hh, 3+ww), next = 5; r 5; next 6; L = 10; delta -4.
TEST(Qwen3Vl, NoFrameText) {
  auto d = make_design("qwen3-vl", {{"frame_prefix_tokens", "0"}, {"frame_suffix_tokens", "0"}});
  auto out = d->assign(parse_layout("text:1 video:2x4x4 text:1"));
  expect_positions(out, {{0, 0, 0},
                         {1, 1, 1}, {1, 1, 2}, {1, 2, 1}, {1, 2, 2},
                         {3, 3, 3}, {3, 3, 4}, {3, 4, 3}, {3, 4, 4},
                         {5, 5, 5}});
  EXPECT_EQ(out.next_position, Coordinate(6));
  EXPECT_EQ(out.rope_delta, Coordinate(-4));
}

// Three non-square frames (H' = 1, W' = 3), prefix 2, suffix 1, layout video:3x2x6 alone:
//   f0: text 0, 1; S = 2: (2, 2, 2..4); next = 2 + max(0, 0, 2) + 1 = 5; suffix 5
//   f1: text 6, 7; S = 8: (8, 8, 8..10); next = 11; suffix 11
//   f2: text 12, 13; S = 14: (14, 14, 14..16); next = 17; suffix 17
// next = 18; L = 3 * (2 + 3 + 1) = 18; delta 0.
TEST(Qwen3Vl, ThreeNonSquareFramesWithCustomFrameText) {
  auto d = make_design("qwen3-vl", {{"frame_prefix_tokens", "2"}, {"frame_suffix_tokens", "1"}});
  auto out = d->assign(parse_layout("video:3x2x6"));
  expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {2, 2, 2}, {2, 2, 3}, {2, 2, 4}, {5, 5, 5},
                         {6, 6, 6}, {7, 7, 7}, {8, 8, 8}, {8, 8, 9}, {8, 8, 10}, {11, 11, 11},
                         {12, 12, 12}, {13, 13, 13}, {14, 14, 14}, {14, 14, 15}, {14, 14, 16}, {17, 17, 17}});
  EXPECT_EQ(out.next_position, Coordinate(18));
  EXPECT_EQ(out.rope_delta, Coordinate(0));
}

// Every frame has t = its own S: the temporal row never resets and never uses seconds per grid.
TEST(Qwen3Vl, IgnoresSecondsPerGrid) {
  auto d = make_preset_design(find_preset("qwen3-vl"));
  auto plain = d->assign(parse_layout("text:1 video:2x4x4 text:1"));
  for (const char* layout : {"text:1 video:2x4x4@0.5 text:1", "text:1 video:2x4x4@3 text:1"}) {
    SCOPED_TRACE(layout);
    auto out = d->assign(parse_layout(layout));
    ASSERT_EQ(out.tokens.size(), plain.tokens.size());
    for (std::size_t i = 0; i < out.tokens.size(); ++i) EXPECT_TRUE(out.tokens[i].pos == plain.tokens[i].pos) << i;
  }
}

// Images are not split: MRoPE's image rule (research 7.1): S = 3, next = 3 + max(0, 1, 2) + 1 = 6.
TEST(Qwen3Vl, ImagesAsInMrope) {
  auto out = make_preset_design(find_preset("qwen3-vl"))->assign(parse_layout("text:3 image:1x4x6 text:2"));
  expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {2, 2, 2},
                         {3, 3, 3}, {3, 3, 4}, {3, 3, 5}, {3, 4, 3}, {3, 4, 4}, {3, 4, 5},
                         {6, 6, 6}, {7, 7, 7}});
}

// A Qwen3-VL video equals MRoPE on the layout the processor writes: per frame prefix text, a
// 1xHxW block, suffix text. text:2 video:3x4x6 text:1 with prefix 4, suffix 1 equals
// text:2+4 video:1x4x6 text:1+4 video:1x4x6 text:1+4 video:1x4x6 text:1+1 under MRoPE.
TEST(Qwen3Vl, EqualsMropeOnTheWrittenOutFrames) {
  auto q3 = make_preset_design(find_preset("qwen3-vl"))->assign(parse_layout("text:2 video:3x4x6 text:1"));
  auto mr = make_design("mrope")->assign(
      parse_layout("text:6 video:1x4x6 text:5 video:1x4x6 text:5 video:1x4x6 text:2"));
  ASSERT_EQ(q3.tokens.size(), mr.tokens.size());
  for (std::size_t i = 0; i < q3.tokens.size(); ++i) {
    EXPECT_TRUE(q3.tokens[i].pos == mr.tokens[i].pos) << "token " << i;
    EXPECT_EQ(q3.tokens[i].kind, mr.tokens[i].kind) << "token " << i;
  }
  EXPECT_EQ(q3.next_position, mr.next_position);
  EXPECT_EQ(q3.rope_delta, mr.rope_delta);
}

// The frame text counts toward the token limit before anything is allocated: video:1x8192x8192 is
// exactly 4096 * 4096 = 2^24 visual tokens (allowed alone), plus 4 + 1 frame text tokens.
TEST(Qwen3Vl, FrameTextCountsTowardTheTokenLimit) {
  auto d = make_preset_design(find_preset("qwen3-vl"));
  expect_error([&] { d->assign(parse_layout("video:1x8192x8192")); },
               {"segment 1 (video:1x8192x8192)", "under qwen3-vl", "passes the limit of 16777216 tokens"});
}

TEST(Qwen3Vl, FrameTextCountsAreBounded) {
  expect_error([] { make_design("qwen3-vl", {{"frame_prefix_tokens", "1025"}}); }, {"at most 1024"});
  expect_error([] { make_design("qwen3-vl", {{"frame_suffix_tokens", "-1"}}); }, {"frame_suffix_tokens", "non-negative"});
}

}  // namespace
}  // namespace mmrope
