// Decay indicator (paper D.2): closed forms at distance 0 and for one or two pairs, empty axes, Figure 4's orderings.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "random_seed.hpp"
#include "reference/analysis/decay.hpp"
#include "reference/frequency/allocation_registry.hpp"

namespace mmrope {
namespace {

template <class S>
FrequencyPlan<S> decay_plan(const std::string& allocation, const std::string& sections,
                            std::optional<HeadCounts> heads = std::nullopt) {
  RotarySpec s;
  s.base = "1000000";
  s.allocation = make_allocation(allocation, sections, 64, heads);
  return make_frequency_plan<S>(s);
}

// The indicator sums n <= 64 moduli of partial sums of correctly rounded cos/sin; each |S_j| is within
// j * 2^-330 of exact, so the mean is within 2^(6 - 330) of it. 2^-300 leaves room for the phase
// Delta * theta (Delta < 2^20 here costs 20 bits of the angle's absolute precision).
const double kMpfrIndicatorTolerance = std::ldexp(1.0, -300);

// Sweeps in double: the phase Delta * theta_j loses Delta * 2^-53 rad, below 1e-10 for Delta < 1e5, far below
// the 0.5 threshold the half-distance tests compare against.
std::int64_t half_distance(const FrequencyPlan<double>& plan, Axis axis, std::int64_t limit) {
  const ExactAngles<double> angles(plan);
  const auto pairs = axis_pairs(plan, axis);
  const double start = (static_cast<double>(pairs.size()) + 1) / 2;
  for (std::int64_t d = 0; d <= limit; ++d)
    if (decay_indicator(angles, pairs, d) / start < 0.5) return d;
  return -1;
}

TEST(Decay, DistanceZeroIsHalfOfPairsPlusOne) {
  for (const auto& [name, sections] : std::vector<std::pair<std::string, std::string>>{
           {"1d", ""}, {"chunked", "16,24,24"}, {"interleaved", "24,20,20"}, {"videorope", "16,24,24"}, {"hope", "16,24,24"}}) {
    const auto plan = decay_plan<Mpfr256>(name, sections);
    const auto b = decay_per_axis(plan, 0);
    const auto counts = plan.spec.allocation.counts();
    for (int a = 0; a < 3; ++a)
      EXPECT_EQ(b[a], counts[a] == 0 ? Mpfr256(0) : Mpfr256(counts[a] + 1) / 2) << name << " axis " << a;
  }
  // The paper's 1-D value: (1/64) sum_{j=1}^{64} j = 32.5.
  EXPECT_EQ(decay_per_axis(decay_plan<Mpfr256>("1d", ""), 0)[0], Mpfr256(32.5));
}

// HoPE leaves t without rotating pairs, 1-D RoPE leaves h and w without pairs: flat zero curves.
TEST(Decay, AxisWithoutPairsIsFlatZero) {
  const auto hope = decay_table(decay_plan<Mpfr256>("hope", "16,24,24"), {0, 1, 100, 100000});
  EXPECT_EQ(hope.pairs[0], 0);
  for (const auto& row : hope.rows) EXPECT_EQ(row.value[0], 0.0) << row.distance;
  const auto one_d = decay_table(decay_plan<Mpfr256>("1d", ""), {0, 7, 5000}, true);
  for (const auto& row : one_d.rows) EXPECT_TRUE(row.value[1] == 0.0 && row.value[2] == 0.0) << row.distance;
}

// One pair: |S_1| = 1 at every distance. Two pairs (theta_0 = 1, theta_1): |S_2| = |1 + e^{i Delta (theta_1 - 1)}|
// = 2 |cos(Delta (1 - theta_1) / 2)|, so B = (1 + 2 |cos(Delta (1 - theta_1) / 2)|) / 2.
TEST(Decay, OneAndTwoPairClosedForms) {
  std::mt19937_64 rng(test_seed());
  std::uniform_int_distribution<std::int64_t> distance(1, std::int64_t{1} << 20);
  const auto one = decay_plan<Mpfr256>("chunked", "1,31,32");
  const auto two = decay_plan<Mpfr256>("chunked", "2,30,32");
  const Mpfr256 theta1 = two.inverse_frequencies[1];
  for (int trial = 0; trial < 20; ++trial) {
    const std::int64_t d = distance(rng);
    EXPECT_LE(to_double(Mpfr256(bmp::abs(decay_per_axis(one, d)[0] - 1))), kMpfrIndicatorTolerance) << d;
    const Mpfr256 want = (1 + 2 * bmp::abs(bmp::cos(Mpfr256(d) * (1 - theta1) / 2))) / 2;
    EXPECT_LE(to_double(Mpfr256(bmp::abs(decay_per_axis(two, d)[0] - want))), kMpfrIndicatorTolerance) << d;
  }
}

// Multi-head RoPE gives each axis the whole spectrum: every axis draws exactly the 1-D curve (Figure 4(b)).
TEST(Decay, MultiHeadAxesDrawTheOneDimensionalCurve) {
  const std::vector<std::int64_t> distances = {0, 1, 3, 50, 999, 123456};
  const auto mh = decay_table(decay_plan<Mpfr256>("multi-head", "2,3,3", HeadCounts{8, 8}), distances);
  const auto one_d = decay_table(decay_plan<Mpfr256>("1d", ""), distances);
  EXPECT_EQ(mh.pairs, (std::array<int, 3>{64, 64, 64}));
  for (std::size_t i = 0; i < distances.size(); ++i)
    for (int a = 0; a < 3; ++a) EXPECT_EQ(mh.rows[i].value[a], one_d.rows[i].value[0]) << distances[i];
}

// Chunked MRoPE (Figure 4(a)): t reads only the 16 highest frequencies, so its normalised curve falls below
// one half first, h (pairs 16-39) later and w (the lowest, 40-63) much later. Measured half-distances at base
// 1e6: t 5, h 164, w 29034; the test asserts the ordering and that w still holds above 1/2 at 1000.
TEST(Decay, ChunkedTemporalAxisDecaysFastest) {
  const auto plan = decay_plan<double>("chunked", "16,24,24");
  const std::int64_t t = half_distance(plan, Axis::t, 1000), h = half_distance(plan, Axis::h, 1000);
  EXPECT_GT(t, 0);
  EXPECT_GT(h, 4 * t);
  EXPECT_EQ(half_distance(plan, Axis::w, 1000), -1) << "w keeps its low frequencies past distance 1000";
}

// Interleaved MRoPE (Figure 4(b)): every axis spans the whole spectrum, so the three curves fall like the
// 1-D curve. Measured half-distances: 1-D 35; interleaved t 34, h 21, w 26. Asserted: within a factor 2 of
// 1-D (the axes read every third frequency, so each curve is a coarser sample of the same spectrum).
TEST(Decay, InterleavedAxesShareTheOneDimensionalRange) {
  const std::int64_t reference = half_distance(decay_plan<double>("1d", ""), Axis::t, 1000);
  ASSERT_GT(reference, 0);
  const auto plan = decay_plan<double>("interleaved", "24,20,20");
  for (Axis axis : kAxes) {
    const std::int64_t d = half_distance(plan, axis, 1000);
    EXPECT_GE(2 * d, reference) << "axis " << static_cast<int>(axis) << " half-distance " << d;
    EXPECT_LE(d, 2 * reference) << "axis " << static_cast<int>(axis) << " half-distance " << d;
  }
}

// The table lists what a CLI prints as CSV, normalised curves start at 1, and Mpfr256 agrees with double.
TEST(Decay, TableMatchesPerAxisValues) {
  const auto exact = decay_table(decay_plan<Mpfr256>("videorope", "16,24,24"), {0, 10, 1000}, true);
  const auto fast = decay_table(decay_plan<double>("videorope", "16,24,24"), {0, 10, 1000}, true);
  EXPECT_EQ(exact.allocation, "videorope");
  EXPECT_EQ(exact.pairs, (std::array<int, 3>{16, 24, 24}));
  for (int a = 0; a < 3; ++a) EXPECT_EQ(exact.rows[0].value[a], 1.0);
  // double: 64 pairs of cos/sin within 1 ulp and 1000 * 2^-53 of phase error: 1e-12 is ample.
  for (std::size_t i = 0; i < exact.rows.size(); ++i)
    for (int a = 0; a < 3; ++a) EXPECT_NEAR(exact.rows[i].value[a], fast.rows[i].value[a], 1e-12);
}

}  // namespace
}  // namespace mmrope
