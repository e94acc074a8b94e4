// Golden positions of MRoPE (Qwen2-VL) and its transformers 5.3 reading, re-derived by hand.
#include <gtest/gtest.h>

#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"
#include "test_support.hpp"

namespace mmrope {
namespace {

// text:3 image:1x4x6 text:2 with merge 2: the image is 1 x 2 x 3 LLM tokens at S = 3.
// Text after = S + max(0, 1, 2) + 1 = 6 (research notes 7.1, re-derived from the rule).
TEST(Mrope, ImageBetweenText) {
  auto d = make_design("mrope");
  auto out = d->assign(parse_layout("text:3 image:1x4x6 text:2"));
  expect_positions(out, {{0, 0, 0}, {1, 1, 1}, {2, 2, 2},
                         {3, 3, 3}, {3, 3, 4}, {3, 3, 5}, {3, 4, 3}, {3, 4, 4}, {3, 4, 5},
                         {6, 6, 6}, {7, 7, 7}});
  EXPECT_EQ(out.next_position, Coordinate(8));
  EXPECT_EQ(out.rope_delta, Coordinate(8 - 11));
}

}  // namespace
}  // namespace mmrope
