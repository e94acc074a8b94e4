// The position builder on the GPU: a plan's runs placed token by token with Thrust's CUDA system.
#pragma once

#include "kernels/core/position_plan.hpp"

namespace mmrope::kernels {

// Builds plan's positions into out, whose pointers must be device memory of the sizes PositionOutputs gives,
// on `stream` (a cudaStream_t; nullptr for the default stream): the runs are copied to the device, then the
// steps of kernels/core/position_build_steps.hpp run there (Thrust's CUDA system). Returns when the results
// are written. Bitwise equal to build_positions_host. Throws std::runtime_error naming a failed CUDA call
// (Thrust reports its own as thrust::system_error, a std::runtime_error).
void build_positions_cuda(const PositionPlan& plan, const PositionOutputs& out, void* stream);

}  // namespace mmrope::kernels
