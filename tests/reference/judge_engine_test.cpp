// The judge engine: verdicts and locations on small cases, and the fast and mpfr engines agreeing bit for bit on random and adversarial data.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>

#include "random_seed.hpp"
#include "reference/frequency/allocation_registry.hpp"
#include "reference/judge/judge_engine.hpp"

namespace mmrope {
namespace {

using judge::Engine;

// A tensor held in memory, with the readers the engine takes.
struct InMemory {
  std::vector<double> x;
  std::vector<std::uint32_t> got;
  judge::ValueReader x_reader() const {
    return [this](std::int64_t first, std::span<double> out) { std::copy_n(x.begin() + first, out.size(), out.begin()); };
  }
  judge::BitsReader got_reader() const {
    return [this](std::int64_t first, std::span<std::uint32_t> out) { std::copy_n(got.begin() + first, out.size(), out.begin()); };
  }
};

std::vector<std::uint32_t> rotated_bits(const judge::Problem& p, const InMemory& m, Engine engine, unsigned threads = 0,
                                        std::uint64_t* fallbacks = nullptr) {
  std::vector<std::uint32_t> out(static_cast<std::size_t>(p.elements()), 0xdeadbeefu);
  judge::Options o;
  o.engine = engine;
  o.threads = threads;
  const std::uint64_t n = judge::rotate(p, m.x_reader(), [&](std::int64_t first, std::span<const std::uint32_t> b) {
    std::copy(b.begin(), b.end(), out.begin() + first);
  }, o);
  if (fallbacks) *fallbacks = n;
  return out;
}

ComparisonReport checked(const judge::Problem& p, const InMemory& m, Engine engine, double max_ulp, std::size_t worst = 10,
                         unsigned threads = 0, Metric metric = Metric::element) {
  judge::Options o;
  o.metric = metric;
  o.engine = engine;
  o.max_ulp = max_ulp;
  o.worst = worst;
  o.threads = threads;
  return judge::check(p, m.x_reader(), m.got_reader(), o);
}

// 1-D RoPE, head_dim 4 (2 pairs), positions 0..2, one head: small enough to reason about.
judge::Problem small_problem(DType dtype) {
  judge::Problem p;
  p.spec.base = "10000";
  p.spec.head_dim = 4;
  p.spec.rotary_dim = 4;
  p.spec.allocation = make_allocation("1d", "", 2);
  p.dtype = dtype;
  p.row = {3, 1, 4};
  std::vector<Position3> pos;
  for (int q = 0; q < 3; ++q) pos.push_back(Position3::diagonal(Coordinate(q)));
  p.positions = {pos};
  return p;
}

InMemory small_data(const judge::Problem& p, Engine e) {
  InMemory m;
  m.x = {1, 2, 3, 4, 0.5, -1, 0.25, 8, -3, 1, 1, 1};
  m.got = rotated_bits(p, m, e);
  return m;
}

class JudgeEngineCase : public ::testing::TestWithParam<Engine> {};

TEST_P(JudgeEngineCase, CorrectlyRoundedOutputPassesAtHalfAnUlp) {
  for (DType t : {DType::fp32, DType::fp16, DType::bf16}) {
    const auto p = small_problem(t);
    const auto m = small_data(p, GetParam());
    const auto r = checked(p, m, GetParam(), 0.5);
    EXPECT_TRUE(r.passed()) << to_string(t);
    EXPECT_LE(r.max_ulp, 0.5);
    EXPECT_EQ(r.over_bound, 0u);
    EXPECT_EQ(r.elements, 12u);
  }
}

// Moving one output one step away (bits + 1 on a positive finite value) costs between 0.5 and 1.5 ulps
// (it was within 0.5 of the exact value, and the step is one ulp, or half of one across a binade edge).
TEST_P(JudgeEngineCase, OneUlpSlipIsFoundAndLocated) {
  const auto p = small_problem(DType::bf16);
  auto m = small_data(p, GetParam());
  const std::size_t slipped = 9;  // token 2, head 0, channel 1
  ASSERT_GT(decode_bits(m.got[slipped], DType::bf16), 0.0);
  m.got[slipped] += 1;
  const auto r = checked(p, m, GetParam(), 0.5, 3);
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.over_bound, 1u);
  ASSERT_EQ(r.worst.size(), 3u);
  EXPECT_EQ(r.worst[0].index, slipped);
  EXPECT_EQ(r.worst[0].token, 2);
  EXPECT_EQ(r.worst[0].head, 0);
  EXPECT_EQ(r.worst[0].channel, 1);
  EXPECT_GT(r.worst[0].ulp, 0.5);
  EXPECT_LT(r.worst[0].ulp, 1.5);
  EXPECT_TRUE(checked(p, m, GetParam(), 1.5).passed());  // the same output within a 1.5-ulp bound
}

// The pair metric measures at r = |(x0, x1)|: where an output cancels to a small value, one ulp of that value
// is a tiny fraction of an ulp of r. Token 0 (position 0: cos 1, sin 0) of head_dim 4 neox pairs channels
// (0, 2) and (1, 3); exact outputs equal the inputs, so every figure below is exact.
TEST_P(JudgeEngineCase, PairMetricMeasuresAtThePairNorm) {
  auto p = small_problem(DType::fp32);
  p.row = {1, 1, 4};
  p.positions = {{Position3::diagonal(Coordinate(0))}};
  InMemory m;
  m.x = {1.0, 0.0, 0x1p-20, 1.0};  // pair 0: (1, 2^-20), r ~ 1; pair 1: (0, 1), r = 1
  m.got = rotated_bits(p, m, GetParam());
  m.got[2] += 1;                     // 2^-20 one ulp up: 2^-43 off
  m.got[1] = round_to_bits(0x1p-30, DType::fp32);  // exact 0, got 2^-30
  for (Metric metric : {Metric::element, Metric::pair}) {
    SCOPED_TRACE(to_string(metric));
    const auto r = checked(p, m, GetParam(), 1.0, 4, 0, metric);
    ASSERT_EQ(r.worst.size(), 4u);
    const auto& at = [&](std::size_t index) {
      for (const auto& e : r.worst)
        if (e.index == index) return e;
      ADD_FAILURE() << "element " << index << " not listed";
      return ElementError{};
    };
    EXPECT_EQ(at(2).ulp, 1.0);
    EXPECT_EQ(at(2).pair_ulp, 0x1p-20);   // 2^-43 over ulp(1) = 2^-23
    // An exact zero: measured at r = 1 in both metrics (its own ulp would be the smallest subnormal's: 2^119 ulp).
    EXPECT_TRUE(at(1).exact_is_zero);
    EXPECT_EQ(at(1).ulp, 0x1p-7);         // 2^-30 over 2^-23
    EXPECT_EQ(at(1).pair_ulp, 0x1p-7);
    EXPECT_EQ(r.over_bound_element, 0u);
    EXPECT_EQ(r.over_bound_pair, 0u);
    EXPECT_EQ(r.max_ulp, 1.0);
    EXPECT_EQ(r.max_pair_ulp, 0x1p-7);
    EXPECT_EQ(r.worst.front().index, metric == Metric::element ? 2u : 1u);  // ranked by the verdict's metric
  }
  // A zero pair (r = 0) rotates to exact zeros: any other output is infinitely far.
  m.x = {0.0, 1.0, 0.0, 1.0};
  m.got = rotated_bits(p, m, GetParam());
  m.got[0] = round_to_bits(0x1p-30, DType::fp32);
  const auto r = checked(p, m, GetParam(), 1.0, 4, 0, Metric::pair);
  EXPECT_TRUE(std::isinf(r.max_pair_ulp));
  EXPECT_EQ(r.over_bound, 1u);
  EXPECT_EQ(r.worst.front().index, 0u);
  EXPECT_EQ(r.worst.front().abs_error, 0x1p-30);
}

TEST_P(JudgeEngineCase, NanOutputIsInfinitelyFar) {
  const auto p = small_problem(DType::fp16);
  auto m = small_data(p, GetParam());
  m.got[4] = 0x7e00;  // fp16 quiet NaN
  const auto r = checked(p, m, GetParam(), 1000);
  EXPECT_FALSE(r.passed());
  EXPECT_TRUE(std::isinf(r.max_ulp));
  EXPECT_TRUE(std::isinf(r.mean_ulp));
  EXPECT_EQ(r.worst[0].index, 4u);
}

// A NaN in X makes the exact value NaN: no output, finite or NaN, matches it.
TEST_P(JudgeEngineCase, NanInTheInputFailsEveryOutput) {
  const auto p = small_problem(DType::fp32);
  auto m = small_data(p, GetParam());
  m.x[4] = std::numeric_limits<double>::quiet_NaN();  // token 1, channel 0: pair 0 of token 1 is NaN
  const auto r = checked(p, m, GetParam(), 1e30);
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.over_bound, 2u);  // both outputs of that pair
  m.got[4] = m.got[6] = 0x7fc00000u;
  EXPECT_FALSE(checked(p, m, GetParam(), 1e30).passed());
}

