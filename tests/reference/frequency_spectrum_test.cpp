// The unscaled spectrum theta_j = base^(-2j/d) and the channel pairings, checked against exact values.
#include <gtest/gtest.h>

#include <set>

#include "reference/frequency/inverse_frequency.hpp"
#include "reference/frequency/pairing.hpp"

namespace mmrope {
namespace {

// Mpfr256 carries 332+ bits; pow is correctly rounded and the exponent -j/32 is exact, so theta_j is within
// half an ulp: a relative 2^-320 bound leaves a margin of 2^12 ulps for the comparison value's own rounding.
const Mpfr256 kMpfrRelativeTolerance = ldexp(Mpfr256(1), -320);

TEST(FrequencySpectrum, ExactPoints) {
  const Mpfr256 base = parse_scalar<Mpfr256>("10000", "base");
  const auto theta = inverse_frequencies(base, 128);
  ASSERT_EQ(theta.size(), 64u);
  EXPECT_EQ(theta[0], 1);
  // j = 32: 10000^(-1/2) = 1/100; j = 16: 10000^(-1/4) = 1/10; j = 48: 10^-3.
  EXPECT_LT(abs(theta[32] - Mpfr256(1) / 100) * 100, kMpfrRelativeTolerance);
  EXPECT_LT(abs(theta[16] - Mpfr256(1) / 10) * 10, kMpfrRelativeTolerance);
  EXPECT_LT(abs(theta[48] - Mpfr256(1) / 1000) * 1000, kMpfrRelativeTolerance);
  // Strictly decreasing: pair 0 is the highest frequency.
  for (int j = 1; j < 64; ++j) EXPECT_LT(theta[j], theta[j - 1]) << j;
  // Partial rotary: d = 64 for Qwen3.5 (base 1e7): theta_16 = 1e7^(-1/2).
  const Mpfr256 b7 = parse_scalar<Mpfr256>("10000000", "base");
  EXPECT_LT(abs(inverse_frequency(b7, 16, 64) * inverse_frequency(b7, 16, 64) * b7 - 1), kMpfrRelativeTolerance);
}

// The two multiprecision scalars compute the same spectrum: BinFloat256's pow is not correctly rounded
// (a few eps of its 400 bits), so 2^-300 relative is a bound with ~2^90 margin on both sides.
TEST(FrequencySpectrum, ScalarsAgree) {
  const auto a = inverse_frequencies(parse_scalar<Mpfr256>("1000000", "b"), 128);
  const auto b = inverse_frequencies(parse_scalar<BinFloat256>("1000000", "b"), 128);
  const auto c = inverse_frequencies(parse_scalar<double>("1000000", "b"), 128);
  for (int j = 0; j < 64; ++j) {
    EXPECT_LT(abs(Mpfr256(b[j]) - a[j]) / a[j], ldexp(Mpfr256(1), -300)) << j;
    // double: std::pow within 1 ulp on glibc, and the exponent -j/64 is exact: 2^-51 relative.
    EXPECT_LT(abs(Mpfr256(c[j]) - a[j]) / a[j], ldexp(Mpfr256(1), -51)) << j;
  }
}

TEST(FrequencySpectrum, BadDims) {
  EXPECT_THROW(inverse_frequencies(Mpfr256(10000), 7), Error);
  EXPECT_THROW(inverse_frequencies(Mpfr256(10000), 0), Error);
  EXPECT_THROW(inverse_frequencies(Mpfr256(1), 8), Error);
  EXPECT_THROW(inverse_frequency(Mpfr256(10000), 4, 8), Error);
}

// Each pairing covers every rotary channel exactly once.
TEST(FrequencySpectrum, PairingsCoverEveryChannelOnce) {
  for (Pairing p : {Pairing::neox, Pairing::gptj}) {
    for (int d : {2, 8, 64, 128}) {
      std::set<int> seen;
      for (int j = 0; j < d / 2; ++j) {
        auto [a, b] = pair_channels(p, j, d);
        EXPECT_TRUE(seen.insert(a).second);
        EXPECT_TRUE(seen.insert(b).second);
      }
      EXPECT_EQ(static_cast<int>(seen.size()), d);
      EXPECT_EQ(*seen.rbegin(), d - 1);
    }
  }
  EXPECT_EQ(pair_channels(Pairing::neox, 3, 128), (std::pair<int, int>{3, 67}));
  EXPECT_EQ(pair_channels(Pairing::gptj, 3, 128), (std::pair<int, int>{6, 7}));
  EXPECT_EQ(parse_pairing("neox"), Pairing::neox);
  EXPECT_THROW(parse_pairing("zigzag"), Error);
}

}  // namespace
}  // namespace mmrope
