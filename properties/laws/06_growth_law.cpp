// Law 6: the next text position after one visual item at S follows each design's exact formula.
// Source: 2510.23095 sec. 2.2 (positional coherence: "slow growth"; eq. 2 for MRoPE) and each design's rule
// comment in reference/designs/. Growth classes: vanilla, RoPE-Tie O(h*w); V2PE O(delta*h*w); MRoPE, spatial
// reset, IL-RoPE O(max(h, w)) for images; VideoRoPE, HoPE O(1) for images and O(delta*T) for videos; CircleRoPE
// O(1) (bounded by the radius). Every design claims its own formula.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>

#include "gen/design_gen.hpp"

namespace mmrope::laws {
namespace {

Rational max3(const Rational& a, const Rational& b, const Rational& c) { return std::max(a, std::max(b, c)); }

// The exact next text position, or for CircleRoPE its upper bound, after `item` at S under the preset.
struct Expected {
  Rational value;
  bool upper_bound_only = false;
};

Expected expected_next(const PositionDesign& d, const Segment& item, std::int64_t S, std::int64_t merge) {
  const VisualTokens g = visual_tokens(0, item, merge);
  const Params& p = d.params();
  const std::string name(d.name());
  const Rational T(g.t), H(g.h), W(g.w), N(g.count());
  const bool video = std::holds_alternative<Video>(item);
  auto rat = [&](const char* key) { return p.rational(key); };
  if (name == "vanilla") return {S + N};
  if (name == "v2pe") return {Rational(ceil_of(Rational(S - 1) + N / Rational(BigInt(1) << static_cast<unsigned>(p.integer("visual_step_log2"))))) + 1};
  if (name == "mrope" || name == "mrope-absolute-time") {
    if (p.text_or("next_rule", "") == "spatial-extent") return {S + std::max(H, W)};
    Rational t_last = (T - 1) * (name == "mrope" ? rat("temporal_stride") : Rational(0));
    if (name == "mrope-absolute-time" && video) {
      Rational sec = std::get<Video>(item).seconds_per_grid.value_or(rat("seconds_per_grid"));
      const std::string& rule = p.choice("time_rule");
      if (rule == "float32-index-first" || rule == "float32-seconds-first") {
        // Plain float arithmetic (ISO C++ mode: no contraction), independent of the design's double-based emulation.
        const float s32 = static_cast<float>(static_cast<double>(sec));
        const float tps32 = static_cast<float>(static_cast<double>(rat("tokens_per_second")));
        const float k = static_cast<float>(static_cast<double>(T - 1));
        const float product = rule == "float32-index-first" ? (k * s32) * tps32 : k * (tps32 * s32);
        t_last = Rational(static_cast<std::int64_t>(product));
      } else {
        if (rule == "int-truncated") sec = Rational(floor_of(sec));
        t_last = Rational(floor_of((T - 1) * sec * rat("tokens_per_second")));
      }
    }
    return {S + max3(t_last, H - 1, W - 1) + 1};
  }
  if (name == "qwen3-vl") {
    if (!video) return {S + std::max(H, W)};
    return {S + T * (Rational(p.integer("frame_prefix_tokens") + p.integer("frame_suffix_tokens")) + std::max(H, W))};
  }
  if (name == "spatial-reset") return {S + max3((T - 1) * rat("temporal_stride"), H - 1, W - 1) + 1};
  if (name == "il-rope" || name == "omni-rope") return {S + max3((T - 1) * rat("temporal_stride") + 1, H, W)};
  if (name == "videorope" || name == "hope") {
    const Rational delta = name == "videorope" ? rat("temporal_stride") : p.rational_list("temporal_scales").front();
    if (p.choice("rule") == "paper") return {S + delta * T};
    return {S + delta * (T - 1) + 1};
  }
  if (name == "rope-tie") {
    if (p.choice("spacing") == "compact") return {S + H * W};
    return {S - 1 + (W + 1) * (H + 1)};
  }
  if (name == "circlerope") {
    // Every ring offset is at distance |R| from the diagonal, so each coordinate is within |R| sqrt(2/3) of
    // S + f*stride: next <= S + (T-1) stride + |R| sqrt(2/3) + 1 < S + (T-1) stride + 0.82 |R| + 1.
    const Rational r = rat("radius") < 0 ? Rational(-rat("radius")) : rat("radius");
    return {S + (T - 1) * rat("temporal_stride") + r * Rational(82, 100) + 1, true};
  }
  throw Error("no growth formula for design " + name);
}

RC_GTEST_PROP(Law06Growth, NextTextFollowsTheDesignFormula, ()) {
  const std::string preset = *rc::gen::elementOf(gen::preset_names());
  const std::int64_t merge = *rc::gen::inRange<std::int64_t>(1, 3);
  const std::int64_t S = *rc::gen::inRange<std::int64_t>(0, 100);
  const Segment item = *gen::visual_item(merge, gen::limits_for(preset, {}));
  Sequence seq;
  if (S > 0) seq.segments.emplace_back(TextRun{S});
  seq.segments.push_back(item);
  seq.segments.emplace_back(TextRun{1});
  const auto design = make_preset_design(find_preset(preset), {{"merge_size", std::to_string(merge)}});
  const SequencePositions sp = design->assign(seq);
  const Coordinate next = sp.tokens.back().pos.t;
  const Expected want = expected_next(*design, item, S, merge);
  if (want.upper_bound_only) RC_ASSERT(!(Coordinate(want.value) < next));
  else RC_ASSERT(next == Coordinate(want.value));
}

}  // namespace
}  // namespace mmrope::laws
