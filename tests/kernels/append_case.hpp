// A KV-append test case (a decode step or a prefill chunk): per sequence its cache length, rope delta and real
// length or its chunk and given positions, the new tokens' inputs, and the test's own map of where each
// (sequence, cache index) lives in a contiguous or paged KV cache.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "kernels/core/kv_append_params.hpp"
#include "kernels/host/cos_sin_cache.hpp"
#include "kernels/host/kernel_frequency_table.hpp"
#include "reference/comparison.hpp"
#include "reference/frequency/allocation_registry.hpp"
#include "reference/frequency/rotary_spec.hpp"
#include "reference/rotation.hpp"
#include "reference/rounding.hpp"

namespace mmrope::kernels::testing {

enum class CacheKind { contiguous, paged_table, paged_slots };

inline const char* name_of(CacheKind k) {
  return k == CacheKind::contiguous ? "contiguous" : k == CacheKind::paged_table ? "paged-table" : "paged-slots";
}

// One step as the test means it: per sequence its cache length, rope delta and real length (decode) or its
// chunk length and given positions (prefill); the new tokens' inputs; where each (sequence, cache index) lives
// in the cache, chosen by the test.
struct AppendCase {
  std::string allocation = "chunked";
  std::string sections = "1,2,1";
  std::optional<HeadCounts> mhrope_heads;
  int head_dim = 8, rotary_dim = 8;
  Pairing pairing = Pairing::neox;
  DType dtype = DType::bf16;
  CacheKind cache = CacheKind::paged_table;
  RopeDeltaConvention convention = RopeDeltaConvention::transformers4;
  int q_heads = 4, kv_heads = 2;
  int new_tokens = 1;
  std::vector<std::int64_t> cache_lengths = {3, 9};
  std::vector<std::int64_t> rope_deltas = {0, -4};
  std::vector<std::int64_t> real_lengths = {3, 7};  // transformers5's base
  int block_size = 4;
  int token_gap = 0;  // elements after each token's heads in q, k, v
  double fp8_scale = 0;  // > 0: an fp8 e4m3 cache with k_scale fp8_scale and v_scale 1.75 fp8_scale
  // A prefill chunk, where chunk_lengths is set: sequence b appends chunk_lengths[b] tokens (packed one sequence
  // after another) at cache indices cache_lengths[b] + i, at given_positions (one (t, h, w) per packed token).
  std::vector<int> chunk_lengths;
  std::vector<std::array<std::int64_t, 3>> given_positions;
  bool int32_positions = false;   // the given positions handed over as int32 (else int64)
  bool one_axis_positions = false;  // a 1-D positions tensor (t = h = w given once)
  std::int64_t cos_sin_rows = 0;  // > 0: the phase read from an fp32 cos/sin cache of this many rows (vLLM's)
  bool without_cache = false;     // no KV cache: k rotated out of place into its own buffer

