// Allocation maps of the real presets, re-derived from each rule as written in its source, not copied from notes.
#include <gtest/gtest.h>

#include <string>

#include "reference/frequency/allocation_registry.hpp"
#include "reference/presets/preset_rotary.hpp"

namespace mmrope {
namespace {

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string preset_map(const std::string& name, RotaryOverrides o = {}) {
  return rotary_spec_for(find_preset(name).frequency, o).allocation.map();
}

// Qwen2-VL [16,24,24]: 16 pairs t, 24 h, 24 w, in that order (chunks of the doubled section list).
TEST(FrequencyAllocation, ChunkedQwen2Vl) {
  EXPECT_EQ(preset_map("qwen2-vl"), repeat("t", 16) + repeat("h", 24) + repeat("w", 24));
  EXPECT_EQ(preset_map("qwen2.5-vl"), preset_map("qwen2-vl"));
  EXPECT_EQ(preset_map("circlerope"), preset_map("qwen2-vl"));
}

// Qwen3-VL [24,20,20]: the h slice 1, 4, .., 58 (< 60) and w slice 2, 5, .., 59 (< 60); all else t,
// so 20 "thw" cycles and a tail of 4 t (pairs 60..63).
TEST(FrequencyAllocation, InterleavedQwen3Vl) {
  EXPECT_EQ(preset_map("qwen3-vl"), repeat("thw", 20) + "tttt");
  EXPECT_EQ(preset_map("mrope-i"), preset_map("qwen3-vl"));
  const auto c = rotary_spec_for(find_preset("qwen3-vl").frequency).allocation.counts();
  EXPECT_EQ(c[0], 24);
  EXPECT_EQ(c[1], 20);
  EXPECT_EQ(c[2], 20);
}

// Qwen3.5: head 256 with partial rotary 0.25 -> d = 64, 32 pairs, [11,11,10]: h at 1..31 step 3 (11 of them,
// < 33), w at 2..29 step 3 (10, < 30), t elsewhere: 10 "thw" cycles then "th".
TEST(FrequencyAllocation, InterleavedQwen35PartialRotary) {
  EXPECT_EQ(preset_map("qwen3-vl", {64, std::string("11,11,10"), std::nullopt, std::nullopt}), repeat("thw", 10) + "th");
  EXPECT_EQ(allocation_interleaved({11, 11, 10}, 32).counts(), (std::array<int, 4>{11, 11, 10, 0}));
}

// When a section is too large for its slice the tail stays t: the rule (slice), not the section, decides.
TEST(FrequencyAllocation, InterleavedTailFollowsTheSlices) {
  // [10,11,11] over 32: h at j%3==1, j<33 (11); w at j%3==2, j<33 -> 2..29 (10, pair 32 does not exist); t the rest.
  EXPECT_EQ(allocation_interleaved({10, 11, 11}, 32).counts(), (std::array<int, 4>{11, 11, 10, 0}));
  // [4,2,2] over 8: h at 1,4; w at 2,5; t at 0,3,6,7.
  EXPECT_EQ(allocation_interleaved({4, 2, 2}, 8).map(), "thwthwtt");
}

// Official VideoRoPE: sections become [48 spatial, 16 temporal]; spatial pair j even -> h, odd -> w.
TEST(FrequencyAllocation, VideoRopeOfficialAndRepo) {
  EXPECT_EQ(preset_map("videorope"), repeat("hw", 24) + repeat("t", 16));
  // The repo variant starts from t and writes h at odd j < 48, w at even 2 <= j < 48: one pair apart.
  const std::string repo = allocation_videorope_repo({16, 24, 24}, 64).map();
  EXPECT_EQ(repo, "t" + repeat("hw", 23) + "h" + repeat("t", 16));
  EXPECT_EQ(allocation_videorope_repo({16, 24, 24}, 64).counts(), (std::array<int, 4>{17, 24, 23, 0}));
  int differing = 0;
  for (std::size_t j = 0; j < repo.size(); ++j) differing += repo[j] != preset_map("videorope")[j];
  EXPECT_EQ(differing, 48);  // every spatial pair moves by one: the layouts are shifted, not permuted in place
}

// HoPE: VideoRoPE's spatial pairs, the 16 lowest-frequency pairs do not rotate at all.
TEST(FrequencyAllocation, HopeTemporalBandDoesNotRotate) {
  EXPECT_EQ(preset_map("hope"), repeat("hw", 24) + repeat("-", 16));
  const Allocation a = make_allocation("hope", "16,24,24", 64);
  EXPECT_FALSE(a.query_axis(0, 63).has_value());
  EXPECT_EQ(a.query_axis(0, 0), Axis::h);
}

// IL-RoPE-like: the repo's MRoPE-I rule under its own name.
TEST(FrequencyAllocation, IlRopeIsTheInterleavedRule) {
  const Allocation a = make_allocation("il-rope", "24,20,20", 64);
  EXPECT_EQ(a.name(), "il-rope");
  EXPECT_EQ(a.map(), repeat("thw", 20) + "tttt");
}

// The paper's reading of IL-RoPE (lowest frequencies for t): the first s_h + s_w pairs alternate h (even j) and
// w (odd j), the last s_t pairs read t. Maps written out pair by pair, pair 0 first.
TEST(FrequencyAllocation, IlRopePaperReservesTheLowestFrequenciesForTime) {
  EXPECT_EQ(make_allocation("il-rope-paper", "2,2,2", 6).map(), "hwhwtt");
  // 5 spatial pairs: h at 0, 2, 4 and w at 1, 3 (the parity decides, as in official VideoRoPE); t at 5..7.
  EXPECT_EQ(make_allocation("il-rope-paper", "3,3,2", 8).map(), "hwhwhttt");
  EXPECT_EQ(make_allocation("il-rope-paper", "1,0,0", 1).map(), "t");
  const Allocation a = make_allocation("il-rope-paper", "24,20,20", 64);
  EXPECT_EQ(a.name(), "il-rope-paper");
  // pairs 0..39 "hw" x 20, pairs 40..63 t x 24
  EXPECT_EQ(a.map(), "hwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwtttttttttttttttttttttttt");
  EXPECT_EQ(a.counts(), (std::array<int, 4>{24, 20, 20, 0}));
  EXPECT_EQ(a.key_axis(0, 39), Axis::w);
  EXPECT_EQ(a.key_axis(0, 40), Axis::t);
  EXPECT_EQ(preset_map("il-rope-paper"), a.map());
  EXPECT_NE(preset_map("il-rope-paper"), preset_map("il-rope"));  // the library's reading: the interleave
  EXPECT_THROW(make_allocation("il-rope-paper", "24,20,19", 64), Error);  // sections must cover the pairs
  EXPECT_THROW(make_allocation("il-rope-paper", "", 64), Error);
}

// MHRoPE [2,3,3] KV heads: with 16 query heads over 8 KV heads (group 2) query heads 0-3 t, 4-9 h, 10-15 w.
TEST(FrequencyAllocation, MultiHeadPerQueryHead) {
  EXPECT_EQ(preset_map("mhrope", {std::nullopt, std::nullopt, HeadCounts{16, 8}, std::nullopt}), "tttthhhhhhwwwwww");
  EXPECT_EQ(preset_map("mhrope"), "tthhhwww");  // default: one query head per KV head, as many as the sections
  // Leftover KV heads are not rotated; query head i follows KV head i / 3.
  const Allocation a = make_allocation("multi-head", "1,1,1", 64, HeadCounts{12, 4});
  EXPECT_EQ(a.map(), "ttthhhwww---");
  EXPECT_EQ(a.key_axis(1, 0), Axis::h);
  EXPECT_FALSE(a.key_axis(3, 0).has_value());
  EXPECT_EQ(a.query_axis(5, 17), Axis::h);  // every pair of a head reads the head's axis
  EXPECT_FALSE(a.query_axis(9, 0).has_value());
  EXPECT_THROW(make_allocation("multi-head", "2,3,3", 64, HeadCounts{8, 4}), Error);  // 8 sections > 4 KV heads
  EXPECT_THROW(make_allocation("multi-head", "2,3,3", 64, HeadCounts{12, 8}), Error);  // 12 not a multiple of 8
}

TEST(FrequencyAllocation, OneAndTwoDimensional) {
  EXPECT_EQ(preset_map("vanilla"), repeat("t", 64));
  EXPECT_EQ(preset_map("v2pe"), repeat("t", 64));
  EXPECT_EQ(preset_map("rope-tie"), repeat("h", 32) + repeat("w", 32));
  EXPECT_EQ(make_allocation("2d", "", 5).map(), "hhwww");
}

// The paper's reading of RoPE-Tie (split interleaved between x and y): even pairs h, odd pairs w; an odd count
// gives h the larger half. Maps written out pair by pair, pair 0 first.
TEST(FrequencyAllocation, TwoDimensionalInterleavedAlternatesHAndW) {
  EXPECT_EQ(make_allocation("2d-interleaved", "", 1).map(), "h");
  EXPECT_EQ(make_allocation("2d-interleaved", "", 5).map(), "hwhwh");
  EXPECT_EQ(make_allocation("2d-interleaved", "", 8).map(), "hwhwhwhw");
  EXPECT_EQ(make_allocation("2d-interleaved", "16,24,24", 8).map(), "hwhwhwhw");  // takes no sections: ignored
  EXPECT_EQ(preset_map("rope-tie-paper"), "hwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhwhw");
  const Allocation a = make_allocation("2d-interleaved", "", 64);
  EXPECT_EQ(a.name(), "2d-interleaved");
  EXPECT_EQ(a.counts(), (std::array<int, 4>{0, 32, 32, 0}));
  EXPECT_EQ(a.query_axis(0, 62), Axis::h);
  EXPECT_EQ(a.query_axis(0, 63), Axis::w);
}

TEST(FrequencyAllocation, EveryPresetBuilds) {
  for (const auto& p : presets()) {
    const RotarySpec s = rotary_spec_for(p.frequency);
    EXPECT_EQ(s.allocation.pairs(), 64) << p.name;
    const auto c = s.allocation.counts();
    EXPECT_EQ(c[0] + c[1] + c[2] + c[3], static_cast<int>(s.allocation.map().size())) << p.name;
  }
}

TEST(FrequencyAllocation, BadInputIsAnError) {
  EXPECT_THROW(make_allocation("chunked", "16,24,23", 64), Error);      // sums to 63
  EXPECT_THROW(make_allocation("interleaved", "24,20,20", 32), Error);  // sums to 64, 32 pairs
  EXPECT_THROW(make_allocation("chunked", "", 64), Error);
  EXPECT_THROW(make_allocation("spiral", "16,24,24", 64), Error);
  EXPECT_THROW(parse_sections("16,24"), Error);
  EXPECT_THROW(parse_sections("16,24,x"), Error);
  EXPECT_THROW(parse_heads("16"), Error);
  EXPECT_THROW(rotary_spec_for(find_preset("qwen2-vl").frequency, {130, std::nullopt, std::nullopt, std::nullopt}), Error);
  EXPECT_EQ(parse_heads("28:4").group(), 7);
}

}  // namespace
}  // namespace mmrope
