// Emulated conventions: fp32 phase error grows with position, all agree with exact math at position 0, caches are not no-ops.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <random>

#include "random_seed.hpp"
#include "reference/emulation/emulated_rotation.hpp"
#include "reference/frequency/allocation_registry.hpp"

namespace mmrope {
namespace {

RotarySpec emulation_spec(const std::string& allocation, const std::string& sections, int head_dim = 128,
                          int rotary_dim = 128, Pairing pairing = Pairing::neox, std::string base = "1000000") {
  RotarySpec s;
  s.base = std::move(base);
  s.head_dim = head_dim;
  s.rotary_dim = rotary_dim;
  s.pairing = pairing;
  s.allocation = make_allocation(allocation, sections, rotary_dim / 2);
  return s;
}

std::vector<double> bf16_values(std::size_t n, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> k(-256, 256);
  std::vector<double> x(n);
  for (auto& v : x) v = k(rng) / 64.0;
  return x;
}

const std::vector<Convention> kConventions = {Convention::fp32_phase, Convention::bf16_cache, Convention::fp16_cache,
                                              Convention::activation_dtype};

TEST(Emulation, ConventionNamesRoundTrip) {
  for (Convention c : kConventions) EXPECT_EQ(parse_convention(to_string(c)), c);
  EXPECT_THROW(parse_convention("fp8-cache"), Error);
}

// transformers' fp32 inv_freq against float arithmetic: the exponent j/64 and the reciprocal are correctly
// rounded in both; std::pow(float, float) is not guaranteed correctly rounded, so 1 fp32 ulp is allowed (glibc's
// powf is correctly rounded in practice).
TEST(Emulation, Fp32InverseFrequenciesFollowTransformers) {
  const auto plan = make_frequency_plan<Mpfr256>(emulation_spec("1d", ""));
  const auto inv = fp32_inverse_frequencies(plan);
  ASSERT_EQ(inv.size(), 64u);
  EXPECT_EQ(inv[0], 1.0);
  for (int j = 0; j < 64; ++j) {
    const float e = static_cast<float>(2 * j) / 128.0f;
    const float want = 1.0f / std::pow(1000000.0f, e);
    EXPECT_LE(std::abs(inv[j] - static_cast<double>(want)), std::ldexp(std::abs(static_cast<double>(want)), -23)) << j;
  }
}

// The claim checked: an fp32 product pos * inv_freq has about 0.05 rad of error at position 1e6. Derivation of the bound
// asserted, with u = 2^-24: for d = 128 the exponent j/64 is exact, the correctly rounded pow and the reciprocal
// add a relative error of at most u each, fp32(pos) is exact below 2^24, and the product adds u: so
// |phase - p theta_j| <= p theta_j ((1 + u)^2 / (1 - u) - 1) <= 3.0001 u p theta_j. Pair 0 (theta 1) is exact:
// every step is exact. The error grows linearly with p: from ~1e-4 rad near 1000 to ~0.05 rad near 1e6.
TEST(Emulation, Fp32PhaseErrorGrowsWithPosition) {
  const auto plan = make_frequency_plan<Mpfr256>(emulation_spec("1d", ""));
  const double u = std::ldexp(1.0, -24);
  std::vector<Position3> pos;
  std::vector<std::int64_t> values;
  for (std::int64_t p = 1000 - 16; p < 1000; ++p) values.push_back(p);
  for (std::int64_t p = 1000000 - 16; p < 1000000; ++p) values.push_back(p);
  for (auto p : values) pos.push_back(Position3::diagonal(Coordinate(p)));
  EmulatedRotation<Mpfr256> emu(plan, pos, Convention::fp32_phase);
  double worst_small = 0, worst_large = 0;
  for (std::size_t t = 0; t < values.size(); ++t) {
    for (int j = 0; j < 64; ++j) {
      const Mpfr256 exact = Mpfr256(values[t]) * plan.inverse_frequencies[j];
      const double error = to_double(Mpfr256(bmp::abs(Mpfr256(emu.phase(static_cast<int>(t), Axis::t, j)) - exact)));
      const double bound = 3.0001 * u * to_double(exact);
      ASSERT_LE(error, bound) << "position " << values[t] << " pair " << j;
      if (j == 0) {
        ASSERT_EQ(error, 0.0) << "pair 0 is exact";
      }
      double& worst = values[t] < 1000 ? worst_small : worst_large;
      worst = std::max(worst, error);
    }
  }
  std::cout << "[ measured ] max fp32 phase error: " << worst_small << " rad near 1000, " << worst_large
            << " rad near 1e6\n";
  EXPECT_GT(worst_large, 0.01) << "the claimed ~0.05 rad at 1e6";
  EXPECT_GT(worst_large, 300 * worst_small) << "the error grows about linearly with the position";
}

// At position 0 every phase is 0: cos 1, sin 0 in every dtype, so every convention returns x exactly, as the
// exact reference does (both pairings, partial rotary, every allocation, every dtype, both directions).
TEST(Emulation, EveryConventionIsExactAtPositionZero) {
  std::mt19937_64 rng(test_seed());
  for (const auto& [name, sections] : std::vector<std::pair<std::string, std::string>>{
           {"1d", ""}, {"chunked", "4,6,6"}, {"interleaved", "6,5,5"}, {"hope", "4,6,6"}}) {
    for (Pairing pairing : {Pairing::neox, Pairing::gptj}) {
      const auto plan = make_frequency_plan<Mpfr256>(emulation_spec(name, sections, 40, 32, pairing));
      const std::vector<Position3> pos(2, Position3::diagonal(Coordinate(0)));
      const Rotation<Mpfr256> exact(plan, pos);
      const TensorShape shape{2, 2, 40};
      const auto x = bf16_values(shape.size(), rng);
      for (Convention c : kConventions) {
        EmulatedRotation<Mpfr256> emu(plan, pos, c);
        for (DType dtype : {DType::fp32, DType::fp16, DType::bf16})
          for (Direction d : {Direction::forward, Direction::backward}) {
            const auto want = exact.apply(x, shape, TensorRole::query, d, dtype);
            const auto got = emu.apply(x, shape, TensorRole::query, d, dtype);
            ASSERT_EQ(got.bits, want.bits) << name << " " << to_string(c) << " " << to_string(dtype);
          }
      }
    }
  }
}

// Worked by hand (docs/layout-rules.md shows it): position 1, theta 1, x = (1, 1), bf16 output.
// cos 1 = 0.5403023..., sin 1 = 0.8414709...; exact y1 = cos 1 + sin 1 = 1.3817732 -> bf16 1.3828125.
// bf16 cos/sin are 0.5390625 and 0.83984375, whose sum 1.37890625 is exact in fp32 and a bf16 tie -> 1.375
// (even): bf16-cache and activation-dtype give 1.375, one bf16 ulp (0.0078125) off; fp32-phase gives 1.3828125.
// y0 = cos 1 - sin 1 = -0.3011686 -> -0.30078125 in every convention.
TEST(Emulation, HandWorkedBf16Example) {
  const auto plan = make_frequency_plan<Mpfr256>(emulation_spec("1d", "", 2, 2));
  const std::vector<Position3> pos = {Position3::diagonal(Coordinate(1))};
  const std::vector<double> x = {1.0, 1.0};
  const TensorShape shape{1, 1, 2};
  const auto exact = Rotation<Mpfr256>(plan, pos).apply(x, shape, TensorRole::key, Direction::forward, DType::bf16);
  EXPECT_EQ(exact.rounded(0), -0.30078125);
  EXPECT_EQ(exact.rounded(1), 1.3828125);
  for (Convention c : kConventions) {
    const auto y = EmulatedRotation<Mpfr256>(plan, pos, c).apply(x, shape, TensorRole::key, Direction::forward, DType::bf16);
    EXPECT_EQ(y.rounded(0), -0.30078125) << to_string(c);
    const bool bf16_cos_sin = c == Convention::bf16_cache || c == Convention::activation_dtype;
    EXPECT_EQ(y.rounded(1), bf16_cos_sin ? 1.375 : 1.3828125) << to_string(c);
  }
}

// A bf16 cache is not a no-op: over random bf16 inputs and positions below 32K its bf16 outputs are more than
// 1 bf16 ulp from exact somewhere: when a c and b s nearly cancel, the cos/sin rounding (2^-9 relative) is
// large against the small result. fp32-phase errs far less on the same cases (its cos/sin carry 2^-24 and its
// phase about 32768 * 3 * 2^-24 rad), but not within 1 ulp either where the result cancels to near zero; both
// maxima are printed.
TEST(Emulation, Bf16CacheDiffersFromExactByMoreThanOneUlp) {
  std::mt19937_64 rng(test_seed());
  std::uniform_int_distribution<std::int64_t> position(1, 32767);
  std::vector<Position3> pos;
  for (int t = 0; t < 64; ++t) pos.push_back(Position3::diagonal(Coordinate(position(rng))));
  const auto plan = make_frequency_plan<Mpfr256>(emulation_spec("1d", ""));
  const TensorShape shape{64, 2, 128};
  const auto x = bf16_values(shape.size(), rng);
  const auto exact = Rotation<Mpfr256>(plan, pos).apply(x, shape, TensorRole::query, Direction::forward, DType::bf16);
  double worst_cache = 0, worst_fp32 = 0;
  const auto cache = EmulatedRotation<Mpfr256>(plan, pos, Convention::bf16_cache)
                         .apply(x, shape, TensorRole::query, Direction::forward, DType::bf16);
  const auto fp32 = EmulatedRotation<Mpfr256>(plan, pos, Convention::fp32_phase)
                        .apply(x, shape, TensorRole::query, Direction::forward, DType::bf16);
  for (std::size_t i = 0; i < shape.size(); ++i) {
    worst_cache = std::max(worst_cache, ulp_error(exact.exact[i], cache.bits[i], DType::bf16));
    worst_fp32 = std::max(worst_fp32, ulp_error(exact.exact[i], fp32.bits[i], DType::bf16));
  }
  std::cout << "[ measured ] max bf16 ulp error vs exact: bf16-cache " << worst_cache << ", fp32-phase " << worst_fp32 << "\n";
  EXPECT_GT(worst_cache, 1.0);
}

}  // namespace
}  // namespace mmrope
