// Judges a kernel launch's q and k outputs against the exact reference (the judge engine).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "kernels/core/kv_append_params.hpp"
#include "kernels/core/rotary_params.hpp"
#include "reference/comparison.hpp"
#include "reference/judge/judge_engine.hpp"
#include "reference/positions.hpp"
#include "reference/rounding.hpp"
#include "reference/frequency/rotary_spec.hpp"

namespace mmrope::kernels {

// One tensor's verdict. The comparison's max_ulp_bound is the contract; elements beyond it pass only within
// their own element_bound_ulps (a cancelling output), and an all-zero output fails whatever the ulps say.
struct TensorVerdict {
  ComparisonReport report;
  std::size_t beyond_contract = 0;     // elements with ulp > kContractUlps
  std::size_t beyond_element_bound = 0;  // of those, elements beyond their own bound: failures
  bool present = false;
  bool passed() const { return !present || (beyond_element_bound == 0 && !report.all_zero_output); }
};

struct KernelVerdict {
  TensorVerdict q, k;
  bool passed() const { return q.passed() && k.passed(); }
  double max_ulp() const;
  std::size_t elements() const { return q.report.elements + k.report.elements; }
  std::string describe() const;  // the worst elements of a failing tensor
};

// The token positions the launch reads, one Position3 per token (linear index n), for the reference.
std::vector<Position3> kernel_token_positions(const RotaryKernelParams& params);

// params.q.input / params.k.input must hold the ORIGINAL inputs (for an in-place launch, a copy taken before
// it) and params.q.output / params.k.output the kernel's results, all host pointers, same strides.
// threads: the judge's worker threads (0: every core; 1 where the caller runs several checks at once).
KernelVerdict check_against_reference(const RotarySpec& spec, const RotaryKernelParams& params,
                                      judge::Engine engine = judge::Engine::fast, unsigned threads = 0);

// A KV-append step (decode or prefill chunk, the phase on the fly, a cache of the step's dtype or none): q
// (q_original the inputs, params.q.output the results) and k (k_original, or params.k.input where it is
// untouched; the results in the cache at each token's slot, or in params.k.output) judged at the step's
// positions. Host pointers. An fp8 cache's k is left to check_fp8_cache_against_reference (kernels/host/
// fp8_cache_check.hpp). Throws std::invalid_argument for a token without a slot or a cos/sin-cache launch
// (kernels/host/cos_sin_cache_check.hpp judges those).
KernelVerdict check_kv_append_against_reference(const RotarySpec& spec, const KvAppendParams& params, const void* q_original,
                                                const void* k_original = nullptr,
                                                judge::Engine engine = judge::Engine::fast, unsigned threads = 0);

}  // namespace mmrope::kernels
