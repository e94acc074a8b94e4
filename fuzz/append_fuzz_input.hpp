// How the KV-append harnesses read their input: a decode step or a prefill chunk, a fault to plant, a data seed.
// Shared by decode_fuzzer.cpp (the host twin against the reference) and replay_append_gpu.cpp (GPU = host twin).
//
// Input format (fuzz/input_bytes.hpp): one integer per choice below, then an 8-byte data seed.
#pragma once

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <optional>
#include <random>

#include "append_case.hpp"
#include "fuzz/input_bytes.hpp"

namespace mmrope::fuzz {

enum class AppendPlant { none, block_entry, slot_entry, short_cache };

struct AppendFuzzInput {
  kernels::testing::AppendCase c;
  AppendPlant plant = AppendPlant::none;
  std::int64_t target = 0;      // the packed token a planted fault hits
  std::uint64_t seed = 0;       // the data seed (make_append_data)
  bool position_fault = false;  // a position outside the kernels' range or the cos/sin cache's rows
};

// The case the bytes choose, or nothing when every chunk is empty (nothing to append).
inline std::optional<AppendFuzzInput> read_append_fuzz_input(InputBytes& bytes) {
  using namespace mmrope::kernels;
  using namespace mmrope::kernels::testing;
  AppendFuzzInput in;
  AppendCase& c = in.c;
  struct Allocation {
    const char* name;
    const char* sections;
  };
  static const Allocation allocations[] = {{"chunked", "1,2,1"}, {"interleaved", "2,1,1"}, {"hope", "1,2,1"},
                                           {"1d", ""},           {"videorope", "1,2,1"},   {"multi-head", "1,1,1"}};
  const Allocation& a = allocations[bytes.pick(0, 5)];
  c.allocation = a.name;
  c.sections = a.sections;
  c.dtype = static_cast<DType>(bytes.pick(0, 2));
  c.pairing = static_cast<Pairing>(bytes.pick(0, 1));
  c.rotary_dim = 8;
  c.head_dim = 8 + 2 * static_cast<int>(bytes.pick(0, 2));
  c.kv_heads = static_cast<int>(bytes.pick(1, 4));
  c.q_heads = c.kv_heads * static_cast<int>(bytes.pick(0, 3));
  if (c.allocation == "multi-head") {  // the plan's heads: 3 read an axis, the rest none
    c.kv_heads = static_cast<int>(bytes.pick(3, 5));
    c.q_heads = c.kv_heads * static_cast<int>(bytes.pick(1, 3));
    c.mhrope_heads = HeadCounts{c.q_heads, c.kv_heads};
  }
  c.cache = static_cast<CacheKind>(bytes.pick(0, 2));
  c.convention = static_cast<RopeDeltaConvention>(bytes.pick(0, 1));
  c.new_tokens = static_cast<int>(bytes.pick(1, 4));
  c.block_size = static_cast<int>(bytes.pick(1, 32));
  c.token_gap = static_cast<int>(bytes.pick(0, 3));
  static const double fp8_scales[] = {0, 0, 1.0, 0.3, 0x1p-6, 64.0};  // 0: the step's dtype in the cache
  c.fp8_scale = fp8_scales[bytes.pick(0, 5)];
  const int batch = static_cast<int>(bytes.pick(1, 8));
  // Contiguous caches hold batch x max_seq slots, so their lengths stay small; paged ones allocate only the
  // blocks the step touches (and a table row of max_seq / block_size entries).
  const std::int64_t longest = c.cache == CacheKind::contiguous ? 64 : std::int64_t{1} << 16;
  c.cache_lengths.clear();
  c.rope_deltas.clear();
  c.real_lengths.clear();
  for (int b = 0; b < batch; ++b) {
    const std::int64_t length = bytes.pick(0, longest);
    c.cache_lengths.push_back(length);
    c.real_lengths.push_back(bytes.pick(0, length));
    c.rope_deltas.push_back(bytes.pick(-(std::int64_t{1} << 32), std::int64_t{1} << 32));
  }
  // A prefill chunk instead: chunks of 0 to 24 tokens, positions given on each axis (a little past the kernels'
  // range either side), int32 or int64 or 1-D, the phase from a cos/sin cache of 1 to 128 rows (positions a
  // little past its rows either side), or no KV cache.
  if (bytes.pick(0, 1) == 1) {
    c.cos_sin_rows = bytes.pick(0, 1) ? bytes.pick(1, 128) : 0;
    if (c.cos_sin_rows) c.fp8_scale = 0;  // an fp8 cache is judged against the phase on the fly
    c.without_cache = c.fp8_scale == 0 && bytes.pick(0, 3) == 0;
    c.one_axis_positions = bytes.pick(0, 1) == 1;
    for (int s = 0; s < batch; ++s) c.chunk_lengths.push_back(static_cast<int>(bytes.pick(0, 24)));
    const std::int64_t low = c.cos_sin_rows ? -2 : -(std::int64_t{1} << 31) - 2;
    const std::int64_t high = c.cos_sin_rows ? c.cos_sin_rows + 1 : kLargestPosition + 2;
    c.int32_positions = !c.cos_sin_rows && bytes.pick(0, 1) == 1;
    for (std::int64_t n = 0; n < c.tokens(); ++n) {
      std::array<std::int64_t, 3> q{};
      for (std::int64_t& v : q) {
        v = bytes.pick(low, high);
        if (c.int32_positions) v = std::clamp<std::int64_t>(v, INT32_MIN, INT32_MAX);  // int32 cannot say more
      }
      if (c.one_axis_positions) q[1] = q[2] = q[0];
      for (std::int64_t v : q)
        in.position_fault = in.position_fault || v < -(std::int64_t{1} << 31) || v > kLargestPosition ||
                            (c.cos_sin_rows && (v < 0 || v >= c.cos_sin_rows));
      c.given_positions.push_back(q);
    }
  }
  if (c.tokens() == 0) return std::nullopt;
  in.plant = c.without_cache ? AppendPlant::none : static_cast<AppendPlant>(bytes.pick(0, 3));
  in.target = bytes.pick(0, c.tokens() - 1);
  in.seed = bytes.u64();
  if (!c.prefill())
    for (int s = 0; s < batch; ++s)
      for (int i = 0; i < c.new_tokens; ++i)
        in.position_fault = in.position_fault || c.position(s, i) < -(std::int64_t{1} << 31) || c.position(s, i) > kLargestPosition;
  return in;
}

// Plants the input's fault into the step's buffers (by the case's own packing and cache map, not the kernel's
// indexing); true when one was planted (a plant the cache kind has no place for plants nothing).
inline bool plant_append_fault(const AppendFuzzInput& in, kernels::testing::AppendData& d) {
  using kernels::testing::CacheKind;
  const kernels::testing::AppendCase& c = in.c;
  int b = 0;  // the target's sequence and index
  while (c.first_of(b + 1) <= in.target) ++b;
  const int i = static_cast<int>(in.target - c.first_of(b));
  const std::int64_t index = c.cache_lengths[b] + i;
  if (in.plant == AppendPlant::block_entry && c.cache == CacheKind::paged_table) {
    d.block_table[static_cast<std::size_t>(b * d.params.cache.max_blocks + index / c.block_size)] =
        static_cast<std::int32_t>(in.seed % 2 ? -1 : d.params.cache.num_blocks);
    return true;
  }
  if (in.plant == AppendPlant::slot_entry && c.cache == CacheKind::paged_slots) {
    d.slot_mapping[static_cast<std::size_t>(in.target)] =
        d.params.cache.num_blocks * c.block_size + static_cast<std::int64_t>(in.seed % 5);
    return true;
  }
  if (in.plant == AppendPlant::short_cache && c.cache == CacheKind::contiguous) {
    d.params.cache.max_seq = index;  // this token's index is then one past the cache
    return true;
  }
  if (in.plant == AppendPlant::short_cache && c.cache == CacheKind::paged_table) {
    d.params.cache.max_blocks = static_cast<int>(index / c.block_size);
    return true;
  }
  return false;
}

}  // namespace mmrope::fuzz
