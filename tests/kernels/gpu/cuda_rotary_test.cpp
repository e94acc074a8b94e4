// The CUDA kernels against the host backend (bit for bit) and the reference (ulps); skipped without a GPU.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../../reference/random_seed.hpp"
#include "../kernel_case.hpp"
#include "device_launch.hpp"
#include "kernels/cuda/apply_rotary_cuda.hpp"

namespace mmrope::kernels::testing {
namespace {

#define REQUIRE_GPU()                                                                          \
  if (const std::string why = gpu_absence(); !why.empty()) {                                   \
    if (gpu_required()) FAIL() << why << " (MMROPE_REQUIRE_GPU=1: a GPU is required)";           \
    GTEST_SKIP() << why;                                                                       \
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
    for (DType dtype : {DType::fp32, DType::fp16, DType::bf16})
      for (TensorLayout layout : {TensorLayout::bshd, TensorLayout::sbhd, TensorLayout::thd})
        for (Direction direction : {Direction::forward, Direction::backward}) {
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
  for (DType dtype : {DType::fp32, DType::bf16})
    for (Pairing pairing : {Pairing::neox, Pairing::gptj})
      for (Direction direction : {Direction::forward, Direction::backward}) {
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
