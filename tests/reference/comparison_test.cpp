// Comparison: a correctly rounded output passes at 0.5 ulp; a one-ulp slip, NaN and an all-zero output are caught and located.
#include <gtest/gtest.h>

#include "reference/comparison.hpp"
#include "reference/frequency/allocation_registry.hpp"

namespace mmrope {
namespace {

// 1-D RoPE, head_dim 4 (2 pairs), positions 0..2, one head: small enough to reason about.
RotatedTensor<Mpfr256> small_reference(DType dtype) {
  RotarySpec s;
  s.base = "10000";
  s.head_dim = 4;
  s.rotary_dim = 4;
  s.allocation = make_allocation("1d", "", 2);
  std::vector<Position3> pos;
  for (int p = 0; p < 3; ++p) pos.push_back(Position3::diagonal(Coordinate(p)));
  const Rotation<Mpfr256> rot(make_frequency_plan<Mpfr256>(s), pos);
  const std::vector<double> x = {1, 2, 3, 4, 0.5, -1, 0.25, 8, -3, 1, 1, 1};
  return rot.apply(x, {3, 1, 4}, TensorRole::query, Direction::forward, dtype);
}

TEST(Comparison, CorrectlyRoundedOutputPassesAtHalfAnUlp) {
  for (DType t : {DType::fp32, DType::fp16, DType::bf16}) {
    const auto ref = small_reference(t);
    const auto r = compare(ref, ref.bits, 0.5);
    EXPECT_TRUE(r.passed()) << to_string(t);
    EXPECT_LE(r.max_ulp, 0.5);
    EXPECT_EQ(r.over_bound, 0u);
    EXPECT_EQ(r.elements, 12u);
  }
}

// Moving one output one step away (bits + 1 on a positive finite value) costs between 0.5 and 1.5 ulps
// (it was within 0.5 of the exact value, and the step is one ulp, or half of one across a binade edge).
TEST(Comparison, OneUlpSlipIsFoundAndLocated) {
  const auto ref = small_reference(DType::bf16);
  auto got = ref.bits;
  const std::size_t slipped = 9;  // token 2, head 0, channel 1
  ASSERT_GT(ref.rounded(slipped), 0.0);
  got[slipped] += 1;
  const auto r = compare(ref, got, 0.5, 3);
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.over_bound, 1u);
  ASSERT_FALSE(r.worst.empty());
  EXPECT_EQ(r.worst[0].index, slipped);
  EXPECT_EQ(r.worst[0].token, 2);
  EXPECT_EQ(r.worst[0].head, 0);
  EXPECT_EQ(r.worst[0].channel, 1);
  EXPECT_GT(r.worst[0].ulp, 0.5);
  EXPECT_LT(r.worst[0].ulp, 1.5);
  EXPECT_TRUE(compare(ref, got, 1.5).passed());  // the same output within a 1.5-ulp bound
}

TEST(Comparison, NanIsInfinitelyFar) {
  const auto ref = small_reference(DType::fp16);
  auto got = ref.bits;
  got[4] = 0x7e00;  // fp16 quiet NaN
  const auto r = compare(ref, got, 1000);
  EXPECT_FALSE(r.passed());
  EXPECT_TRUE(std::isinf(r.max_ulp));
  EXPECT_EQ(r.worst[0].index, 4u);
}

TEST(Comparison, AllZeroOutputFailsWhateverTheBound) {
  const auto ref = small_reference(DType::fp32);
  const std::vector<std::uint32_t> zeros(ref.bits.size(), 0);
  const auto r = compare(ref, zeros, 1e30);
  EXPECT_TRUE(r.all_zero_output);
  EXPECT_FALSE(r.passed());
}

TEST(Comparison, SizeMismatchIsAnError) {
  const auto ref = small_reference(DType::fp32);
  EXPECT_THROW(compare(ref, std::vector<std::uint32_t>(5), 0.5), Error);
}

}  // namespace
}  // namespace mmrope
