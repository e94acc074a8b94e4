// The host backend: the CUDA kernels' per-token arithmetic and indexing, run on the CPU with plain loops.
#pragma once

#include "kernels/core/rotary_params.hpp"

namespace mmrope::kernels {

// Applies RoPE (forward or backward) to q and k as the CUDA kernels do, bit for bit. All pointers are host
// pointers. Throws std::invalid_argument with rotary_params_problem's message on a bad parameter set.
void apply_rotary_host(const RotaryKernelParams& params);

}  // namespace mmrope::kernels
