// The KV-append kernel's host twin on prefill chunks: given positions, packed sequences of any length, the
// phase on the fly or from an fp32 cos/sin cache, with and without the KV write; laws of chunked prefill.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "../reference/random_seed.hpp"
#include "append_case.hpp"
#include "kernels/host/kv_append_host.hpp"
#include "reference/layout_spec.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "reference/presets/presets.hpp"

namespace mmrope::kernels::testing {
namespace {

void expect_prefill_matches_reference(const AppendCase& c, std::mt19937_64& rng) {
  SCOPED_TRACE(c.name() + (c.cos_sin_rows ? " cos/sin cache" : "") + (c.without_cache ? " no KV cache" : "") +
               (c.int32_positions ? " int32" : " int64") + (c.one_axis_positions ? " 1-D" : ""));
  AppendData d = make_append_data(c, rng);
  apply_kv_append_host(d.params);
  if (c.cos_sin_rows > 0) {
    EXPECT_EQ(cos_sin_cache_problem(d), "");
  } else {
    for (TensorRole role : {TensorRole::query, TensorRole::key}) {
      const ComparisonReport r = judge_rotated(d, role);
      EXPECT_EQ(r.elements, static_cast<std::size_t>(c.tokens() * (role == TensorRole::query ? c.q_heads : c.kv_heads) * c.head_dim));
      EXPECT_EQ(r.beyond_element_bound, 0u) << (role == TensorRole::query ? "q" : "k") << ": max " << r.max_ulp << " ulp";
    }
  }
  EXPECT_EQ(cache_problem(d), "");
}

TEST(PrefillHost, EveryCombinationMatchesTheReference) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (const AppendCase& c : prefill_case_matrix(rng)) expect_prefill_matches_reference(c, rng);
}

// Random chunks: 1 to 6 sequences, chunks of 0 to 40 tokens after up to 2^16 cached ones, every cache kind.
TEST(PrefillHost, RandomChunksMatchTheReference) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < 30; ++trial) {
    const auto cases = prefill_case_matrix(rng);
    AppendCase c = cases[static_cast<std::size_t>(rng() % cases.size())];
    const int batch = 1 + static_cast<int>(rng() % 6);
    c.chunk_lengths.clear();
    c.cache_lengths.clear();
    for (int b = 0; b < batch; ++b) {
      c.chunk_lengths.push_back(static_cast<int>(rng() % 41));
      c.cache_lengths.push_back(static_cast<std::int64_t>(rng() % (1u << 16)));
    }
    if (c.tokens() == 0) c.chunk_lengths[0] = 1;  // an all-empty step has no buffers to hand over (null pointers)
    c.rope_deltas.assign(static_cast<std::size_t>(batch), 0);
    c.real_lengths.assign(static_cast<std::size_t>(batch), 0);
    c.block_size = 1 << (rng() % 6);
    if (c.cache == CacheKind::contiguous) c.cache = CacheKind::paged_table;  // batch x 2^16 slots would be large
    c.given_positions.clear();
    for (std::int64_t n = 0; n < c.tokens(); ++n) {
      std::array<std::int64_t, 3> p{};
      for (std::int64_t& v : p)
        v = c.cos_sin_rows > 0 ? static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(c.cos_sin_rows))
                               : static_cast<std::int64_t>(static_cast<std::int32_t>(rng()));
      if (c.one_axis_positions) p[1] = p[2] = p[0];
      c.given_positions.push_back(p);
    }
    SCOPED_TRACE("seed " + std::to_string(seed) + ", trial " + std::to_string(trial));
    expect_prefill_matches_reference(c, rng);
  }
}

// A prompt's positions from the reference's walk, per token, for a preset's design.
std::vector<std::array<std::int64_t, 3>> prompt_positions(const Preset& preset, const std::string& layout) {
  const SequencePositions seq = make_preset_design(preset)->assign(parse_layout(layout));
  std::vector<std::array<std::int64_t, 3>> out;
  for (const TokenPosition& t : seq.tokens) out.push_back({t.pos.t.to_int64(), t.pos.h.to_int64(), t.pos.w.to_int64()});
  return out;
}