TEST_P(JudgeEngineCase, AllZeroOutputFailsWhateverTheBound) {
  const auto p = small_problem(DType::fp32);
  auto m = small_data(p, GetParam());
  m.got.assign(m.got.size(), 0);
  const auto r = checked(p, m, GetParam(), 1e30);
  EXPECT_TRUE(r.all_zero_output);
  EXPECT_FALSE(r.passed());
}

// fp16: an exact value past 65520 (the largest finite plus half an ulp) rounds to infinity; that infinity
// passes, and the largest finite fails.
TEST_P(JudgeEngineCase, CorrectlyRoundedInfinityPasses) {
  auto p = small_problem(DType::fp16);
  InMemory m;
  m.x = {70000, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};  // token 0 (position 0): y0 = 70000 exactly
  m.got = rotated_bits(p, m, GetParam());
  EXPECT_EQ(m.got[0], 0x7c00u);
  EXPECT_TRUE(checked(p, m, GetParam(), 0.5).passed());
  m.got[0] = 0x7bffu;
  EXPECT_FALSE(checked(p, m, GetParam(), 0.5).passed());
}

TEST_P(JudgeEngineCase, ShapeMismatchIsAnError) {
  auto p = small_problem(DType::fp32);
  p.row.head_dim = 8;
  InMemory m;
  EXPECT_THROW(checked(p, m, GetParam(), 0.5), Error);
  p = small_problem(DType::fp32);
  p.positions[0].pop_back();
  EXPECT_THROW(checked(p, m, GetParam(), 0.5), Error);
  // Beyond the range the reference is exact for (|p| <= 2^63 - 1): refused, not judged wrongly.
  p = small_problem(DType::fp32);
  p.positions[0][1].h = Coordinate(Rational(BigInt(1) << 320));
  try {
    checked(p, m, GetParam(), 0.5);
    ADD_FAILURE() << "a position of 2^320 was judged";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("token 1, axis h"), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, JudgeEngineCase, ::testing::Values(Engine::fast, Engine::mpfr),
                         [](const auto& test_info) { return std::string(judge::to_string(test_info.param)); });

// ---- The two engines agree: the same bits, the same verdicts, the same figures. ----

std::string printed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void expect_same_reports(const ComparisonReport& fast, const ComparisonReport& mpfr, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(fast.over_bound, mpfr.over_bound);
  EXPECT_EQ(fast.over_bound_element, mpfr.over_bound_element);
  EXPECT_EQ(fast.over_bound_pair, mpfr.over_bound_pair);
  EXPECT_EQ(fast.max_pair_ulp, mpfr.max_pair_ulp);
  EXPECT_EQ(printed(fast.mean_pair_ulp), printed(mpfr.mean_pair_ulp));
  for (std::size_t i = 0; i < std::max(fast.summaries.by_pair.size(), mpfr.summaries.by_pair.size()); ++i) {
    ASSERT_LT(i, fast.summaries.by_pair.size());
    ASSERT_LT(i, mpfr.summaries.by_pair.size());
    EXPECT_EQ(fast.summaries.by_pair[i].over, mpfr.summaries.by_pair[i].over) << "pair " << i;
    EXPECT_EQ(fast.summaries.by_pair[i].elements, mpfr.summaries.by_pair[i].elements) << "pair " << i;
  }
  EXPECT_EQ(fast.all_zero_output, mpfr.all_zero_output);
  EXPECT_EQ(fast.passed(), mpfr.passed());
  EXPECT_EQ(fast.max_ulp, mpfr.max_ulp);  // the worst elements are computed in MPFR by both
  EXPECT_EQ(printed(fast.mean_ulp), printed(mpfr.mean_ulp));
  EXPECT_EQ(printed(fast.max_abs), printed(mpfr.max_abs));
  EXPECT_EQ(printed(fast.mean_abs), printed(mpfr.mean_abs));
  ASSERT_EQ(fast.worst.size(), mpfr.worst.size());
  for (std::size_t i = 0; i < fast.worst.size(); ++i) {
    EXPECT_EQ(fast.worst[i].index, mpfr.worst[i].index) << i;
    EXPECT_EQ(fast.worst[i].ulp, mpfr.worst[i].ulp) << i;
    EXPECT_EQ(fast.worst[i].pair_ulp, mpfr.worst[i].pair_ulp) << i;
    EXPECT_EQ(fast.worst[i].exact, mpfr.worst[i].exact) << i;
    EXPECT_EQ(fast.worst[i].abs_error, mpfr.worst[i].abs_error) << i;
  }
}

// A random problem: every allocation, both pairings, partial rotary, scaling with an attention factor,
// positions at every magnitude up to 2^31 - 1 (integers, and rationals), several heads and batch rows.
judge::Problem random_problem(std::mt19937_64& rng) {
  judge::Problem p;
  const char* allocations[] = {"1d", "chunked", "interleaved", "videorope", "videorope-repo", "hope", "multi-head", "2d"};
  const std::string alloc = allocations[rng() % 8];
  const int head_dim = 8 * static_cast<int>(1 + rng() % 4);                   // 8..32
  const int rotary_dim = rng() % 3 == 0 ? head_dim - 2 * static_cast<int>(rng() % (head_dim / 4)) : head_dim;
  const int pairs = rotary_dim / 2;
  p.spec.base = rng() % 2 ? "10000" : "1000000";
  p.spec.head_dim = head_dim;
  p.spec.rotary_dim = rotary_dim;
  p.spec.pairing = rng() % 2 ? Pairing::neox : Pairing::gptj;
  int heads = 1 + static_cast<int>(rng() % 3);
  if (alloc == "multi-head") {
    heads = 3;
    p.spec.allocation = make_allocation(alloc, "1,1,1", pairs, HeadCounts{3, 3});
  } else if (alloc == "1d" || alloc == "2d") {
    p.spec.allocation = make_allocation(alloc, "", pairs);
  } else {
    const int t = static_cast<int>(rng() % (pairs / 2 + 1)), h = static_cast<int>(rng() % ((pairs - t) / 2 + 1));
    const int w = alloc == "chunked" ? pairs - t - h : std::min(h, pairs - t - h);
    try {
      p.spec.allocation = make_allocation(alloc, std::to_string(t) + "," + std::to_string(h) + "," + std::to_string(w), pairs);
    } catch (const Error&) {
      p.spec.allocation = make_allocation("1d", "", pairs);
    }
  }
  if (rng() % 3 == 0) {
    p.spec.scaling.kind = ScalingKind::yarn;
    p.spec.scaling.factor = Rational(4);
    p.spec.scaling.original_context = 4096;
  }
  p.role = rng() % 2 ? TensorRole::query : TensorRole::key;
  p.direction = rng() % 2 ? Direction::forward : Direction::backward;
  p.dtype = static_cast<DType>(rng() % 3);
  const int tokens = 1 + static_cast<int>(rng() % 12);
  p.row = {tokens, heads, head_dim};
  const int batch = 1 + static_cast<int>(rng() % 2);
  const std::int64_t magnitude = std::int64_t{1} << (rng() % 32);  // 1 .. 2^31
  for (int b = 0; b < batch; ++b) {
    std::vector<Position3> row;
    for (int t = 0; t < tokens; ++t) {
      Position3 pos;
      for (Axis a : kAxes) {
        std::int64_t v = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(magnitude));
        if (rng() % 8 == 0) v = (std::int64_t{1} << 31) - 1;
        if (rng() % 8 == 0) v = 0;
        if (rng() % 10 == 0) pos[a] = Coordinate(Rational(v) / 7);  // a rational position (absolute time)
        else pos[a] = Coordinate(v);
      }
      row.push_back(pos);
    }
    p.positions.push_back(row);
  }
  return p;
}

