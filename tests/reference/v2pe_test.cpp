// V2PE: visual tokens step by 2^-k from the last text position, text after = ceil(last visual) + 1; exact decimals.
#include <gtest/gtest.h>

#include <vector>

#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"
#include "test_support.hpp"

namespace mmrope {
namespace {

std::vector<CoordTriple> diagonal(const std::vector<Coordinate>& values) {
  std::vector<CoordTriple> out;
  for (const auto& v : values) out.push_back({v, v, v});
  return out;
}

// Step 1/4 (the preset: stride 64 of 256), text:3 image:1x4x6 text:2: last = 2, N = 6 tokens:
// visual 2 + k/4 = 2.25, 2.5, 2.75, 3, 3.25, 3.5; next = ceil(2 + 6/4) + 1 = ceil(3.5) + 1 = 5;
// text 5, 6; next 7; delta 7 - 11 = -4.
TEST(V2pe, QuarterStepRoundsUpAfterTheImage) {
  auto out = make_preset_design(find_preset("v2pe"))->assign(parse_layout("text:3 image:1x4x6 text:2"));
  expect_coordinates(out, diagonal({Q(0), Q(1), Q(2), Q(9, 4), Q(5, 2), Q(11, 4), Q(3), Q(13, 4), Q(7, 2), Q(5), Q(6)}));
  EXPECT_EQ(out.tokens[3].pos.t.to_string(), "2.25");
  EXPECT_EQ(out.tokens[8].pos.t.to_string(), "3.5");
  EXPECT_EQ(out.next_position, Coordinate(7));
  EXPECT_EQ(out.rope_delta, Coordinate(-4));
}

// Step 1 (visual_step_log2 = 0) is vanilla: visual 3..8, next = ceil(2 + 6) + 1 = 9; text 9, 10.
TEST(V2pe, UnitStepIsVanilla) {
  auto out = make_design("v2pe", {{"visual_step_log2", "0"}})->assign(parse_layout("text:3 image:1x4x6 text:2"));
  expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {2, 2, 2}, {3, 3, 3}, {4, 4, 4}, {5, 5, 5}, {6, 6, 6}, {7, 7, 7},
                         {8, 8, 8}, {9, 9, 9}, {10, 10, 10}});
  EXPECT_EQ(out.rope_delta, Coordinate(0));
}

// When the last visual position is already an integer the ceiling keeps it:
// text:3 image:1x4x8 text:1, N = 8, last = 2: visual 2.25 .. 4; next = ceil(4) + 1 = 5; next 6; delta 6 - 12.
TEST(V2pe, IntegerEndIsNotRoundedFurther) {
  auto out = make_design("v2pe")->assign(parse_layout("text:3 image:1x4x8 text:1"));
  expect_coordinates(out, diagonal({Q(0), Q(1), Q(2), Q(9, 4), Q(5, 2), Q(11, 4), Q(3), Q(13, 4), Q(7, 2), Q(15, 4),
                                    Q(4), Q(5)}));
  EXPECT_EQ(out.rope_delta, Coordinate(6 - 12));
}

// Step 1/8: text:1 image:1x2x6 text:1, N = 3, last = 0: 0.125, 0.25, 0.375; next = ceil(0.375) + 1 = 2.
TEST(V2pe, EighthStep) {
  auto out = make_design("v2pe", {{"visual_step_log2", "3"}})->assign(parse_layout("text:1 image:1x2x6 text:1"));
  expect_coordinates(out, diagonal({Q(0), Q(1, 8), Q(1, 4), Q(3, 8), Q(2)}));
  EXPECT_EQ(out.tokens[1].pos.t.to_string(), "0.125");
}

// A leading image has last = -1: image:1x2x4 (N = 2): -0.75, -0.5; next = ceil(-0.5) + 1 = 0 + 1 = 1.
TEST(V2pe, LeadingImageStartsFromMinusOne) {
  auto out = make_design("v2pe")->assign(parse_layout("image:1x2x4 text:1"));
  expect_coordinates(out, diagonal({Q(-3, 4), Q(-1, 2), Q(1)}));
  EXPECT_EQ(out.tokens[0].pos.t.to_string(), "-0.75");
  EXPECT_EQ(out.next_position, Coordinate(2));
}

// A video is a run of N = T*H'*W' tokens like an image: text:1 video:2x4x4 text:1, N = 8, last = 0:
// 0.25 .. 2; next = ceil(2) + 1 = 3.
TEST(V2pe, VideoTokensStepLikeImageTokens) {
  auto out = make_design("v2pe")->assign(parse_layout("text:1 video:2x4x4 text:1"));
  expect_coordinates(out, diagonal({Q(0), Q(1, 4), Q(1, 2), Q(3, 4), Q(1), Q(5, 4), Q(3, 2), Q(7, 4), Q(2), Q(3)}));
}

// Adjacent images each round up: text:1 image:1x2x2 image:1x2x2: first at last = 0: 0.25, next = ceil(0.25) + 1 = 2;
// second at last = 1: 1.25, next = ceil(1.25) + 1 = 3.
TEST(V2pe, AdjacentImagesEachRoundUp) {
  auto out = make_design("v2pe")->assign(parse_layout("text:1 image:1x2x2 image:1x2x2"));
  expect_coordinates(out, diagonal({Q(0), Q(1, 4), Q(5, 4)}));
  EXPECT_EQ(out.next_position, Coordinate(3));
}

TEST(V2pe, StepExponentIsBounded) {
  expect_error([] { make_design("v2pe", {{"visual_step_log2", "63"}}); }, {"visual_step_log2", "at most 62"});
  expect_error([] { make_design("v2pe", {{"visual_step_log2", "-1"}}); }, {"visual_step_log2", "non-negative"});
  expect_error([] { make_design("v2pe", {{"visual_step_log2", "1.5"}}); }, {"visual_step_log2", "not an integer"});
}

}  // namespace
}  // namespace mmrope
