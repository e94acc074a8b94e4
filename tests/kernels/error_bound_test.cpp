// The accuracy contract per dtype, measured: head_dim 128 presets, positions swept to 2^31 - 1, both directions.
#include <gtest/gtest.h>

#include <iostream>
#include <random>

#include "../reference/random_seed.hpp"
#include "kernel_case.hpp"
#include "kernels/host/error_bound.hpp"

namespace mmrope::kernels::testing {
namespace {

struct DtypeName {
  std::string operator()(const ::testing::TestParamInfo<DType>& info) const {
    const char* names[] = {"fp32", "fp16", "bf16"};
    return names[static_cast<int>(info.param)];
  }
};

class ContractSweep : public ::testing::TestWithParam<DType> {};

// Qwen2-VL's chunked [16,24,24] at base 1e6 and Qwen3-VL's interleaved [24,20,20] (a tail of 4 t pairs) at
// 5e6; every position magnitude 2^e - 1 for e = 4 .. 31, each with random (t, h, w) near it.
TEST_P(ContractSweep, AtMostOneUlpAtEveryMagnitude) {
  const DType dtype = GetParam();
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  double worst = 0;
  std::size_t elements = 0;
  for (int e = 4; e <= 31; e += 3) {
    for (int preset = 0; preset < 2; ++preset)
      for (Direction direction : {Direction::forward, Direction::backward}) {
        KernelCase c;
        c.allocation = preset == 0 ? "chunked" : "interleaved";
        c.sections = preset == 0 ? "16,24,24" : "24,20,20";
        c.base = preset == 0 ? "1000000" : "5000000";
        c.head_dim = c.rotary_dim = 128;
        c.dtype = dtype;
        c.direction = direction;
        c.q_heads = 4;
        c.k_heads = 2;
        c.sequence_lengths = {6};
        c.largest_position = (std::int64_t{1} << e) - 1;
        SCOPED_TRACE("seed " + std::to_string(seed) + ", case " + c.name());
        KernelCaseData data = make_case(c, rng);
        const OracleVerdict v = run_and_check(data);
        EXPECT_TRUE(v.passed()) << v.describe();
        worst = std::max(worst, v.max_ulp());
        elements += v.elements();
      }
  }
  std::cout << "[ measured ] max error " << worst << " ulp over " << elements << " elements (contract "
            << kContractUlps << ")\n";
  EXPECT_LE(worst, kContractUlps);
}

INSTANTIATE_TEST_SUITE_P(PerDtype, ContractSweep,
                         ::testing::Values(DType::fp32, DType::fp16, DType::bf16),
                         DtypeName());

// The element bound stays at the contract for ordinary outputs and opens only for deep cancellation.
TEST(ElementBound, IsTheContractUnlessTheOutputCancels) {
  const double inputs = 2.0, ulp_fp32 = std::ldexp(1.0, -23);  // |y| in [1, 2): fp32 ulp 2^-23
  EXPECT_LE(element_bound_ulps(inputs, 1.0, 1.5, ulp_fp32), kContractUlps);
  const double tiny_y = std::ldexp(1.0, -40), ulp_tiny = std::ldexp(1.0, -63);  // y cancelled to 2^-40
  EXPECT_GT(element_bound_ulps(inputs, 1.0, tiny_y, ulp_tiny), kContractUlps);
  // bf16 (7 stored bits) keeps the contract down to |y| >= 2^(7+3-49) (|x0| + |x1|) = 2^-38 here, and not below.
  EXPECT_LE(element_bound_ulps(inputs, 1.0, std::ldexp(1.0, -38), std::ldexp(1.0, -45)), kContractUlps);
  EXPECT_GT(element_bound_ulps(inputs, 1.0, std::ldexp(1.0, -42), std::ldexp(1.0, -49)), kContractUlps);
}

}  // namespace
}  // namespace mmrope::kernels::testing
