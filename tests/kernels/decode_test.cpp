// The decode step's host twin against the exact reference: q rotated, k rotated into contiguous and paged KV
// caches, v copied, at the rope delta's positions; read back through the test's own cache map, not the kernel's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <cstring>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "../reference/random_seed.hpp"
#include "append_case.hpp"
#include "kernels/core/fp8_e4m3.hpp"
#include "kernels/host/build_positions_host.hpp"
#include "kernels/host/kv_append_host.hpp"
#include "kernels/host/position_plan_builder.hpp"
#include "reference/batch.hpp"
#include "reference/frequency/frequency_plan.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "reference/presets/presets.hpp"

namespace mmrope::kernels::testing {
namespace {

void expect_decode_matches_reference(const AppendCase& c, std::mt19937_64& rng) {
  SCOPED_TRACE(c.name());
  AppendData d = make_append_data(c, rng);
  apply_kv_append_host(d.params);
  for (TensorRole role : {TensorRole::query, TensorRole::key}) {
    const ComparisonReport r = judge_rotated(d, role);
    EXPECT_EQ(r.elements, static_cast<std::size_t>(c.tokens() * (role == TensorRole::query ? c.q_heads : c.kv_heads) * c.head_dim));
    EXPECT_EQ(r.beyond_element_bound, 0u) << (role == TensorRole::query ? "q" : "k") << ": max " << r.max_ulp << " ulp";
  }
  EXPECT_EQ(cache_problem(d), "");
}

TEST(DecodeHost, EveryCombinationMatchesTheReference) {
  std::mt19937_64 rng(test_seed());
  for (const AppendCase& c : decode_case_matrix()) expect_decode_matches_reference(c, rng);
}

// Random steps: batch 1 to 64, cache lengths up to 2^20, deltas of either sign, positions near 2^31 - 1.
TEST(DecodeHost, RandomStepsMatchTheReference) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  const auto cases = decode_case_matrix();
  for (int trial = 0; trial < 40; ++trial) {
    AppendCase c = cases[static_cast<std::size_t>(rng() % cases.size())];
    const bool wide_batch = trial % 8 == 0, long_cache = !wide_batch && trial % 3 == 0, near_limit = trial % 10 == 9;
    const int batch = wide_batch ? 64 : 1 + static_cast<int>(rng() % 5);
    if (long_cache) {  // cache lengths up to 2^20 in a paged cache (a contiguous one would be batch x 2^20 slots)
      c.cache = rng() % 2 ? CacheKind::paged_table : CacheKind::paged_slots;
      c.block_size = 16 << (rng() % 3);
    } else {
      c.block_size = 1 << (rng() % 5);
    }
    c.cache_lengths.clear();
    c.rope_deltas.clear();
    c.real_lengths.clear();
    for (int b = 0; b < batch; ++b) {
      const std::int64_t length = static_cast<std::int64_t>(rng() % (long_cache ? (1u << 20) : 50u));
      c.cache_lengths.push_back(length);
      c.real_lengths.push_back(length - static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(length + 1)));
      c.rope_deltas.push_back(static_cast<std::int64_t>(rng() % 2001) - 1000);
      if (near_limit) {  // the last new token within 0..2 of 2^31 - 1, the kernels' largest position
        c.rope_deltas.back() = 0;
        c.rope_deltas.back() = kLargestPosition - c.position(b, c.new_tokens - 1) - static_cast<std::int64_t>(rng() % 3);
      }
    }
    SCOPED_TRACE("seed " + std::to_string(seed) + ", trial " + std::to_string(trial));
    expect_decode_matches_reference(c, rng);
  }
}

// The same K and V at every (sequence, cache index) whatever the cache's layout.
TEST(DecodeHost, PagedAndContiguousCachesHoldTheSameKeys) {
  AppendCase c;
  c.new_tokens = 2;
  std::vector<std::vector<std::uint32_t>> seen;
  for (CacheKind kind : {CacheKind::contiguous, CacheKind::paged_table, CacheKind::paged_slots}) {
    c.cache = kind;
    std::mt19937_64 same_inputs(7);
    AppendData d = make_append_data(c, same_inputs);
    apply_kv_append_host(d.params);
    std::vector<std::uint32_t> keys;
    const std::int64_t per_slot = static_cast<std::int64_t>(c.kv_heads) * c.head_dim;
    for (int b = 0; b < c.batch(); ++b)
      for (int i = 0; i < c.new_tokens; ++i)
        for (std::int64_t e = 0; e < per_slot; ++e) {
          const std::int64_t slot = d.slot_of.at({b, c.cache_lengths[b] + i});
          keys.push_back(d.k_cache.bits(slot * per_slot + e));
          keys.push_back(d.v_cache.bits(slot * per_slot + e));
        }
    seen.push_back(keys);
  }
  EXPECT_EQ(seen[0], seen[1]);
  EXPECT_EQ(seen[0], seen[2]);
}

