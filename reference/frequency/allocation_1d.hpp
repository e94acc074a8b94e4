// 1-D allocation (vanilla RoPE, V2PE): every pair reads the t row, which 1-D designs fill with the token's position.
#pragma once

#include "allocation.hpp"

namespace mmrope {

inline Allocation allocation_1d(int pairs) { return Allocation::per_pair("1d", std::vector<PairAxis>(pairs, Axis::t)); }

}  // namespace mmrope
