// The decode step on the host: the CUDA decode kernel's per-token arithmetic and indexing, with plain loops.
#pragma once

#include "kernels/core/kv_append_params.hpp"

namespace mmrope::kernels {

// Rotates q (in place or into q.output) and k into the KV cache, copies v into it, as the CUDA decode kernel
// does, bit for bit. All pointers are host pointers. Throws std::invalid_argument, before writing anything, on
// a bad parameter set (kv_append_params_problem) or a token the kernel would fault on (named, with the fault).
void apply_kv_append_host(const KvAppendParams& params);

}  // namespace mmrope::kernels
