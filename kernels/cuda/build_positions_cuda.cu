// The CUDA position builder: the plan's runs to the device, then the shared Thrust steps on the CUDA system.
#include "kernels/cuda/build_positions_cuda.hpp"

#include <cuda_runtime_api.h>
#include <thrust/device_vector.h>
#include <thrust/system/cuda/execution_policy.h>

#include <stdexcept>
#include <string>

#include "kernels/core/position_build_steps.hpp"

namespace mmrope::kernels {

void build_positions_cuda(const PositionPlan& plan, const PositionOutputs& out, void* stream) {
  const auto s = static_cast<cudaStream_t>(stream);
  const thrust::device_vector<PositionSegment> segments(plan.segments.begin(), plan.segments.end());
  const thrust::device_vector<std::int64_t> divisors(plan.delta_divisor.begin(), plan.delta_divisor.end());
  thrust::device_vector<std::int64_t> first_token(plan.segments.size()), cursors(plan.segments.size());
  thrust::device_vector<std::int32_t> row_keys(static_cast<std::size_t>(plan.rows));
  const position_steps::BuildScratch scratch{thrust::raw_pointer_cast(first_token.data()),
                                             thrust::raw_pointer_cast(cursors.data()), thrust::raw_pointer_cast(row_keys.data())};
  position_steps::build(thrust::cuda::par.on(s), thrust::raw_pointer_cast(segments.data()),
                        static_cast<std::int64_t>(plan.segments.size()), thrust::raw_pointer_cast(divisors.data()),
                        plan.rows, plan.padded_length, plan.cursor_den, scratch, out);
  if (const cudaError_t e = cudaStreamSynchronize(s); e != cudaSuccess)
    throw std::runtime_error(std::string("build_positions_cuda: ") + cudaGetErrorString(e));
}

}  // namespace mmrope::kernels
