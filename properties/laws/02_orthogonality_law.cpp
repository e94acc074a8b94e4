// Law 2: each rotation is orthogonal: norms kept, R_0 = I, backward = transpose, R_{-m} R_m = I.
// Source: RoPE's R_m is block-diagonal with 2x2 rotations (2510.23095 sec. 2.1); every allocation claims it.
// YaRN scales cos and sin by its attention factor a, so there R_m = a Q_m with Q_m orthogonal: the checks
// carry a (norm a|x|, R_0 = a I, R_{-m} R_m = a^2 I); pass-through channels of partial rotary are unscaled.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "gen/bits_gen.hpp"
#include "gen/position_gen.hpp"
#include "gen/spec_gen.hpp"
#include "rotation_support.hpp"

namespace mmrope::laws {
namespace {

struct Case {
  RotarySpec spec;
  DType type;
  std::vector<Position3> m;
  TensorShape shape;
  TensorRole role;
  std::vector<double> x;
};

Case any_case() {
  Case c{*gen::rotary_spec(), *gen::dtype(), {}, {}, *rc::gen::element(TensorRole::query, TensorRole::key), {}};
  const int tokens = *rc::gen::inRange(1, 4);
  c.m = *gen::positions(static_cast<std::size_t>(tokens));
  c.shape = {tokens, heads_for(c.spec, c.role, *rc::gen::inRange(1, 3)), c.spec.head_dim};
  c.x = *gen::dtype_values(c.type, c.shape.size());
  return c;
}

// |a - b| <= 2^-280 * scale: see kRelativeBound for the derivation.
void expect_close(const S& a, const S& b, const S& scale) { RC_ASSERT(abs_s(S(a - b)) <= kRelativeBound() * scale); }

RC_GTEST_PROP(Law02Orthogonality, NormIsKeptUpToTheAttentionFactor, ()) {
  const Case c = any_case();
  const Rotation<S> r = rotation_at(c.spec, c.m);
  const auto y = r.apply(c.x, c.shape, c.role, Direction::forward, c.type).exact;
  const S af2 = r.plan().attention_factor * r.plan().attention_factor;
  const auto xs = to_s(c.x);
  const std::size_t d = static_cast<std::size_t>(c.spec.head_dim), rd = static_cast<std::size_t>(c.spec.rotary_dim);
  for (std::size_t row = 0; row < static_cast<std::size_t>(c.shape.tokens * c.shape.heads); ++row) {
    const S want = af2 * dot(xs, xs, row * d, rd) + dot(xs, xs, row * d + rd, d - rd);
    const S scale = 4 * l1(c.x, row * d, d) * l1(c.x, row * d, d);
    expect_close(dot(y, y, row * d, d), want, scale);
  }
}

RC_GTEST_PROP(Law02Orthogonality, RotationAtZeroIsTheIdentity, ()) {
  Case c = any_case();
  for (auto& p : c.m) p = Position3::diagonal(Coordinate(0));
  const Rotation<S> r = rotation_at(c.spec, c.m);
  const auto y = r.apply(c.x, c.shape, c.role, Direction::forward, c.type).exact;
  const std::size_t d = static_cast<std::size_t>(c.spec.head_dim);
  for (std::size_t i = 0; i < y.size(); ++i) {
    // cos 0 = 1 and sin 0 = 0 exactly, so R_0 x = a x exactly (a = 1 without YaRN): no tolerance.
    const S want = i % d < static_cast<std::size_t>(c.spec.rotary_dim) ? S(c.x[i] * r.plan().attention_factor) : S(c.x[i]);
    RC_ASSERT(y[i] == want);
  }
}

RC_GTEST_PROP(Law02Orthogonality, BackwardIsTheTranspose, ()) {
  const Case c = any_case();
  const auto g = *gen::dtype_values(c.type, c.shape.size());  // the incoming gradient dy
  const Rotation<S> r = rotation_at(c.spec, c.m);
  const auto fx = r.apply(c.x, c.shape, c.role, Direction::forward, c.type).exact;
  const auto bg = r.apply(g, c.shape, c.role, Direction::backward, c.type).exact;
  // <R x, g> = <x, R^T g> for every (token, head) row.
  const std::size_t d = static_cast<std::size_t>(c.spec.head_dim);
  const auto xs = to_s(c.x), gs = to_s(g);
  for (std::size_t row = 0; row < static_cast<std::size_t>(c.shape.tokens * c.shape.heads); ++row)
    expect_close(dot(fx, gs, row * d, d), dot(xs, bg, row * d, d), 4 * l1(c.x, row * d, d) * l1(g, row * d, d));
}

RC_GTEST_PROP(Law02Orthogonality, RotatingByMinusMUndoesM, ()) {
  const Case c = any_case();
  std::vector<Position3> minus;
  for (const auto& p : c.m) minus.push_back(negated(p));
  const Rotation<S> r = rotation_at(c.spec, c.m), back = rotation_at(c.spec, minus);
  const auto y = r.apply(c.x, c.shape, c.role, Direction::forward, c.type).exact;
  const auto z = rotate_exact(back, y, c.shape, c.role);
  const S af2 = r.plan().attention_factor * r.plan().attention_factor;
  const std::size_t d = static_cast<std::size_t>(c.spec.head_dim);
  for (std::size_t i = 0; i < z.size(); ++i) {
    const S want = i % d < static_cast<std::size_t>(c.spec.rotary_dim) ? S(af2 * c.x[i]) : S(c.x[i]);
    expect_close(z[i], want, 4 * l1(c.x, (i / d) * d, d));
  }
}

}  // namespace
}  // namespace mmrope::laws
