// Helpers shared by the reference tests: compare a sequence's positions with expected integer triples.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "reference/error.hpp"
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

// The exact rational num/den as a coordinate: Q(9, 4) is 2.25.
inline Coordinate Q(std::int64_t num, std::int64_t den = 1) { return Coordinate(Rational(num, den)); }

using CoordTriple = std::array<Coordinate, 3>;

// Like expect_positions, for rational (non-integer) expectations: exact equality, no tolerance.
inline void expect_coordinates(const SequencePositions& got, const std::vector<CoordTriple>& want) {
  ASSERT_EQ(got.tokens.size(), want.size()) << "token count";
  for (std::size_t i = 0; i < want.size(); ++i) {
    const Position3& p = got.tokens[i].pos;
    const Position3 w{want[i][0], want[i][1], want[i][2]};
    ASSERT_TRUE(p == w) << "token " << i << ": got (" << p.t.to_string() << ", " << p.h.to_string() << ", "
                        << p.w.to_string() << "), want (" << w.t.to_string() << ", " << w.h.to_string() << ", "
                        << w.w.to_string() << ")";
  }
}

// Expects the token kinds, in order ('t' text, 'i' image, 'v' video, 'p' pad): "tttiiiiiitt".
inline void expect_kinds(const SequencePositions& got, const std::string& want) {
  ASSERT_EQ(got.tokens.size(), want.size()) << "token count";
  for (std::size_t i = 0; i < want.size(); ++i) {
    const char k = got.tokens[i].kind == TokenKind::text    ? 't'
                   : got.tokens[i].kind == TokenKind::image ? 'i'
                   : got.tokens[i].kind == TokenKind::video ? 'v'
                                                            : 'p';
    ASSERT_EQ(k, want[i]) << "kind of token " << i;
  }
}

// Runs f, expects it to throw mmrope::Error, and returns the message ("" after a failure).
template <class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a non-mmrope exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected an mmrope::Error, nothing was thrown";
  return "";
}

// Expects f to throw mmrope::Error whose message contains every one of the parts.
template <class F>
void expect_error(F&& f, std::initializer_list<std::string> parts) {
  const std::string message = error_message(std::forward<F>(f));
  for (const auto& part : parts)
    EXPECT_NE(message.find(part), std::string::npos) << "message lacks \"" << part << "\": " << message;
}

}  // namespace mmrope
