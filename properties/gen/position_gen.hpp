// RapidCheck generators of raw (t, h, w) positions for the rotation laws: integers up to 2^20, some halves.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <ostream>
#include <vector>

#include "reference/positions.hpp"

namespace mmrope {

inline void showValue(const Position3& p, std::ostream& os) {
  os << "(" << p.t.to_string() << ", " << p.h.to_string() << ", " << p.w.to_string() << ")";
}

namespace gen {

// 2^20: a million-token context, where an fp32 phase is already 0.05 rad off; shrinks to 0.
inline constexpr std::int64_t kMaxRawPosition = std::int64_t{1} << 20;

// An integer coordinate, or (1 in 4) a half-integer as V2PE and fractional strides produce.
inline rc::Gen<Coordinate> coordinate() {
  return rc::gen::map(rc::gen::pair(rc::gen::inRange(-kMaxRawPosition, kMaxRawPosition + 1), rc::gen::inRange(0, 4)),
                      [](const std::pair<std::int64_t, int>& p) {
                        return p.second == 0 ? Coordinate(Rational(2 * p.first + 1, 2)) : Coordinate(p.first);
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
