// libFuzzer harness: a decode step or a prefill chunk with its KV-cache write on the host twin. A step the harness knows to be
// sound must be accepted, and its q and cached k pass the exact reference (0.5 ulp + each element's derived
// term) with v copied and every other cache element untouched; a step with a fault the harness planted (a
// block table or slot mapping entry out of range, a cache too short) or a position outside the kernels' range
// must be refused before anything is written. Caches in the step's dtype or in fp8 e4m3 with a per-tensor scale;
// prefill chunks with given positions, the phase from a cos/sin cache (judged against its values) or no cache.
//
// Input format (fuzz/input_bytes.hpp): one integer per choice below, then an 8-byte data seed.
#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "append_case.hpp"
#include "fuzz/input_bytes.hpp"
#include "kernels/host/kv_append_host.hpp"

using namespace mmrope;
using namespace mmrope::kernels;
using namespace mmrope::kernels::testing;

namespace {

[[noreturn]] void fail(const AppendCase& c, std::uint64_t seed, const std::string& why) {
  std::fprintf(stderr, "decode_fuzzer: %s (data seed %llu): %s\n", c.name().c_str(), static_cast<unsigned long long>(seed),
               why.c_str());
  std::abort();
}

enum class Plant { none, block_entry, slot_entry, short_cache };

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputBytes bytes(data, size);
  AppendCase c;
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
  bool position_fault = false;
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
        position_fault = position_fault || v < -(std::int64_t{1} << 31) || v > kLargestPosition ||
                         (c.cos_sin_rows && (v < 0 || v >= c.cos_sin_rows));
      c.given_positions.push_back(q);
    }
  }
  if (c.tokens() == 0) return 0;  // every chunk empty: nothing to append
  const Plant plant = c.without_cache ? Plant::none : static_cast<Plant>(bytes.pick(0, 3));
  const std::int64_t target = bytes.pick(0, c.tokens() - 1);  // the token a planted fault hits
  const std::uint64_t seed = bytes.u64();

  if (!c.prefill())
    for (int s = 0; s < batch; ++s)
      for (int i = 0; i < c.new_tokens; ++i)
        position_fault = position_fault || c.position(s, i) < -(std::int64_t{1} << 31) || c.position(s, i) > kLargestPosition;
  std::mt19937_64 rng(seed);
  AppendData d = make_append_data(c, rng);
  int b = 0;  // the target's sequence and index, by the case's own packing
  while (c.first_of(b + 1) <= target) ++b;
  const int i = static_cast<int>(target - c.first_of(b));
  const std::int64_t index = c.cache_lengths[b] + i;
  bool planted = false;
  if (plant == Plant::block_entry && c.cache == CacheKind::paged_table) {
    d.block_table[static_cast<std::size_t>(b * d.params.cache.max_blocks + index / c.block_size)] =
        static_cast<std::int32_t>(seed % 2 ? -1 : d.params.cache.num_blocks);
    planted = true;
  } else if (plant == Plant::slot_entry && c.cache == CacheKind::paged_slots) {
    d.slot_mapping[static_cast<std::size_t>(target)] = d.params.cache.num_blocks * c.block_size + static_cast<std::int64_t>(seed % 5);
    planted = true;
  } else if (plant == Plant::short_cache && c.cache == CacheKind::contiguous) {
    d.params.cache.max_seq = index;  // this token's index is then one past the cache
    planted = true;
  } else if (plant == Plant::short_cache && c.cache == CacheKind::paged_table) {
    d.params.cache.max_blocks = static_cast<int>(index / c.block_size);
    planted = true;
  }
  const Buffer q_before = d.q, k_before = d.k_cache, v_before = d.v_cache;
  const std::vector<std::uint8_t> k8_before = d.k_fp8, v8_before = d.v_fp8;
  try {
    apply_kv_append_host(d.params);
  } catch (const std::invalid_argument& e) {
    if (!planted && !position_fault) fail(c, seed, std::string("a sound step was refused: ") + e.what());
    if (d.q.bytes != q_before.bytes || d.k_cache.bytes != k_before.bytes || d.v_cache.bytes != v_before.bytes ||
        d.k_fp8 != k8_before || d.v_fp8 != v8_before)
      fail(c, seed, "a refused step wrote");
    return 0;
  }
  if (planted || position_fault) fail(c, seed, planted ? "a planted fault was accepted" : "a position out of range was accepted");
  if (c.cos_sin_rows > 0) {  // judged against the exact rotation by the cache's values
    if (const std::string why = cos_sin_cache_problem(d); !why.empty()) fail(c, seed, why);
    if (const std::string why = cache_problem(d); !why.empty()) fail(c, seed, why);
    return 0;
  }
  for (TensorRole role : {TensorRole::query, TensorRole::key}) {
    if (role == TensorRole::query && c.q_heads == 0) continue;  // a k-only step
    if (role == TensorRole::key && c.fp8_scale > 0) continue;   // judged by fp8_cache_problem below
    const ComparisonReport r = judge_rotated(d, role);
    if (r.beyond_element_bound != 0)
      fail(c, seed, std::string(role == TensorRole::query ? "q" : "the cached k") + " beyond its bound: max " +
                        std::to_string(r.max_ulp) + " ulp");
  }
  if (const std::string why = c.fp8_scale > 0 ? fp8_cache_problem(d) : cache_problem(d); !why.empty()) fail(c, seed, why);
  return 0;
}
