// What a position design produces: per token its kind and exact (t, h, w), plus the decode continuation.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "exact.hpp"

namespace mmrope {

enum class TokenKind { text, image, video, pad };

inline std::string_view to_string(TokenKind k) {
  switch (k) {
    case TokenKind::text: return "text";
    case TokenKind::image: return "image";
    case TokenKind::video: return "video";
    case TokenKind::pad: return "pad";
  }
  return "?";
}

enum class Axis { t = 0, h = 1, w = 2 };
inline constexpr std::array<Axis, 3> kAxes = {Axis::t, Axis::h, Axis::w};

// A point of the position space. 1-D designs repeat their position on all three axes.
struct Position3 {
  Coordinate t, h, w;
  const Coordinate& operator[](Axis a) const { return a == Axis::t ? t : a == Axis::h ? h : w; }
  Coordinate& operator[](Axis a) { return a == Axis::t ? t : a == Axis::h ? h : w; }
  friend bool operator==(const Position3& a, const Position3& b) { return a.t == b.t && a.h == b.h && a.w == b.w; }
  static Position3 diagonal(const Coordinate& p) { return {p, p, p}; }
};

struct TokenPosition {
  TokenKind kind = TokenKind::text;
  Position3 pos;
  std::int64_t segment = -1;  // index of the layout segment the token came from; -1 for padding
};

// The positions of one sequence and how generation continues it.
struct SequencePositions {
  std::vector<TokenPosition> tokens;
  // The 1-D position of the first generated token: generated token k sits at the design's text
  // position for next_position + k. It is the next text position after the prompt for every design
  // except MRoPE's transformers >= 5.3 rule, where it is the largest prompt position + 1.
  Coordinate next_position;
  // next_position minus the token count the convention divides by (the prompt length for a single
  // unpadded sequence), so decode step k gets position (cache length + k) + rope_delta.
  Coordinate rope_delta;
};

}  // namespace mmrope
