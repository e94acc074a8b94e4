// Decode continuation, every design: k text tokens appended to a prompt sit at text_position(next_position + i).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "reference/designs/registry.hpp"
#include "reference/layout_spec.hpp"
#include "test_support.hpp"

namespace mmrope {
namespace {

using Values = std::vector<std::pair<std::string, std::string>>;

// Prompts that end in text, in an image and in a video (rope-tie takes images only).
const std::vector<std::string> kImagePrompts = {
    "text:3 image:1x4x6 text:2",
    "text:1 image:1x8x2",
    "image:1x6x6 text:1 image:1x2x4",
};
const std::vector<std::string> kVideoPrompts = {
    "text:2 video:3x4x4 text:1",
    "text:1 image:1x4x4 text:2 video:4x2x6",
    "video:2x4x4@1.5 text:1 video:3x2x2@0.5",
};

// Appends "text:k" to the prompt and checks the prompt part is unchanged (positions are causal) and the
// appended tokens sit at the design's text position of next_position + i; the extended layout's
// next_position is next_position + k.
void check_continuation(const PositionDesign& d, const std::string& prompt) {
  SCOPED_TRACE(std::string(d.name()) + " on '" + prompt + "'");
  const auto base = d.assign(parse_layout(prompt));
  for (std::int64_t k : {1, 3}) {
    const auto ext = d.assign(parse_layout(prompt + " text:" + std::to_string(k)));
    ASSERT_EQ(ext.tokens.size(), base.tokens.size() + static_cast<std::size_t>(k));
    for (std::size_t i = 0; i < base.tokens.size(); ++i) ASSERT_TRUE(ext.tokens[i].pos == base.tokens[i].pos) << i;
    for (std::int64_t i = 0; i < k; ++i) {
      const auto& tok = ext.tokens[base.tokens.size() + static_cast<std::size_t>(i)];
      EXPECT_EQ(tok.kind, TokenKind::text);
      EXPECT_TRUE(tok.pos == d.text_position(base.next_position + Coordinate(i))) << "appended token " << i;
    }
    EXPECT_EQ(ext.next_position, base.next_position + Coordinate(k));
    // rope_delta: next_position minus the token count, so (length + i) + delta = next + i.
    EXPECT_EQ(ext.rope_delta, ext.next_position - Coordinate(static_cast<std::int64_t>(ext.tokens.size())));
  }
}

// Every registered design with its defaults (CircleRoPE is tested on its own).
TEST(Decode, EveryRegisteredDesignWithDefaults) {
  int tested = 0;
  for (const auto& entry : design_registry()) {
    if (entry.name == "circlerope") continue;
    auto d = make_design(entry.name);
    for (const auto& p : kImagePrompts) check_continuation(*d, p);
    if (entry.name != "rope-tie")
      for (const auto& p : kVideoPrompts) check_continuation(*d, p);
    ++tested;
  }
  EXPECT_GE(tested, 11);
}

// Non-default variants: the other next rules, time rules, centrings, steps and text spatial settings.
// (MRoPE's spatial-extent rule is the exception with its own test below.)
TEST(Decode, DesignVariants) {
  const std::vector<std::pair<std::string, Values>> variants = {
      {"mrope", {{"temporal_stride", "1/3"}}},
      {"mrope-absolute-time", {{"time_rule", "int-truncated"}}},
      {"mrope-absolute-time", {{"tokens_per_second", "25"}}},
      {"qwen3-vl", {{"frame_prefix_tokens", "0"}, {"frame_suffix_tokens", "0"}}},
      {"spatial-reset", {{"temporal_stride", "0.5"}}},
      {"videorope", {{"rule", "paper"}}},
      {"videorope", {{"temporal_stride", "0"}}},
      {"hope", {{"temporal_scales", "0.5,1.25,1.5"}}},
      {"v2pe", {{"visual_step_log2", "0"}}},
      {"v2pe", {{"visual_step_log2", "8"}}},
      {"il-rope", {{"text_spatial", "index"}, {"temporal_stride", "2"}}},
      {"omni-rope", {}},
      {"rope-tie", {{"spacing", "compact"}}},
  };
  for (const auto& [name, values] : variants) {
    auto d = make_design(name, values);
    for (const auto& p : kImagePrompts) check_continuation(*d, p);
    if (name != "rope-tie")
      for (const auto& p : kVideoPrompts) check_continuation(*d, p);
  }
}

// transformers >= 5.3 (next_rule=spatial-extent) breaks the continuation law after a multi-frame
// video: prefill puts text after the video at S + max(H', W'), decode continues from the prompt max + 1.
// "text:1 video:4x1x1" with merge 1: S = 1, one token per frame, text after at 1 + max(1, 1) = 2.
TEST(Decode, Transformers5SpatialExtentBreaksContinuationAfterVideo) {
  for (const auto& name : {"mrope", "mrope-absolute-time"}) {
    SCOPED_TRACE(name);
    auto d = make_design(name, {{"next_rule", "spatial-extent"}, {"merge_size", "1"}});
    const auto base = d->assign(parse_layout("text:1 video:4x1x1"));
    const auto ext = d->assign(parse_layout("text:1 video:4x1x1 text:1"));
    // mrope: t = 1, 2, 3, 4 (stride 1); mrope-absolute-time: t = 1 + floor(tt * 1 * 2) = 1, 3, 5, 7.
    const std::int64_t max_t = std::string(name) == "mrope" ? 4 : 7;
    EXPECT_EQ(base.next_position, Coordinate(max_t + 1));
    // The appended text token: S + max(H', W') = 1 + 1 = 2, not max_t + 1.
    EXPECT_TRUE(ext.tokens.back().pos == Position3::diagonal(Coordinate(2)));
  }
  // For images the two rules and the continuation agree (one temporal grid).
  auto d = make_design("mrope", {{"next_rule", "spatial-extent"}});
  for (const auto& p : kImagePrompts) check_continuation(*d, p);
}

// The text position designs give to a 1-D index: (p, p, p) except IL-RoPE / Omni-RoPE (p, 0, 0) by default.
TEST(Decode, TextPositionOfEachDesign) {
  for (const auto& entry : design_registry()) {
    if (entry.name == "circlerope") continue;
    SCOPED_TRACE(entry.name);
    auto d = make_design(entry.name);
    const Position3 got = d->text_position(Q(7, 2));
    if (entry.name == "il-rope" || entry.name == "omni-rope")
      EXPECT_TRUE(got == (Position3{Q(7, 2), Q(0), Q(0)}));
    else
      EXPECT_TRUE(got == Position3::diagonal(Q(7, 2)));
  }
}

}  // namespace
}  // namespace mmrope
