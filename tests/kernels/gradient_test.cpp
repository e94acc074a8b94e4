// Backward against forward: <R^T dy, x> = <dy, R x> with random upstream gradients, and backward undoes forward.
#include <gtest/gtest.h>

#include <random>

#include "../reference/random_seed.hpp"
#include "kernel_case.hpp"
#include "reference/scalar.hpp"

namespace mmrope::kernels::testing {
namespace {

// fp32 values of a tensor buffer, in storage order (contiguous bshd: the inner product needs no gather).
std::vector<double> values(const std::vector<std::uint8_t>& buffer) {
  std::vector<double> out(buffer.size() / 4);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = reinterpret_cast<const float*>(buffer.data())[i];
  return out;
}

TEST(Gradient, BackwardIsTheAdjointOfForward) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (const char* allocation : {"chunked", "multi-head"}) {
    KernelCase c;
    c.allocation = allocation;
    c.sections = allocation == std::string("chunked") ? "16,24,24" : "1,1,1";
    if (c.allocation == "multi-head") c.mhrope_heads = HeadCounts{8, 4}, c.q_heads = 8, c.k_heads = 4;
    c.head_dim = 136;  // a tail of 8 channels: its gradient passes through
    c.rotary_dim = 128;
    c.dtype = DType::fp32;
    c.largest_position = (1LL << 31) - 1;
    c.sequence_lengths = {7, 4};
    c.direction = Direction::forward;
    KernelCaseData fwd = make_case(c, rng);  // x: random
    c.direction = Direction::backward;
    KernelCaseData bwd = make_case(c, rng);  // dy: random, independent of x
    bwd.positions64 = fwd.positions64;       // same positions for both (the vectors have the same size)
    apply_rotary_host(fwd.params);
    apply_rotary_host(bwd.params);
    for (auto [x, y, dy, dx] : {std::tuple{&fwd.q_original, &fwd.q_result, &bwd.q_original, &bwd.q_result},
                                std::tuple{&fwd.k_original, &fwd.k_result, &bwd.k_original, &bwd.k_result}}) {
      const auto xv = values(*x), yv = values(*y), dyv = values(*dy), dxv = values(*dx);
      Mpfr256 lhs = 0, rhs = 0, scale = 0;
      for (std::size_t i = 0; i < xv.size(); ++i) {
        lhs += Mpfr256(dxv[i]) * xv[i];  // <R^T dy, x>
        rhs += Mpfr256(dyv[i]) * yv[i];  // <dy, R x>
        scale += Mpfr256(std::fabs(dxv[i] * xv[i])) + std::fabs(dyv[i] * yv[i]);
      }
      // Each output is within 1 ulp (<= 2^-23 relative) of its exact value, so the two sides differ by at
      // most 2^-23 of the sum of |terms|; a wrong sign of sin in backward misses by O(scale).
      EXPECT_LE(to_double(Mpfr256(abs(lhs - rhs))), 0x1p-23 * to_double(scale)) << allocation;
    }
  }
}

TEST(Gradient, BackwardAfterForwardReturnsTheInput) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  KernelCase c;
  c.allocation = "interleaved";
  c.sections = "24,20,20";
  c.head_dim = c.rotary_dim = 128;
  c.dtype = DType::fp32;
  c.in_place = true;
  c.largest_position = (1LL << 31) - 1;
  KernelCaseData d = make_case(c, rng);
  apply_rotary_host(d.params);
  d.params.direction = Direction::backward;
  apply_rotary_host(d.params);
  const auto before = values(d.q_original), after = values(d.q_buffer);
  // Two roundings to fp32, each <= 2^-24 of the pair's norm (|R| = 1): 2^-22 (|x_c| + |x_partner|) with margin.
  for (std::size_t i = 0; i < before.size(); ++i) {
    const std::size_t channel = i % 128, partner = i - channel + (channel < 64 ? channel + 64 : channel - 64);  // neox pairs c, c + 64
    EXPECT_NEAR(after[i], before[i], 0x1p-22 * (std::fabs(before[i]) + std::fabs(before[partner]))) << i;
  }
}

}  // namespace
}  // namespace mmrope::kernels::testing
