// 2-D allocation (RoPE-Tie, a 2-D vision split): the first half of the pairs reads h, the second half w.
#pragma once

#include "allocation.hpp"

namespace mmrope {

// Over the standard spectrum theta_j = base^(-2j/d), so a text token (n, n) gets exactly 1-D RoPE (RoPE-Tie's
// requirement). Qwen's ViT 2-D RoPE instead restarts the spectrum in each half (theta over d/2 per axis); that
// is a different frequency set, not modelled by this allocation. An odd pair count gives h the smaller half.
inline Allocation allocation_2d(int pairs) {
  std::vector<PairAxis> axes;
  for (int j = 0; j < pairs; ++j) axes.push_back(j < pairs / 2 ? Axis::h : Axis::w);
  return Allocation::per_pair("2d", std::move(axes));
}

}  // namespace mmrope
