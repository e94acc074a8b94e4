// Runs a kernel case's launch on the GPU: device copies of its buffers, the launch, the results copied back.
#pragma once

#include <string>

#include "../append_case.hpp"
#include "../kernel_case.hpp"

namespace mmrope::kernels::testing {

// Why no GPU can be used ("" when one can): no device, or a driver that does not answer.
std::string gpu_absence();

// MMROPE_REQUIRE_GPU=1 (for runs on a machine with a GPU): a missing GPU is then a failure, not a skip.
bool gpu_required();

// At the top of a GPU test: skip it without a usable GPU, or fail under MMROPE_REQUIRE_GPU=1.
#define REQUIRE_GPU()                                                                          \
  if (const std::string why = gpu_absence(); !why.empty()) {                                   \
    if (gpu_required()) FAIL() << why << " (MMROPE_REQUIRE_GPU=1: a GPU is required)";           \
    GTEST_SKIP() << why;                                                                       \
  }

// Runs d.params on the GPU (apply_rotary_cuda) and writes every buffer back into d's host buffers.
// Throws std::runtime_error naming the CUDA call that failed.
// allow_fast_path = false takes the general kernel where the fast path would apply.
void run_on_gpu(KernelCaseData& d, bool allow_fast_path = true);

// Runs a decode step (apply_kv_append_cuda) on the GPU, writes q and both caches back, and returns the fault bits
// the kernel reported (0: every token placed).
unsigned run_decode_on_gpu(AppendData& d);

}  // namespace mmrope::kernels::testing
