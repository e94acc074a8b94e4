// What the GPU benchmarks share: a CUDA call that must succeed, and the opening lines every one of them prints.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdio>
#include <cstdlib>

#include "kernels/cuda/mirrored_launch.hpp"

#define MMROPE_CUDA_CHECK(call)                                                        \
  do {                                                                                 \
    const cudaError_t e_ = (call);                                                     \
    if (e_ != cudaSuccess) {                                                           \
      std::fprintf(stderr, "%s: %s\n", #call, cudaGetErrorString(e_));                 \
      std::exit(1);                                                                    \
    }                                                                                  \
  } while (0)

namespace mmrope::benchmarks {

// Prints the device's name, or says there is none (the benchmark then measures nothing and exits 0).
inline bool announce_device() {
  if (!kernels::cuda_device_present()) {
    std::printf("no CUDA device: nothing to measure\n");
    return false;
  }
  cudaDeviceProp prop{};
  MMROPE_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("device: %s\n", prop.name);
  return true;
}

}  // namespace mmrope::benchmarks
