// Context-extension scaling: one hand-checked example per kind, and factor 1 reproduces the unscaled spectrum.
#include <gtest/gtest.h>

#include "reference/frequency/frequency_plan.hpp"

namespace mmrope {
namespace {

using S = Mpfr256;

// The hand examples are closed forms evaluated in Mpfr256: each side is a handful of correctly rounded
// operations at 332 bits, so they agree to a few ulps; 2^-300 relative leaves a margin of 2^30 ulps.
const S kRelativeTolerance = ldexp(S(1), -300);

::testing::AssertionResult close(const S& got, const S& want) {
  if (abs(got - want) <= kRelativeTolerance * abs(want)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << got.str(40) << ", want " << want.str(40);
}

// d = 8, base 10000: theta = 1, 1/10, 1/100, 1/1000 exactly (10000^(-j/4)).
const S kBase = 10000;
constexpr int kDim = 8;

RopeScaling scaling(ScalingKind kind, Rational factor) {
  RopeScaling s;
  s.kind = kind;
  s.factor = factor;
  s.original_context = 2048;
  s.sequence_length = 2048;
  return s;
}

TEST(Scaling, LinearDividesByFactor) {
  const auto sp = scaled_spectrum(kBase, kDim, scaling(ScalingKind::linear, 4));
  const S want[] = {S(1) / 4, S(1) / 40, S(1) / 400, S(1) / 4000};
  for (int j = 0; j < 4; ++j) EXPECT_TRUE(close(sp.inverse_frequencies[j], want[j])) << j;
  EXPECT_EQ(sp.attention_factor, 1);
}

// Static NTK with factor 8: base' = 10000 * 8^(8/6) = 10000 * 16 = 160000, theta'_j = 160000^(-j/4):
// 1, 1/20, 1/400, 1/8000. The highest frequency is kept and the lowest pair... is divided by 8 (1/1000 -> 1/8000).
TEST(Scaling, NtkAwareBase) {
  const auto sp = scaled_spectrum(kBase, kDim, scaling(ScalingKind::ntk, 8));
  const S want[] = {S(1), S(1) / 20, S(1) / 400, S(1) / 8000};
  for (int j = 0; j < 4; ++j) EXPECT_TRUE(close(sp.inverse_frequencies[j], want[j])) << j;
}

// Dynamic NTK, factor 2, trained 1000, sequence 4500: growth 2 * 4.5 - 1 = 8, 8^(4/3) = 16 -> the same base
// 160000 as above. At or below the trained length nothing changes.
TEST(Scaling, DynamicNtkGrowsWithTheSequence) {
  RopeScaling s = scaling(ScalingKind::dynamic_ntk, 2);
  s.original_context = 1000;
  s.sequence_length = 4500;
  const auto sp = scaled_spectrum(kBase, kDim, s);
  const S want[] = {S(1), S(1) / 20, S(1) / 400, S(1) / 8000};
  for (int j = 0; j < 4; ++j) EXPECT_TRUE(close(sp.inverse_frequencies[j], want[j])) << j;
  s.sequence_length = 999;
  const auto same = scaled_spectrum(kBase, kDim, s);
  for (int j = 0; j < 4; ++j) EXPECT_TRUE(close(same.inverse_frequencies[j], inverse_frequency(kBase, j, kDim))) << j;
}

// YaRN, factor 4, trained context 2048, beta 32/1, d = 8, base 10000:
//   j(32) = 8 ln(2048 / (64 pi)) / (2 ln 10000) = 1.00800..  -> low = 1
//   j(1)  = 8 ln(2048 / (2 pi)) / (2 ln 10000)  = 2.51315..  -> high = 3
//   ramp = clamp((j - 1) / 2, 0, 1) = 0, 0, 1/2, 1
//   theta' = 1, 1/10, (1/100)(1/2 + 1/8) = 1/160, (1/1000)/4 = 1/4000;  attention 0.1 ln 4 + 1 = 1.13862943..
TEST(Scaling, YarnRampAndAttentionFactor) {
  const auto sp = scaled_spectrum(kBase, kDim, scaling(ScalingKind::yarn, 4));
  const S want[] = {S(1), S(1) / 10, S(1) / 160, S(1) / 4000};
  for (int j = 0; j < 4; ++j) EXPECT_TRUE(close(sp.inverse_frequencies[j], want[j])) << j;
  EXPECT_TRUE(close(sp.attention_factor, S(1) + log(S(4)) / 10));
  EXPECT_NEAR(to_double(sp.attention_factor), 1.1386294361119891, 1e-15);
  // Without truncation the ramp starts at 1.00800.. and ends at 2.51315..: pair 2 gets ramp (2 - 1.00800)/(2.51315 - 1.00800) = 0.65907..
  RopeScaling s = scaling(ScalingKind::yarn, 4);
  s.truncate = false;
  const S lo = S(8) * log(S(2048) / (64 * pi_of<S>())) / (2 * log(kBase));
  const S hi = S(8) * log(S(2048) / (2 * pi_of<S>())) / (2 * log(kBase));
  const S ramp = (2 - lo) / (hi - lo);
  const auto untruncated = scaled_spectrum(kBase, kDim, s);
  EXPECT_TRUE(close(untruncated.inverse_frequencies[2], (1 - ramp) / 100 + ramp / 400));
  EXPECT_NEAR(to_double(ramp), 0.65907, 1e-5);
  // An explicit attention factor wins; DeepSeek's mscale ratio with equal mscales is 1.
  s.attention_factor = Rational(5, 4);
  EXPECT_EQ(scaled_spectrum(kBase, kDim, s).attention_factor, S(5) / 4);
  s.attention_factor.reset();
  s.mscale = Rational(707, 1000);
  s.mscale_all_dim = Rational(707, 1000);
  EXPECT_TRUE(close(scaled_spectrum(kBase, kDim, s).attention_factor, S(1)));
}

// Llama 3.1 (factor 8, low 1, high 4, original 8192), base 1e6, d = 8: theta = 1, 10^-1.5, 10^-3, 10^-4.5,
// wavelengths 2 pi / theta = 6.28, 198.7, 6283.2, 198691.8 against the bounds 8192/4 = 2048 and 8192:
//   pairs 0, 1 kept; pair 3 (198691.8 > 8192) divided by 8; pair 2 (2048 <= 6283.2 <= 8192) smoothed with
//   s = (8192 / (2000 pi) - 1) / 3 = 0.10126.., theta' = 10^-3 ((1 - s) / 8 + s) = 2.13607544e-4.
TEST(Scaling, Llama3SmoothBands) {
  RopeScaling s = scaling(ScalingKind::llama3, 8);
  s.original_context = 8192;
  const S base = 1000000;
  const auto sp = scaled_spectrum(base, kDim, s);
  const S smooth = (S(8192) / (2000 * pi_of<S>()) - 1) / 3;
  EXPECT_TRUE(close(sp.inverse_frequencies[0], S(1)));
  EXPECT_TRUE(close(sp.inverse_frequencies[1], inverse_frequency(base, 1, kDim)));
  EXPECT_TRUE(close(sp.inverse_frequencies[2], S(1) / 1000 * ((1 - smooth) / 8 + smooth)));
  EXPECT_TRUE(close(sp.inverse_frequencies[3], inverse_frequency(base, 3, kDim) / 8));
  EXPECT_NEAR(to_double(sp.inverse_frequencies[2]), 2.1360754402756864e-4, 1e-18);
}

// Factor 1 is the identity for every kind (YaRN's attention factor included), at the preset's d = 128.
TEST(Scaling, FactorOneIsUnscaled) {
  const S base = 1000000;
  const auto plain = inverse_frequencies(base, 128);
  for (ScalingKind k : {ScalingKind::linear, ScalingKind::ntk, ScalingKind::dynamic_ntk, ScalingKind::yarn,
                        ScalingKind::llama3}) {
    RopeScaling s = scaling(k, 1);
    s.sequence_length = 100000;  // dynamic: growth 1 * L / L0 - 0 is not 1, so use the trained length below
    if (k == ScalingKind::dynamic_ntk) s.sequence_length = s.original_context;
    const auto sp = scaled_spectrum(base, 128, s);
    for (int j = 0; j < 64; ++j) ASSERT_TRUE(close(sp.inverse_frequencies[j], plain[j])) << to_string(k) << " pair " << j;
    EXPECT_TRUE(close(sp.attention_factor, S(1))) << to_string(k);
  }
}

TEST(Scaling, PlanCarriesScaling) {
  RotarySpec spec;
  spec.base = "10000";
  spec.head_dim = spec.rotary_dim = 8;
  spec.allocation = Allocation::per_pair("1d", std::vector<PairAxis>(4, Axis::t));
  spec.scaling = scaling(ScalingKind::yarn, 4);
  const auto plan = make_frequency_plan<S>(spec);
  EXPECT_TRUE(close(plan.inverse_frequencies[2], S(1) / 160));
  EXPECT_TRUE(close(plan.attention_factor, S(1) + log(S(4)) / 10));
  RopeScaling bad = scaling(ScalingKind::yarn, 4);
  bad.original_context = 0;
  EXPECT_THROW(scaled_spectrum(kBase, kDim, bad), Error);
}

}  // namespace
}  // namespace mmrope
