// Judges a cos/sin-cache launch of the KV-append kernel under the cache's convention: against the exact
// rotation by the cache's own fp32 values.
#pragma once

#include "kernels/core/kv_append_params.hpp"
#include "kernels/host/reference_check.hpp"

namespace mmrope::kernels {

// Every element of q (q_original the inputs, params.q.output the results) and k (k_original or params.k.input;
// the results in the cache or params.k.output) against x0 c - x1 s and x1 c + x0 s with c and s the cache's
// values at the token's row, computed exactly (MPFR) and measured in ulps of the dtype. The kernel's products of
// a dtype value and an fp32 value are exact in double and its sum rounds once, so each element is the correctly
// rounded value or, within 2^-53 |y| of a rounding boundary, its neighbour: at most 0.5 ulp + 2^-53 |y| / ulp,
// which this judge's element bound is. Host pointers; the cache in the step's dtype (not fp8).
KernelVerdict check_cos_sin_cache_rotation(const KvAppendParams& params, const void* q_original,
                                           const void* k_original = nullptr);

}  // namespace mmrope::kernels