  std::string name() const {
    return allocation + "/" + sections + " " + (dtype == DType::fp32 ? "fp32" : dtype == DType::fp16 ? "fp16" : "bf16") +
           (pairing == Pairing::neox ? " neox " : " gptj ") + std::to_string(rotary_dim) + "/" + std::to_string(head_dim) +
           " " + name_of(cache) + (convention == RopeDeltaConvention::transformers4 ? " t4" : " t5") + " k=" +
           std::to_string(new_tokens);
  }
  RotarySpec spec() const {
    RotarySpec s;
    s.base = "10000";
    s.head_dim = head_dim;
    s.rotary_dim = rotary_dim;
    s.pairing = pairing;
    s.allocation = make_allocation(allocation, sections, rotary_dim / 2, mhrope_heads);
    check_rotary_spec(s);
    return s;
  }
  int batch() const { return static_cast<int>(cache_lengths.size()); }
  bool prefill() const { return !chunk_lengths.empty(); }
  int tokens_of(int b) const { return prefill() ? chunk_lengths[static_cast<std::size_t>(b)] : new_tokens; }
  std::int64_t first_of(int b) const {  // sequence b's first packed token
    std::int64_t n = 0;
    for (int s = 0; s < b; ++s) n += tokens_of(s);
    return n;
  }
  std::int64_t tokens() const { return first_of(batch()); }
  // The rope position of new decode token i of sequence b, by the definition (the same on t, h and w).
  std::int64_t position(int b, int i) const {
    const std::int64_t base = convention == RopeDeltaConvention::transformers5 ? real_lengths[b] : cache_lengths[b];
    return base + i + rope_deltas[b];
  }
  // The (t, h, w) of new token i of sequence b: given (prefill) or the decode rule's.
  Position3 position3(int b, int i) const {
    if (!prefill()) return Position3::diagonal(Coordinate(position(b, i)));
    const auto& p = given_positions.at(static_cast<std::size_t>(first_of(b) + i));
    return {Coordinate(p[0]), Coordinate(p[1]), Coordinate(p[2])};
  }
};

inline constexpr std::uint8_t kSentinel = 0xA5;
inline constexpr std::int64_t kLargestPosition = (std::int64_t{1} << 31) - 1;  // the kernels' documented range's top

struct Buffer {
  DType dtype = DType::bf16;
  std::vector<std::uint8_t> bytes;
  std::size_t width() const { return dtype == DType::fp32 ? 4 : 2; }
  void resize(std::int64_t elements) { bytes.assign(static_cast<std::size_t>(elements) * width(), kSentinel); }
  std::uint32_t bits(std::int64_t i) const {
    std::uint32_t b = 0;
    std::memcpy(&b, bytes.data() + static_cast<std::size_t>(i) * width(), width());
    return b;
  }
  void set(std::int64_t i, std::uint32_t b) { std::memcpy(bytes.data() + static_cast<std::size_t>(i) * width(), &b, width()); }
  double value(std::int64_t i) const { return decode_bits(bits(i), dtype); }
  void* data() { return bytes.data(); }
};

// The launch's buffers and the test's own map of the cache.
struct AppendData {
  AppendCase c;
  KernelFrequencyTable table;
  Buffer q, q_original, k, v, k_cache, v_cache;
  std::vector<std::uint8_t> k_fp8, v_fp8;  // the caches instead, when the case is fp8 (the sentinel elsewhere)
  Buffer k_out;                            // without a cache: the rotated k
  std::vector<std::int32_t> cu_new_tokens;  // prefill: the packed sequences' starts
  std::vector<std::int64_t> positions64;    // prefill: [3, tokens] (or [tokens] for one axis)
  std::vector<std::int32_t> positions32;
  CosSinCache cos_sin;
  std::int64_t token_stride_q = 0, token_stride_kv = 0, slots = 0;
  std::int64_t max_seq = 0;
  std::vector<std::int32_t> block_table;
  std::vector<std::int64_t> slot_mapping;
  std::map<std::pair<int, std::int64_t>, std::int64_t> slot_of;  // (sequence, cache index) -> cache slot
  KvAppendParams params;
};

// The case's buffers (inputs drawn from rng, caches filled with the sentinel) and its launch parameters.
AppendData make_append_data(const AppendCase& c, std::mt19937_64& rng);

// q (in place) or the k cache (or k's own output without one), judged against the reference at the case's
// positions: 0.5 ulp plus each element's derived double-precision term, as the training kernels' oracle.
ComparisonReport judge_rotated(const AppendData& d, TensorRole role);

// A cos/sin-cache case's q and k against the exact rotation by the cache's own values (at the case's positions,
// the test's rows): each output the correctly rounded value or, where the exact value is within 2^-53 |y| of
// a rounding boundary (the kernel's one double rounding), the neighbour across it. The first difference, or "".
std::string cos_sin_cache_problem(const AppendData& d);

// Everything the step must leave as it was: v copied bit for bit, and every cache element no new token owns
// still the sentinel. Returns the first difference, or "".
std::string cache_problem(const AppendData& d);

// The value of an e4m3 code, and the code of an exact value by MPFR on the format's grid (steps of 2^-9 below
// 2^-6, 4 significant bits above, ties to even, saturated at 448): independent of kernels/core/fp8_e4m3.hpp.
double e4m3_value(std::uint8_t code);
std::uint8_t exact_e4m3(const Mpfr256& v);

// An fp8 case's caches: each cached k the e4m3 of the exact rotated value over k_scale, each v the e4m3 of v
// over v_scale, except where the kernel's double value (within 2^-49 (|x0| + |x1|) + 2^-52 |y| of exact, then one
// division rounding: 2^-51 |y| in all; 2^-52 |v| for v and the tail) can sit across a rounding boundary: then the
// neighbour across it; every byte no new token owns still the sentinel. The first difference, or "". Counts the
// values checked and those that took the neighbour.
std::string fp8_cache_problem(const AppendData& d, std::size_t* checked = nullptr, std::size_t* neighbours = nullptr);

// A step spoiled by `spoil` must be refused with a message containing `words`, before anything is written
// (q and both caches as they were). "" or what went wrong.
std::string refusal_problem(const AppendCase& c, std::mt19937_64& rng, const std::function<void(AppendData&)>& spoil,
                            const std::string& words);

// Every allocation (chunked, interleaved, HoPE's unrotated band, 1-D, multi-head with GQA) x dtype x pairing,
// with the cache kinds, both rope-delta conventions, 1 to 3 new tokens, partial rotary and strided inputs spread
// over them.
std::vector<AppendCase> decode_case_matrix();

// The same allocations x dtypes x pairings as prefill chunks: three sequences with chunks of 3, 0 and 5 tokens
// after 0, 6 and 13 cached ones, positions drawn per token on each axis (to 2^31 - 1; to the cache's rows in
// cos/sin-cache cases), with the cache kinds, int32 and int64 and 1-D positions, the cos/sin cache and the step
// without a KV cache, partial rotary and strided inputs spread over them. rng draws the positions.
std::vector<AppendCase> prefill_case_matrix(std::mt19937_64& rng);

}  // namespace mmrope::kernels::testing
