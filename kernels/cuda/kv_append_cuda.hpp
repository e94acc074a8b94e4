// The CUDA KV-append launcher (decode steps, prefill chunks): q rotated, k rotated into a contiguous or paged KV
// cache (or into k's output without one) and v copied, in one launch.
#pragma once

#include "kernels/core/kv_append_params.hpp"

namespace mmrope::kernels {

// Launches on `stream` (a cudaStream_t; nullptr for the default stream) and returns the launch's cudaError_t
// as an int (0: cudaSuccess). Every pointer in params must be device memory, and so must device_faults: the
// kernel ORs the KvAppendFault bits of every token it could not place into it (kv_append_fault_text words them)
// and writes nothing for that token; the caller reads it when it synchronises. Throws std::invalid_argument
// for a bad parameter set (kv_append_params_problem) before launching. Bitwise equal to apply_kv_append_host.
int apply_kv_append_cuda(const KvAppendParams& params, unsigned* device_faults, void* stream);

}  // namespace mmrope::kernels
