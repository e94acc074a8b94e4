// Device copies of a case's host buffers (any pointer inside one maps to its twin), the launch, the copies back:
// training cases and decode steps.
#include "device_launch.hpp"

#include <cuda_runtime_api.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "kernels/cuda/apply_rotary_cuda.hpp"
#include "kernels/cuda/kv_append_cuda.hpp"

namespace mmrope::kernels::testing {
namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

class DeviceMirror {
 public:
  DeviceMirror() = default;
  DeviceMirror(const DeviceMirror&) = delete;
  DeviceMirror& operator=(const DeviceMirror&) = delete;
  ~DeviceMirror() {
    for (const Region& r : regions_) cudaFree(r.device);
  }
  void add(const void* host, std::size_t bytes) {
    if (host == nullptr || bytes == 0) return;
    for (const Region& r : regions_)
      if (r.host == host) return;
    Region r{static_cast<const std::uint8_t*>(host), bytes, nullptr};
    check(cudaMalloc(reinterpret_cast<void**>(&r.device), bytes), "cudaMalloc");
    regions_.push_back(r);
    check(cudaMemcpy(r.device, host, bytes, cudaMemcpyHostToDevice), "cudaMemcpy to the device");
  }
  template <class P>
  P* device(P* host) const {
    if (host == nullptr) return nullptr;
    const auto* b = reinterpret_cast<const std::uint8_t*>(host);
    for (const Region& r : regions_)
      if (b >= r.host && b < r.host + r.bytes) return reinterpret_cast<P*>(r.device + (b - r.host));
    throw std::runtime_error("a launch pointer lies outside every mirrored buffer");
  }
  void copy_back(void* host, std::size_t bytes) const {
    if (host == nullptr || bytes == 0) return;
    check(cudaMemcpy(host, device(host), bytes, cudaMemcpyDeviceToHost), "cudaMemcpy to the host");
  }

 private:
  struct Region {
    const std::uint8_t* host;
    std::size_t bytes;
    std::uint8_t* device;
  };
  std::vector<Region> regions_;
};

}  // namespace

std::string gpu_absence() {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) return std::string("CUDA: ") + cudaGetErrorString(e);
  return count > 0 ? "" : "no CUDA device";
}

bool gpu_required() {
  const char* v = std::getenv("MMROPE_REQUIRE_GPU");
  return v && std::string(v) == "1";
}

void run_on_gpu(KernelCaseData& d, bool allow_fast_path) {
  DeviceMirror m;
  for (auto* v : {&d.q_buffer, &d.k_buffer, &d.q_result, &d.k_result}) m.add(v->data(), v->size());
  m.add(d.positions32.data(), d.positions32.size() * 4);
  m.add(d.positions64.data(), d.positions64.size() * 8);
  m.add(d.cu_seqlens.data(), d.cu_seqlens.size() * 4);
  m.add(d.table.turn_frequencies.data(), d.table.turn_frequencies.size() * sizeof(TurnFrequency));
  m.add(d.table.axis_of.data(), d.table.axis_of.size());
  RotaryKernelParams p = d.params;
  p.q.input = m.device(p.q.input), p.q.output = m.device(p.q.output);
  p.k.input = m.device(p.k.input), p.k.output = m.device(p.k.output);
  p.positions.values = m.device(p.positions.values);
  p.cu_seqlens = m.device(p.cu_seqlens);
  p.frequencies.turn_frequencies = m.device(p.frequencies.turn_frequencies);
  p.frequencies.axis_of = m.device(p.frequencies.axis_of);
  check(static_cast<cudaError_t>(apply_rotary_cuda(p, nullptr, allow_fast_path)), "apply_rotary_cuda");
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  for (auto* v : {&d.q_buffer, &d.k_buffer, &d.q_result, &d.k_result}) m.copy_back(v->data(), v->size());
}

}  // namespace mmrope::kernels::testing

namespace mmrope::kernels::testing {

unsigned run_decode_on_gpu(AppendData& d) {
  DeviceMirror m;
  for (Buffer* b : {&d.q, &d.k, &d.v, &d.k_cache, &d.v_cache, &d.k_out}) m.add(b->bytes.data(), b->bytes.size());
  for (auto* v : {&d.k_fp8, &d.v_fp8}) m.add(v->data(), v->size());
  m.add(d.cu_new_tokens.data(), d.cu_new_tokens.size() * sizeof(std::int32_t));
  m.add(d.positions64.data(), d.positions64.size() * sizeof(std::int64_t));
  m.add(d.positions32.data(), d.positions32.size() * sizeof(std::int32_t));
  m.add(d.cos_sin.values.data(), d.cos_sin.values.size() * sizeof(float));
  m.add(d.block_table.data(), d.block_table.size() * sizeof(std::int32_t));
  m.add(d.slot_mapping.data(), d.slot_mapping.size() * sizeof(std::int64_t));
  for (const auto* v : {&d.c.cache_lengths, &d.c.rope_deltas, &d.c.real_lengths}) m.add(v->data(), v->size() * sizeof(std::int64_t));
  m.add(d.table.turn_frequencies.data(), d.table.turn_frequencies.size() * sizeof(TurnFrequency));
  m.add(d.table.axis_of.data(), d.table.axis_of.size());
  const unsigned zero = 0;
  m.add(&zero, sizeof zero);
  KvAppendParams p = d.params;
  p.q.input = m.device(p.q.input), p.q.output = m.device(p.q.output);
  p.k.input = m.device(p.k.input), p.v.input = m.device(p.v.input), p.k.output = m.device(p.k.output);
  p.cu_new_tokens = m.device(p.cu_new_tokens), p.positions.values = m.device(p.positions.values);
  p.cos_sin_cache.values = m.device(p.cos_sin_cache.values);
  p.cache.k = m.device(p.cache.k), p.cache.v = m.device(p.cache.v);
  p.cache.block_table = m.device(p.cache.block_table), p.cache.slot_mapping = m.device(p.cache.slot_mapping);
  p.cache_lengths = m.device(p.cache_lengths), p.rope_deltas = m.device(p.rope_deltas);
  p.real_lengths = m.device(p.real_lengths);
  p.frequencies.turn_frequencies = m.device(p.frequencies.turn_frequencies);
  p.frequencies.axis_of = m.device(p.frequencies.axis_of);
  unsigned* faults = m.device(const_cast<unsigned*>(&zero));
  check(static_cast<cudaError_t>(apply_kv_append_cuda(p, faults, nullptr)), "apply_kv_append_cuda");
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  for (Buffer* b : {&d.q, &d.k_cache, &d.v_cache, &d.k_out}) m.copy_back(b->bytes.data(), b->bytes.size());
  for (auto* v : {&d.k_fp8, &d.v_fp8}) m.copy_back(v->data(), v->size());
  unsigned result = 0;
  check(cudaMemcpy(&result, faults, sizeof result, cudaMemcpyDeviceToHost), "cudaMemcpy of the faults");
  return result;
}

}  // namespace mmrope::kernels::testing
