// Where a token lives: its sequence and index in it, the offset of its heads in q or k, and its positions.
#pragma once

#include <cstdint>

#include "host_device.hpp"
#include "rotary_params.hpp"

namespace mmrope::kernels {

struct TokenLocation {
  int batch = 0;           // which sequence
  std::int64_t index = 0;  // index within the sequence
};

// Does every token index and sequence length of the launch fit 32 bits? Then locate_token_narrow applies.
MMROPE_HOST_DEVICE inline bool token_indices_fit_32_bits(const RotaryKernelParams& p) {
  return p.layout == TensorLayout::thd || (p.seqlen <= INT32_MAX && p.tokens() <= INT32_MAX);
}

// The token with linear index n (b * seqlen + s for bshd/sbhd; packed index for thd, located by a binary
// search of cu_seqlens, so the grid can be sized by tokens rather than batch x longest sequence), where
// token_indices_fit_32_bits(p): a 32-bit division, inline on the GPU. The 64-bit one is a subroutine call, and
// the registers it saves put the fast path's fp32 kernel in local memory.
MMROPE_HOST_DEVICE inline TokenLocation locate_token_narrow(const RotaryKernelParams& p, std::int64_t n) {
  if (p.layout != TensorLayout::thd) {
    const auto un = static_cast<std::uint32_t>(n), us = static_cast<std::uint32_t>(p.seqlen);
    return {static_cast<int>(un / us), static_cast<std::int64_t>(un % us)};
  }
  if (p.cu_seqlens == nullptr) return {0, n};
  int lo = 0, hi = p.batch;  // invariant: cu_seqlens[lo] <= n < cu_seqlens[hi]
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    if (p.cu_seqlens[mid] <= n) lo = mid;
    else hi = mid;
  }
  return {lo, n - p.cu_seqlens[lo]};
}

// The same for any launch.
MMROPE_HOST_DEVICE inline TokenLocation locate_token(const RotaryKernelParams& p, std::int64_t n) {
  if (!token_indices_fit_32_bits(p)) return {static_cast<int>(n / p.seqlen), n % p.seqlen};
  return locate_token_narrow(p, n);
}

// Offset (elements, 64-bit) of channel 0 of head 0 of the token in a tensor.
MMROPE_HOST_DEVICE inline std::int64_t token_offset(const RotaryKernelParams& p, const RotaryTensorArgs& t,
                                                    std::int64_t n, TokenLocation where) {
  if (p.layout == TensorLayout::thd) return n * t.seq_stride;
  return static_cast<std::int64_t>(where.batch) * t.batch_stride + where.index * t.seq_stride;
}

// The token's (t, h, w) positions; 1-D positions repeat on every axis.
struct TokenPositions {
  std::int64_t axis[3] = {0, 0, 0};
  // The position on a run-time axis, by selection: indexing the array with it would put it in local memory on
  // the GPU.
  MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE std::int64_t on(int a) const { return a == 0 ? axis[0] : a == 1 ? axis[1] : axis[2]; }
};

MMROPE_HOST_DEVICE inline TokenPositions token_positions(const RotaryKernelParams& p, std::int64_t n, TokenLocation where) {
  TokenPositions out;
  const RotaryPositionArgs& a = p.positions;
  for (int axis = 0; axis < 3; ++axis) {
    if (a.values == nullptr) {
      out.axis[axis] = where.index;
      continue;
    }
    const std::int64_t i = (a.axes == 1 ? 0 : axis) * a.axis_stride + n * a.token_stride;
    out.axis[axis] = a.type == PositionType::int32 ? static_cast<std::int64_t>(static_cast<const std::int32_t*>(a.values)[i])
                                                   : static_cast<const std::int64_t*>(a.values)[i];
  }
  return out;
}

// The two channels of pair j within a head.
struct PairChannels {
  int first = 0;
  int second = 0;
};

MMROPE_HOST_DEVICE MMROPE_FORCE_INLINE PairChannels pair_channels(Pairing k, int pair, int rotary_dim) {
  return k == Pairing::neox ? PairChannels{pair, pair + rotary_dim / 2} : PairChannels{2 * pair, 2 * pair + 1};
}

}  // namespace mmrope::kernels
