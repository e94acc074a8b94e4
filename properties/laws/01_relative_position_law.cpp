// Law 1: shifting the positions of both q and k by one vector leaves every score q.k unchanged.
// Source: RoPE's defining identity R_m^T R_n = R_{n-m} (Su et al. 2024; 2510.23095 eq. 1), per axis for M-RoPE.
// Every allocation claims it (each pair reads one axis, rotations of one axis commute), scaled or not.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "gen/bits_gen.hpp"
#include "gen/position_gen.hpp"
#include "gen/spec_gen.hpp"
#include "rotation_support.hpp"

namespace mmrope::laws {
namespace {

RC_GTEST_PROP(Law01RelativePosition, ScoreDependsOnlyOnTheDifference, ()) {
  const RotarySpec spec = *gen::rotary_spec();
  const DType type = *gen::dtype();
  const auto m = *gen::positions(2);  // q at m[0], k at m[1]
  const Position3 shift = *gen::position();
  const int hq = heads_for(spec, TensorRole::query, 1), hk = heads_for(spec, TensorRole::key, 1);
  const auto q = *gen::dtype_values(type, static_cast<std::size_t>(hq * spec.head_dim));
  const auto k = *gen::dtype_values(type, static_cast<std::size_t>(hk * spec.head_dim));
  const TensorShape qs{1, hq, spec.head_dim}, ks{1, hk, spec.head_dim};
  auto rotated = [&](const Position3& p, const std::vector<double>& x, TensorShape s, TensorRole role) {
    return rotation_at(spec, {p}).apply(x, s, role, Direction::forward, type).exact;
  };
  const auto q0 = rotated(m[0], q, qs, TensorRole::query), q1 = rotated(m[0] + shift, q, qs, TensorRole::query);
  const auto k0 = rotated(m[1], k, ks, TensorRole::key), k1 = rotated(m[1] + shift, k, ks, TensorRole::key);
  const std::size_t d = static_cast<std::size_t>(spec.head_dim);
  for (int h = 0; h < hq; ++h) {
    const std::size_t qi = static_cast<std::size_t>(h) * d, ki = static_cast<std::size_t>(h / (hq / hk)) * d;
    const S before = dot_rows(q0, qi, k0, ki, d), after = dot_rows(q1, qi, k1, ki, d);
    const S bound = kRelativeBound() * 4 * l1(q, qi, d) * l1(k, ki, d);  // 4: YaRN attention factor^2 <= 4
    RC_ASSERT(abs_s(S(after - before)) <= bound);
  }
}

}  // namespace
}  // namespace mmrope::laws
