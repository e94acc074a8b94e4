// IL-RoPE-like allocation: Mogao's exact split is unpublished; the paper repo (Multimodal-RoPEs ilrope) uses MRoPE-I.
#pragma once

#include "allocation_interleaved.hpp"

namespace mmrope {

// 2510.23095 says IL-RoPE interleaves t/h/w and keeps the lowest frequencies for t, without the exact split;
// its reference re-implementation (freq_allocation/mrope_i.py with [24,20,20]) is the interleaved rule, whose
// tail (pairs 60..63 for d = 128) is t. This is that re-implementation, named so a reader knows it is one.
inline Allocation allocation_il_rope(const Sections& s, int pairs) { return allocation_interleaved(s, pairs, "il-rope"); }

}  // namespace mmrope
