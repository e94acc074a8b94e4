// A decode-step test case: per sequence its cache length, rope delta and real length, the new tokens' inputs,
// and the test's own map of where each (sequence, cache index) lives in a contiguous or paged KV cache.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "kernels/core/kv_append_params.hpp"
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

// One decode step as the test means it: per sequence its cache length, rope delta and real length; the new
// tokens' inputs; where each (sequence, cache index) lives in the cache, chosen by the test.
struct DecodeCase {
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
  std::int64_t tokens() const { return static_cast<std::int64_t>(batch()) * new_tokens; }
  // The rope position of new token i of sequence b, by the definition (the same on t, h and w).
  std::int64_t position(int b, int i) const {
    const std::int64_t base = convention == RopeDeltaConvention::transformers5 ? real_lengths[b] : cache_lengths[b];
    return base + i + rope_deltas[b];
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
struct DecodeData {
  DecodeCase c;
  KernelFrequencyTable table;
  Buffer q, q_original, k, v, k_cache, v_cache;
  std::vector<std::uint8_t> k_fp8, v_fp8;  // the caches instead, when the case is fp8 (the sentinel elsewhere)
  std::int64_t token_stride_q = 0, token_stride_kv = 0, slots = 0;
  std::int64_t max_seq = 0;
  std::vector<std::int32_t> block_table;
  std::vector<std::int64_t> slot_mapping;
  std::map<std::pair<int, std::int64_t>, std::int64_t> slot_of;  // (sequence, cache index) -> cache slot
  KvAppendParams params;
};

// The case's buffers (inputs drawn from rng, caches filled with the sentinel) and its launch parameters.
DecodeData make_decode_data(const DecodeCase& c, std::mt19937_64& rng);

// q (in place) or the k cache, judged against the reference at the case's positions: 0.5 ulp plus each
// element's derived double-precision term, as the training kernels' oracle.
ComparisonReport judge_rotated(const DecodeData& d, TensorRole role);

// Everything the step must leave as it was: v copied bit for bit, and every cache element no new token owns
// still the sentinel. Returns the first difference, or "".
std::string cache_problem(const DecodeData& d);

// The value of an e4m3 code, and the code of an exact value by MPFR on the format's grid (steps of 2^-9 below
// 2^-6, 4 significant bits above, ties to even, saturated at 448): independent of kernels/core/fp8_e4m3.hpp.
double e4m3_value(std::uint8_t code);
std::uint8_t exact_e4m3(const Mpfr256& v);

// An fp8 case's caches: each cached k the e4m3 of the exact rotated value over k_scale, each v the e4m3 of v
// over v_scale, except where the kernel's double value (within 2^-49 (|x0| + |x1|) + 2^-52 |y| of exact, then one
// division rounding: 2^-51 |y| in all; 2^-52 |v| for v and the tail) can sit across a rounding boundary: then the
// neighbour across it; every byte no new token owns still the sentinel. The first difference, or "". Counts the
// values checked and those that took the neighbour.
std::string fp8_cache_problem(const DecodeData& d, std::size_t* checked = nullptr, std::size_t* neighbours = nullptr);

// Every allocation (chunked, interleaved, HoPE's unrotated band, 1-D, multi-head with GQA) x dtype x pairing,
// with the cache kinds, both rope-delta conventions, 1 to 3 new tokens, partial rotary and strided inputs spread
// over them.
std::vector<DecodeCase> decode_case_matrix();

}  // namespace mmrope::kernels::testing
