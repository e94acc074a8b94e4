// VideoRoPE low-frequency temporal allocation: official (h/w alternate over the first s_h+s_w pairs, t last) and the paper repo's variant.
#pragma once

#include "allocation.hpp"
#include "sections.hpp"

namespace mmrope {

// Official VideoRoPE (apply_m_modify_multimodal_rotary_pos_emb): sections [s_t, s_h, s_w] become
// [s_h + s_w spatial, s_t temporal]; spatial pair j reads h when j is even and w when odd; the last s_t pairs
// (the lowest frequencies) read t. [16,24,24] over 64 pairs: "hw" x 24 then "t" x 16.
// The same rule serves every allocation that reads it under its own name (il-rope-paper).
inline Allocation spatial_interleaved_then_temporal(const Sections& s, int pairs, const char* name) {
  require_sections_cover(s, pairs, name);
  std::vector<PairAxis> axes;
  for (int j = 0; j < pairs; ++j) axes.push_back(j >= s[1] + s[2] ? Axis::t : j % 2 == 0 ? Axis::h : Axis::w);
  return Allocation::per_pair(name, std::move(axes));
}

inline Allocation allocation_videorope(const Sections& s, int pairs) {
  return spatial_interleaved_then_temporal(s, pairs, "videorope");
}

// The Multimodal-RoPEs repo's VideoRoPE (freq_allocation/videorope.py): t everywhere, then slice(1, 2*s_h, 2) -> h
// and slice(2, 2*s_w, 2) -> w. One pair apart from the official layout: pair 0 stays t and w loses its last pair,
// [16,24,24] gives "t" + "hw" x 23 + "h" + "t" x 16 (t 17, h 24, w 23).
inline Allocation allocation_videorope_repo(const Sections& s, int pairs) {
  require_sections_cover(s, pairs, "videorope-repo");
  std::vector<PairAxis> axes;
  for (int j = 0; j < pairs; ++j) {
    if (j % 2 == 1 && j < 2 * s[1]) axes.push_back(Axis::h);
    else if (j % 2 == 0 && j >= 2 && j < 2 * s[2]) axes.push_back(Axis::w);
    else axes.push_back(Axis::t);
  }
  return Allocation::per_pair("videorope-repo", std::move(axes));
}

}  // namespace mmrope
