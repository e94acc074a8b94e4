// HoPE hybrid frequency allocation: VideoRoPE's spatial layout, and the temporal (lowest-frequency) band does not rotate.
#pragma once

#include "allocation_videorope.hpp"

namespace mmrope {

// Official HoPE (apply_hybrid_multimodal_rotary_pos_emb) sets cos = 1, sin = 0 on the last s_t pairs for every
// token, text included; the first s_h + s_w pairs alternate h (even) / w (odd) as in official VideoRoPE.
// [16,24,24]: "hw" x 24 then "-" x 16.
inline Allocation allocation_hope(const Sections& s, int pairs) {
  require_sections_cover(s, pairs, "hope");
  std::vector<PairAxis> axes;
  for (int j = 0; j < pairs; ++j) axes.push_back(j >= s[1] + s[2] ? PairAxis{} : j % 2 == 0 ? Axis::h : Axis::w);
  return Allocation::per_pair("hope", std::move(axes));
}

}  // namespace mmrope