// Inputs of the output dtype mostly, float64 sometimes, and zeros, subnormals and signed zeros.
double random_input(std::mt19937_64& rng, DType t) {
  std::normal_distribution<double> normal;
  const int kind = static_cast<int>(rng() % 10);
  if (kind == 0) return 0.0;
  if (kind == 1) return -0.0;
  if (kind == 2) return std::ldexp(normal(rng), -140);  // fp32 subnormals, below fp16 and bf16's range
  const double v = normal(rng) * std::ldexp(1.0, static_cast<int>(rng() % 20) - 10);
  if (kind == 3) return v;  // float64
  return decode_bits(round_to_bits(v, t), t);
}

TEST(JudgeEngines, AgreeOnRandomProblems) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < 60; ++trial) {
    const judge::Problem p = random_problem(rng);
    InMemory m;
    for (std::int64_t i = 0; i < p.elements(); ++i) m.x.push_back(random_input(rng, p.dtype));
    const auto fast_bits = rotated_bits(p, m, Engine::fast);
    const auto mpfr_bits = rotated_bits(p, m, Engine::mpfr);
    ASSERT_EQ(fast_bits, mpfr_bits) << "trial " << trial;
    // The output judged: the exact bits moved by 0, 1 or a few steps, a NaN now and then.
    m.got = mpfr_bits;
    for (auto& g : m.got) {
      const int r = static_cast<int>(rng() % 20);
      if (r == 0) g += 1;
      if (r == 1) g -= 1;
      if (r == 2) g += static_cast<std::uint32_t>(rng() % 5);
      if (r == 3 && rng() % 10 == 0) g = format_of(p.dtype).quiet_nan_bits();
      g &= (format_of(p.dtype).sign_bit() << 1) - 1;
    }
    std::vector<double> bounds = {0.5, 1.0, 2.0};
    for (std::size_t k = 0; k < bounds.size(); ++k) {
      const double bound = bounds[k];
      const Metric metric = k % 2 ? Metric::pair : Metric::element;
      const auto fast = checked(p, m, Engine::fast, bound, 6, 0, metric);
      const auto mpfr = checked(p, m, Engine::mpfr, bound, 6, 0, metric);
      expect_same_reports(fast, mpfr, "trial " + std::to_string(trial) + " bound " + printed(bound) + " metric " + to_string(metric));
      EXPECT_EQ(mpfr.fallback_elements, static_cast<std::uint64_t>(p.elements()));
      // Bounds on the boundary itself: an element's exact ulp figure, and the double just below it. Only
      // MPFR can decide those elements; the fast engine must hand them over.
      if (k == 0 && std::isfinite(mpfr.max_ulp) && mpfr.max_ulp > 0) {
        for (const auto& e : mpfr.worst) {
          bounds.push_back(e.ulp);
          bounds.push_back(std::nextafter(e.ulp, 0.0));
          bounds.push_back(e.pair_ulp);
        }
      }
    }
  }
}

