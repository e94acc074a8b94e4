// Judges the fp8 e4m3 KV cache a KV-append launch wrote: each byte against the e4m3 quantization of the exact value.
#pragma once

#include "kernels/core/kv_append_params.hpp"
#include "kernels/host/reference_check.hpp"
#include "reference/frequency/rotary_spec.hpp"

namespace mmrope::kernels {

// k: the exact rotated k (the reference, MPFR) over k_scale; v: v over v_scale; each measured in ulps of e4m3 at
// that value (2^-9 below 2^-6, 2^(e-3) in binade e; a value past 448 must be the saturated 448, at 0 ulp). The
// kernel's value in double is within 2^-49 (|x0| + |x1|) + 2^-51 |y| of the exact one after its division by
// the scale (2^-52 |x| for v and the tail), then rounds once to e4m3: each element's bound is 0.5 ulp plus that
// slack in ulps. The verdict's k is the k cache, its q is empty (q is judged by check_kv_append_against_reference),
// and v is counted in with k. Host pointers; the launch's phase on the fly.
KernelVerdict check_fp8_cache_against_reference(const RotarySpec& spec, const KvAppendParams& params);

}  // namespace mmrope::kernels
