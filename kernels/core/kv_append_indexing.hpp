// Where a decode token lives: its sequence and index, its rope position, its KV-cache slot, its cos/sin.
#pragma once

#include <cstdint>

#include "kv_append_params.hpp"
#include "host_device.hpp"
#include "params_check.hpp"
#include "token_angles.hpp"

namespace mmrope::kernels {

struct AppendToken {
  int sequence = 0;  // b
  int index = 0;     // i < new_tokens
};

MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE AppendToken append_token(const KvAppendParams& p, std::int64_t n) {
  return {static_cast<int>(n / p.new_tokens), static_cast<int>(n % p.new_tokens)};
}

// The rope position of a token (all three axes: generated text), or a position fault. Base and delta are held
// to |v| <= 2^40 before they are added, so the sum cannot overflow, then the sum to the kernels' range.
MMROPE_HOST_DEVICE inline std::int64_t append_position(const KvAppendParams& p, AppendToken t, unsigned& fault) {
  constexpr std::int64_t kLimit = std::int64_t{1} << 40;
  const std::int64_t base = p.convention == RopeDeltaConvention::transformers5 ? p.real_lengths[t.sequence]
                                                                                : p.cache_lengths[t.sequence];
  const std::int64_t delta = p.rope_deltas != nullptr ? p.rope_deltas[t.sequence] : 0;
  if (base < -kLimit || base > kLimit || delta < -kLimit || delta > kLimit) {
    fault |= kKvAppendFaultPosition;
    return 0;
  }
  const std::int64_t position = base + t.index + delta;
  if (position < kMinKernelPosition || position > kMaxKernelPosition) fault |= kKvAppendFaultPosition;
  return position;
}

// The cache slot token n (= t) writes, or -1: skipped by a negative slot mapping entry, or a fault (set).
MMROPE_HOST_DEVICE inline std::int64_t append_cache_slot(const KvAppendParams& p, AppendToken t, std::int64_t n,
                                                         unsigned& fault) {
  const KvCacheArgs& c = p.cache;
  if (c.layout == CacheLayout::paged && c.slot_mapping != nullptr) {
    const std::int64_t slot = c.slot_mapping[n];
    if (slot < 0) return -1;
    if (slot / c.block_size >= c.num_blocks) {
      fault |= kKvAppendFaultSlot;
      return -1;
    }
    return slot;
  }
  const std::int64_t index = p.cache_lengths[t.sequence] + t.index;
  if (c.layout == CacheLayout::contiguous) {
    if (index < 0 || index >= c.max_seq) {
      fault |= kKvAppendFaultCacheIndex;
      return -1;
    }
    return static_cast<std::int64_t>(t.sequence) * c.max_seq + index;
  }
  if (index < 0 || index / c.block_size >= c.max_blocks) {
    fault |= kKvAppendFaultCacheIndex;
    return -1;
  }
  const std::int32_t block = c.block_table[static_cast<std::int64_t>(t.sequence) * c.max_blocks + index / c.block_size];
  if (block < 0 || block >= c.num_blocks) {
    fault |= kKvAppendFaultBlock;
    return -1;
  }
  return static_cast<std::int64_t>(block) * c.block_size + index % c.block_size;
}

// Does pair j of a head rotate? Its axis is the pair's, or under MHRoPE its KV head's (query head i reads KV
// head i / group); -1 means no rotation (cos = attention factor, sin = 0).
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE bool pair_rotates_for_head(const RotaryFrequencyArgs& f, bool is_query, int head,
                                                                int pair) {
  return (f.per_kv_head ? f.axis_of[is_query ? head / (f.query_heads / f.kv_heads) : head] : f.axis_of[pair]) >= 0;
}

// cos/sin of pair j of a head at a decode position (t = h = w), through the training kernels' functions, so
// the same bits as a training launch at that position.
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE CosSin decode_cos_sin(const RotaryFrequencyArgs& f, std::int64_t position,
                                                             bool is_query, int head, int pair) {
  if (!pair_rotates_for_head(f, is_query, head, pair)) return {f.attention_factor, 0.0};
  return position_cos_sin(position, f.turn_frequencies[pair], f.attention_factor);
}

}  // namespace mmrope::kernels
