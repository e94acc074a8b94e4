// Positions that would not fit int64 are an Error naming the segment, never a wrapped value; the boundary is exact.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"
#include "test_support.hpp"

namespace mmrope {
namespace {

// INT64_MAX = 9223372036854775807.

// MRoPE with temporal stride 4e18: text:1 video:4x2x2, S = 1: t = 1, 1 + 4e18, 1 + 8e18, 1 + 12e18;
// the last is 12000000000000000001 > INT64_MAX.
TEST(Overflow, HugeTemporalStride) {
  auto d = make_design("mrope", {{"temporal_stride", "4000000000000000000"}});
  expect_error([&] { d->assign(parse_layout("text:1 video:4x2x2 text:1")); },
               {"segment 2 (video:4x2x2)", "position 12000000000000000001", "would overflow int64"});
  // Three frames: t up to 1 + 8e18 and next 8e18 + 2: all fit.
  auto out = d->assign(parse_layout("text:1 video:3x2x2 text:1"));
  EXPECT_EQ(out.tokens[3].pos.t, Coordinate(std::int64_t{8000000000000000001}));
  EXPECT_EQ(out.tokens[4].pos.t, Coordinate(std::int64_t{8000000000000000002}));
}

// The exact boundary. Stride INT64_MAX - 2 with text:1 video:2x2x2: the second frame's t is
// 1 + INT64_MAX - 2 = INT64_MAX - 1 and the cursor after it INT64_MAX: fits. One more text token sits at
// INT64_MAX (fits) but moves the cursor (the first generated position) to INT64_MAX + 1: the text
// segment is named.
TEST(Overflow, ExactBoundaryOfTheCursor) {
  auto d = make_design("mrope", {{"temporal_stride", "9223372036854775805"}});
  auto out = d->assign(parse_layout("text:1 video:2x2x2"));
  EXPECT_EQ(out.tokens[2].pos.t, Coordinate(INT64_MAX - 1));
  EXPECT_EQ(out.next_position, Coordinate(INT64_MAX));
  expect_error([&] { d->assign(parse_layout("text:1 video:2x2x2 text:1")); },
               {"segment 3 (text:1)", "position 9223372036854775808", "would overflow int64"});
  // Stride INT64_MAX - 1: t = INT64_MAX fits, but the cursor after the video does not: the video is named.
  auto e = make_design("mrope", {{"temporal_stride", "9223372036854775806"}});
  expect_error([&] { e->assign(parse_layout("text:1 video:2x2x2")); },
               {"segment 2 (video:2x2x2)", "position 9223372036854775808", "would overflow int64"});
}

// Qwen2.5-VL with a huge seconds per grid: text:1 video:2x2x2@5e18, tokens_per_second 2:
// t = 1 + floor(1 * 5e18 * 2) = 10000000000000000001 > INT64_MAX.
TEST(Overflow, HugeSecondsPerGrid) {
  auto d = make_preset_design(find_preset("qwen2.5-vl"));
  expect_error([&] { d->assign(parse_layout("text:1 video:2x2x2@5000000000000000000")); },
               {"segment 2 (video:2x2x2@5000000000000000000)", "would overflow int64"});
  // A 40-digit seconds per grid (the parser's limit) still cannot wrap.
  expect_error([&] { d->assign(parse_layout("video:2x2x2@9999999999999999999999999999999999999999")); },
               {"segment 1", "would overflow int64"});
  // ... but with one temporal grid the offset is 0 and nothing overflows.
  EXPECT_NO_THROW(d->assign(parse_layout("video:1x2x2@9999999999999999999999999999999999999999")));
}

// Spatial reset, VideoRoPE and HoPE go through the same check.
TEST(Overflow, OtherDesignsWithHugeTemporalSteps) {
  expect_error([] { make_design("spatial-reset", {{"temporal_stride", "1e19"}}); }, {"temporal_stride", "not a number"});
  expect_error([] { make_design("spatial-reset", {{"temporal_stride", "6000000000000000000"}})
                        ->assign(parse_layout("text:1 image:1x2x2 video:3x2x2")); },
               {"segment 3 (video:3x2x2)", "would overflow int64"});
  expect_error([] { make_design("videorope", {{"temporal_stride", "9223372036854775807"}})
                        ->assign(parse_layout("video:2x2x2")); },
               {"segment 1 (video:2x2x2)", "would overflow int64"});
  expect_error([] { make_design("hope", {{"temporal_scales", "1,9223372036854775807"}})
                        ->assign(parse_layout("video:2x2x2 text:1 video:2x2x2")); },
               {"segment 3 (video:2x2x2)", "would overflow int64"});
}

// Integer parameters are int64 too: a merge size beyond int64 is refused when it is set.
TEST(Overflow, IntegerParameterOutOfRange) {
  expect_error([] { make_design("mrope", {{"merge_size", "99999999999999999999"}}); },
               {"merge_size", "is not an integer"});
}

}  // namespace
}  // namespace mmrope
