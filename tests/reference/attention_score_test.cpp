// Attention score: equals the dot product of the rotated vectors, and depends only on the position difference.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "random_seed.hpp"
#include "rotary_test_support.hpp"
#include "reference/analysis/attention_score.hpp"
#include "reference/frequency/allocation_registry.hpp"
#include "reference/rotation.hpp"

namespace mmrope {
namespace {

// Values exactly representable in bf16: k / 64, k in [-256, 256].
std::vector<double> random_values(std::size_t n, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> k(-256, 256);
  std::vector<double> x(n);
  for (auto& v : x) v = k(rng) / 64.0;
  return x;
}

Position3 at(std::int64_t t, std::int64_t h, std::int64_t w) { return {Coordinate(t), Coordinate(h), Coordinate(w)}; }

// Positions below 2^31 give phases below 2^31 rad; the score and the rotated dot product round the phase (and
// ~130 products and sums) differently at Mpfr256's 333 bits, so they agree to 2^(31 + 10 - 333) of
// (sum |q_c|)(sum |k_c|), which bounds every term of either sum: 31 bits for the phase magnitude, 10 bits for
// the roundings of the sum over 64 pairs and the composed cos/sin.
double score_tolerance(const std::vector<double>& q, const std::vector<double>& k) {
  double sq = 0, sk = 0;
  for (double v : q) sq += std::abs(v);
  for (double v : k) sk += std::abs(v);
  const double scale = sq * sk;
  return std::ldexp(scale, 31 + 10 - scalar_binary_digits<Mpfr256>);
}

// (R_m q)^T (R_n k) from Rotation::apply's exact outputs, for every query head (query head i uses KV head i / group).
std::vector<Mpfr256> rotated_dots(const FrequencyPlan<Mpfr256>& plan, const HeadVectors& q, const Position3& m,
                                  const HeadVectors& k, const Position3& n) {
  const int d = plan.spec.head_dim;
  const Rotation<Mpfr256> rot(plan, {m, n});
  // Token 0 (at m) holds q and token 1 (at n) holds k; the unused token is zero.
  std::vector<double> qx(2 * q.values.size(), 0.0), kx(2 * k.values.size(), 0.0);
  std::copy(q.values.begin(), q.values.end(), qx.begin());
  std::copy(k.values.begin(), k.values.end(), kx.begin() + static_cast<std::ptrdiff_t>(k.values.size()));
  const TensorShape qs{2, q.heads, d}, ks{2, k.heads, d};
  const auto rq = rot.apply(qx, qs, TensorRole::query, Direction::forward, DType::fp32);
  const auto rk = rot.apply(kx, ks, TensorRole::key, Direction::forward, DType::fp32);
  std::vector<Mpfr256> out;
  for (int i = 0; i < q.heads; ++i) {
    const int g = i / (q.heads / k.heads);
    Mpfr256 s = 0;
    for (int c = 0; c < d; ++c) s += rq.exact[qs.index(0, i, c)] * rk.exact[ks.index(1, g, c)];
    out.push_back(s);
  }
  return out;
}

TEST(AttentionScore, EqualsDotProductOfRotatedVectors) {
  std::mt19937_64 rng(test_seed());
  std::uniform_int_distribution<std::int64_t> position(0, (std::int64_t{1} << 31) - 1);
  const std::vector<RotarySpec> specs = {
      spec_of("1d", ""), spec_of("chunked", "16,24,24"), spec_of("interleaved", "24,20,20"),
      spec_of("hope", "16,24,24"), spec_of("videorope", "4,6,6", 64, 32, Pairing::gptj),  // partial rotary
      spec_of("2d", "", 64, 64, Pairing::gptj)};
  for (const RotarySpec& spec : specs) {
    const auto plan = make_frequency_plan<Mpfr256>(spec);
    for (int trial = 0; trial < 3; ++trial) {
      const Position3 m = at(position(rng), position(rng) % 1000, position(rng) % 1000);
      const Position3 n = at(position(rng), position(rng) % 1000, position(rng) % 1000);
      const HeadVectors q{1, random_values(static_cast<std::size_t>(spec.head_dim), rng)};
      const HeadVectors k{1, random_values(static_cast<std::size_t>(spec.head_dim), rng)};
      const Mpfr256 got = attention_scores(plan, q, m, k, n)[0];
      const Mpfr256 want = rotated_dots(plan, q, m, k, n)[0];
      EXPECT_LE(to_double(Mpfr256(bmp::abs(got - want))), score_tolerance(q.values, k.values))
          << spec.allocation.name() << " m.t " << m.t.to_string() << " n.t " << n.t.to_string();
    }
  }
}

// Multi-head (MHRoPE, GQA 8:4): query head i attends with KV head i / 2 on that head's axis; the leftover KV
// head has no position, so its score does not change with the positions at all.
TEST(AttentionScore, MultiHeadScoresPerQueryHead) {
  std::mt19937_64 rng(test_seed());
  const auto plan = make_frequency_plan<Mpfr256>(spec_of("multi-head", "1,1,1", 32, 32, Pairing::neox, HeadCounts{8, 4}));
  const HeadVectors q{8, random_values(8 * 32, rng)};
  const HeadVectors k{4, random_values(4 * 32, rng)};
  const Position3 m = at(100, 7, 3), n = at(5, 2, 11);
  const auto got = attention_scores(plan, q, m, k, n);
  const auto want = rotated_dots(plan, q, m, k, n);
  ASSERT_EQ(got.size(), 8u);
  for (int i = 0; i < 8; ++i) {
    const std::vector<double> qi(q.values.begin() + 32 * i, q.values.begin() + 32 * (i + 1));
    const std::vector<double> kg(k.values.begin() + 32 * (i / 2), k.values.begin() + 32 * (i / 2 + 1));
    EXPECT_LE(to_double(Mpfr256(bmp::abs(got[i] - want[i]))), score_tolerance(qi, kg)) << "query head " << i;
  }
  const auto far = attention_scores(plan, q, at(0, 0, 0), k, at(123456, 789, 1011));
  for (int i = 6; i < 8; ++i) EXPECT_EQ(far[i], got[i]) << "query heads 6, 7 use the position-free KV head 3";
}

// 1-D RoPE: shifting both positions by s leaves the score unchanged -- checked on the rotated vectors themselves
// (the score function is relative by construction), up to positions near 2^31, both pairings, partial rotary.
TEST(AttentionScore, OneDimensionalDependsOnlyOnDifference) {
  std::mt19937_64 rng(test_seed());
  std::uniform_int_distribution<std::int64_t> position(0, std::int64_t{1} << 30);
  for (Pairing pairing : {Pairing::neox, Pairing::gptj}) {
    const auto plan = make_frequency_plan<Mpfr256>(spec_of("1d", "", 64, 48, pairing));
    const HeadVectors q{1, random_values(64, rng)}, k{1, random_values(64, rng)};
    const std::int64_t m = position(rng), n = position(rng);
    const Mpfr256 base = attention_scores(plan, q, Position3::diagonal(Coordinate(m)), k, Position3::diagonal(Coordinate(n)))[0];
    for (std::int64_t shift : {std::int64_t{-1} * std::min(m, n), std::int64_t{1}, std::int64_t{977}, position(rng)}) {
      const Position3 ms = Position3::diagonal(Coordinate(m + shift)), ns = Position3::diagonal(Coordinate(n + shift));
      EXPECT_EQ(attention_scores(plan, q, ms, k, ns)[0], base) << "score is a function of n - m";
      const Mpfr256 dot = rotated_dots(plan, q, ms, k, ns)[0];
      EXPECT_LE(to_double(Mpfr256(bmp::abs(dot - base))), score_tolerance(q.values, k.values))
          << to_string(pairing) << " m " << m << " n " << n << " shift " << shift;
    }
  }
}

// At equal positions every rotation cancels: the score is the plain dot product q . k (times the YaRN factor
// squared on the rotated channels). A closed form, with no trigonometry involved.
TEST(AttentionScore, EqualPositionsGivePlainDotProduct) {
  std::mt19937_64 rng(test_seed());
  RotarySpec spec = spec_of("interleaved", "8,4,4", 64, 32);
  spec.scaling.kind = ScalingKind::yarn;
  spec.scaling.factor = Rational(4);
  spec.scaling.original_context = 4096;
  const auto plan = make_frequency_plan<Mpfr256>(spec);
  const HeadVectors q{1, random_values(64, rng)}, k{1, random_values(64, rng)};
  Mpfr256 rotated = 0, plain = 0;
  for (int c = 0; c < 64; ++c) (c < 32 ? rotated : plain) += Mpfr256(q.values[c]) * Mpfr256(k.values[c]);
  const Position3 p = at(31337, 12, 40);
  EXPECT_EQ(attention_scores(plan, q, p, k, p)[0], plan.attention_factor * plan.attention_factor * rotated + plain);
}

}  // namespace
}  // namespace mmrope
