// Runs a launch whose params point at host memory on the GPU: copies the regions over, launches, copies back.
#pragma once

#include <cstddef>
#include <vector>

#include "kernels/core/kv_append_params.hpp"
#include "kernels/core/rotary_params.hpp"

namespace mmrope::kernels {

// Whether a CUDA device can be used here (false when the driver or device is missing).
bool cuda_device_present();

struct HostRegion {
  const void* data = nullptr;
  std::size_t bytes = 0;
};

// Every pointer in `params` must lie inside one of `regions` (tensors, positions, cu_seqlens, frequency table).
// All regions are copied to the device, the kernel runs, and all regions are copied back. Returns the first
// CUDA error (0: success). For tools and tests, not for speed.
int apply_rotary_cuda_mirrored(const RotaryKernelParams& params, const std::vector<HostRegion>& regions);

// The same for a decode step: every pointer of `params` inside `regions` (q, k, v, both caches, the block table
// or slot mapping, the per-sequence arrays, the frequency table). *faults receives the kernel's fault bits.
int apply_kv_append_cuda_mirrored(const KvAppendParams& params, const std::vector<HostRegion>& regions, unsigned* faults);

}  // namespace mmrope::kernels
