// Convention bounds: the strict model is the bit-exact emulation; library-like float code lies within its convention's bounds up to position 1e6, and planted errors do not.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <iostream>
#include <random>

#include "library_like_rotations.hpp"
#include "random_seed.hpp"
#include "rotary_test_support.hpp"
#include "reference/emulation/convention_bounds.hpp"
#include "reference/frequency/allocation_registry.hpp"

namespace mmrope {
namespace {

RotarySpec bounds_spec(const std::string& allocation, const std::string& sections, int head_dim, int rotary_dim,
                       Pairing pairing, std::string base) {
  RotarySpec s = spec_of(allocation, sections, head_dim, rotary_dim, pairing);
  s.base = std::move(base);
  return s;
}

// Positions at every magnitude up to 1e6: 0, small, near 2^11 (TF32's last exact integer), near 1e5 and 1e6.
std::int64_t random_position(std::mt19937_64& rng) {
  const std::int64_t centres[] = {0, 7, 2048, 100000, 1000000};
  const std::int64_t c = centres[rng() % 5];
  return std::max<std::int64_t>(0, c - static_cast<std::int64_t>(rng() % 40));
}

std::vector<double> float_values(std::size_t n, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> u(-4.0f, 4.0f);
  std::vector<double> x(n);
  for (auto& v : x) v = u(rng);
  return x;
}

const ErrorModel& model(std::string_view name) { return find_error_model(name); }

// With correctly rounded functions and no fusion, the four fp32-phase conventions have one result per element:
// EmulatedRotation's, bit for bit (every allocation kind, both pairings, partial rotary, every dtype, both directions).
TEST(ConventionBounds, StrictModelIsTheBitExactEmulation) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const std::vector<std::pair<std::string, std::string>> allocations = {{"1d", ""}, {"chunked", "4,6,6"}, {"interleaved", "6,5,5"}, {"hope", "4,6,6"}};
  for (int trial = 0; trial < 12; ++trial) {
    const auto& [name, sections] = allocations[rng() % allocations.size()];
    const Pairing pairing = rng() % 2 ? Pairing::neox : Pairing::gptj;
    const int rotary_dim = rng() % 3 ? 32 : 28;
    const auto plan = make_frequency_plan<Mpfr256>(bounds_spec(name, name == "1d" ? "" : (rotary_dim == 32 ? sections : std::string("4,5,5")), 40, rotary_dim, pairing, rng() % 2 ? "10000" : "1000000"));
    std::vector<Position3> pos;
    for (int t = 0; t < 6; ++t) pos.push_back({Coordinate(random_position(rng)), Coordinate(random_position(rng)), Coordinate(random_position(rng))});
    const TensorShape shape{6, 2, 40};
    const auto x = float_values(shape.size(), rng);
    for (Convention c : {Convention::fp32_phase, Convention::bf16_cache, Convention::fp16_cache, Convention::activation_dtype}) {
      EmulatedRotation<Mpfr256> emu(plan, pos, c);
      ConventionBounds<Mpfr256> bounds(plan, pos, c, model("correctly-rounded"));
      for (DType dtype : {DType::fp32, DType::fp16, DType::bf16})
        for (Direction d : {Direction::forward, Direction::backward}) {
          const auto want = emu.apply(x, shape, TensorRole::query, d, dtype);
          const auto got = bounds.apply(x, shape, TensorRole::query, d, dtype);
          for (std::size_t i = 0; i < x.size(); ++i) {
            ASSERT_EQ(got.low[i], got.high[i]) << "trial " << trial << " " << to_string(c) << " element " << i;
            ASSERT_EQ(got.low[i], want.rounded(i)) << "trial " << trial << " " << to_string(c) << " element " << i;
          }
        }
    }
  }
}

// Qwen2-VL's layout: 64 pairs, sections 16, 24, 24 chunked (t, then h, then w), base 1e6.
library_like::Problem qwen2_vl_like(std::mt19937_64& rng, int tokens) {
  library_like::Problem p;
  p.tokens = tokens;
  p.heads = 2;
  p.head_dim = 128;
  p.axis_of = [](int j) { return j < 16 ? 0 : j < 40 ? 1 : 2; };
  for (int t = 0; t < tokens; ++t) p.positions.push_back({random_position(rng), random_position(rng), random_position(rng)});
  return p;
}

std::vector<Position3> positions_of(const library_like::Problem& p) {
  std::vector<Position3> out;
  for (const auto& q : p.positions) out.push_back({Coordinate(q[0]), Coordinate(q[1]), Coordinate(q[2])});
  return out;
}

struct Outside {
  std::size_t count = 0, first = 0;
};

Outside outside(const ConventionRange& r, const std::vector<double>& y) {
  Outside o;
  for (std::size_t i = 0; i < y.size(); ++i)
    if (!r.contains(i, y[i])) {
      if (o.count++ == 0) o.first = i;
    }
  return o;
}

ConventionRange bounds_of(const RotarySpec& spec, const library_like::Problem& p, const std::vector<double>& x, Convention c,
                          std::string_view model_name, DType dtype) {
  const auto plan = make_frequency_plan<Mpfr256>(spec);
  ConventionBounds<Mpfr256> b(plan, positions_of(p), c, model(model_name));
  return b.apply(x, {p.tokens, p.heads, p.head_dim}, TensorRole::query, Direction::forward, dtype);
}

// transformers' own fp32 recipe, run with the C library's powf/cosf/sinf (within 1 ulp), lies within
// fp32-phase under torch-cpu and under the default model at every position up to 1e6; the strict model
// (correctly rounded functions) need not hold it. Moving one token's position by one leaves the bounds.
TEST(ConventionBounds, TransformersLikeFp32IsWithinFp32Phase) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const auto spec = bounds_spec("chunked", "16,24,24", 128, 128, Pairing::neox, "1000000");
  auto p = qwen2_vl_like(rng, 24);
  const auto x = float_values(static_cast<std::size_t>(p.tokens * p.heads * p.head_dim), rng);
  const auto y = library_like::transformers_like(p, x, library_like::Precision::fp32);
  for (const char* m : {"torch-cpu", "common"}) {
    const Outside o = outside(bounds_of(spec, p, x, Convention::fp32_phase, m, DType::fp32), y);
    EXPECT_EQ(o.count, 0u) << m << ": first outside is element " << o.first;
  }
  std::cout << "[ measured ] outside the correctly-rounded model: "
            << outside(bounds_of(spec, p, x, Convention::fp32_phase, "correctly-rounded", DType::fp32), y).count << " of " << y.size() << "\n";
  auto moved = p;
  moved.positions[3][0] += 1;  // token 3's t: pairs 0..15 of its heads
  const auto y_moved = library_like::transformers_like(moved, x, library_like::Precision::fp32);
  EXPECT_GT(outside(bounds_of(spec, p, x, Convention::fp32_phase, "common", DType::fp32), y_moved).count, 0u);
}

