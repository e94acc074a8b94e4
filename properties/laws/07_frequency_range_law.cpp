// Law 7: per axis, the highest and lowest frequency it reads; interleaved and multi-head allocations give every
// axis the full range, chunked, VideoRoPE, HoPE, the paper's IL-RoPE and 2-D ones do not (2d-interleaved gives
// its two axes h and w the full range, and no t).
// Source: 2510.23095 sec. 2.3.2-2.3.3 (guideline "full frequency utilization"), Figure 3, Table 1 "Range".
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "07_frequency_range.hpp"
#include "claims.hpp"
#include "counterexample.hpp"
#include "gen/spec_gen.hpp"
#include "reference/presets/preset_rotary.hpp"

namespace mmrope::laws {
namespace {

// The ranges of the released settings, pair 0 = highest frequency (read off each allocation's rule comment).
TEST(Law07FrequencyRange, PresetRanges) {
  auto ranges = [](const char* preset) { return axis_ranges(rotary_spec_for(find_preset(preset).frequency).allocation); };
  auto expect = [](const std::array<AxisRange, 3>& r, std::array<std::array<int, 3>, 3> want) {
    for (int a = 0; a < 3; ++a) {
      EXPECT_EQ(r[a].lo, want[a][0]) << "axis " << "thw"[a];
      EXPECT_EQ(r[a].hi, want[a][1]) << "axis " << "thw"[a];
      EXPECT_EQ(r[a].count, want[a][2]) << "axis " << "thw"[a];
    }
  };
  expect(ranges("qwen2-vl"), {{{0, 15, 16}, {16, 39, 24}, {40, 63, 24}}});
  expect(ranges("mrope-i"), {{{0, 63, 24}, {1, 58, 20}, {2, 59, 20}}});
  expect(ranges("videorope"), {{{48, 63, 16}, {0, 46, 24}, {1, 47, 24}}});
  expect(ranges("hope"), {{{-1, -1, 0}, {0, 46, 24}, {1, 47, 24}}});
  expect(ranges("mhrope"), {{{0, 63, 64}, {0, 63, 64}, {0, 63, 64}}});
  expect(ranges("rope-tie"), {{{-1, -1, 0}, {0, 31, 32}, {32, 63, 32}}});
  // The paper's readings: RoPE-Tie's split interleaved (h even, w odd), IL-RoPE's t on the last 24 pairs.
  expect(ranges("rope-tie-paper"), {{{-1, -1, 0}, {0, 62, 32}, {1, 63, 32}}});
  expect(ranges("il-rope-paper"), {{{40, 63, 24}, {0, 38, 20}, {1, 39, 20}}});
}

// 2d-interleaved over P >= 11 pairs: h reads 0 and P - 1 or P - 2, w reads 1 and P - 1 or P - 2, and
// 1 <= 0.1 (P - 1) and P - 2 >= 0.9 (P - 1) both hold from P = 11: the two axes of a 2-D design have the full
// range (t, which a 2-D design does not have, reads nothing). Below 11 pairs w's pair 1 is past the top tenth.
RC_GTEST_PROP(Law07FrequencyRange, TwoDimensionalInterleavedGivesHAndWTheFullRange, ()) {
  const int pairs = *rc::gen::inRange(11, 129);
  const Allocation a = make_allocation("2d-interleaved", "", pairs);
  const auto v = full_range_violation(a, kSpatialAxes);
  if (v) RC_FAIL(*v);
  RC_ASSERT(full_range_violation(a).has_value());  // over all three axes: t reads no pair
  RC_ASSERT(full_range_violation(make_allocation("2d-interleaved", "", 10), kSpatialAxes).has_value());
}

// Interleaved with balanced sections (s_h, s_w in {floor(P/3) - 1, floor(P/3)}, t the rest) over P >= 61 pairs:
// s_h >= (P - 5)/3, so h stops at pair 3 s_h - 2 >= P - 7 >= 0.9 (P - 1) when P >= 61 (w one pair later, t
// reads pairs 0 and P - 1): every axis has the full range.
RC_GTEST_PROP(Law07FrequencyRange, BalancedInterleavedGivesEveryAxisTheFullRange, ()) {
  const int pairs = *rc::gen::inRange(61, 129);
  const int h = pairs / 3 - *rc::gen::inRange(0, 2), w = pairs / 3 - *rc::gen::inRange(0, 2);
  const std::string name = *rc::gen::element<std::string>("interleaved", "il-rope");
  const auto v = full_range_violation(make_allocation(name, format_sections({pairs - h - w, h, w}), pairs));
  if (v) RC_FAIL(*v);
}

RC_GTEST_PROP(Law07FrequencyRange, MultiHeadGivesEveryAxisTheFullRangeAndResolution, ()) {
  const Sections s{*rc::gen::inRange(1, 4), *rc::gen::inRange(1, 4), *rc::gen::inRange(1, 4)};
  const int kv = sum_of(s) + *rc::gen::inRange(0, 3);  // heads beyond the sections read no axis
  const Allocation a = make_allocation("multi-head", format_sections(s), *rc::gen::inRange(1, 65), HeadCounts{kv, kv});
  RC_ASSERT(!full_range_violation(a).has_value());
  RC_ASSERT(full_granularity(a));
}

// Every registered allocation is judged by its claim (claims::full_range_allocation), so a new one is checked
// the day it is registered. Unclaimed: some axis misses one end of the spectrum for some sections and pair
// count (chunked-style allocations miss it for all). Claimed: with balanced sections over 64 pairs (3 KV heads,
// one per axis, for multi-head) every axis it reads has the full range, and it reads at least one; the
// properties above cover other sections and pair counts.
TEST(Law07FrequencyRange, EveryRegisteredAllocationKeepsItsClaim) {
  for (const AllocationInfo& info : allocation_registry()) {
    const std::string name(info.name);
    if (!claims::full_range_allocation(name)) {
      expect_counterexample("law 7 under " + name, [name] {
        const RotarySpec spec = *gen::rotary_spec({name}, {64, 4}, false);
        const auto v = full_range_violation(spec.allocation);
        if (v) RC_FAIL(*v);
      });
      continue;
    }
    const std::string sections = !info.needs_sections ? "" : name == "multi-head" ? "1,1,1" : "22,21,21";
    const Allocation a = make_allocation(name, sections, 64);
    const auto r = axis_ranges(a);
    std::vector<Axis> read;
    for (Axis axis : kAxes)
      if (r[static_cast<int>(axis)].used()) read.push_back(axis);
    EXPECT_FALSE(read.empty()) << name;
    const auto v = full_range_violation(a, read);
    EXPECT_FALSE(v.has_value()) << name << " claims the full range: " << v.value_or("");
  }
}

TEST(Law07FrequencyRange, NoChannelSplitAllocationHasFullGranularity) {
  for (const auto& p : presets()) {
    const Allocation a = rotary_spec_for(p.frequency).allocation;
    if (a.name() == "1d") continue;  // one axis: granularity does not apply (Table 1 prints "-")
    EXPECT_EQ(full_granularity(a), a.per_head()) << p.name;
  }
}

}  // namespace
}  // namespace mmrope::laws
