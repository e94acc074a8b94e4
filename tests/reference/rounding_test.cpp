// Rounding once to fp32/fp16/bf16: exhaustive over the 16-bit formats, fp32 boundaries, and hardware agreement.
#include <gtest/gtest.h>

#include <limits>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>

#include "random_seed.hpp"
#include "reference/rounding.hpp"

namespace mmrope {
namespace {

// For every finite pattern of a 16-bit format: the value rounds back to itself; the midpoint with the next
// pattern up rounds to the one with an even mantissa; a hair above / below the midpoint rounds to the nearer.
// Negative patterns are checked through the mirrored value. "A hair" is 2^-200 of an ulp: far below the
// scalar's precision budget for Mpfr256/BinFloat256 (>= 336 bits against 25 significant bits of a midpoint).
template <class S>
void exhaustive_16bit(DType type) {
  using std::ldexp;
  const FloatFormat f = format_of(type);
  const std::uint32_t inf = f.infinity_bits();
  int checked = 0;
  for (std::uint32_t b = 0; b < 0x10000; ++b) {
    const double v = decode_bits(b, type);
    if (std::isnan(v)) {
      ASSERT_TRUE(std::isnan(decode_bits(round_to_bits(S(v), type), type))) << std::hex << b;
      continue;
    }
    ASSERT_EQ(round_to_bits(S(v), type), b) << to_string(type) << " pattern 0x" << std::hex << b;
    const std::uint32_t magnitude = b & (f.sign_bit() - 1);
    if (magnitude >= inf) continue;
    const std::uint32_t sign = b & f.sign_bit();
    // The next pattern away from zero; for the largest finite its "value" is 2^(emax+1) (the infinity bits).
    const std::uint32_t next = b + 1;
    const S lo = S(std::fabs(v));
    const S hi = magnitude + 1 == inf ? ldexp(S(1), f.max_exponent() + 1) : S(std::fabs(decode_bits(next, type)));
    const S mid = (lo + hi) / 2;
    const S hair = ldexp(hi - lo, -200);
    const std::uint32_t even = (magnitude & 1u) ? next : b;
    const S sgn = sign ? S(-1) : S(1);
    ASSERT_EQ(round_to_bits(S(sgn * mid), type), even) << to_string(type) << " midpoint above 0x" << std::hex << b;
    ASSERT_EQ(round_to_bits(S(sgn * (mid + hair)), type), next) << to_string(type) << " above midpoint 0x" << std::hex << b;
    ASSERT_EQ(round_to_bits(S(sgn * (mid - hair)), type), b) << to_string(type) << " below midpoint 0x" << std::hex << b;
    ++checked;
  }
  EXPECT_EQ(checked, 2 * static_cast<int>(inf));  // every finite pattern, both signs
}

TEST(Rounding, ExhaustiveFp16Mpfr) { exhaustive_16bit<Mpfr256>(DType::fp16); }
TEST(Rounding, ExhaustiveBf16Mpfr) { exhaustive_16bit<Mpfr256>(DType::bf16); }
TEST(Rounding, ExhaustiveFp16BinFloat) { exhaustive_16bit<BinFloat256>(DType::fp16); }
TEST(Rounding, ExhaustiveBf16BinFloat) { exhaustive_16bit<BinFloat256>(DType::bf16); }

// From double the midpoints are exact, but 2^-200 of an ulp is not representable: use the neighbouring doubles.
TEST(Rounding, ExhaustiveHalfFromDouble) {
  for (DType type : {DType::fp16, DType::bf16}) {
    const FloatFormat f = format_of(type);
    for (std::uint32_t m = 0; m + 1 <= f.infinity_bits(); ++m) {
      const double lo = decode_bits(m, type);
      const double hi = m + 1 == f.infinity_bits() ? std::ldexp(1.0, f.max_exponent() + 1) : decode_bits(m + 1, type);
      const double mid = (lo + hi) / 2;
      ASSERT_EQ(round_to_bits(lo, type), m);
      ASSERT_EQ(round_to_bits(mid, type), (m & 1u) ? m + 1 : m) << std::hex << m;
      ASSERT_EQ(round_to_bits(std::nextafter(mid, 1e300), type), m + 1) << std::hex << m;
      ASSERT_EQ(round_to_bits(std::nextafter(mid, -1e300), type), m) << std::hex << m;
    }
  }
}

TEST(Rounding, Fp32Boundaries) {
  using std::ldexp;
  const auto r = [](const Mpfr256& x) { return round_to_fp32(x); };
  const Mpfr256 one = 1;
  const Mpfr256 tiny = ldexp(one, -300);  // below every fp32 quantum by > 2^150
  // Largest finite: 2^128 - 2^104. Overflow threshold: halfway to 2^128 = 2^128 - 2^103; ties go to even = infinity.
  const Mpfr256 max_finite = ldexp(one, 128) - ldexp(one, 104);
  const Mpfr256 threshold = ldexp(one, 128) - ldexp(one, 103);
  EXPECT_EQ(r(max_finite), 0x7f7fffffu);
  EXPECT_EQ(r(threshold), 0x7f800000u);
  EXPECT_EQ(r(threshold - ldexp(one, 60)), 0x7f7fffffu);
  EXPECT_EQ(r(-threshold), 0xff800000u);
  EXPECT_EQ(r(ldexp(one, 1000)), 0x7f800000u);
  // Smallest subnormal 2^-149; half of it ties to even (zero); 1.5 of it ties to 2.
  EXPECT_EQ(r(ldexp(one, -149)), 0x00000001u);
  EXPECT_EQ(r(ldexp(one, -150)), 0x00000000u);
  EXPECT_EQ(r(ldexp(one, -150) + tiny * ldexp(one, -150)), 0x00000001u);
  EXPECT_EQ(r(Mpfr256(3) * ldexp(one, -150)), 0x00000002u);
  EXPECT_EQ(r(-ldexp(one, -150)), 0x80000000u);  // negative underflow keeps its sign
  EXPECT_EQ(r(ldexp(one, -1000)), 0x00000000u);
  // Between the largest subnormal (2^-126 - 2^-149) and the smallest normal 2^-126: the tie goes to the normal.
  EXPECT_EQ(r(ldexp(one, -126) - ldexp(one, -150)), 0x00800000u);
  EXPECT_EQ(r(ldexp(one, -126) - ldexp(one, -150) - tiny * ldexp(one, -150)), 0x007fffffu);
  // Signed zeros.
  EXPECT_EQ(r(Mpfr256(0)), 0x00000000u);
  EXPECT_EQ(r(-Mpfr256(0)), 0x80000000u);
  EXPECT_EQ(round_to_fp32(-0.0), 0x80000000u);
  // Ties at 1: 1 + 2^-24 is halfway between 1 and 1 + 2^-23 and goes to the even 1.
  EXPECT_EQ(r(one + ldexp(one, -24)), 0x3f800000u);
  EXPECT_EQ(r(one + 3 * ldexp(one, -24)), 0x3f800002u);
}

// 1 + 2^-24 + 2^-80 rounds up to 1 + 2^-23 in fp32. Through double it would first become the tie 1 + 2^-24
// (2^-80 is below double's half-ulp 2^-53) and then round to even, down to 1: the double-rounding bug.
TEST(Rounding, NoDoubleRounding) {
  using std::ldexp;
  const Mpfr256 x = Mpfr256(1) + ldexp(Mpfr256(1), -24) + ldexp(Mpfr256(1), -80);
  EXPECT_EQ(round_to_fp32(x), 0x3f800001u);
  EXPECT_EQ(round_to_fp32(static_cast<double>(x)), 0x3f800000u);  // the wrong answer, for contrast
  EXPECT_EQ(round_to_bf16(Mpfr256(1) + ldexp(Mpfr256(1), -8) + ldexp(Mpfr256(1), -80)), 0x3f81u);
}

// Random doubles over the whole fp32 range (subnormals to overflow): the hardware double -> float conversion
// rounds to nearest even, so it must agree bit for bit.
TEST(Rounding, Fp32AgreesWithHardwareOnRandomDoubles) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("MMROPE_TEST_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> exponent(-155, 130);
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t mantissa = rng() & ((std::uint64_t{1} << 52) - 1);
    double d = std::ldexp(1.0 + std::ldexp(static_cast<double>(mantissa), -52), exponent(rng));
    if (rng() & 1) d = -d;
    const auto want = std::bit_cast<std::uint32_t>(static_cast<float>(d));
    ASSERT_EQ(round_to_fp32(Mpfr256(d)), want) << "d = " << d;
    ASSERT_EQ(round_to_fp32(d), want) << "d = " << d;
  }
}

TEST(Rounding, UlpErrorAndDecode) {
  using std::ldexp;
  EXPECT_EQ(decode_bits(0x3f800000u, DType::fp32), 1.0);
  EXPECT_EQ(decode_bits(0x3c00u, DType::fp16), 1.0);
  EXPECT_EQ(decode_bits(0x3f80u, DType::bf16), 1.0);
  EXPECT_EQ(decode_bits(0x7bffu, DType::fp16), 65504.0);
  EXPECT_EQ(decode_bits(0x0001u, DType::fp16), std::ldexp(1.0, -24));
  EXPECT_EQ(decode_bits(0x7f7fu, DType::bf16), std::ldexp(255.0, 120));
  const Mpfr256 x = Mpfr256(1) + ldexp(Mpfr256(1), -24);  // half an fp32 ulp above 1
  EXPECT_DOUBLE_EQ(ulp_error(x, round_to_fp32(x), DType::fp32), 0.5);
  EXPECT_DOUBLE_EQ(ulp_error(x, 0x3f800001u, DType::fp32), 0.5);
  EXPECT_DOUBLE_EQ(ulp_error(x, 0x3f800002u, DType::fp32), 1.5);
  EXPECT_EQ(ulp_error(Mpfr256(1), 0x3c00u, DType::fp16), 0.0);
  EXPECT_DOUBLE_EQ(ulp_error(Mpfr256(1), 0x3c01u, DType::fp16), 1.0);
  // An infinity is measured as 2^16, the first value past fp16's largest finite, in ulps of the top binade
  // (32): for an exact 1 that is (65536 - 1) / 32; for the correctly rounded infinity at most 0.5.
  EXPECT_DOUBLE_EQ(ulp_error(Mpfr256(1), 0x7c00u, DType::fp16), (65536.0 - 1) / 32);
  EXPECT_DOUBLE_EQ(ulp_error(Mpfr256(65520), 0x7c00u, DType::fp16), 0.5);  // max + ulp/2: rounds to infinity
  EXPECT_EQ(ulp_error(Mpfr256(1e10), 0x7c00u, DType::fp16), 0.0);
  EXPECT_DOUBLE_EQ(ulp_error(Mpfr256(65504), 0x7c00u, DType::fp16), 1.0);
  EXPECT_TRUE(std::isinf(ulp_error(Mpfr256(-1e10), 0x7c00u, DType::fp16)));  // the other sign
  EXPECT_DOUBLE_EQ(ulp_error(Mpfr256(1e10), 0x7bffu, DType::fp16), (1e10 - 65504) / 32);  // max finite: far
  // NaN never matches: not a NaN output, and not a finite output for a NaN exact value.
  EXPECT_TRUE(std::isinf(ulp_error(Mpfr256(1), 0x7e00u, DType::fp16)));
  const Mpfr256 nan = std::numeric_limits<Mpfr256>::quiet_NaN();
  EXPECT_TRUE(std::isinf(ulp_error(nan, 0x3c00u, DType::fp16)));
  EXPECT_TRUE(std::isinf(ulp_error(nan, 0x7e00u, DType::fp16)));
  // Correct rounding never exceeds half an ulp, for random exact values.
  std::mt19937_64 rng(12345);
  for (int i = 0; i < 2000; ++i) {
    const Mpfr256 v = Mpfr256(static_cast<double>(rng() >> 11)) / Mpfr256(static_cast<double>((rng() >> 11) | 1)) *
                      ldexp(Mpfr256(1), static_cast<int>(rng() % 40) - 20);
    for (DType t : {DType::fp32, DType::fp16, DType::bf16}) {
      const std::uint32_t b = round_to_bits(v, t);
      if (bits_are_finite(b, t)) {
        ASSERT_LE(ulp_error(v, b, t), 0.5) << to_string(t) << " " << v.str(30);
      }
    }
  }
}

}  // namespace
}  // namespace mmrope
