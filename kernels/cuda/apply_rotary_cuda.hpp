// The CUDA launcher: forward or backward RoPE of q and k in one launch (plain C++ header; no CUDA types).
#pragma once

#include "kernels/core/rotary_params.hpp"

namespace mmrope::kernels {

// Launches on `stream` (a cudaStream_t; nullptr for the default stream) and returns the launch's
// cudaError_t as an int (0: cudaSuccess). Every pointer in params -- tensors, positions, cu_seqlens and the
// frequency table's two arrays -- must be device memory. Throws std::invalid_argument for a bad parameter set
// (rotary_params_problem). Bitwise equal to apply_rotary_host on the same inputs.
int apply_rotary_cuda(const RotaryKernelParams& params, void* stream);

// Whether the launch takes the 16-byte vector path (aligned pointers and strides, pairs a multiple of the
// vector): exposed so tests can cover both paths.
bool rotary_launch_is_vectorized(const RotaryKernelParams& params);

}  // namespace mmrope::kernels
