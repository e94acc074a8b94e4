// The core's double -> dtype roundings run on the GPU, for tests: the same functions the kernels store with.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/core/element_type.hpp"

namespace mmrope::kernels {

struct DeviceNarrowing {
  std::vector<std::uint32_t> narrow;    // ElementTraits<dtype>::narrow of each value, as bits
  std::vector<std::uint32_t> common;    // ElementTraits<dtype>::narrow_common's result, as bits
  std::vector<std::uint8_t> answered;   // whether narrow_common answered (else the kernels take the slow route)
};

// Rounds every value on the device; throws std::runtime_error naming the CUDA call that failed.
DeviceNarrowing narrow_on_device(const std::vector<double>& values, DType dtype);

}  // namespace mmrope::kernels