// k new tokens in one step are k steps of one: the same q and cache bits.
TEST(DecodeHost, SpeculativeStepEqualsSingleSteps) {
  AppendCase c;
  c.new_tokens = 3;
  std::mt19937_64 inputs_all(11), inputs_one(11);  // the same inputs and the same block table
  AppendData all = make_append_data(c, inputs_all);
  apply_kv_append_host(all.params);
  AppendData one = make_append_data(c, inputs_one);
  for (int i = 0; i < c.new_tokens; ++i) {
    // Token i of each sequence (input row b * 3 + i) as a batch of single tokens at cache index length + i.
    KvAppendParams p = one.params;
    p.new_tokens = 1;
    std::vector<std::int64_t> lengths, real;
    Buffer q = one.q, k = one.k, v = one.v;
    for (Buffer* b : {&q, &k, &v}) b->bytes.clear();
    for (int b = 0; b < c.batch(); ++b) {
      lengths.push_back(c.cache_lengths[b] + i);
      real.push_back(c.real_lengths[b] + i);
      const std::int64_t n = static_cast<std::int64_t>(b) * c.new_tokens + i;
      const auto take = [&](const Buffer& from, Buffer& to, std::int64_t stride) {
        const auto* first = from.bytes.data() + static_cast<std::size_t>(n * stride) * from.width();
        to.bytes.insert(to.bytes.end(), first, first + static_cast<std::size_t>(stride) * from.width());
      };
      take(one.q, q, one.token_stride_q);
      take(one.k, k, one.token_stride_kv);
      take(one.v, v, one.token_stride_kv);
    }
    p.cache_lengths = lengths.data();
    p.real_lengths = real.data();
    p.q = {q.data(), q.data(), one.token_stride_q, c.head_dim};
    p.k.input = k.data();
    p.v.input = v.data();
    apply_kv_append_host(p);
    for (int b = 0; b < c.batch(); ++b) {
      const std::int64_t n = static_cast<std::int64_t>(b) * c.new_tokens + i;
      for (std::int64_t e = 0; e < one.token_stride_q; ++e)
        EXPECT_EQ(all.q.bits(n * one.token_stride_q + e), q.bits(b * one.token_stride_q + e)) << "token " << n;
    }
  }
  EXPECT_EQ(all.k_cache.bytes, one.k_cache.bytes);
  EXPECT_EQ(all.v_cache.bytes, one.v_cache.bytes);
}