// One pair of one head per token (rotary dim 2, theta_0 = 1: the angle is the position), `tokens` tokens.
judge::Problem one_pair_problem(DType t, int tokens) {
  judge::Problem p = small_problem(t);
  p.spec.head_dim = p.spec.rotary_dim = 2;
  p.spec.allocation = make_allocation("1d", "", 1);
  p.row = {tokens, 1, 2};
  return p;
}

// Data built to sit on rounding boundaries: float64 inputs a = m / cos(theta) put a*cos within 2^-53 of a
// midpoint m of the output dtype, so the fast path's interval holds the midpoint and only MPFR decides.
// At position 0 (cos = 1, sin = 0) the inputs are the midpoints themselves. Positions reach 2^31 - 1.
TEST(JudgeEngines, AgreeOnRoundingBoundaries) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (DType t : {DType::fp32, DType::fp16, DType::bf16}) {
    judge::Problem p = one_pair_problem(t, 64);
    std::vector<Position3> pos;
    InMemory m;
    const FloatFormat f = format_of(t);
    for (int k = 0; k < 64; ++k) {
      const std::int64_t position = k == 0 ? 0 : k < 32 ? k : (std::int64_t{1} << 31) - k;
      pos.push_back(Position3::diagonal(Coordinate(position)));
      const double c = std::cos(static_cast<double>(position));  // theta_0 = 1: the angle is the position
      // A midpoint between two neighbours of the dtype, in its normal range.
      const std::uint32_t below = static_cast<std::uint32_t>((1u << f.mantissa_bits) + rng() % (1u << f.mantissa_bits)) |
                                  (static_cast<std::uint32_t>(f.bias() + static_cast<int>(rng() % 4)) << f.mantissa_bits);
      const double midpoint = (decode_bits(below, t) + decode_bits(below + 1, t)) / 2;
      m.x.push_back(k == 0 ? midpoint : midpoint / c);
      m.x.push_back(0.0);
    }
    p.positions = {pos};
    std::uint64_t fallbacks = 0;
    const auto fast_bits = rotated_bits(p, m, Engine::fast, 0, &fallbacks);
    ASSERT_EQ(fast_bits, rotated_bits(p, m, Engine::mpfr)) << to_string(t);
    EXPECT_GE(fallbacks, 60u) << "the boundary cases reach MPFR";  // every position but the exact ones
    m.got = fast_bits;
    for (std::size_t i = 0; i < m.got.size(); i += 3) m.got[i] ^= 1;  // the other neighbour of the midpoint
    for (double bound : {0.5, 1.0}) {
      const auto fast = checked(p, m, Engine::fast, bound);
      expect_same_reports(fast, checked(p, m, Engine::mpfr, bound), std::string(to_string(t)));
    }
  }
}

