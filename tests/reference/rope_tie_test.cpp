// RoPE-Tie (Su 2024): text (n, n), image patches (L + i*s, L + j*u) ending on the diagonal; videos rejected.
#include <gtest/gtest.h>

#include <vector>

#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"
#include "test_support.hpp"

namespace mmrope {
namespace {

// Integer spacing, text:3 image:1x4x6 text:2: L = 2, H' = 2, W' = 3, s = W' + 1 = 4, u = H' + 1 = 3.
// Patch (i, j), i = 1..2, j = 1..3 -> t = h = 2 + 4i, w = 2 + 3j:
//   i = 1: (6, 6, 5), (6, 6, 8), (6, 6, 11); i = 2: (10, 10, 5), (10, 10, 8), (10, 10, 11)
// next K = L + (W'+1)(H'+1) = 2 + 12 = 14; text 14, 15; next 16; delta 16 - 11 = 5.
TEST(RopeTie, IntegerSpacing) {
  auto out = make_preset_design(find_preset("rope-tie"))->assign(parse_layout("text:3 image:1x4x6 text:2"));
  expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {2, 2, 2},
                         {6, 6, 5}, {6, 6, 8}, {6, 6, 11}, {10, 10, 5}, {10, 10, 8}, {10, 10, 11},
                         {14, 14, 14}, {15, 15, 15}});
  EXPECT_EQ(out.next_position, Coordinate(16));
  EXPECT_EQ(out.rope_delta, Coordinate(5));
  // Symmetry: the last patch plus (s, u) lands on (K, K): (10 + 4, 11 + 3) = (14, 14).
}

// Compact spacing, same layout: s = (W'H' + 1)/(H' + 1) = 7/3, u = (W'H' + 1)/(W' + 1) = 7/4.
//   i = 1: t = h = 2 + 7/3 = 13/3; w = 2 + 7/4 = 15/4, 2 + 7/2 = 11/2, 2 + 21/4 = 29/4
//   i = 2: t = h = 2 + 14/3 = 20/3
// next K = L + W'H' + 1 = 2 + 6 + 1 = 9; text 9, 10; next 11; delta 0.
TEST(RopeTie, CompactSpacing) {
  auto out = make_design("rope-tie", {{"spacing", "compact"}})->assign(parse_layout("text:3 image:1x4x6 text:2"));
  expect_coordinates(out, {{Q(0), Q(0), Q(0)}, {Q(1), Q(1), Q(1)}, {Q(2), Q(2), Q(2)},
                           {Q(13, 3), Q(13, 3), Q(15, 4)}, {Q(13, 3), Q(13, 3), Q(11, 2)}, {Q(13, 3), Q(13, 3), Q(29, 4)},
                           {Q(20, 3), Q(20, 3), Q(15, 4)}, {Q(20, 3), Q(20, 3), Q(11, 2)}, {Q(20, 3), Q(20, 3), Q(29, 4)},
                           {Q(9), Q(9), Q(9)}, {Q(10), Q(10), Q(10)}});
  EXPECT_EQ(out.tokens[3].pos.t.to_string(), "13/3");
  EXPECT_EQ(out.next_position, Coordinate(11));
  EXPECT_EQ(out.rope_delta, Coordinate(0));
}

// Square image 2 x 2 after one text token (L = 0): integer s = u = 3: (3,3,3), (3,3,6), (6,6,3), (6,6,6),
// K = 0 + 3 * 3 = 9. Compact s = u = (4 + 1)/3 = 5/3: (5/3, 5/3, 5/3) ... (10/3, 10/3, 10/3), K = 0 + 4 + 1 = 5.
TEST(RopeTie, SquareImage) {
  auto integer = make_design("rope-tie")->assign(parse_layout("text:1 image:1x4x4 text:1"));
  expect_positions(integer, {{0, 0, 0}, {3, 3, 3}, {3, 3, 6}, {6, 6, 3}, {6, 6, 6}, {9, 9, 9}});
  EXPECT_EQ(integer.rope_delta, Coordinate(10 - 6));
  auto compact = make_design("rope-tie", {{"spacing", "compact"}})->assign(parse_layout("text:1 image:1x4x4 text:1"));
  expect_coordinates(compact, {{Q(0), Q(0), Q(0)}, {Q(5, 3), Q(5, 3), Q(5, 3)}, {Q(5, 3), Q(5, 3), Q(10, 3)},
                               {Q(10, 3), Q(10, 3), Q(5, 3)}, {Q(10, 3), Q(10, 3), Q(10, 3)}, {Q(5), Q(5), Q(5)}});
  EXPECT_EQ(compact.rope_delta, Coordinate(0));
}

// Compact spacing makes an image cost exactly as many positions as vanilla (W'H' tokens + the step 1).
TEST(RopeTie, CompactCostsLikeVanilla) {
  const auto layout = parse_layout("text:2 image:1x6x10 text:1 image:1x2x8 text:3");
  auto tie = make_design("rope-tie", {{"spacing", "compact"}})->assign(layout);
  auto vanilla = make_design("vanilla")->assign(layout);
  EXPECT_EQ(tie.next_position, vanilla.next_position);
  // text after the first image: L = 1, K = 1 + 15 + 1 = 17 = vanilla's 2 + 15.
  EXPECT_EQ(tie.tokens[2 + 15].pos.t, Coordinate(17));
}

TEST(RopeTie, VideosAreRejected) {
  auto d = make_design("rope-tie");
  expect_error([&] { d->assign(parse_layout("text:1 video:1x4x4")); },
               {"segment 2 (video:1x4x4)", "rope-tie", "single images only"});
  expect_error([&] { d->assign(parse_layout("text:1 image:1x2x2 text:1 image:2x4x4")); },
               {"segment 4 (image:2x4x4)", "single images only"});
}

}  // namespace
}  // namespace mmrope
