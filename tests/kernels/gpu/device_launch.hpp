// Runs a kernel case's launch on the GPU: device copies of its buffers, the launch, the results copied back.
#pragma once

#include <string>

#include "../kernel_case.hpp"

namespace mmrope::kernels::testing {

// Why no GPU can be used ("" when one can): no device, or a driver that does not answer.
std::string gpu_absence();

// MMROPE_REQUIRE_GPU=1 (for runs on a machine with a GPU): a missing GPU is then a failure, not a skip.
bool gpu_required();

// Runs d.params on the GPU (apply_rotary_cuda) and writes every buffer back into d's host buffers.
// Throws std::runtime_error naming the CUDA call that failed.
// allow_fast_path = false takes the general kernel where the fast path would apply.
void run_on_gpu(KernelCaseData& d, bool allow_fast_path = true);

}  // namespace mmrope::kernels::testing
