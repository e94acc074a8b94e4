// The one parameter struct of every RoPE kernel launch, shared by the host backend and the CUDA kernels.
#pragma once

#include <cstdint>

#include "element_type.hpp"
#include "pair_rotation.hpp"
#include "turn_phase.hpp"

namespace mmrope::kernels {

// bshd: [batch, seq, heads, head_dim]; sbhd: [seq, batch, heads, head_dim]; thd: [total tokens, heads,
// head_dim], sequences packed back to back with boundaries cu_seqlens (TransformerEngine's names).
enum class TensorLayout : std::uint8_t { bshd, sbhd, thd };

enum class PositionType : std::uint8_t { int32, int64 };

// One of q or k. heads == 0 (or input == nullptr) skips it. output == input rotates in place. Strides are
// in elements and 64-bit; channels are contiguous. For thd, seq_stride is the stride between packed tokens
// and batch_stride is unused.
struct RotaryTensorArgs {
  const void* input = nullptr;
  void* output = nullptr;
  int heads = 0;
  std::int64_t batch_stride = 0;
  std::int64_t seq_stride = 0;
  std::int64_t head_stride = 0;
};

// Integer positions of each token, indexed by the token's linear index n (b * seqlen + s for bshd and sbhd,
// the packed index for thd): values[axis * axis_stride + n * token_stride]. axes == 3 reads (t, h, w);
// axes == 1 reads one row for all three (1-D RoPE). values == nullptr: the token's index in its sequence.
struct RotaryPositionArgs {
  const void* values = nullptr;
  PositionType type = PositionType::int64;
  int axes = 3;
  std::int64_t axis_stride = 0;
  std::int64_t token_stride = 1;
};

// The frequency plan in kernel form (kernels/host/kernel_frequency_table.hpp builds it from a RotarySpec).
// axis_of[i] is 0, 1, 2 for t, h, w or -1 for no rotation (cos = attention_factor, sin = 0); i is the pair,
// or, when per_kv_head (MHRoPE), the KV head: query head i then reads KV head i / (q.heads / k.heads).
struct RotaryFrequencyArgs {
  const TurnFrequency* turn_frequencies = nullptr;  // [rotary_dim / 2]
  const std::int8_t* axis_of = nullptr;             // [rotary_dim / 2] or [kv_heads]
  bool per_kv_head = false;
  int kv_heads = 0;                                 // when per_kv_head: the KV head count of the plan
  int query_heads = 0;                              // when per_kv_head: the query head count of the plan
  double attention_factor = 1;
};

struct RotaryKernelParams {
  RotaryTensorArgs q, k;
  DType dtype = DType::bf16;
  TensorLayout layout = TensorLayout::bshd;
  int batch = 1;
  std::int64_t seqlen = 0;                  // bshd, sbhd
  const std::int32_t* cu_seqlens = nullptr;  // thd: [batch + 1], cu_seqlens[batch] = total_tokens
  std::int64_t total_tokens = 0;            // thd
  int head_dim = 0;
  int rotary_dim = 0;                       // channels [rotary_dim, head_dim) pass through unchanged
  Pairing pairing = Pairing::neox;
  Direction direction = Direction::forward;
  RotaryPositionArgs positions;
  RotaryFrequencyArgs frequencies;

  MMROPE_HOST_DEVICE std::int64_t tokens() const {
    return layout == TensorLayout::thd ? total_tokens : static_cast<std::int64_t>(batch) * seqlen;
  }
  MMROPE_HOST_DEVICE int pairs() const { return rotary_dim / 2; }
};

// Contiguous strides for a layout (what torch gives a fresh tensor of that shape).
inline RotaryTensorArgs contiguous_tensor(const void* input, void* output, TensorLayout layout, int batch,
                                          std::int64_t seqlen, int heads, int head_dim) {
  RotaryTensorArgs t;
  t.input = input;
  t.output = output;
  t.heads = heads;
  t.head_stride = head_dim;
  const std::int64_t per_token = static_cast<std::int64_t>(heads) * head_dim;
  switch (layout) {
    case TensorLayout::bshd: t.seq_stride = per_token; t.batch_stride = per_token * seqlen; break;
    case TensorLayout::sbhd: t.batch_stride = per_token; t.seq_stride = per_token * batch; break;
    case TensorLayout::thd: t.seq_stride = per_token; t.batch_stride = 0; break;
  }
  return t;
}

}  // namespace mmrope::kernels