// Exact values a hair from a power of two 2^e, on either side: the ulp there is 2^(e - p) above and half
// that below, so a figure measured in the wrong binade is off by 2x. Outputs one below, at and one above
// 2^e, judged at bounds between 1 and 2 ulp, must give the mpfr engine's verdicts and figures.
TEST(JudgeEngines, AgreeAtBinadeEdges) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  for (DType t : {DType::fp32, DType::fp16, DType::bf16}) {
    judge::Problem p = one_pair_problem(t, 96);
    std::vector<Position3> pos;
    InMemory m;
    const FloatFormat f = format_of(t);
    for (int k = 0; k < 96; ++k) {
      const std::int64_t position = 1 + static_cast<std::int64_t>(rng() % 100000);
      pos.push_back(Position3::diagonal(Coordinate(position)));
      const int e = static_cast<int>(rng() % 9) - 4;                      // 2^-4 .. 2^4: normal in every dtype
      const double edge = std::ldexp(k % 2 ? 1.0 : -1.0, e);
      m.x.push_back(edge / std::cos(static_cast<double>(position)));  // theta_0 = 1: y = x0 cos(p) ~ 2^e
      m.x.push_back(0.0);
      const std::uint32_t edge_bits = (static_cast<std::uint32_t>(f.bias() + e) << f.mantissa_bits) | (k % 2 ? 0u : f.sign_bit());
      const std::uint32_t got = k % 3 == 0 ? edge_bits - 1 : k % 3 == 1 ? edge_bits : edge_bits + 1;
      m.got.push_back(got);
      m.got.push_back(0);  // y1 = x0 sin(p): judged too, usually far off; the same in both engines
    }
    p.positions = {pos};
    for (double bound : {0.75, 1.0, 1.5, 1.99}) {
      const auto fast = checked(p, m, Engine::fast, bound);
      expect_same_reports(fast, checked(p, m, Engine::mpfr, bound), std::string(to_string(t)) + " bound " + std::to_string(bound));
    }
  }
}

