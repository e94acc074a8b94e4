// The position builder's host twin against the reference's assign_batch: every preset, random parameters, batches, padding.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "kernels/host/build_positions_host.hpp"
#include "kernels/host/position_plan_builder.hpp"
#include "properties/gen/design_gen.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/presets.hpp"
#include "reference/registry.hpp"

namespace mmrope {
namespace {

using kernels::as_batch_positions;
using kernels::build_positions_host;
using kernels::make_position_plan;

// A batch under one preset with drawn parameters: the case's layout and up to 3 more, a padding side and
// convention, and pad_to past the longest row by 0..3 tokens (or none).
struct BatchCase {
  gen::DesignCase first;
  std::vector<Sequence> more;
  bool left = false;
  bool transformers5 = false;
  int extra_pad = -1;  // -1: no pad_to
};

void showValue(const BatchCase& c, std::ostream& os) {
  os << "first: ";
  gen::showValue(c.first, os);
  for (const Sequence& s : c.more) os << "\nand --layout \"" << domain::layout_text(s) << "\"";
  os << "\n--padding " << (c.left ? "left" : "right") << " --padding-convention transformers-" << (c.transformers5 ? 5 : 4)
     << " extra pad " << c.extra_pad;
}

// Every preset whose design has exact positions: CircleRoPE's are irrational (its refusal is tested below).
std::vector<std::string> exact_presets() {
  std::vector<std::string> out;
  for (const auto& p : presets())
    if (p.design != "circlerope") out.push_back(p.name);
  return out;
}

rc::Gen<BatchCase> batch_case() {
  return rc::gen::mapcat(gen::design_case(exact_presets()), [](gen::DesignCase first) {
    const gen::LayoutLimits lim = gen::limits_for(first.preset, first.params, gen::LayoutLimits{});
    auto more = rc::gen::mapcat(rc::gen::inRange<std::size_t>(0, 4), [first, lim](std::size_t n) {
      return rc::gen::container<std::vector<Sequence>>(n, gen::sequence(first.merge, lim));
    });
    return rc::gen::map(rc::gen::tuple(more, rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>(), rc::gen::inRange(-1, 4)),
                        [first](const auto& t) {
                          const auto& [m, left, t5, extra] = t;
                          return BatchCase{first, m, left, t5, extra};
                        });
  });
}

// The first difference between the builder's batch and the reference's, or empty.
std::string first_difference(const BatchPositions& got, const BatchPositions& want) {
  if (got.padded_length != want.padded_length || got.rows.size() != want.rows.size())
    return "shape " + std::to_string(got.rows.size()) + "x" + std::to_string(got.padded_length) + " vs " +
           std::to_string(want.rows.size()) + "x" + std::to_string(want.padded_length);
  for (std::size_t b = 0; b < want.rows.size(); ++b) {
    const SequencePositions &g = got.rows[b], &w = want.rows[b];
    for (std::size_t i = 0; i < w.tokens.size(); ++i) {
      const TokenPosition &x = g.tokens[i], &y = w.tokens[i];
      if (x.kind != y.kind || !(x.pos == y.pos))
        return "row " + std::to_string(b) + " token " + std::to_string(i) + ": builder " + std::string(to_string(x.kind)) +
               " (" + x.pos.t.to_string() + ", " + x.pos.h.to_string() + ", " + x.pos.w.to_string() + "), reference " +
               std::string(to_string(y.kind)) + " (" + y.pos.t.to_string() + ", " + y.pos.h.to_string() + ", " +
               y.pos.w.to_string() + ")";
    }
    if (!(g.next_position == w.next_position))
      return "row " + std::to_string(b) + " next_position " + g.next_position.to_string() + " vs " + w.next_position.to_string();
    if (!(g.rope_delta == w.rope_delta))
      return "row " + std::to_string(b) + " rope_delta " + g.rope_delta.to_string() + " vs " + w.rope_delta.to_string();
  }
  return {};
}

// Integers equal and rationals equal, token by token, with the next position and rope delta of every row; where
// the reference refuses a batch the builder refuses it too. The builder may refuse a batch the reference accepts
// only where its numerators would pass int64, and says so.
RC_GTEST_PROP(PositionBuilder, EqualsTheReferenceOnRandomBatches, ()) {
  const BatchCase c = *batch_case();
  const auto design = c.first.design();
  std::vector<Sequence> sequences{c.first.layout};
  sequences.insert(sequences.end(), c.more.begin(), c.more.end());
  const PaddingSide side = c.left ? PaddingSide::left : PaddingSide::right;
  const PaddingConvention convention = c.transformers5 ? PaddingConvention::transformers5 : PaddingConvention::transformers4;
  std::optional<std::int64_t> pad_to;
  std::optional<BatchPositions> want;
  std::string reference_error;
  try {
    if (c.extra_pad >= 0) pad_to = padded_batch_length(*design, sequences, std::nullopt) + c.extra_pad;
    want = assign_batch(*design, sequences, side, convention, pad_to);
  } catch (const Error& e) {
    reference_error = e.what();
  }
  kernels::PositionPlan plan;
  try {
    plan = make_position_plan(*design, sequences, side, convention, pad_to);
  } catch (const Error& e) {
    if (!want) {
      RC_TAG("refused by both");
      return;
    }
    RC_TAG("refused by the builder: numerators past int64");
    RC_ASSERT(std::string(e.what()).find("numerators") != std::string::npos);
    return;
  }
  RC_ASSERT(want.has_value());  // else the builder accepted what the reference refuses: reference_error says why
  const std::string difference = first_difference(as_batch_positions(build_positions_host(plan)), *want);
  RC_CLASSIFY(plan.cursor_den > 1, "rational cursors");
  RC_TAG(std::string(design->name()));
  RC_ASSERT(difference.empty());
}

kernels::PositionPlan plan_of(const std::string& preset, const std::vector<std::string>& layouts,
                              std::vector<std::pair<std::string, std::string>> params = {}) {
  std::vector<Sequence> sequences;
  for (const auto& l : layouts) sequences.push_back(parse_layout(l));
  return make_position_plan(*make_preset_design(find_preset(preset), params), sequences, PaddingSide::left,
                            PaddingConvention::transformers4);
}

std::string error_of(const std::string& preset, const std::vector<std::string>& layouts,
                     std::vector<std::pair<std::string, std::string>> params = {}) {
  try {
    plan_of(preset, layouts, std::move(params));
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// A worked batch, by hand (docs/layout-rules.md's Qwen2-VL example, left-padded under transformers 4): the pads
// are (1, 1, 1), the image block (S + 0, S + hh, S + ww) from S = 2, and delta = next - padded length.
TEST(PositionBuilder, QwenTwoVlLeftPaddedBatchByHand) {
  const kernels::BuiltPositions got = build_positions_host(plan_of("qwen2-vl", {"text:2 image:1x4x6 text:1", "text:3"}));
  ASSERT_EQ(got.rows, 2);
  ASSERT_EQ(got.padded_length, 9);
  const std::int64_t n = 18;
  // Row 0: text 0, 1; image 2x3 at S = 2: t = 2, h = 2 + hh, w = 2 + ww; next text 2 + max(0, 1, 2) + 1 = 5.
  const std::vector<std::int64_t> t0 = {0, 1, 2, 2, 2, 2, 2, 2, 5}, h0 = {0, 1, 2, 2, 2, 3, 3, 3, 5}, w0 = {0, 1, 2, 3, 4, 2, 3, 4, 5};
  for (std::int64_t i = 0; i < 9; ++i) {
    EXPECT_EQ(got.positions[i], t0[i]) << i;
    EXPECT_EQ(got.positions[n + i], h0[i]) << i;
    EXPECT_EQ(got.positions[2 * n + i], w0[i]) << i;
    EXPECT_EQ(got.den[i], 1);
  }
  // Row 1: six pads (1, 1, 1) on the left, then text 0, 1, 2.
  for (std::int64_t i = 9; i < 15; ++i) {
    EXPECT_EQ(got.kind[i], static_cast<std::uint8_t>(kernels::PlanTokenKind::pad));
    EXPECT_EQ(got.positions[i], 1);
  }
  EXPECT_EQ(got.positions[15], 0);
  EXPECT_EQ(got.positions[17], 2);
  EXPECT_EQ(got.next_position, (std::vector<std::int64_t>{6, 3}));
  EXPECT_EQ(got.rope_delta, (std::vector<std::int64_t>{6 - 9, 3 - 9}));
}

TEST(PositionBuilder, RefusesCircleRopeNamingTheReference) {
  EXPECT_NE(error_of("circlerope", {"text:2 image:1x4x4"}).find("irrational"), std::string::npos);
  EXPECT_NE(error_of("circlerope", {"text:2 image:1x4x4"}).find("--engine reference"), std::string::npos);
}

// Bad layouts get the reference's own messages, naming the sequence and segment.
TEST(PositionBuilder, BadLayoutsGetTheReferencesMessages) {
  EXPECT_EQ(error_of("qwen2-vl", {"text:2", "text:1 image:1x3x4"}),
            "sequence 2: segment 2 (image:1x3x4): grid height 3 is not divisible by the merge size 2");
  EXPECT_EQ(error_of("rope-tie", {"text:1 video:2x4x4"}),
            "sequence 1: segment 2 (video:2x4x4): rope-tie defines positions for single images only (Su's post has no "
            "temporal axis)");
}

// Where float32 rounding moves a frame: seconds 5/3, 3 tokens per second, frame 11 is trunc(fl32(fl32(11 s) tps)) =
// 54 under float32-index-first but trunc(fl32(11 fl32(tps s))) = 55 under float32-seconds-first (and exact). The
// builder follows each rule, and the two rules' references do differ here (random layouts rarely meet one such).
TEST(PositionBuilder, FollowsEachFloat32TimeRuleWhereTheyDiffer) {
  const std::vector<Sequence> batch{parse_layout("text:2 video:12x4x4@5/3 text:1")};
  std::vector<Coordinate> frame_eleven;
  for (const std::string rule : {"float32-index-first", "float32-seconds-first", "exact"}) {
    SCOPED_TRACE(rule);
    const auto design = make_preset_design(find_preset("qwen2.5-vl"), {{"time_rule", rule}, {"tokens_per_second", "3"}});
    const BatchPositions want = assign_batch(*design, batch, PaddingSide::right, PaddingConvention::transformers4);
    const BatchPositions got =
        as_batch_positions(build_positions_host(make_position_plan(*design, batch, PaddingSide::right, PaddingConvention::transformers4)));
    EXPECT_EQ(first_difference(got, want), "");
    frame_eleven.push_back(want.rows[0].tokens[2 + 11 * 4].pos.t);  // the first token of frame 11
  }
  EXPECT_EQ(frame_eleven[0], Coordinate(2 + 54));
  EXPECT_EQ(frame_eleven[1], Coordinate(2 + 55));
  EXPECT_EQ(frame_eleven[2], Coordinate(2 + 55));
}

// V2PE with a visual step of 2^-62: positions are numerators over 2^62, which a cursor past 2 cannot keep in int64.
TEST(PositionBuilder, RefusesNumeratorsPastInt64NamingTheSegment) {
  const std::string e = error_of("v2pe", {"text:5 image:1x2x2"}, {{"visual_step_log2", "62"}});
  EXPECT_NE(e.find("sequence 1: segment 2 (image:1x2x2)"), std::string::npos) << e;
  EXPECT_NE(e.find("numerators"), std::string::npos) << e;
  EXPECT_NE(e.find("--engine reference"), std::string::npos) << e;
  // With a small cursor the same step fits: 1 + k 2^-62 over 2^62.
  EXPECT_EQ(error_of("v2pe", {"image:1x2x2"}, {{"visual_step_log2", "62"}}), "(no error)");
}

}  // namespace
}  // namespace mmrope
