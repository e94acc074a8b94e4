// Multi-head RoPE (MHRoPE): sections are KV heads per axis; each head gets the full spectrum on one axis, leftover heads none.
#pragma once

#include "allocation.hpp"
#include "sections.hpp"

namespace mmrope {

// Multimodal-RoPEs freq_allocation/mhrope.py: KV head k reads t if k < n_t, h if k < n_t + n_h, w if
// k < n_t + n_h + n_w, and no position otherwise (zero phase, cos 1 sin 0); query head i uses KV head
// i / (Hq / Hkv) (repeat_interleave, as HF repeat_kv). [2,3,3] with 16:8 heads: "tttthhhhhhwwwwww".
inline Allocation allocation_multi_head(const Sections& s, int pairs, HeadCounts heads) {
  check_heads(heads);
  if (sum_of(s) > heads.kv)
    throw Error("multi-head sections [" + format_sections(s) + "] need " + std::to_string(sum_of(s)) +
                " KV heads, there are " + std::to_string(heads.kv));
  std::vector<PairAxis> axes;
  for (int k = 0; k < heads.kv; ++k) {
    if (k < s[0]) axes.push_back(Axis::t);
    else if (k < s[0] + s[1]) axes.push_back(Axis::h);
    else if (k < sum_of(s)) axes.push_back(Axis::w);
    else axes.push_back(PairAxis{});
  }
  return Allocation::per_kv_head("multi-head", std::move(axes), pairs, heads);
}

}  // namespace mmrope
