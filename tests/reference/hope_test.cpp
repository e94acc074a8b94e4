// HoPE: VideoRoPE's diagonal layout with an explicit temporal scale per visual block, and its errors.
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

// Layout used below: text:1 video:3x2x2 text:1 video:2x2x2 text:1 (every frame 1 x 1 token, centre 0,
// so h = w = t for every visual token).
constexpr const char* kTwoVideos = "text:1 video:3x2x2 text:1 video:2x2x2 text:1";

// One scale for every block (the preset, gamma = 1):
//   video 1 at S = 1: t = 1, 2, 3; next = 1 + 1 * 2 + 1 = 4; text 4
//   video 2 at S = 5: t = 5, 6;    next = 5 + 1 * 1 + 1 = 7; text 7; next 8
TEST(Hope, OneScaleForAllBlocks) {
  auto out = make_preset_design(find_preset("hope"))->assign(parse_layout(kTwoVideos));
  expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {2, 2, 2}, {3, 3, 3}, {4, 4, 4}, {5, 5, 5}, {6, 6, 6}, {7, 7, 7}});
  EXPECT_EQ(out.next_position, Coordinate(8));
}

// One scale per block, "0.5,2":
//   video 1 (gamma 0.5) at S = 1: t = 1, 1.5, 2; next = 1 + 0.5 * 2 + 1 = 3; text 3
//   video 2 (gamma 2)   at S = 4: t = 4, 6;      next = 4 + 2 * 1 + 1 = 7; text 7; next 8
TEST(Hope, ScalePerBlock) {
  auto out = make_design("hope", {{"temporal_scales", "0.5,2"}})->assign(parse_layout(kTwoVideos));
  expect_coordinates(out, {{Q(0), Q(0), Q(0)},
                           {Q(1), Q(1), Q(1)}, {Q(3, 2), Q(3, 2), Q(3, 2)}, {Q(2), Q(2), Q(2)},
                           {Q(3), Q(3), Q(3)},
                           {Q(4), Q(4), Q(4)}, {Q(6), Q(6), Q(6)},
                           {Q(7), Q(7), Q(7)}});
  EXPECT_EQ(out.next_position, Coordinate(8));
  EXPECT_EQ(out.rope_delta, Coordinate(8 - 8));
}

// More scales than blocks: the extra ones are unused; same as "0.5,2".
TEST(Hope, ExtraScalesAreUnused) {
  auto a = make_design("hope", {{"temporal_scales", "0.5,2,7,9"}})->assign(parse_layout(kTwoVideos));
  auto b = make_design("hope", {{"temporal_scales", "0.5,2"}})->assign(parse_layout(kTwoVideos));
  ASSERT_EQ(a.tokens.size(), b.tokens.size());
  for (std::size_t i = 0; i < a.tokens.size(); ++i) EXPECT_TRUE(a.tokens[i].pos == b.tokens[i].pos) << i;
}

// Too few scales: the third visual block (an image, segment 6) has no scale.
TEST(Hope, TooFewScalesIsAnError) {
  auto d = make_design("hope", {{"temporal_scales", "0.5,2"}});
  expect_error([&] { d->assign(parse_layout(std::string(kTwoVideos) + " image:1x2x2")); },
               {"segment 6 (image:1x2x2)", "hope has 2 temporal_scales", "visual block 3"});
}

TEST(Hope, BadScaleListsAreErrors) {
  expect_error([] { make_design("hope", {{"temporal_scales", "1,,2"}}); }, {"design hope", "temporal_scales", "not a number"});
  expect_error([] { make_design("hope", {{"temporal_scales", "1,-0.5"}}); }, {"temporal_scales", "non-negative"});
  expect_error([] { make_design("hope", {{"temporal_scales", ""}}); }, {"temporal_scales"});
}

// A fractional scale with a centred 3 x 3 frame (video:2x6x6 at S = 0, gamma 0.75, centre floor(2/2) = 1):
//   frame 0: t = 0;    h = hh - 1, w = ww - 1 (from -1 to 1)
//   frame 1: t = 0.75; h = 0.75 + hh - 1 (-0.25, 0.75, 1.75), w likewise
//   next = 0 + 0.75 * 1 + 1 = 1.75: the text after sits at (1.75, 1.75, 1.75).
TEST(Hope, FractionalScaleGivesExactNegativeAndFractionalCoordinates) {
  auto out = make_design("hope", {{"temporal_scales", "3/4"}})->assign(parse_layout("video:2x6x6 text:1"));
  std::vector<CoordTriple> want;
  for (std::int64_t f = 0; f < 2; ++f)
    for (std::int64_t hh = 0; hh < 3; ++hh)
      for (std::int64_t ww = 0; ww < 3; ++ww) {
        const Coordinate t = Q(3 * f, 4);
        want.push_back({t, t + Q(hh - 1), t + Q(ww - 1)});
      }
  want.push_back({Q(7, 4), Q(7, 4), Q(7, 4)});
  expect_coordinates(out, want);
  EXPECT_EQ(out.tokens[9].pos.h.to_string(), "-0.25");
  EXPECT_EQ(out.next_position, Q(11, 4));
}

// With one scale gamma, HoPE's positions are VideoRoPE's with temporal_stride gamma (code and paper rule).
TEST(Hope, OneScaleEqualsVideoRope) {
  for (const char* rule : {"code", "paper"}) {
    SCOPED_TRACE(rule);
    auto h = make_design("hope", {{"temporal_scales", "1.25"}, {"rule", rule}});
    auto v = make_design("videorope", {{"temporal_stride", "1.25"}, {"rule", rule}});
    const auto layout = parse_layout("text:2 video:3x4x6 text:1 image:1x6x2 text:2");
    auto a = h->assign(layout);
    auto b = v->assign(layout);
    ASSERT_EQ(a.tokens.size(), b.tokens.size());
    for (std::size_t i = 0; i < a.tokens.size(); ++i) EXPECT_TRUE(a.tokens[i].pos == b.tokens[i].pos) << i;
    EXPECT_EQ(a.next_position, b.next_position);
  }
}

}  // namespace
}  // namespace mmrope
