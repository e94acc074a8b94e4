// The judge's integer rounding of doubles equals the reference's round_to_bits, and its double-double operations stay within their stated bounds.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>

#include "random_seed.hpp"
#include "reference/judge/double_double.hpp"
#include "reference/judge/double_rounding.hpp"

namespace mmrope {
namespace {

// Every 16-bit pattern's value, its two neighbours' midpoints and the doubles next to them: the cases where
// rounding to nearest even can go wrong.
TEST(DoubleRounding, EqualsRoundToBitsAtEveryMidpointOfTheSixteenBitFormats) {
  for (DType t : {DType::fp16, DType::bf16}) {
    for (std::uint32_t b = 0; b < 0xffffu; ++b) {
      if (!bits_are_finite(b, t) || !bits_are_finite(b + 1, t) || ((b + 1) & 0x7fffu) == 0) continue;
      const double lo = decode_bits(b, t), hi = decode_bits(b + 1, t);
      const double mid = lo / 2 + hi / 2;
      for (double v : {lo, hi, mid, std::nextafter(mid, -INFINITY), std::nextafter(mid, INFINITY)})
        ASSERT_EQ(judge::round_double_to_bits(v, t), round_to_bits(v, t)) << to_string(t) << " " << v;
    }
  }
}

TEST(DoubleRounding, EqualsRoundToBitsOnRandomDoublesOfEveryMagnitude) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 400000; ++i) {
    double v = std::bit_cast<double>(rng());
    if (i % 2) v = std::ldexp(std::bit_cast<double>((rng() >> 12) | 0x3ff0000000000000ull), static_cast<int>(rng() % 320) - 160);
    if (i % 7 == 0) v = -v;
    for (DType t : {DType::fp32, DType::fp16, DType::bf16}) {
      ASSERT_EQ(judge::round_double_to_bits(v, t), round_to_bits(v, t)) << "seed " << seed << " " << to_string(t) << " " << v;
      if (std::isfinite(v)) {
        ASSERT_EQ(std::ldexp(1.0, judge::ulp_exponent(v, t)), ulp_of(v, t)) << "seed " << seed << " " << to_string(t) << " " << v;
      }
    }
  }
}

// The relative error bounds the fast path's analysis uses (Joldes, Muller, Popescu 2017), measured in MPFR:
// times(dd, double) <= 2u^2, times(dd, dd) <= 4u^2, plus(dd, dd) <= 3u^2 + 13u^3 of the exact sum.
TEST(DoubleDouble, OperationsStayWithinTheirBounds) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(-1, 1);
  const auto dd = [&] {
    const double hi = unit(rng) * std::ldexp(1.0, static_cast<int>(rng() % 40) - 20);
    const double lo = hi * std::ldexp(unit(rng), -53);
    return judge::fast_two_sum(hi, lo);
  };
  const auto value = [](const judge::DoubleDouble& x) { return Mpfr256(x.hi) + Mpfr256(x.lo); };
  const auto relative = [](const Mpfr256& got, const Mpfr256& exact) { return to_double(Mpfr256(abs(got - exact) / abs(exact))); };
  const double u2 = std::ldexp(1.0, -106), u3 = std::ldexp(1.0, -159);
  double worst_times_double = 0, worst_times = 0, worst_plus = 0;
  for (int i = 0; i < 100000; ++i) {
    const judge::DoubleDouble x = dd(), y = dd();
    const double d = unit(rng);
    worst_times_double = std::max(worst_times_double, relative(value(judge::times(x, d)), value(x) * Mpfr256(d)));
    worst_times = std::max(worst_times, relative(value(judge::times(x, y)), value(x) * value(y)));
    // Sums that cancel: y close to -x.
    const judge::DoubleDouble z = i % 2 ? y : judge::plus(judge::negated(x), judge::DoubleDouble{std::ldexp(x.hi, -30), 0});
    const Mpfr256 exact_sum = value(x) + value(z);
    if (exact_sum != 0) worst_plus = std::max(worst_plus, relative(value(judge::plus(x, z)), exact_sum));
  }
  EXPECT_LE(worst_times_double, 2 * u2) << "seed " << seed;
  EXPECT_LE(worst_times, 4 * u2) << "seed " << seed;
  EXPECT_LE(worst_plus, 3 * u2 + 13 * u3) << "seed " << seed;
}

}  // namespace
}  // namespace mmrope
