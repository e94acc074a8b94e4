// The CUDA kernels against the host backend (bit for bit) and the reference (ulps); skipped without a GPU.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "../../reference/random_seed.hpp"
#include <cstdlib>
#include <string>

#include "../kernel_case.hpp"
#include "kernels/cuda/apply_rotary_cuda.hpp"

namespace mmrope::kernels::testing {
namespace {

// Why no GPU can be used ("" when one can): no device, or a driver that does not answer.
std::string gpu_absence() {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) return std::string("CUDA: ") + cudaGetErrorString(e);
  return count > 0 ? "" : "no CUDA device";
}

// MMROPE_REQUIRE_GPU=1 (for runs on a machine with a GPU) turns the skip into a failure, so a broken
// driver cannot pass silently.
bool gpu_required() {
  const char* v = std::getenv("MMROPE_REQUIRE_GPU");
  return v && std::string(v) == "1";
}

#define REQUIRE_GPU()                                                                          \
  if (const std::string why = gpu_absence(); !why.empty()) {                                   \
    if (gpu_required()) FAIL() << why << " (MMROPE_REQUIRE_GPU=1: a GPU is required)";           \
    GTEST_SKIP() << why;                                                                       \
  }

// Device copies of host regions; translates any pointer inside a region to its device twin.
class DeviceMirror {
 public:
  void add(const void* host, std::size_t bytes) {
    if (host == nullptr || bytes == 0) return;
    for (const Region& r : regions_)
      if (r.host == host) return;
    Region r{static_cast<const std::uint8_t*>(host), bytes, nullptr};
    EXPECT_EQ(cudaMalloc(reinterpret_cast<void**>(&r.device), bytes), cudaSuccess);
    EXPECT_EQ(cudaMemcpy(r.device, host, bytes, cudaMemcpyHostToDevice), cudaSuccess);
    regions_.push_back(r);
  }
  template <class P>
  P* device(P* host) const {
    if (host == nullptr) return nullptr;
    const auto* b = reinterpret_cast<const std::uint8_t*>(host);
    for (const Region& r : regions_)
      if (b >= r.host && b < r.host + r.bytes) return reinterpret_cast<P*>(r.device + (b - r.host));
    ADD_FAILURE() << "pointer outside every mirrored region";
    return nullptr;
  }
  void copy_back(void* host, std::size_t bytes) const {
    if (host == nullptr || bytes == 0) return;
    EXPECT_EQ(cudaMemcpy(host, device(host), bytes, cudaMemcpyDeviceToHost), cudaSuccess);
  }
  ~DeviceMirror() {
    for (const Region& r : regions_) cudaFree(r.device);
  }

 private:
  struct Region {
    const std::uint8_t* host;
    std::size_t bytes;
    std::uint8_t* device;
  };
  std::vector<Region> regions_;
};

// Runs the case's launch on the GPU, writing the results into the case's host buffers.
void run_on_gpu(KernelCaseData& d) {
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
  ASSERT_EQ(apply_rotary_cuda(p, nullptr), 0);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  for (auto* v : {&d.q_buffer, &d.k_buffer, &d.q_result, &d.k_result}) m.copy_back(v->data(), v->size());
}

// The GPU result beside a host-backend run of the same case (same seed, so the same inputs).
void expect_gpu_equals_host_and_reference(const KernelCase& c, std::uint64_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed) + ", case " + c.name());
  std::mt19937_64 rng_gpu(seed), rng_host(seed);
  KernelCaseData gpu = make_case(c, rng_gpu);
  KernelCaseData host = make_case(c, rng_host);
  const OracleVerdict v = run_and_check(gpu, [&](const RotaryKernelParams&) { run_on_gpu(gpu); });
  apply_rotary_host(host.params);
  EXPECT_TRUE(v.passed()) << v.describe();
  EXPECT_EQ(gpu.q_buffer, host.q_buffer);  // bit for bit (in place: the buffers; out of place: the results)
  EXPECT_EQ(gpu.k_buffer, host.k_buffer);
  EXPECT_EQ(gpu.q_result, host.q_result);
  EXPECT_EQ(gpu.k_result, host.k_result);
}

TEST(CudaRotary, EveryFeatureMatchesHostBitForBit) {
  REQUIRE_GPU();
  const std::uint64_t seed = test_seed();
  const char* allocations[][2] = {{"1d", ""}, {"chunked", "1,2,1"}, {"interleaved", "4,1,1"}, {"hope", "2,1,1"},
                                  {"multi-head", "1,1,1"}, {"2d", ""}};
  int variant = 0;
  for (auto [allocation, sections] : allocations)
    for (ElementType dtype : {ElementType::fp32, ElementType::fp16, ElementType::bf16})
      for (TensorLayout layout : {TensorLayout::bshd, TensorLayout::sbhd, TensorLayout::thd})
        for (RotationDirection direction : {RotationDirection::forward, RotationDirection::backward}) {
          ++variant;
          KernelCase c;
          c.allocation = allocation;
          c.sections = sections;
          c.rotary_dim = c.allocation == "interleaved" ? 12 : 8;
          if (c.allocation == "multi-head") c.mhrope_heads = HeadCounts{8, 4}, c.q_heads = 8, c.k_heads = 4;
          c.head_dim = c.rotary_dim + (variant % 2 ? 4 : 0);
          c.pairing = variant % 3 ? Pairing::neox : Pairing::gptj;
          c.dtype = dtype;
          c.layout = layout;
          c.direction = direction;
          c.positions = static_cast<PositionSource>(variant % 4);
          c.in_place = variant % 5 < 2;
          c.fused_qkv = layout != TensorLayout::thd && variant % 7 == 3;
          c.largest_position = INT32_MAX;
          c.sequence_lengths = {3, 1, 5};
          expect_gpu_equals_host_and_reference(c, seed + variant);
        }
}

// Realistic shapes take the 16-byte vector path (head_dim 128, 28/4 heads); the reference judges a few tokens.
TEST(CudaRotary, VectorPathQwen2VlShapes) {
  REQUIRE_GPU();
  const std::uint64_t seed = test_seed();
  for (ElementType dtype : {ElementType::fp32, ElementType::bf16})
    for (Pairing pairing : {Pairing::neox, Pairing::gptj})
      for (RotationDirection direction : {RotationDirection::forward, RotationDirection::backward}) {
        KernelCase c;
        c.allocation = "chunked";
        c.sections = "16,24,24";
        c.base = "1000000";
        c.head_dim = c.rotary_dim = 128;
        c.q_heads = 28;
        c.k_heads = 4;
        c.dtype = dtype;
        c.pairing = pairing;
        c.direction = direction;
        c.sequence_lengths = {9, 4};
        c.largest_position = INT32_MAX;
        std::mt19937_64 rng(seed);
        KernelCaseData probe = make_case(c, rng);
        EXPECT_TRUE(rotary_launch_is_vectorized(probe.params)) << c.name();
        expect_gpu_equals_host_and_reference(c, seed);
      }
}

}  // namespace
}  // namespace mmrope::kernels::testing
