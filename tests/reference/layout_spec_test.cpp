// The layout text parser: what it accepts, and an Error naming the item for every syntax error.
#include <gtest/gtest.h>

#include <string>

#include "reference/layout_spec.hpp"
#include "test_support.hpp"

namespace mmrope {
namespace {

TEST(LayoutSpec, ParsesEveryKind) {
  const Sequence s = parse_layout("text:3 image:1x4x6 video:2x8x4 video:4x4x4@1.5 text:2");
  ASSERT_EQ(s.segments.size(), 5u);
  EXPECT_EQ(std::get<TextRun>(s.segments[0]).length, 3);
  EXPECT_EQ(std::get<Image>(s.segments[1]).grid, (GridTHW{1, 4, 6}));
  EXPECT_EQ(std::get<Video>(s.segments[2]).grid, (GridTHW{2, 8, 4}));
  EXPECT_FALSE(std::get<Video>(s.segments[2]).seconds_per_grid.has_value());
  EXPECT_EQ(std::get<Video>(s.segments[3]).grid, (GridTHW{4, 4, 4}));
  EXPECT_EQ(*std::get<Video>(s.segments[3]).seconds_per_grid, Rational(3, 2));
  EXPECT_EQ(std::get<TextRun>(s.segments[4]).length, 2);
}

TEST(LayoutSpec, SecondsPerGridDecimalsAndFractions) {
  auto seconds = [](const char* text) { return *std::get<Video>(parse_layout(text).segments[0]).seconds_per_grid; };
  EXPECT_EQ(seconds("video:2x4x4@1/3"), Rational(1, 3));
  EXPECT_EQ(seconds("video:2x4x4@2/6"), Rational(1, 3));
  EXPECT_EQ(seconds("video:2x4x4@0.5"), Rational(1, 2));
  EXPECT_EQ(seconds("video:2x4x4@.25"), Rational(1, 4));
  EXPECT_EQ(seconds("video:2x4x4@2.25"), Rational(9, 4));
  EXPECT_EQ(seconds("video:2x4x4@3"), Rational(3));
  EXPECT_EQ(seconds("video:2x4x4@0.1"), Rational(1, 10));  // exact, not the binary 0.1
  // 40 digits are accepted exactly.
  EXPECT_EQ(seconds("video:2x4x4@1234567890123456789012345678901234567890"),
            Rational(BigInt("1234567890123456789012345678901234567890")));
}

// Any run of spaces, tabs, CR and LF separates items; leading and trailing whitespace is ignored.
TEST(LayoutSpec, Whitespace) {
  const Sequence s = parse_layout("  \t text:3\timage:1x4x6\n\ntext:2 \r\n");
  ASSERT_EQ(s.segments.size(), 3u);
  EXPECT_EQ(std::get<TextRun>(s.segments[2]).length, 2);
  // Whitespace inside an item splits it: "text: 3" is the item "text:" and the item "3".
  expect_error([] { parse_layout("text: 3"); }, {"layout item 1 ('text:')", "token count '' is not a whole number"});
}

TEST(LayoutSpec, EmptyLayout) {
  expect_error([] { parse_layout(""); }, {"the layout is empty"});
  expect_error([] { parse_layout(" \t\r\n "); }, {"the layout is empty"});
}

// Counts are only parsed here; zero passes the parser and is refused by validate() (layout_test).
TEST(LayoutSpec, ZeroCountsParse) {
  EXPECT_EQ(std::get<TextRun>(parse_layout("text:0").segments[0]).length, 0);
  EXPECT_EQ(std::get<Image>(parse_layout("image:0x2x2").segments[0]).grid, (GridTHW{0, 2, 2}));
}

TEST(LayoutSpec, MissingKindOrColon) {
  expect_error([] { parse_layout("text:3 foo"); }, {"layout item 2 ('foo')", "expected KIND:VALUE"});
  expect_error([] { parse_layout(":3"); }, {"layout item 1 (':3')", "unknown kind"});
  expect_error([] { parse_layout("TEXT:3"); }, {"layout item 1 ('TEXT:3')", "unknown kind"});
  expect_error([] { parse_layout("text:1 audio:4"); }, {"layout item 2 ('audio:4')", "unknown kind (use text, image or video)"});
}

TEST(LayoutSpec, BadTextCounts) {
  expect_error([] { parse_layout("text:abc"); }, {"layout item 1 ('text:abc')", "token count 'abc' is not a whole number"});
  expect_error([] { parse_layout("text:"); }, {"layout item 1 ('text:')", "not a whole number"});
  expect_error([] { parse_layout("text:3x"); }, {"token count '3x' is not a whole number"});
  expect_error([] { parse_layout("text:+3"); }, {"token count '+3' is not a whole number"});
  expect_error([] { parse_layout("text:1.5"); }, {"token count '1.5' is not a whole number"});
  expect_error([] { parse_layout("text:3:4"); }, {"token count '3:4' is not a whole number"});
  expect_error([] { parse_layout("text:-3"); }, {"layout item 1 ('text:-3')", "token count must be positive, got '-3'"});
}

TEST(LayoutSpec, BadGrids) {
  expect_error([] { parse_layout("text:1 image:1x4"); }, {"layout item 2 ('image:1x4')", "TxHxW"});
  expect_error([] { parse_layout("image:1x4x6x2"); }, {"layout item 1 ('image:1x4x6x2')", "TxHxW"});
  expect_error([] { parse_layout("image:"); }, {"layout item 1 ('image:')", "TxHxW"});
  expect_error([] { parse_layout("image:1xax4"); }, {"grid H 'a' is not a whole number"});
  expect_error([] { parse_layout("image:1x4x"); }, {"grid W '' is not a whole number"});
  expect_error([] { parse_layout("video:x4x4"); }, {"grid T '' is not a whole number"});
  expect_error([] { parse_layout("image:1x-4x4"); }, {"grid H must be positive, got '-4'"});
  expect_error([] { parse_layout("image:1X4X4"); }, {"TxHxW"});
}

TEST(LayoutSpec, BadSecondsPerGrid) {
  expect_error([] { parse_layout("image:1x4x6@2"); }, {"layout item 1 ('image:1x4x6@2')", "only videos take @SECONDS_PER_GRID"});
  expect_error([] { parse_layout("video:1x4x4@abc"); }, {"layout item 1", "seconds per grid 'abc' is not a number"});
  expect_error([] { parse_layout("video:1x4x4@"); }, {"seconds per grid '' is not a number"});
  expect_error([] { parse_layout("video:1x4x4@1/0"); }, {"seconds per grid '1/0' is not a number"});
  expect_error([] { parse_layout("video:1x4x4@1."); }, {"seconds per grid '1.' is not a number"});
  expect_error([] { parse_layout("video:1x4x4@1e3"); }, {"seconds per grid '1e3' is not a number"});
  expect_error([] { parse_layout("video:1x4x4@1/2/3"); }, {"is not a number"});
  expect_error([] { parse_layout("video:1x4x4@0"); }, {"layout item 1 ('video:1x4x4@0')", "seconds per grid must be positive"});
  expect_error([] { parse_layout("video:1x4x4@-0.5"); }, {"seconds per grid must be positive"});
  expect_error([] { parse_layout("video:1x4x4@0/7"); }, {"seconds per grid must be positive"});
  // 41 digits are refused (untrusted text must not build enormous numbers).
  expect_error([] { parse_layout("video:1x4x4@12345678901234567890123456789012345678901"); }, {"is not a number"});
  // '@' inside the grid part of a video makes the grid invalid.
  expect_error([] { parse_layout("video:1x4@x4"); }, {"layout item 1"});
}

TEST(LayoutSpec, HugeNumbers) {
  expect_error([] { parse_layout("text:99999999999999999999"); }, {"token count '99999999999999999999' is too large"});
  expect_error([] { parse_layout("image:1x99999999999999999999x4"); }, {"grid H '99999999999999999999' is too large"});
  // INT64_MAX parses; validation refuses it later.
  EXPECT_EQ(std::get<TextRun>(parse_layout("text:9223372036854775807").segments[0]).length, INT64_MAX);
  expect_error([] { parse_layout("text:9223372036854775808"); }, {"is too large"});
}

// Non-printable bytes are shown as '?' so the message stays one readable line; long items are cut at 40
// and say their length.
TEST(LayoutSpec, GarbageBytes) {
  expect_error([] { parse_layout(std::string("text:3 \x01\xff:2")); }, {"layout item 2 ('??:2')", "unknown kind"});
  expect_error([] { parse_layout(std::string("text:\x7f", 6)); }, {"layout item 1 ('text:?')"});
  expect_error([] { parse_layout(std::string("te\0xt:3", 7)); }, {"layout item 1 ('te?xt:3')"});
  const std::string long_item = "image:" + std::string(50, 'z');
  const std::string message = error_message([&] { parse_layout(long_item); });
  EXPECT_NE(message.find("layout item 1 ('image:" + std::string(34, 'z') + "...' (56 characters))"), std::string::npos) << message;
  EXPECT_EQ(message.find(std::string(35, 'z')), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

// The item number counts items, not characters or segments of earlier errors.
TEST(LayoutSpec, ItemNumbering) {
  expect_error([] { parse_layout("text:1 text:2 text:3 text:4 image:1x2"); }, {"layout item 5 ('image:1x2')"});
}

}  // namespace
}  // namespace mmrope