// The same in eager bf16: q, cos, sin in bf16 and every product and sum rounded to bf16 (activation-dtype).
TEST(ConventionBounds, TransformersLikeBf16IsWithinActivationDtype) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const auto spec = bounds_spec("chunked", "16,24,24", 128, 128, Pairing::neox, "1000000");
  const auto p = qwen2_vl_like(rng, 24);
  auto x = float_values(static_cast<std::size_t>(p.tokens * p.heads * p.head_dim), rng);
  for (auto& v : x) v = decode_bits(round_to_bits(v, DType::bf16), DType::bf16);
  const auto y = library_like::transformers_like(p, x, library_like::Precision::bf16_eager);
  for (const char* m : {"torch-cpu", "common"}) {
    const Outside o = outside(bounds_of(spec, p, x, Convention::activation_dtype, m, DType::bf16), y);
    EXPECT_EQ(o.count, 0u) << m << ": first outside is element " << o.first;
  }
}

// ggml's running product lies within ggml-running-product (default model) up to 1e6, and outside fp32-phase
// somewhere: the two phases differ by far more than the functions' error at large positions.
TEST(ConventionBounds, GgmlLikeIsWithinGgmlRunningProduct) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const auto spec = bounds_spec("chunked", "16,24,24", 128, 128, Pairing::neox, "1000000");
  auto p = qwen2_vl_like(rng, 24);
  p.positions[0] = {1000000, 999990, 999980};  // at least one token where the phases part
  const auto x = float_values(static_cast<std::size_t>(p.tokens * p.heads * p.head_dim), rng);
  const auto y = library_like::ggml_like(p, x);
  const Outside o = outside(bounds_of(spec, p, x, Convention::ggml_running_product, "common", DType::fp32), y);
  EXPECT_EQ(o.count, 0u) << "first outside is element " << o.first;
  EXPECT_GT(outside(bounds_of(spec, p, x, Convention::fp32_phase, "common", DType::fp32), y).count, 0u);
}