// The transformers #40136 class: token k of decoding must sit where the prompt extended by k text tokens puts
// it, under both rope-delta conventions of a left-padded batch. Positions and deltas come from the reference's
// batch builder and, again, from the kernels' position builder; the kernel's k cache is judged at the extended
// prompt's positions.
TEST(DecodeHost, DecodeContinuesThePromptUnderBothConventions) {
  std::mt19937_64 rng(test_seed());
  const std::vector<std::string> layouts = {"text:3 image:1x4x6 text:2", "text:5 video:4x4x4 text:1", "text:2"};
  for (const char* preset_name : {"qwen2-vl", "qwen2.5-vl", "qwen3-vl", "mrope-i", "videorope", "vanilla"})
    for (PaddingConvention convention : {PaddingConvention::transformers4, PaddingConvention::transformers5}) {
      SCOPED_TRACE(std::string(preset_name) + (convention == PaddingConvention::transformers4 ? " t4" : " t5"));
      const Preset& preset = find_preset(preset_name);
      const auto design = make_preset_design(preset);
      std::vector<Sequence> sequences;
      for (const auto& l : layouts) sequences.push_back(parse_layout(l));
      const BatchPositions batch = assign_batch(*design, sequences, PaddingSide::left, convention);
      AppendCase c;
      c.allocation = preset.frequency.allocation;
      c.new_tokens = 3;
      c.head_dim = c.rotary_dim = 16;
      c.sections = c.allocation == "1d" ? "" : c.allocation == "interleaved" ? "3,3,2" : "2,3,3";
      c.convention = convention == PaddingConvention::transformers4 ? RopeDeltaConvention::transformers4
                                                                    : RopeDeltaConvention::transformers5;
      c.cache_lengths.clear();
      c.rope_deltas.clear();
      c.real_lengths.clear();
      for (std::size_t b = 0; b < sequences.size(); ++b) {
        const auto& row = batch.rows[b];
        ASSERT_TRUE(row.rope_delta.is_integer_value());
        c.cache_lengths.push_back(batch.padded_length);
        c.rope_deltas.push_back(row.rope_delta.to_int64());
        c.real_lengths.push_back(design->token_total(sequences[b]));
        // The law: the extended prompt's last three tokens are text at (p, p, p), p = the case's position.
        Sequence extended = sequences[b];
        extended.segments.emplace_back(TextRun{3});
        const SequencePositions whole = design->assign(extended);
        for (int i = 0; i < 3; ++i) {
          const Position3& p = whole.tokens[whole.tokens.size() - 3 + static_cast<std::size_t>(i)].pos;
          EXPECT_EQ(p, Position3::diagonal(Coordinate(c.position(static_cast<int>(b), i)))) << "sequence " << b << " token " << i;
        }
      }
      // The same law through the kernels' own position builder (the serving pipeline: build the prompt's
      // positions and deltas on the device, then decode): its deltas are the reference's, and the batch with
      // every row extended by three text tokens places them at the decode rule's positions.
      const BuiltPositions prompt = build_positions_host(make_position_plan(*design, sequences, PaddingSide::left, convention));
      std::vector<Sequence> extended = sequences;
      for (Sequence& s : extended) s.segments.emplace_back(TextRun{3});
      const BuiltPositions longer = build_positions_host(make_position_plan(*design, extended, PaddingSide::left, convention));
      ASSERT_EQ(prompt.cursor_den, 1);
      ASSERT_EQ(longer.padded_length, prompt.padded_length + 3);
      const std::int64_t tokens = longer.rows * longer.padded_length;
      for (std::size_t b = 0; b < sequences.size(); ++b) {
        EXPECT_EQ(prompt.rope_delta[b], c.rope_deltas[b]) << "sequence " << b;
        for (int i = 0; i < 3; ++i) {
          const std::int64_t n = static_cast<std::int64_t>(b) * longer.padded_length + prompt.padded_length + i;
          ASSERT_EQ(longer.den[static_cast<std::size_t>(n)], 1);
          for (int axis = 0; axis < 3; ++axis)
            EXPECT_EQ(longer.positions[static_cast<std::size_t>(axis * tokens + n)], c.position(static_cast<int>(b), i))
                << "sequence " << b << " token " << i << " axis " << axis;
        }
      }
      expect_decode_matches_reference(c, rng);
    }
}

// Bad steps are refused before anything is written, naming the token and what is wrong.
TEST(DecodeHost, BadStepsAreRefusedBeforeAnyWrite) {
  std::mt19937_64 rng(test_seed());
  const auto refused = [&](const AppendCase& c, const std::function<void(AppendData&)>& spoil, const std::string& words) {
    EXPECT_EQ(refusal_problem(c, rng, spoil, words), "");
  };
  AppendCase paged;
  AppendCase contiguous;
  contiguous.cache = CacheKind::contiguous;
  AppendCase slots;
  slots.cache = CacheKind::paged_slots;
  // The default case: cache lengths 3 and 9, block size 4, 3 table entries per sequence: token 0 reads entry
  // 0 (index 3), token 1 entry 3 + 2 (index 9).
  refused(paged, [](AppendData& d) { d.block_table[0] = static_cast<std::int32_t>(d.params.cache.num_blocks); },
          "token 0 (sequence 0, new token 0): a block table entry outside [0, num_blocks)");
  refused(paged, [](AppendData& d) { d.block_table[5] = -1; }, "token 1 (sequence 1, new token 0): a block table entry outside");
  refused(paged, [](AppendData& d) { d.params.cache.max_blocks = 1; }, "a cache index past the cache");
  refused(contiguous, [](AppendData& d) { d.params.cache.max_seq = 9; }, "token 1 (sequence 1, new token 0): a cache index past");
  refused(slots, [](AppendData& d) { d.slot_mapping[1] = d.params.cache.num_blocks * d.params.cache.block_size; },
          "token 1 (sequence 1, new token 0): a slot mapping entry past");
  refused(paged, [](AppendData& d) { d.c.rope_deltas[0] = kLargestPosition; }, "a rope position outside");
  refused(paged, [](AppendData& d) { d.c.rope_deltas[1] = std::int64_t{1} << 62; }, "token 1 (sequence 1, new token 0): a rope position outside");
  refused(paged, [](AppendData& d) { d.params.convention = RopeDeltaConvention::transformers5; d.params.real_lengths = nullptr; },
          "give real_lengths");
  refused(paged, [](AppendData& d) { d.params.kv_heads = 3; }, "q_heads 4 must be a multiple of kv_heads 3");
  refused(paged, [](AppendData& d) { d.params.cache.block_table = nullptr; }, "a block table");
  refused(paged, [](AppendData& d) { d.params.q.token_stride = 5; }, "q: token_stride must hold every head");
  refused(contiguous, [](AppendData& d) { d.params.cache.v = nullptr; }, "the KV cache needs k and v");
}