// The law of chunked prefill: a prompt appended in chunks [start, end), each at the slice of the whole prompt's
// positions and cache index start, leaves the same q and the same cache bits as the whole prompt in one step.
TEST(PrefillHost, ChunkedPrefillEqualsFullPrefill) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  for (const char* preset_name : {"qwen2.5-vl", "qwen3-vl", "mhrope", "videorope"})
    for (CacheKind cache : {CacheKind::contiguous, CacheKind::paged_table, CacheKind::paged_slots}) {
      SCOPED_TRACE(std::string(preset_name) + " " + name_of(cache) + ", seed " + std::to_string(seed));
      const Preset& preset = find_preset(preset_name);
      const std::vector<std::string> layouts = {"text:3 image:1x4x6 text:2", "text:5 video:2x4x4 text:4"};
      AppendCase whole;
      whole.allocation = preset.frequency.allocation;
      whole.head_dim = whole.rotary_dim = 16;
      whole.sections = whole.allocation == "multi-head" ? "1,1,1" : whole.allocation == "interleaved" ? "3,3,2" : "2,3,3";
      if (whole.allocation == "multi-head") whole.mhrope_heads = HeadCounts{8, 4}, whole.q_heads = 8, whole.kv_heads = 4;
      whole.cache = cache;
      whole.block_size = 4;
      whole.cache_lengths = {0, 0};
      whole.rope_deltas = whole.real_lengths = {0, 0};
      std::vector<std::vector<std::array<std::int64_t, 3>>> prompt;
      for (const auto& l : layouts) {
        prompt.push_back(prompt_positions(preset, l));
        whole.chunk_lengths.push_back(static_cast<int>(prompt.back().size()));
        whole.given_positions.insert(whole.given_positions.end(), prompt.back().begin(), prompt.back().end());
      }
      std::mt19937_64 inputs(seed);
      AppendData full = make_append_data(whole, inputs);
      apply_kv_append_host(full.params);
      // The same buffers, appended in chunks: each sequence cut at random places, one step per chunk round.
      std::mt19937_64 same_inputs(seed);
      AppendData chunked = make_append_data(whole, same_inputs);
      std::vector<std::int64_t> done = {0, 0};
      while (done[0] < whole.chunk_lengths[0] || done[1] < whole.chunk_lengths[1]) {
        AppendCase step = whole;
        std::vector<std::int64_t> first;  // each chunk's first packed token of the whole step
        step.given_positions.clear();
        for (int b = 0; b < 2; ++b) {
          const std::int64_t left = whole.chunk_lengths[b] - done[b];
          const std::int64_t take = left == 0 ? 0 : 1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(left));
          step.cache_lengths[b] = done[b];
          step.chunk_lengths[b] = static_cast<int>(take);
          first.push_back(whole.first_of(b) + done[b]);
          for (std::int64_t i = 0; i < take; ++i) step.given_positions.push_back(prompt[b][static_cast<std::size_t>(done[b] + i)]);
        }
        // The step's q, k, v: the chunk tokens' rows of the whole prompt's buffers, packed.
        Buffer q = chunked.q, k = chunked.k, v = chunked.v;
        for (Buffer* buffer : {&q, &k, &v}) buffer->bytes.clear();
        const auto take_rows = [&](const Buffer& from, Buffer& to, std::int64_t stride, std::int64_t row, std::int64_t rows) {
          const auto* begin = from.bytes.data() + static_cast<std::size_t>(row * stride) * from.width();
          to.bytes.insert(to.bytes.end(), begin, begin + static_cast<std::size_t>(rows * stride) * from.width());
        };
        for (int b = 0; b < 2; ++b) {
          take_rows(chunked.q, q, chunked.token_stride_q, first[static_cast<std::size_t>(b)], step.chunk_lengths[b]);
          take_rows(chunked.k, k, chunked.token_stride_kv, first[static_cast<std::size_t>(b)], step.chunk_lengths[b]);
          take_rows(chunked.v, v, chunked.token_stride_kv, first[static_cast<std::size_t>(b)], step.chunk_lengths[b]);
        }
        std::vector<std::int32_t> cu = {0, step.chunk_lengths[0], step.chunk_lengths[0] + step.chunk_lengths[1]};
        std::vector<std::int64_t> positions;
        for (int a = 0; a < 3; ++a)
          for (const auto& p : step.given_positions) positions.push_back(p[static_cast<std::size_t>(a)]);
        std::vector<std::int64_t> slot_mapping;
        for (int b = 0; b < 2; ++b)
          for (int i = 0; i < step.chunk_lengths[b]; ++i) slot_mapping.push_back(chunked.slot_of.at({b, done[b] + i}));
        KvAppendParams p = chunked.params;
        p.cu_new_tokens = cu.data();
        p.total_tokens = step.tokens();
        p.positions.values = positions.data();
        p.positions.axis_stride = step.tokens();
        p.cache_lengths = step.cache_lengths.data();
        p.q = {q.data(), q.data(), chunked.token_stride_q, whole.head_dim};
        p.k.input = k.data();
        p.v.input = v.data();
        if (p.cache.slot_mapping != nullptr) p.cache.slot_mapping = slot_mapping.data();
        apply_kv_append_host(p);
        for (int b = 0, row = 0; b < 2; ++b)
          for (int i = 0; i < step.chunk_lengths[b]; ++i, ++row)
            for (std::int64_t e = 0; e < chunked.token_stride_q; ++e)
              ASSERT_EQ(full.q.bits((first[static_cast<std::size_t>(b)] + i) * chunked.token_stride_q + e),
                        q.bits(row * chunked.token_stride_q + e))
                  << "sequence " << b << " token " << done[b] + i;
        for (int b = 0; b < 2; ++b) done[b] += step.chunk_lengths[b];
      }
      EXPECT_EQ(full.k_cache.bytes, chunked.k_cache.bytes);
      EXPECT_EQ(full.v_cache.bytes, chunked.v_cache.bytes);
    }
}

