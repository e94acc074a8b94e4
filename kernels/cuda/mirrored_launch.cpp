// Runs a host-pointer launch on the GPU through device copies of its memory regions.
#include "kernels/cuda/mirrored_launch.hpp"

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/cuda/apply_rotary_cuda.hpp"

namespace mmrope::kernels {

bool cuda_device_present() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

int apply_rotary_cuda_mirrored(const RotaryKernelParams& params, const std::vector<HostRegion>& regions) {
  std::vector<std::uint8_t*> device(regions.size(), nullptr);
  int error = 0;
  auto note = [&](cudaError_t e) {
    if (error == 0 && e != cudaSuccess) error = static_cast<int>(e);
  };
  for (std::size_t i = 0; i < regions.size(); ++i) {
    if (regions[i].bytes == 0) continue;
    note(cudaMalloc(reinterpret_cast<void**>(&device[i]), regions[i].bytes));
    if (error == 0) note(cudaMemcpy(device[i], regions[i].data, regions[i].bytes, cudaMemcpyHostToDevice));
  }
  auto twin = [&](const void* host) -> void* {
    if (host == nullptr) return nullptr;
    const auto* b = static_cast<const std::uint8_t*>(host);
    for (std::size_t i = 0; i < regions.size(); ++i) {
      const auto* start = static_cast<const std::uint8_t*>(regions[i].data);
      if (device[i] && b >= start && b < start + regions[i].bytes) return device[i] + (b - start);
    }
    if (error == 0) error = static_cast<int>(cudaErrorInvalidValue);
    return nullptr;
  };
  RotaryKernelParams p = params;
  p.q.input = twin(p.q.input), p.q.output = twin(p.q.output);
  p.k.input = twin(p.k.input), p.k.output = twin(p.k.output);
  p.positions.values = twin(p.positions.values);
  p.cu_seqlens = static_cast<const std::int32_t*>(twin(p.cu_seqlens));
  p.frequencies.turn_frequencies = static_cast<const TurnFrequency*>(twin(p.frequencies.turn_frequencies));
  p.frequencies.axis_of = static_cast<const std::int8_t*>(twin(p.frequencies.axis_of));
  if (error == 0) error = apply_rotary_cuda(p, nullptr);
  if (error == 0) note(cudaDeviceSynchronize());
  for (std::size_t i = 0; i < regions.size(); ++i) {
    if (error == 0 && device[i]) note(cudaMemcpy(const_cast<void*>(regions[i].data), device[i], regions[i].bytes,
                                                 cudaMemcpyDeviceToHost));
    if (device[i]) cudaFree(device[i]);
  }
  return error;
}

}  // namespace mmrope::kernels