// The conversion itself against the MPFR grid: every e4m3 value, every midpoint between neighbours and the
// doubles just either side of each, saturation, zeros, NaN and infinities, both signs.
TEST(Fp8E4m3, EveryValueAndMidpointRoundsAsTheReference) {
  std::vector<double> probes = {0.0, 0x1p-10, 0x1p-11, 1e-300, 448.0, 464.0, 479.99, 480.0, 1e30,
                                std::numeric_limits<double>::infinity(), std::numeric_limits<double>::denorm_min()};
  for (int code = 0; code < 0x7E; ++code) {
    const double here = e4m3_value(static_cast<std::uint8_t>(code)), next = e4m3_value(static_cast<std::uint8_t>(code + 1));
    const double mid = (here + next) / 2;
    for (double v : {here, mid, std::nextafter(mid, 0.0), std::nextafter(mid, 1e9)}) probes.push_back(v);
  }
  for (double v : probes)
    for (double s : {1.0, -1.0}) {
      const double x = s * v;
      const std::uint8_t want = std::isinf(x) ? static_cast<std::uint8_t>((s < 0 ? 0x80 : 0) | 0x7E) : exact_e4m3(Mpfr256(x));
      const std::uint8_t got = double_to_e4m3(x);
      if (x == 0) EXPECT_EQ(got & 0x7F, 0) << x;
      else EXPECT_EQ(int{got}, int{want}) << std::hexfloat << x;
    }
  EXPECT_EQ(double_to_e4m3(std::numeric_limits<double>::quiet_NaN()), 0x7F);
  EXPECT_EQ(double_to_e4m3(-std::numeric_limits<double>::quiet_NaN()), 0x7F);
}

// fp8 e4m3 caches with per-tensor scales: each cached k equals the e4m3 of the exact rotated value over the
// scale and each v the e4m3 of v over its scale, except where the kernel's double result can sit across a
// rounding boundary (fp8_cache_problem says how close it must then be).
TEST(DecodeHost, Fp8CacheEqualsQuantizingTheExactResult) {
  std::mt19937_64 rng(test_seed());
  int variant = 0;
  std::size_t checked = 0, neighbours = 0;
  for (DType dtype : {DType::fp32, DType::fp16, DType::bf16})
    for (Pairing pairing : {Pairing::neox, Pairing::gptj})
      for (double scale : {1.0, 0.3, 0x1p-6, 64.0}) {  // 2^-6: inputs to 2^4 saturate at 448
        AppendCase c;
        c.dtype = dtype;
        c.pairing = pairing;
        c.new_tokens = 2;
        c.head_dim = variant % 2 ? 12 : 8;
        c.cache = static_cast<CacheKind>(variant++ % 3);
        c.fp8_scale = scale;
        SCOPED_TRACE(c.name() + " scale " + std::to_string(scale));
        AppendData d = make_append_data(c, rng);
        apply_kv_append_host(d.params);
        EXPECT_EQ(fp8_cache_problem(d, &checked, &neighbours), "");
      }
  std::cout << "[ fp8      ] " << checked << " cached values checked, " << neighbours << " within the slack of a boundary\n";
}

// A negative slot mapping entry skips the token's k and v (vLLM's padding), its q still rotates.
TEST(DecodeHost, NegativeSlotSkipsTheToken) {
  std::mt19937_64 rng(test_seed());
  AppendCase c;
  c.cache = CacheKind::paged_slots;
  AppendData d = make_append_data(c, rng);
  d.slot_mapping[0] = -1;
  apply_kv_append_host(d.params);
  const std::int64_t per_slot = static_cast<std::int64_t>(c.kv_heads) * c.head_dim;
  const std::int64_t skipped = d.slot_of.at({0, c.cache_lengths[0]});
  for (std::int64_t e = 0; e < per_slot; ++e) {
    EXPECT_EQ(d.k_cache.bits(skipped * per_slot + e), 0xA5A5u);
    EXPECT_EQ(d.v_cache.bits(skipped * per_slot + e), 0xA5A5u);
  }
  EXPECT_NE(d.q.bytes, d.q_original.bytes);
}

}  // namespace
}  // namespace mmrope::kernels::testing
