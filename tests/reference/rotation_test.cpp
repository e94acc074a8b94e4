// Rotation: identity at position 0, exact quarter turns, 3-D allocations reduce to 1-D on the diagonal, scalars agree.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "random_seed.hpp"
#include "rotary_test_support.hpp"
#include "reference/frequency/allocation_registry.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "reference/presets/presets.hpp"
#include "reference/layout_spec.hpp"
#include "reference/rotation.hpp"

namespace mmrope {
namespace {

// Inputs exactly representable in bf16 (so in every dtype): k / 64 for k in [-256, 256], never all zero.
std::vector<double> random_input(std::size_t n, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> k(-256, 256);
  std::vector<double> x(n);
  for (auto& v : x) v = k(rng) / 64.0;
  x[0] = 1.5;
  return x;
}

std::vector<Position3> diagonal_positions(const std::vector<std::int64_t>& p) {
  std::vector<Position3> out;
  for (auto v : p) out.push_back(Position3::diagonal(Coordinate(v)));
  return out;
}

const std::vector<std::string> kAllocations = {"1d", "chunked", "interleaved", "il-rope", "il-rope-paper", "videorope",
                                               "videorope-repo", "hope", "2d", "2d-interleaved"};
std::string sections_for(const std::string& a) {
  if (a == "1d" || a == "2d" || a == "2d-interleaved") return "";
  return a == "interleaved" || a == "il-rope" || a == "il-rope-paper" ? "24,20,20" : "16,24,24";
}

TEST(Rotation, PositionZeroIsIdentity) {
  std::mt19937_64 rng(test_seed());
  for (const auto& name : kAllocations) {
    for (Pairing pairing : {Pairing::neox, Pairing::gptj}) {
      const Rotation<Mpfr256> rot(make_frequency_plan<Mpfr256>(spec_of(name, sections_for(name), 128, 128, pairing)),
                                  diagonal_positions({0, 0}));
      const TensorShape shape{2, 3, 128};
      const auto x = random_input(shape.size(), rng);
      for (Direction d : {Direction::forward, Direction::backward}) {
        const auto y = rot.apply(x, shape, TensorRole::query, d, DType::bf16);
        for (std::size_t i = 0; i < x.size(); ++i) {
          ASSERT_EQ(y.exact[i], Mpfr256(x[i])) << name << " " << i;
          ASSERT_EQ(y.rounded(i), x[i]) << name << " " << i;
        }
      }
    }
  }
}

// Position pi/2 (an irrational coordinate, 80 digits) on pair 0 (theta_0 = 1) turns (a, b) into (-b, a);
// pi into (-a, -b); backward turns the other way. cos(pi/2) is ~1e-80 here, far below half an fp32 ulp of
// any input, so the rounded outputs are exact.
TEST(Rotation, QuarterTurns) {
  const Real half_pi = boost::math::constants::pi<Real>() / 2;
  std::vector<Position3> pos = {Position3::diagonal(Coordinate::irrational(half_pi)),
                                Position3::diagonal(Coordinate::irrational(2 * half_pi)),
                                Position3::diagonal(Coordinate::irrational(3 * half_pi))};
  for (Pairing pairing : {Pairing::neox, Pairing::gptj}) {
    const Rotation<Mpfr256> rot(make_frequency_plan<Mpfr256>(spec_of("1d", "", 8, 8, pairing)), pos);
    const TensorShape shape{3, 1, 8};
    std::vector<double> x(shape.size());
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 1.0 + static_cast<double>(i);
    const auto [c0, c1] = pair_channels(pairing, 0, 8);
    const auto fwd = rot.apply(x, shape, TensorRole::key, Direction::forward, DType::fp32);
    const auto bwd = rot.apply(x, shape, TensorRole::key, Direction::backward, DType::fp32);
    // (a, b) turned forward by q quarters: q = 1 (-b, a), q = 2 (-a, -b), q = 3 (b, -a).
    auto turned = [](int quarters, double a, double b) {
      return quarters == 1 ? std::pair{-b, a} : quarters == 2 ? std::pair{-a, -b} : std::pair{b, -a};
    };
    for (int t = 0; t < 3; ++t) {
      const double a = x[shape.index(t, 0, c0)], b = x[shape.index(t, 0, c1)];
      const auto f = turned(t + 1, a, b);
      const auto r = turned(3 - t, a, b);  // backward by q quarters = forward by 4 - q
      EXPECT_EQ(fwd.rounded(shape.index(t, 0, c0)), f.first) << to_string(pairing) << " token " << t;
      EXPECT_EQ(fwd.rounded(shape.index(t, 0, c1)), f.second) << to_string(pairing) << " token " << t;
      EXPECT_EQ(bwd.rounded(shape.index(t, 0, c0)), r.first) << to_string(pairing) << " token " << t;
      EXPECT_EQ(bwd.rounded(shape.index(t, 0, c1)), r.second) << to_string(pairing) << " token " << t;
    }
  }
}

// On the diagonal t = h = w every pair of every 3-D allocation reads the same position, so the result equals
// 1-D RoPE exactly (same angle, same cos/sin in S) on every rotated pair; HoPE's non-rotating band is the identity.
TEST(Rotation, DiagonalReducesToOneDimensional) {
  std::mt19937_64 rng(test_seed());
  const auto pos = diagonal_positions({0, 1, 7, 1000, 123456789, std::int64_t{1} << 31});
  const TensorShape shape{static_cast<int>(pos.size()), 2, 128};
  const auto x = random_input(shape.size(), rng);
  const Rotation<Mpfr256> vanilla(make_frequency_plan<Mpfr256>(spec_of("1d", "")), pos);
  const auto want = vanilla.apply(x, shape, TensorRole::query, Direction::forward, DType::fp32);
  for (const auto& name : kAllocations) {
    const Rotation<Mpfr256> rot(make_frequency_plan<Mpfr256>(spec_of(name, sections_for(name))), pos);
    const auto got = rot.apply(x, shape, TensorRole::query, Direction::forward, DType::fp32);
    const std::string map = rot.plan().spec.allocation.map();
    for (int t = 0; t < shape.tokens; ++t)
      for (int h = 0; h < shape.heads; ++h)
        for (int j = 0; j < 64; ++j)
          for (int c : {j, j + 64}) {
            const std::size_t i = shape.index(t, h, c);
            if (map[j] == '-') ASSERT_EQ(got.exact[i], Mpfr256(x[i])) << name << " pair " << j;
            else ASSERT_EQ(got.exact[i], want.exact[i]) << name << " token " << t << " pair " << j;
          }
  }
  // Multi-head: every query and KV head with an axis rotates like 1-D RoPE; the leftover KV heads do not.
  const Rotation<Mpfr256> mh(make_frequency_plan<Mpfr256>(spec_of("multi-head", "1,1,1", 128, 128, Pairing::neox,
                                                                   HeadCounts{8, 4})), pos);
  const TensorShape kshape{shape.tokens, 4, 128};
  const auto kx = random_input(kshape.size(), rng);
  const auto k = mh.apply(kx, kshape, TensorRole::key, Direction::forward, DType::fp32);
  const TensorShape one{shape.tokens, 1, 128};
  for (int head = 0; head < 4; ++head) {
    std::vector<double> xh;
    for (int t = 0; t < shape.tokens; ++t)
      for (int c = 0; c < 128; ++c) xh.push_back(kx[kshape.index(t, head, c)]);
    const Rotation<Mpfr256> v1(make_frequency_plan<Mpfr256>(spec_of("1d", "")), pos);
    const auto w = v1.apply(xh, one, TensorRole::key, Direction::forward, DType::fp32);
    for (int t = 0; t < shape.tokens; ++t)
      for (int c = 0; c < 128; ++c) {
        const Mpfr256& g = k.exact[kshape.index(t, head, c)];
        if (head < 3) ASSERT_EQ(g, w.exact[one.index(t, 0, c)]) << "kv head " << head;
        else ASSERT_EQ(g, Mpfr256(xh[one.index(t, 0, c)])) << "leftover kv head";
      }
  }
}

// Query head i of a multi-head allocation rotates like KV head i / (Hq / Hkv), off the diagonal too.
TEST(Rotation, MultiHeadQueryFollowsItsKvHead) {
  const std::vector<Position3> pos = {{Coordinate(5), Coordinate(0), Coordinate(1)}, {Coordinate(9), Coordinate(3), Coordinate(2)}};
  const Rotation<Mpfr256> rot(make_frequency_plan<Mpfr256>(spec_of("multi-head", "2,3,3", 16, 16, Pairing::neox,
                                                                    HeadCounts{16, 8})), pos);
  for (int q = 0; q < 16; ++q)
    for (int t = 0; t < 2; ++t)
      for (int j = 0; j < 8; ++j) {
        EXPECT_EQ(rot.cos_sin(t, TensorRole::query, q, j).cos, rot.cos_sin(t, TensorRole::key, q / 2, j).cos);
        EXPECT_EQ(rot.cos_sin(t, TensorRole::query, q, j).sin, rot.cos_sin(t, TensorRole::key, q / 2, j).sin);
      }
  // KV head 2 reads h (sections t 2, h 3, w 3): token 1's h is 3, so pair 0 has angle 3.
  EXPECT_EQ(rot.cos_sin(1, TensorRole::key, 2, 0).cos, cos(Mpfr256(3)));
  EXPECT_EQ(rot.cos_sin(1, TensorRole::key, 7, 0).sin, sin(Mpfr256(2)));
  EXPECT_THROW(rot.apply(std::vector<double>(2 * 8 * 16), {2, 8, 16}, TensorRole::query, Direction::forward, DType::fp32), Error);
}

// Partial rotary (d = 64 of 128, the Qwen3.5 shape) leaves channels 64..127 bit-identical, and rotates
// channel c with c + 32 (neox within the rotary part).
TEST(Rotation, PartialRotaryPassesChannelsThrough) {
  std::mt19937_64 rng(test_seed());
  const auto pos = diagonal_positions({3, 40});
  const Rotation<Mpfr256> rot(make_frequency_plan<Mpfr256>(spec_of("interleaved", "11,11,10", 128, 64)), pos);
  const TensorShape shape{2, 2, 128};
  const auto x = random_input(shape.size(), rng);
  const auto y = rot.apply(x, shape, TensorRole::query, Direction::forward, DType::bf16);
  for (int t = 0; t < 2; ++t)
    for (int h = 0; h < 2; ++h) {
      for (int c = 64; c < 128; ++c) ASSERT_EQ(y.exact[shape.index(t, h, c)], Mpfr256(x[shape.index(t, h, c)]));
      const Mpfr256 angle = Mpfr256(t == 0 ? 3 : 40) * inverse_frequency(Mpfr256(10000000) / 10, 5, 64);
      const Mpfr256 a = x[shape.index(t, h, 5)], b = x[shape.index(t, h, 37)];
      EXPECT_EQ(y.exact[shape.index(t, h, 5)], a * cos(angle) - b * sin(angle));
      EXPECT_EQ(y.exact[shape.index(t, h, 37)], b * cos(angle) + a * sin(angle));
    }
}

// Backward undoes forward (R^T R = I): in exact arithmetic to the working precision. Bound: each result is
// two products of |x| <= 4 with cos/sin, each rounded at 2^-332 relative, twice over: < 2^-325 absolute.
// R^T undoes R: the backward rotation's exact outputs, rotated forward with the same cos/sin in MPFR,
// give back the input (to the 336-bit working precision).
TEST(Rotation, BackwardThenForwardIsTheIdentity) {
  std::mt19937_64 rng(test_seed());
  const std::vector<Position3> pos = {{Coordinate(17), Coordinate(4), Coordinate(9)},
                                      {Coordinate(Rational(7, 3)), Coordinate(1), Coordinate(1000000)}};
  const Rotation<Mpfr256> rot(make_frequency_plan<Mpfr256>(spec_of("chunked", "16,24,24")), pos);
  const TensorShape shape{2, 1, 128};
  const auto x = random_input(shape.size(), rng);
  const auto back = rot.apply(x, shape, TensorRole::query, Direction::backward, DType::fp32);
  for (int t = 0; t < 2; ++t)
    for (int j = 0; j < 64; ++j) {
      const auto& cs = rot.cos_sin(t, TensorRole::query, 0, j);
      const Mpfr256 a = back.exact[shape.index(t, 0, j)], b = back.exact[shape.index(t, 0, j + 64)];
      // The backward really is R^T: not the forward result (which would not come back here) nor the input.
      EXPECT_GT(abs(a - x[shape.index(t, 0, j)]) + abs(b - x[shape.index(t, 0, j + 64)]), ldexp(Mpfr256(1), -40));
      EXPECT_LT(abs(a * cs.cos - b * cs.sin - x[shape.index(t, 0, j)]), ldexp(Mpfr256(1), -325));
      EXPECT_LT(abs(b * cs.cos + a * cs.sin - x[shape.index(t, 0, j + 64)]), ldexp(Mpfr256(1), -325));
    }
}

// R^T R = I through the cos/sin the rotation exposes.
TEST(Rotation, TransposeOfTheCosSinInvertsForward) {
  std::mt19937_64 rng(test_seed());
  const std::vector<Position3> pos = {{Coordinate(17), Coordinate(4), Coordinate(9)},
                                      {Coordinate(Rational(7, 3)), Coordinate(1), Coordinate(1000000)}};
  const Rotation<Mpfr256> rot(make_frequency_plan<Mpfr256>(spec_of("chunked", "16,24,24")), pos);
  const TensorShape shape{2, 1, 128};
  const auto x = random_input(shape.size(), rng);
  const auto y = rot.apply(x, shape, TensorRole::query, Direction::forward, DType::fp32);
  std::vector<double> yd;  // the exact forward result does not fit a double; check R^T R through the cos/sin
  for (int t = 0; t < 2; ++t)
    for (int j = 0; j < 64; ++j) {
      const auto& cs = rot.cos_sin(t, TensorRole::query, 0, j);
      const Mpfr256 a = y.exact[shape.index(t, 0, j)], b = y.exact[shape.index(t, 0, j + 64)];
      EXPECT_LT(abs(a * cs.cos + b * cs.sin - x[shape.index(t, 0, j)]), ldexp(Mpfr256(1), -325));
      EXPECT_LT(abs(b * cs.cos - a * cs.sin - x[shape.index(t, 0, j + 64)]), ldexp(Mpfr256(1), -325));
    }
}

// Mpfr256 and BinFloat256 agree at positions up to 2^31. Angle pos * theta <= 2^31: Mpfr256 forms it with
// relative error 2^-332, i.e. 2^-301 absolute, and MPFR's sin/cos are correctly rounded after that;
// BinFloat256 (400 bits) loses ~31 bits to its working-precision reduction, leaving ~2^-360. So cos/sin and
// the outputs (|x| <= 4) differ by at most ~2^-298: the two scalars agree to kAgreeBits = 290 bits absolute.
TEST(Rotation, MpfrAndBinFloatAgreeUpTo2Pow31) {
  constexpr int kAgreeBits = 290;
  std::mt19937_64 rng(test_seed());
  std::vector<std::int64_t> p = {0, 1, 2, 1000, 65535, (std::int64_t{1} << 31) - 1, std::int64_t{1} << 31};
  std::uniform_int_distribution<std::int64_t> any(0, std::int64_t{1} << 31);
  for (int i = 0; i < 5; ++i) p.push_back(any(rng));
  std::vector<Position3> pos;
  for (std::size_t i = 0; i < p.size(); ++i)
    pos.push_back({Coordinate(p[i]), Coordinate(p[(i + 3) % p.size()]), Coordinate(p[(i + 5) % p.size()])});
  const auto spec = spec_of("interleaved", "24,20,20");
  const Rotation<Mpfr256> a(make_frequency_plan<Mpfr256>(spec), pos);
  const Rotation<BinFloat256> b(make_frequency_plan<BinFloat256>(spec), pos);
  const TensorShape shape{static_cast<int>(pos.size()), 1, 128};
  const auto x = random_input(shape.size(), rng);
  const auto ya = a.apply(x, shape, TensorRole::query, Direction::forward, DType::fp32);
  const auto yb = b.apply(x, shape, TensorRole::query, Direction::forward, DType::fp32);
  const Mpfr256 bound = ldexp(Mpfr256(1), -kAgreeBits);
  for (std::size_t i = 0; i < ya.exact.size(); ++i) {
    ASSERT_LT(abs(ya.exact[i] - Mpfr256(yb.exact[i])), bound) << "element " << i << " position " << p[i / 128];
    ASSERT_EQ(ya.bits[i], yb.bits[i]) << "element " << i;
  }
}

// Rounded outputs are within half an ulp of the exact values (the rounding is the only step).
TEST(Rotation, RoundedWithinHalfUlp) {
  std::mt19937_64 rng(test_seed());
  const auto pos = diagonal_positions({1, 99999, 1 << 20});
  const Rotation<Mpfr256> rot(make_frequency_plan<Mpfr256>(spec_of("chunked", "16,24,24")), pos);
  const TensorShape shape{3, 1, 128};
  const auto x = random_input(shape.size(), rng);
  for (DType t : {DType::fp32, DType::fp16, DType::bf16}) {
    const auto y = rot.apply(x, shape, TensorRole::key, Direction::backward, t);
    for (std::size_t i = 0; i < y.exact.size(); ++i) ASSERT_LE(ulp_error(y.exact[i], y.bits[i], t), 0.5) << i;
  }
}

// A Qwen2-VL sequence of ~32K tokens (text and a 64 x 64-token image) with one 128-dim head: distinct positions
// per axis are cached, so this is ~32K * 64 sin/cos pairs, a few seconds on one core.
// A 32K-token sequence rotates (its speed is a benchmark's business: docs/benchmarks.md).
TEST(Rotation, Qwen2VlLongSequenceRotates) {
  const auto design = make_preset_design(find_preset("qwen2-vl"));
  const auto seq = design->assign(parse_layout("text:12000 image:1x128x128 text:16000"));
  const auto pos = positions_of(seq);
  ASSERT_GT(pos.size(), 32000u);
  const Rotation<Mpfr256> rot(make_frequency_plan<Mpfr256>(rotary_spec_for(find_preset("qwen2-vl").frequency)), pos);
  const TensorShape shape{static_cast<int>(pos.size()), 1, 128};
  std::vector<double> x(shape.size(), 0.25);
  const auto y = rot.apply(x, shape, TensorRole::query, Direction::forward, DType::bf16);
  EXPECT_EQ(y.exact.size(), shape.size());
  for (std::size_t i = 0; i < y.exact.size(); i += 997) ASSERT_LE(ulp_error(y.exact[i], y.bits[i], DType::bf16), 0.5) << i;
}

}  // namespace
}  // namespace mmrope
