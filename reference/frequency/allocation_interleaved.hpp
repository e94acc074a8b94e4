// Interleaved MRoPE (Qwen3-VL, MRoPE-I, Qwen3.5): pair j reads h if j%3==1 and j<3*s_h, w if j%3==2 and j<3*s_w, else t.
#pragma once

#include "allocation.hpp"
#include "sections.hpp"

namespace mmrope {

// HF apply_interleaved_mrope starts from the t row everywhere and overwrites slice(1, 3*s_h, 3) with h and
// slice(2, 3*s_w, 3) with w; the pairs past those slices (the tail) stay t. The per-axis counts equal the
// sections only when the slices fit; the rule, not the counts, is the specification.
inline Allocation allocation_interleaved(const Sections& s, int pairs, std::string name = "interleaved") {
  require_sections_cover(s, pairs, name);
  std::vector<PairAxis> axes;
  for (int j = 0; j < pairs; ++j) {
    if (j % 3 == 1 && j < 3 * s[1]) axes.push_back(Axis::h);
    else if (j % 3 == 2 && j < 3 * s[2]) axes.push_back(Axis::w);
    else axes.push_back(Axis::t);
  }
  return Allocation::per_pair(std::move(name), std::move(axes));
}

}  // namespace mmrope
