// Batches: left/right padding under the transformers 4 and 5 conventions (pad value, rope_delta), pad_to errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "reference/batch.hpp"
#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"
#include "test_support.hpp"

namespace mmrope {
namespace {

// Row 0: text:3 image:1x4x6 text:2 under MRoPE: 11 tokens, next 8 (research 7.1).
// Row 1: text:2: 2 tokens (0, 1), next 2.
const std::vector<Triple> kRow0 = {{0, 0, 0}, {1, 1, 1}, {2, 2, 2}, {3, 3, 3}, {3, 3, 4}, {3, 3, 5},
                                   {3, 4, 3}, {3, 4, 4}, {3, 4, 5}, {6, 6, 6}, {7, 7, 7}};
const std::vector<Triple> kRow1 = {{0, 0, 0}, {1, 1, 1}};

std::vector<Sequence> two_rows() {
  return {parse_layout("text:3 image:1x4x6 text:2"), parse_layout("text:2")};
}

std::vector<Triple> pads(std::int64_t n, std::int64_t value) { return std::vector<Triple>(n, {value, value, value}); }
std::vector<Triple> cat(std::vector<Triple> a, const std::vector<Triple>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// transformers 4: pad slots (1, 1, 1); delta = next - padded length.
//   row 0 (no pads): 8 - 11 = -3; row 1 (9 pads on the left): 2 - 11 = -9.
TEST(Batch, LeftPaddingTransformers4) {
  auto b = assign_batch(*make_design("mrope"), two_rows(), PaddingSide::left, PaddingConvention::transformers4);
  EXPECT_EQ(b.padded_length, 11);
  expect_positions(b.rows[0], kRow0);
  expect_positions(b.rows[1], cat(pads(9, 1), kRow1));
  expect_kinds(b.rows[1], "ppppppppptt");
  EXPECT_EQ(b.rows[1].tokens[0].segment, -1);
  EXPECT_EQ(b.rows[0].rope_delta, Coordinate(-3));
  EXPECT_EQ(b.rows[1].rope_delta, Coordinate(-9));
  EXPECT_EQ(b.rows[1].next_position, Coordinate(2));
}

// transformers 5: pad slots (0, 0, 0); delta = next - real token count.
//   row 0: 8 - 11 = -3; row 1: 2 - 2 = 0.
TEST(Batch, LeftPaddingTransformers5) {
  auto b = assign_batch(*make_design("mrope"), two_rows(), PaddingSide::left, PaddingConvention::transformers5);
  expect_positions(b.rows[0], kRow0);
  expect_positions(b.rows[1], cat(pads(9, 0), kRow1));
  EXPECT_EQ(b.rows[0].rope_delta, Coordinate(-3));
  EXPECT_EQ(b.rows[1].rope_delta, Coordinate(0));
}

TEST(Batch, RightPaddingBothConventions) {
  auto b4 = assign_batch(*make_design("mrope"), two_rows(), PaddingSide::right, PaddingConvention::transformers4);
  expect_positions(b4.rows[1], cat(kRow1, pads(9, 1)));
  expect_kinds(b4.rows[1], "ttppppppppp");
  EXPECT_EQ(b4.rows[1].rope_delta, Coordinate(2 - 11));
  auto b5 = assign_batch(*make_design("mrope"), two_rows(), PaddingSide::right, PaddingConvention::transformers5);
  expect_positions(b5.rows[1], cat(kRow1, pads(9, 0)));
  EXPECT_EQ(b5.rows[1].rope_delta, Coordinate(2 - 2));
}

// pad_to longer than the longest row pads every row: 13 -> row 0 gets 2 pads.
//   transformers 4: row 0 delta 8 - 13 = -5, row 1 2 - 13 = -11; transformers 5: -3 and 0.
TEST(Batch, PadToLongerLength) {
  auto b4 = assign_batch(*make_design("mrope"), two_rows(), PaddingSide::left, PaddingConvention::transformers4, 13);
  EXPECT_EQ(b4.padded_length, 13);
  expect_positions(b4.rows[0], cat(pads(2, 1), kRow0));
  expect_positions(b4.rows[1], cat(pads(11, 1), kRow1));
  EXPECT_EQ(b4.rows[0].rope_delta, Coordinate(-5));
  EXPECT_EQ(b4.rows[1].rope_delta, Coordinate(-11));
  auto b5 = assign_batch(*make_design("mrope"), two_rows(), PaddingSide::left, PaddingConvention::transformers5, 13);
  EXPECT_EQ(b5.rows[0].rope_delta, Coordinate(-3));
  EXPECT_EQ(b5.rows[1].rope_delta, Coordinate(0));
}

// Both conventions continue generation at next_position: generated token k of a row gets
//   transformers 4: (cache position = padded length + k) + delta = next + k
//   transformers 5: (mask position = real count + k) + delta = next + k
TEST(Batch, DecodeContinuesAtNextPositionUnderBothConventions) {
  for (auto side : {PaddingSide::left, PaddingSide::right}) {
    auto b4 = assign_batch(*make_design("mrope"), two_rows(), side, PaddingConvention::transformers4, 16);
    auto b5 = assign_batch(*make_design("mrope"), two_rows(), side, PaddingConvention::transformers5, 16);
    const std::int64_t real[] = {11, 2};
    for (std::size_t r = 0; r < 2; ++r)
      for (std::int64_t k = 0; k < 3; ++k) {
        EXPECT_EQ(Coordinate(16 + k) + b4.rows[r].rope_delta, b4.rows[r].next_position + Coordinate(k));
        EXPECT_EQ(Coordinate(real[r] + k) + b5.rows[r].rope_delta, b5.rows[r].next_position + Coordinate(k));
      }
  }
}

// Real tokens keep the positions they have unpadded, for every design (padding is applied after).
TEST(Batch, PaddingDoesNotMoveRealTokens) {
  for (const char* name : {"mrope", "vanilla", "v2pe", "videorope", "spatial-reset", "il-rope", "rope-tie"}) {
    SCOPED_TRACE(name);
    auto d = make_design(name);
    const auto rows = two_rows();
    const auto alone0 = d->assign(rows[0]);
    const auto alone1 = d->assign(rows[1]);
    auto b = assign_batch(*d, rows, PaddingSide::left, PaddingConvention::transformers4, 12);
    // row 0: 1 pad then its 11 tokens; row 1: 10 pads then its 2 tokens.
    for (std::size_t i = 0; i < 11; ++i) EXPECT_TRUE(b.rows[0].tokens[1 + i].pos == alone0.tokens[i].pos) << i;
    for (std::size_t i = 0; i < 2; ++i) EXPECT_TRUE(b.rows[1].tokens[10 + i].pos == alone1.tokens[i].pos) << i;
    EXPECT_EQ(b.rows[0].next_position, alone0.next_position);
  }
}

TEST(Batch, Errors) {
  auto d = make_design("mrope");
  expect_error([&] { assign_batch(*d, two_rows(), PaddingSide::left, PaddingConvention::transformers4, 10); },
               {"pad length 10 is shorter than the longest sequence (11 tokens)"});
  expect_error([&] { assign_batch(*d, {}, PaddingSide::left, PaddingConvention::transformers5); }, {"the batch is empty"});
  expect_error([&] {
    assign_batch(*d, {parse_layout("text:1"), parse_layout("image:1x3x4")}, PaddingSide::right,
                 PaddingConvention::transformers5);
  }, {"sequence 2: segment 1 (image:1x3x4)", "not divisible"});
  // pad_to equal to the longest row is fine: no pads on that row.
  auto b = assign_batch(*d, two_rows(), PaddingSide::left, PaddingConvention::transformers4, 11);
  expect_positions(b.rows[0], kRow0);
}

}  // namespace
}  // namespace mmrope

namespace mmrope {
namespace {

// token_total (the count the caps are checked against before anything is allocated) is what assign gives,
// for every preset and for images, videos and text (Qwen3-VL's videos carry timestamp tokens, its images not).
TEST(Batch, TokenTotalIsTheAssignedCount) {
  for (const Preset& preset : presets()) {
    const auto design = make_preset_design(preset);
    for (const char* layout : {"text:1 image:1x2x2", "text:3 video:2x4x4 text:2", "image:1x4x6 video:4x2x2@2 text:1"}) {
      const Sequence seq = parse_layout(layout);
      std::int64_t assigned = -1;
      try {
        assigned = static_cast<std::int64_t>(design->assign(seq).tokens.size());
      } catch (const Error&) {  // a layout the design refuses (RoPE-Tie: no videos): assign still says so
        continue;
      }
      EXPECT_EQ(design->token_total(seq), assigned) << preset.name << " " << layout;
    }
  }
}

}  // namespace
}  // namespace mmrope
