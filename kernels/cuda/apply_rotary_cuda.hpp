// The CUDA launcher: forward or backward RoPE of q and k in one launch (plain C++ header; no CUDA types).
#pragma once

#include "kernels/core/rotary_params.hpp"

namespace mmrope::kernels {

// Launches on `stream` (a cudaStream_t; nullptr for the default stream) and returns the launch's
// cudaError_t as an int (0: cudaSuccess). Every pointer in params -- tensors, positions, cu_seqlens and the
// frequency table's two arrays -- must be device memory. Throws std::invalid_argument for a bad parameter set
// (rotary_params_problem). Bitwise equal to apply_rotary_host on the same inputs.
// allow_fast_path = false takes the general kernel where the fast path would apply (tests cover both).
int apply_rotary_cuda(const RotaryKernelParams& params, void* stream, bool allow_fast_path = true);

// Whether the launch can take 16-byte vectors (aligned pointers and strides, pairs a multiple of the vector).
bool rotary_launch_is_vectorized(const RotaryKernelParams& params);

// Which kernel a launch takes: fast (a warp per token, cos/sin in registers: no per-KV-head allocation, the
// whole head rotated, vectorized, a head 1 to 32 lanes wide), vector or scalar (a block per token, cos/sin in
// shared memory). Exposed so tests and benchmarks name and cover each.
enum class RotaryPath { fast, vector, scalar };
RotaryPath rotary_launch_path(const RotaryKernelParams& params);

}  // namespace mmrope::kernels
