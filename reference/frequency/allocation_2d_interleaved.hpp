// 2-D interleaved allocation (the paper's reading of RoPE-Tie): even pairs read h, odd pairs read w.
#pragma once

#include "allocation.hpp"

namespace mmrope {

// 2510.23095 Table 1 gives RoPE-Tie the full range but not full granularity: each axis reads half of the pairs,
// spread over the whole spectrum, which is an interleaved split of the 1-D frequencies between its two axes.
// Su's post does not say which axis takes pair 0; as in his RoPE-2D (the first coordinate rotates the first
// pair) and in the "2d" allocation (h first), h (RoPE-Tie's first coordinate) takes the even pairs, w the odd.
// An odd pair count gives h the larger half. Over the standard spectrum, so text (n, n) is 1-D RoPE.
inline Allocation allocation_2d_interleaved(int pairs) {
  std::vector<PairAxis> axes;
  for (int j = 0; j < pairs; ++j) axes.push_back(j % 2 == 0 ? Axis::h : Axis::w);
  return Allocation::per_pair("2d-interleaved", std::move(axes));
}

}  // namespace mmrope