// FlashInfer's recipe with the C library's functions (more accurate than __powf and __sincosf) lies within
// fast-math's bounds; a TF32 phase (to nearest) within tf32-phase's, and outside fp32-phase's past 2^11.
TEST(ConventionBounds, FastMathAndTf32RecipesAreWithinTheirBounds) {
  const std::uint64_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const auto spec = bounds_spec("1d", "", 64, 64, Pairing::neox, "10000");
  library_like::Problem p;
  p.tokens = 24;
  p.heads = 1;
  p.head_dim = 64;
  p.base = 10000.0f;
  p.axis_of = [](int) { return 0; };
  for (int t = 0; t < p.tokens; ++t) {
    const std::int64_t v = t == 0 ? 1000000 : random_position(rng);
    p.positions.push_back({v, v, v});
  }
  const auto x = float_values(static_cast<std::size_t>(p.tokens * p.head_dim), rng);
  const auto tf32_rna = [](float v) { return std::bit_cast<float>((std::bit_cast<std::uint32_t>(v) + 0x1000u) & 0xffffe000u); };
  std::vector<double> fast(x.size()), tf(x.size());
  const int half = 32;
  for (int t = 0; t < p.tokens; ++t)
    for (int j = 0; j < half; ++j) {
      const float pos = static_cast<float>(p.positions[static_cast<std::size_t>(t)][0]);
      const float e = static_cast<float>(2 * j) / 64.0f;
      const float freq = std::pow(1.0f / 10000.0f, e);                       // FlashInfer: __powf(rcp_theta, 2i/d)
      const float inv = 1.0f / std::pow(10000.0f, e);                        // transformers' inv_freq
      const float phases[2] = {pos * freq, tf32_rna(pos) * tf32_rna(inv)};  // the TF32 product is exact in fp32
      std::vector<double>* outs[2] = {&fast, &tf};
      for (int k = 0; k < 2; ++k) {
        const float c = std::cos(phases[k]), s = std::sin(phases[k]);
        const std::size_t i0 = static_cast<std::size_t>(t) * 64 + j, i1 = i0 + half;
        const float a = static_cast<float>(x[i0]), b = static_cast<float>(x[i1]);
        (*outs[k])[i0] = a * c - b * s;
        (*outs[k])[i1] = b * c + a * s;
      }
    }
  EXPECT_EQ(outside(bounds_of(spec, p, x, Convention::fast_math, "cuda-fast-math", DType::fp32), fast).count, 0u);
  EXPECT_EQ(outside(bounds_of(spec, p, x, Convention::tf32_phase, "common", DType::fp32), tf).count, 0u);
  EXPECT_GT(outside(bounds_of(spec, p, x, Convention::fp32_phase, "common", DType::fp32), tf).count, 0u);
}

TEST(ConventionBounds, ModelsAndConventionsAreNamed) {
  for (const auto& c : convention_registry()) {
    EXPECT_EQ(parse_convention(c.name), c.convention);
    EXPECT_NO_THROW(find_error_model(c.error_model));
  }
  EXPECT_THROW(find_error_model("x87"), Error);
  EXPECT_THROW(EmulatedRotation<Mpfr256>(make_frequency_plan<Mpfr256>(bounds_spec("1d", "", 4, 4, Pairing::neox, "10000")),
                                         {Position3::diagonal(Coordinate(1))}, Convention::ggml_running_product),
               Error);
}

}  // namespace
}  // namespace mmrope
