// Where an appended token lives: its sequence and index, its (t, h, w), its KV-cache slot, its cos/sin slots.
#pragma once

#include <cstdint>

#include "host_device.hpp"
#include "kv_append_params.hpp"
#include "params_check.hpp"
#include "token_angles.hpp"
#include "token_indexing.hpp"

namespace mmrope::kernels {

struct AppendToken {
  int sequence = 0;        // b
  std::int64_t index = 0;  // i: the token's place among its sequence's new tokens
};

// Token n's sequence and index: a division, or a binary search of cu_new_tokens, whose entries around the token
// must bracket it, and token 0 checks its ends are 0 and total_tokens (else a sequence fault; only entries
// [0, batch] are read).
MMROPE_HOST_DEVICE inline AppendToken append_token(const KvAppendParams& p, std::int64_t n, unsigned& fault) {
  if (p.cu_new_tokens == nullptr)
    return {static_cast<int>(n / p.new_tokens), static_cast<std::int64_t>(n % p.new_tokens)};
  int lo = 0, hi = p.batch;  // cu_new_tokens[lo] <= n < cu_new_tokens[hi] where the entries are sane
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    if (p.cu_new_tokens[mid] <= n) lo = mid;
    else hi = mid;
  }
  if (p.cu_new_tokens[lo] > n || p.cu_new_tokens[lo + 1] <= n) fault |= kKvAppendFaultSequence;
  if (n == 0 && (p.cu_new_tokens[0] != 0 || p.cu_new_tokens[p.batch] != p.total_tokens)) fault |= kKvAppendFaultSequence;
  return {lo, n - p.cu_new_tokens[lo]};
}

// The token's (t, h, w), each held to the kernels' range (a position fault), and in cache mode to the cache's
// rows (a row fault). Derived positions: base and delta are held to |v| <= 2^40 before they are added, so the
// sum cannot overflow.
MMROPE_HOST_DEVICE inline TokenPositions append_positions(const KvAppendParams& p, AppendToken t, std::int64_t n,
                                                          unsigned& fault) {
  TokenPositions out;
  const RotaryPositionArgs& a = p.positions;
  for (int axis = 0; axis < 3; ++axis) {
    std::int64_t position = 0;
    if (a.values != nullptr) {
      const std::int64_t i = (a.axes == 1 ? 0 : axis) * a.axis_stride + n * a.token_stride;
      position = a.type == PositionType::int32 ? static_cast<std::int64_t>(static_cast<const std::int32_t*>(a.values)[i])
                                               : static_cast<const std::int64_t*>(a.values)[i];
    } else {
      constexpr std::int64_t kLimit = std::int64_t{1} << 40;
      const std::int64_t base = p.convention == RopeDeltaConvention::transformers5 ? p.real_lengths[t.sequence]
                                                                                    : p.cache_lengths[t.sequence];
      const std::int64_t delta = p.rope_deltas != nullptr ? p.rope_deltas[t.sequence] : 0;
      if (base < -kLimit || base > kLimit || delta < -kLimit || delta > kLimit || t.index > kLimit) {
        fault |= kKvAppendFaultPosition;
        return out;
      }
      position = base + t.index + delta;
    }
    if (position < kMinKernelPosition || position > kMaxKernelPosition) fault |= kKvAppendFaultPosition;
    if (p.cos_sin_cache.values != nullptr && (position < 0 || position >= p.cos_sin_cache.max_position))
      fault |= kKvAppendFaultCosSinRow;
    out.axis[axis] = position;
  }
  return out;
}

// The cache slot token n (= t) writes, or -1: no cache, skipped by a negative slot mapping entry, or a fault (set).
MMROPE_HOST_DEVICE inline std::int64_t append_cache_slot(const KvAppendParams& p, AppendToken t, std::int64_t n,
                                                         unsigned& fault) {
  const KvCacheArgs& c = p.cache;
  if (c.k == nullptr) return -1;
  if (c.layout == CacheLayout::paged && c.slot_mapping != nullptr) {
    const std::int64_t slot = c.slot_mapping[n];
    if (slot < 0) return -1;
    if (slot / c.block_size >= c.num_blocks) {
      fault |= kKvAppendFaultSlot;
      return -1;
    }
    return slot;
  }
  constexpr std::int64_t kLimit = std::int64_t{1} << 62;  // cache_lengths + index cannot overflow below it
  const std::int64_t length = p.cache_lengths[t.sequence];
  if (length < 0 || length > kLimit || t.index < 0) {
    fault |= kKvAppendFaultCacheIndex;
    return -1;
  }
  const std::int64_t index = length + t.index;
  if (c.layout == CacheLayout::contiguous) {
    if (index >= c.max_seq) {
      fault |= kKvAppendFaultCacheIndex;
      return -1;
    }
    return static_cast<std::int64_t>(t.sequence) * c.max_seq + index;
  }
  if (index / c.block_size >= c.max_blocks) {
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

// How many cos/sin slots a token needs: one per pair, or three per pair (t, h, w) under MHRoPE, where the axis
// is the head's.
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE int append_slots(const KvAppendParams& p) {
  return p.frequencies.per_kv_head ? 3 * p.pairs() : p.pairs();
}

// Which slot pair j of a head reads, or -1 for no rotation (cos = attention factor, sin = 0). A query head i
// reads KV head i / group under MHRoPE.
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE int append_slot_of(const KvAppendParams& p, bool is_query, int head, int pair) {
  const RotaryFrequencyArgs& f = p.frequencies;
  if (!f.per_kv_head) return f.axis_of[pair] < 0 ? -1 : pair;
  const int axis = f.axis_of[is_query ? head / (f.query_heads / f.kv_heads) : head];
  return axis < 0 ? -1 : axis * p.pairs() + pair;
}

// cos/sin of a slot (pair s on its own axis, or under MHRoPE pair s % pairs on axis s / pairs) at the token's
// positions: on the fly through the training kernels' functions (the same bits as a training launch there), or
// the cache's fp32 values as given.
MMROPE_HOST_DEVICE inline CosSin append_slot_cos_sin(const KvAppendParams& p, const TokenPositions& pos, int slot) {
  const RotaryFrequencyArgs& f = p.frequencies;
  const int pairs = p.pairs();
  const int pair = f.per_kv_head ? slot % pairs : slot;
  const int axis = f.per_kv_head ? slot / pairs : f.axis_of[pair];
  if (axis < 0) return {f.attention_factor, 0.0};
  const CosSinCacheArgs& c = p.cos_sin_cache;
  if (c.values == nullptr) return position_cos_sin(pos.on(axis), f.turn_frequencies[pair], f.attention_factor);
  const float* row = c.values + pos.on(axis) * c.row_stride;
  return {static_cast<double>(row[pair]), static_cast<double>(row[pairs + pair])};
}

}  // namespace mmrope::kernels
