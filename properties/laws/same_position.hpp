// Position equality for the layout laws: exact for rational coordinates, to 2^-240 for CircleRoPE's irrational ones.
#pragma once

#include "reference/positions.hpp"

namespace mmrope::laws {

// CircleRoPE's coordinates are Reals at 80 digits (266 bits); a rope delta next - L added back to L rounds
// twice, so (next - L) + L can differ from next in the last bits. 2^-240 relative (26 bits of slack) is
// far below any position resolution and far above those roundings. Rationals compare exactly.
inline bool same_coordinate(const Coordinate& a, const Coordinate& b) {
  if (a.is_exact() && b.is_exact()) return a == b;
  const Real d = abs(a.to_real() - b.to_real());
  return d <= ldexp(Real(1), -240) * (1 + abs(a.to_real()));
}

inline bool same_position(const Position3& a, const Position3& b) {
  return same_coordinate(a.t, b.t) && same_coordinate(a.h, b.h) && same_coordinate(a.w, b.w);
}

}  // namespace mmrope::laws
