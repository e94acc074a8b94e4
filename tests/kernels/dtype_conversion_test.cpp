// The core's fp32/fp16/bf16 conversions against reference/rounding.hpp, bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "../reference/random_seed.hpp"
#include "kernels/core/dtype_conversion.hpp"
#include "kernels/core/element_traits.hpp"
#include "reference/rounding.hpp"

namespace mmrope::kernels {
namespace {

std::uint32_t bits_of_storage(float f) { return bits_of(f); }
std::uint32_t bits_of_storage(std::uint16_t b) { return b; }

// The smallest positive normal of fp16 or bf16, and the power of two that ends the binade of its largest.
double min_normal(DType t) { return t == DType::fp16 ? 0x1p-14 : 0x1p-126; }
double normal_binades_end(DType t) { return t == DType::fp16 ? 0x1p16 : 0x1p128; }

// Every one of the 65,536 bit patterns widens to the value the reference decodes.
TEST(DtypeConversion, EveryHalfAndBfloatPatternWidensExactly) {
  for (std::uint32_t b = 0; b < 65536; ++b) {
    const double fp16 = decode_bits(b, DType::fp16), bf16 = decode_bits(b, DType::bf16);
    const double got16 = fp16_bits_to_float(static_cast<std::uint16_t>(b)), gotb = bf16_bits_to_float(static_cast<std::uint16_t>(b));
    if (std::isnan(fp16)) EXPECT_TRUE(std::isnan(got16)) << b;
    else EXPECT_EQ(std::bit_cast<std::uint64_t>(got16), std::bit_cast<std::uint64_t>(fp16)) << b;
    if (std::isnan(bf16)) EXPECT_TRUE(std::isnan(gotb)) << b;
    else EXPECT_EQ(std::bit_cast<std::uint64_t>(gotb), std::bit_cast<std::uint64_t>(bf16)) << b;
  }
}

// narrow_common, the fast path's branch-free rounding: where it answers, the reference's bits; and it answers
// for every zero and every x in the binades of the dtype's normals (fp32: always), leaving the slow route
// only subnormal results, the binades past the largest normal, infinities and NaN.
template <DType T>
void expect_common_rounding_like_reference(double x) {
  typename ElementTraits<T>::Storage out{};
  const bool answered = ElementTraits<T>::narrow_common(x, out);
  if (answered) {
    EXPECT_EQ(bits_of_storage(out), round_to_bits(x, T)) << to_string(T) << " " << std::hexfloat << x;
  }
  const double a = std::fabs(x);
  const bool must = T == DType::fp32 || a == 0 || (a >= min_normal(T) && a < normal_binades_end(T));
  if (must) {
    EXPECT_TRUE(answered) << to_string(T) << " " << std::hexfloat << x;
  }
}

void expect_rounds_like_reference(double x) {
  EXPECT_EQ(double_to_bf16_bits(x), round_to_bits(x, DType::bf16)) << std::hexfloat << x;
  EXPECT_EQ(double_to_fp16_bits(x), round_to_bits(x, DType::fp16)) << std::hexfloat << x;
  EXPECT_EQ(std::bit_cast<std::uint32_t>(double_to_float(x)), round_to_bits(x, DType::fp32)) << std::hexfloat << x;
  expect_common_rounding_like_reference<DType::bf16>(x);
  expect_common_rounding_like_reference<DType::fp16>(x);
  expect_common_rounding_like_reference<DType::fp32>(x);
}

// The hard cases of one rounding: each representable value of fp16 and bf16, the midpoints between
// neighbours (ties to even), and the doubles one step either side of a midpoint -- the inputs a double
// rounding through float would get wrong -- including the subnormal range and the overflow threshold.
TEST(DtypeConversion, RoundsMidpointsAndTheirNeighboursLikeReference) {
  for (DType t : {DType::fp16, DType::bf16}) {
    for (std::uint32_t b = 0; b < 0x7C00u + (t == DType::bf16 ? 0x380u : 0u); ++b) {
      const double lo = decode_bits(b, t), hi = decode_bits(b + 1, t);
      if (!std::isfinite(lo)) continue;
      const double mid = std::isfinite(hi) ? (lo + hi) / 2 : lo + (lo - decode_bits(b - 1, t)) / 2;  // overflow threshold
      for (double x : {lo, mid, std::nextafter(mid, 0.0), std::nextafter(mid, INFINITY), std::nextafter(lo, INFINITY)}) {
        expect_rounds_like_reference(x);
        expect_rounds_like_reference(-x);
      }
    }
  }
}

TEST(DtypeConversion, RoundsRandomDoublesLikeReference) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::uniform_int_distribution<std::uint64_t> bits;
  std::uniform_int_distribution<int> exponent(-160, 140);
  std::uniform_real_distribution<double> mantissa(-2.0, 2.0);
  for (int i = 0; i < 200000; ++i) {
    expect_rounds_like_reference(std::ldexp(mantissa(rng), exponent(rng)));
    const double any = std::bit_cast<double>(bits(rng));  // any pattern: huge, tiny, NaN, infinities
    if (!std::isnan(any)) expect_rounds_like_reference(any);
  }
  for (double special : std::initializer_list<double>{0.0, -0.0, INFINITY, -INFINITY, 1e300, -1e300, 1e-300, 65504.0, 65519.999, 65520.0,
                         std::numeric_limits<double>::denorm_min()})
    expect_rounds_like_reference(special);
}

TEST(DtypeConversion, NanBecomesTheCanonicalQuietNan) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(double_to_bf16_bits(nan), round_to_bits(nan, DType::bf16));
  EXPECT_EQ(double_to_fp16_bits(nan), round_to_bits(nan, DType::fp16));
  EXPECT_TRUE(std::isnan(double_to_float(nan)));
}

}  // namespace
}  // namespace mmrope::kernels
