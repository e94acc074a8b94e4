// The CUDA decode launcher: q rotated, k rotated into a contiguous or paged KV cache and v copied, in one launch.
#pragma once

#include "kernels/core/decode_params.hpp"

namespace mmrope::kernels {

// Launches on `stream` (a cudaStream_t; nullptr for the default stream) and returns the launch's cudaError_t
// as an int (0: cudaSuccess). Every pointer in params must be device memory, and so must device_faults: the
// kernel ORs the DecodeFault bits of every token it could not place into it (decode_fault_text words them)
// and writes nothing for that token; the caller reads it when it synchronises. Throws std::invalid_argument
// for a bad parameter set (decode_params_problem) before launching. Bitwise equal to apply_decode_host.
int apply_decode_cuda(const DecodeKernelParams& params, unsigned* device_faults, void* stream);

}  // namespace mmrope::kernels
