// cos/sin slots of one token: computed once per (token, pair[, axis]) and shared by every q and k head.
#pragma once

#include <cstdint>

#include "host_device.hpp"
#include "pair_rotation.hpp"
#include "rotary_params.hpp"
#include "sincospi.hpp"
#include "token_indexing.hpp"
#include "turn_phase.hpp"

namespace mmrope::kernels {

// How many cos/sin slots a token needs: one per pair when each pair has one axis, three per pair (t, h, w)
// for MHRoPE, where the axis depends on the head.
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE int angle_slots(const RotaryKernelParams& p) {
  return p.frequencies.per_kv_head ? 3 * p.pairs() : p.pairs();
}

// cos and sin of position * theta_j, times the attention factor.
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE CosSin position_cos_sin(std::int64_t position, const TurnFrequency& f,
                                                               double attention_factor) {
  return scaled(cos_sin_of_turns(reduced_turns(position, f)), attention_factor);
}

// Slot s of a token: pair s on its own axis, or (MHRoPE) pair s % pairs on axis s / pairs. A pair without
// an axis gets (attention_factor, 0), as the reference's non-rotating pairs.
MMROPE_HOST_DEVICE inline CosSin slot_cos_sin(const RotaryKernelParams& p, const TokenPositions& pos, int slot) {
  const RotaryFrequencyArgs& f = p.frequencies;
  const int pairs = p.pairs();
  const int pair = f.per_kv_head ? slot % pairs : slot;
  const int axis = f.per_kv_head ? slot / pairs : f.axis_of[pair];
  if (axis < 0) return {f.attention_factor, 0.0};
  return position_cos_sin(pos.on(axis), f.turn_frequencies[pair], f.attention_factor);
}

// Which slot pair j of a head reads, or -1 for no rotation. A query head i reads KV head i / group under MHRoPE.
MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE int slot_of(const RotaryKernelParams& p, bool is_query, int head, int pair) {
  const RotaryFrequencyArgs& f = p.frequencies;
  if (!f.per_kv_head) return pair;
  const int kv_head = is_query ? head / (f.query_heads / f.kv_heads) : head;
  const int axis = f.axis_of[kv_head];
  return axis < 0 ? -1 : axis * p.pairs() + pair;
}

}  // namespace mmrope::kernels
