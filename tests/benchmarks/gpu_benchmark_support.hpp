// What the GPU benchmarks share: a CUDA call that must succeed, the opening lines every one of them prints, device
// copies and event timing.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "kernels/cuda/mirrored_launch.hpp"
#include "kernels/host/kernel_frequency_table.hpp"

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

// A device copy of a host vector (never freed: the benchmarks are short programs).
template <class T>
T* device_copy(const std::vector<T>& host) {
  T* d = nullptr;
  MMROPE_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&d), host.size() * sizeof(T)));
  MMROPE_CUDA_CHECK(cudaMemcpy(d, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice));
  return d;
}

// The frequency plan's arguments with their arrays on the device.
inline kernels::RotaryFrequencyArgs device_frequency_args(const kernels::KernelFrequencyTable& table) {
  kernels::RotaryFrequencyArgs args = table.args();
  args.turn_frequencies = device_copy(table.turn_frequencies);
  args.axis_of = device_copy(table.axis_of);
  return args;
}

// The mean device time of `iterations` back-to-back calls of f after `warmup` ones, by CUDA events around the
// whole run (launch gaps included).
template <class F>
float milliseconds_per_call(F&& f, int warmup = 5, int iterations = 50) {
  for (int i = 0; i < warmup; ++i) f();
  cudaEvent_t start, stop;
  MMROPE_CUDA_CHECK(cudaEventCreate(&start));
  MMROPE_CUDA_CHECK(cudaEventCreate(&stop));
  MMROPE_CUDA_CHECK(cudaEventRecord(start));
  for (int i = 0; i < iterations; ++i) f();
  MMROPE_CUDA_CHECK(cudaEventRecord(stop));
  MMROPE_CUDA_CHECK(cudaEventSynchronize(stop));
  float ms = 0;
  MMROPE_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
  MMROPE_CUDA_CHECK(cudaEventDestroy(start));
  MMROPE_CUDA_CHECK(cudaEventDestroy(stop));
  return ms / iterations;
}

}  // namespace mmrope::benchmarks