// Prefill chunks into an fp8 e4m3 cache: each byte the quantized exact value (fp8_cache_problem's rule).
TEST(PrefillHost, Fp8CacheEqualsQuantizingTheExactResult) {
  std::mt19937_64 rng(test_seed());
  std::size_t checked = 0, neighbours = 0;
  int variant = 0;
  for (AppendCase c : prefill_case_matrix(rng)) {
    if (c.cos_sin_rows > 0 || c.without_cache) continue;
    c.fp8_scale = variant++ % 2 ? 0.3 : 4.0;
    SCOPED_TRACE(c.name() + " scale " + std::to_string(c.fp8_scale));
    AppendData d = make_append_data(c, rng);
    apply_kv_append_host(d.params);
    EXPECT_EQ(fp8_cache_problem(d, &checked, &neighbours), "");
  }
  std::cout << "[ fp8      ] " << checked << " cached values checked, " << neighbours << " within the slack of a boundary\n";
}

// Without a cache, k may rotate in place as q does (vLLM's rotary_embedding): the same bits as out of place.
TEST(PrefillHost, InPlaceKeyEqualsOutOfPlace) {
  std::mt19937_64 rng(test_seed());
  for (AppendCase c : prefill_case_matrix(rng)) {
    if (!c.without_cache) continue;
    SCOPED_TRACE(c.name());
    std::mt19937_64 inputs(5);
    AppendData d = make_append_data(c, inputs);
    apply_kv_append_host(d.params);
    std::mt19937_64 same(5);
    AppendData in_place = make_append_data(c, same);
    in_place.params.k.output = in_place.k.data();
    apply_kv_append_host(in_place.params);
    for (std::int64_t n = 0; n < c.tokens(); ++n)
      for (std::int64_t e = 0; e < static_cast<std::int64_t>(c.kv_heads) * c.head_dim; ++e)
        ASSERT_EQ(d.k_out.bits(n * d.token_stride_kv + e), in_place.k.bits(n * d.token_stride_kv + e)) << "token " << n;
  }
}

// Bad chunks are refused before anything is written, naming what is wrong and where.
TEST(PrefillHost, BadChunksAreRefusedBeforeAnyWrite) {
  std::mt19937_64 rng(test_seed());
  const auto refused = [&](const AppendCase& c, const std::function<void(AppendData&)>& spoil, const std::string& words) {
    EXPECT_EQ(refusal_problem(c, rng, spoil, words), "");
  };
  const std::vector<AppendCase> cases = prefill_case_matrix(rng);
  const auto find = [&](bool cos_sin, bool int64, bool block_table) {
    for (const AppendCase& c : cases)
      if ((c.cos_sin_rows > 0) == cos_sin && !c.int32_positions == int64 && !c.without_cache && !c.one_axis_positions &&
          (!block_table || c.cache == CacheKind::paged_table))
        return c;
    throw std::logic_error("no such case in the matrix");
  };
  const AppendCase on_the_fly = find(false, true, true), cached = find(true, true, false);
  // Token 3 is sequence 2's first (chunks of 3, 0 and 5).
  refused(cached, [](AppendData& d) { d.positions64[3] = 64; },
          "token 3 (sequence 2, new token 0): a position outside the cos/sin cache's rows [0, max_position)");
  refused(cached, [](AppendData& d) { d.positions64[2 * d.c.tokens() + 1] = -1; }, "token 1 (sequence 0, new token 1): a position outside the cos/sin cache's rows");
  refused(on_the_fly, [](AppendData& d) { d.positions64[4] = std::int64_t{1} << 31; },
          "token 4 (sequence 2, new token 1): a rope position outside the kernels' range");
  refused(on_the_fly, [](AppendData& d) { d.cu_new_tokens[2] = 2; }, "cu_new_tokens decreases at sequence 1 (3 then 2)");
  refused(on_the_fly, [](AppendData& d) { d.cu_new_tokens[0] = 1; }, "cu_new_tokens[0] is 1, not 0");
  refused(on_the_fly, [](AppendData& d) { d.params.total_tokens = 7; }, "cu_new_tokens ends at 8, not total_tokens 7");
  refused(on_the_fly, [](AppendData& d) { d.params.positions.axes = 2; }, "positions must have 1 or 3 axes, not 2");
  refused(cached, [](AppendData& d) { d.params.cos_sin_cache.row_stride = 4; }, "rows of at least rotary_dim (8) floats");
  refused(on_the_fly, [](AppendData& d) { d.c.cache_lengths[2] = -1; }, "token 3 (sequence 2, new token 0): a cache index past");
  refused(on_the_fly, [](AppendData& d) { d.params.v.input = nullptr; }, "v needs an input");
}

}  // namespace
}  // namespace mmrope::kernels::testing
