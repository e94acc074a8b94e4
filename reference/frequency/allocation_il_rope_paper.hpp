// IL-RoPE as 2510.23095 describes it: the last s_t pairs (the lowest frequencies) read t, the first s_h + s_w alternate h / w.
#pragma once

#include "allocation.hpp"
#include "allocation_videorope.hpp"
#include "sections.hpp"

namespace mmrope {

// Sec. 2.3.2: "IL-RoPE employs a form of interleaving but similarly [to VideoRoPE and HoPE] reserves the
// lowest-frequency channels for the temporal dimension", forcing the spatial axes into the high band (Table 1:
// range no, granularity no). The paper gives no split, so this reading takes the one the sentence compares it
// to: t only on the last s_t pairs, and h (even j) / w (odd j) interleaved over the first s_h + s_w, which is
// official VideoRoPE's per-pair rule under IL-RoPE's name. Whether t also shares the high band the paper does
// not say; either way h and w miss the low end, so the Table 1 cells do not depend on that choice.
// [24,20,20] over 64 pairs: "hw" x 20 then "t" x 24.
inline Allocation allocation_il_rope_paper(const Sections& s, int pairs) {
  return spatial_interleaved_then_temporal(s, pairs, "il-rope-paper");
}

}  // namespace mmrope
