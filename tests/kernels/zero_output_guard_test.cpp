// The judge refuses outputs a broken launch leaves behind: all zeros, untouched buffers, a wrong rotation.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <stdexcept>

#include "../reference/random_seed.hpp"
#include "kernel_case.hpp"
#include "kernels/core/params_check.hpp"

namespace mmrope::kernels::testing {
namespace {

KernelCaseData small_case(std::mt19937_64& rng) {
  KernelCase c;
  c.largest_position = 123456;
  return make_case(c, rng);
}

TEST(ZeroOutputGuard, AnAllZeroOutputFails) {
  std::mt19937_64 rng(test_seed());
  KernelCaseData d = small_case(rng);
  const OracleVerdict v = run_and_check(d, [&](const RotaryKernelParams&) {
    std::memset(d.q_result.data(), 0, d.q_result.size());  // a kernel that never ran on a zeroed buffer
    std::memset(d.k_result.data(), 0, d.k_result.size());
  });
  EXPECT_FALSE(v.passed());
  EXPECT_TRUE(v.q.report.all_zero_output);
}

TEST(ZeroOutputGuard, ASkippedTensorFails) {
  std::mt19937_64 rng(test_seed());
  KernelCaseData d = small_case(rng);
  const OracleVerdict v = run_and_check(d, [](const RotaryKernelParams& p) {
    RotaryKernelParams q_only = p;
    q_only.k.heads = 0;
    apply_rotary_host(q_only);
  });
  EXPECT_TRUE(v.q.passed());
  EXPECT_FALSE(v.k.passed());
}

TEST(ZeroOutputGuard, TheWrongDirectionFails) {
  std::mt19937_64 rng(test_seed());
  KernelCaseData d = small_case(rng);
  const OracleVerdict v = run_and_check(d, [](const RotaryKernelParams& p) {
    RotaryKernelParams flipped = p;
    flipped.direction = Direction::backward;
    apply_rotary_host(flipped);
  });
  EXPECT_FALSE(v.passed());
}

TEST(ZeroOutputGuard, APositionOffByOneFails) {
  std::mt19937_64 rng(test_seed());
  KernelCaseData d = small_case(rng);
  for (auto& p : d.positions64) p += 1;  // the launch sees shifted positions; the oracle reads the case's own
  const OracleVerdict v = run_and_check(d);
  EXPECT_FALSE(v.passed());
}

TEST(ParamsCheck, RejectsInconsistentLaunches) {
  std::mt19937_64 rng(1);
  KernelCaseData d = small_case(rng);
  EXPECT_EQ(rotary_params_problem(d.params), "");
  RotaryKernelParams p = d.params;
  p.rotary_dim = 7;
  EXPECT_THROW(apply_rotary_host(p), std::invalid_argument);
  p = d.params;
  p.rotary_dim = p.head_dim + 2;
  EXPECT_NE(rotary_params_problem(p), "");
  p = d.params;
  p.positions.axes = 2;
  EXPECT_NE(rotary_params_problem(p), "");
  p = d.params;
  p.frequencies.turn_frequencies = nullptr;
  EXPECT_NE(rotary_params_problem(p), "");
  p = d.params;
  p.layout = TensorLayout::thd;
  p.cu_seqlens = nullptr;
  p.positions.values = nullptr;
  EXPECT_NE(rotary_params_problem(p), "");
}

}  // namespace
}  // namespace mmrope::kernels::testing
