// Runs a host-pointer launch on the GPU through device copies of its memory regions.
#include "kernels/cuda/mirrored_launch.hpp"

#include <cuda_runtime_api.h>

#include <cstdint>

#include "kernels/cuda/apply_rotary_cuda.hpp"
#include "kernels/cuda/kv_append_cuda.hpp"

namespace mmrope::kernels {
namespace {

// Device copies of host regions; a host pointer inside one maps to its twin. The first CUDA error is kept.
class DeviceRegions {
 public:
  explicit DeviceRegions(const std::vector<HostRegion>& regions) : regions_(regions), device_(regions.size(), nullptr) {
    for (std::size_t i = 0; i < regions_.size(); ++i) {
      if (regions_[i].bytes == 0) continue;
      note(cudaMalloc(reinterpret_cast<void**>(&device_[i]), regions_[i].bytes));
      if (error_ == 0) note(cudaMemcpy(device_[i], regions_[i].data, regions_[i].bytes, cudaMemcpyHostToDevice));
    }
  }
  DeviceRegions(const DeviceRegions&) = delete;
  DeviceRegions& operator=(const DeviceRegions&) = delete;
  ~DeviceRegions() {
    for (std::uint8_t* d : device_)
      if (d) cudaFree(d);
  }
  template <class P>
  P* twin(P* host) {
    if (host == nullptr) return nullptr;
    const auto* b = reinterpret_cast<const std::uint8_t*>(host);
    for (std::size_t i = 0; i < regions_.size(); ++i) {
      const auto* start = static_cast<const std::uint8_t*>(regions_[i].data);
      if (device_[i] && b >= start && b < start + regions_[i].bytes) return reinterpret_cast<P*>(device_[i] + (b - start));
    }
    if (error_ == 0) error_ = static_cast<int>(cudaErrorInvalidValue);
    return nullptr;
  }
  void note(cudaError_t e) {
    if (error_ == 0 && e != cudaSuccess) error_ = static_cast<int>(e);
  }
  void note(int e) { note(static_cast<cudaError_t>(e)); }
  // After the launch: synchronise and copy every region back (unless something failed).
  int finish() {
    if (error_ == 0) note(cudaDeviceSynchronize());
    for (std::size_t i = 0; i < regions_.size(); ++i)
      if (error_ == 0 && device_[i])
        note(cudaMemcpy(const_cast<void*>(regions_[i].data), device_[i], regions_[i].bytes, cudaMemcpyDeviceToHost));
    return error_;
  }
  int error() const { return error_; }

 private:
  const std::vector<HostRegion>& regions_;
  std::vector<std::uint8_t*> device_;
  int error_ = 0;
};

}  // namespace

bool cuda_device_present() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

int apply_rotary_cuda_mirrored(const RotaryKernelParams& params, const std::vector<HostRegion>& regions) {
  DeviceRegions m(regions);
  RotaryKernelParams p = params;
  p.q.input = m.twin(p.q.input), p.q.output = m.twin(p.q.output);
  p.k.input = m.twin(p.k.input), p.k.output = m.twin(p.k.output);
  p.positions.values = m.twin(p.positions.values);
  p.cu_seqlens = m.twin(p.cu_seqlens);
  p.frequencies.turn_frequencies = m.twin(p.frequencies.turn_frequencies);
  p.frequencies.axis_of = m.twin(p.frequencies.axis_of);
  if (m.error() == 0) m.note(apply_rotary_cuda(p, nullptr));
  return m.finish();
}

int apply_kv_append_cuda_mirrored(const KvAppendParams& params, const std::vector<HostRegion>& regions, unsigned* faults) {
  std::vector<HostRegion> all = regions;
  *faults = 0;
  all.push_back({faults, sizeof *faults});
  DeviceRegions m(all);
  KvAppendParams p = params;
  p.q.input = m.twin(p.q.input), p.q.output = m.twin(p.q.output);
  p.k.input = m.twin(p.k.input), p.v.input = m.twin(p.v.input), p.k.output = m.twin(p.k.output);
  p.cu_new_tokens = m.twin(p.cu_new_tokens), p.positions.values = m.twin(p.positions.values);
  p.cos_sin_cache.values = m.twin(p.cos_sin_cache.values);
  p.cache.k = m.twin(p.cache.k), p.cache.v = m.twin(p.cache.v);
  p.cache.block_table = m.twin(p.cache.block_table), p.cache.slot_mapping = m.twin(p.cache.slot_mapping);
  p.cache_lengths = m.twin(p.cache_lengths), p.rope_deltas = m.twin(p.rope_deltas), p.real_lengths = m.twin(p.real_lengths);
  p.frequencies.turn_frequencies = m.twin(p.frequencies.turn_frequencies);
  p.frequencies.axis_of = m.twin(p.frequencies.axis_of);
  unsigned* device_faults = m.twin(faults);
  if (m.error() == 0) m.note(apply_kv_append_cuda(p, device_faults, nullptr));
  return m.finish();
}

}  // namespace mmrope::kernels
