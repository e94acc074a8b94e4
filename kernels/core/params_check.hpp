// Checks a RotaryKernelParams before any launch, host or CUDA: one message naming what is wrong, or empty.
// Also the kernels' accepted position range, and its check over positions the host can read.
#pragma once

#include <cstdint>
#include <string>

#include "rotary_params.hpp"

namespace mmrope::kernels {

// The positions the kernels are proven accurate for (docs/error-model.md: 1 ulp for |p| < 2^31, the analysis
// holding to 2^32): the int32 range, [-2^31, 2^31 - 1]. int32 positions are always inside it; int64 ones
// must be, and implicit positions (a token's index in its sequence) must be, so sequences hold <= 2^31 tokens.
inline constexpr std::int64_t kMinKernelPosition = -(std::int64_t{1} << 31);
inline constexpr std::int64_t kMaxKernelPosition = (std::int64_t{1} << 31) - 1;

inline std::string rotary_params_problem(const RotaryKernelParams& p) {
  auto n = [](std::int64_t v) { return std::to_string(v); };
  if (p.head_dim <= 0) return "head_dim " + n(p.head_dim) + " must be positive";
  if (p.rotary_dim <= 0 || p.rotary_dim % 2 != 0 || p.rotary_dim > p.head_dim)
    return "rotary_dim " + n(p.rotary_dim) + " must be positive, even and at most head_dim " + n(p.head_dim);
  if (p.batch < 0 || p.seqlen < 0 || p.total_tokens < 0) return "batch, seqlen and total_tokens must be non-negative";
  if (p.layout == TensorLayout::thd && p.positions.values == nullptr && p.cu_seqlens == nullptr)
    return "thd without positions needs cu_seqlens to know each token's index in its sequence";
  if (p.layout != TensorLayout::thd && p.seqlen == 0 && p.batch > 0) return "bshd/sbhd need seqlen > 0";
  if (p.positions.values == nullptr && (p.layout == TensorLayout::thd ? p.total_tokens : p.seqlen) > kMaxKernelPosition + 1)
    return "without positions a token's index is its position, and the kernels accept positions up to 2^31 - 1: "
           "at most 2^31 tokens per sequence";
  if (p.positions.values != nullptr && p.positions.axes != 1 && p.positions.axes != 3)
    return "positions must have 1 or 3 axes, not " + n(p.positions.axes);
  const RotaryFrequencyArgs& f = p.frequencies;
  if (f.turn_frequencies == nullptr || f.axis_of == nullptr) return "the frequency table is missing";
  for (const RotaryTensorArgs* t : {&p.q, &p.k}) {
    if (t->heads < 0) return "head counts must be non-negative";
    if (t->heads > 0 && (t->input == nullptr || t->output == nullptr)) return "a tensor with heads needs input and output";
  }
  if (f.per_kv_head) {
    if (f.kv_heads <= 0 || f.query_heads % f.kv_heads != 0) return "MHRoPE plan needs query heads a multiple of KV heads";
    if (p.q.heads > 0 && p.q.heads != f.query_heads)
      return "MHRoPE plan is for " + n(f.query_heads) + " query heads, q has " + n(p.q.heads);
    if (p.k.heads > 0 && p.k.heads != f.kv_heads)
      return "MHRoPE plan is for " + n(f.kv_heads) + " KV heads, k has " + n(p.k.heads);
  }
  return {};
}

// Every explicit position inside [kMinKernelPosition, kMaxKernelPosition], read through p.positions, so only
// where the host can read them (the host backend; a CUDA caller with host copies). One message, or empty.
// Call after rotary_params_problem found nothing: it relies on the token count and strides being sane.
inline std::string host_positions_problem(const RotaryKernelParams& p) {
  if (p.positions.values == nullptr || p.positions.type == PositionType::int32) return {};
  const auto* values = static_cast<const std::int64_t*>(p.positions.values);
  const std::int64_t tokens = p.tokens();
  for (std::int64_t n = 0; n < tokens; ++n)
    for (int axis = 0; axis < p.positions.axes; ++axis) {
      const std::int64_t v = values[axis * p.positions.axis_stride + n * p.positions.token_stride];
      if (v < kMinKernelPosition || v > kMaxKernelPosition)
        return "position " + std::to_string(v) + " of token " + std::to_string(n) + " (axis " + std::to_string(axis) +
               ") is outside the kernels' range [-2^31, 2^31 - 1]";
    }
  return {};
}

}  // namespace mmrope::kernels
