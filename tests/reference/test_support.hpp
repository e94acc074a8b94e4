// Helpers shared by the reference tests: compare a sequence's positions with expected integer triples.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "reference/positions.hpp"

namespace mmrope {

using Triple = std::array<std::int64_t, 3>;

// Expects exactly these (t, h, w), in order; reports the first differing token with both values.
inline void expect_positions(const SequencePositions& got, const std::vector<Triple>& want) {
  ASSERT_EQ(got.tokens.size(), want.size()) << "token count";
  for (std::size_t i = 0; i < want.size(); ++i) {
    const Position3& p = got.tokens[i].pos;
    const Position3 w{Coordinate(want[i][0]), Coordinate(want[i][1]), Coordinate(want[i][2])};
    ASSERT_TRUE(p == w) << "token " << i << ": got (" << p.t.to_string() << ", " << p.h.to_string() << ", "
                        << p.w.to_string() << "), want (" << want[i][0] << ", " << want[i][1] << ", " << want[i][2] << ")";
  }
}

}  // namespace mmrope
