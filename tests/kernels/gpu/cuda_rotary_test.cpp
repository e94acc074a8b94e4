// The CUDA kernels against the host backend (bit for bit) and the reference (ulps); skipped without a GPU.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "../../reference/random_seed.hpp"
#include "../kernel_case.hpp"
#include "device_launch.hpp"
#include "kernels/cuda/apply_rotary_cuda.hpp"
#include "kernels/cuda/device_conversion.hpp"
#include "reference/rounding.hpp"

namespace mmrope::kernels::testing {
namespace {

// The GPU result beside a host-backend run of the same case (same seed, so the same inputs).
void expect_gpu_equals_host_and_reference(const KernelCase& c, std::uint64_t seed, bool allow_fast_path = true) {
  SCOPED_TRACE("seed " + std::to_string(seed) + ", case " + c.name() + (allow_fast_path ? "" : ", general kernel"));
  std::mt19937_64 rng_gpu(seed), rng_host(seed);
  KernelCaseData gpu = make_case(c, rng_gpu);
  KernelCaseData host = make_case(c, rng_host);
  const OracleVerdict v = run_and_check(gpu, [&](const RotaryKernelParams&) { run_on_gpu(gpu, allow_fast_path); });
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
TEST(CudaRotary, FastAndVectorPathsQwen2VlShapes) {
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
        EXPECT_EQ(rotary_launch_path(probe.params), RotaryPath::fast) << c.name();
        expect_gpu_equals_host_and_reference(c, seed);
        expect_gpu_equals_host_and_reference(c, seed, /*allow_fast_path=*/false);  // the vector path, same shape
      }
}

// The device's roundings (on sm_90 the hardware cvt.rn.{bf16,f16}.f64) against the reference, bit for bit:
// every fp16/bf16 value, the midpoints between neighbours and the doubles either side of them (subnormals,
// the overflow threshold), zeros, infinities and random doubles. narrow_common answers for every non-NaN.
TEST(CudaRotary, DeviceRoundingEqualsTheReference) {
  REQUIRE_GPU();
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (DType t : {DType::fp16, DType::bf16, DType::fp32}) {
    std::vector<double> values = {0.0, -0.0, INFINITY, -INFINITY, 1e300, -1e300, 1e-300, std::numeric_limits<double>::denorm_min()};
    const DType grid = t == DType::fp32 ? DType::bf16 : t;  // fp32: the bf16 grid's values and midpoints are hard cases too
    for (std::uint32_t b = 0; b < 0x7C00u + (grid == DType::bf16 ? 0x380u : 0u); ++b) {
      const double lo = decode_bits(b, grid), hi = decode_bits(b + 1, grid);
      if (!std::isfinite(lo)) continue;
      const double mid = std::isfinite(hi) ? (lo + hi) / 2 : lo + (lo - decode_bits(b - 1, grid)) / 2;
      for (double x : {lo, mid, std::nextafter(mid, 0.0), std::nextafter(mid, INFINITY), std::nextafter(lo, 0.0)}) {
        values.push_back(x);
        values.push_back(-x);
      }
    }
    std::uniform_int_distribution<std::uint64_t> bits;
    for (int i = 0; i < 200000; ++i) {
      const double any = std::bit_cast<double>(bits(rng));
      if (!std::isnan(any)) values.push_back(any);
    }
    const DeviceNarrowing got = narrow_on_device(values, t);
    int mismatches = 0;
    for (std::size_t i = 0; i < values.size() && mismatches < 10; ++i) {
      const std::uint32_t want = round_to_bits(values[i], t);
      if (got.narrow[i] != want || !got.answered[i] || got.common[i] != want) {
        ++mismatches;
        ADD_FAILURE() << to_string(t) << " " << std::hexfloat << values[i] << ": narrow " << std::hex << got.narrow[i]
                      << ", common " << got.common[i] << (got.answered[i] ? "" : " (not answered)") << ", reference " << want;
      }
    }
    if (t != DType::fp32) {  // fp16 and bf16 store the reference's canonical NaN; fp32 any NaN (IEEE conversion)
      const DeviceNarrowing nan = narrow_on_device({std::numeric_limits<double>::quiet_NaN()}, t);
      EXPECT_EQ(nan.narrow[0], round_to_bits(std::numeric_limits<double>::quiet_NaN(), t)) << to_string(t);
    }
  }
}

}  // namespace
}  // namespace mmrope::kernels::testing
