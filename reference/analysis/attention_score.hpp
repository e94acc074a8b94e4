// The attention score q^T R_m^T R_n k of one query and one key, exact in S, per query head, for any rotary spec.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "../angles.hpp"
#include "../frequency/frequency_plan.hpp"
#include "../rotation.hpp"

namespace mmrope {

// One token's vectors: [heads, head_dim], row-major, values exact in double (every fp32/fp16/bf16 value is).
struct HeadVectors {
  int heads = 1;
  std::vector<double> values;
  double at(int head, int channel, int head_dim) const {
    return values[static_cast<std::size_t>(head) * static_cast<std::size_t>(head_dim) + static_cast<std::size_t>(channel)];
  }
};

// score_i = (R_m q_i)^T (R_n k_g(i)) for every query head i, where g(i) = i / (Hq / Hkv) is the KV head the
// query head attends with (HF repeat_kv), m the query's position and n the key's.
//
// Why not rotate and dot: R_m^T R_n = R_{n-m} per pair (rotations by angles of one axis compose), so the score
// is computed from the exact per-axis position difference alone -- the relative-position property is built in
// and the phase (n_a - m_a) theta_j stays small even at positions near 2^31. Per rotary pair j reading axis a
// (channels (c0, c1) of its pairing), with phi = (n_a - m_a) theta_j:
//   q^T R_phi k = cos(phi) (q0 k0 + q1 k1) + sin(phi) (q1 k0 - q0 k1)
// times attention_factor^2 (Rotation scales cos and sin of both q and k by it; pairs that do not rotate too,
// as HF does). Channels from rotary_dim on add q_c k_c unscaled. The sum is exact up to the working precision
// of S: one correctly rounded cos/sin per pair and a few roundings per term.
template <class S>
std::vector<S> attention_scores(const FrequencyPlan<S>& plan, const HeadVectors& q, const Position3& m,
                                const HeadVectors& k, const Position3& n) {
  const RotarySpec& spec = plan.spec;
  const Allocation& a = spec.allocation;
  const std::size_t d = static_cast<std::size_t>(spec.head_dim);
  if (q.heads <= 0 || k.heads <= 0 || q.heads % k.heads != 0)
    throw Error("score: query heads " + std::to_string(q.heads) + " must be a positive multiple of KV heads " +
                std::to_string(k.heads));
  if (q.values.size() != static_cast<std::size_t>(q.heads) * d || k.values.size() != static_cast<std::size_t>(k.heads) * d)
    throw Error("score: q and k must hold heads x head_dim (" + std::to_string(d) + ") values");
  if (a.per_head() && (a.heads().query != q.heads || a.heads().kv != k.heads))
    throw Error("score: the multi-head allocation expects " + std::to_string(a.heads().query) + ":" +
                std::to_string(a.heads().kv) + " heads");
  // The exact per-axis differences n - m (rationals stay exact; only irrational designs round here).
  std::array<Coordinate, 3> difference;
  for (Axis axis : kAxes) difference[static_cast<int>(axis)] = n[axis] - m[axis];
  const ExactAngles<S> angles(plan);
  const S factor_squared = plan.attention_factor * plan.attention_factor;
  const int group = q.heads / k.heads;
  std::vector<S> scores(static_cast<std::size_t>(q.heads));
  for (int i = 0; i < q.heads; ++i) {
    const int g = i / group;
    S rotated = 0;
    for (int j = 0; j < spec.pairs(); ++j) {
      const auto [c0, c1] = pair_channels(spec.pairing, j, spec.rotary_dim);
      const S q0 = q.at(i, c0, spec.head_dim), q1 = q.at(i, c1, spec.head_dim);
      const S k0 = k.at(g, c0, spec.head_dim), k1 = k.at(g, c1, spec.head_dim);
      const PairAxis axis = a.query_axis(a.per_head() ? i : 0, j);  // == key_axis(g, j) by construction
      if (!axis) {
        rotated += q0 * k0 + q1 * k1;
        continue;
      }
      const CosSin<S> cs = angles.uncached(difference[static_cast<int>(*axis)], j);
      rotated += cs.cos * (q0 * k0 + q1 * k1) + cs.sin * (q1 * k0 - q0 * k1);
    }
    S plain = 0;
    for (int c = spec.rotary_dim; c < spec.head_dim; ++c) plain += S(q.at(i, c, spec.head_dim)) * S(k.at(g, c, spec.head_dim));
    scores[static_cast<std::size_t>(i)] = factor_squared * rotated + plain;
  }
  return scores;
}

// The score of a single-head query and key (per-pair allocations).
template <class S>
S attention_score(const FrequencyPlan<S>& plan, const std::vector<double>& q, const Position3& m,
                  const std::vector<double>& k, const Position3& n) {
  return attention_scores(plan, HeadVectors{1, q}, m, HeadVectors{1, k}, n)[0];
}

}  // namespace mmrope
