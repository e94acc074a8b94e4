// Layout validation: every invalid layout is an Error naming the segment ("segment N (kind:...)") and the reason.
#include <gtest/gtest.h>

#include <string>

#include "reference/designs/registry.hpp"
#include "reference/layout.hpp"
#include "reference/layout_spec.hpp"
#include "test_support.hpp"

namespace mmrope {
namespace {

Sequence seq(std::vector<Segment> segments) { return Sequence{std::move(segments)}; }

TEST(Layout, GridHeightNotDivisibleByMerge) {
  expect_error([] { validate(parse_layout("text:3 image:1x5x6 text:2"), 2); },
               {"segment 2 (image:1x5x6)", "grid height 5", "not divisible", "merge size 2"});
  // The same error reaches the caller of a design, unchanged.
  expect_error([] { make_design("mrope")->assign(parse_layout("text:3 image:1x5x6 text:2")); },
               {"segment 2 (image:1x5x6)", "not divisible"});
}

TEST(Layout, GridWidthNotDivisibleByMerge) {
  expect_error([] { validate(parse_layout("text:1 video:2x4x5"), 2); },
               {"segment 2 (video:2x4x5)", "grid width 5", "not divisible"});
  // merge 3: 6 is fine, 4 is not.
  EXPECT_NO_THROW(validate(parse_layout("image:1x6x6"), 3));
  expect_error([] { validate(parse_layout("image:1x6x4"), 3); }, {"segment 1 (image:1x6x4)", "grid width 4", "merge size 3"});
}

TEST(Layout, ZeroGridDimensions) {
  for (const char* layout : {"image:0x4x4", "image:1x0x4", "video:1x4x0"}) {
    SCOPED_TRACE(layout);
    expect_error([&] { validate(parse_layout(std::string("text:1 ") + layout), 2); },
                 {std::string("segment 2 (") + layout + ")", "every grid dimension must be at least 1"});
  }
}

// Negative sizes cannot be written in the layout text (the parser refuses '-'), but a Sequence built in
// code can hold them: validation must still refuse them.
TEST(Layout, NegativeGridDimensions) {
  expect_error([] { validate(seq({Image{GridTHW{1, -2, 4}}}), 2); },
               {"segment 1 (image:1x-2x4)", "at least 1"});
  expect_error([] { validate(seq({TextRun{1}, Video{GridTHW{-1, 2, 2}, std::nullopt}}), 2); },
               {"segment 2 (video:-1x2x2)", "at least 1"});
}

TEST(Layout, EmptyTextRun) {
  expect_error([] { validate(parse_layout("image:1x2x2 text:0"), 2); },
               {"segment 2 (text:0)", "a text run needs at least 1 token"});
  expect_error([] { validate(seq({TextRun{-4}}), 2); }, {"segment 1 (text:-4)", "at least 1 token"});
}

TEST(Layout, EmptyLayout) {
  expect_error([] { validate(Sequence{}, 2); }, {"the layout is empty"});
  expect_error([] { make_design("vanilla")->assign(Sequence{}); }, {"the layout is empty"});
}

TEST(Layout, NonPositiveSecondsPerGrid) {
  expect_error([] { validate(seq({TextRun{1}, Video{GridTHW{2, 2, 2}, Rational(0)}}), 2); },
               {"segment 2 (video:2x2x2@0)", "seconds per grid must be positive"});
  expect_error([] { validate(seq({Video{GridTHW{2, 2, 2}, Rational(-1, 2)}}), 2); },
               {"segment 1 (video:2x2x2@-0.5)", "seconds per grid must be positive"});
  EXPECT_NO_THROW(validate(seq({Video{GridTHW{2, 2, 2}, Rational(1, 3)}}), 2));
}

TEST(Layout, MergeSizeZero) {
  expect_error([] { validate(parse_layout("text:1"), 0); }, {"merge size must be at least 1, got 0"});
  expect_error([] { validate(parse_layout("text:1"), -2); }, {"merge size must be at least 1, got -2"});
  expect_error([] { make_design("mrope", {{"merge_size", "0"}}); }, {"design mrope", "merge_size", "at least 1"});
}

// kMaxTokensPerSequence = 2^24 = 16777216. Only validate() runs here: no positions are materialised.
TEST(Layout, TokenLimit) {
  ASSERT_EQ(kMaxTokensPerSequence, 16777216);
  EXPECT_NO_THROW(validate(parse_layout("text:16777216"), 2));
  expect_error([] { validate(parse_layout("text:16777217"), 2); },
               {"segment 1 (text:16777217)", "passes the limit of 16777216 tokens"});
  // 8192 / 2 = 4096; 4096 * 4096 = 2^24 tokens: allowed alone, one more token is over the limit.
  EXPECT_NO_THROW(validate(parse_layout("image:1x8192x8192"), 2));
  expect_error([] { validate(parse_layout("text:1 image:1x8192x8192"), 2); },
               {"segment 2 (image:1x8192x8192)", "passes the limit"});
  // One item over the limit by itself: 4097 * 4096 > 2^24.
  expect_error([] { validate(parse_layout("image:1x8194x8192"), 2); },
               {"segment 1 (image:1x8194x8192)", "more than 16777216 tokens"});
  // A grid whose token count would overflow int64 is refused, not wrapped: (2^40)^2 * 2^40 / 4.
  expect_error([] { validate(seq({Video{GridTHW{std::int64_t{1} << 40, std::int64_t{1} << 40, std::int64_t{1} << 40},
                                        std::nullopt}}), 2); },
               {"segment 1", "more than 16777216 tokens"});
  // A design refuses it before allocating anything.
  expect_error([] { make_design("vanilla")->assign(parse_layout("text:16777216 text:1")); },
               {"segment 2 (text:1)", "passes the limit"});
}

// The first bad segment is the one named.
TEST(Layout, FirstBadSegmentIsNamed) {
  expect_error([] { validate(parse_layout("text:1 image:1x4x4 image:1x3x4 text:0"), 2); },
               {"segment 3 (image:1x3x4)", "grid height 3"});
}

// Descriptions of segments, as errors print them.
TEST(Layout, SegmentLabels) {
  EXPECT_EQ(segment_label(0, TextRun{7}), "segment 1 (text:7)");
  EXPECT_EQ(segment_label(2, Image{GridTHW{1, 5, 6}}), "segment 3 (image:1x5x6)");
  EXPECT_EQ(segment_label(9, Video{GridTHW{4, 4, 4}, Rational(3, 2)}), "segment 10 (video:4x4x4@1.5)");
  EXPECT_EQ(segment_label(0, Video{GridTHW{4, 4, 4}, Rational(1, 3)}), "segment 1 (video:4x4x4@1/3)");
}

// The LLM grid after merging, as designs see it.
TEST(Layout, VisualTokensAfterMerging) {
  const Segment video = Video{GridTHW{3, 8, 12}, std::nullopt};
  const VisualTokens v = visual_tokens(0, video, 2);
  EXPECT_EQ(v.t, 3);
  EXPECT_EQ(v.h, 4);
  EXPECT_EQ(v.w, 6);
  EXPECT_EQ(v.count(), 72);
  EXPECT_EQ(visual_tokens(0, video, 4).count(), 3 * 2 * 3);
}

}  // namespace
}  // namespace mmrope
