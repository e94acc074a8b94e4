// RapidCheck generators of raw (t, h, w) positions for the rotation laws: every magnitude to 2^31 - 1, some halves.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <vector>

#include "reference/positions.hpp"

namespace mmrope {

inline void showValue(const Position3& p, std::ostream& os) {
  os << "(" << p.t.to_string() << ", " << p.h.to_string() << ", " << p.w.to_string() << ")";
}

namespace gen {

// 2^31 - 1: the largest int32 position, the range the kernels promise; shrinks to 0.
inline constexpr std::int64_t kMaxRawPosition = (std::int64_t{1} << 31) - 1;

// An integer coordinate of magnitude below 2^e for a uniform e in [0, 31] (so small and huge positions are
// equally likely), or (1 in 4) a half-integer as V2PE and fractional strides produce.
inline rc::Gen<Coordinate> coordinate() {
  const auto magnitude = rc::gen::mapcat(rc::gen::inRange(0, 32), [](int e) {
    const std::int64_t top = std::min(kMaxRawPosition, std::int64_t{1} << e);
    return rc::gen::inRange(-top, top + 1);
  });
  return rc::gen::map(rc::gen::pair(magnitude, rc::gen::inRange(0, 4)), [](const std::pair<std::int64_t, int>& p) {
    // the half-integer stays within the range: p + 1/2 for p < max, p - 1/2 at the top
    const std::int64_t twice = p.first == kMaxRawPosition ? 2 * p.first - 1 : 2 * p.first + 1;
    return p.second == 0 ? Coordinate(Rational(twice, 2)) : Coordinate(p.first);
  });
}

inline rc::Gen<Position3> position() {
  return rc::gen::map(rc::gen::tuple(coordinate(), coordinate(), coordinate()),
                      [](const std::tuple<Coordinate, Coordinate, Coordinate>& c) {
                        return Position3{std::get<0>(c), std::get<1>(c), std::get<2>(c)};
                      });
}

inline rc::Gen<std::vector<Position3>> positions(std::size_t count) {
  return rc::gen::container<std::vector<Position3>>(count, position());
}

}  // namespace gen
}  // namespace mmrope
