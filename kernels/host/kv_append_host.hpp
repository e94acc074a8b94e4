// The KV-append step on the host (decode steps, prefill chunks): the CUDA kernel's per-token arithmetic and
// indexing, with plain loops.
#pragma once

#include "kernels/core/kv_append_params.hpp"

namespace mmrope::kernels {

// Rotates q (in place or into q.output) and k into the KV cache (or into k.output without one), copies v into
// the cache, as the CUDA kernel does, bit for bit. All pointers are host pointers. Throws
// std::invalid_argument, before writing anything, on a bad parameter set (kv_append_params_problem), on
// cu_new_tokens that are not 0, nondecreasing, total_tokens (the entry named), or on a token the kernel would
// fault on (named, with the fault).
void apply_kv_append_host(const KvAppendParams& params);

}  // namespace mmrope::kernels
