// The phase in turns and its cos/sin against MPFR, at positions up to 2^31 - 1 (docs/error-model.md, steps 1-4).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "../reference/random_seed.hpp"
#include "kernels/core/sincospi.hpp"
#include "kernels/core/token_angles.hpp"
#include "kernels/core/turn_phase.hpp"
#include "kernels/host/kernel_frequency_table.hpp"
#include "reference/frequency/allocation_registry.hpp"
#include "reference/frequency/frequency_plan.hpp"
#include "reference/rotation.hpp"

namespace mmrope::kernels {
namespace {

constexpr double kU = 0x1p-53;
// Phase: two exact reductions, then a sum of |.| <= 1 (<= 2^-54) and the low part (<= 2^-53): 1.5 * 2^-53 turns.
constexpr double kTurnError = 1.5 * kU;
// Quarter-turn polynomials: Horner with a leading term pi*v rounded once, |tail| <= 0.11|pi v| for sin and
// <= 0.31 for cos: a few half-ulps of the result (< 1), plus truncation < 2^-54: 2^-52 with margin.
constexpr double kPolynomialError = 2 * kU;
// cos/sin of the phase: the turn error times 2 pi, plus the polynomial: 11.4 * 2^-53, named 12 * 2^-53.
constexpr double kCosSinError = 12 * kU;

// Counting significant bits: high and middle must have at most 21 so position * part is exact below 2^32.
int significant_bits(double x) {
  if (x == 0) return 0;
  int e;
  double m = std::frexp(std::fabs(x), &e);
  int bits = 0;
  while (m != 0) {
    m = m * 2 - std::floor(m * 2);
    ++bits;
  }
  return bits;
}

RotarySpec qwen_spec(const char* base, int rotary_dim) {
  RotarySpec s;
  s.base = base;
  s.head_dim = s.rotary_dim = rotary_dim;
  s.allocation = make_allocation("1d", "", rotary_dim / 2);
  return s;
}

TEST(TurnPhase, SplitPartsAreShortAndSumToTheExactFrequency) {
  const KernelFrequencyTable t = kernel_frequency_table(qwen_spec("1000000", 128));
  const FrequencyPlan<Mpfr256> plan = make_frequency_plan<Mpfr256>(qwen_spec("1000000", 128));
  for (std::size_t j = 0; j < t.turn_frequencies.size(); ++j) {
    const TurnFrequency& f = t.turn_frequencies[j];
    EXPECT_LE(significant_bits(f.high), 21) << j;
    EXPECT_LE(significant_bits(f.middle), 21) << j;
    const Mpfr256 exact = plan.inverse_frequencies[j] / (2 * pi_of<Mpfr256>());
    const Mpfr256 represented = Mpfr256(f.high) + Mpfr256(f.middle) + Mpfr256(f.low);
    EXPECT_LE(to_double(Mpfr256(abs(represented - exact) / exact)), 0x1p-95) << j;
  }
}

TEST(TurnPhase, CosSinOfPositionWithinBoundUpTo2To31) {
  const std::uint64_t seed = test_seed();
  std::mt19937_64 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  for (const char* base : {"10000", "1000000", "5000000"}) {
    const RotarySpec spec = qwen_spec(base, 128);
    const KernelFrequencyTable t = kernel_frequency_table(spec);
    const FrequencyPlan<Mpfr256> plan = make_frequency_plan<Mpfr256>(spec);
    std::vector<std::int64_t> positions = {0, 1, 2, 3, 1000, 65535, 65536, 1000000, (1LL << 31) - 1, -((1LL << 31) - 1)};
    std::uniform_int_distribution<std::int64_t> any(-(1LL << 31) + 1, (1LL << 31) - 1);
    for (int i = 0; i < 40; ++i) positions.push_back(any(rng));
    for (int e = 10; e <= 31; ++e) positions.push_back((1LL << e) - 1);
    double worst_turns = 0, worst_cos_sin = 0;
    for (std::int64_t p : positions)
      for (int j = 0; j < spec.pairs(); j += 3) {
        const Mpfr256 angle = Mpfr256(p) * plan.inverse_frequencies[j];
        const Mpfr256 exact_turns = angle / (2 * pi_of<Mpfr256>());
        const double r = reduced_turns(p, t.turn_frequencies[j]);
        Mpfr256 diff = Mpfr256(r) - (exact_turns - round(exact_turns));
        diff -= round(diff);  // a reduction to -1/2 vs +1/2 is the same angle
        worst_turns = std::max(worst_turns, std::fabs(to_double(diff)));
        const CosSin got = cos_sin_of_turns(r);
        const Mpfr256 c = cos(angle), s = sin(angle);
        worst_cos_sin = std::max({worst_cos_sin, std::fabs(to_double(Mpfr256(Mpfr256(got.cos) - c))),
                                  std::fabs(to_double(Mpfr256(Mpfr256(got.sin) - s)))});
      }
    std::cout << "[ measured ] base " << base << ": max turn error " << worst_turns / kU << " * 2^-53, max cos/sin error "
              << worst_cos_sin / kU << " * 2^-53\n";
    EXPECT_LE(worst_turns, kTurnError + 0x1p-80) << base;
    EXPECT_LE(worst_cos_sin, kCosSinError) << base;
  }
}

TEST(TurnPhase, QuarterTurnPolynomialsWithinTwoHalfUlps) {
  double worst = 0;
  for (int i = -20000; i <= 20000; ++i) {
    const double r = i / 80000.0 + 0x1p-40 * (i % 7);  // turns in [-1/4, 1/4] and slightly off the grid
    const CosSin got = cos_sin_of_turns(r);
    const Mpfr256 angle = Mpfr256(r) * 2 * pi_of<Mpfr256>();
    worst = std::max({worst, std::fabs(to_double(Mpfr256(Mpfr256(got.cos) - cos(angle)))),
                      std::fabs(to_double(Mpfr256(Mpfr256(got.sin) - sin(angle))))});
  }
  std::cout << "[ measured ] polynomial max error " << worst / kU << " * 2^-53\n";
  EXPECT_LE(worst, kPolynomialError);
}

// Every quadrant and its boundaries: exact values where they exist.
TEST(TurnPhase, QuadrantsAndExactPoints) {
  EXPECT_EQ(cos_sin_of_turns(0.0).cos, 1.0);
  EXPECT_EQ(cos_sin_of_turns(0.0).sin, 0.0);
  EXPECT_EQ(cos_sin_of_turns(0.25).cos, 0.0);
  EXPECT_EQ(cos_sin_of_turns(0.25).sin, 1.0);
  EXPECT_EQ(cos_sin_of_turns(0.5).cos, -1.0);
  EXPECT_EQ(cos_sin_of_turns(-0.25).sin, -1.0);
  EXPECT_EQ(cos_sin_of_turns(-0.5).cos, -1.0);
  EXPECT_NEAR(cos_sin_of_turns(1.0 / 12).sin, 0.5, 2 * kU);
  EXPECT_NEAR(cos_sin_of_turns(-5.0 / 12).cos, -std::sqrt(3.0) / 2, 2 * kU);
}

// Why the phase is not an fp32 product: at position 10^6 its angle is off by far more than bf16 can absorb.
TEST(TurnPhase, Fp32PhaseWouldMissTheContract) {
  const RotarySpec spec = qwen_spec("10000", 128);
  const FrequencyPlan<Mpfr256> plan = make_frequency_plan<Mpfr256>(spec);
  double worst = 0;
  for (std::int64_t p = 1000000 - 16; p < 1000000; ++p)
    for (int j = 0; j < 64; ++j) {
      const float naive = static_cast<float>(p) * static_cast<float>(to_double(plan.inverse_frequencies[j]));
      worst = std::max(worst, std::fabs(to_double(Mpfr256(Mpfr256(naive) - Mpfr256(p) * plan.inverse_frequencies[j]))));
    }
  EXPECT_GT(worst, 0.01);  // radians; 2^-9 (half a bf16 ulp near 1) is 0.002
}

}  // namespace
}  // namespace mmrope::kernels