// The report is the same for any thread count (blocks are merged in order, ties broken by index).
TEST(JudgeEngines, ResultsDoNotDependOnTheThreadCount) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  judge::Problem p = small_problem(DType::bf16);
  p.spec.head_dim = p.spec.rotary_dim = 64;
  p.spec.allocation = make_allocation("1d", "", 32);
  p.row = {400, 2, 64};  // several blocks
  std::vector<Position3> pos;
  for (int k = 0; k < 400; ++k) pos.push_back(Position3::diagonal(Coordinate(static_cast<std::int64_t>(rng() % 100000))));
  p.positions = {pos};
  InMemory m;
  for (std::int64_t i = 0; i < p.elements(); ++i) m.x.push_back(random_input(rng, p.dtype));
  const auto one = rotated_bits(p, m, Engine::fast, 1);
  EXPECT_EQ(one, rotated_bits(p, m, Engine::fast, 3));
  m.got = one;
  for (std::size_t i = 0; i < m.got.size(); i += 7) m.got[i] += 1 + static_cast<std::uint32_t>(rng() % 2);
  const auto a = checked(p, m, Engine::fast, 1.0, 10, 1);
  const auto b = checked(p, m, Engine::fast, 1.0, 10, 3);
  EXPECT_EQ(a.over_bound, b.over_bound);
  EXPECT_EQ(a.mean_ulp, b.mean_ulp);  // the same sums in the same order: bit for bit
  ASSERT_EQ(a.worst.size(), b.worst.size());
  for (std::size_t i = 0; i < a.worst.size(); ++i) EXPECT_EQ(a.worst[i].index, b.worst[i].index);
}

}  // namespace
}  // namespace mmrope
