// Checks a KvAppendParams before any launch, host or CUDA: one message naming what is wrong, or empty;
// and the words for the faults a launch reports per token.
#pragma once

#include <cstdint>
#include <string>

#include "kv_append_params.hpp"

namespace mmrope::kernels {

inline std::string kv_append_params_problem(const KvAppendParams& p) {
  auto n = [](std::int64_t v) { return std::to_string(v); };
  if (p.head_dim <= 0) return "head_dim " + n(p.head_dim) + " must be positive";
  if (p.rotary_dim <= 0 || p.rotary_dim % 2 != 0 || p.rotary_dim > p.head_dim)
    return "rotary_dim " + n(p.rotary_dim) + " must be positive, even and at most head_dim " + n(p.head_dim);
  if (p.batch <= 0) return "batch " + n(p.batch) + " must be positive";
  if (p.cu_new_tokens == nullptr && p.new_tokens <= 0) return "new_tokens " + n(p.new_tokens) + " must be positive";
  if (p.cu_new_tokens != nullptr && (p.total_tokens < 0 || p.total_tokens > INT32_MAX))
    return "total_tokens " + n(p.total_tokens) + " must be in [0, 2^31 - 1] (cu_new_tokens holds int32 offsets)";
  if (p.q_heads < 0 || p.kv_heads <= 0) return "q_heads must be non-negative and kv_heads positive";
  if (p.q_heads % p.kv_heads != 0) return "q_heads " + n(p.q_heads) + " must be a multiple of kv_heads " + n(p.kv_heads);
  const RotaryFrequencyArgs& f = p.frequencies;
  if (f.turn_frequencies == nullptr || f.axis_of == nullptr) return "the frequency table is missing";
  if (f.per_kv_head && (f.query_heads != p.q_heads || f.kv_heads != p.kv_heads))
    return "the MHRoPE plan is for " + n(f.query_heads) + ":" + n(f.kv_heads) + " heads, the step has " + n(p.q_heads) +
           ":" + n(p.kv_heads);
  const bool given = p.positions.values != nullptr, cached = p.cache.k != nullptr;
  if (given && p.positions.axes != 1 && p.positions.axes != 3)
    return "positions must have 1 or 3 axes, not " + n(p.positions.axes);
  const CosSinCacheArgs& table = p.cos_sin_cache;
  if (table.values != nullptr && (table.max_position <= 0 || table.row_stride < p.rotary_dim))
    return "the cos/sin cache needs max_position > 0 rows of at least rotary_dim (" + n(p.rotary_dim) + ") floats";
  if (p.q_heads > 0 && (p.q.input == nullptr || p.q.output == nullptr)) return "q needs input and output";
  if (p.k.input == nullptr) return "k needs an input";
  if (cached && p.v.input == nullptr) return "v needs an input (the cache holds it)";
  if (!cached && p.k.output == nullptr) return "without a KV cache k is rotated into k's output: give it";
  struct Named {
    const char* name;
    const TokenTensorArgs* t;
    int heads;
  };
  for (const Named& t : {Named{"q", &p.q, p.q_heads}, Named{"k", &p.k, p.kv_heads}, Named{"v", &p.v, cached ? p.kv_heads : 0}}) {
    if (t.heads == 0) continue;
    if (t.t->head_stride < p.head_dim) return std::string(t.name) + ": head_stride must be at least head_dim";
    if (t.t->token_stride < static_cast<std::int64_t>(t.heads - 1) * t.t->head_stride + p.head_dim)
      return std::string(t.name) + ": token_stride must hold every head (heads x head_stride apart, or more)";
  }
  if ((cached || !given) && p.cache_lengths == nullptr) return "cache_lengths is missing (one per sequence)";
  if (!given && p.convention == RopeDeltaConvention::transformers5 && p.real_lengths == nullptr)
    return "the transformers5 rope-delta convention adds the delta to each sequence's real token count: give real_lengths";
  if (!cached) return {};
  const KvCacheArgs& c = p.cache;
  if (c.v == nullptr) return "the KV cache needs k and v";
  if (c.head_stride < p.head_dim || c.slot_stride < static_cast<std::int64_t>(p.kv_heads - 1) * c.head_stride + p.head_dim)
    return "the KV cache's strides must hold kv_heads x head_dim per slot";
  if (c.fp8_e4m3 && !(c.k_scale > 0 && c.v_scale > 0 && c.k_scale < 1e300 && c.v_scale < 1e300))
    return "an fp8 cache needs finite positive k_scale and v_scale";
  if (c.layout == CacheLayout::contiguous) {
    if (c.max_seq <= 0) return "a contiguous cache needs max_seq > 0";
  } else {
    if (c.block_size <= 0 || c.num_blocks <= 0) return "a paged cache needs block_size > 0 and num_blocks > 0";
    if (c.slot_mapping == nullptr && (c.block_table == nullptr || c.max_blocks <= 0))
      return "a paged cache needs a block table (with max_blocks > 0) or a slot mapping";
  }
  return {};
}

// The faults a launch met, in words ("" for none).
inline std::string kv_append_fault_text(unsigned faults) {
  std::string s;
  auto add = [&](unsigned bit, const char* what) {
    if (faults & bit) s += (s.empty() ? "" : "; ") + std::string(what);
  };
  add(kKvAppendFaultCacheIndex, "a cache index past the cache (max_seq, or the block table's row)");
  add(kKvAppendFaultBlock, "a block table entry outside [0, num_blocks)");
  add(kKvAppendFaultSlot, "a slot mapping entry past num_blocks x block_size");
  add(kKvAppendFaultPosition, "a rope position outside the kernels' range [-2^31, 2^31 - 1]");
  add(kKvAppendFaultSequence, "cu_new_tokens not nondecreasing from 0 to total_tokens");
  add(kKvAppendFaultCosSinRow, "a position outside the cos/sin cache's rows [0, max_position)");
  return s;
}

}  // namespace mmrope::kernels
