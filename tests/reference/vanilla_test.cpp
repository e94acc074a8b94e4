// Vanilla RoPE: every token of the flattened sequence, text or visual, advances the 1-D position by 1.
#include <gtest/gtest.h>

#include <vector>

#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"
#include "test_support.hpp"

namespace mmrope {
namespace {

// Research 7.1, vanilla column: 11 tokens numbered 0..10 on all axes; next 11; delta 11 - 11 = 0.
TEST(Vanilla, ImageBetweenText) {
  auto out = make_preset_design(find_preset("vanilla"))->assign(parse_layout("text:3 image:1x4x6 text:2"));
  std::vector<Triple> want;
  for (std::int64_t n = 0; n < 11; ++n) want.push_back({n, n, n});
  expect_positions(out, want);
  expect_kinds(out, "tttiiiiiitt");
  EXPECT_EQ(out.next_position, Coordinate(11));
  EXPECT_EQ(out.rope_delta, Coordinate(0));
}

// A video of 2 x 2 x 3 = 12 tokens takes 12 positions: text 0; video 1..12; text 13; next 14.
TEST(Vanilla, VideoCostsOnePositionPerToken) {
  auto out = make_design("vanilla")->assign(parse_layout("text:1 video:2x4x6 text:1"));
  std::vector<Triple> want;
  for (std::int64_t n = 0; n < 14; ++n) want.push_back({n, n, n});
  expect_positions(out, want);
  expect_kinds(out, "tvvvvvvvvvvvvt");
  EXPECT_EQ(out.next_position, Coordinate(14));
}

// Merge size 1: image:1x2x3 is 6 tokens 0..5, then two images back to back continue: 6..9 for image:1x2x2.
TEST(Vanilla, MergeSizeOneAndAdjacentImages) {
  auto out = make_design("vanilla", {{"merge_size", "1"}})->assign(parse_layout("image:1x2x3 image:1x2x2"));
  std::vector<Triple> want;
  for (std::int64_t n = 0; n < 10; ++n) want.push_back({n, n, n});
  expect_positions(out, want);
  EXPECT_EQ(out.tokens[5].segment, 0);
  EXPECT_EQ(out.tokens[6].segment, 1);
}

// The text position of index p is (p, p, p).
TEST(Vanilla, TextPositionIsDiagonal) {
  auto d = make_design("vanilla");
  EXPECT_TRUE(d->text_position(Coordinate(41)) == Position3::diagonal(Coordinate(41)));
}

}  // namespace
}  // namespace mmrope
