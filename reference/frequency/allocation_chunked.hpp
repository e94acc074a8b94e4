// Chunked MRoPE (Qwen2-VL, Qwen2.5-VL): pairs [0, s_t) read t, the next s_h read h, the last s_w read w.
#pragma once

#include "allocation.hpp"
#include "sections.hpp"

namespace mmrope {

// HF apply_multimodal_rotary_pos_emb splits the 2*(d/2) cos channels by mrope_section*2 and takes chunk i from
// row i % 3; because the channels are cat(freqs, freqs), channel j and j + d/2 land in the same chunk index,
// which is this per-pair rule.
inline Allocation allocation_chunked(const Sections& s, int pairs) {
  require_sections_cover(s, pairs, "chunked");
  std::vector<PairAxis> axes;
  for (int j = 0; j < pairs; ++j) axes.push_back(j < s[0] ? Axis::t : j < s[0] + s[1] ? Axis::h : Axis::w);
  return Allocation::per_pair("chunked", std::move(axes));
}

}  // namespace mmrope
