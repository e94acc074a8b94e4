// Shared by the rotation laws: the MPFR scalar they run in, tensor shapes per role, dot products and magnitudes.
#pragma once

#include <cmath>
#include <vector>

#include "reference/rotation.hpp"

namespace mmrope::laws {

// The rotation laws run in the reference scalar: MPFR at 100 decimal digits (p = 332 bits).
using S = Mpfr256;

// Heads of a tensor of `role` under `spec`: the allocation's counts for multi-head, else `heads`.
inline int heads_for(const RotarySpec& spec, TensorRole role, int heads) {
  const Allocation& a = spec.allocation;
  if (!a.per_head()) return heads;
  return role == TensorRole::query ? a.heads().query : a.heads().kv;
}

inline Rotation<S> rotation_at(const RotarySpec& spec, std::vector<Position3> positions) {
  return Rotation<S>(make_frequency_plan<S>(spec), std::move(positions));
}

// sum_c a_c b_c over channels [first, first + n) of one (token, head) row, exactly enough in S.
inline S dot(const std::vector<S>& a, const std::vector<S>& b, std::size_t first, std::size_t n) {
  S s = 0;
  for (std::size_t c = first; c < first + n; ++c) s += a[c] * b[c];
  return s;
}

// sum_c a[ai + c] b[bi + c] for c < n: the score of one query row with one key row.
inline S dot_rows(const std::vector<S>& a, std::size_t ai, const std::vector<S>& b, std::size_t bi, std::size_t n) {
  S s = 0;
  for (std::size_t c = 0; c < n; ++c) s += a[ai + c] * b[bi + c];
  return s;
}

inline std::vector<S> to_s(const std::vector<double>& x) { return std::vector<S>(x.begin(), x.end()); }

inline S l1(const std::vector<double>& x, std::size_t first, std::size_t n) {
  S s = 0;
  for (std::size_t c = first; c < first + n; ++c) s += S(std::fabs(x[c]));
  return s;
}

// The relative error bound of every rotation law, 2^-280, and why. Each cos/sin is correctly rounded at p = 332
// bits; the phase p * theta_j carries a relative error of at most 2 * 2^-p, i.e. an absolute error of at most
// |phase| * 2^-331 <= 2^22 * 2^-331 for positions and shifts below 2^21 (theta_j <= 1); the composition of two
// cached factors adds 4 * 2^-p. So each cos/sin is off by < 2^-308, each rotated channel by < 2^-307 (|a| + |b|),
// and a dot product over <= 64 channels of two such tensors by < 2^-300 * ||x||_1 ||y||_1 (with the YaRN
// attention factor <= 2 squared). 2^-280 leaves 20 bits of margin and is still 2^-256 below bf16's resolution.
inline const S& kRelativeBound() {
  static const S b = ldexp(S(1), -280);
  return b;
}

inline S abs_s(const S& x) { return x < 0 ? S(-x) : x; }

}  // namespace mmrope::laws

namespace mmrope::laws {

// R y for a tensor already in S (the reference's apply takes exact doubles): composes rotations exactly
// enough to check R_{-m} R_m = I. Pass-through channels are copied; each pair uses the rotation's cos/sin.
inline std::vector<S> rotate_exact(const Rotation<S>& r, const std::vector<S>& y, TensorShape shape, TensorRole role) {
  const RotarySpec& spec = r.plan().spec;
  std::vector<S> out = y;
  for (int t = 0; t < shape.tokens; ++t)
    for (int h = 0; h < shape.heads; ++h)
      for (int j = 0; j < spec.pairs(); ++j) {
        const auto [c0, c1] = pair_channels(spec.pairing, j, spec.rotary_dim);
        const std::size_t i0 = shape.index(t, h, c0), i1 = shape.index(t, h, c1);
        const CosSin<S>& cs = r.cos_sin(t, role, h, j);
        out[i0] = y[i0] * cs.cos - y[i1] * cs.sin;
        out[i1] = y[i1] * cs.cos + y[i0] * cs.sin;
      }
  return out;
}

inline Position3 operator+(const Position3& a, const Position3& b) { return {a.t + b.t, a.h + b.h, a.w + b.w}; }
inline Position3 negated(const Position3& a) {
  return {Coordinate(0) - a.t, Coordinate(0) - a.h, Coordinate(0) - a.w};
}

}  // namespace mmrope::laws
